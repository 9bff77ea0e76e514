"""Files in STORAGES["default"] (the filesystem, Azure Blob Storage or S3; docs/storage.md).

Two rules hold for every file the app keeps:

- A file is written with the row that names it, or not at all. Services that store a file
  run in `atomic_with_files()` and call `file_written()` for each file they store; if the
  block does not commit, those files are deleted again. A file a change replaces or removes
  goes with `file_delete_on_commit()`, once the change is safely saved.
- A file is read only through a view that has checked who is asking: `file_download()`
  streams it, or redirects to a signed URL that expires after STORAGE_SIGNED_URL_SECONDS.
  No file ever has a public URL.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import FileSystemStorage, Storage
from django.db import transaction
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.utils.http import content_disposition_header

logger = logging.getLogger(__name__)

_written: ContextVar[list[tuple[Storage, str]] | None] = ContextVar("files_written", default=None)


@contextmanager
def atomic_with_files() -> Iterator[None]:
    """`transaction.atomic()` that also takes back the files stored inside it: if the block
    raises, or its commit fails, every file passed to `file_written()` in it is deleted.
    Nested blocks hand their files to the enclosing one, so a file stays only if the
    outermost block commits. Works as a decorator too."""
    outer = _written.get()
    files: list[tuple[Storage, str]] = [] if outer is None else outer
    start = len(files)
    token = _written.set(files)
    try:
        with transaction.atomic():
            yield
    except BaseException:
        _delete(files[start:])
        del files[start:]
        raise
    finally:
        _written.reset(token)


def file_written(storage: Storage, name: str) -> None:
    """Record a file just stored, to be deleted if the enclosing `atomic_with_files()` block
    does not commit."""
    files = _written.get()
    if files is None:
        _delete([(storage, name)])
        raise RuntimeError("Files must be stored inside atomic_with_files().")
    files.append((storage, name))


def field_file_save(field_file: FieldFile, name: str, content) -> str:
    """Store `content` for a FileField (under its upload_to), without saving the row, and
    record it with `file_written()`. Returns the stored name."""
    field_file.save(name, content, save=False)
    stored = field_file.name
    assert stored is not None  # save() named it
    file_written(field_file.storage, stored)
    return stored


def file_delete_on_commit(storage: Storage, name: str) -> None:
    """Delete a file that a change replaced or removed, once that change has committed."""
    if name:
        transaction.on_commit(lambda: _delete([(storage, name)]))


def _delete(files: list[tuple[Storage, str]]) -> None:
    for storage, name in reversed(files):
        try:
            storage.delete(name)
        except Exception:  # the first error matters more; the name is logged to clean up
            logger.exception("Could not delete stored file %s", name)


# --- Downloads -----------------------------------------------------------------------------


def file_download(
    file: FieldFile | None = None,
    *,
    storage: Storage | None = None,
    name: str | None = "",
    filename: str,
    content_type: str | None = None,
) -> HttpResponseBase:
    """The response for a permitted download of a stored file (call it only after checking
    who is asking): the bytes streamed through this process, or, with
    STORAGE_DOWNLOADS=redirect and an object store, a redirect to a URL signed for
    STORAGE_SIGNED_URL_SECONDS. Raises Http404 if the file is missing from storage."""
    if file is not None:
        storage, name = file.storage, file.name
    if storage is None or not name:
        raise Http404("No document is stored.")
    content_type = content_type or "application/octet-stream"
    if settings.STORAGE_DOWNLOADS == "redirect" and not isinstance(storage, FileSystemStorage):
        response: HttpResponseBase = HttpResponseRedirect(
            signed_url(storage, name, filename=filename, content_type=content_type)
        )
    else:
        try:
            handle = storage.open(name, "rb")
            handle.read(0)  # object stores fetch on first read: fail here, not mid-stream
        except Exception as error:
            if _is_missing(error):
                raise Http404("The document is missing from storage.") from error
            raise
        response = FileResponse(
            handle, as_attachment=True, filename=filename, content_type=content_type
        )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def _is_missing(error: Exception) -> bool:
    """FileNotFoundError from the filesystem, 404 from S3 (botocore's ClientError), or
    Azure's ResourceNotFoundError."""
    if isinstance(error, FileNotFoundError):
        return True
    response = getattr(error, "response", None)
    code = response.get("Error", {}).get("Code") if isinstance(response, dict) else None
    return code in ("404", "NoSuchKey") or type(error).__name__ == "ResourceNotFoundError"


def signed_url(storage: Storage, name: str, *, filename: str, content_type: str) -> str:
    """A URL for one object that works for STORAGE_SIGNED_URL_SECONDS and makes the browser
    save it under `filename`."""
    disposition = content_disposition_header(True, filename)
    expire = settings.STORAGE_SIGNED_URL_SECONDS
    from storages.backends.azure_storage import AzureStorage
    from storages.backends.s3 import S3Storage

    if isinstance(storage, S3Storage):
        return storage.url(
            name,
            parameters={
                "ResponseContentDisposition": disposition,
                "ResponseContentType": content_type,
            },
            expire=expire,
        )
    if isinstance(storage, AzureStorage):
        return storage.url(
            name,
            expire=expire,
            parameters={"content_disposition": disposition, "content_type": content_type},
        )
    raise ImproperlyConfigured(f"No signed URLs for {type(storage).__name__}; stream instead.")
