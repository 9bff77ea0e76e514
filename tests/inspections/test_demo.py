"""The demo's inspections are Medway's real ones: each carries its published PDF, and what the
demo says each document prints (dates, inspectors, areas for improvement) is in it."""

import pytest
from django.db.models import F
from pypdf import PdfReader

from actions.models import Action
from inspections import demo as inspections_demo
from inspections.models import AreaForImprovement, Inspection
from tests.factories import load_demo

pytestmark = pytest.mark.django_db

WITH_DOCUMENTS = [d for d in inspections_demo.INSPECTIONS if d.get("document")]


def printed_text(inspection: Inspection) -> str:
    with inspection.source_document.open("rb") as document:
        text = " ".join(page.extract_text() or "" for page in PdfReader(document).pages)
    return " ".join(text.split())


def test_medways_six_real_documents_are_in_the_demo():
    assert sorted(d["document"] for d in WITH_DOCUMENTS) == [
        "focused_visit_medway_2019-feb-28.pdf",
        "focused_visit_medway_2021-jul-08.pdf",
        "focused_visit_medway_2025-jun-02.pdf",
        "focused_visit_medway_2026-jan-12.pdf",
        "ilacs_medway_2019-aug-27.pdf",
        "ilacs_medway_2023-sep-11.pdf",
    ]


@pytest.mark.parametrize("data", WITH_DOCUMENTS, ids=lambda d: d["key"])
def test_each_inspection_carries_its_real_pdf_and_says_what_it_prints(demo, data):
    inspection = Inspection.objects.get(kind=data["kind"], start_date=data["start_date"])
    assert inspection.source_document.name.endswith(".pdf")
    with inspection.source_document.open("rb") as document:
        assert document.read(5) == b"%PDF-"
    text = printed_text(inspection)
    for name in inspection.inspectors:
        assert name in text
    areas = list(inspection.areas_for_improvement.order_by("order"))
    assert areas, "every ILACS report and focused visit here lists areas for improvement"
    for area in areas:
        assert area.text in text, area.text
        assert area.short_title and len(area.short_title) <= 60
    # In printed order.
    positions = [text.index(area.text) for area in areas]
    assert positions == sorted(positions)


def test_the_2025_focused_visit_has_the_letters_dates_not_the_news_articles(demo):
    visit = Inspection.objects.get(kind=Inspection.Kind.FOCUSED_VISIT, start_date="2025-04-29")
    assert (visit.end_date.isoformat(), visit.published_date.isoformat()) == (
        "2025-04-30",
        "2025-06-02",
    )
    assert visit.inspectors == ["Amanda Maxwell", "Rodica Cobarzan"]
    assert not Inspection.objects.filter(start_date__year=2024).exists()


def test_later_areas_carry_forward_earlier_ones(demo):
    oversight_2023 = inspections_demo.area("ilacs-2023", 4)
    assert oversight_2023.continues == inspections_demo.area("ilacs-2019", 5)
    assert inspections_demo.area("fv-2025", 3).continues == oversight_2023
    assert inspections_demo.area("fv-2025-11", 2).continues == inspections_demo.area(
        "ilacs-2023", 1
    )


def test_every_area_for_improvement_still_has_actions_linked_sensibly(demo):
    """The actions once linked to the summary's "support for adolescents" and to the 2024
    paraphrases are linked to areas the reports print."""
    housing = Action.objects.get(reference="1.11")
    assert [a.short_title for a in housing.areas.all()] == [
        "Exploitation and risk outside the home"
    ]
    agency = Action.objects.get(reference="2.6")
    assert [a.short_title for a in agency.areas.all()] == ["Staffing capacity"]
    pre_proceedings = Action.objects.get(reference="1.12")
    assert [a.short_title for a in pre_proceedings.areas.all()] == ["Timeliness of intervention"]
    for area in AreaForImprovement.objects.filter(inspection__start_date__year=2023):
        assert area.actions.exists(), area.text


def test_loading_over_an_earlier_demo_keeps_the_boards_links(demo):
    """A database loaded from the earlier demo had a fifth 2023 area first and the
    management-oversight area fifth; loading again moves the links, not the words."""
    inspection = Inspection.objects.get(start_date="2023-07-17")
    oversight = inspection.areas_for_improvement.get(order=4)
    inspection.areas_for_improvement.update(order=F("order") + 10)
    AreaForImprovement.objects.filter(pk=oversight.pk).update(order=5)
    AreaForImprovement.objects.create(
        inspection=inspection,
        order=1,
        text="The quality and impact of social work practice, specifically in the longer-term "
        "support provided to adolescents",
    )
    load_demo()
    areas = list(inspection.areas_for_improvement.order_by("order"))
    assert [a.order for a in areas] == [1, 2, 3, 4]
    assert areas[3].pk == oversight.pk
    assert not any("adolescents" in a.text for a in areas)
