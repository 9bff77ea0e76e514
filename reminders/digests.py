"""Who gets what: every digest, escalation and weekly summary for a day, as plain data.

`reminders_for_day(on=...)` works them out in a constant number of queries (settings, people,
actions, board challenges awaiting an answer, risks past their review date), whatever the size
of the plan. `reminder_digest` works out, afresh, the one email a planned Reminder row stands
for (so an action completed at 06:59 is not in the 07:00 email). Nothing here writes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, User
from actions.models import Action, Rag
from board.models import Challenge
from reminders.models import Frequency, Kind, Reminder, ReminderSettings, is_paused
from reminders.working_days import is_working_day, week_start
from risks.models import Risk

# How many overdue actions a weekly summary lists before pointing to the full list.
SUMMARY_LIST_LIMIT = 100


@dataclass(frozen=True, slots=True)
class DigestLine:
    """One action as a reminder shows it."""

    action_id: int
    reference: str
    title: str
    priority: int
    due_date: dt.date
    rag: str | None
    days_overdue: int  # 0 if not overdue
    owner_name: str

    @property
    def url(self) -> str:
        return settings.SITE_URL + reverse("actions:action_detail", args=[self.action_id])

    @property
    def rag_label(self) -> str:
        return Rag(self.rag).label if self.rag else "Not rated"

    @property
    def days_overdue_text(self) -> str:
        return f"{self.days_overdue} day{'s' if self.days_overdue != 1 else ''} overdue"


@dataclass(frozen=True, slots=True)
class OtherLine:
    """Something else waiting for the recipient: a board challenge to answer, or a risk
    whose review date has passed."""

    label: str
    detail: str
    due: dt.date
    path: str

    @property
    def url(self) -> str:
        return settings.SITE_URL + self.path


@dataclass(frozen=True, slots=True)
class Person:
    id: int
    name: str
    email: str
    frequency: str
    paused: bool
    back_on: dt.date | None
    is_lead: bool

    def paused_on(self, day: dt.date) -> bool:
        return is_paused(self.paused, self.back_on, day)


@dataclass
class Digest:
    """One email to one person: their overdue and due-soon actions, an escalation, or the
    weekly summary. `date` is the Reminder key (the Monday for weekly kinds); `on` is the day
    the figures are worked out for."""

    kind: str
    date: dt.date
    on: dt.date
    recipient: Person
    due_within_days: int
    escalate_after_days: int
    overdue: list[DigestLine] = field(default_factory=list)
    due_soon: list[DigestLine] = field(default_factory=list)
    overdue_total: int = 0
    challenges: list[OtherLine] = field(default_factory=list)  # board challenges to answer
    risk_reviews: list[OtherLine] = field(default_factory=list)  # reviews past their date

    @property
    def action_count(self) -> int:
        return len(self.overdue) + len(self.due_soon)

    @property
    def is_empty(self) -> bool:
        # The weekly summary goes even when nothing is overdue: that is news too.
        return self.kind != Kind.LEAD_SUMMARY and not (
            self.action_count or self.challenges or self.risk_reviews
        )

    @property
    def due_soon_heading(self) -> str:
        return f"Due in the next {self.due_within_days} days"

    @property
    def overdue_by_priority(self) -> list[tuple[int, int]]:
        counts: dict[int, int] = {}
        for line in self.overdue:
            counts[line.priority] = counts.get(line.priority, 0) + 1
        return sorted(counts.items())

    @property
    def listed_overdue(self) -> list[DigestLine]:
        if self.kind == Kind.LEAD_SUMMARY:
            return sorted(self.overdue, key=lambda line: -line.days_overdue)[:SUMMARY_LIST_LIMIT]
        return self.overdue

    @property
    def subject(self) -> str:
        n_over, n_soon = len(self.overdue), len(self.due_soon)
        if self.kind == Kind.ESCALATION:
            return (
                f"Escalation: {_plural(n_over, 'action')} overdue by more than "
                f"{self.escalate_after_days} days"
            )
        if self.kind == Kind.LEAD_SUMMARY:
            return f"Weekly summary: {_plural(n_over, 'action')} overdue"
        parts = []
        if n_over:
            parts.append(f"{n_over} overdue")
        if n_soon:
            parts.append(f"{n_soon} due in the next {self.due_within_days} days")
        if self.challenges:
            parts.append(_plural(len(self.challenges), "board challenge") + " to answer")
        if self.risk_reviews:
            parts.append(_plural(len(self.risk_reviews), "risk review") + " overdue")
        prefix = (
            "Your improvement actions this week"
            if self.kind == Kind.WEEKLY_DIGEST
            else ("Your improvement actions")
        )
        return f"{prefix}: {' and '.join(parts)}"

    def describe(self) -> str:
        """One line for the operator's dry run."""
        refs = ", ".join(line.reference for line in [*self.overdue, *self.due_soon][:12])
        more = "" if self.action_count <= 12 else f" and {self.action_count - 12} more"
        counts = f"{len(self.overdue)} overdue"
        if self.kind in (Kind.DAILY_DIGEST, Kind.WEEKLY_DIGEST):
            counts += f", {len(self.due_soon)} due soon"
            counts += f", {len(self.challenges)} challenges, {len(self.risk_reviews)} risk reviews"
        return (
            f"{Kind(self.kind).label} to {self.recipient.name} <{self.recipient.email}>: "
            f"{counts}" + (f" ({refs}{more})" if refs else "")
        )


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def settings_for_reading() -> ReminderSettings:
    """The settings without writing anything: the stored row, or the defaults."""
    return ReminderSettings.objects.filter(pk=ReminderSettings.SINGLETON_ID).first() or (
        ReminderSettings()
    )


