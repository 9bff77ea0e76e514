import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile

from audit.models import AuditEvent
from board.models import Challenge
from inspections import services
from inspections.models import (
    AreaForImprovement,
    Grade,
    Inspection,
    Judgement,
    JudgementArea,
)
from tests.factories import (
    TODAY,
    ActionFactory,
    AreaCoveredFactory,
    AreaForImprovementFactory,
    InspectionFactory,
    JudgementFactory,
    LocalAuthorityFactory,
    StrengthFactory,
)

pytestmark = pytest.mark.django_db


def _visit(**kwargs):
    return InspectionFactory(kind=Inspection.Kind.MONITORING_VISIT, **kwargs)


def test_lead_adds_an_inspection_by_hand(lead):
    start = TODAY - dt.timedelta(days=40)
    inspection = services.inspection_create(
        user=lead,
        local_authority=LocalAuthorityFactory(),
        kind=Inspection.Kind.FOCUSED_VISIT,
        title="  Children in need  ",
        start_date=start,
        end_date=start + dt.timedelta(days=1),
        inspectors=["  Jo   Smith ", ""],
    )
    assert inspection.title == "Children in need"
    assert inspection.inspectors == ["Jo Smith"]
    assert inspection.source_document.name == ""


def test_only_leads_add_or_change_inspections(officer, board_member):
    inspection = InspectionFactory()
    for user in (officer, board_member):
        with pytest.raises(PermissionDenied):
            services.inspection_update(user=user, inspection=inspection, title="x")
        with pytest.raises(PermissionDenied):
            services.strengths_save(user=user, inspection=inspection, rows=[])


def test_inspection_dates_keep_their_rules(lead):
    inspection = InspectionFactory()
    with pytest.raises(ValidationError):
        services.inspection_update(
            user=lead,
            inspection=inspection,
            end_date=inspection.start_date - dt.timedelta(days=1),
        )


def test_a_graded_inspection_with_judgements_cannot_become_a_visit(lead):
    judgement = JudgementFactory()
    with pytest.raises(ValidationError, match="Remove this inspection"):
        services.inspection_update(
            user=lead, inspection=judgement.inspection, kind=Inspection.Kind.FOCUSED_VISIT
        )


def test_lead_changes_a_grade_and_adds_a_judgement(lead):
    judgement = JudgementFactory(grade=Grade.GOOD)
    leaders = JudgementArea.objects.get(key="leaders")
    services.judgements_save(
        user=lead,
        inspection=judgement.inspection,
        rows=[
            {"id": judgement.pk, "area": judgement.area_id, "wording": "", "grade": 3},
            {"id": None, "area": leaders.pk, "wording": "Leaders", "grade": 2},
        ],
    )
    judgement.refresh_from_db()
    assert judgement.grade == Grade.REQUIRES_IMPROVEMENT
    assert judgement.wording == judgement.area.name
    assert judgement.inspection.judgements.count() == 2


def test_two_judgements_of_one_area_are_refused_and_nothing_is_saved(lead):
    judgement = JudgementFactory(grade=Grade.GOOD)
    rows = [
        {"id": judgement.pk, "area": judgement.area_id, "grade": 4},
        {"id": None, "area": judgement.area_id, "grade": 2},
    ]
    with pytest.raises(ValidationError, match="Judgement 2: judgement 1 is already for"):
        services.judgements_save(user=lead, inspection=judgement.inspection, rows=rows)
    judgement.refresh_from_db()
    assert judgement.grade == Grade.GOOD


def test_a_visit_has_no_judgements(lead):
    visit = _visit()
    area = JudgementArea.objects.get(key="overall")
    with pytest.raises(ValidationError, match="Only full inspections are graded"):
        services.judgements_save(
            user=lead, inspection=visit, rows=[{"id": None, "area": area.pk, "grade": 2}]
        )


def test_lead_corrects_areas_reorders_them_and_links_an_earlier_one(lead):
    earlier = AreaForImprovementFactory(
        inspection=InspectionFactory(start_date=dt.date(2019, 7, 15))
    )
    inspection = InspectionFactory()
    first = AreaForImprovementFactory(inspection=inspection, order=1, text="Frist")
    second = AreaForImprovementFactory(inspection=inspection, order=2, text="Second")
    services.areas_for_improvement_save(
        user=lead,
        inspection=inspection,
        rows=[
            {
                "id": first.pk,
                "order": 2,
                "text": "First",
                "short_title": "Oversight",
                "continues": earlier.pk,
            },
            {"id": second.pk, "order": 1, "text": "Second", "short_title": ""},
            {"id": None, "order": None, "text": "Third", "short_title": ""},
        ],
    )
    areas = list(inspection.areas_for_improvement.order_by("order"))
    assert [(a.order, a.text) for a in areas] == [(1, "Second"), (2, "First"), (3, "Third")]
    assert areas[1].short_title == "Oversight"
    assert areas[1].continues == earlier


