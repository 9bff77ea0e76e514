"""Ofsted document → draft inspection → reviewed and saved, through the upload pages."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from imports.models import PendingUpload
from imports.ofsted import canonical_area, canonical_area_key, suggest_revisits
from inspections import demo as inspections_demo
from inspections.models import (
    AreaCovered,
    AreaForImprovement,
    Grade,
    Inspection,
    Judgement,
    JudgementArea,
    LocalAuthority,
)
from tests.factories import AreaForImprovementFactory, InspectionFactory, LocalAuthorityFactory
from tests.seeds import MEDWAY_LETTER

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ofsted"
UPLOAD = reverse("imports:ofsted_upload")


def upload(client, path: Path, name: str | None = None):
    document = SimpleUploadedFile(name or path.name, path.read_bytes())
    return client.post(UPLOAD, {"document": document})


def review_url(response) -> str:
    assert response.status_code == 302, response.content.decode()[:2000]
    return response["Location"]


def form_data(page) -> dict:
    """The review form's fields as the browser would submit them, from the rendered page."""
    html = page.content.decode()
    form = html[
        html.index('id="review-form"') : html.index("</form>", html.index('id="review-form"'))
    ]
    data: dict[str, str] = {}
    for tag in re.finditer(r"<input\b[^>]*>", form):
        attrs = dict(re.findall(r'(\w[\w-]*)="([^"]*)"', tag.group()))
        name, kind = attrs.get("name"), attrs.get("type", "text")
        if not name or kind == "submit":
            continue
        if kind in {"radio", "checkbox"}:
            if re.search(r"\schecked\b", tag.group()):
                data[name] = attrs.get("value", "on")
            continue
        data[name] = _unescape(attrs.get("value", ""))
    for area in re.finditer(r'<textarea\b[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', form, re.S):
        data[area.group(1)] = _unescape(area.group(2).removeprefix("\n"))
    for select in re.finditer(r'<select\b[^>]*name="([^"]+)"[^>]*>(.*?)</select>', form, re.S):
        chosen = re.search(r'<option value="([^"]*)"[^>]*\sselected', select.group(2))
        data[select.group(1)] = chosen.group(1) if chosen else ""
    return data


def date_boxes(name: str, date: dt.date) -> dict[str, str]:
    """A date as the review form's day, month and year boxes post it."""
    return {f"{name}_0": str(date.day), f"{name}_1": str(date.month), f"{name}_2": str(date.year)}


def typed_date(data: dict, name: str) -> dt.date:
    """The date in a form's day, month and year boxes (as form_data read them)."""
    return dt.date(int(data[f"{name}_2"]), int(data[f"{name}_1"]), int(data[f"{name}_0"]))


def _unescape(text: str) -> str:
    import html

    return html.unescape(text)


# --- Canonical judgement areas ------------------------------------------------------------


@pytest.mark.parametrize(
    ("wording", "key"),
    [
        ("Overall effectiveness", "overall"),
        ("The impact of leaders on social work practice with children and families", "leaders"),
        (
            "The experiences and progress of children who need help and protection",
            "help-and-protection",
        ),
        (
            "The experiences and progress of children in care and care leavers",
            "children-in-care-and-care-leavers",
        ),
        ("The experiences and progress of children in care", "children-in-care"),
        ("The experiences and progress of care leavers", "care-leavers"),
        (
            "Experiences and progress of children looked after and care leavers",
            "children-in-care-and-care-leavers",
        ),
        ("The impact of  leaders on social work\npractice", "leaders"),
        ("Adoption performance", None),
    ],
)
def test_canonical_area_by_wording(wording, key):
    assert canonical_area_key(wording) == key
    area = canonical_area(wording, list(JudgementArea.objects.all()))
    assert getattr(area, "key", None) == key


# --- Suggested links from areas covered to earlier areas for improvement ---------------------


