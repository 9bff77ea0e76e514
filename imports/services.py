"""Writes for imports: holding an upload until it is confirmed, saving a reviewed Ofsted draft
as an inspection, remembering column choices, and importing an action plan sheet."""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.text import get_valid_filename

from accounts import permissions
from actions.services import ImportResult, action_import_upsert
from audit.context import audit_source
from imports.action_plan import (
    Lookups,
    build_preview,
    guess_columns,
    guess_header_row,
    headings_of,
    signature,
)
from imports.models import ColumnMapping, PendingUpload
from imports.spreadsheets import Sheet, read_sheet
from inspections.models import (
    AreaCovered,
    AreaForImprovement,
    Inspection,
    Judgement,
    LocalAuthority,
)
from inspections.ofsted_parser import parse_document
from medway_improve.storage import atomic_with_files, field_file_save, file_delete_on_commit

logger = logging.getLogger(__name__)


# --- Uploads waiting for confirmation ------------------------------------------------------


def _require_importer(user) -> None:
    if not permissions.can_import(user):
        raise PermissionDenied("Only improvement leads can import.")


@atomic_with_files()
def pending_upload_create(
    *, user, kind: str, filename: str, content: bytes, details: dict | None = None
) -> PendingUpload:
    """Hold an upload until it is confirmed: the bytes in storage, under a random name."""
    _require_importer(user)
    upload = PendingUpload(
        kind=kind,
        uploaded_by=user,
        filename=_display_name(filename),
        details=details or {},
    )
    field_file_save(upload.file, upload.id.hex, ContentFile(content))
    upload.save()
    return upload


def _pending_delete(uploads) -> int:
    """Delete these uploads, and their files once that has committed."""
    uploads = list(uploads)
    for upload in uploads:
        file_delete_on_commit(upload.file.storage, upload.file.name)
    deleted, _ = PendingUpload.objects.filter(pk__in=[u.pk for u in uploads]).delete()
    return deleted


