import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from risks.models import (
    Colour,
    RatingFormat,
    Risk,
    RiskMatrix,
    RiskRating,
    validate_rating_template,
)
from risks.selectors import heat_map_data, risk_items
from tests.factories import TODAY, RiskFactory, numeric_5x5, rate, target

pytestmark = pytest.mark.django_db


def test_default_matrix_is_medways_letters_and_numbers():
    matrix = RiskMatrix.objects.current()
    assert matrix.name == "Medway corporate risk matrix"
    assert [(lv.code, lv.label) for lv in matrix.likelihood_scale] == [
        ("A", "Very high"),
        ("B", "High"),
        ("C", "Significant"),
        ("D", "Low"),
        ("E", "Very low"),
        ("F", "Almost impossible"),
    ]
    assert [(lv.code, lv.label) for lv in matrix.impact_scale] == [
        ("1", "Catastrophic"),
        ("2", "Critical"),
        ("3", "Marginal"),
        ("4", "Negligible"),
    ]
    assert matrix.missing_cells() == []
    a1 = matrix.format_rating(matrix.likelihood_scale[0], matrix.impact_scale[0])
    assert a1 == "A1"
    assert matrix.colour_for(matrix.likelihood_scale[0].pk, matrix.impact_scale[0].pk) == "red"
    assert matrix.colour_for(matrix.likelihood_scale[-1].pk, matrix.impact_scale[-1].pk) == "green"


def test_the_cabinet_reports_ratings_have_the_expected_colours():
    matrix = RiskMatrix.objects.current()
    colours = {
        code: matrix.colour_for(rate(code)["likelihood"].pk, rate(code)["impact"].pk)
        for code in ["B2", "C3", "C2"]
    }
    assert colours == {"B2": "red", "C3": "amber", "C2": "amber"}


def test_a_5x5_numeric_scheme_works_as_well_as_letters():
    matrix = numeric_5x5()
    assert RiskMatrix.objects.current() == matrix
    severe = RiskFactory(
        reference="N1", **rate("4x5", "Numeric 5x5"), **target("2x3", "Numeric 5x5")
    )
    minor = RiskFactory(
        reference="N2", **rate("1x2", "Numeric 5x5"), **target("1x1", "Numeric 5x5")
    )
    assert (severe.rating, severe.target_rating) == ("20", "6")
    assert (severe.colour, severe.target_colour_value) == ("red", "amber")
    assert (minor.rating, minor.colour) == ("2", "green")
    assert severe.is_above_appetite and not minor.is_above_appetite

    register = list(Risk.objects.for_register())
    assert [r.reference for r in register] == ["N1", "N2"]
    assert [r.current_colour for r in register] == ["red", "green"]
    assert list(Risk.objects.above_appetite()) == [severe]
    assert list(Risk.objects.with_colours().filter(current_colour="green")) == [minor]

    grid = heat_map_data()
    assert [lv["code"] for lv in grid["likelihoods"]] == ["5", "4", "3", "2", "1"]
    assert [lv["code"] for lv in grid["impacts"]] == ["1", "2", "3", "4", "5"]  # severe right
    cells = {c["rating"]: c for row in grid["rows"] for c in row["cells"]}
    top_right = grid["rows"][0]["cells"][-1]
    assert (top_right["rating"], top_right["colour"]) == ("25", "red")
    l4i5 = grid["rows"][1]["cells"][4]
    assert (l4i5["rating"], l4i5["current_count"], l4i5["current"][0]["reference"]) == (
        "20",
        1,
        "N1",
    )
    assert cells["2"]["current_count"] == 1  # 1x2 and 2x1 both print "2": only 1x2 has a risk
    assert grid["current_total"] == grid["target_total"] == 2
    assert risk_items([register[0]], on=TODAY)[0]["rating"] == "20"


def test_the_matrix_in_use_decides_the_heat_map():
    RiskFactory(reference="L1", **rate("B2"))
    numeric_5x5()
    assert heat_map_data()["current_total"] == 0  # the letter risk is not on the new matrix
    letters = RiskMatrix.objects.get(name="Medway corporate risk matrix")
    assert heat_map_data(matrix=letters)["current_total"] == 1


def test_only_one_matrix_can_be_in_use():
    with pytest.raises(IntegrityError), transaction.atomic():
        RiskMatrix.objects.create(name="Second", is_active=True)


def test_a_template_format_prints_the_councils_own_way():
    matrix = numeric_5x5()
    matrix.rating_format = RatingFormat.TEMPLATE
    matrix.rating_template = "L{likelihood}×I{impact} ({score}, {likelihood_label})"
    matrix.full_clean()
    levels = rate("4x5", "Numeric 5x5")
    assert matrix.format_rating(levels["likelihood"], levels["impact"]) == "L4×I5 (20, Likely)"


@pytest.mark.parametrize(
    "template",
    ["{likelihood.__class__}", "{foo}", "{score!r}", "{score:>10}", "no placeholders", "{", "{0}"],
)
def test_rating_templates_accept_only_the_named_placeholders(template):
    with pytest.raises(ValidationError):
        validate_rating_template(template)


def test_template_format_needs_a_template():
    with pytest.raises(IntegrityError), transaction.atomic():
        RiskMatrix.objects.create(name="Empty", rating_format=RatingFormat.TEMPLATE)


def test_review_overdue_is_open_risks_past_their_review_date():
    on = dt.date(2026, 6, 1)
    late = RiskFactory(review_date=on - dt.timedelta(days=1))
    RiskFactory(review_date=on)  # due today: not overdue yet
    RiskFactory(review_date=on - dt.timedelta(days=5), status="closed")
    assert list(Risk.objects.review_overdue(on=on)) == [late]


@pytest.mark.parametrize(
    ("rating", "appetite", "above"),
    [
        ("B2", Colour.AMBER, True),  # red, amber accepted
        ("C3", Colour.AMBER, False),  # amber, amber accepted
        ("C3", Colour.GREEN, True),  # amber, only green accepted
        ("B2", Colour.RED, False),  # red accepted
        ("F4", Colour.GREEN, False),
    ],
)
def test_above_appetite_compares_colour_with_appetite(rating, appetite, above):
    risk = RiskFactory(appetite=appetite, **rate(rating))
    assert risk.is_above_appetite is above
    assert Risk.objects.above_appetite().filter(pk=risk.pk).exists() is above


def test_rating_history_is_append_only_in_the_database():
    risk = RiskFactory()
    rating = risk.ratings.get()
    with pytest.raises(Exception, match="append-only"), transaction.atomic():
        RiskRating.objects.filter(pk=rating.pk).update(note="rewritten")
    with pytest.raises(Exception, match="append-only"), transaction.atomic():
        rating.delete()