# Health and well-being of children in care: the 2021 focused visit's area, which carries
# forward the 2019 inspection's ninth.
EXPECTED_REVISITS = [("ilacs-2019", 6), ("ilacs-2019", 6), ("fv-2021", 3), ("ilacs-2019", 1)]


def test_suggestions_for_the_real_letter_match_the_demo_links(demo):
    """Letter 000 (January 2022 monitoring visit) against Medway's earlier areas (the 2019
    inspection and focused visit, the 2021 focused visit): the suggestions are the links a
    person made for the demo data."""
    covered = parse_letter_areas()
    candidates = list(
        AreaForImprovement.objects.filter(
            inspection__local_authority__name="Medway",
            inspection__start_date__lt=dt.date(2022, 1, 25),
        ).select_related("inspection")
    )
    suggestions = suggest_revisits(covered, candidates)
    expected = [inspections_demo.area(*key) for key in EXPECTED_REVISITS]
    assert [s.area if s else None for s in suggestions] == expected
    demo_links = list(
        AreaCovered.objects.filter(inspection__start_date=dt.date(2022, 1, 25))
        .order_by("order")
        .values_list("revisits", flat=True)
    )
    assert [a.pk for a in expected] == demo_links


def parse_letter_areas() -> list[str]:
    from inspections.ofsted_parser import parse_text

    return parse_text(MEDWAY_LETTER.read_text(encoding="utf-8")).areas_covered


def test_no_suggestion_when_nothing_is_close():
    la = LocalAuthorityFactory(name="Eastmoor")
    area = AreaForImprovementFactory(
        inspection=InspectionFactory(local_authority=la), text="Sufficiency of foster carers"
    )
    suggestions = suggest_revisits(
        ["Sufficiency of foster carers and placement choice", "Support for disabled children"],
        [area],
    )
    assert suggestions[0].area == area
    assert suggestions[1] is None
    assert suggest_revisits(["Anything"], []) == [None]


# --- Upload and review through the pages -----------------------------------------------------


def test_real_letter_through_the_upload_pages(demo, as_user, lead, media_root):
    client = as_user(lead)
    url = review_url(upload(client, MEDWAY_LETTER))
    demo_count = len(inspections_demo.INSPECTIONS)
    assert Inspection.objects.count() == demo_count  # the demo's; nothing saved yet
    pending = PendingUpload.objects.get()
    assert pending.details["inspection_type"] == "monitoring_visit"

    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    # The demo already has this visit: the lead is warned before saving a second copy.
    assert "Medway already has a monitoring visit that started on 25 January 2022" in html
    data = form_data(page)
    assert data["kind"] == "monitoring_visit"
    assert data["local_authority"] == "Medway"
    assert "start_date" not in data  # day, month and year boxes, not a browser date picker
    assert tuple(
        typed_date(data, name) for name in ("start_date", "end_date", "published_date")
    ) == (
        dt.date(2022, 1, 25),
        dt.date(2022, 1, 26),
        dt.date(2022, 3, 1),
    )
    assert data["inspectors"] == "Rachel Griffiths\nAndy Waugh"
    earlier = [inspections_demo.area(*key) for key in EXPECTED_REVISITS]
    assert [data[f"covered-{i}-revisits"] for i in range(5)] == [
        *(str(area.pk) for area in earlier),
        "",
    ]

    # Saving without acknowledging the duplicate is refused, and nothing is saved.
    refused = client.post(url, data)
    assert refused.status_code == 422
    assert "tick the box to save this as another record" in refused.content.decode()
    assert Inspection.objects.count() == demo_count

    data["save_duplicate"] = "on"
    data["title"] = "Monitoring visit: children in care (imported)"
    saved = client.post(url, data)
    assert saved.status_code == 302
    inspection = Inspection.objects.get(title="Monitoring visit: children in care (imported)")
    assert saved["Location"] == inspection.get_absolute_url()
    assert inspection.kind == Inspection.Kind.MONITORING_VISIT
    assert inspection.local_authority == LocalAuthority.objects.get(name="Medway")
    assert LocalAuthority.objects.count() == 1
    assert inspection.inspectors == ["Rachel Griffiths", "Andy Waugh"]
    assert inspection.published_date == dt.date(2022, 3, 1)
    covered = list(inspection.areas_covered.order_by("order"))
    assert [c.text for c in covered] == parse_letter_areas()
    assert [c.revisits for c in covered] == earlier
    assert inspection.source_document.name.endswith(".txt")
    assert inspection.source_document.read() == MEDWAY_LETTER.read_bytes()
    assert not PendingUpload.objects.exists()

    follow = client.get(saved["Location"])
    assert "Saved: Monitoring visit: children in care (imported), January 2022." in (
        follow.content.decode()
    )


