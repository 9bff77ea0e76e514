"""A large, realistic data set for load tests and benchmarks.

    from bench.seed import seed
    summary = seed(actions=10_000, owners=200, years=5)

Builds `years` of inspections (one a year, each with judgements and ten areas for
improvement), five priorities, `owners` officers plus a tenth as many senior managers, and
`actions` actions spread over the years, each with two or three progress updates and now and
then a due-date change. Everything goes in with bulk_create, so 10,000 actions take about a
minute on these machines (the audit triggers record every row too).

Idempotent: people and priorities are reused, and if the bench actions (references "B…")
already number `actions` it returns at once. Run it against a database of its own
(DATABASE_URL); `python bench/seed.py` seeds the default size.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "medway_improve.settings")

BENCH_PASSWORD = "bench-password-not-secret"  # noqa: S105 - throwaway accounts on a bench database
PRIORITIES = [
    "Quality and effectiveness of our practice",
    "Leadership, management and governance",
    "Workforce: recruitment, retention and development",
    "Children in care and care leavers",
    "Partnerships and early help",
]
# Status by where the due date falls, as a plan looks after years of work: most actions
# due long ago are complete; recent and future ones are in progress.
STATUS_WEIGHTS = {
    "long_past": {"complete": 85, "cancelled": 6, "off_track": 6, "at_risk": 3},
    "recent": {"complete": 45, "on_track": 20, "at_risk": 15, "off_track": 15, "cancelled": 5},
    "future": {"not_started": 15, "on_track": 60, "at_risk": 15, "off_track": 5, "complete": 5},
}


def _django():
    import django

    django.setup()


def seed(
    actions: int = 10_000,
    owners: int = 200,
    years: int = 5,
    *,
    today: dt.date | None = None,
    random_seed: int = 8,
    verbose: bool = False,
) -> dict:
    """Create the data set (see the module docstring). Returns counts and the usernames."""
    _django()
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group
    from django.db import transaction

    from accounts.models import Role, User
    from actions.models import Action, DueDateChange, Priority, ProgressUpdate
    from audit.context import audit_source
    from inspections.models import (
        AreaForImprovement,
        Grade,
        Inspection,
        Judgement,
        JudgementArea,
        LocalAuthority,
    )

    started = time.perf_counter()
    rng = random.Random(random_seed)
    today = today or dt.date.today()
    log = print if verbose else (lambda *a, **k: None)

    existing = Action.objects.filter(reference__startswith="B").count()
    usernames = [f"bench{n:03d}" for n in range(owners)]
    if existing >= actions:
        return {
            "actions": existing,
            "owners": owners,
            "usernames": usernames,
            "seconds": 0.0,
            "reused": True,
        }

    with audit_source("command", command="bench.seed"), transaction.atomic():
        password = make_password(BENCH_PASSWORD)
        officer_group = Group.objects.get(name=Role.OFFICER.value)
        managers_needed = max(1, owners // 10)
        wanted = usernames + [f"benchmgr{n:03d}" for n in range(managers_needed)]
        have = set(User.objects.filter(username__in=wanted).values_list("username", flat=True))
        User.objects.bulk_create(
            [
                User(
                    username=name,
                    first_name=f"Bench{name[-3:]}",
                    last_name="Manager" if "mgr" in name else "Officer",
                    email=f"{name}@bench.example",
                    password=password,
                    job_title="Service manager",
                )
                for name in wanted
                if name not in have
            ],
            batch_size=500,
        )
        people = {u.username: u for u in User.objects.filter(username__in=wanted)}
        Group.user_set.through.objects.bulk_create(
            [
                Group.user_set.through(user_id=u.pk, group_id=officer_group.pk)
                for u in people.values()
            ],
            ignore_conflicts=True,
        )
        officers = [people[n] for n in usernames]
        managers = [people[n] for n in wanted[owners:]]
        log(f"people: {len(people)}")

        priorities = []
        for number, title in enumerate(PRIORITIES, start=1):
            priority, _ = Priority.objects.get_or_create(number=number, defaults={"title": title})
            priorities.append(priority)

        authority, _ = LocalAuthority.objects.get_or_create(name="Benchshire")
        areas = list(JudgementArea.objects.current())
        inspections, afis = [], []
        for year in range(years):
            start = today - dt.timedelta(days=365 * (years - year))
            inspections.append(
                Inspection(
                    local_authority=authority,
                    kind=Inspection.Kind.ILACS_STANDARD if year % 2 == 0 else "monitoring_visit",
                    title=f"Bench inspection {year + 1}",
                    start_date=start,
                    end_date=start + dt.timedelta(days=10),
                    published_date=start + dt.timedelta(days=50),
                    inspectors=["A Inspector", "B Inspector"],
                    summary="A generated inspection for load tests. " * 20,
                )
            )
        Inspection.objects.bulk_create(inspections)
        judgements = [
            Judgement(
                inspection=inspection,
                area=area,
                wording=area.name,
                grade=rng.choice(list(Grade.values)),
            )
            for inspection in inspections
            if inspection.kind == Inspection.Kind.ILACS_STANDARD
            for area in areas
        ]
        Judgement.objects.bulk_create(judgements)
        for inspection in inspections:
            for order in range(1, 11):
                afis.append(
                    AreaForImprovement(
                        inspection=inspection,
                        text=f"The quality of practice in area {order}, year "
                        f"{inspection.start_date.year}: " + "details " * 30,
                        short_title=f"Area {order} ({inspection.start_date.year})",
                        order=order,
                    )
                )
        AreaForImprovement.objects.bulk_create(afis)
        log(f"inspections: {len(inspections)}, areas: {len(afis)}")

        first_day = today - dt.timedelta(days=365 * years)
        span = (today - first_day).days
        batch = []
        for n in range(existing, actions):
            start = first_day + dt.timedelta(days=rng.randrange(span))
            due = start + dt.timedelta(days=rng.randrange(30, 400))
            era = (
                "long_past"
                if due < today - dt.timedelta(days=90)
                else "recent"
                if due < today
                else "future"
            )
            weights = STATUS_WEIGHTS[era]
            status = rng.choices(list(weights), list(weights.values()))[0]
            batch.append(
                Action(
                    reference=f"B{n // 1000 + 1}.{n % 1000 + 1}",
                    title=f"Improve practice step {n}: "
                    + rng.choice(["audits", "supervision", "training", "recording", "visits"]),
                    description="What we will do and how we will know it worked. " * 8,
                    priority=priorities[n % len(priorities)],
                    owner=officers[n % len(officers)],
                    accountable=managers[n % len(managers)],
                    start_date=start,
                    baseline_due_date=due,
                    due_date=due,
                    status=status,
                    percent_complete=100 if status == "complete" else rng.randrange(0, 95, 5),
                    completed_date=min(due, today) if status == "complete" else None,
                )
            )
        Action.objects.bulk_create(batch, batch_size=1000)
        created = list(Action.objects.filter(reference__startswith="B").order_by("pk"))[existing:]
        log(f"actions: {len(created)}")

        links = [
            Action.areas.through(action_id=a.pk, areaforimprovement_id=afis[i % len(afis)].pk)
            for i, a in enumerate(created)
        ]
        Action.areas.through.objects.bulk_create(links, batch_size=2000)

        updates, changes = [], []
        for action in created:
            for k in range(rng.choice((2, 3))):
                when = dt.datetime.combine(
                    action.start_date + dt.timedelta(days=20 * (k + 1)),
                    dt.time(10, 0),
                    tzinfo=dt.UTC,
                )
                updates.append(
                    ProgressUpdate(
                        action=action,
                        author=action.owner,
                        created_at=when,
                        note=f"Update {k + 1}: work continues.",
                        status_before="on_track",
                        status_after=action.status,
                        rag_before="green",
                        rag_after="green",
                        percent_before=0,
                        percent_after=action.percent_complete,
                        action_version=1,
                    )
                )
            if rng.random() < 0.15:
                changes.append(
                    DueDateChange(
                        action=action,
                        old_date=action.baseline_due_date - dt.timedelta(days=30),
                        new_date=action.baseline_due_date,
                        reason="Recruitment took longer than planned.",
                        changed_by=action.owner,
                    )
                )
        ProgressUpdate.objects.bulk_create(updates, batch_size=2000)
        DueDateChange.objects.bulk_create(changes, batch_size=2000)
        log(f"progress updates: {len(updates)}, due-date changes: {len(changes)}")

    return {
        "actions": Action.objects.filter(reference__startswith="B").count(),
        "owners": owners,
        "progress_updates": len(updates),
        "usernames": usernames,
        "seconds": round(time.perf_counter() - started, 1),
        "reused": False,
    }


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--actions", type=int, default=10_000)
    parser.add_argument("--owners", type=int, default=200)
    parser.add_argument("--years", type=int, default=5)
    args = parser.parse_args()
    result = seed(actions=args.actions, owners=args.owners, years=args.years, verbose=True)
    print({k: v for k, v in result.items() if k != "usernames"})
