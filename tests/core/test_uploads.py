"""core.uploads: a file's kind from its content, its text decoded, its size held to a limit."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from core import uploads

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(16)
JPEG = b"\xff\xd8\xff\xe0" + bytes(16)


def package(members: dict[str, bytes | str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


DOCX = package({"[Content_Types].xml": "<Types/>", "word/document.xml": "<w/>"})
XLSX = package({"[Content_Types].xml": "<Types/>", "xl/workbook.xml": "<x/>"})
PPTX = package({"[Content_Types].xml": "<Types/>", "ppt/presentation.xml": "<p/>"})
ODT = package({"mimetype": "application/vnd.oasis.opendocument.text", "content.xml": "<o/>"})
ODS = package({"mimetype": "application/vnd.oasis.opendocument.spreadsheet"})


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (PDF, uploads.PDF),
        (PNG, uploads.PNG),
        (JPEG, uploads.JPEG),
        (b"GIF89a" + bytes(10), uploads.GIF),
        (b"II*\x00" + bytes(10), uploads.TIFF),
        (b"MM\x00*" + bytes(10), uploads.TIFF),
        (b"{\\rtf1\\ansi hello}", uploads.RTF),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(10), uploads.OLE),
        (DOCX, uploads.ZIP),
        (b"Reference,Title\n1,Do it\n", None),
        (b"junk before %PDF-1.4", None),  # sniff wants the signature at the start
        (b"\x89PNG but not the rest of the signature", None),
        (b"", None),
    ],
)
def test_sniff_names_a_file_by_its_first_bytes(data, kind):
    assert uploads.sniff(data) == kind


def test_sniff_reads_a_file_and_leaves_it_where_it_was():
    file = SimpleUploadedFile("anything.txt", PDF)
    file.seek(3)
    assert uploads.sniff(file) == uploads.PDF
    assert file.tell() == 3


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (DOCX, uploads.DOCX),
        (XLSX, uploads.XLSX),
        (PPTX, uploads.PPTX),
        (ODT, uploads.ODT),
        (ODS, uploads.ODS),
        (package({"word/document.xml": "<w/>"}), uploads.ZIP),  # no [Content_Types].xml
        (package({"notes.txt": "hello"}), uploads.ZIP),
        (b"PK\x03\x04 not really a zip", uploads.ZIP),
        (PDF, uploads.PDF),
        (b"plain text", None),
    ],
)
def test_identify_looks_into_office_and_opendocument_packages(data, kind):
    assert uploads.identify(data) == kind
    assert uploads.identify(io.BytesIO(data)) == kind


def test_package_kind_of_a_damaged_zip_is_none():
    assert uploads.package_kind(b"PK\x03\x04 not really a zip") is None
    assert uploads.package_kind(DOCX) == uploads.DOCX


def test_a_pdf_header_may_follow_a_little_junk():
    assert uploads.has_pdf_header(b"\r\n" + PDF)
    assert uploads.has_pdf_header(b"x" * 1000 + PDF)
    assert not uploads.has_pdf_header(b"x" * 1024 + PDF)
    assert not uploads.has_pdf_header(b"<html>not a pdf</html>")


@pytest.mark.parametrize(
    ("data", "text"),
    [
        ("Café £5".encode(), "Café £5"),
        (b"\xef\xbb\xbf" + "Café".encode(), "Café"),
        ("\ufeffCafé".encode("utf-16-le"), "Café"),
        ("\ufeffCafé".encode("utf-16-be"), "Café"),
        ("Café £5 – ok".encode("cp1252"), "Café £5 – ok"),  # Excel's "CSV" in England
        (b"", ""),
    ],
)
def test_decode_text_follows_the_byte_order_mark_then_utf8_then_windows_1252(data, text):
    assert uploads.decode_text(data) == text


def test_is_utf8_text():
    assert uploads.is_utf8_text("Minutes of the board — 3 March".encode())
    assert not uploads.is_utf8_text(b"Minutes\x00of the board")
    assert not uploads.is_utf8_text("Café".encode("cp1252") + b" and more")
    cut = "Board £".encode()[:-1]  # a character cut at the end of a sample
    assert uploads.is_utf8_text(cut)


@pytest.mark.parametrize(
    ("size", "words"),
    [(10 * 1024 * 1024, "10 MB"), (20 * 1024 * 1024, "20 MB"), (1536 * 1024, "1.5 MB")],
)
def test_format_size(size, words):
    assert uploads.format_size(size) == words


def upload(data: bytes, name: str = "file.bin") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


ALLOWED = (uploads.PDF, uploads.DOCX, uploads.PNG)
NOT_ALLOWED = "The selected file must be a PDF, Word or PNG file"


@pytest.mark.parametrize(
    ("data", "kind"), [(PDF, uploads.PDF), (DOCX, uploads.DOCX), (PNG, uploads.PNG)]
)
def test_check_upload_returns_the_kind_decided_by_content(data, kind):
    assert uploads.check_upload(upload(data, "misnamed.txt"), allowed=ALLOWED, max_bytes=1000) == (
        kind
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The selected file is empty"),
        (PDF + bytes(1000), "The selected file must be smaller than 1000 bytes"),
        (JPEG, NOT_ALLOWED),
        (XLSX, NOT_ALLOWED),
        (package({"word/document.xml": "<w/>"}), NOT_ALLOWED),
        (b"just text", NOT_ALLOWED),
    ],
)
def test_check_upload_refuses_with_govuk_messages(data, message):
    with pytest.raises(ValidationError) as refused:
        uploads.check_upload(upload(data), allowed=ALLOWED, max_bytes=1000)
    assert refused.value.messages == [message]


def test_check_upload_names_a_single_allowed_kind():
    with pytest.raises(ValidationError, match="The selected file must be a PDF file"):
        uploads.check_upload(upload(PNG), allowed=[uploads.PDF], max_bytes=1000)


def test_check_upload_size_limit_in_megabytes():
    big = PDF + bytes(2 * 1024 * 1024)
    with pytest.raises(ValidationError, match="must be smaller than 2 MB"):
        uploads.check_upload(upload(big), allowed=ALLOWED, max_bytes=2 * 1024 * 1024)