def _display_name(filename: str) -> str:
    """The file's own name, without any folders a browser sent, for messages and reasons."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip()
    return (name or "upload")[-255:]


def pending_upload_for(*, user, pk, kind: str) -> PendingUpload:
    """The user's own upload waiting for confirmation, or 404 (someone else's looks missing)."""
    _require_importer(user)
    try:
        return PendingUpload.objects.get(pk=pk, kind=kind, uploaded_by=user)
    except PendingUpload.DoesNotExist:
        raise Http404(
            "That upload has gone: it was imported, cancelled, or left for over a day."
        ) from None


@transaction.atomic
def pending_upload_discard(*, user, pk) -> str:
    _require_importer(user)
    upload = PendingUpload.objects.filter(pk=pk, uploaded_by=user).only("filename", "file").first()
    if upload is None:
        return ""
    _pending_delete([upload])
    return upload.filename


@transaction.atomic
def pending_uploads_purge(*, now: dt.datetime | None = None) -> int:
    """Delete uploads nobody confirmed within IMPORT_PENDING_HOURS, and their files.
    Returns how many."""
    return _pending_delete(PendingUpload.objects.expired(now=now).only("pk", "file"))


def ofsted_draft_create(*, user, content: bytes, filename: str) -> PendingUpload:
    """Read an Ofsted document and hold it, with the draft read from it, for review.
    Raises OfstedDocumentError (with a message for the user) if it cannot be read."""
    _require_importer(user)
    draft = parse_document(content, filename=filename)
    return pending_upload_create(
        user=user,
        kind=PendingUpload.Kind.OFSTED,
        filename=filename,
        content=content,
        details=draft.as_json_dict(),
    )


# --- Ofsted draft → inspection -------------------------------------------------------------


@atomic_with_files()
def inspection_import(
    *,
    user,
    pending: PendingUpload,
    details: dict,
    judgements: list[dict],
    areas: list[dict],
    covered: list[dict],
) -> Inspection:
    """Save a reviewed draft as an inspection with its judgements, areas for improvement and
    areas covered, keep the original document with it, and drop the pending upload.

    `details` holds the Inspection fields plus `local_authority` as a name (an existing local
    authority with that name in any case is used, otherwise one is created)."""
    if not permissions.can_manage_inspections(user):
        raise PermissionDenied("Only improvement leads can add inspections.")
    with audit_source("import", kind="Ofsted document", file=pending.filename):
        details = dict(details)
        name = " ".join(details.pop("local_authority").split())
        local_authority = LocalAuthority.objects.filter(name__iexact=name).first()
        if local_authority is None:
            local_authority = LocalAuthority.objects.create(name=name)
        inspection = Inspection(local_authority=local_authority, **details)
        inspection.full_clean(exclude=["source_document"])
        field_file_save(
            inspection.source_document,
            get_valid_filename(pending.filename) or "document",
            ContentFile(pending.read()),
        )
        inspection.save()
        Judgement.objects.bulk_create(
            Judgement(inspection=inspection, area=j["area"], wording=j["wording"], grade=j["grade"])
            for j in judgements
        )
        AreaForImprovement.objects.bulk_create(
            AreaForImprovement(
                inspection=inspection,
                text=a["text"],
                is_priority_action=a["is_priority_action"],
                order=order,
            )
            for order, a in enumerate(areas, start=1)
        )
        AreaCovered.objects.bulk_create(
            AreaCovered(inspection=inspection, text=c["text"], revisits=c["revisits"], order=order)
            for order, c in enumerate(covered, start=1)
        )
        _pending_delete([pending])
    transaction.on_commit(
        lambda: logger.info("Inspection %s imported from %s", inspection.pk, pending.filename)
    )
    return inspection


# --- Action plan spreadsheets --------------------------------------------------------------


def action_plan_upload_create(*, user, content: bytes, filename: str) -> PendingUpload:
    """Hold an action plan sheet that reads cleanly, with where its headings are and the
    column choices remembered for sheets with the same headings, if any. Raises
    SpreadsheetError (with a message for the user) if it cannot be read."""
    _require_importer(user)
    sheet = read_sheet(
        content,
        filename=filename,
        max_rows=settings.IMPORT_MAX_ROWS,
        max_bytes=settings.IMPORT_MAX_SPREADSHEET_BYTES,
    )
    header_row = guess_header_row(sheet.rows)
    if len(guess_columns(headings_of(sheet, header_row))) < 2:
        # A notes or cover sheet first: use the first sheet that looks like the plan.
        for name in sheet.sheet_names[1:10]:
            other = read_sheet(
                content,
                filename=filename,
                sheet_name=name,
                max_rows=settings.IMPORT_MAX_ROWS,
                max_bytes=settings.IMPORT_MAX_SPREADSHEET_BYTES,
            )
            other_row = guess_header_row(other.rows)
            if len(guess_columns(headings_of(other, other_row))) >= 2:
                sheet, header_row = other, other_row
                break
    remembered = column_mapping_for(headings_of(sheet, header_row))
    return pending_upload_create(
        user=user,
        kind=PendingUpload.Kind.ACTION_PLAN,
        filename=filename,
        content=content,
        details={
            "sheet": sheet.name,
            "header_row": header_row,
            "columns": remembered.columns if remembered else None,
            "remembered": bool(remembered),
        },
    )


def column_mapping_for(headings: list[str]) -> ColumnMapping | None:
    return ColumnMapping.objects.filter(signature=signature(headings)).first()


def column_mapping_remember(
    *, user, pending: PendingUpload, sheet: str, header_row: int, headings: list[str], columns: dict
) -> PendingUpload:
    """Use these column choices for this upload, and for sheets with the same headings later."""
    _require_importer(user)
    with audit_source("import", kind="action plan columns", file=pending.filename):
        ColumnMapping.objects.update_or_create(
            signature=signature(headings),
            defaults={"headings": headings, "columns": columns, "updated_by": user},
        )
    pending.details = {
        "sheet": sheet,
        "header_row": header_row,
        "columns": columns,
        "remembered": False,
    }
    pending.save(update_fields=["details"])
    return pending


class PreviewChangedError(Exception):
    """The plan or the sheet changed between the preview and the confirmation."""


def read_pending_sheet(pending: PendingUpload, *, sheet_name: str | None = None) -> Sheet:
    return read_sheet(
        pending.read(),
        filename=pending.filename,
        sheet_name=sheet_name or pending.details.get("sheet"),
        max_rows=settings.IMPORT_MAX_ROWS,
        max_bytes=settings.IMPORT_MAX_SPREADSHEET_BYTES,
    )


@transaction.atomic
def action_plan_import(
    *, user, pending: PendingUpload, expected_fingerprint: str, today: dt.date | None = None
) -> ImportResult:
    """Import every row of the sheet, all or nothing, as previewed.

    The preview is worked out again inside the transaction with the existing actions locked;
    if it differs from the one the lead confirmed (someone changed an action meanwhile), raises
    PreviewChangedError and writes nothing. Raises ValidationError if any row has a problem."""
    _require_importer(user)
    today = today or timezone.localdate()
    sheet = read_pending_sheet(pending)
    preview = build_preview(
        sheet,
        header_row=pending.details["header_row"],
        columns=pending.details["columns"],
        today=today,
        lookups=Lookups.load(),
        lock=True,
    )
    if preview.fingerprint != expected_fingerprint:
        raise PreviewChangedError(
            "The plan changed after you checked the preview: check the new preview and import "
            "again."
        )
    if preview.has_problems:
        raise ValidationError("Some rows have problems: fix them in the sheet and upload it again.")
    try:
        with audit_source("import", kind="action plan", file=pending.filename):
            result = action_import_upsert(
                user=user, rows=preview.imported, source=pending.filename, on=today
            )
    except IntegrityError as error:
        raise PreviewChangedError(
            "Someone added or changed an action with one of these references while you were "
            "importing. Nothing was imported: check the new preview and import again."
        ) from error
    _pending_delete([pending])
    return result
