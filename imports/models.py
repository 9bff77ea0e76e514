"""Files waiting to be imported, and the column choices remembered for action-plan sheets."""

from __future__ import annotations

import datetime as dt
import uuid

import pghistory
from django.conf import settings
from django.db import models
from django.utils import timezone


class PendingUploadQuerySet(models.QuerySet):
    def expired(self, *, now: dt.datetime | None = None):
        """Uploads nobody confirmed or cancelled within IMPORT_PENDING_HOURS."""
        cutoff = (now or timezone.now()) - dt.timedelta(hours=settings.IMPORT_PENDING_HOURS)
        return self.filter(created_at__lt=cutoff)

    def for_user(self, user):
        return self.filter(uploaded_by=user)


class PendingUpload(models.Model):
    """A file uploaded for import that nobody has confirmed yet. Nothing else is written
    until the person who uploaded it confirms; then (or on cancel) this row is deleted, and
    a nightly task deletes any left behind."""

    class Kind(models.TextChoices):
        OFSTED = "ofsted", "Ofsted document"
        ACTION_PLAN = "action_plan", "Action plan spreadsheet"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    filename = models.CharField(max_length=255)
    # The bytes, in STORAGES["default"] under a random name (services.pending_upload_create).
    file = models.FileField(upload_to="imports/pending/")
    # Ofsted: the draft read from the document. Action plan: the sheet and column choices.
    details = models.JSONField(default=dict, blank=True)
    # Action plan: the chosen sheet as read once at upload (Sheet.as_json), so the column
    # and preview pages never parse the workbook again.
    sheet = models.JSONField(null=True, blank=True)

    objects = PendingUploadQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.filename}"

    def read(self) -> bytes:
        """The uploaded bytes, from storage."""
        with self.file.open("rb") as handle:
            return handle.read()


@pghistory.track()
class ColumnMapping(models.Model):
    """Which column of an action-plan sheet holds which field, remembered for sheets with the
    same headings (the signature is a hash of the headings, in order)."""

    signature = models.CharField(max_length=64, unique=True)
    headings = models.JSONField(default=list)
    columns = models.JSONField(default=dict, help_text="Field name → column number (from 0).")
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at"]

    def __str__(self) -> str:
        return ", ".join(str(h) for h in self.headings[:4])
