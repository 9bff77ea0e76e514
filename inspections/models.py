"""Ofsted inspections and visits, what they judged and what they asked to improve."""

from __future__ import annotations

import pghistory
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.urls import reverse

from inspections.short_titles import suggest_short_title


class LocalAuthority(models.Model):
    name = models.CharField(max_length=120, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "local authorities"

    def __str__(self) -> str:
        return self.name


class Grade(models.IntegerChoices):
    """Ofsted's four-point scale, best (1) to worst (4)."""

    OUTSTANDING = 1, "Outstanding"
    GOOD = 2, "Good"
    REQUIRES_IMPROVEMENT = 3, "Requires improvement to be good"
    INADEQUATE = 4, "Inadequate"

    @property
    def slug(self) -> str:
        return self.name.lower()


class JudgementAreaQuerySet(models.QuerySet):
    def current(self):
        return self.filter(retired_on__isnull=True)


class JudgementArea(models.Model):
    """A canonical judgement area. Data, not code: the wording in reports changes
    between framework versions (2023 split children in care from care leavers), so each
    judgement stores the words as printed and links to one of these."""

    key = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=200)
    short_name = models.CharField(max_length=60)
    order = models.PositiveSmallIntegerField(default=0)
    is_overall = models.BooleanField(default=False)
    introduced_on = models.DateField(null=True, blank=True)
    retired_on = models.DateField(
        null=True, blank=True, help_text="Set when a framework change stops judging this area."
    )

    objects = JudgementAreaQuerySet.as_manager()

    class Meta:
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.short_name


class InspectionQuerySet(models.QuerySet):
    def graded(self):
        return self.filter(kind__in=Inspection.Kind.graded_kinds())

    def newest_first(self):
        return self.order_by("-start_date", "-pk")


@pghistory.track()
class Inspection(models.Model):
    """One inspection or visit: a full ILACS inspection, a focused or monitoring visit..."""

    class Kind(models.TextChoices):
        ILACS_STANDARD = "ilacs_standard", "ILACS standard inspection"
        ILACS_SHORT = "ilacs_short", "ILACS short inspection"
        FOCUSED_VISIT = "focused_visit", "Focused visit"
        MONITORING_VISIT = "monitoring_visit", "Monitoring visit"
        ACTION_PLANNING_VISIT = "action_planning_visit", "Action planning visit"
        JTAI = "jtai", "Joint targeted area inspection"

        @classmethod
        def graded_kinds(cls) -> list[str]:
            return [cls.ILACS_STANDARD, cls.ILACS_SHORT]

        @classmethod
        def with_article(cls, value: str) -> str:
            """The kind in running text: "an ILACS standard inspection", "a focused visit"."""
            label = str(cls(value).label)
            if not label[:2].isupper():  # keep acronyms such as ILACS as they are
                label = label[:1].lower() + label[1:]
            return f"{'an' if label[:1].lower() in 'aeiou' else 'a'} {label}"

    local_authority = models.ForeignKey(
        LocalAuthority, on_delete=models.PROTECT, related_name="inspections"
    )
    kind = models.CharField(max_length=30, choices=Kind.choices)
    title = models.CharField(
        max_length=250, blank=True, help_text="The theme of a visit, or the report's title."
    )
    start_date = models.DateField("on-site start")
    end_date = models.DateField("on-site end")
    published_date = models.DateField("letter or publication date", null=True, blank=True)
    inspectors = ArrayField(models.CharField(max_length=120), default=list, blank=True)
    framework = models.CharField(max_length=120, blank=True, default="ILACS")
    summary = models.TextField(blank=True)
    source_document = models.FileField(upload_to="inspections/%Y/", blank=True)
    source_url = models.URLField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = InspectionQuerySet.as_manager()

    class Meta:
        ordering = ["-start_date", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")),
                name="inspection_end_not_before_start",
                violation_error_message="The on-site end date cannot be before the start date.",
            ),
            models.CheckConstraint(
                condition=Q(published_date__isnull=True)
                | Q(published_date__gte=models.F("start_date")),
                name="inspection_published_not_before_start",
                violation_error_message="The letter date cannot be before the visit started.",
            ),
        ]

    def __str__(self) -> str:
        return self.display_title

    def get_absolute_url(self) -> str:
        return reverse("inspections:inspection_detail", args=[self.pk])

    @property
    def display_title(self) -> str:
        label = self.title or self.get_kind_display()
        return f"{label}, {self.start_date:%B %Y}"

    @property
    def kind_with_article(self) -> str:
        return Inspection.Kind.with_article(self.kind)

    @property
    def is_graded(self) -> bool:
        return self.kind in Inspection.Kind.graded_kinds()


