"""Stage 1 of the board pack: gather the data. The one selector that reads across
inspections and the plan for the pack.

`board_pack_context()` returns plain, JSON-serialisable data (strings, numbers, lists,
dicts; dates as ISO strings). It is frozen on the `BoardPack` record, the HTML and PDF are
rendered from it, and next month's "what changed" is computed against it. It runs a fixed
number of queries whatever the size of the plan (a test holds it to that).

Extension point: the pack's optional sections (KPIs, the risk register) read their own
top-level keys, `kpis` and `risks`. To add one, gather its data in a function here, put it
under its key in `board_pack_context()` only when there is something to show, and register
its template in `boardpacks.rendering.SECTIONS`. An absent or empty key means no heading.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict

from django.conf import settings
from django.db.models import Prefetch
from django.utils import timezone

from actions.models import Action, DueDateChange, Evidence, Priority, ProgressUpdate, Rag, Status
from board.models import Meeting
from board.selectors import challenges_for_pack
from inspections.models import AreaForImprovement, Grade, Inspection, Judgement, JudgementArea
from kpis.selectors import pack_section_context as kpi_section
from risks.selectors import pack_section_context as risk_section

SCHEMA = 1

OVERALL_RAG_RULE = (
    "Of the open actions: red if a quarter or more are red; amber if any are red or a "
    "quarter or more are amber; green otherwise."
)


def overall_rag(rag_counts: dict[str, int]) -> str | None:
    """The plan's overall RAG from the counts of open actions (OVERALL_RAG_RULE)."""
    red, amber, green = (rag_counts.get(k, 0) for k in (Rag.RED, Rag.AMBER, Rag.GREEN))
    rated = red + amber + green
    if not rated:
        return None
    if red * 4 >= rated:
        return Rag.RED.value
    if red or amber * 4 >= rated:
        return Rag.AMBER.value
    return Rag.GREEN.value


def usual_meeting_day(month: dt.date) -> dt.date:
    """BOARD_MEETING_DAY of the month, or the Monday after if that falls at a weekend: the
    meeting date when the Board's calendar has none that month."""
    day = month.replace(day=settings.BOARD_MEETING_DAY)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


def meeting_date_for(month: dt.date) -> dt.date:
    """The month's board meeting: the first one recorded in the Board's calendar (board
    app) that month, otherwise the usual day (`usual_meeting_day`)."""
    month = month.replace(day=1)
    recorded = (
        Meeting.objects.filter(date__gte=month, date__lt=next_month(month))
        .order_by("date")
        .values_list("date", flat=True)
        .first()
    )
    return recorded or usual_meeting_day(month)


def next_meeting_after(meeting_date: dt.date, *, month: dt.date) -> dt.date:
    """The meeting after this pack's: the next one in the Board's calendar up to the end of
    the following month, otherwise the usual day of the following month."""
    following = next_month(month.replace(day=1))
    recorded = (
        Meeting.objects.filter(date__gt=meeting_date, date__lt=next_month(following))
        .order_by("date")
        .values_list("date", flat=True)
        .first()
    )
    return recorded or usual_meeting_day(following)