def test_an_area_can_only_continue_an_earlier_inspections_area(lead):
    inspection = InspectionFactory()
    later = AreaForImprovementFactory(inspection=InspectionFactory(start_date=TODAY))
    area = AreaForImprovementFactory(inspection=inspection, order=1)
    with pytest.raises(ValidationError, match="Area 1: it can only continue"):
        services.areas_for_improvement_save(
            user=lead,
            inspection=inspection,
            rows=[{"id": area.pk, "order": 1, "text": "x", "continues": later.pk}],
        )


def test_an_area_with_actions_cannot_be_removed(lead):
    area = AreaForImprovementFactory(short_title="Supervision")
    ActionFactory(areas=[area])
    with pytest.raises(ValidationError, match="Supervision: actions in the plan answer it"):
        services.areas_for_improvement_save(
            user=lead, inspection=area.inspection, rows=[{"id": area.pk, "delete": True}]
        )
    assert AreaForImprovement.objects.filter(pk=area.pk).exists()


def test_a_row_from_another_inspection_means_the_page_is_out_of_date(lead):
    stranger = AreaForImprovementFactory()
    inspection = InspectionFactory()
    with pytest.raises(ValidationError, match="changed while you were editing"):
        services.areas_for_improvement_save(
            user=lead,
            inspection=inspection,
            rows=[{"id": stranger.pk, "order": 1, "text": "Mine now"}],
        )


def test_strengths_are_added_removed_and_renumbered(lead):
    inspection = InspectionFactory()
    kept = StrengthFactory(inspection=inspection, text="Kept", order=1)
    gone = StrengthFactory(inspection=inspection, text="Gone", order=2)
    services.strengths_save(
        user=lead,
        inspection=inspection,
        rows=[
            {"id": kept.pk, "order": 1, "text": "Kept"},
            {"id": gone.pk, "delete": True},
            {"id": None, "order": None, "text": "New"},
        ],
    )
    assert list(inspection.strengths.values_list("order", "text")) == [(1, "Kept"), (2, "New")]


def test_an_area_covered_is_linked_to_the_area_it_revisits(lead):
    earlier = AreaForImprovementFactory(
        inspection=InspectionFactory(start_date=dt.date(2019, 7, 15))
    )
    visit = _visit(start_date=dt.date(2020, 10, 6))
    covered = AreaCoveredFactory(inspection=visit, text="Oversight", order=1)
    services.areas_covered_save(
        user=lead,
        inspection=visit,
        rows=[
            {
                "id": covered.pk,
                "order": 1,
                "text": "Oversight",
                "revisits": earlier.pk,
                "finding": "Better.",
            }
        ],
    )
    covered.refresh_from_db()
    assert covered.revisits == earlier
    assert covered.finding == "Better."


def test_removing_an_inspection_takes_everything_under_it_and_is_audited(
    lead, media_root, django_capture_on_commit_callbacks
):
    inspection = InspectionFactory()
    inspection.source_document.save("letter.pdf", ContentFile(b"%PDF-1.4"), save=True)
    stored = media_root / inspection.source_document.name
    JudgementFactory(inspection=inspection)
    AreaForImprovementFactory(inspection=inspection)
    StrengthFactory(inspection=inspection, text="Good", order=1)
    AreaCoveredFactory(inspection=inspection, text="Looked at", order=1)
    pk = inspection.pk

    with django_capture_on_commit_callbacks(execute=True):
        services.inspection_delete(user=lead, inspection=inspection)

    assert not Inspection.objects.filter(pk=pk).exists()
    assert not Judgement.objects.filter(inspection_id=pk).exists()
    assert not AreaForImprovement.objects.filter(inspection_id=pk).exists()
    assert not stored.exists()
    removed = AuditEvent.objects.filter(pgh_obj_model="inspections.Inspection", pgh_obj_id=pk)
    assert removed.filter(pgh_label="delete").exists()


def test_an_inspection_with_actions_or_challenges_cannot_be_removed(lead, board_member):
    area = AreaForImprovementFactory()
    action = ActionFactory(areas=[area])
    with pytest.raises(ValidationError, match="1 action in the plan answers"):
        services.inspection_delete(user=lead, inspection=area.inspection)
    action.areas.clear()
    Challenge.objects.create(
        area=area, question="Why?", raised_by=board_member, assigned_to=lead, answer_due=TODAY
    )
    with pytest.raises(ValidationError, match="1 challenge is about"):
        services.inspection_delete(user=lead, inspection=area.inspection)
    assert Inspection.objects.filter(pk=area.inspection_id).exists()
