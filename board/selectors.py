"""Reads across the board's records and the plan, and what other apps take from the board.

Called from elsewhere:
- `open_challenges_for(user)`: the reminder digest (reminders app) and "My actions".
- `challenges_for_pack(since, until)`: the board pack (boardpacks app), with the
  print-friendly include `templates/board/includes/pack_section.html`.
- `seen_by_board(target)`: the "Seen by the board" section of action, area, indicator
  and risk pages.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

from django.conf import settings
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import dateformat, timezone

from actions.models import Action
from board.models import (
    ANSWER_WITHIN_DAYS,
    AgendaItem,
    Challenge,
    ChallengeMessage,
    Decision,
    Meeting,
)
from inspections.models import AreaForImprovement
from kpis.models import Indicator
from risks.models import Risk

# What a challenge can be raised about, as it appears in URLs, and what pages call it.
# The kinds are the field names in board/models.py TARGET_FIELDS.
TARGET_KINDS = {
    "action": Action,
    "area": AreaForImprovement,
    "indicator": Indicator,
    "risk": Risk,
}
TARGET_NOUNS = {
    "action": "action",
    "area": "area for improvement",
    "indicator": "indicator",
    "risk": "risk",
}


def target_for(kind: str, pk: int):
    """The action, area, indicator or risk a challenge URL names (404 if there is none)."""
    model = TARGET_KINDS.get(kind)
    if model is None:
        raise Http404("Challenges cannot be raised about that.")
    return get_object_or_404(model, pk=pk)


def target_kind(target) -> str:
    return next(kind for kind, model in TARGET_KINDS.items() if isinstance(target, model))


# --- Challenges for a person ----------------------------------------------------------


def open_challenges_for(user) -> QuerySet[Challenge]:
    """Challenges waiting for `user` to answer (open, or pressed further), the one due
    soonest first. Each has `question`, `raised_by`, `raised_at`, `answer_due`,
    `is_overdue()`, `target`, `target_label` and `get_absolute_url()`."""
    return (
        Challenge.objects.awaiting_answer_from(user)
        .for_list()
        .order_by("answer_due", "raised_at", "pk")
    )


def answers_to_review_for(user) -> QuerySet[Challenge]:
    """Answers to challenges `user` raised, waiting for them to accept or press further."""
    return Challenge.objects.awaiting_review_by(user).for_list().order_by("answered_at", "pk")


DASHBOARD_SIZE = 10


def board_dashboard() -> dict:
    """Live challenges for the dashboard: counts by state and the longest-waiting few."""
    live = Challenge.objects.live()
    counts = Counter(live.order_by().values_list("state", flat=True))
    today = timezone.localdate()
    return {
        "challenges": list(live.for_list().order_by("answer_due", "pk")[:DASHBOARD_SIZE]),
        "awaiting_answer": counts[Challenge.State.OPEN] + counts[Challenge.State.PRESSED],
        "awaiting_board": counts[Challenge.State.ANSWERED],
        "overdue": live.awaiting_answer().filter(answer_due__lt=today).count(),
        "total": sum(counts.values()),
        "today": today,
    }


def challenges_about(target) -> list[Challenge]:
    """Every challenge about an action, area, indicator or risk with its thread: live
    ones first."""
    messages = ChallengeMessage.objects.select_related("author")
    challenges = (
        Challenge.objects.about(target)
        .for_list()
        .select_related("action__owner")
        .prefetch_related(Prefetch("messages", queryset=messages))
    )
    return sorted(challenges, key=lambda c: (c.is_closed, -c.raised_at.timestamp()))


# --- Seen by the board ----------------------------------------------------------------


def seen_by_board(target) -> list[dict]:
    """The meetings at which the board looked at an action, an area for improvement, an
    indicator or a risk, newest first, each with the agenda items, decisions and
    challenges about it. For an area, things said about its actions count too (`via`
    names the action).

    Each entry: {"meeting", "items", "decisions", "challenges"}. The meeting's board pack
    is `meeting.board_pack_reference` (a foreign key to boardpacks at merge)."""
    if isinstance(target, Action):
        items = AgendaItem.objects.filter(actions=target)
        decisions = Decision.objects.filter(Q(action=target) | Q(resulting_action=target))
        challenges = Challenge.objects.filter(action=target)
    elif isinstance(target, AreaForImprovement):
        area_actions = Action.objects.filter(areas=target)
        direct = AgendaItem.areas.through.objects.filter(
            agendaitem_id=OuterRef("pk"), areaforimprovement_id=target.pk
        )
        items = (
            AgendaItem.objects.filter(Q(areas=target) | Q(actions__areas=target))
            .annotate(direct=Exists(direct))
            .prefetch_related(
                Prefetch(
                    "actions",
                    queryset=area_actions.order_by("reference"),
                    to_attr="via",
                )
            )
        )
        decisions = Decision.objects.filter(
            Q(area=target) | Q(action__areas=target) | Q(resulting_action__areas=target)
        ).select_related("action")
        challenges = Challenge.objects.filter(Q(area=target) | Q(action__areas=target))
    elif isinstance(target, Indicator):
        items = AgendaItem.objects.filter(indicators=target)
        decisions = Decision.objects.filter(indicator=target)
        challenges = Challenge.objects.filter(indicator=target)
    elif isinstance(target, Risk):
        items = AgendaItem.objects.filter(risks=target)
        decisions = Decision.objects.filter(risk=target)
        challenges = Challenge.objects.filter(risk=target)
    else:
        raise TypeError(f"Nothing is recorded about a {type(target).__name__}.")

    meetings: dict[int, dict] = {}

    def entry(meeting: Meeting) -> dict:
        return meetings.setdefault(
            meeting.pk, {"meeting": meeting, "items": [], "decisions": [], "challenges": []}
        )

    for item in items.distinct().select_related("meeting").order_by("order"):
        entry(item.meeting)["items"].append(item)
    for decision in decisions.distinct().select_related("meeting").order_by("order"):
        entry(decision.meeting)["decisions"].append(decision)
    for challenge in (
        challenges.filter(meeting__isnull=False)
        .distinct()
        .select_related("meeting", "raised_by", "action")
        .order_by("raised_at")
    ):
        entry(challenge.meeting)["challenges"].append(challenge)  # type: ignore[arg-type]  # has one
    return sorted(
        meetings.values(), key=lambda e: (e["meeting"].date, e["meeting"].pk), reverse=True
    )


# --- The board pack -------------------------------------------------------------------


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _display(value: dt.date | dt.datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value)
        return dateformat.format(value, "j F Y, H:i")
    return dateformat.format(value, "j F Y")


def _iso(value: dt.date | dt.datetime | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).isoformat()
    return value.isoformat()


def _about(challenge: Challenge) -> dict:
    target = challenge.target
    kind = target_kind(target)
    noun = TARGET_NOUNS[kind].capitalize()
    if isinstance(target, (Action, Risk)):
        reference, title = target.reference, target.title
        label = f"{noun} {reference}: {title}"
    else:
        reference = ""
        title = target.label if isinstance(target, AreaForImprovement) else str(target)
        label = f"{noun}: {title}"
    return {
        "kind": kind,
        "reference": reference,
        "title": title,
        "label": label,
        "url": settings.SITE_URL + target.get_absolute_url(),
    }


def challenge_as_dict(challenge: Challenge, *, until: dt.datetime | None = None) -> dict:
    """A challenge as plain data (strings, numbers, booleans, lists, dicts), as it stood
    at `until` (default: now). Dates are ISO strings, with `_display` twins for people."""
    thread = [m for m in challenge.messages.all() if until is None or m.created_at < until]
    state = Challenge.state_after(m.kind for m in thread)
    answers = [m for m in thread if m.kind == ChallengeMessage.Kind.ANSWER]
    accepted = next((m for m in thread if m.kind == ChallengeMessage.Kind.ACCEPT), None)
    on = timezone.localdate(until) if until else timezone.localdate()
    presses = [m for m in thread if m.kind == ChallengeMessage.Kind.PRESS]
    # The answer-by date restarts when the member presses further.
    due = challenge.answer_due
    if state in Challenge.State.awaiting_answer() and until is not None:
        asked = presses[-1].created_at if presses else challenge.raised_at
        due = timezone.localdate(asked) + dt.timedelta(days=ANSWER_WITHIN_DAYS)
    return {
        "id": challenge.pk,
        "url": settings.SITE_URL + challenge.get_absolute_url(),
        "about": _about(challenge),
        "question": challenge.question,
        "raised_by": challenge.raised_by.display_name,
        "raised_on": _iso(timezone.localdate(challenge.raised_at)),
        "raised_on_display": _display(timezone.localdate(challenge.raised_at)),
        "meeting": (
            {
                "title": challenge.meeting.title,
                "date": _iso(challenge.meeting.date),
                "date_display": _display(challenge.meeting.date),
            }
            if challenge.meeting
            else None
        ),
        "assigned_to": challenge.assigned_to.display_name,
        "state": state,
        "state_label": Challenge.State(state).label,
        "answer_due": _iso(due),
        "answer_due_display": _display(due),
        "overdue": state in Challenge.State.awaiting_answer() and due < on,
        "times_pressed": len(presses),
        "latest_press": presses[-1].text if presses else "",
        "latest_answer": answers[-1].text if answers else "",
        "latest_answer_by": answers[-1].author.display_name if answers else "",
        "outcome": accepted.text if accepted else "",
        "closed_on": _iso(timezone.localdate(accepted.created_at)) if accepted else None,
        "closed_on_display": _display(timezone.localdate(accepted.created_at)) if accepted else "",
        "thread": [
            {
                "kind": m.kind,
                "kind_label": m.get_kind_display(),
                "author": m.author.display_name,
                "at": _iso(m.created_at),
                "at_display": _display(m.created_at),
                "text": m.text,
            }
            for m in thread
        ],
    }


def challenges_for_pack(since: dt.date, until: dt.date) -> dict:
    """The board's challenges for a pack covering `since` to `until` (both inclusive),
    as plain serialisable data, each challenge as it stood at the end of `until`:

    - "awaiting_answer": still waiting for an officer's answer (open or pressed further);
    - "awaiting_board": answered, waiting for the member to accept or press further;
    - "closed": answers accepted during the period;
    - "counts": {"raised", "awaiting_answer", "awaiting_board", "closed", "overdue"}.

    Challenges accepted before `since` are left out. Render with
    `{% include "board/includes/pack_section.html" with challenges=... %}`."""
    if until < since:
        raise ValueError("The pack period ends before it starts.")
    start, end = _start_of(since), _start_of(until + dt.timedelta(days=1))
    messages = ChallengeMessage.objects.select_related("author").order_by("created_at", "pk")
    challenges = (
        Challenge.objects.filter(raised_at__lt=end)
        .filter(Q(closed_at__isnull=True) | Q(closed_at__gte=start))
        .for_list()
        .prefetch_related(Prefetch("messages", queryset=messages))
        .order_by("raised_at", "pk")
    )
    groups: dict[str, list[dict]] = {"awaiting_answer": [], "awaiting_board": [], "closed": []}
    raised = 0
    for challenge in challenges:
        data = challenge_as_dict(challenge, until=end)
        data["new"] = start <= challenge.raised_at < end
        raised += data["new"]
        if data["state"] == Challenge.State.ACCEPTED:
            if data["closed_on"] and data["closed_on"] >= since.isoformat():
                groups["closed"].append(data)
        elif data["state"] == Challenge.State.ANSWERED:
            groups["awaiting_board"].append(data)
        else:
            groups["awaiting_answer"].append(data)
    return {
        "since": since.isoformat(),
        "until": until.isoformat(),
        "since_display": _display(since),
        "until_display": _display(until),
        "counts": {
            "raised": raised,
            "awaiting_answer": len(groups["awaiting_answer"]),
            "awaiting_board": len(groups["awaiting_board"]),
            "closed": len(groups["closed"]),
            "overdue": sum(c["overdue"] for c in groups["awaiting_answer"]),
        },
        **groups,
    }
