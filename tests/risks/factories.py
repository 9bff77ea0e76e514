"""Risk matrices and risks for tests (kept beside their tests to keep tests/factories.py
merge-free). The default matrix comes from the data migration."""

import datetime as dt

import factory

from accounts.models import Role
from risks.models import (
    Colour,
    ImpactLevel,
    LikelihoodLevel,
    MatrixCell,
    RatingFormat,
    Risk,
    RiskMatrix,
    RiskRating,
)
from tests.factories import TODAY, UserFactory

DEFAULT = "Medway corporate risk matrix"


def level(kind: str, code: str, matrix: str = DEFAULT):
    model = LikelihoodLevel if kind == "likelihood" else ImpactLevel
    return model.objects.get(matrix__name=matrix, code=code)


def numeric_5x5(*, active: bool = True) -> RiskMatrix:
    """A council's 5x5 numeric scheme: likelihood 1 (rare) to 5 (almost certain), impact
    1 (insignificant) to 5 (severe), rating = the product, red 15+, amber 5-12, green 1-4."""
    if active:
        RiskMatrix.objects.filter(is_active=True).update(is_active=False)
    matrix = RiskMatrix.objects.create(
        name="Numeric 5x5", is_active=active, rating_format=RatingFormat.SCORE
    )
    likely = ["Rare", "Unlikely", "Possible", "Likely", "Almost certain"]
    severe = ["Insignificant", "Minor", "Moderate", "Major", "Severe"]
    likelihoods = [
        LikelihoodLevel.objects.create(
            matrix=matrix, code=str(score), label=likely[score - 1], rank=6 - score, score=score
        )
        for score in range(1, 6)
    ]
    impacts = [
        ImpactLevel.objects.create(
            matrix=matrix, code=str(score), label=severe[score - 1], rank=6 - score, score=score
        )
        for score in range(1, 6)
    ]
    for likelihood in likelihoods:
        for impact in impacts:
            product = likelihood.score * impact.score
            colour = Colour.RED if product >= 15 else Colour.AMBER if product >= 5 else Colour.GREEN
            MatrixCell.objects.create(likelihood=likelihood, impact=impact, colour=colour)
    return matrix


class RiskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Risk
        skip_postgeneration_save = True

    reference = factory.Sequence(lambda n: f"T{n + 1}")
    title = factory.Sequence(lambda n: f"Risk {n}")
    description = "If this happens then that follows."
    owner = factory.SubFactory(UserFactory, role=Role.OFFICER)
    likelihood = factory.LazyFunction(lambda: level("likelihood", "C"))
    impact = factory.LazyFunction(lambda: level("impact", "3"))
    target_likelihood = factory.LazyFunction(lambda: level("likelihood", "D"))
    target_impact = factory.LazyFunction(lambda: level("impact", "3"))
    appetite = Colour.AMBER
    review_date = TODAY + dt.timedelta(days=30)

    @factory.post_generation
    def rated(self, create, extracted, **kwargs):
        if create:
            RiskRating.objects.create(
                risk=self,
                likelihood=self.likelihood,
                impact=self.impact,
                target_likelihood=self.target_likelihood,
                target_impact=self.target_impact,
                rated_on=TODAY,
                recorded_by=self.owner,
            )


def rate(code: str, matrix: str = DEFAULT) -> dict:
    """{"likelihood": ..., "impact": ...} for a rating such as "B2" (letters) or "4x5"."""
    if "x" in code:
        likelihood, impact = code.split("x")
    else:
        likelihood, impact = code[0], code[1:]
    return {
        "likelihood": level("likelihood", likelihood, matrix),
        "impact": level("impact", impact, matrix),
    }


def target(code: str, matrix: str = DEFAULT) -> dict:
    levels = rate(code, matrix)
    return {"target_likelihood": levels["likelihood"], "target_impact": levels["impact"]}
