"""A year of Medway Improvement Board meetings for the demo: monthly meetings on the second
Tuesday, chaired by Alex Morgan (user "chair"), with agenda items about real plan actions
and areas for improvement, decisions (one of which became action 3.9), and challenges in
every state: awaiting an answer (one overdue), answered, pressed further, and accepted.

Safe to run again: meetings are matched on date and title, agenda items and decisions on
their number, challenges on who raised them and their question; threads and the action made
from a decision are written once.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from actions.models import Action, Priority, ProgressUpdate, Rag, Status
from board import services
from board.models import AgendaItem, Challenge, Decision, Meeting
from inspections import demo as inspections_demo

TITLE = "Improvement Board"
LOCATION = "Gun Wharf, Chatham"
MEMBERS = ["chair", "adviser", "cllr", "lead", "hmarsh", "dkhan"]
GUESTS = (
    "Detective Superintendent, Kent Police\n"
    "Designated nurse for safeguarding, NHS Kent and Medway\n"
    "Headteacher representative, Medway Education Partnership"
)

# title, presenter, action references, areas (inspection key, order), what the board said
TOPICS = [
    (
        "Workforce: recruitment, retention and agency staff",
        "Grace Okafor, Workforce development lead",
        ["2.5", "2.6", "2.8"],
        [("ilacs-2019", 2)],
        "Agency social workers are 19% of posts against the 15% glide path. The board asked "
        "for conversion figures from the temp-to-perm events and the European campaign.",
    ),
    (
        "Quality of practice: what audits tell us",
        "Nadia Hussain, Head of quality assurance",
        ["4.3", "4.7"],
        [("ilacs-2023", 4)],
        "68% of audited cases graded good or better after moderation. Members asked how "
        "audit learning reaches frontline teams and how the board will see it.",
    ),
    (
        "Management oversight and supervision",
        "Helen Marsh, Assistant director",
        ["3.2", "3.3"],
        [("ilacs-2023", 4), ("fv-2025", 3)],
        "Supervision within timescale at 81%. The board welcomed the reflective supervision "
        "policy and asked that the staff reference group's views be reported back.",
    ),
    (
        "Children in care: emotional well-being and life-story work",
        "Tom Fletcher, Service manager, children in care",
        ["5.3", "1.7"],
        [("mv-2022-05", 5)],
        "The emotional well-being service is off track: the health commissioning decision "
        "is late. Members were concerned about waiting times for children in care.",
    ),
    (
        "Adolescents at risk outside the home",
        "Ben Carter, Head of early help",
        ["1.5", "1.6", "5.5"],
        [("ilacs-2023", 1)],
        "The exploitation panel meets weekly. The contextual safeguarding assessment is "
        "at risk; the police confirmed analyst time for the joint problem profile.",
    ),
    (
        "Disabled children",
        "Martin Price, Service manager, disabled children",
        ["1.9", "1.10", "4.5"],
        [("ilacs-2023", 3)],
        "The assessment framework has slipped after the parent carers' forum asked for a "
        "longer consultation. The board supported the extension but wants a firm date.",
    ),
    (
        "Care leavers and housing",
        "Ellie Ward, Service manager, leaving care",
        ["1.11", "5.4", "5.6"],
        [("ilacs-2019", 8)],
        "23 young people supported under the joint housing protocol. Members asked to hear "
        "directly from care leavers at a future meeting.",
    ),
]

# months before the latest past meeting (0 = latest), kind, text, about action, about area,
# owner, due (days after the meeting)
DECISIONS = [
    (
        10,
        Decision.Kind.DECISION,
        "Agreed the re-profiled agency glide path for action 2.6, "
        "with a checkpoint at every third meeting.",
        "2.6",
        None,
        None,
        None,
    ),
    (
        8,
        Decision.Kind.COMMITMENT,
        "Helen Marsh to set up a practice learning programme that "
        "takes audit findings to every team each quarter.",
        None,
        ("ilacs-2023", 4),
        "hmarsh",
        120,
    ),
    (
        6,
        Decision.Kind.DECISION,
        "The board will take a deep dive into services for disabled children at its next meeting.",
        None,
        ("ilacs-2023", 3),
        None,
        None,
    ),
    (
        4,
        Decision.Kind.COMMITMENT,
        "Nadia Hussain to add supervision timeliness to the performance scorecard.",
        "4.4",
        None,
        "nhussain",
        30,
    ),
    (
        2,
        Decision.Kind.DECISION,
        "Escalate the delay to the emotional well-being service to "
        "the health and wellbeing board; report back next month.",
        "5.3",
        None,
        None,
        None,
    ),
    (
        1,
        Decision.Kind.COMMITMENT,
        "Grace Okafor to report conversion rates from the temp-to-perm events, by team.",
        "2.5",
        None,
        "gokafor",
        28,
    ),
]
# The commitment that became an action in the plan, and the action's details.
MADE_ACTION: dict[str, Any] = {
    "months_before": 8,
    "reference": "3.9",
    "title": "Practice learning programme: audit findings to every team each quarter",
    "priority": 3,
    "owner": "nhussain",
    "accountable": "hmarsh",
}

# Challenges: (raised by, about ("action", ref) or ("area", (key, order)), question,
# raised (days ago), raised at a meeting (the last one on or before that day) or between
# meetings, the thread: [(days ago, kind, text)] with kind answer / press / accept)
CHALLENGES = [
    (
        "chair",
        ("action", "2.6"),
        "Agency use is still above 15%. What is different about the re-profiled glide path, "
        "and what happens if it slips again?",
        300,
        True,
        [
            (
                293,
                "answer",
                "The new profile is built team by team with finance, and conversion "
                "events run every quarter. If a checkpoint is missed by more than two points the "
                "director reports to the board with options, including market supplements.",
            ),
            (270, "accept", "Thank you: the checkpoints give the board what it needs."),
        ],
    ),
    (
        "adviser",
        ("area", ("ilacs-2023", 4)),
        "Oversight was still inconsistent at the 2025 focused visit. How do you know supervision is "
        "making a difference to children, not just happening on time?",
        215,
        True,
        [
            (
                205,
                "answer",
                "The quarterly thematic audit samples supervision records against "
                "the child's plan. 68% showed supervision driving the plan forward.",
            ),
            (
                180,
                "press",
                "And the other third? What happens with the teams where supervision "
                "is not making a difference?",
            ),
            (
                168,
                "answer",
                "Practice managers for those teams now have monthly observed "
                "supervision with the principal social worker, and the next audit will re-sample "
                "the same teams.",
            ),
            (150, "accept", "Good. Please bring the re-sampled results to the board."),
        ],
    ),
    (
        "cllr",
        ("action", "1.11"),
        "How many 16- and 17-year-olds were placed in bed and breakfast this year?",
        275,
        True,
        [
            (
                268,
                "answer",
                "None since the protocol was signed. Two were placed in emergency "
                "supported accommodation for under a week while assessments were completed.",
            ),
            (260, "accept", ""),
        ],
    ),
    (
        "chair",
        ("action", "5.3"),
        "The emotional well-being service is off track and overdue. What is the new date, "
        "and what are children waiting for it getting now?",
        60,
        True,
        [
            (
                55,
                "answer",
                "Health commissioners have agreed funding; the provider starts in "
                "eight weeks. Meanwhile the children in care nurse triages every referral and the "
                "virtual school funds counselling where the wait is over six weeks.",
            )
        ],
    ),
    (
        "cllr",
        ("action", "1.9"),
        "The framework has slipped twice. Who agreed the new date and is it realistic?",
        40,
        True,
        [
            (
                33,
                "answer",
                "The parent carers' forum and the assistant director agreed it. The "
                "consultation closes next month and the framework goes to the leadership team "
                "the week after.",
            )
        ],
    ),
    (
        "adviser",
        ("action", "2.8"),
        "What has the European campaign cost, and how many social workers has it brought in?",
        95,
        True,
        [
            (
                88,
                "answer",
                "The campaign has cost £41,000 so far and four social workers have "
                "started, with three more in pre-employment checks.",
            ),
            (
                12,
                "press",
                "That is more than £10,000 a starter. How does that compare with "
                "agency costs, and should the campaign continue?",
            ),
        ],
    ),
    (
        "chair",
        ("action", "3.3"),
        "The thematic audit of management oversight is overdue. When will the board see the "
        "findings?",
        50,
        True,
        [
            (
                44,
                "answer",
                "Fieldwork is complete. The report goes to the leadership team next "
                "week and then to the board.",
            ),
            (
                6,
                "press",
                "Please send the findings to members before the next meeting, not after "
                "it, with the themes by team.",
            ),
        ],
    ),
    (
        "chair",
        ("action", "1.5"),
        "Contextual safeguarding is at risk at 40%. What will bring it back on track before "
        "the due date?",
        4,
        False,
        [],
    ),
    (
        "adviser",
        ("area", ("ilacs-2023", 3)),
        "What are disabled children and their families telling you about the new assessment "
        "approach?",
        24,
        True,
        [],
    ),
    (
        "cllr",
        ("action", "1.12"),
        "How many families are waiting for the legal gateway, and for how long?",
        2,
        False,
        [],
    ),
]


def second_tuesday(year: int, month: int) -> dt.date:
    first = dt.date(year, month, 1)
    first_tuesday = first + dt.timedelta(days=(1 - first.weekday()) % 7)
    return first_tuesday + dt.timedelta(days=7)


def meeting_dates(today: dt.date) -> list[dt.date]:
    """Thirteen months of second Tuesdays: a year up to this month and next month's."""
    dates = []
    for offset in range(-11, 2):
        month_index = today.year * 12 + today.month - 1 + offset
        dates.append(second_tuesday(month_index // 12, month_index % 12 + 1))
    return dates


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


@transaction.atomic
def load(*, today: dt.date | None = None, **kwargs) -> None:
    today = today or timezone.localdate()
    people = {u.username: u for u in User.objects.filter(is_active=True)}
    actions = {a.reference: a for a in Action.objects.all()}

    past: list[Meeting] = []
    for index, date in enumerate(meeting_dates(today)):
        meeting, _ = Meeting.objects.update_or_create(
            date=date,
            title=TITLE,
            defaults={
                "location": LOCATION,
                "other_attendees": GUESTS,
                "other_apologies": "Chair, Medway Safeguarding Children Partnership"
                if index % 4 == 1
                else "",
                "board_pack_reference": f"Improvement Board pack, {date:%B %Y}",
            },
        )
        topics = [TOPICS[index % len(TOPICS)], TOPICS[(index + 3) % len(TOPICS)]]
        _agenda(meeting, topics, actions, today)
        if date <= today:
            absent = ["cllr", "adviser", "dkhan"][index % 3] if index % 2 else None
            _attendance(meeting, people, absent)
            meeting.minutes = _minutes(meeting, topics)
            meeting.save(update_fields=["minutes"])
            past.append(meeting)
    past.sort(key=lambda m: m.date, reverse=True)  # past[0] is the latest meeting

    _decisions(past, people, actions)
    _challenges(past, people, actions, today)


def _agenda(meeting: Meeting, topics: list[tuple], actions: dict[str, Action], today) -> None:
    items = [
        (
            "Apologies, minutes of the last meeting and the actions log",
            "Alex Morgan, chair",
            [],
            [],
            "Minutes agreed as a true record.",
        ),
        ("Chair's update", "Alex Morgan, chair", [], [], ""),
        *topics,
        (
            "Performance scorecard",
            "Nadia Hussain, Head of quality assurance",
            ["4.4"],
            [],
            "The board reviewed the scorecard and the trend in caseloads and timeliness.",
        ),
    ]
    for order, (title, presenter, refs, areas, notes) in enumerate(items, start=1):
        item, _ = AgendaItem.objects.update_or_create(
            meeting=meeting,
            order=order,
            defaults={
                "title": title,
                "presenter": presenter,
                "notes": notes if meeting.date <= today else "",
            },
        )
        item.actions.set([actions[ref] for ref in refs if ref in actions])
        item.areas.set([inspections_demo.area(*key) for key in areas])


def _attendance(meeting: Meeting, people: dict[str, User], absent: str | None) -> None:
    present = [people[u] for u in MEMBERS if u in people and u != absent]
    apologies = [people[absent]] if absent in people else []
    for person in present:
        meeting.attendance.update_or_create(person=person, defaults={"status": "present"})
    for person in apologies:
        meeting.attendance.update_or_create(person=person, defaults={"status": "apologies"})


def _minutes(meeting: Meeting, topics: list[tuple]) -> str:
    lines = [
        f"The {TITLE} met at {LOCATION} on {meeting.date:%-d %B %Y}, chaired by Alex Morgan.",
        f"The board considered the {meeting.board_pack_reference}.",
    ]
    for title, presenter, _, _, notes in topics:
        lines.append(f"{title} ({presenter}): {notes}")
    return "\n\n".join(lines)


def _decisions(past: list[Meeting], people: dict[str, User], actions: dict[str, Action]):
    for months, kind, text, ref, area_key, owner, due in DECISIONS:
        if months >= len(past):
            continue
        meeting = past[months]
        decision, _ = Decision.objects.update_or_create(
            meeting=meeting,
            order=1,
            defaults={
                "kind": kind,
                "text": text,
                "action": actions.get(ref) if ref else None,
                "area": inspections_demo.area(*area_key) if area_key else None,
                "owner": people.get(owner) if owner else None,
                "due_date": meeting.date + dt.timedelta(days=due) if due else None,
            },
        )
        if months == MADE_ACTION["months_before"] and not decision.resulting_action_id:
            _make_action(decision, people)


def _make_action(decision: Decision, people: dict[str, User]) -> None:
    spec = MADE_ACTION
    start = decision.meeting.date + dt.timedelta(days=14)
    existing = Action.objects.filter(reference=spec["reference"]).first()
    if existing is not None:
        decision.resulting_action = existing
        decision.save(update_fields=["resulting_action"])
        return
    action = services.decision_make_action(
        user=people["lead"],
        pk=decision.pk,
        reference=spec["reference"],
        title=spec["title"],
        priority=Priority.objects.get(number=spec["priority"]),
        owner=people[spec["owner"]],
        accountable=people[spec["accountable"]],
        start_date=start,
        due_date=decision.due_date,
        description=f"Agreed by the Improvement Board on {decision.meeting.date:%-d %B %Y}: "
        f"{decision.text}",
        areas=[decision.area] if decision.area else [],
    )
    # Under way since: one progress update, as the plan's own demo history does.
    action.status, action.percent_complete = Status.ON_TRACK, 40
    action.save(update_fields=["status", "percent_complete"])
    ProgressUpdate.objects.create(
        action=action,
        author=people[spec["owner"]],
        created_at=_at(start + dt.timedelta(days=30)),
        note="Programme designed with the principal social worker; first sessions held.",
        status_before=Status.NOT_STARTED,
        status_after=Status.ON_TRACK,
        rag_before=Rag.GREEN,
        rag_after=Rag.GREEN,
        percent_before=0,
        percent_after=40,
        action_version=1,
    )


def _challenges(past, people, actions, today: dt.date) -> None:
    for username, (kind, key), question, days_ago, at_meeting, thread in CHALLENGES:
        raiser = people[username]
        if Challenge.objects.filter(raised_by=raiser, question=question).exists():
            continue
        target = actions[key] if kind == "action" else inspections_demo.area(*key)  # type: ignore[arg-type]  # (inspection, order)
        day = today - dt.timedelta(days=days_ago)
        meeting = next((m for m in past if m.date <= day), None) if at_meeting else None
        raised = _at(meeting.date if meeting else day, 11)
        challenge = services.challenge_raise(
            user=raiser, target=target, question=question, meeting=meeting, now=raised
        )
        for ago, step, text in thread:
            now = _at(today - dt.timedelta(days=ago), 15)
            if step == "answer":
                services.challenge_answer(
                    user=challenge.assigned_to, pk=challenge.pk, text=text, now=now
                )
            elif step == "press":
                services.challenge_press(user=raiser, pk=challenge.pk, text=text, now=now)
            else:
                services.challenge_accept(user=raiser, pk=challenge.pk, comment=text, now=now)
