"""The improvement plan: priorities, actions, progress updates, evidence, due-date changes."""

from __future__ import annotations

import datetime as dt

import pghistory
from django.conf import settings
from django.db import models
from django.db.models import Case, Deferrable, F, Prefetch, Q, Value, When
from django.urls import reverse
from django.utils import timezone

from core.triggers import append_only
from inspections.models import AreaForImprovement


class PriorityQuerySet(models.QuerySet):
    def current(self):
        """Priorities a new action can serve: not retired."""
        return self.filter(retired=False)


@pghistory.track()
class Priority(models.Model):
    """One of the council's improvement priorities (Medway has five). Numbered in the order
    the plan reads them; a priority the plan no longer pursues is retired, never deleted."""

    number = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=150)
    description = models.TextField(blank=True)
    retired = models.BooleanField(
        default=False, help_text="No longer pursued: kept with its actions, offered for none."
    )

    objects = PriorityQuerySet.as_manager()

    class Meta:
        ordering = ["number"]
        verbose_name_plural = "priorities"
        constraints = [
            # Checked at commit, so two priorities can swap places.
            models.UniqueConstraint(
                fields=["number"], name="priority_number_unique", deferrable=Deferrable.DEFERRED
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("actions:priority_list") + f"#priority-{self.pk}"


class Status(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    ON_TRACK = "on_track", "On track"
    AT_RISK = "at_risk", "At risk"
    OFF_TRACK = "off_track", "Off track"
    COMPLETE = "complete", "Complete"
    CANCELLED = "cancelled", "Cancelled"

    @classmethod
    def closed(cls) -> list[str]:
        return [cls.COMPLETE, cls.CANCELLED]


class Rag(models.TextChoices):
    """Red, amber, green, and blue for complete (the BRAG scale councils use)."""

    RED = "red", "Red"
    AMBER = "amber", "Amber"
    GREEN = "green", "Green"
    BLUE = "blue", "Complete"

    @classmethod
    def overridable(cls) -> list[tuple[str, str]]:
        return [(cls.RED, "Red"), (cls.AMBER, "Amber"), (cls.GREEN, "Green")]


RAG_RULE = """\
1. Cancelled actions are not rated.
2. Complete actions are blue.
3. A manual override (which needs a reason) wins over everything below.
4. An action past its current due date is red.
5. Off track is red.
6. At risk is amber.
7. Not started after its start date is amber.
8. Anything else is green."""


def rag_for(
    *,
    status: str,
    rag_override: str,
    start_date: dt.date,
    due_date: dt.date,
    on: dt.date,
) -> str | None:
    """The RAG rule (RAG_RULE) in Python. `ActionQuerySet.with_rag` is the same rule in SQL;
    a test holds the two together."""
    if status == Status.CANCELLED:
        return None
    if status == Status.COMPLETE:
        return Rag.BLUE
    if rag_override:
        return rag_override
    if due_date < on or status == Status.OFF_TRACK:
        return Rag.RED
    if status == Status.AT_RISK or (status == Status.NOT_STARTED and start_date < on):
        return Rag.AMBER
    return Rag.GREEN


def rag_expression(on: dt.date) -> Case:
    """The RAG rule as a database expression, so lists can filter and count by RAG."""
    return Case(
        When(status=Status.CANCELLED, then=Value(None)),
        When(status=Status.COMPLETE, then=Value(Rag.BLUE.value)),
        When(~Q(rag_override=""), then=F("rag_override")),
        When(Q(due_date__lt=on) | Q(status=Status.OFF_TRACK), then=Value(Rag.RED.value)),
        When(
            Q(status=Status.AT_RISK) | Q(status=Status.NOT_STARTED, start_date__lt=on),
            then=Value(Rag.AMBER.value),
        ),
        default=Value(Rag.GREEN.value),
        output_field=models.CharField(),
    )


def is_open() -> Q:
    return ~Q(status__in=Status.closed())


def is_overdue(on: dt.date) -> Q:
    return is_open() & Q(due_date__lt=on)


def is_due_between(start: dt.date, end: dt.date) -> Q:
    return is_open() & Q(due_date__gte=start, due_date__lte=end)


def is_completed_between(start: dt.date, end: dt.date) -> Q:
    return Q(status=Status.COMPLETE, completed_date__range=(start, end))


class ActionQuerySet(models.QuerySet):
    """The conditions are also Q objects (above), so one query can count several of them."""

    def open(self):
        return self.filter(is_open())

    def overdue(self, *, on: dt.date):
        return self.filter(is_overdue(on))

    def due_between(self, start: dt.date, end: dt.date):
        return self.filter(is_due_between(start, end))

    def completed_between(self, start: dt.date, end: dt.date):
        return self.filter(is_completed_between(start, end))

    def for_area(self, area: AreaForImprovement):
        return self.filter(areas=area)

    def for_person(self, user):
        """Actions the person owns or is accountable for."""
        return self.filter(Q(owner=user) | Q(accountable=user))

    def with_rag(self, *, on: dt.date | None = None):
        return self.annotate(current_rag=rag_expression(on or timezone.localdate()))

    def for_list(self):
        return self.select_related("priority", "owner", "accountable")

    def with_recent_updates(self):
        """Each action's progress updates, newest first with their authors, as
        `action.recent_updates`."""
        updates = ProgressUpdate.objects.select_related("author").order_by("-created_at")
        return self.prefetch_related(
            Prefetch("updates", queryset=updates, to_attr="recent_updates")
        )


@pghistory.track()
class Action(models.Model):
    """One action in the improvement plan."""

    reference = models.CharField(
        max_length=20, db_collation="natural_sort", help_text='For example "2.3".'
    )
    title = models.CharField(max_length=250)
    description = models.TextField(blank=True)
    priority = models.ForeignKey(Priority, on_delete=models.PROTECT, related_name="actions")
    areas = models.ManyToManyField(
        AreaForImprovement,
        related_name="actions",
        blank=True,
        verbose_name="areas for improvement",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="owned_actions",
        verbose_name="lead officer",
    )
    accountable = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="accountable_actions",
        verbose_name="accountable senior manager",
    )
    start_date = models.DateField()
    baseline_due_date = models.DateField(help_text="The due date first agreed. Never changes.")
    due_date = models.DateField("current due date")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NOT_STARTED)
    rag_override = models.CharField(
        "RAG override", max_length=10, choices=Rag.overridable(), blank=True
    )
    rag_override_reason = models.TextField("reason for RAG override", blank=True)
    percent_complete = models.PositiveSmallIntegerField(default=0)
    completed_date = models.DateField(null=True, blank=True)
    cancellation_reason = models.TextField("reason for cancelling", blank=True)
    version = models.PositiveIntegerField(
        default=1, help_text="Goes up by one on every change, so two editors cannot collide."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ActionQuerySet.as_manager()

    class Meta:
        ordering = ["priority__number", "reference"]
        constraints = [
            # Checked when the transaction commits, so references can be renumbered in place
            # (1.2 becomes 1.1 while 1.1 becomes 1.2).
            models.UniqueConstraint(
                fields=["reference"],
                name="action_reference_unique",
                deferrable=Deferrable.DEFERRED,
            ),
            models.CheckConstraint(
                condition=Q(percent_complete__gte=0, percent_complete__lte=100),
                name="action_percent_0_to_100",
                violation_error_message="Percent complete must be between 0 and 100.",
            ),
            models.CheckConstraint(
                condition=Q(due_date__gte=F("start_date")),
                name="action_due_not_before_start",
                violation_error_message="The due date cannot be before the start date.",
            ),
            models.CheckConstraint(
                condition=Q(baseline_due_date__gte=F("start_date")),
                name="action_baseline_not_before_start",
                violation_error_message="The baseline due date cannot be before the start date.",
            ),
            models.CheckConstraint(
                condition=Q(status=Status.COMPLETE, completed_date__isnull=False)
                | (~Q(status=Status.COMPLETE) & Q(completed_date__isnull=True)),
                name="action_completed_date_iff_complete",
                violation_error_message="A complete action needs a completion date, "
                "and only a complete action has one.",
            ),
            models.CheckConstraint(
                condition=Q(rag_override="") | ~Q(rag_override_reason=""),
                name="action_rag_override_needs_reason",
                violation_error_message="Give a reason for overriding the RAG rating.",
            ),
            models.CheckConstraint(
                condition=Q(rag_override__in=["", Rag.RED, Rag.AMBER, Rag.GREEN]),
                name="action_rag_override_valid",
            ),
            models.CheckConstraint(
                condition=Q(status__in=Status.values), name="action_status_valid"
            ),
        ]
        indexes = [
            # The overdue and due-soon queries only ever look at open actions.
            models.Index(
                fields=["due_date"],
                name="action_open_due_idx",
                condition=~Q(status__in=["complete", "cancelled"]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("actions:action_detail", args=[self.pk])

    def rag_on(self, on: dt.date) -> str | None:
        return rag_for(
            status=self.status,
            rag_override=self.rag_override,
            start_date=self.start_date,
            due_date=self.due_date,
            on=on,
        )

    @property
    def rag(self) -> str | None:
        """RAG today. Lists annotate `current_rag` in SQL instead (same rule)."""
        if hasattr(self, "current_rag"):
            return self.current_rag
        return self.rag_on(timezone.localdate())

    def get_rag_display(self) -> str:
        rag = self.rag
        return Rag(rag).label if rag else "Not rated"

    @property
    def is_open(self) -> bool:
        return self.status not in Status.closed()

    def days_overdue(self, on: dt.date | None = None) -> int:
        on = on or timezone.localdate()
        if not self.is_open or self.due_date >= on:
            return 0
        return (on - self.due_date).days

    @property
    def is_overdue(self) -> bool:
        return self.days_overdue() > 0

    @property
    def has_slipped(self) -> bool:
        return self.due_date != self.baseline_due_date


# Linking an action to areas for improvement (the many-to-many table) is audited too.
ActionAreaLinkEvent = pghistory.create_event_model(
    Action.areas.through, model_name="ActionAreaLinkEvent", abstract=False
)


@pghistory.track()
class ProgressUpdate(models.Model):
    """An entry in an action's progress log. Append-only: a database trigger refuses
    UPDATE and DELETE, so the log is the record of what was said when."""

    action = models.ForeignKey(Action, on_delete=models.PROTECT, related_name="updates")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="progress_updates"
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    note = models.TextField(blank=True)
    status_before = models.CharField(max_length=20, choices=Status.choices)
    status_after = models.CharField(max_length=20, choices=Status.choices)
    rag_before = models.CharField(max_length=10, choices=Rag.choices, blank=True)
    rag_after = models.CharField(max_length=10, choices=Rag.choices, blank=True)
    percent_before = models.PositiveSmallIntegerField()
    percent_after = models.PositiveSmallIntegerField()
    action_version = models.PositiveIntegerField(
        default=0, help_text="The action's version after this update."
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["action", "-created_at"], name="update_action_time_idx")]
        triggers = [append_only()]

    def __str__(self) -> str:
        return f"{self.action.reference} update {self.created_at:%Y-%m-%d}"

    @property
    def status_changed(self) -> bool:
        return self.status_before != self.status_after

    @property
    def rag_changed(self) -> bool:
        return self.rag_before != self.rag_after


@pghistory.track()
class DueDateChange(models.Model):
    """A revision of an action's due date, with the reason given. Kept for ever: a database
    trigger refuses UPDATE and DELETE."""

    action = models.ForeignKey(Action, on_delete=models.PROTECT, related_name="due_date_changes")
    old_date = models.DateField()
    new_date = models.DateField()
    reason = models.TextField()
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-changed_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="due_date_change_needs_reason"),
            models.CheckConstraint(
                condition=~Q(old_date=F("new_date")), name="due_date_change_changes_date"
            ),
        ]
        triggers = [append_only()]

    def __str__(self) -> str:
        return f"{self.action.reference}: {self.old_date} → {self.new_date}"


@pghistory.track()
class Evidence(models.Model):
    """Evidence of progress or completion: a note, a link, or a document."""

    action = models.ForeignKey(Action, on_delete=models.PROTECT, related_name="evidence")
    note = models.TextField(blank=True)
    url = models.URLField("link", blank=True)
    file = models.FileField(upload_to="evidence/%Y/", blank=True)
    # For a document: the name it was uploaded with (stored under a random name), the
    # content type its bytes showed, and its size. Set by services.evidence_add_document.
    original_name = models.CharField(max_length=255, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-added_at", "-pk"]
        verbose_name_plural = "evidence"
        constraints = [
            models.CheckConstraint(
                condition=~Q(note="") | ~Q(url="") | ~Q(file=""),
                name="evidence_not_empty",
                violation_error_message="Evidence needs a note, a link or a file.",
            ),
        ]

    def __str__(self) -> str:
        return self.note[:60] or self.url or self.original_name or self.file.name or ""

    @property
    def document_kind(self) -> str:
        """What a person calls the document: "PDF", "Word" and so on."""
        return DOCUMENT_KINDS.get(self.content_type, "Document")

    @property
    def document_summary(self) -> str:
        """ "PDF, 120 KB": shown after a document's name."""
        size = self.size
        if size >= 1024 * 1024:
            amount = f"{size / 1024 / 1024:.1f}".removesuffix(".0") + " MB"
        else:
            amount = f"{max(1, round(size / 1024))} KB"
        return f"{self.document_kind}, {amount}"


# Documents accepted as evidence, by content type: what people call each kind.
DOCUMENT_KINDS = {
    "application/pdf": "PDF",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "Excel",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "PowerPoint",
    "image/png": "PNG",
    "image/jpeg": "JPEG",
}