def test_pdf_with_2023_judgements_through_the_pages(as_user, lead):
    client = as_user(lead)
    url = review_url(upload(client, FIXTURES / "ilacs_standard_2023_medway.pdf"))
    data = form_data(client.get(url))
    areas = {a.pk: a.key for a in JudgementArea.objects.all()}
    mapped = [
        (
            data[f"judgements-{i}-wording"],
            areas[int(data[f"judgements-{i}-area"])],
            data[f"judgements-{i}-grade"],
        )
        for i in range(5)
    ]
    assert mapped == [
        (
            "The impact of leaders on social work practice with children and families",
            "leaders",
            "2",
        ),
        (
            "The experiences and progress of children who need help and protection",
            "help-and-protection",
            "3",
        ),
        ("The experiences and progress of children in care", "children-in-care", "2"),
        ("The experiences and progress of care leavers", "care-leavers", "2"),
        ("Overall effectiveness", "overall", "2"),
    ]
    assert data["judgements-5-wording"] == ""  # the blank row for adding another
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    inspection = Inspection.objects.get()
    assert inspection.kind == Inspection.Kind.ILACS_STANDARD
    assert inspection.judgements.count() == 5
    assert (
        inspection.judgements.get(area__key="help-and-protection").grade
        == Grade.REQUIRES_IMPROVEMENT
    )
    assert inspection.areas_for_improvement.count() == 5
    assert list(inspection.areas_for_improvement.values_list("order", flat=True)) == [1, 2, 3, 4, 5]
    assert inspection.source_document.read()[:5] == b"%PDF-"
    assert inspection.source_document.name.endswith(".pdf")


def test_2019_pdf_maps_children_in_care_and_care_leavers_to_one_area(as_user, lead):
    client = as_user(lead)
    url = review_url(upload(client, FIXTURES / "ilacs_standard_2019_medway.pdf"))
    data = form_data(client.get(url))
    keys = {str(a.pk): a.key for a in JudgementArea.objects.all()}
    assert [keys[data[f"judgements-{i}-area"]] for i in range(4)] == [
        "leaders",
        "help-and-protection",
        "children-in-care-and-care-leavers",
        "overall",
    ]


def test_focused_visit_priority_actions_come_first_and_are_flagged(as_user, lead):
    client = as_user(lead)
    url = review_url(upload(client, FIXTURES / "focused_visit_2022_wexcombe.pdf"))
    data = form_data(client.get(url))
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    areas = list(Inspection.objects.get().areas_for_improvement.order_by("order"))
    assert [a.is_priority_action for a in areas] == [True, True, False, False, False, False, False]
    assert Judgement.objects.count() == 0


