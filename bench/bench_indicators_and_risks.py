"""Figures for indicators and risks: CSV import, scorecard, charts, register, heat map.

Builds a synthetic council inside one transaction on the configured database and rolls it
back at the end, so it leaves nothing behind. Run with `make bench` (or directly).
"""

import datetime as dt
import os
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "medway_improve.settings")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import Group  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from accounts.models import Role, User  # noqa: E402
from imports.indicator_values import indicator_values_import  # noqa: E402
from kpis import charts  # noqa: E402
from kpis.models import Comparator, Indicator  # noqa: E402
from kpis.selectors import scorecard_data  # noqa: E402
from risks.models import Risk, RiskMatrix  # noqa: E402
from risks.selectors import heat_map_data, register_data  # noqa: E402

INDICATORS, PERIODS, RISKS = 50, 60, 500  # 4,800 CSV rows: near the 5,000 limit


class Rollback(Exception):
    pass


def timed(label: str, func, repeat: int = 1):
    start = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        for _ in range(repeat):
            result = func()
    seconds = (time.perf_counter() - start) / repeat
    print(f"{label:<48} {seconds * 1000:9.1f} ms  {len(queries) // repeat:4d} queries")
    return result, seconds


def main() -> None:
    try:
        with transaction.atomic():
            lead, _ = User.objects.get_or_create(username="bench-lead")
            lead.groups.add(Group.objects.get(name=Role.IMPROVEMENT_LEAD))
            for name in ("Bench England", "Bench region", "Bench neighbours"):
                Comparator.objects.get_or_create(name=name)
            Indicator.objects.bulk_create(
                Indicator(
                    code=f"bench-{n}", name=f"Bench indicator {n}", definition="Synthetic",
                    unit="percentage", decimal_places=1, good_direction="lower",
                    frequency="monthly", target=Decimal(20), amber_tolerance=Decimal(2),
                    owner=lead, order=1000 + n,
                )
                for n in range(INDICATORS)
            )  # fmt: skip
            lines = ["indicator,comparator,period_end,value"]
            for n in range(INDICATORS):
                for p in range(PERIODS):
                    end = dt.date(2000 + p, 3, 31).isoformat()
                    lines.append(f"bench-{n},,{end},{15 + (n + p) % 20}.5")
                    if p % 5 == 0:
                        for comparator in ("Bench England", "Bench region", "Bench neighbours"):
                            lines.append(f"bench-{n},{comparator},{end},{12 + p % 9}.25")
            rows = len(lines) - 1
            data = ("\n".join(lines) + "\n").encode()
            result, seconds = timed(
                f"CSV import, {rows:,} rows ({len(data) // 1024} KB)",
                lambda: indicator_values_import(user=lead, data=data),
            )
            print(f"  -> {rows / seconds:,.0f} rows a second, {result.created:,} created")

            items, seconds = timed(f"scorecard_data(), {Indicator.objects.count()} indicators",
                                   scorecard_data, repeat=3)  # fmt: skip
            print(f"  -> {seconds * 1000 / len(items):.2f} ms an indicator")
            item = next(i for i in items if i["code"] == "bench-0")
            svg, seconds = timed("indicator_chart() for one indicator",
                                 lambda: charts.indicator_chart(item), repeat=20)  # fmt: skip
            print(f"  -> {len(svg):,} bytes of SVG, {len(item['periods'])} periods, "
                  f"{len(item['series'])} series")  # fmt: skip

            matrix = RiskMatrix.objects.current()
            likelihoods, impacts = matrix.likelihood_scale, matrix.impact_scale
            Risk.objects.bulk_create(
                Risk(
                    reference=f"B{n}", title=f"Bench risk {n}", description="Synthetic",
                    owner=lead, likelihood=likelihoods[n % len(likelihoods)],
                    impact=impacts[n % len(impacts)], target_likelihood=likelihoods[-1],
                    target_impact=impacts[-1], review_date=dt.date(2026, 1, 1) + dt.timedelta(n),
                )
                for n in range(RISKS)
            )  # fmt: skip
            risks, seconds = timed(f"register_data(), {Risk.objects.count()} risks",
                                   register_data, repeat=3)  # fmt: skip
            print(f"  -> {seconds * 1000 / len(risks):.3f} ms a risk")
            timed("heat_map_data()", heat_map_data, repeat=3)
            raise Rollback
    except Rollback:
        print("(synthetic data rolled back)")


if __name__ == "__main__":
    main()
