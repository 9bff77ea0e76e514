"""UI benchmark: seeds 10,000 actions, 200 owners and 5 years of inspections, then measures in
one run the median server time (through Django's full request handling, in process) of the
dashboard, the filtered action list, an action page and an htmx status update, against the
Django admin changelist for the same actions.

Targets on these machines: action list no slower than the admin changelist; dashboard median
under 150 ms; htmx update under 50 ms.

    .venv/bin/python bench/bench_ui.py [--actions 10000] [--repeat 25]
"""

import argparse
import statistics
import time

from _django import setup


def median_ms(client, method, url, repeat, data_for=None, headers=None) -> float:
    times = []
    for i in range(repeat + 2):
        data = data_for(i) if data_for else None
        start = time.perf_counter()
        response = getattr(client, method)(url, data, headers=headers or {})
        elapsed = (time.perf_counter() - start) * 1000
        assert response.status_code == 200, (url, response.status_code)
        if i >= 2:  # the first two warm caches
            times.append(elapsed)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--actions", type=int, default=10_000)
    parser.add_argument("--owners", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=25)
    args = parser.parse_args()

    setup()
    from django.contrib.auth.models import Group
    from django.test import Client
    from django.urls import reverse

    from accounts.models import Role, User
    from actions.models import Action, Status
    from bench.seed import seed

    start = time.perf_counter()
    data = seed(actions=args.actions, owners=args.owners, years=5)
    print(
        f"Plan: {data['actions']} actions, {args.owners} owners, 5 years of inspections "
        f"(ready in {time.perf_counter() - start:.1f} s)"
    )
    # A lead who is also a superuser, so the same person opens the admin changelist.
    user, _ = User.objects.update_or_create(
        username="benchlead",
        defaults={
            "first_name": "Bench",
            "last_name": "Lead",
            "is_staff": True,
            "is_superuser": True,
        },
    )
    user.groups.add(Group.objects.get(name=Role.IMPROVEMENT_LEAD.value))
    lead = Client()
    lead.force_login(user)
    priority_filter = "?status=on_track&rag=red&sort=due_date&q=practice"
    action = Action.objects.filter(status=Status.ON_TRACK).order_by("pk").first()
    results = {
        "dashboard": median_ms(lead, "get", reverse("dashboard"), args.repeat),
        "action list (filtered)": median_ms(
            lead, "get", reverse("actions:action_list") + priority_filter, args.repeat
        ),
        "action list (unfiltered)": median_ms(
            lead, "get", reverse("actions:action_list"), args.repeat
        ),
        "action page": median_ms(lead, "get", action.get_absolute_url(), args.repeat),
        "admin changelist": median_ms(
            lead, "get", reverse("admin:actions_action_changelist"), args.repeat
        ),
        "admin changelist (filtered)": median_ms(
            lead,
            "get",
            reverse("admin:actions_action_changelist") + "?status__exact=on_track&q=practice",
            args.repeat,
        ),
    }
    statuses = [Status.AT_RISK, Status.ON_TRACK]

    def status_post(i):
        action.refresh_from_db(fields=["version"])
        return {
            f"s{action.pk}-version": action.version,
            f"s{action.pk}-status": statuses[i % 2],
        }

    results["htmx status update"] = median_ms(
        lead,
        "post",
        reverse("actions:action_status", args=[action.pk]),
        args.repeat,
        data_for=status_post,
        headers={"HX-Request": "true"},
    )

    print(f"\nMedian server time over {args.repeat} requests ({args.actions} actions):")
    for name, ms in results.items():
        print(f"  {name:<30} {ms:8.1f} ms")
    ratio = results["action list (filtered)"] / results["admin changelist (filtered)"]
    ratio_all = results["action list (unfiltered)"] / results["admin changelist"]
    print("\nRatios and targets:")
    print(f"  action list / admin changelist, filtered     {ratio:5.2f}  (target <= 1.00)")
    print(f"  action list / admin changelist, unfiltered   {ratio_all:5.2f}  (target <= 1.00)")
    print(f"  dashboard median {results['dashboard']:.1f} ms                (target < 150 ms)")
    print(
        f"  htmx update median {results['htmx status update']:.1f} ms              (target < 50 ms)"
    )


if __name__ == "__main__":
    main()