def test_lead_corrects_the_draft_before_saving(demo, as_user, lead):
    client = as_user(lead)
    url = review_url(upload(client, FIXTURES / "monitoring_visit_2022_eastmoor.pdf"))
    data = form_data(client.get(url))
    assert data["local_authority"] == "Eastmoor"
    data.update(
        {
            "local_authority": "  medway ",  # an existing local authority, any case
            "inspectors": "Jo Bloggs\n\n  Sam   Smith  ",
            **date_boxes("end_date", dt.date(2022, 6, 30)),
            "covered-0-text": "Corrected wording\nover two lines",
            "covered-1-DELETE": "on",
            "covered-2-revisits": str(inspections_demo.area("ilacs-2019", 3).pk),
            "covered-4-text": "An area the parser missed",  # the blank extra row
            "areas-0-text": "An area for improvement typed in",
            "areas-0-is_priority_action": "on",
        }
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    inspection = Inspection.objects.get(start_date=dt.date(2022, 6, 13))
    assert inspection.local_authority.name == "Medway"
    assert not LocalAuthority.objects.filter(name__iexact="eastmoor").exists()
    assert inspection.inspectors == ["Jo Bloggs", "Sam Smith"]
    assert inspection.end_date == dt.date(2022, 6, 30)
    covered = list(inspection.areas_covered.order_by("order"))
    assert [c.order for c in covered] == [1, 2, 3, 4]
    assert covered[0].text == "Corrected wording over two lines"
    assert covered[1].revisits == inspections_demo.area("ilacs-2019", 3)
    assert covered[-1].text == "An area the parser missed"
    afi = inspection.areas_for_improvement.get()
    assert (afi.text, afi.is_priority_action) == ("An area for improvement typed in", True)


def test_validation_errors_follow_the_govuk_pattern_and_save_nothing(as_user, lead):
    client = as_user(lead)
    url = review_url(upload(client, FIXTURES / "ilacs_standard_2023_medway.pdf"))
    data = form_data(client.get(url))
    data.update(
        {
            **date_boxes("end_date", dt.date(2023, 7, 1)),  # before the start
            "local_authority": "",
            "judgements-1-area": data["judgements-0-area"],  # the same area twice
            "judgements-2-grade": "",
        }
    )
    response = client.post(url, data)
    assert response.status_code == 422
    html = response.content.decode()
    assert '<h2 class="govuk-error-summary__title">There is a problem</h2>' in html
    assert (
        '<a href="#id_end_date_0">The last day on site cannot be before the first day.</a>' in html
    )
    assert '<a href="#id_local_authority">This field is required.</a>' in html
    assert '<a href="#id_judgements-2-grade">This field is required.</a>' in html
    assert "Judgement 1 is already for this area: choose another." in html
    assert 'class="govuk-form-group govuk-form-group--error"' in html
    assert "<title>Error: Check the inspection" in html
    assert Inspection.objects.count() == 0
    assert PendingUpload.objects.count() == 1  # the upload waits for the corrected form


def test_judgements_on_an_ungraded_visit_are_refused(as_user, lead):
    client = as_user(lead)
    url = review_url(upload(client, FIXTURES / "ilacs_standard_2023_medway.pdf"))
    data = form_data(client.get(url))
    data["kind"] = "focused_visit"
    response = client.post(url, data)
    assert response.status_code == 422
    assert "Only ILACS inspections are graded" in response.content.decode()
    assert Inspection.objects.count() == 0


def test_pasted_text_is_kept_as_the_document(as_user, lead):
    client = as_user(lead)
    text = (FIXTURES / "jtai_2022_medway.txt").read_text(encoding="utf-8")
    url = review_url(client.post(UPLOAD, {"text": text}))
    data = form_data(client.get(url))
    assert data["kind"] == "jtai"
    assert data["framework"] == "JTAI"
    assert client.post(url, data).status_code == 302
    inspection = Inspection.objects.get()
    assert inspection.source_document.name.startswith("inspections/")
    assert "pasted-text" in inspection.source_document.name
    assert inspection.source_document.read().decode("utf-8") == text


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("scanned_no_text.pdf", "has no text layer"),
        ("encrypted_password.pdf", "is password-protected"),
        ("corrupt_truncated.pdf", "damaged or incomplete"),
    ],
)
def test_unreadable_documents_get_a_clear_message(as_user, lead, name, message):
    response = upload(as_user(lead), FIXTURES / name)
    assert response.status_code == 422
    html = response.content.decode()
    assert message in html
    assert 'class="govuk-error-summary"' in html
    assert 'href="#id_document"' in html
    assert not PendingUpload.objects.exists()