class JudgementQuerySet(models.QuerySet):
    def latest_per_area(self):
        """The most recent judgement of each canonical area."""
        return (
            self.select_related("area", "inspection")
            .order_by("area_id", "-inspection__start_date")
            .distinct("area_id")
        )


@pghistory.track()
class Judgement(models.Model):
    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="judgements")
    area = models.ForeignKey(JudgementArea, on_delete=models.PROTECT, related_name="judgements")
    wording = models.CharField(max_length=250, help_text="The area exactly as the report words it.")
    grade = models.PositiveSmallIntegerField(choices=Grade.choices)

    objects = JudgementQuerySet.as_manager()

    class Meta:
        ordering = ["inspection", "area__order"]
        constraints = [
            models.UniqueConstraint(
                fields=["inspection", "area"],
                name="one_judgement_per_area_per_inspection",
                violation_error_message="This inspection already has a judgement for that area.",
            ),
            models.CheckConstraint(
                condition=Q(grade__gte=1, grade__lte=4), name="judgement_grade_in_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.area}: {self.get_grade_display()}"


class AreaForImprovementQuerySet(models.QuerySet):
    def with_inspection(self):
        return self.select_related("inspection")

    def current(self):
        """The areas the plan must answer now: those named by the latest graded inspection
        and by any visit since (all of them before any graded inspection)."""
        latest = Inspection.objects.graded().newest_first().first()
        areas = self.with_inspection()
        if latest is not None:
            areas = areas.filter(inspection__start_date__gte=latest.start_date)
        return areas


@pghistory.track()
class AreaForImprovement(models.Model):
    """An area for improvement ("What needs to improve") or, on a focused visit,
    an area for priority action. It may continue an earlier area."""

    inspection = models.ForeignKey(
        Inspection, on_delete=models.CASCADE, related_name="areas_for_improvement"
    )
    text = models.TextField()
    short_title = models.CharField(max_length=120, blank=True)
    order = models.PositiveSmallIntegerField(default=1)
    is_priority_action = models.BooleanField("area for priority action", default=False)
    continues = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="continued_by",
        help_text="The earlier area for improvement this one carries forward.",
    )

    objects = AreaForImprovementQuerySet.as_manager()

    class Meta:
        ordering = ["inspection__start_date", "order"]
        verbose_name = "area for improvement"
        verbose_name_plural = "areas for improvement"
        constraints = [
            models.UniqueConstraint(
                fields=["inspection", "order"],
                name="afi_order_unique_per_inspection",
                deferrable=models.Deferrable.DEFERRED,
            ),
        ]

    def __str__(self) -> str:
        return self.label

    def get_absolute_url(self) -> str:
        return reverse("inspections:area_detail", args=[self.pk])

    @property
    def label(self) -> str:
        """The heading for pages and the board pack: the short title, or one suggested from
        the text (whole words only)."""
        return self.short_title or suggest_short_title(self.text) or self.text


@pghistory.track()
class Strength(models.Model):
    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="strengths")
    text = models.TextField()
    order = models.PositiveSmallIntegerField(default=1)

    class Meta:
        ordering = ["inspection", "order"]

    def __str__(self) -> str:
        return self.text[:80]


@pghistory.track()
class AreaCovered(models.Model):
    """An area a monitoring or focused visit looked at, usually an earlier area for
    improvement, with what the inspectors found."""

    inspection = models.ForeignKey(
        Inspection, on_delete=models.CASCADE, related_name="areas_covered"
    )
    text = models.TextField()
    order = models.PositiveSmallIntegerField(default=1)
    revisits = models.ForeignKey(
        AreaForImprovement,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="revisited_by",
    )
    finding = models.TextField("inspectors' finding", blank=True)

    class Meta:
        ordering = ["inspection", "order"]
        verbose_name_plural = "areas covered"
        constraints = [
            models.UniqueConstraint(
                fields=["inspection", "order"],
                name="area_covered_order_unique_per_inspection",
                deferrable=models.Deferrable.DEFERRED,
            ),
        ]

    def __str__(self) -> str:
        return self.text[:80]
