"""The risk register and the council's risk matrix.

The matrix is configuration, not code: each council sets its likelihood and impact scales
(codes, labels, order, scores), how a rating is written ("B2", a score such as 12, or a
template of its own) and the colour of every cell. A data migration sets up Medway's
default: likelihood A (very high) to F (almost impossible) by impact 1 (catastrophic) to
4 (negligible), A1 the worst.
"""

from __future__ import annotations

import datetime as dt
import string
from functools import cached_property

import pghistory
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Case, F, OuterRef, Q, Subquery, Value, When
from django.urls import reverse

from actions.models import Action
from core.triggers import append_only


class Colour(models.TextChoices):
    """A cell's colour. Also a risk's appetite: the worst colour accepted for it."""

    GREEN = "green", "Green"
    AMBER = "amber", "Amber"
    RED = "red", "Red"

    @property
    def rank(self) -> int:
        return {"green": 1, "amber": 2, "red": 3}[self.value]


def colour_rank_expression(field: str) -> Case:
    return Case(
        *(When(**{field: colour.value}, then=Value(colour.rank)) for colour in Colour),
        default=Value(0),
        output_field=models.IntegerField(),
    )


class RatingFormat(models.TextChoices):
    CODES = "codes", "Likelihood code then impact code, for example B2"
    SCORE = "score", "Likelihood score times impact score, for example 12"
    TEMPLATE = "template", "The council's own template"


TEMPLATE_FIELDS = {"likelihood", "impact", "likelihood_label", "impact_label", "score"}


def validate_rating_template(template: str) -> None:
    """Only the named placeholders, with no attribute access, indexing or conversions."""
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as error:
        raise ValidationError(f"The template is not valid: {error}.") from error
    fields = [(name, spec, conv) for _, name, spec, conv in parsed if name is not None]
    if not fields:
        raise ValidationError("The template needs at least one placeholder, such as {score}.")
    for name, spec, conversion in fields:
        if name not in TEMPLATE_FIELDS or spec or conversion:
            allowed = ", ".join("{" + f + "}" for f in sorted(TEMPLATE_FIELDS))
            raise ValidationError(f"Use only these placeholders: {allowed}.")


class RiskMatrixQuerySet(models.QuerySet["RiskMatrix"]):
    def current(self) -> RiskMatrix | None:
        """The matrix the council uses now (one at most is active)."""
        return self.filter(is_active=True).first()


