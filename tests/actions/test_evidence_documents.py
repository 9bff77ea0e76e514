"""Documents as evidence: checked by content, stored under a random name, served only
under their own action to signed-in people."""

import io
import zipfile

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from actions.models import Evidence
from actions.services import evidence_add_document
from tests.factories import ActionFactory, EvidenceFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32
NOT_ALLOWED = "The selected file must be a PDF, Word, Excel, PowerPoint, PNG or JPEG file"


def ooxml(main_part: str, *, content_types: bool = True) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        if content_types:
            package.writestr("[Content_Types].xml", "<Types/>")
        package.writestr(main_part, "<document/>")
    return buffer.getvalue()


def add(user, action, name, data, description=""):
    return evidence_add_document(
        user=user,
        action=action,
        uploaded_file=SimpleUploadedFile(name, data),
        description=description,
    )


def stored_files(media_root) -> list:
    return [p for p in media_root.rglob("*") if p.is_file()]


@pytest.mark.parametrize(
    ("name", "data", "content_type", "suffix"),
    [
        ("report.pdf", PDF, "application/pdf", ".pdf"),
        (
            "plan.docx",
            ooxml("word/document.xml"),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            ".docx",
        ),  # noqa: E501
        (
            "figures.xlsx",
            ooxml("xl/workbook.xml"),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ".xlsx",
        ),  # noqa: E501
        (
            "slides.pptx",
            ooxml("ppt/presentation.xml"),
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
            ".pptx",
        ),  # noqa: E501
        ("chart.png", PNG, "image/png", ".png"),
        # The name does not decide: a PDF called .txt is still a PDF.
        ("photo.txt", JPEG, "image/jpeg", ".jpg"),
    ],
)
def test_accepted_documents_are_stored_under_a_random_name(
    officer, action, media_root, name, data, content_type, suffix
):
    evidence = add(officer, action, name, data, description="  Audit findings  ")
    evidence.refresh_from_db()
    assert evidence.action == action
    assert evidence.original_name == name.rsplit(".", 1)[0] + suffix
    assert evidence.content_type == content_type
    assert evidence.size == len(data)
    assert evidence.note == "Audit findings"
    assert evidence.file.name.startswith("evidence/")
    assert evidence.file.name.endswith(suffix)
    assert name.rsplit(".", 1)[0] not in evidence.file.name
    assert evidence.file.read() == data


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("setup.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64),  # a Windows program
        ("page.pdf", b"<!DOCTYPE html><script>alert(1)</script>"),
        ("archive.docx", ooxml("word/document.xml", content_types=False)),  # a plain zip
        ("broken.docx", b"PK\x03\x04 not really a zip"),
        ("drawing.pdf", b"GIF89a" + b"\x00" * 16),
    ],
)
def test_other_files_are_refused_by_content_and_nothing_is_saved(
    officer, action, media_root, name, data
):
    with pytest.raises(ValidationError) as refused:
        add(officer, action, name, data)
    assert refused.value.message_dict == {"document": [NOT_ALLOWED]}
    assert not Evidence.objects.exists()
    assert stored_files(media_root) == []


def test_an_empty_file_is_refused(officer, action, media_root):
    with pytest.raises(ValidationError) as refused:
        add(officer, action, "empty.pdf", b"")
    assert refused.value.message_dict == {"document": ["The selected file is empty"]}
    assert not Evidence.objects.exists()
    assert stored_files(media_root) == []


def test_a_file_over_the_limit_is_refused(officer, action, media_root, settings):
    settings.EVIDENCE_MAX_BYTES = 2 * 1024 * 1024
    add(officer, action, "just-fits.pdf", PDF + b"0" * (2 * 1024 * 1024 - len(PDF)))
    with pytest.raises(ValidationError) as refused:
        add(officer, action, "big.pdf", PDF + b"0" * (2 * 1024 * 1024))
    assert refused.value.message_dict == {
        "document": ["The selected file must be smaller than 2 MB"]
    }
    assert Evidence.objects.count() == 1
    assert len(stored_files(media_root)) == 1


def test_the_default_limit_is_10_mb(settings):
    assert settings.EVIDENCE_MAX_BYTES == 10 * 1024 * 1024


def test_the_original_name_is_cleaned(officer, action):
    evidence = add(officer, action, "C:\\Users\\me\\Board\x00 report\n.pdf", PDF)
    assert evidence.original_name == "Board report.pdf"
    assert add(officer, action, "\x01\x02", PDF).original_name == "document.pdf"


