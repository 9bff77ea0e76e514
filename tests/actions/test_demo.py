import pytest

from actions.models import Action, ProgressUpdate, Status
from inspections.models import AreaCovered, AreaForImprovement, Grade, Inspection, Judgement
from tests.factories import TODAY, load_demo

pytestmark = pytest.mark.django_db

SEED_2019_AREAS_FIRST_WORDS = [
    "Senior managers’ oversight",
    "Staffing capacity",
    "The response to risk",
    "The coordination and management oversight of early help",
    "The quality and effectiveness of management oversight",
    "The effectiveness of managers’ formal permanence",
    "The system for tracking children who go missing",
    "Services to help care leavers",
    "The strategic relationship with health services",
    "Leadership direction and assertive action",
]


def snapshot():
    return {
        "inspections": sorted(Inspection.objects.values_list("kind", "start_date", "title")),
        "judgements": sorted(
            Judgement.objects.values_list("inspection__start_date", "area__key", "grade")
        ),
        "areas": sorted(
            AreaForImprovement.objects.values_list("inspection__start_date", "order", "text")
        ),
        "covered": sorted(AreaCovered.objects.values_list("text", "revisits__text")),
        "actions": sorted(
            Action.objects.values_list("reference", "status", "due_date", "owner__username")
        ),
        "updates": ProgressUpdate.objects.count(),
    }


def test_load_demo_is_idempotent(demo):
    first = snapshot()
    load_demo()
    assert snapshot() == first


def test_2019_judgements_match_the_cabinet_report(demo):
    inspection = Inspection.objects.get(start_date="2019-07-15")
    grades = {j.wording: j.grade for j in inspection.judgements.all()}
    leaders = "The impact of leaders on social work practice with children and families"
    help_protection = "The experiences and progress of children who need help and protection"
    in_care = "The experiences and progress of children in care and care leavers"
    assert grades == {
        leaders: Grade.INADEQUATE,
        help_protection: Grade.INADEQUATE,
        in_care: Grade.REQUIRES_IMPROVEMENT,
        "Overall effectiveness": Grade.INADEQUATE,
    }
    assert (inspection.end_date.isoformat(), inspection.published_date.isoformat()) == (
        "2019-07-26",
        "2019-08-27",
    )


def test_2019_has_the_ten_areas_for_improvement_in_order(demo):
    texts = list(
        AreaForImprovement.objects.filter(inspection__start_date="2019-07-15")
        .order_by("order")
        .values_list("text", flat=True)
    )
    assert len(texts) == 10
    for text, start in zip(texts, SEED_2019_AREAS_FIRST_WORDS, strict=True):
        assert text.startswith(start)
    assert (
        texts[1]
        == "Staffing capacity across children’s social care, early help hubs and leaving care "
        "teams."
    )


def test_2023_judgements_match_the_report(demo):
    inspection = Inspection.objects.get(start_date="2023-07-17")
    grades = {j.area.key: j.grade for j in inspection.judgements.select_related("area")}
    assert grades == {
        "overall": Grade.GOOD,
        "help-and-protection": Grade.REQUIRES_IMPROVEMENT,
        "children-in-care": Grade.GOOD,
        "care-leavers": Grade.GOOD,
        "leaders": Grade.GOOD,
    }
    areas = list(inspection.areas_for_improvement.order_by("order").values_list("text", flat=True))
    # The report's four "What needs to improve" bullets (the scrutiny slides' fifth, about
    # adolescents, comes from the report's summary).
    assert len(areas) == 4
    assert areas[3] == "The quality and consistency of management oversight."
    assert not any("adolescents" in text for text in areas)


def test_january_2022_visit_covers_four_areas_linked_to_earlier_ones(demo):
    visit = Inspection.objects.get(kind=Inspection.Kind.MONITORING_VISIT, start_date="2022-01-25")
    assert visit.inspectors == ["Rachel Griffiths", "Andy Waugh"]
    covered = list(visit.areas_covered.select_related("revisits__inspection").order_by("order"))
    assert len(covered) == 4
    # Three revisit the 2019 inspection's areas; health and well-being revisits the 2021
    # focused visit's area, which carries forward the 2019 inspection's ninth.
    assert [c.revisits.inspection.start_date.year for c in covered] == [2019, 2019, 2021, 2019]
    assert covered[2].revisits.continues.inspection.start_date.year == 2019


def test_demo_plan_has_every_kind_of_action(demo):
    actions = list(Action.objects.with_rag(on=TODAY))
    assert 35 <= len(actions) <= 50
    statuses = {a.status for a in actions}
    assert {
        Status.COMPLETE,
        Status.ON_TRACK,
        Status.AT_RISK,
        Status.OFF_TRACK,
        Status.NOT_STARTED,
    } <= statuses
    assert Action.objects.overdue(on=TODAY).count() >= 3
    assert all(a.updates.exists() for a in actions if a.start_date < TODAY)