@pghistory.track()
class RiskMatrix(models.Model):
    name = models.CharField(max_length=100, unique=True)
    is_active = models.BooleanField(
        "in use", default=False, help_text="The register and heat map use the matrix in use."
    )
    rating_format = models.CharField(
        max_length=20, choices=RatingFormat.choices, default=RatingFormat.CODES
    )
    rating_template = models.CharField(
        max_length=60,
        blank=True,
        help_text="Only for the council's own template. Placeholders: {likelihood}, "
        "{impact} (codes), {likelihood_label}, {impact_label}, {score}. "
        "For example L{likelihood}-I{impact}.",
    )
    description = models.TextField(blank=True)

    objects = RiskMatrixQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "risk matrices"
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"],
                condition=Q(is_active=True),
                name="one_risk_matrix_in_use",
                violation_error_message="Only one risk matrix can be in use.",
            ),
            models.CheckConstraint(
                condition=~Q(rating_format=RatingFormat.TEMPLATE) | ~Q(rating_template=""),
                name="risk_matrix_template_needs_text",
                violation_error_message="Give the template for the council's own format.",
            ),
            models.CheckConstraint(
                condition=Q(rating_format__in=RatingFormat.values),
                name="risk_matrix_format_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.rating_format == RatingFormat.TEMPLATE:
            try:
                validate_rating_template(self.rating_template)
            except ValidationError as error:
                raise ValidationError({"rating_template": error.messages}) from error

    @cached_property
    def likelihood_scale(self) -> list[LikelihoodLevel]:
        """Most likely first."""
        return list(self.likelihoods.order_by("rank"))

    @cached_property
    def impact_scale(self) -> list[ImpactLevel]:
        """Most severe first."""
        return list(self.impacts.order_by("rank"))

    @cached_property
    def colours(self) -> dict[tuple[int, int], str]:
        """{(likelihood id, impact id): colour} for every configured cell."""
        return {
            (cell.likelihood_id, cell.impact_id): cell.colour
            for cell in MatrixCell.objects.filter(likelihood__matrix=self)
        }

    def colour_for(self, likelihood_id: int, impact_id: int) -> str | None:
        return self.colours.get((likelihood_id, impact_id))

    def missing_cells(self) -> list[str]:
        """Ratings with no colour set: a complete matrix has none."""
        return [
            self.format_rating(likelihood, impact)
            for likelihood in self.likelihood_scale
            for impact in self.impact_scale
            if (likelihood.pk, impact.pk) not in self.colours
        ]

    def format_rating(self, likelihood: LikelihoodLevel, impact: ImpactLevel) -> str:
        score = likelihood.score * impact.score
        if self.rating_format == RatingFormat.SCORE:
            return str(score)
        if self.rating_format == RatingFormat.TEMPLATE:
            return self.rating_template.format(
                likelihood=likelihood.code,
                impact=impact.code,
                likelihood_label=likelihood.label,
                impact_label=impact.label,
                score=score,
            )
        return f"{likelihood.code}{impact.code}"


class Level(models.Model):
    """One step of a scale. `rank` orders it (1 is the worst end: most likely, or most
    severe); `code` is what ratings print; `score` is used by numeric formats."""

    code = models.CharField(max_length=10, help_text='What a rating prints, e.g. "B" or "4".')
    label = models.CharField(max_length=60)
    description = models.CharField(max_length=250, blank=True)
    rank = models.PositiveSmallIntegerField(help_text="1 is the worst end of the scale.")
    score = models.PositiveSmallIntegerField(help_text="Used to work out numeric ratings.")

    class Meta:
        abstract = True
        ordering = ["matrix", "rank"]

    def __str__(self) -> str:
        return f"{self.code} – {self.label}"


@pghistory.track()
class LikelihoodLevel(Level):
    matrix = models.ForeignKey(RiskMatrix, on_delete=models.CASCADE, related_name="likelihoods")

    class Meta(Level.Meta):
        constraints = [
            models.UniqueConstraint(fields=["matrix", "code"], name="likelihood_code_unique"),
            models.UniqueConstraint(fields=["matrix", "rank"], name="likelihood_rank_unique"),
        ]


@pghistory.track()
class ImpactLevel(Level):
    matrix = models.ForeignKey(RiskMatrix, on_delete=models.CASCADE, related_name="impacts")

    class Meta(Level.Meta):
        constraints = [
            models.UniqueConstraint(fields=["matrix", "code"], name="impact_code_unique"),
            models.UniqueConstraint(fields=["matrix", "rank"], name="impact_rank_unique"),
        ]


@pghistory.track()
class MatrixCell(models.Model):
    """The colour of one likelihood-and-impact rating."""

    likelihood = models.ForeignKey(LikelihoodLevel, on_delete=models.CASCADE, related_name="+")
    impact = models.ForeignKey(ImpactLevel, on_delete=models.CASCADE, related_name="+")
    colour = models.CharField(max_length=10, choices=Colour.choices)

    class Meta:
        ordering = ["likelihood__rank", "impact__rank"]
        constraints = [
            models.UniqueConstraint(fields=["likelihood", "impact"], name="one_colour_per_cell"),
            models.CheckConstraint(condition=Q(colour__in=Colour.values), name="cell_colour_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.likelihood.code}{self.impact.code}: {self.colour}"

    def clean(self) -> None:
        if (
            self.likelihood_id
            and self.impact_id
            and self.likelihood.matrix_id != self.impact.matrix_id
        ):
            raise ValidationError("The likelihood and impact must come from the same matrix.")


class RiskStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


def _cell_colour(likelihood: str, impact: str) -> Subquery:
    return Subquery(
        MatrixCell.objects.filter(likelihood=OuterRef(likelihood), impact=OuterRef(impact)).values(
            "colour"
        )[:1]
    )


class RiskQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status=RiskStatus.OPEN)

    def review_overdue(self, *, on: dt.date):
        """Open risks whose review date has passed: what the reminder digests list."""
        return self.open().filter(review_date__lt=on)

    def with_colours(self):
        """Annotate current_colour, target_colour and current_score from the matrix."""
        return self.annotate(
            current_colour=_cell_colour("likelihood", "impact"),
            target_colour=_cell_colour("target_likelihood", "target_impact"),
        ).annotate(
            current_colour_rank=colour_rank_expression("current_colour"),
            appetite_rank=colour_rank_expression("appetite"),
            current_score=F("likelihood__score") * F("impact__score"),
        )

    def above_appetite(self):
        """Open risks whose current colour is worse than the worst colour accepted."""
        return self.open().with_colours().filter(current_colour_rank__gt=F("appetite_rank"))

    def for_register(self):
        """Worst first: colour, then score, then reference."""
        return (
            self.select_related(
                "owner",
                "likelihood__matrix",
                "impact",
                "target_likelihood",
                "target_impact",
            )
            .with_colours()
            .order_by("-current_colour_rank", "-current_score", "reference")
        )


@pghistory.track()
class Risk(models.Model):
    """A risk that the improvement plan fails, rated on the council's matrix."""

    reference = models.CharField(max_length=20, unique=True, db_collation="natural_sort")
    title = models.CharField(max_length=250)
    description = models.TextField()
    causes = models.TextField(blank=True)
    consequences = models.TextField(blank=True)
    controls = models.TextField(
        blank=True, help_text="What is already in place to keep the risk down."
    )
    mitigation = models.TextField(
        "action to avoid or mitigate the risk", blank=True, help_text="What more will be done."
    )
    actions = models.ManyToManyField(
        Action, related_name="risks", blank=True, verbose_name="mitigating actions"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="risks"
    )
    likelihood = models.ForeignKey(
        LikelihoodLevel, on_delete=models.PROTECT, related_name="+", verbose_name="likelihood"
    )
    impact = models.ForeignKey(
        ImpactLevel, on_delete=models.PROTECT, related_name="+", verbose_name="impact"
    )
    target_likelihood = models.ForeignKey(
        LikelihoodLevel, on_delete=models.PROTECT, related_name="+"
    )
    target_impact = models.ForeignKey(ImpactLevel, on_delete=models.PROTECT, related_name="+")
    appetite = models.CharField(
        max_length=10,
        choices=Colour.choices,
        default=Colour.AMBER,
        help_text="The worst colour the council accepts for this risk. Worse than this is "
        "above appetite and goes to the board.",
    )
    review_date = models.DateField("next review")
    status = models.CharField(max_length=10, choices=RiskStatus.choices, default=RiskStatus.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RiskQuerySet.as_manager()

    class Meta:
        ordering = ["reference"]
        constraints = [
            models.CheckConstraint(
                condition=Q(appetite__in=Colour.values), name="risk_appetite_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=RiskStatus.values), name="risk_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("risks:risk_detail", args=[self.pk])

    @property
    def matrix(self) -> RiskMatrix:
        return self.likelihood.matrix

    @property
    def rating(self) -> str:
        return self.matrix.format_rating(self.likelihood, self.impact)

    @property
    def target_rating(self) -> str:
        return self.matrix.format_rating(self.target_likelihood, self.target_impact)

    @property
    def colour(self) -> str | None:
        if hasattr(self, "current_colour"):
            return self.current_colour
        return self.matrix.colour_for(self.likelihood_id, self.impact_id)

    @property
    def target_colour_value(self) -> str | None:
        if hasattr(self, "target_colour"):
            return self.target_colour
        return self.matrix.colour_for(self.target_likelihood_id, self.target_impact_id)

    @property
    def is_above_appetite(self) -> bool:
        colour = self.colour
        return (
            self.status == RiskStatus.OPEN
            and colour is not None
            and Colour(colour).rank > Colour(self.appetite).rank
        )

    def is_review_overdue(self, on: dt.date) -> bool:
        return self.status == RiskStatus.OPEN and self.review_date < on


# Linking a risk to its mitigating actions is audited too.
RiskActionLinkEvent = pghistory.create_event_model(
    Risk.actions.through, model_name="RiskActionLinkEvent", abstract=False
)


@pghistory.track()
class RiskRating(models.Model):
    """A risk's rating at a point in time. A new row is written whenever the current or
    target rating changes (risks.services). Append-only: the database refuses UPDATE and
    DELETE, so the history is what the register said when."""

    risk = models.ForeignKey(Risk, on_delete=models.PROTECT, related_name="ratings")
    likelihood = models.ForeignKey(LikelihoodLevel, on_delete=models.PROTECT, related_name="+")
    impact = models.ForeignKey(ImpactLevel, on_delete=models.PROTECT, related_name="+")
    target_likelihood = models.ForeignKey(
        LikelihoodLevel, on_delete=models.PROTECT, related_name="+"
    )
    target_impact = models.ForeignKey(ImpactLevel, on_delete=models.PROTECT, related_name="+")
    rated_on = models.DateField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-rated_on", "-pk"]
        indexes = [models.Index(fields=["risk", "-rated_on"], name="risk_rating_history_idx")]
        triggers = [append_only()]

    def __str__(self) -> str:
        return f"{self.risk_id} rated {self.rated_on}"

    @property
    def rating(self) -> str:
        return self.likelihood.matrix.format_rating(self.likelihood, self.impact)

    @property
    def target_rating(self) -> str:
        return self.likelihood.matrix.format_rating(self.target_likelihood, self.target_impact)