@pytest.mark.parametrize(
    ("name", "data", "stored_as"),
    [
        # The probe: a PDF header with HTML and script behind it, named .html.
        ("minutes.html", PDF + b"<html><script>alert(1)</script></html>", "minutes.pdf"),
        ("report.docx", PDF, "report.pdf"),
        ("photo.png", JPEG, "photo.jpg"),
        ("photo.JPEG", JPEG, "photo.JPEG"),
        ("Report.PDF", PDF, "Report.PDF"),
        ("slides.pdf", ooxml("ppt/presentation.xml"), "slides.pptx"),
        ("Board report", PDF, "Board report.pdf"),
        ("v1.2 final", PDF, "v1.2 final.pdf"),
    ],
)
def test_the_name_carries_the_suffix_of_the_detected_type(
    as_user, officer, action, name, data, stored_as
):
    evidence = add(officer, action, name, data)
    assert evidence.original_name == stored_as
    assert evidence.file.name.endswith(stored_as.rsplit(".", 1)[1].lower().replace("jpeg", "jpg"))
    response = as_user(officer).get(
        reverse("actions:evidence_download", args=[action.pk, evidence.pk])
    )
    assert response["Content-Disposition"] == f'attachment; filename="{stored_as}"'


def test_a_long_name_keeps_its_suffix(officer, action):
    evidence = add(officer, action, "x" * 300 + ".html", PDF)
    assert 250 <= len(evidence.original_name) <= 255
    assert evidence.original_name.endswith("x.pdf")


def test_officer_cannot_add_documents_to_someone_elses_action(other_officer, action):
    with pytest.raises(PermissionDenied):
        add(other_officer, action, "report.pdf", PDF)
    assert not Evidence.objects.exists()


# --- Views ------------------------------------------------------------------------------


def upload(client, action, name="report.pdf", data=PDF, description=""):
    return client.post(
        reverse("actions:evidence_create", args=[action.pk]),
        {
            f"e{action.pk}-document": SimpleUploadedFile(name, data),
            f"e{action.pk}-description": description,
        },
        follow=True,
    )


def document_evidence(action, user, name="report.pdf", data=PDF) -> Evidence:
    return EvidenceFactory(
        action=action,
        file=ContentFile(data, name="0123abcd.pdf"),
        original_name=name,
        content_type="application/pdf",
        size=len(data),
        added_by=user,
    )


def test_owner_uploads_a_document_and_sees_it_listed(as_user, officer, action):
    response = upload(as_user(officer), action, name="Audit <b>2025.pdf")
    assert response.redirect_chain == [(action.get_absolute_url(), 302)]
    html = response.content.decode()
    assert "govuk-notification-banner--success" in html
    assert "Audit &lt;b&gt;2025.pdf added as evidence." in html
    evidence = action.evidence.get()
    url = reverse("actions:evidence_download", args=[action.pk, evidence.pk])
    assert f'href="{url}">Download Audit &lt;b&gt;2025.pdf (PDF, 1 KB)</a>' in html


def test_the_page_offers_the_upload_form_only_to_people_who_may_edit(
    as_user, officer, other_officer, board_member, action
):
    url = reverse("actions:evidence_create", args=[action.pk])
    page = as_user(officer).get(action.get_absolute_url()).content.decode()
    assert "Add a document as evidence" in page
    assert f'action="{url}" enctype="multipart/form-data"' in page
    for user in (other_officer, board_member):
        assert (
            "Add a document as evidence"
            not in as_user(user).get(action.get_absolute_url()).content.decode()
        )


def test_a_refused_file_shows_the_error_on_the_action_page(as_user, officer, action):
    response = upload(as_user(officer), action, name="virus.pdf", data=b"MZ\x90\x00")
    assert response.status_code == 422
    html = response.content.decode()
    assert "There is a problem" in html
    assert NOT_ALLOWED in html
    assert "<title>Error:" in html
    assert not Evidence.objects.exists()


def test_uploading_without_choosing_a_file_asks_for_one(as_user, officer, action):
    response = as_user(officer).post(reverse("actions:evidence_create", args=[action.pk]), {})
    assert response.status_code == 422
    assert "Select a file" in response.content.decode()


def test_another_officer_cannot_upload(as_user, other_officer, action):
    response = upload(as_user(other_officer), action)
    assert response.status_code == 403
    assert not Evidence.objects.exists()


def test_board_member_downloads_a_document(as_user, board_member, officer, action):
    evidence = document_evidence(action, officer, name='Board "final" report.pdf')
    response = as_user(board_member).get(
        reverse("actions:evidence_download", args=[action.pk, evidence.pk])
    )
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        'attachment; filename="Board \\"final\\" report.pdf"'
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]


def test_anonymous_visitors_are_sent_to_sign_in_for_a_download(client, officer, action):
    evidence = document_evidence(action, officer)
    response = client.get(reverse("actions:evidence_download", args=[action.pk, evidence.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_evidence_of_another_action_is_not_found(as_user, officer, action):
    evidence = document_evidence(ActionFactory(), officer)
    response = as_user(officer).get(
        reverse("actions:evidence_download", args=[action.pk, evidence.pk])
    )
    assert response.status_code == 404


def test_evidence_without_a_document_is_not_found(as_user, officer, action):
    note = EvidenceFactory(action=action, note="Minutes agreed", added_by=officer)
    response = as_user(officer).get(reverse("actions:evidence_download", args=[action.pk, note.pk]))
    assert response.status_code == 404
