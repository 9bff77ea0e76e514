"""The Ofsted review form never stays silent, suggests short titles and earlier areas, and
takes a council's whole history in one upload."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from imports.models import PendingUpload
from imports.ofsted import same_council
from inspections.models import AreaForImprovement, Inspection
from inspections.ofsted_parser import Judgement, OfstedDraft
from tests.factories import (
    AreaForImprovementFactory,
    InspectionFactory,
    LocalAuthorityFactory,
    PendingUploadFactory,
)
from tests.imports.test_ofsted_import import date_boxes, form_data, review_url

pytestmark = pytest.mark.django_db

UPLOAD = reverse("imports:ofsted_upload")
REAL = Path(__file__).resolve().parents[2] / "inspections" / "demo_documents"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ofsted"


def pending(lead, **draft) -> PendingUpload:
    details = OfstedDraft(
        **{
            "local_authority": "Medway",
            "inspection_type": "ilacs_standard",
            "start_date": dt.date(2024, 3, 4),
            "end_date": dt.date(2024, 3, 15),
            **draft,
        }
    ).as_json_dict()
    return PendingUploadFactory(
        kind=PendingUpload.Kind.OFSTED,
        uploaded_by=lead,
        filename="report.pdf",
        file=ContentFile(b"%PDF-1.4 test", name="report.pdf"),
        details=details,
    )


def review_page(client, upload) -> str:
    response = client.get(reverse("imports:ofsted_review", args=[upload.pk]))
    assert response.status_code == 200
    return response.content.decode()


def warnings(html: str) -> list[str]:
    import re

    return [
        " ".join(re.sub(r"<[^>]+>", "", w).split()).removeprefix("Warning ")
        for w in re.findall(r'<strong class="govuk-warning-text__text">(.*?)</strong>', html, re.S)
    ]


# --- Never silent ------------------------------------------------------------------------


def test_an_ilacs_report_with_nothing_read_warns_twice(as_user, lead):
    html = review_page(as_user(lead), pending(lead))
    assert warnings(html) == [
        "No areas for improvement were read from this document, but an ILACS standard "
        "inspection normally lists them under “What needs to improve”. Check the document and "
        "add them below.",
        "No judgements were read from this document, but an ILACS standard inspection is "
        "graded. Check the judgement table in the document and add each judgement below.",
    ]


def test_a_focused_visit_without_areas_warns_but_needs_no_judgements(as_user, lead):
    html = review_page(as_user(lead), pending(lead, inspection_type="focused_visit"))
    assert warnings(html) == [
        "No areas for improvement were read from this document, but a focused visit normally "
        "lists them under “What needs to improve”. Check the document and add them below."
    ]


def test_a_complete_draft_of_our_council_has_no_warnings(as_user, lead):
    upload = pending(
        lead,
        local_authority="Medway",
        judgements=[Judgement("Overall effectiveness", "good")],
        areas_for_improvement=["The quality and consistency of management oversight."],
    )
    assert warnings(review_page(as_user(lead), upload)) == []


def test_a_monitoring_visit_without_areas_is_not_warned_about(as_user, lead):
    upload = pending(lead, inspection_type="monitoring_visit", areas_covered=["Permanence."])
    assert warnings(review_page(as_user(lead), upload)) == []


def test_another_councils_document_is_warned_about(as_user, lead, settings):
    settings.COUNCIL_NAME = "Medway Council"
    upload = pending(
        lead,
        local_authority="Harrow",
        judgements=[Judgement("Overall effectiveness", "good")],
        areas_for_improvement=["Supervision."],
    )
    assert warnings(review_page(as_user(lead), upload)) == [
        "This document is about Harrow, not Medway Council. Check it is the right one: it will "
        "be saved as another council’s inspection."
    ]
    nameless = pending(lead, local_authority=None, inspection_type="monitoring_visit")
    assert warnings(review_page(as_user(lead), nameless)) == [
        "No local authority was read from this document. Check it, and enter the council’s "
        "name below."
    ]


@pytest.mark.parametrize(
    ("one", "other", "same"),
    [
        ("Medway", "Medway Council", True),
        ("medway council", "Medway", True),
        ("Liverpool City Council", "Liverpool", True),
        ("Brighton & Hove", "Brighton and Hove City Council", True),
        ("Kingston upon Hull", "Hull City Council", False),  # not guessed: a warning is safer
        ("Harrow", "Medway Council", False),
        ("North Yorkshire", "Yorkshire", False),
        ("Kingston upon Thames", "Kingston upon Hull", False),
        ("", "Medway Council", False),
    ],
)
def test_council_names_compare_loosely(one, other, same):
    assert same_council(one, other) is same


def test_the_warning_follows_the_kind_the_lead_chose(as_user, lead):
    client = as_user(lead)
    upload = pending(lead, inspection_type="monitoring_visit")
    url = reverse("imports:ofsted_review", args=[upload.pk])
    data = form_data(client.get(url))
    data["kind"] = "focused_visit"
    data.update(date_boxes("end_date", dt.date(2024, 3, 1)))  # an error, so the page shows again
    html = client.post(url, data).content.decode()
    assert "but a focused visit normally lists them" in html


def test_duplicate_warning_uses_the_right_article(as_user, lead):
    InspectionFactory(
        local_authority=LocalAuthorityFactory(name="Medway"), start_date=dt.date(2024, 3, 4)
    )
    html = review_page(as_user(lead), pending(lead))
    assert "Medway already has an ILACS standard inspection that started on 4 March 2024" in html
    assert "a ilacs" not in html.lower()


@pytest.mark.parametrize(
    ("kind", "phrase"),
    [
        ("ilacs_standard", "an ILACS standard inspection"),
        ("ilacs_short", "an ILACS short inspection"),
        ("focused_visit", "a focused visit"),
        ("monitoring_visit", "a monitoring visit"),
        ("action_planning_visit", "an action planning visit"),
        ("jtai", "a joint targeted area inspection"),
    ],
)
def test_kinds_in_running_text(kind, phrase):
    assert Inspection.Kind.with_article(kind) == phrase


# --- Files that are not documents ----------------------------------------------------------


def test_a_web_page_named_pdf_is_refused_and_nothing_is_held(as_user, lead):
    page = b"<!DOCTYPE html>\n<html><head><title>Ofsted</title></head><body>Report</body></html>"
    response = as_user(lead).post(
        UPLOAD, {"document": SimpleUploadedFile("medway-report.pdf", page)}
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "“medway-report.pdf” is a web page (HTML), not the report’s PDF." in html
    assert "govuk-error-summary" in html
    assert not PendingUpload.objects.exists()


def test_text_that_came_named_pdf_is_kept_as_text(as_user, lead):
    client = as_user(lead)
    text = (FIXTURES / "ilacs_standard_2019_medway.txt").read_bytes()
    url = review_url(client.post(UPLOAD, {"document": SimpleUploadedFile("report.pdf", text)}))
    data = form_data(client.get(url))
    data["local_authority"] = data["local_authority"] or "Medway"
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    inspection = Inspection.objects.get()
    assert inspection.source_document.name.endswith(".txt")
    assert inspection.source_document.read() == text


# --- Short titles --------------------------------------------------------------------------


def test_each_area_gets_a_suggested_short_title_the_lead_can_change(as_user, lead):
    client = as_user(lead)
    upload = pending(
        lead,
        judgements=[Judgement("Overall effectiveness", "good")],
        areas_for_improvement=[
            "The quality and effectiveness of management oversight and supervision to make "
            "sure that children are protected from significant harm.",
            "Staffing capacity across children’s social care, early help hubs and leaving care "
            "teams.",
        ],
    )
    url = reverse("imports:ofsted_review", args=[upload.pk])
    data = form_data(client.get(url))
    assert data["areas-0-short_title"] == (
        "Quality and effectiveness of management oversight and supervision"
    )
    assert data["areas-1-short_title"] == "Staffing capacity"
    data["areas-0-short_title"] = "Oversight and supervision"
    data["areas-1-short_title"] = ""  # left blank: the suggestion is saved
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    titles = list(
        AreaForImprovement.objects.order_by("order").values_list("short_title", flat=True)
    )
    assert titles == ["Oversight and supervision", "Staffing capacity"]


# --- Suggested links to earlier areas --------------------------------------------------------


def test_a_later_visits_areas_are_linked_to_the_earlier_areas_they_revisit(as_user, lead):
    earlier = InspectionFactory(
        local_authority=LocalAuthorityFactory(name="Medway Council"),
        start_date=dt.date(2019, 7, 15),
    )
    oversight = AreaForImprovementFactory(
        inspection=earlier,
        order=1,
        text="The quality and effectiveness of management oversight and supervision to make "
        "sure that children are protected from significant harm.",
    )
    AreaForImprovementFactory(
        inspection=earlier,
        order=2,
        text="Services to help care leavers access suitable accommodation.",
    )
    upload = pending(
        lead,
        local_authority="Medway",
        inspection_type="focused_visit",
        start_date=dt.date(2025, 4, 29),
        end_date=dt.date(2025, 4, 30),
        areas_for_improvement=[
            "The quality and impact of management oversight and supervision to support "
            "children’s experiences improving in a timely way.",
            "Sufficiency of foster carers for sibling groups.",
        ],
    )
    client = as_user(lead)
    url = reverse("imports:ofsted_review", args=[upload.pk])
    page = client.get(url)
    data = form_data(page)
    assert data["areas-0-continues"] == str(oversight.pk)
    assert data["areas-1-continues"] == ""
    assert "Suggested because the wording is close to" in page.content.decode()
    assert client.post(url, data).status_code == 302
    later = Inspection.objects.get(start_date=dt.date(2025, 4, 29))
    assert later.areas_for_improvement.get(order=1).continues == oversight


# --- A council's history in one upload ------------------------------------------------------


def real(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, (REAL / name).read_bytes(), content_type="application/pdf")


def test_several_documents_become_drafts_in_date_order(as_user, lead):
    client = as_user(lead)
    response = client.post(
        UPLOAD,
        {
            "document": [
                real("focused_visit_medway_2025-jun-02.pdf"),
                real("ilacs_medway_2023-sep-11.pdf"),
                real("focused_visit_medway_2019-feb-28.pdf"),
            ]
        },
    )
    assert response.status_code == 302
    drafts = list(PendingUpload.objects.all())
    assert len(drafts) == 3
    batch = drafts[0].details["batch"]
    assert response["Location"] == reverse("imports:ofsted_batch", args=[batch])
    page = client.get(response["Location"]).content.decode()
    order = [
        page.index(name)
        for name in (
            "focused_visit_medway_2019-feb-28.pdf",
            "ilacs_medway_2023-sep-11.pdf",
            "focused_visit_medway_2025-jun-02.pdf",
        )
    ]
    assert order == sorted(order)
    assert "3 documents to check" in page

    # Saving the first takes the lead to the next, earliest first.
    first = min(drafts, key=lambda d: d.details["batch_place"])
    assert first.filename == "focused_visit_medway_2019-feb-28.pdf"
    url = reverse("imports:ofsted_review", args=[first.pk])
    review = client.get(url).content.decode()
    assert "Document 1 of 3: focused_visit_medway_2019-feb-28.pdf" in review
    saved = client.post(url, form_data(client.get(url)))
    second = PendingUpload.objects.get(details__batch_place=2)
    assert saved["Location"] == reverse("imports:ofsted_review", args=[second.pk])
    assert "now check the next document (2 left)" in (
        client.get(saved["Location"]).content.decode().lower()
    )
    assert Inspection.objects.get().start_date == dt.date(2019, 2, 5)


def test_an_empty_file_among_several_is_named_and_none_is_held(as_user, lead):
    response = as_user(lead).post(
        UPLOAD,
        {
            "document": [
                real("focused_visit_medway_2019-feb-28.pdf"),
                SimpleUploadedFile("saved-page.pdf", b"<html><body>Ofsted</body></html>"),
                SimpleUploadedFile("photo.pdf", b"\x89PNG\r\n\x1a\n" + b"\0" * 500),
                SimpleUploadedFile("empty.pdf", b""),
            ]
        },
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "“empty.pdf”: The submitted file is empty." in html
    assert html.count('class="govuk-error-summary"') == 1
    assert not PendingUpload.objects.exists()


def test_unreadable_files_among_several_are_each_named_and_none_is_held(as_user, lead):
    response = as_user(lead).post(
        UPLOAD,
        {
            "document": [
                real("focused_visit_medway_2019-feb-28.pdf"),
                SimpleUploadedFile("saved-page.pdf", b"<html><body>Ofsted</body></html>"),
                SimpleUploadedFile("photo.pdf", b"\x89PNG\r\n\x1a\n" + b"\0" * 500),
            ]
        },
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "“saved-page.pdf” is a web page (HTML)" in html
    assert "“photo.pdf” is a picture (PNG)" in html
    assert not PendingUpload.objects.exists()


def test_too_many_files_at_once_are_refused(as_user, lead):
    files = [SimpleUploadedFile(f"letter-{n}.txt", b"Focused visit") for n in range(13)]
    response = as_user(lead).post(UPLOAD, {"document": files})
    assert response.status_code == 422
    assert "Choose 12 files or fewer at a time. You chose 13." in response.content.decode()


def test_someone_elses_batch_is_not_found(as_user, lead, administrator):
    upload = pending(lead)
    upload.details = {**upload.details, "batch": "0b6f3f8e-5d8c-4c1e-9d1e-2a7f4c9b1a11"}
    upload.save()
    url = reverse("imports:ofsted_batch", args=[upload.details["batch"]])
    assert as_user(lead).get(url).status_code == 200
    assert as_user(administrator).get(url).status_code == 404


def test_review_dates_are_day_month_and_year_boxes_with_govuk_errors(as_user, lead):
    client = as_user(lead)
    upload = pending(lead)
    url = reverse("imports:ofsted_review", args=[upload.pk])
    page = client.get(url)
    html = page.content.decode()
    assert 'type="date"' not in html
    assert '<div class="govuk-date-input" id="id_start_date">' in html
    data = form_data(page)
    assert [data[f"start_date_{i}"] for i in range(3)] == ["4", "3", "2024"]  # from the PDF
    data.update({"start_date_0": "31", "start_date_1": "2", "published_date_2": ""})
    data.update({"published_date_0": "1", "published_date_1": "5"})
    response = client.post(url, data)
    assert response.status_code == 422
    html = response.content.decode()
    assert '<a href="#id_start_date_0">First day on site must be a real date</a>' in html
    assert (
        '<a href="#id_published_date_0">Date of the letter or report must include a year</a>'
        in html
    )
    assert Inspection.objects.count() == 0