def sending_day(day: dt.date, config: ReminderSettings) -> bool:
    return is_working_day(day) if config.working_days_only else True


def _people(*, only: int | None) -> dict[int, Person]:
    """Everyone who can receive email, with their preferences: one query."""
    lead_group = User.groups.through.objects.filter(
        user_id=OuterRef("pk"), group__name=Role.IMPROVEMENT_LEAD.value
    )
    rows = (
        User.objects.filter(is_active=True)
        .exclude(email="")
        .annotate(is_lead=Exists(lead_group))
        .values(
            "id",
            "first_name",
            "last_name",
            "username",
            "email",
            "is_lead",
            "reminder_preference__frequency",
            "reminder_preference__paused",
            "reminder_preference__back_on",
        )
    )
    if only is not None:
        rows = rows.filter(pk=only)
    return {
        row["id"]: Person(
            id=row["id"],
            name=f"{row['first_name']} {row['last_name']}".strip() or row["username"],
            email=row["email"],
            frequency=row["reminder_preference__frequency"] or Frequency.DAILY,
            paused=bool(row["reminder_preference__paused"]),
            back_on=row["reminder_preference__back_on"],
            is_lead=row["is_lead"],
        )
        for row in rows
    }


def reminders_for_day(
    *,
    on: dt.date,
    config: ReminderSettings | None = None,
    recipient_id: int | None = None,
    kinds: Iterable[str] | None = None,
) -> list[Digest]:
    """Every reminder email for day `on`, as plain data, in a constant number of queries:
    settings (unless given), people, actions. `recipient_id` and `kinds` narrow it to one
    person's email (what a send task needs).

    - Daily or weekly digest to each lead officer (action owner) with open actions overdue or
      due within N days, unless they have paused reminders. Weekly ones are keyed to Monday.
    - Escalation to each accountable senior manager with actions overdue by more than M days
      (if escalation is on), whether or not anyone has paused reminders.
    - Weekly summary of everything overdue to each improvement lead (if switched on).
    """
    config = config or settings_for_reading()
    kinds = set(kinds or Kind.values)
    if not config.escalation_enabled:
        kinds.discard(Kind.ESCALATION)
    if not config.weekly_lead_summary:
        kinds.discard(Kind.LEAD_SUMMARY)
    if not kinds:
        return []
    people = _people(only=recipient_id)
    if not people:
        return []
    monday = week_start(on)
    horizon = on + dt.timedelta(days=config.due_within_days)

    actions = Action.objects.open().filter(due_date__lte=horizon).with_rag(on=on)
    if recipient_id is not None:
        wanted = Q(pk__in=[])
        if kinds & {Kind.DAILY_DIGEST, Kind.WEEKLY_DIGEST}:
            wanted |= Q(owner_id=recipient_id)
        if Kind.ESCALATION in kinds:
            wanted |= Q(accountable_id=recipient_id)
        if Kind.LEAD_SUMMARY in kinds:
            wanted |= Q(due_date__lt=on)
        actions = actions.filter(wanted)
    rows = actions.order_by("due_date", "reference").values_list(
        "id",
        "reference",
        "title",
        "priority__number",
        "due_date",
        "current_rag",
        "owner_id",
        "accountable_id",
        "owner__first_name",
        "owner__last_name",
        "owner__username",
    )

    digests: dict[tuple[int, str], Digest] = {}

    def digest(person: Person, kind: str) -> Digest:
        key = (person.id, kind)
        if key not in digests:
            digests[key] = Digest(
                kind=kind,
                date=monday if kind in Kind.weekly() else on,
                on=on,
                recipient=person,
                due_within_days=config.due_within_days,
                escalate_after_days=config.escalate_after_days,
            )
        return digests[key]

    leads = [p for p in people.values() if p.is_lead and not p.paused_on(on)]
    if Kind.LEAD_SUMMARY in kinds:
        for lead in leads:
            digest(lead, Kind.LEAD_SUMMARY)

    for pk, ref, title, priority, due, rag, owner_id, accountable_id, first, last, user in rows:
        overdue_days = (on - due).days
        line = DigestLine(
            action_id=pk,
            reference=ref,
            title=title,
            priority=priority,
            due_date=due,
            rag=rag,
            days_overdue=max(overdue_days, 0),
            owner_name=f"{first} {last}".strip() or user,
        )
        owner = people.get(owner_id)
        if owner is not None and not owner.paused_on(on):
            kind = Kind.WEEKLY_DIGEST if owner.frequency == Frequency.WEEKLY else Kind.DAILY_DIGEST
            if kind in kinds:
                mine = digest(owner, kind)
                (mine.overdue if overdue_days > 0 else mine.due_soon).append(line)
        if overdue_days > config.escalate_after_days and Kind.ESCALATION in kinds:
            manager = people.get(accountable_id)
            if manager is not None:
                digest(manager, Kind.ESCALATION).overdue.append(line)
        if overdue_days > 0 and Kind.LEAD_SUMMARY in kinds:
            for lead in leads:
                digests[(lead.id, Kind.LEAD_SUMMARY)].overdue.append(line)

    # The board's challenges waiting for an answer, and risks past their review date, go in
    # the same digest as the person's actions (two more queries, whatever the numbers).
    if kinds & {Kind.DAILY_DIGEST, Kind.WEEKLY_DIGEST}:
        for person_id, other in _other_lines(on=on, recipient_id=recipient_id):
            person = people.get(person_id)
            if person is None or person.paused_on(on):
                continue
            kind = Kind.WEEKLY_DIGEST if person.frequency == Frequency.WEEKLY else Kind.DAILY_DIGEST
            if kind in kinds:
                mine = digest(person, kind)
                (
                    mine.challenges if other.label.startswith("Challenge") else mine.risk_reviews
                ).append(other)

    result = [d for d in digests.values() if not d.is_empty]
    order = {kind: n for n, kind in enumerate(Kind.values)}
    result.sort(key=lambda d: (order[d.kind], d.recipient.name, d.recipient.id))
    return result


