"""Uploaded files, checked in one place: what a file is (by its content, never its name),
how its text is decoded, and whether it is within its size limit.

The limits are settings (EVIDENCE_MAX_BYTES, IMPORT_MAX_DOCUMENT_BYTES,
IMPORT_MAX_SPREADSHEET_BYTES, BOARD_MINUTES_MAX_BYTES); what each upload accepts, and the
words it refuses a file with, stay with the app that takes it:

- actions: evidence documents (`check_upload`, GOV.UK's file upload messages);
- board: a meeting's minutes (`sniff`, `package_kind`, `is_utf8_text`);
- imports: action plan spreadsheets (`sniff`, `decode_text`);
- inspections: Ofsted reports and letters (`has_pdf_header`, `sniff`, `decode_text`).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable
from typing import IO

from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat

# Kinds of file, as `sniff` and `package_kind` name them.
PDF = "pdf"
PNG = "png"
JPEG = "jpeg"
GIF = "gif"
TIFF = "tiff"
RTF = "rtf"
OLE = "ole"  # an old-style Office file (.doc, .xls) or a password-protected workbook
ZIP = "zip"  # any zip, including an Office or OpenDocument package: see `package_kind`
DOCX = "docx"
XLSX = "xlsx"
PPTX = "pptx"
ODT = "odt"
ODS = "ods"

# The first bytes of each kind (a PNG's whole eight-byte signature).
_SIGNATURES = (
    (b"%PDF-", PDF),
    (b"\x89PNG\r\n\x1a\n", PNG),
    (b"\xff\xd8\xff", JPEG),
    (b"GIF8", GIF),
    (b"II*\x00", TIFF),
    (b"MM\x00*", TIFF),
    (b"{\\rtf", RTF),
    (b"\xd0\xcf\x11\xe0", OLE),
    (b"PK\x03\x04", ZIP),
)
SNIFF_BYTES = 8  # enough for every signature above

_OOXML = "application/vnd.openxmlformats-officedocument."
_ODF = "application/vnd.oasis.opendocument."
# The main part of each Office Open XML package (which also has [Content_Types].xml).
_OOXML_PARTS = {"word/document.xml": DOCX, "xl/workbook.xml": XLSX, "ppt/presentation.xml": PPTX}
# The `mimetype` member of each OpenDocument package.
_ODF_MIMETYPES = {(_ODF + "text").encode(): ODT, (_ODF + "spreadsheet").encode(): ODS}

# Content type, suffix and the name people know, for the kinds an upload may keep.
CONTENT_TYPES = {
    PDF: ("application/pdf", ".pdf", "PDF"),
    DOCX: (_OOXML + "wordprocessingml.document", ".docx", "Word"),
    XLSX: (_OOXML + "spreadsheetml.sheet", ".xlsx", "Excel"),
    PPTX: (_OOXML + "presentationml.presentation", ".pptx", "PowerPoint"),
    ODT: (_ODF + "text", ".odt", "OpenDocument text"),
    ODS: (_ODF + "spreadsheet", ".ods", "OpenDocument spreadsheet"),
    PNG: ("image/png", ".png", "PNG"),
    JPEG: ("image/jpeg", ".jpg", "JPEG"),
}


def _head(data: bytes | IO[bytes], size: int) -> bytes:
    """The first `size` bytes of bytes or of a file (left where it was found)."""
    if isinstance(data, bytes | bytearray | memoryview):
        return bytes(data[:size])
    position = data.tell()
    data.seek(0)
    try:
        return data.read(size)
    finally:
        data.seek(position)


def sniff(data: bytes | IO[bytes]) -> str | None:
    """The kind of file, from its first bytes: one of PDF, PNG, JPEG, GIF, TIFF, RTF, OLE
    or ZIP, or None (perhaps plain text). A ZIP may be an Office or OpenDocument package:
    `package_kind` tells which."""
    head = _head(data, SNIFF_BYTES)
    return next((kind for signature, kind in _SIGNATURES if head.startswith(signature)), None)


def has_pdf_header(data: bytes) -> bool:
    """Whether `%PDF-` is within the first 1024 bytes, where PDF readers accept it (a
    download can carry a little junk first). `sniff` wants it at the very start."""
    return b"%PDF-" in bytes(data[:1024])


def package_kind(data: bytes | IO[bytes]) -> str | None:
    """DOCX, XLSX, PPTX (an Office Open XML package: [Content_Types].xml and its main part),
    ODT or ODS (an OpenDocument package, by its `mimetype` member), or None for any other
    or a damaged zip. Only the zip's directory is read (and that one small member): nothing
    else is unpacked, so a zip bomb costs nothing here."""
    source: IO[bytes]
    if isinstance(data, bytes | bytearray | memoryview):
        source, position = io.BytesIO(bytes(data)), None
    else:
        source, position = data, data.tell()
    try:
        with zipfile.ZipFile(source) as package:
            names = set(package.namelist())
            if "[Content_Types].xml" in names:
                return next((kind for part, kind in _OOXML_PARTS.items() if part in names), None)
            if "mimetype" in names and package.getinfo("mimetype").file_size <= 100:
                return _ODF_MIMETYPES.get(package.read("mimetype").strip())
    except (zipfile.BadZipFile, ValueError, OSError, KeyError):
        return None
    finally:
        if position is not None:
            source.seek(position)
    return None


def identify(data: bytes | IO[bytes]) -> str | None:
    """`sniff`, looking into a zip: DOCX, XLSX, PPTX, ODT or ODS for a package of one of
    those, ZIP for any other (or damaged) zip."""
    kind = sniff(data)
    if kind == ZIP:
        return package_kind(data) or ZIP
    return kind


def decode_text(data: bytes) -> str:
    """Text from an uploaded file: UTF-16 or UTF-8 by its byte-order mark, else UTF-8,
    else Windows-1252 (what Excel and Notepad save in England). Never fails: bytes that
    mean nothing become U+FFFD, for the caller to judge."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def is_utf8_text(head: bytes) -> bool:
    """Whether the first bytes of a file read as UTF-8 text: no NUL bytes, and valid UTF-8
    apart from a character cut at the end of the sample."""
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        return error.start >= len(head) - 3
    return True


def format_size(size: int) -> str:
    """10485760 → "10 MB"; other sizes as Django shows file sizes ("1.5 MB", "500 bytes"),
    with an ordinary space."""
    megabytes = size / 1024 / 1024
    if megabytes >= 1 and megabytes == int(megabytes):
        return f"{int(megabytes)} MB"
    return filesizeformat(size).replace("\xa0", " ")


def _names(kinds: Iterable[str]) -> str:
    names = [CONTENT_TYPES[kind][2] for kind in kinds]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"


def check_upload(file, *, allowed: Iterable[str], max_bytes: int) -> str:
    """The kind of an uploaded file (a key of CONTENT_TYPES) if it is one of `allowed`, not
    empty and at most `max_bytes`; else ValidationError with GOV.UK's file upload message
    ("The selected file is empty", "... must be smaller than 10 MB", "... must be a PDF,
    Word or PNG file"). Decided by content: a zip must be the allowed Office package."""
    allowed = list(allowed)
    if not file.size:
        raise ValidationError("The selected file is empty", code="empty")
    if file.size > max_bytes:
        raise ValidationError(
            f"The selected file must be smaller than {format_size(max_bytes)}", code="size"
        )
    kind = identify(file)
    if kind not in allowed:
        raise ValidationError(f"The selected file must be a {_names(allowed)} file", code="type")
    return kind
