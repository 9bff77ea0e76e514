"""Writes for imports: holding an upload until it is confirmed, saving a reviewed Ofsted draft
as an inspection, remembering column choices, and importing an action plan sheet."""

from __future__ import annotations

import datetime as dt
import logging
import uuid

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.text import get_valid_filename

from accounts import permissions
from actions.services import ImportResult
from audit.context import audit_source
from core import uploads
from core.storage import atomic_with_files, field_file_save, file_delete_on_commit
from imports.action_plan import (
    Lookups,
    build_preview,
    guess_columns,
    guess_header_row,
    headings_of,
    signature,
)
from imports.action_plan_checks import action_import_upsert
from imports.models import ColumnMapping, PendingUpload
from imports.ofsted import refuse_unreadable
from imports.spreadsheets import Sheet, read_sheet
from inspections.models import (
    AreaCovered,
    AreaForImprovement,
    Inspection,
    Judgement,
    LocalAuthority,
)
from inspections.ofsted_parser import OfstedDocumentError, parse_document
from inspections.short_titles import suggest_short_title

logger = logging.getLogger(__name__)


# --- Uploads waiting for confirmation ------------------------------------------------------


def _require_importer(user) -> None:
    if not permissions.can_import(user):
        raise PermissionDenied("Only improvement leads can import.")


@atomic_with_files()
def pending_upload_create(
    *,
    user,
    kind: str,
    filename: str,
    content: bytes,
    details: dict | None = None,
    sheet: Sheet | None = None,
) -> PendingUpload:
    """Hold an upload until it is confirmed: the bytes in storage, under a random name."""
    _require_importer(user)
    upload = PendingUpload(
        kind=kind,
        uploaded_by=user,
        filename=_display_name(filename),
        details=details or {},
        sheet=sheet.as_json() if sheet is not None else None,
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


class OfstedUploadError(Exception):
    """One or more of the files cannot be read. `messages` has one line for each, for the
    user, naming the file."""

    def __init__(self, messages: list[str]):
        super().__init__(" ".join(messages))
        self.messages = messages


def _read_draft(content: bytes, filename: str) -> dict:
    why_not = refuse_unreadable(content, filename)
    if why_not:
        raise OfstedDocumentError(why_not)
    return parse_document(content, filename=filename).as_json_dict()


def _draft_sort_key(upload: PendingUpload) -> tuple:
    start = upload.details.get("start_date") or "9999-12-31"
    return (start, upload.details.get("published_date") or "", upload.filename)


def ofsted_draft_create(*, user, content: bytes, filename: str) -> PendingUpload:
    """Read an Ofsted document and hold it, with the draft read from it, for review.
    Raises OfstedDocumentError (with a message for the user) if it cannot be read."""
    _require_importer(user)
    return pending_upload_create(
        user=user,
        kind=PendingUpload.Kind.OFSTED,
        filename=filename,
        content=content,
        details=_read_draft(content, filename),
    )


@transaction.atomic
def ofsted_drafts_create(*, user, documents: list[tuple[bytes, str]]) -> list[PendingUpload]:
    """Read several Ofsted documents (a council's history) and hold each, with its draft, for
    review, earliest visit first. All or nothing: if any file cannot be read, raises
    OfstedUploadError naming each such file, and holds none of them.

    Several files share a batch id in their details, and their place in date order, so the
    review pages can take the lead from one to the next: a later visit's review suggests
    links to the areas saved from the earlier ones."""
    _require_importer(user)
    drafts, problems = [], []
    for content, filename in documents:
        try:
            drafts.append((content, filename, _read_draft(content, filename)))
        except OfstedDocumentError as error:
            problems.append(str(error))
    if problems:
        raise OfstedUploadError(problems)
    batch = str(uuid.uuid4()) if len(drafts) > 1 else None
    uploads = [
        pending_upload_create(
            user=user,
            kind=PendingUpload.Kind.OFSTED,
            filename=filename,
            content=content,
            details=details,
        )
        for content, filename, details in drafts
    ]
    uploads.sort(key=_draft_sort_key)
    if batch:
        for place, upload in enumerate(uploads, start=1):
            upload.details = {
                **upload.details,
                "batch": batch,
                "batch_place": place,
                "batch_size": len(uploads),
            }
            upload.save(update_fields=["details"])
    return uploads


def ofsted_batch_for(*, user, batch: str) -> list[PendingUpload]:
    """The user's drafts from one upload of several documents still waiting for review,
    earliest visit first."""
    _require_importer(user)
    uploads = list(
        PendingUpload.objects.filter(
            kind=PendingUpload.Kind.OFSTED, uploaded_by=user, details__batch=batch
        )
    )
    return sorted(uploads, key=lambda u: u.details.get("batch_place", 0))


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
        content = pending.read()
        field_file_save(
            inspection.source_document, _stored_name(pending, content), ContentFile(content)
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
                short_title=a.get("short_title") or suggest_short_title(a["text"]),
                is_priority_action=a["is_priority_action"],
                continues=a.get("continues"),
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


def _stored_name(pending: PendingUpload, content: bytes) -> str:
    """The file name to keep the document under: text is kept as .txt even if it came
    named .pdf, so nobody opens it expecting a PDF."""
    name = get_valid_filename(pending.filename) or "document"
    if not uploads.has_pdf_header(content) and not name.lower().endswith(".txt"):
        name = f"{name.rsplit('.', 1)[0] if '.' in name else name}.txt"
    return name


# --- Action plan spreadsheets --------------------------------------------------------------


def action_plan_upload_create(*, user, content: bytes, filename: str) -> PendingUpload:
    """Hold an action plan sheet that reads cleanly, with where its headings are and the
    column choices remembered for sheets with the same headings, if any. Raises
    SpreadsheetError (with a message for the user) if it cannot be read."""
    _require_importer(user)
    # A notes or cover sheet first: the first sheet that looks like the plan is read.
    sheet = read_sheet(
        content,
        filename=filename,
        max_rows=settings.IMPORT_MAX_ROWS,
        max_bytes=settings.IMPORT_MAX_SPREADSHEET_BYTES,
        choose=_looks_like_a_plan,
    )
    header_row = guess_header_row(sheet.rows)
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
        sheet=sheet,
    )


def _looks_like_a_plan(first_rows: list[list[object]]) -> bool:
    """At least two of the first rows' headings are ones the import knows."""
    peek = Sheet(name="", rows=first_rows, sheet_names=[])
    return len(guess_columns(headings_of(peek, guess_header_row(first_rows)))) >= 2


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
    """The upload's sheet as parsed at upload. Only when the lead picks another sheet (or an
    upload from before sheets were kept) is the workbook read again, once: the sheet read
    is kept in place of the old one."""
    kept, wanted = pending.sheet, sheet_name or pending.details.get("sheet")
    if kept and kept["name"] == wanted:
        return Sheet.from_json(kept)
    sheet = read_sheet(
        pending.read(),
        filename=pending.filename,
        sheet_name=wanted,
        max_rows=settings.IMPORT_MAX_ROWS,
        max_bytes=settings.IMPORT_MAX_SPREADSHEET_BYTES,
    )
    pending.sheet = sheet.as_json()
    PendingUpload.objects.filter(pk=pending.pk).update(sheet=pending.sheet)
    return sheet


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