def _other_lines(*, on: dt.date, recipient_id: int | None) -> list[tuple[int, OtherLine]]:
    """(person id, line) for board challenges awaiting their answer and risks they own
    whose review date has passed."""
    challenges = Challenge.objects.awaiting_answer().select_related("action", "area__inspection")
    risks = Risk.objects.review_overdue(on=on)
    if recipient_id is not None:
        challenges = challenges.filter(assigned_to_id=recipient_id)
        risks = risks.filter(owner_id=recipient_id)
    lines = [
        (
            challenge.assigned_to_id,
            OtherLine(
                label=f"Challenge about {challenge.target_label}",
                detail=challenge.question,
                due=challenge.answer_due,
                path=challenge.get_absolute_url(),
            ),
        )
        for challenge in challenges.order_by("answer_due", "pk")
    ]
    lines += [
        (
            risk.owner_id,
            OtherLine(
                label=f"Risk {risk.reference}: {risk.title}",
                detail=f"Review was due on {risk.review_date:%-d %B %Y}.",
                due=risk.review_date,
                path=risk.get_absolute_url(),
            ),
        )
        for risk in risks.order_by("review_date", "pk")
    ]
    return lines


def reminder_digest(reminder: Reminder, *, today: dt.date | None = None) -> Digest | None:
    """The email a Reminder row stands for, worked out now. None if nothing is left to say
    (all done, or the person paused reminders since it was planned)."""
    on = reminder.date
    if reminder.kind in Kind.weekly():
        today = today or timezone.localdate()
        on = min(max(today, reminder.date), reminder.date + dt.timedelta(days=6))
    found = reminders_for_day(on=on, recipient_id=reminder.recipient_id, kinds=[reminder.kind])
    return found[0] if found else None