def test_empty_and_wrong_files(as_user, lead):
    client = as_user(lead)
    empty = client.post(UPLOAD, {"document": SimpleUploadedFile("report.pdf", b"")})
    assert empty.status_code == 422
    assert "The submitted file is empty." in empty.content.decode()
    picture = client.post(
        UPLOAD, {"document": SimpleUploadedFile("report.pdf", b"\x89PNG\r\n\x1a\n" + b"\0" * 500)}
    )
    assert "is a picture (PNG), not a PDF or plain text" in picture.content.decode()
    nothing = client.post(UPLOAD, {})
    assert "Choose the report’s PDF, or paste its text." in nothing.content.decode()
    both = client.post(
        UPLOAD, {"document": SimpleUploadedFile("a.txt", b"text"), "text": "more text"}
    )
    assert "Either upload files or paste text, not both." in both.content.decode()
    assert not PendingUpload.objects.exists()


def test_oversized_document_is_refused_by_size(as_user, lead, settings):
    settings.IMPORT_MAX_DOCUMENT_BYTES = 1024
    big = SimpleUploadedFile("big.pdf", b"%PDF-1.7\n" + b"x" * 2048)
    response = as_user(lead).post(UPLOAD, {"document": big})
    assert response.status_code == 422
    assert "The file is 2.0 KB, which is over the 1.0 KB limit for Ofsted documents." in (
        response.content.decode()
    )
    assert not PendingUpload.objects.exists()


def test_cancel_discards_the_upload(as_user, lead):
    client = as_user(lead)
    url = review_url(upload(client, FIXTURES / "jtai_2022_medway.pdf"))
    pending = PendingUpload.objects.get()
    response = client.post(reverse("imports:upload_cancel", args=[pending.pk]))
    assert response.status_code == 302
    assert not PendingUpload.objects.exists()
    assert client.get(url).status_code == 404
    assert Inspection.objects.count() == 0


def test_someone_elses_upload_is_not_found(as_user, lead, administrator):
    url = review_url(upload(as_user(lead), FIXTURES / "jtai_2022_medway.pdf"))
    assert as_user(administrator).get(url).status_code == 404
    assert as_user(administrator).post(url, {}).status_code == 404


@pytest.mark.parametrize("who", ["board_member", "officer"])
def test_only_leads_and_administrators_import(request, as_user, who):
    client = as_user(request.getfixturevalue(who))
    assert client.get(reverse("imports:import_start")).status_code == 403
    assert client.get(UPLOAD).status_code == 403
    assert upload(client, FIXTURES / "jtai_2022_medway.pdf").status_code == 403
    assert not PendingUpload.objects.exists()


def test_administrator_may_import(as_user, administrator):
    assert as_user(administrator).get(UPLOAD).status_code == 200


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(UPLOAD)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_import_nav_item_is_for_leads_only(as_user, lead, officer):
    assert 'href="/import/"' in as_user(lead).get(reverse("dashboard")).content.decode()
    assert 'href="/import/"' not in as_user(officer).get(reverse("dashboard")).content.decode()


def test_expired_uploads_are_purged(as_user, lead):
    from django.utils import timezone

    from imports.tasks import purge_pending_uploads

    upload(as_user(lead), FIXTURES / "jtai_2022_medway.pdf")
    upload(as_user(lead), FIXTURES / "monitoring_visit_2022_eastmoor.pdf")
    old = PendingUpload.objects.order_by("created_at").first()
    PendingUpload.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - dt.timedelta(hours=25)
    )
    assert purge_pending_uploads() == 1
    assert purge_pending_uploads() == 0
    assert PendingUpload.objects.count() == 1
