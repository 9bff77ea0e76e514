"""Medway's improvement plan for the demo: the five priorities of the 2019 cabinet report and
about forty actions, dated around today so that some are overdue, at risk, on track and done.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from actions.models import (
    Action,
    DueDateChange,
    Evidence,
    Priority,
    ProgressUpdate,
    Rag,
    Status,
    rag_for,
)
from inspections import demo as inspections_demo

PRIORITIES = [
    (
        1,
        "Quality and effectiveness of our practice",
        "Purposeful social work assessments, plans and interventions with families.",
    ),
    (
        2,
        "Capacity and capability of our workforce",
        "Sufficiency of practitioner posts, manageable workloads, appropriate training, and "
        "practitioners who are well-supported, curious and child focused.",
    ),
    (
        3,
        "Effective leadership and management",
        "Decisions are timely, resources are used effectively, systems track progress and give "
        "insight into quality of practice, and performance is robustly and respectfully "
        "challenged.",
    ),
    (
        4,
        "Quality assurance and performance management",
        "Oversight, challenge and line of sight into practice, and the experience of children "
        "in contact with our services.",
    ),
    (
        5,
        "Partnerships and engagement",
        "Early help supports statutory provision; staff, children and families are engaged "
        "and their views influence services; partners understand their role in improvement.",
    ),
]

S = Status
# reference, title, areas (inspection key, order), owner, accountable,
# start (days from today), due (days from today), status, percent,
# extra: {"baseline": days, "reason": ..., "override": (rag, reason), "evidence": ...}
ACTIONS: list[tuple] = [
    (
        "1.1",
        "Refresh practice standards and embed them in every team",
        [("ilacs-2019", 5)],
        "nhussain",
        "hmarsh",
        -2500,
        -2200,
        S.COMPLETE,
        100,
        {"evidence": "Practice standards published; compliance audited at 87% in March 2021."},
    ),
    (
        "1.2",
        "Roll out the neglect toolkit to all assessment teams",
        [("ilacs-2019", 3)],
        "officer",
        "hmarsh",
        -2450,
        -2150,
        S.COMPLETE,
        100,
        {
            "evidence": "All assessment teams trained; toolkit used in 92% of neglect assessments sampled."
        },
    ),
    (
        "1.3",
        "Hold a permanence planning meeting for every child in care by the second review",
        [("ilacs-2019", 6), ("mv-2022-01", 0)],
        "tfletcher",
        "hmarsh",
        -2400,
        -1800,
        S.COMPLETE,
        100,
        {"evidence": "Permanence tracker shows 96% of children with a plan by second review."},
    ),
    (
        "1.4",
        "Develop a longer-term support pathway for adolescents",
        [("ilacs-2023", 1)],
        "officer",
        "hmarsh",
        -300,
        120,
        S.ON_TRACK,
        55,
        {},
    ),
    (
        "1.5",
        "Introduce a contextual safeguarding assessment and plan",
        [("ilacs-2023", 1)],
        "officer",
        "hmarsh",
        -250,
        35,
        S.AT_RISK,
        40,
        {},
    ),
    (
        "1.6",
        "Set up a multi-agency exploitation panel with weekly risk review",
        [("ilacs-2023", 1)],
        "bcarter",
        "dkhan",
        -400,
        -12,
        S.COMPLETE,
        100,
        {
            "evidence": "Panel terms of reference agreed; 14 weekly meetings held; minutes on the shared drive."
        },
    ),
    (
        "1.7",
        "Train every children-in-care social worker in life-story work",
        [("ilacs-2023", 2)],
        "tfletcher",
        "hmarsh",
        -200,
        -20,
        S.ON_TRACK,
        80,
        {},
    ),
    (
        "1.8",
        "Build a direct-work resource library and a quarterly practice showcase",
        [("ilacs-2023", 2)],
        "tfletcher",
        "hmarsh",
        14,
        150,
        S.NOT_STARTED,
        0,
        {},
    ),
    (
        "1.9",
        "Align the disabled children's assessment framework with statutory guidance",
        [("ilacs-2023", 3)],
        "mprice",
        "hmarsh",
        -280,
        40,
        S.OFF_TRACK,
        30,
        {
            "baseline": -15,
            "reason": "Consultation with parent carers' forum extended at their request.",
        },
    ),
    (
        "1.10",
        "Start transition planning at 14 for disabled young people",
        [("ilacs-2023", 3)],
        "mprice",
        "dkhan",
        -120,
        200,
        S.ON_TRACK,
        25,
        {},
    ),
    (
        "1.11",
        "Agree a joint housing protocol for 16- and 17-year-olds at risk of homelessness",
        [("ilacs-2023", 1)],
        "eward",
        "dkhan",
        -500,
        -40,
        S.COMPLETE,
        100,
        {
            "evidence": "Protocol signed by housing and children's services; 23 young people supported under it."
        },
    ),
    (
        "1.12",
        "Reduce delay in pre-proceedings with a monthly legal gateway review",
        [("fv-2025", 2)],
        "officer",
        "hmarsh",
        -180,
        -5,
        S.AT_RISK,
        60,
        {},
    ),
    (
        "2.1",
        "Fund eight additional social work posts in the assessment teams",
        [("ilacs-2019", 2)],
        "gokafor",
        "hmarsh",
        -2550,
        -2400,
        S.COMPLETE,
        100,
        {"evidence": "Eight posts filled by December 2019; assessment caseloads down 20%."},
    ),
    (
        "2.2",
        "Weekly caseload review with a caseload dashboard",
        [("ilacs-2019", 2)],
        "gokafor",
        "hmarsh",
        -2400,
        -2000,
        S.COMPLETE,
        100,
        {"evidence": "Average caseload 13 across the service (2022)."},
    ),
    (
        "2.3",
        "Run a social work apprenticeship cohort of four every two years",
        [("ilacs-2019", 2)],
        "gokafor",
        "hmarsh",
        -330,
        400,
        S.ON_TRACK,
        35,
        {},
    ),
    (
        "2.4",
        "Recruit an April cohort of newly qualified social workers",
        [("ilacs-2019", 2)],
        "gokafor",
        "hmarsh",
        -500,
        -200,
        S.COMPLETE,
        100,
        {
            "evidence": "Eleven newly qualified social workers started in April; ASYE programme in place."
        },
    ),
    (
        "2.5",
        "Hold temp-to-perm conversion events every quarter",
        [("ilacs-2019", 2)],
        "gokafor",
        "hmarsh",
        -400,
        30,
        S.ON_TRACK,
        75,
        {},
    ),
    (
        "2.6",
        "Agency glide path: bring agency social workers below 15% of posts",
        [("ilacs-2019", 2)],
        "gokafor",
        "hmarsh",
        -420,
        90,
        S.OFF_TRACK,
        20,
        {
            "baseline": -30,
            "reason": "Agency market tightened; glide path re-profiled with finance and agreed by the board.",
        },
    ),
    (
        "2.7",
        "Stay interviews by the Principal Social Worker team",
        [("ilacs-2019", 2)],
        "nhussain",
        "hmarsh",
        -150,
        10,
        S.ON_TRACK,
        85,
        {},
    ),
    (
        "2.8",
        "European recruitment campaign for experienced social workers",
        [("ilacs-2019", 2)],
        "gokafor",
        "dkhan",
        -260,
        -45,
        S.AT_RISK,
        50,
        {},
    ),
    (
        "2.9",
        "Monthly leadership half-days for practice managers",
        [("ilacs-2023", 4)],
        "nhussain",
        "hmarsh",
        -700,
        -400,
        S.COMPLETE,
        100,
        {"evidence": "Ten sessions delivered; 94% of practice managers attended at least eight."},
    ),
    (
        "3.1",
        "Set up the Improvement Board with an independent chair",
        [("ilacs-2019", 1)],
        "dkhan",
        "hmarsh",
        -2600,
        -2500,
        S.COMPLETE,
        100,
        {"evidence": "Terms of reference agreed; board meets monthly since autumn 2019."},
    ),
    (
        "3.2",
        "Reflective supervision policy with actions and timescales",
        [("ilacs-2023", 4), ("fv-2025", 3)],
        "nhussain",
        "hmarsh",
        -200,
        60,
        S.ON_TRACK,
        70,
        {"baseline": 20, "reason": "Policy to be tested with the staff reference group first."},
    ),
    (
        "3.3",
        "Quarterly thematic audit of management oversight",
        [("ilacs-2023", 4), ("fv-2025", 3)],
        "officer",
        "hmarsh",
        -160,
        -10,
        S.ON_TRACK,
        90,
        {},
    ),
    (
        "3.4",
        "Track children missing from home, care or education with return interviews",
        [("ilacs-2019", 7)],
        "bcarter",
        "dkhan",
        -2450,
        -2100,
        S.COMPLETE,
        100,
        {"evidence": "Return home interviews offered within 72 hours in 91% of episodes."},
    ),
    (
        "3.5",
        "Early help strategy and a new hub management structure",
        [("ilacs-2019", 4)],
        "bcarter",
        "dkhan",
        -2400,
        -1950,
        S.COMPLETE,
        100,
        {"evidence": "Strategy adopted by cabinet; hub managers in post."},
    ),
    (
        "3.6",
        "Senior leaders visit frontline teams every month",
        [("ilacs-2023", 4)],
        "hmarsh",
        "dkhan",
        -300,
        25,
        S.ON_TRACK,
        80,
        {},
    ),
    (
        "3.7",
        "Review the fostering service and plan foster carer recruitment",
        [("ilacs-2019", 10)],
        "tfletcher",
        "dkhan",
        -2300,
        -1700,
        S.COMPLETE,
        100,
        {"evidence": "Fostering review completed; net gain of 12 fostering households in 2021."},
    ),
    (
        "3.8",
        "Open Eden House, a children's home in Medway",
        [("mv-2022-05", 6)],
        "tfletcher",
        "dkhan",
        -420,
        45,
        S.ON_TRACK,
        65,
        {"override": (Rag.AMBER, "Ofsted registration submitted late; opening depends on it.")},
    ),
    (
        "4.1",
        "Auditor training and a moderation panel for audit grades",
        [("ilacs-2019", 1)],
        "nhussain",
        "hmarsh",
        -2500,
        -2300,
        S.COMPLETE,
        100,
        {"evidence": "Moderation panel monthly since October 2019; grade agreement up to 85%."},
    ),
    (
        "4.2",
        "Make the recording system report performance data accurately",
        [("ilacs-2019", 1), ("mv-2022-01", 0)],
        "nhussain",
        "dkhan",
        -1600,
        -500,
        S.COMPLETE,
        100,
        {
            "evidence": "Data validation rules live; monthly reconciliation shows under 1% discrepancy."
        },
    ),
    (
        "4.3",
        "Quality assurance framework that feeds audit learning into practice",
        [("ilacs-2023", 4)],
        "nhussain",
        "hmarsh",
        -230,
        75,
        S.ON_TRACK,
        60,
        {},
    ),
    (
        "4.4",
        "Performance scorecard for the Improvement Board",
        [("ilacs-2023", 4)],
        "nhussain",
        "dkhan",
        -300,
        -60,
        S.COMPLETE,
        100,
        {"evidence": "Scorecard presented monthly since June; board minutes record its use."},
    ),
    (
        "4.5",
        "Thematic audit of disabled children's plans",
        [("ilacs-2023", 3)],
        "mprice",
        "hmarsh",
        -10,
        80,
        S.NOT_STARTED,
        0,
        {},
    ),
    (
        "4.6",
        "Audit pathway plans for trauma-informed practice",
        [("mv-2022-05", 4)],
        "eward",
        "hmarsh",
        -140,
        -3,
        S.AT_RISK,
        70,
        {},
    ),
    (
        "4.7",
        "Practice week each quarter with dip sampling of case files",
        [("ilacs-2023", 2)],
        "nhussain",
        "hmarsh",
        -90,
        5,
        S.ON_TRACK,
        90,
        {},
    ),
    (
        "5.1",
        "Agree a safeguarding threshold document with partners",
        [("ilacs-2019", 4)],
        "dkhan",
        "hmarsh",
        -2300,
        -1900,
        S.COMPLETE,
        100,
        {"evidence": "Threshold document agreed by the safeguarding partnership."},
    ),
    (
        "5.2",
        "Health assessments for children in care within 20 working days",
        [("ilacs-2019", 9), ("mv-2022-01", 0)],
        "tfletcher",
        "dkhan",
        -2200,
        -1400,
        S.COMPLETE,
        100,
        {"evidence": "Timeliness at 89% for the last two quarters (health partner data)."},
    ),
    (
        "5.3",
        "Emotional well-being service for children in care and care leavers",
        [("mv-2022-05", 5), ("ilacs-2019", 9)],
        "officer",
        "dkhan",
        -380,
        -60,
        S.OFF_TRACK,
        35,
        {},
    ),
    (
        "5.4",
        "Care leaver hub and a support offer for care leavers aged 21 plus",
        [("mv-2022-05", 3)],
        "eward",
        "dkhan",
        -900,
        -300,
        S.COMPLETE,
        100,
        {"evidence": "Hub open five days a week; 21-plus offer published."},
    ),
    (
        "5.5",
        "Partnership approach to serious youth violence with the police",
        [("ilacs-2023", 1)],
        "bcarter",
        "dkhan",
        -200,
        100,
        S.ON_TRACK,
        45,
        {},
    ),
    (
        "5.6",
        "Children in care council 'you said, we did' reports",
        [("ilacs-2023", 2)],
        "eward",
        "dkhan",
        -150,
        20,
        S.ON_TRACK,
        70,
        {},
    ),
    (
        "5.7",
        "Close the loop on staff reference group feedback",
        [("ilacs-2019", 2)],
        "gokafor",
        "dkhan",
        30,
        120,
        S.NOT_STARTED,
        0,
        {},
    ),
]

UPDATE_NOTES = [
    "Scoping complete; project group agreed and first meeting held.",
    "Work under way. Milestones for this quarter met.",
    "Progress reviewed at the service management team; risks noted in the log.",
    "Latest position reported to the Improvement Board.",
]


def _covered_area_refs(key: str, order: int):
    """`(inspection, 0)` means: every area that visit covered revisits."""
    if order:
        return [inspections_demo.area(key, order)]
    data = next(d for d in inspections_demo.INSPECTIONS if d["key"] == key)
    return [inspections_demo.area(*revisits) for _, revisits, _ in data["covered"] if revisits]


@transaction.atomic
def load(*, today: dt.date | None = None, **kwargs) -> None:
    """Create or update the plan. Safe to run again: matched on the action reference; the
    progress log and due-date history are only written for actions that have none."""
    today = today or timezone.localdate()
    priorities = {}
    for number, title, description in PRIORITIES:
        priorities[number], _ = Priority.objects.update_or_create(
            number=number, defaults={"title": title, "description": description}
        )
    people = {u.username: u for u in User.objects.all()}
    lead = people["lead"]
    now = timezone.now()

    for ref, title, area_refs, owner, accountable, start, due, status, pct, extra in ACTIONS:
        start_date = today + dt.timedelta(days=start)
        due_date = today + dt.timedelta(days=due)
        baseline = today + dt.timedelta(days=extra.get("baseline", due))
        completed = min(due_date, today) if status == Status.COMPLETE else None
        override, override_reason = extra.get("override", ("", ""))
        action, _ = Action.objects.update_or_create(
            reference=ref,
            defaults={
                "title": title,
                "priority": priorities[int(ref.split(".")[0])],
                "owner": people[owner],
                "accountable": people[accountable],
                "start_date": start_date,
                "baseline_due_date": baseline,
                "due_date": due_date,
                "status": status,
                "percent_complete": pct,
                "completed_date": completed,
                "rag_override": override,
                "rag_override_reason": override_reason,
                "description": f"{title}. Part of priority {ref.split('.')[0]} of the plan.",
            },
        )
        areas = [a for key, order in area_refs for a in _covered_area_refs(key, order)]
        action.areas.set(areas)

        if extra.get("evidence") and not action.evidence.exists():
            Evidence.objects.create(
                action=action,
                note=extra["evidence"],
                added_by=people[owner],
                added_at=_at(completed or today, now),
            )
        if extra.get("reason") and not action.due_date_changes.exists():
            DueDateChange.objects.create(
                action=action,
                old_date=baseline,
                new_date=due_date,
                reason=extra["reason"],
                changed_by=lead,
                changed_at=_at(min(baseline, today) - dt.timedelta(days=7), now),
            )
        if not action.updates.exists():
            _write_history(action, people[owner], start_date, today, now)


def _at(day: dt.date, now: dt.datetime) -> dt.datetime:
    return now.replace(year=day.year, month=day.month, day=day.day, hour=10, minute=0)


def _write_history(action: Action, author: User, start: dt.date, today: dt.date, now) -> None:
    """A few progress updates between the start and today (or completion)."""
    end = min(action.completed_date or today, today)
    if end <= start:
        return
    steps = 3 if (end - start).days > 60 else 2
    status: str
    status, percent = Status.NOT_STARTED, 0
    updates = []
    for i in range(1, steps + 1):
        day = start + (end - start) * i // steps
        last = i == steps
        new_status = action.status if last else Status.ON_TRACK
        new_percent = action.percent_complete if last else action.percent_complete * i // steps
        note = UPDATE_NOTES[min(i - 1, len(UPDATE_NOTES) - 1)]
        if last and action.status == Status.COMPLETE:
            note = "Completed. Evidence recorded."
        updates.append(
            ProgressUpdate(
                action=action,
                author=author,
                created_at=_at(day, now),
                note=note,
                status_before=status,
                status_after=new_status,
                rag_before=_rag(action, status, day),
                rag_after=_rag(action, new_status, day),
                percent_before=percent,
                percent_after=new_percent,
                action_version=1,
            )
        )
        status, percent = new_status, new_percent
    ProgressUpdate.objects.bulk_create(updates)


def _rag(action: Action, status: str, day: dt.date) -> str:
    return (
        rag_for(
            status=status,
            rag_override=action.rag_override,
            start_date=action.start_date,
            due_date=action.due_date,
            on=day,
        )
        or ""
    )
