"""The Improvement Board's own work: meetings, their agenda and decisions, and the
challenges members put to officers about the plan.

What the board talks about: actions, areas for improvement, indicators (`kpis`) and
risks (`risks`). Each is a nullable foreign key on `Challenge` and on `Decision` and a
many-to-many on `AgendaItem`; `TARGET_FIELDS` names them. The "exactly one target"
constraint is built from `TARGET_FIELDS`; `board.selectors.TARGET_KINDS` maps the URL
kind to the field.

Extension point for an app built in parallel (add at merge, then `makemigrations`):
- Board packs (`boardpacks.BoardPack`): `Meeting.board_pack` foreign key beside
  `Meeting.board_pack_reference` (see the comment on that field).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from actions.models import Action
from core import uploads
from core.triggers import append_only
from inspections.models import AreaForImprovement
from kpis.models import Indicator
from risks.models import Risk

# What a challenge (or a decision) can be about. One nullable foreign key each; on a
# challenge exactly one is set.
TARGET_FIELDS = ("action", "area", "indicator", "risk")

# How long an officer has to answer a challenge (and to answer again when pressed).
ANSWER_WITHIN_DAYS = 14


def exactly_one_of(fields: Iterable[str]) -> Q:
    """A condition true when exactly one of the nullable `fields` is set."""
    fields = list(fields)
    condition = Q()
    for field in fields:
        condition |= Q(
            **{f"{field}__isnull": False},
            **{f"{other}__isnull": True for other in fields if other != field},
        )
    return condition


# --- Minutes files --------------------------------------------------------------------

# What each suffix's content must be (see core.uploads).
MINUTES_EXTENSIONS = {".pdf": uploads.PDF, ".docx": uploads.DOCX, ".odt": uploads.ODT, ".txt": None}


def minutes_upload_to(instance: Meeting, filename: str) -> str:
    """Stored under a random name: the original name is kept in `minutes_filename`."""
    suffix = PurePath(filename).suffix.lower()
    return f"board/minutes/{timezone.localdate():%Y}/{uuid.uuid4().hex}{suffix}"


def validate_minutes_file(file) -> None:
    """Minutes are a PDF, Word (.docx), OpenDocument (.odt) or plain-text file of at most
    settings.BOARD_MINUTES_MAX_BYTES (10 MB), and the content must be what the name says."""
    if getattr(file, "_committed", False):
        return  # already stored and checked when it was uploaded
    suffix = PurePath(file.name or "").suffix.lower()
    if suffix not in MINUTES_EXTENSIONS:
        raise ValidationError(
            "The minutes must be a PDF, Word (.docx), OpenDocument (.odt) or text (.txt) file.",
            code="extension",
        )
    limit = settings.BOARD_MINUTES_MAX_BYTES
    if file.size > limit:
        raise ValidationError(
            f"The file is {file.size / 1024 / 1024:.1f} MB: the minutes must be "
            f"{uploads.format_size(limit)} or smaller.",
            code="size",
        )
    if file.size == 0:
        raise ValidationError("The file is empty.", code="empty")
    if not _content_matches(file, suffix):
        raise ValidationError(
            f"The file's content is not a {suffix[1:].upper()} document. "
            "Check you chose the right file.",
            code="content",
        )


def _content_matches(file, suffix: str) -> bool:
    expected = MINUTES_EXTENSIONS[suffix]
    if expected is None:  # text: UTF-8 in its first 64 KB
        file.seek(0)
        try:
            return uploads.is_utf8_text(file.read(64 * 1024))
        finally:
            file.seek(0)
    return uploads.identify(file) == expected


# --- Meetings -------------------------------------------------------------------------


class MeetingQuerySet(models.QuerySet):
    def past(self, *, on: dt.date):
        return self.filter(date__lte=on)

    def upcoming(self, *, on: dt.date):
        return self.filter(date__gt=on).order_by("date", "pk")


class Meeting(models.Model):
    """One meeting of the Improvement Board."""

    date = models.DateField()
    title = models.CharField(max_length=150, default="Improvement Board")
    location = models.CharField(max_length=150, blank=True)
    people = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Attendance", related_name="board_meetings", blank=True
    )
    other_attendees = models.TextField(
        "others present",
        blank=True,
        help_text="People without an account, one a line: for example "
        "“Detective Superintendent, Kent Police”.",
    )
    other_apologies = models.TextField(
        "others who sent apologies", blank=True, help_text="One a line."
    )
    # Board packs are a separate app. Until it lands the pack is named or linked here; then
    # add `board_pack = models.ForeignKey("boardpacks.BoardPack", null=True, blank=True,
    # on_delete=models.SET_NULL, related_name="meetings")` and prefer it where this is shown.
    board_pack_reference = models.CharField(
        "board pack considered",
        max_length=300,
        blank=True,
        help_text="The pack's title, or a link to it.",
    )
    minutes = models.TextField(blank=True)
    minutes_file = models.FileField(
        "minutes document",
        upload_to=minutes_upload_to,
        blank=True,
        validators=[validate_minutes_file],
        help_text="PDF, Word (.docx), OpenDocument (.odt) or text, 10 MB at most.",
    )
    minutes_filename = models.CharField(max_length=255, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["date", "title"],
                name="meeting_date_title_unique",
                violation_error_message="There is already a meeting with this title on that date.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title}, {self.date:%-d %B %Y}"

    def get_absolute_url(self) -> str:
        return reverse("board:meeting_detail", args=[self.pk])

    @property
    def is_upcoming(self) -> bool:
        return self.date > timezone.localdate()

    @property
    def board_pack_is_link(self) -> bool:
        return self.board_pack_reference.startswith(("https://", "http://", "/"))

    @property
    def has_minutes(self) -> bool:
        return bool(self.minutes.strip() or self.minutes_file)


class Attendance(models.Model):
    """Who came to a meeting and who sent apologies. One row a person a meeting."""

    class Status(models.TextChoices):
        PRESENT = "present", "Present"
        APOLOGIES = "apologies", "Apologies"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="board_attendance"
    )
    status = models.CharField(max_length=10, choices=Status.choices)

    class Meta:
        ordering = ["person__first_name", "person__last_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "person"],
                name="attendance_once_per_meeting",
                violation_error_message="A person either attends or sends apologies, not both.",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["present", "apologies"]), name="attendance_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person}: {self.get_status_display()}"


class AgendaItem(models.Model):
    """An item on a meeting's agenda, the actions, areas, indicators and risks it was
    about, and what the board said."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda_items")
    order = models.PositiveSmallIntegerField("item number")
    title = models.CharField(max_length=250)
    presenter = models.CharField(max_length=150, blank=True)
    notes = models.TextField("what the board said", blank=True)
    actions = models.ManyToManyField(Action, blank=True, related_name="board_agenda_items")
    areas = models.ManyToManyField(
        AreaForImprovement,
        blank=True,
        related_name="board_agenda_items",
        verbose_name="areas for improvement",
    )
    indicators = models.ManyToManyField(Indicator, blank=True, related_name="board_agenda_items")
    risks = models.ManyToManyField(Risk, blank=True, related_name="board_agenda_items")

    class Meta:
        ordering = ["meeting", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "order"],
                name="agenda_item_order_unique",
                violation_error_message="The meeting already has an item with this number.",
            ),
            models.CheckConstraint(condition=Q(order__gte=1), name="agenda_item_order_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.title}"

    def subjects(self) -> list[tuple[str, str]]:
        """What the item was about, as (label, URL) pairs: actions, areas, indicators,
        then risks (prefetch the four relations when listing items)."""
        return [
            *((f"action {a.reference}", a.get_absolute_url()) for a in self.actions.all()),
            *((a.label, a.get_absolute_url()) for a in self.areas.all()),
            *((f"indicator {i.name}", i.get_absolute_url()) for i in self.indicators.all()),
            *((f"risk {r.reference}", r.get_absolute_url()) for r in self.risks.all()),
        ]


class Decision(models.Model):
    """A decision or commitment the board made. A lead can turn it into an action in the
    plan (`resulting_action`), which links back here."""

    class Kind(models.TextChoices):
        DECISION = "decision", "Decision"
        COMMITMENT = "commitment", "Commitment"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="decisions")
    agenda_item = models.ForeignKey(
        AgendaItem,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="decisions",
        verbose_name="agenda item",
    )
    order = models.PositiveSmallIntegerField("number")
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.DECISION)
    text = models.TextField("what was decided")
    action = models.ForeignKey(
        Action,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="board_decisions",
        verbose_name="about action",
    )
    area = models.ForeignKey(
        AreaForImprovement,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="board_decisions",
        verbose_name="about area for improvement",
    )
    indicator = models.ForeignKey(
        Indicator,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="board_decisions",
        verbose_name="about indicator",
    )
    risk = models.ForeignKey(
        Risk,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="board_decisions",
        verbose_name="about risk",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="who will do it",
    )
    due_date = models.DateField("by when", null=True, blank=True)
    resulting_action = models.OneToOneField(
        Action,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="board_decision",
        verbose_name="action in the plan",
    )

    class Meta:
        ordering = ["meeting", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "order"],
                name="decision_order_unique",
                violation_error_message="The meeting already has a decision with this number.",
            ),
            models.CheckConstraint(condition=~Q(text=""), name="decision_has_text"),
            models.CheckConstraint(
                condition=Q(kind__in=["decision", "commitment"]), name="decision_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.order}: {self.text[:60]}"


# --- Challenges -----------------------------------------------------------------------


class ChallengeQuerySet(models.QuerySet):
    def live(self):
        return self.exclude(state=Challenge.State.ACCEPTED)

    def awaiting_answer(self):
        return self.filter(state__in=Challenge.State.awaiting_answer())

    def awaiting_answer_from(self, user):
        return self.awaiting_answer().filter(assigned_to=user)

    def awaiting_review_by(self, user):
        """Answered challenges the user raised: theirs to accept or press further."""
        return self.filter(state=Challenge.State.ANSWERED, raised_by=user)

    def about(self, target):
        field = Challenge.target_field_for(target)
        return self.filter(**{field: target})

    def for_list(self):
        # Joining all eight tables cost PostgreSQL about 20 ms to plan, on every dashboard;
        # the optional targets come in small queries of their own instead.
        return self.select_related("raised_by", "assigned_to").prefetch_related(
            "meeting", "action", "area__inspection", "indicator", "risk"
        )


class Challenge(models.Model):
    """A board member's challenge or question about part of the plan, and its thread.

    open → answered → accepted (closed), or answered → pressed (further) → answered → …
    The state always equals what the thread says (`state_after`), so the state on any
    past date can be read back from the messages."""

    class State(models.TextChoices):
        OPEN = "open", "Awaiting an answer"
        ANSWERED = "answered", "Answered"
        PRESSED = "pressed", "Pressed further"
        ACCEPTED = "accepted", "Answer accepted"

        @classmethod
        def awaiting_answer(cls) -> list[str]:
            return [cls.OPEN, cls.PRESSED]

    action = models.ForeignKey(
        Action, on_delete=models.PROTECT, null=True, blank=True, related_name="challenges"
    )
    area = models.ForeignKey(
        AreaForImprovement,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="challenges",
        verbose_name="area for improvement",
    )
    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, null=True, blank=True, related_name="challenges"
    )
    risk = models.ForeignKey(
        Risk, on_delete=models.PROTECT, null=True, blank=True, related_name="challenges"
    )
    question = models.TextField("challenge or question")
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="challenges_raised"
    )
    raised_at = models.DateTimeField(default=timezone.now, db_index=True)
    meeting = models.ForeignKey(
        Meeting,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="challenges",
        verbose_name="raised at meeting",
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="challenges_assigned",
        verbose_name="to be answered by",
    )
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    answer_due = models.DateField("answer due by")
    answered_at = models.DateTimeField("last answered", null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.TextField(
        blank=True, help_text="What the member said when accepting the answer."
    )

    objects = ChallengeQuerySet.as_manager()

    class Meta:
        ordering = ["-raised_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=exactly_one_of(TARGET_FIELDS),
                name="challenge_has_one_target",
                violation_error_message="A challenge is about exactly one thing.",
            ),
            models.CheckConstraint(condition=~Q(question=""), name="challenge_has_question"),
            models.CheckConstraint(
                condition=Q(state__in=["open", "answered", "pressed", "accepted"]),
                name="challenge_state_valid",
            ),
            models.CheckConstraint(
                condition=Q(state="accepted", closed_at__isnull=False)
                | (~Q(state="accepted") & Q(closed_at__isnull=True)),
                name="challenge_closed_iff_accepted",
            ),
            models.CheckConstraint(
                condition=Q(state="open") | Q(answered_at__isnull=False),
                name="challenge_answered_has_date",
            ),
        ]
        indexes = [
            models.Index(fields=["assigned_to", "state"], name="challenge_assignee_state_idx"),
            models.Index(fields=["state"], name="challenge_state_idx"),
        ]

    def __str__(self) -> str:
        return f"Challenge about {self.target_label}"

    def get_absolute_url(self) -> str:
        return reverse("board:challenge_detail", args=[self.pk])

    @staticmethod
    def target_field_for(target) -> str:
        for field in TARGET_FIELDS:
            model = Challenge._meta.get_field(field).related_model
            if model is not None and isinstance(target, model):
                return field
        raise TypeError(f"A challenge cannot be about a {type(target).__name__}.")

    @property
    def target_field(self) -> str:
        return next(f for f in TARGET_FIELDS if getattr(self, f"{f}_id") is not None)

    @property
    def target(self):
        return getattr(self, self.target_field)

    @property
    def target_label(self) -> str:
        target = self.target
        if isinstance(target, Action):
            return f"action {target.reference} {target.title}"
        if isinstance(target, AreaForImprovement):
            return f"area for improvement “{target.label}”"
        if isinstance(target, Indicator):
            return f"indicator “{target.name}”"
        if isinstance(target, Risk):
            return f"risk {target.reference} {target.title}"
        return str(target)

    @property
    def target_short(self) -> str:
        """The target in a few words, for tables: "Action 2.6", "Risk R3"."""
        target = self.target
        if isinstance(target, Action):
            return f"Action {target.reference}"
        if isinstance(target, AreaForImprovement):
            return target.label
        if isinstance(target, Indicator):
            return f"Indicator: {target.name}"
        if isinstance(target, Risk):
            return f"Risk {target.reference}"
        return str(target)

    @property
    def target_noun(self) -> str:
        """What the target is called: "action", "area for improvement", "indicator"…"""
        field = self._meta.get_field(self.target_field)
        return str(field.verbose_name)  # type: ignore[union-attr]  # a ForeignKey, not a reverse relation

    @property
    def is_closed(self) -> bool:
        return self.state == self.State.ACCEPTED

    @property
    def is_awaiting_answer(self) -> bool:
        return self.state in self.State.awaiting_answer()

    def is_overdue(self, on: dt.date | None = None) -> bool:
        return self.is_awaiting_answer and self.answer_due < (on or timezone.localdate())

    @classmethod
    def state_after(cls, kinds: Iterable[str]) -> str:
        """The state a thread of message kinds leads to (the rule the services follow)."""
        state = cls.State.OPEN
        for kind in kinds:
            if kind == ChallengeMessage.Kind.ANSWER:
                state = cls.State.ANSWERED
            elif kind == ChallengeMessage.Kind.PRESS:
                state = cls.State.PRESSED
            elif kind == ChallengeMessage.Kind.ACCEPT:
                state = cls.State.ACCEPTED
        return state


class ChallengeMessage(models.Model):
    """One entry in a challenge's thread after the question. Append-only: a database
    trigger refuses UPDATE and DELETE."""

    class Kind(models.TextChoices):
        ANSWER = "answer", "Answer"
        PRESS = "press", "Pressed further"
        ACCEPT = "accept", "Accepted the answer"
        REASSIGN = "reassign", "Passed on"

    challenge = models.ForeignKey(Challenge, on_delete=models.PROTECT, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="challenge_messages"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    text = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["challenge", "created_at"], name="challenge_message_time_idx")
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="accept") | ~Q(text=""), name="challenge_message_has_text"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["answer", "press", "accept", "reassign"]),
                name="challenge_message_kind_valid",
            ),
        ]
        triggers = [append_only()]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} by {self.author} at {self.created_at:%Y-%m-%d %H:%M}"
