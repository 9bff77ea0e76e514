import datetime as dt

import pytest

from inspections.models import AreaForImprovement, Inspection
from tests.factories import AreaForImprovementFactory, InspectionFactory

pytestmark = pytest.mark.django_db


def test_current_areas_are_the_latest_graded_inspections_and_any_visit_since():
    older = InspectionFactory(start_date=dt.date(2019, 5, 1))
    latest = InspectionFactory(start_date=dt.date(2023, 7, 17), kind=Inspection.Kind.ILACS_SHORT)
    visit_before = InspectionFactory(
        start_date=dt.date(2021, 3, 1), kind=Inspection.Kind.FOCUSED_VISIT
    )
    visit_since = InspectionFactory(
        start_date=dt.date(2024, 2, 5), kind=Inspection.Kind.MONITORING_VISIT
    )
    for inspection in (older, latest, visit_before, visit_since):
        AreaForImprovementFactory(inspection=inspection, short_title=f"{inspection.start_date}")

    current = AreaForImprovement.objects.current()

    assert sorted(a.short_title for a in current) == ["2023-07-17", "2024-02-05"]


def test_before_any_graded_inspection_every_area_is_current():
    visit = InspectionFactory(start_date=dt.date(2021, 3, 1), kind=Inspection.Kind.FOCUSED_VISIT)
    area = AreaForImprovementFactory(inspection=visit)

    assert list(AreaForImprovement.objects.current()) == [area]
