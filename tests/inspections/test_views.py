import pytest
from django.urls import reverse

from inspections.models import AreaForImprovement, Inspection

pytestmark = pytest.mark.django_db


def test_inspections_are_listed_newest_first(as_user, board_member, demo):
    body = as_user(board_member).get(reverse("inspections:inspection_list")).content.decode()
    years = ("2025", "2023", "2022", "2021", "2019")
    positions = [body.index(f"{year}</td>") for year in years]
    assert positions == sorted(positions)


def test_inspection_page_shows_judgements_areas_and_their_actions(as_user, board_member, demo):
    inspection = Inspection.objects.get(start_date="2023-07-17")
    body = as_user(board_member).get(inspection.get_absolute_url()).content.decode()
    assert "Requires improvement to be good" in body
    assert "The quality and consistency of management oversight." in body
    assert "3.3 Quarterly thematic audit of management oversight" in body
    assert "Strengths" in body


def test_golden_thread_follows_an_area_from_2019_to_2023(as_user, board_member, demo):
    area_2019 = AreaForImprovement.objects.get(inspection__start_date="2019-07-15", order=5)
    body = as_user(board_member).get(area_2019.get_absolute_url()).content.decode()
    assert "July 2019: named by the" in body
    assert "carried forward by the" in body
    assert "The quality and consistency of management oversight." in body

    area_2023 = AreaForImprovement.objects.get(inspection__start_date="2023-07-17", order=4)
    body = as_user(board_member).get(area_2023.get_absolute_url()).content.decode()
    assert "named by the" in body and "(carried forward)" in body
    assert "looked at again by the" in body  # the April 2025 focused visit
    assert "Quality of oversight and supervision still varies widely" in body
    assert "3.2 Reflective supervision policy" in body


def test_monitoring_visit_areas_covered_link_to_what_they_revisit(as_user, board_member, demo):
    visit = Inspection.objects.get(start_date="2022-01-25")
    body = as_user(board_member).get(visit.get_absolute_url()).content.decode()
    assert "Areas covered by the visit" in body
    assert body.count("Revisits: <a") == 4


def test_area_with_no_action_is_flagged(as_user, board_member, demo):
    area = AreaForImprovement.objects.get(inspection__start_date="2019-07-15", order=2)
    area.actions.clear()
    body = as_user(board_member).get(area.get_absolute_url()).content.decode()
    assert "No action in the plan answers this area for improvement." in body
