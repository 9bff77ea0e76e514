import pytest

from risks.models import Risk, RiskRating
from risks.selectors import heat_map_data
from tests.factories import TODAY, load_demo

pytestmark = pytest.mark.django_db

SEED = [
    ("R1", "Actions are not implemented in a timely manner", "B2"),
    ("R2", "Resource is not in place to deliver rapid improvement", "C3"),
    ("R3", "The Council loses control of Children's Social Care Services.", "C3"),
    ("R4", "Recruitment & retention", "C3"),
    ("R5", "Financial Implications", "B2"),
    ("R6", "Caseloads", "C2"),
]


def snapshot():
    return sorted(
        Risk.objects.values_list("reference", "title", "review_date", "owner__username")
    ) + [RiskRating.objects.count()]


def test_demo_risks_match_the_cabinet_report_and_reload_unchanged(demo):
    first = snapshot()
    load_demo()
    assert snapshot() == first

    risks = list(Risk.objects.for_register().order_by("reference"))
    assert [(r.reference, r.title, r.rating) for r in risks] == SEED
    r1 = risks[0]
    assert r1.description.startswith("If the actions within the Action Plan are not implemented")
    assert r1.mitigation == (
        "The Improvement Board will monitor progress and will hold people to account if "
        "progress is not positive"
    )
    assert risks[2].mitigation.count("\n\n") == 3  # four paragraphs in the report
    assert all(r.ratings.get().rated_on.isoformat() == "2019-09-03" for r in risks)
    assert r1.actions.exists() and Risk.objects.review_overdue(on=TODAY).exists()

    grid = heat_map_data()
    counts = {c["rating"]: c["current_count"] for row in grid["rows"] for c in row["cells"]}
    assert {k: v for k, v in counts.items() if v} == {"B2": 2, "C3": 3, "C2": 1}