def next_month(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def board_pack_context(
    *,
    month: dt.date,
    meeting_date: dt.date,
    as_of: dt.date,
    version: int = 1,
    previous: dict | None = None,
) -> dict:
    """Everything the pack shows, as plain data. `as_of` is the day the figures are for
    (RAG, overdue); `previous` is the frozen data of the pack the board last saw."""
    month = month.replace(day=1)
    next_meeting = next_meeting_after(meeting_date, month=month)
    actions = _actions(as_of)
    by_ref = {a["reference"]: a for a in actions}
    open_actions = [a for a in actions if a["is_open"]]
    rag_counts = Counter(a["rag"] for a in open_actions if a["rag"])
    all_rag_counts = Counter(a["rag"] for a in actions if a["rag"])
    status_counts = Counter(a["status"] for a in actions)
    overall = overall_rag(rag_counts)

    data = {
        "schema": SCHEMA,
        "council": settings.COUNCIL_NAME,
        "board": settings.BOARD_NAME,
        "site_url": settings.SITE_URL,
        "month": month.isoformat(),
        "meeting_date": meeting_date.isoformat(),
        "next_meeting_date": next_meeting.isoformat(),
        "as_of": as_of.isoformat(),
        "gathered_at": timezone.now().isoformat(),
        "version": version,
        "judgements": _judgements(),
        "plan": {
            "total": len(actions),
            "open": len(open_actions),
            "rag_counts": {rag: all_rag_counts.get(rag, 0) for rag in Rag.values},
            "open_rag_counts": {rag: rag_counts.get(rag, 0) for rag in Rag.values},
            "overall_rag": overall,
            "overall_rag_label": Rag(overall).label if overall else "Not rated",
            "overall_rag_rule": OVERALL_RAG_RULE,
            "status_counts": [
                {"key": key, "label": label, "count": status_counts.get(key, 0)}
                for key, label in Status.choices
            ],
        },
        "priorities": _priorities(actions),
        "areas": _areas(actions),
        "overdue": [
            a["reference"]
            for a in sorted(open_actions, key=lambda a: (-a["days_overdue"], a["sort"]))
            if a["days_overdue"] > 0
        ],
        "due_soon": [
            a["reference"]
            for a in sorted(open_actions, key=lambda a: (a["due_date"], a["sort"]))
            if as_of.isoformat() <= a["due_date"] <= next_meeting.isoformat()
        ],
        "changes": _changes(by_ref, previous),
        "actions": actions,
    }
    data |= _optional_sections(as_of=as_of, month=month, previous=previous)
    for action in actions:
        del action["sort"]
    return data


def _optional_sections(*, as_of: dt.date, month: dt.date, previous: dict | None) -> dict:
    """The board's challenges since the last pack, the indicators and the risk register:
    each only when there is something to show (an absent key prints no heading)."""
    since = (
        dt.date.fromisoformat(previous["as_of"]) + dt.timedelta(days=1)
        if previous and previous.get("as_of")
        else (month - dt.timedelta(days=1)).replace(day=1)
    )
    sections = {}
    challenges = challenges_for_pack(min(since, as_of), as_of)
    if any(challenges["counts"].values()):
        sections["challenges"] = challenges
    kpis = kpi_section(on=as_of)
    if kpis.get("indicators"):
        sections["kpis"] = kpis
    risks = risk_section(on=as_of)
    if risks.get("risks"):
        sections["risks"] = risks
    return sections


# --- The parts -------------------------------------------------------------------------


def _judgements() -> dict:
    """Every graded inspection as a column, every judged area as a row, and per current
    area its latest grade against its first."""
    inspections = list(Inspection.objects.graded().order_by("start_date", "pk"))
    judgements = Judgement.objects.filter(inspection__in=inspections)
    grades = {(j.inspection_id, j.area_id): j.grade for j in judgements}
    areas = list(JudgementArea.objects.all())
    rows, latest = [], []
    for area in areas:
        cells = [grades.get((i.pk, area.pk)) for i in inspections]
        judged = [(i, g) for i, g in zip(inspections, cells, strict=True) if g]
        if not judged:
            continue
        rows.append({"area": area.short_name, "grades": cells})
        if area.retired_on is None:
            (first_i, first_g), (last_i, last_g) = judged[0], judged[-1]
            latest.append(
                {
                    "area": area.short_name,
                    "is_overall": area.is_overall,
                    "grade": last_g,
                    "grade_label": Grade(last_g).label,
                    "date": last_i.start_date.isoformat(),
                    "first_grade": first_g,
                    "first_grade_label": Grade(first_g).label,
                    "first_date": first_i.start_date.isoformat(),
                    "judged_times": len(judged),
                    "trend": _trend(first_g, last_g, len(judged)),
                }
            )
    return {
        "inspections": [
            {"date": i.start_date.isoformat(), "kind": i.get_kind_display()} for i in inspections
        ],
        "rows": rows,
        "latest": latest,
        "grade_labels": {str(value): label for value, label in Grade.choices},
    }


def _trend(first: int, last: int, times: int) -> str:
    if times == 1:
        return "first"
    if last < first:
        return "improved"
    if last > first:
        return "declined"
    return "same"


def _actions(as_of: dt.date) -> list[dict]:
    """The whole plan, one dict per action, in plan order."""
    queryset = (
        Action.objects.with_rag(on=as_of)
        .select_related("priority", "owner", "accountable")
        .prefetch_related(Prefetch("areas", to_attr="area_list"))
        .order_by("priority__number", "reference")
    )
    latest = {
        u.action_id: u
        for u in ProgressUpdate.objects.order_by("action_id", "-created_at", "-pk")
        .distinct("action_id")
        .select_related("author")
    }
    actions = []
    for sort, action in enumerate(queryset):
        update = latest.get(action.pk)
        rag = action.current_rag
        actions.append(
            {
                "sort": sort,
                "reference": action.reference,
                "title": action.title,
                "path": action.get_absolute_url(),
                "priority": action.priority.number,
                "owner": action.owner.display_name,
                "accountable": action.accountable.display_name,
                "start_date": action.start_date.isoformat(),
                "baseline_due_date": action.baseline_due_date.isoformat(),
                "due_date": action.due_date.isoformat(),
                "status": action.status,
                "status_label": action.get_status_display(),
                "is_open": action.is_open,
                "rag": rag,
                "rag_label": Rag(rag).label if rag else "Not rated",
                "percent_complete": action.percent_complete,
                "completed_date": action.completed_date.isoformat()
                if action.completed_date
                else None,
                "days_overdue": action.days_overdue(as_of),
                "area_ids": [area.pk for area in action.area_list],
                "latest_update": {
                    "date": timezone.localtime(update.created_at).date().isoformat(),
                    "author": update.author.display_name,
                    "note": update.note,
                }
                if update
                else None,
            }
        )
    return actions


def _priorities(actions: list[dict]) -> list[dict]:
    by_priority = defaultdict(list)
    for action in actions:
        by_priority[action["priority"]].append(action)
    result = []
    for priority in Priority.objects.all():
        mine = by_priority.get(priority.number, [])
        counts = Counter(a["rag"] for a in mine if a["rag"])
        rated = [a for a in mine if a["status"] != Status.CANCELLED]
        result.append(
            {
                "number": priority.number,
                "title": priority.title,
                "rag_counts": {rag: counts.get(rag, 0) for rag in Rag.values},
                "actions": [a["reference"] for a in mine],
                "open": sum(1 for a in mine if a["is_open"]),
                "percent_complete": round(sum(a["percent_complete"] for a in rated) / len(rated))
                if rated
                else 0,
            }
        )
    return result


def _areas(actions: list[dict]) -> list[dict]:
    """The areas for improvement the plan answers now, each with its actions; an area
    with no open action is flagged."""
    by_area = defaultdict(list)
    for action in actions:
        for area_id in action["area_ids"]:
            by_area[area_id].append(action)
    result = []
    for area in AreaForImprovement.objects.current().order_by("inspection__start_date", "order"):
        mine = by_area.get(area.pk, [])
        result.append(
            {
                "id": area.pk,
                "label": area.label,
                "text": area.text,
                "inspection": f"{area.inspection.get_kind_display()}, "
                f"{area.inspection.start_date:%B %Y}",
                "is_priority_action": area.is_priority_action,
                "actions": [a["reference"] for a in mine],
                "live": any(a["is_open"] for a in mine),
            }
        )
    return result


def _changes(by_ref: dict[str, dict], previous: dict | None) -> dict:
    """What changed since the pack the board last saw, from that pack's frozen data."""
    if not previous:
        return {"since": None}
    before = {a["reference"]: a for a in previous.get("actions", [])}
    newly_overdue, moved, rag_changes, completed, new = [], [], [], [], []
    for ref, now in by_ref.items():
        then = before.get(ref)
        if then is None:
            new.append(ref)
            continue
        if now["days_overdue"] > 0 and not then.get("days_overdue"):
            newly_overdue.append(ref)
        if now["due_date"] != then.get("due_date"):
            moved.append({"reference": ref, "from": then.get("due_date"), "to": now["due_date"]})
        if now["status"] == Status.COMPLETE and then.get("status") != Status.COMPLETE:
            completed.append(ref)
        elif now["rag"] != then.get("rag"):
            rag_changes.append({"reference": ref, "from": then.get("rag"), "to": now["rag"]})

    # The reasons for moved dates and the evidence for completions come from their
    # append-only records, limited to what was recorded since the last pack was gathered.
    since = dt.datetime.fromisoformat(previous["gathered_at"])
    reasons = defaultdict(list)
    if moved:
        changes = DueDateChange.objects.filter(
            action__reference__in=[m["reference"] for m in moved], changed_at__gt=since
        ).select_related("action", "changed_by")
        for change in changes.order_by("changed_at", "pk"):
            reasons[change.action.reference].append(
                {
                    "date": timezone.localtime(change.changed_at).date().isoformat(),
                    "from": change.old_date.isoformat(),
                    "to": change.new_date.isoformat(),
                    "reason": change.reason,
                    "by": change.changed_by.display_name,
                }
            )
    for move in moved:
        move["reasons"] = reasons.get(move["reference"], [])

    evidence = defaultdict(list)
    if completed:
        for item in (
            Evidence.objects.filter(action__reference__in=completed)
            .select_related("action")
            .order_by("added_at", "pk")
        ):
            evidence[item.action.reference].append(
                {
                    "note": item.note,
                    "url": item.url,
                    "file": (item.file.name or "").rsplit("/", 1)[-1],
                    "date": timezone.localtime(item.added_at).date().isoformat(),
                }
            )
    gone = sorted(set(before) - set(by_ref))
    return {
        "since": {
            "month": previous.get("month"),
            "version": previous.get("version"),
            "as_of": previous.get("as_of"),
            "gathered_at": previous["gathered_at"],
        },
        "newly_overdue": newly_overdue,
        "due_date_moves": moved,
        "rag_changes": rag_changes,
        "completed": [{"reference": ref, "evidence": evidence.get(ref, [])} for ref in completed],
        "new_actions": new,
        "removed_actions": [
            {"reference": ref, "title": before[ref].get("title", "")} for ref in gone
        ],
    }
