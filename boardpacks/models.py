"""Monthly board packs: the PDF the Improvement Board reads before each meeting, and the
record of what it saw. A ready pack never changes (a database trigger refuses UPDATE and
DELETE); regenerating a month makes a new version."""

from __future__ import annotations

import datetime as dt

import pgtrigger
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.urls import reverse

from core.triggers import Refuse


class BoardPackQuerySet(models.QuerySet):
    def ready(self):
        return self.filter(status=BoardPack.Status.READY)

    def for_month(self, month: dt.date):
        return self.filter(month=month)

    def in_progress(self):
        return self.filter(status__in=[BoardPack.Status.QUEUED, BoardPack.Status.RENDERING])

    def previous_to(self, month: dt.date):
        """The pack the board last saw before `month`: the newest ready version of the
        latest earlier month."""
        return self.ready().filter(month__lt=month).order_by("-month", "-version").first()

    def for_list(self):
        return self.select_related("requested_by").defer("data")


class BoardPack(models.Model):
    """One version of one month's board pack."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RENDERING = "rendering", "Rendering"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    month = models.DateField(help_text="The first day of the month the pack is for.")
    meeting_date = models.DateField("board meeting date")
    version = models.PositiveIntegerField(default=1)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    error = models.TextField(blank=True, help_text="Why rendering failed.")
    send_to_board = models.BooleanField(
        default=False, help_text="Email it to every board member as soon as it is ready."
    )
    pdf = models.FileField(upload_to="boardpacks/%Y/", blank=True)
    byte_size = models.PositiveIntegerField(null=True, blank=True)
    page_count = models.PositiveIntegerField(null=True, blank=True)
    checksum = models.CharField("SHA-256 of the PDF", max_length=64, blank=True)
    pdf_variant = models.CharField(
        "PDF variant",
        max_length=20,
        blank=True,
        help_text='"pdf/ua-1" for a tagged PDF; empty for a plain one (very long packs).',
    )
    data = models.JSONField(
        null=True,
        blank=True,
        encoder=DjangoJSONEncoder,
        help_text="The plain data the pack was rendered from, frozen when it was built.",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty when the monthly schedule built it.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = BoardPackQuerySet.as_manager()

    class Meta:
        ordering = ["-month", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["month", "version"],
                name="boardpack_one_version_number_per_month",
                violation_error_message="That month already has a pack with this version.",
            ),
            models.CheckConstraint(condition=Q(month__day=1), name="boardpack_month_is_first_day"),
            models.CheckConstraint(
                condition=Q(status__in=["queued", "rendering", "ready", "failed"]),
                name="boardpack_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status="ready")
                | (
                    ~Q(pdf="")
                    & Q(page_count__gt=0, byte_size__gt=0, data__isnull=False)
                    & Q(checksum__regex=r"^[0-9a-f]{64}$")
                    & Q(finished_at__isnull=False)
                ),
                name="boardpack_ready_is_complete",
                violation_error_message="A ready pack needs its PDF, page count, size, "
                "checksum and frozen data.",
            ),
            models.CheckConstraint(
                condition=~Q(status="failed") | ~Q(error=""),
                name="boardpack_failed_has_reason",
            ),
        ]
        triggers = [
            Refuse(
                name="ready_is_frozen",
                operation=pgtrigger.Update | pgtrigger.Delete,
                condition=pgtrigger.Q(old__status="ready"),
                message="board pack % is ready: it cannot be changed or deleted "
                "(make a new version)",
                params=("OLD.id",),
            )
        ]

    def __str__(self) -> str:
        return f"Board pack {self.month:%B %Y} version {self.version}"

    def get_absolute_url(self) -> str:
        return reverse("boardpacks:boardpack_detail", args=[self.pk])

    @property
    def is_ready(self) -> bool:
        return self.status == self.Status.READY

    @property
    def in_progress(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RENDERING)

    @property
    def filename(self) -> str:
        council = settings.COUNCIL_NAME.lower().replace(" ", "-")
        return f"{council}-improvement-board-pack-{self.month:%Y-%m}-v{self.version}.pdf"

    @property
    def duration(self) -> dt.timedelta | None:
        if self.started_at and self.finished_at:
            return self.finished_at - self.started_at
        return None


class Delivery(models.Model):
    """One board member's copy of one pack: at most one per person per pack, so a retried
    or repeated send never emails anyone twice. A sent delivery is the record that someone
    was sent the pack: a database trigger refuses to change or delete it."""

    class Method(models.TextChoices):
        ATTACHMENT = "attachment", "PDF attached"
        LINK = "link", "Link to download"

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to send"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    pack = models.ForeignKey(BoardPack, on_delete=models.PROTECT, related_name="deliveries")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="board_pack_deliveries"
    )
    email = models.EmailField(help_text="The address it was sent to.")
    method = models.CharField(max_length=20, choices=Method.choices, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["recipient__first_name", "recipient__last_name", "pk"]
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["pack", "recipient"],
                name="delivery_once_per_recipient_per_pack",
                violation_error_message="This pack has already been sent to this person.",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "sent", "failed"]),
                name="delivery_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status="sent") | (Q(sent_at__isnull=False) & ~Q(method="")),
                name="delivery_sent_has_time_and_method",
            ),
        ]
        triggers = [
            Refuse(
                name="sent_is_frozen",
                operation=pgtrigger.Update | pgtrigger.Delete,
                condition=pgtrigger.Q(old__status="sent"),
                message="delivery % was sent: it cannot be changed or deleted",
                params=("OLD.id",),
            )
        ]

    def __str__(self) -> str:
        return f"{self.pack} to {self.email}"
