"""factory_boy factories for every aggregate the tests build, in one place, and the
Medway demo loader (`load_demo`) that the `demo` fixture in tests/conftest.py uses."""

import datetime as dt
from decimal import Decimal
from io import StringIO

import factory
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.utils import timezone

from accounts.models import Role, User
from actions.models import Action, DueDateChange, Evidence, Priority, ProgressUpdate, Status
from board.models import AgendaItem, Attendance, Challenge, Decision, Meeting
from boardpacks.context import meeting_date_for
from boardpacks.models import BoardPack, Delivery
from imports.models import PendingUpload
from inspections.models import (
    AreaCovered,
    AreaForImprovement,
    Grade,
    Inspection,
    Judgement,
    JudgementArea,
    LocalAuthority,
    Strength,
)
from kpis.models import Comparator, Direction, Frequency, Indicator, IndicatorValue, Unit
from reminders.models import (
    DueDateNotice,
    Kind,
    NoticedDueDateChange,
    Reminder,
    ReminderPreference,
    ReminderRun,
    ReminderSettings,
)
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
from tests.clock import TODAY  # the suite's one clock: see tests/clock.py


def load_demo() -> None:
    """Load (or reload: it is idempotent) the Medway demo, dated around TODAY. Tests ask
    for the `demo` fixture; this is for those that load it again or inside a transaction."""
    call_command("load_demo", today=TODAY, stdout=StringIO())


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name", locale="en_GB")
    last_name = factory.Faker("last_name", locale="en_GB")
    email = factory.LazyAttribute(lambda u: f"{u.username}@medway.example")
    password = factory.django.Password("correct-horse-battery-staple")

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if create and extracted:
            # get_or_create: a transactional (browser) test before this one flushed the
            # groups the migration made.
            self.groups.add(Group.objects.get_or_create(name=Role(extracted).value)[0])


class LocalAuthorityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LocalAuthority
        django_get_or_create = ["name"]

    name = "Medway"


class InspectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Inspection

    local_authority = factory.SubFactory(LocalAuthorityFactory)
    kind = Inspection.Kind.ILACS_STANDARD
    start_date = dt.date(2023, 7, 17)
    end_date = factory.LazyAttribute(lambda i: i.start_date + dt.timedelta(days=11))
    published_date = factory.LazyAttribute(lambda i: i.start_date + dt.timedelta(days=56))


class JudgementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Judgement

    inspection = factory.SubFactory(InspectionFactory)
    area = factory.LazyFunction(lambda: JudgementArea.objects.get(key="overall"))
    wording = factory.LazyAttribute(lambda j: j.area.name)
    grade = Grade.GOOD


class AreaForImprovementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AreaForImprovement

    inspection = factory.SubFactory(InspectionFactory)
    text = factory.Sequence(lambda n: f"The quality and consistency of practice area {n}")
    order = factory.Sequence(lambda n: n + 1)


class PriorityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Priority
        django_get_or_create = ["number"]

    number = 1
    title = "Quality and effectiveness of our practice"


class ActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Action
        skip_postgeneration_save = True

    reference = factory.Sequence(lambda n: f"9.{n + 1}")
    title = factory.Sequence(lambda n: f"Improve practice step {n}")
    priority = factory.SubFactory(PriorityFactory)
    owner = factory.SubFactory(UserFactory, role=Role.OFFICER)
    accountable = factory.SubFactory(UserFactory, role=Role.OFFICER)
    start_date = TODAY - dt.timedelta(days=30)
    baseline_due_date = TODAY + dt.timedelta(days=60)
    due_date = TODAY + dt.timedelta(days=60)
    status = Status.ON_TRACK
    percent_complete = 20

    @factory.post_generation
    def areas(self, create, extracted, **kwargs):
        if create and extracted:
            self.areas.set(extracted)


class StrengthFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Strength

    inspection = factory.SubFactory(InspectionFactory)
    text = factory.Sequence(lambda n: f"Strength {n}")


class AreaCoveredFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AreaCovered

    inspection = factory.SubFactory(InspectionFactory)
    text = factory.Sequence(lambda n: f"Area covered {n}")


class ProgressUpdateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProgressUpdate

    action = factory.SubFactory(ActionFactory)
    author = factory.LazyAttribute(lambda u: u.action.owner)
    status_before = Status.ON_TRACK
    status_after = Status.ON_TRACK
    percent_before = 20
    percent_after = 30


class DueDateChangeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DueDateChange

    action = factory.SubFactory(ActionFactory)
    old_date = factory.LazyAttribute(lambda c: c.action.due_date)
    new_date = factory.LazyAttribute(lambda c: c.old_date + dt.timedelta(days=30))
    reason = "Waiting for the new team to start."
    changed_by = factory.LazyAttribute(lambda c: c.action.owner)


class EvidenceFactory(factory.django.DjangoModelFactory):
    """A note by default; pass `url=` or `file=` for a link or a document."""

    class Meta:
        model = Evidence

    action = factory.SubFactory(ActionFactory)
    url = ""
    file = ""
    note = factory.LazyAttribute(
        lambda e: "" if e.url or e.file else "Audit shows the change has held."
    )
    added_by = factory.LazyAttribute(lambda e: e.action.owner)


# --- Imports awaiting confirmation --------------------------------------------------------


class PendingUploadFactory(factory.django.DjangoModelFactory):
    """An uploaded Ofsted document (by default) a lead has not confirmed yet."""

    class Meta:
        model = PendingUpload

    kind = PendingUpload.Kind.OFSTED
    uploaded_by = factory.SubFactory(UserFactory, role=Role.IMPROVEMENT_LEAD)
    filename = "report.pdf"
    file = factory.django.FileField(filename="report.pdf", data=b"%PDF-1.4 test")
    details = factory.Dict({})


# --- Indicators (kpis) -------------------------------------------------------------------


class ComparatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Comparator
        django_get_or_create = ["name"]

    name = "England"
    order = 1


class IndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Indicator
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"indicator-{n}")
    name = factory.Sequence(lambda n: f"Indicator {n}")
    definition = "What is counted."
    unit = Unit.PERCENTAGE
    decimal_places = 1
    good_direction = Direction.LOWER
    frequency = Frequency.ANNUAL
    target = Decimal("20")
    amber_tolerance = Decimal("2")
    owner = factory.SubFactory(UserFactory, role=Role.OFFICER)


class IndicatorValueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IndicatorValue

    indicator = factory.SubFactory(IndicatorFactory)
    comparator = None
    period_end = factory.Sequence(lambda n: dt.date(2000 + n, 3, 31))
    period_label = factory.LazyAttribute(lambda v: str(v.period_end.year))
    value = Decimal("10")


# --- Risks: the default matrix comes from the data migration ------------------------------

DEFAULT_MATRIX = "Medway corporate risk matrix"


def level(kind: str, code: str, matrix: str = DEFAULT_MATRIX):
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
    """A risk on the default matrix, with the rating history row its rating needs."""

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


def rate(code: str, matrix: str = DEFAULT_MATRIX) -> dict:
    """{"likelihood": ..., "impact": ...} for a rating such as "B2" (letters) or "4x5"."""
    if "x" in code:
        likelihood, impact = code.split("x")
    else:
        likelihood, impact = code[0], code[1:]
    return {
        "likelihood": level("likelihood", likelihood, matrix),
        "impact": level("impact", impact, matrix),
    }


def target(code: str, matrix: str = DEFAULT_MATRIX) -> dict:
    levels = rate(code, matrix)
    return {"target_likelihood": levels["likelihood"], "target_impact": levels["impact"]}


# --- The Improvement Board (board) --------------------------------------------------------


class MeetingFactory(factory.django.DjangoModelFactory):
    """A past meeting of the board (dates a week apart, going back from a week ago)."""

    class Meta:
        model = Meeting

    date = factory.Sequence(lambda n: TODAY - dt.timedelta(days=7 * (n + 1)))


class AttendanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Attendance

    meeting = factory.SubFactory(MeetingFactory)
    person = factory.SubFactory(UserFactory, role=Role.BOARD_MEMBER)
    status = Attendance.Status.PRESENT


class AgendaItemFactory(factory.django.DjangoModelFactory):
    """An agenda item; `actions=[...]`, `areas=[...]`, `indicators=[...]`, `risks=[...]`
    set its subjects."""

    class Meta:
        model = AgendaItem
        skip_postgeneration_save = True

    meeting = factory.SubFactory(MeetingFactory)
    order = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Item {n}")

    @factory.post_generation
    def actions(self, create, extracted, **kwargs):
        if create and extracted:
            self.actions.set(extracted)

    @factory.post_generation
    def areas(self, create, extracted, **kwargs):
        if create and extracted:
            self.areas.set(extracted)

    @factory.post_generation
    def indicators(self, create, extracted, **kwargs):
        if create and extracted:
            self.indicators.set(extracted)

    @factory.post_generation
    def risks(self, create, extracted, **kwargs):
        if create and extracted:
            self.risks.set(extracted)


class DecisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Decision

    meeting = factory.SubFactory(MeetingFactory)
    order = factory.Sequence(lambda n: n + 1)
    text = factory.Sequence(lambda n: f"Decision {n}")


class ChallengeFactory(factory.django.DjangoModelFactory):
    """An open challenge about an action, written straight to the table. Tests of the
    thread (answers, accepting, pressing) raise theirs through board.services."""

    class Meta:
        model = Challenge

    action = factory.SubFactory(ActionFactory)
    question = factory.Sequence(lambda n: f"Question {n}?")
    raised_by = factory.SubFactory(UserFactory, role=Role.BOARD_MEMBER)
    assigned_to = factory.SubFactory(UserFactory, role=Role.OFFICER)
    answer_due = TODAY + dt.timedelta(days=14)


# --- Board packs (boardpacks) -------------------------------------------------------------


class BoardPackFactory(factory.django.DjangoModelFactory):
    """A pack in any state; `ready=True` gives one with a (tiny, fake) stored PDF."""

    class Meta:
        model = BoardPack

    month = TODAY.replace(day=1)
    meeting_date = factory.LazyAttribute(lambda pack: meeting_date_for(pack.month))
    version = factory.Sequence(lambda n: n + 1)

    class Params:
        ready = factory.Trait(
            status=BoardPack.Status.READY,
            pdf=factory.django.FileField(filename="pack.pdf", data=b"%PDF-1.7 test"),
            byte_size=13,
            page_count=1,
            checksum="a" * 64,
            data=factory.LazyAttribute(
                lambda pack: {"month": pack.month.isoformat(), "actions": []}
            ),
            finished_at=factory.LazyFunction(timezone.now),
        )


class DeliveryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Delivery

    pack = factory.SubFactory(BoardPackFactory, ready=True)
    recipient = factory.SubFactory(UserFactory)
    email = factory.LazyAttribute(lambda d: d.recipient.email)


# --- Reminders (reminders) ----------------------------------------------------------------


class ReminderSettingsFactory(factory.django.DjangoModelFactory):
    """The one settings row (the migration made it; a transactional test may have flushed
    it), with whatever fields are passed changed and the rest left as they are:
    `ReminderSettingsFactory(send_time=dt.time(9, 30))`."""

    class Meta:
        model = ReminderSettings
        django_get_or_create = ["id"]

    id = ReminderSettings.SINGLETON_ID

    @classmethod
    def _get_or_create(cls, model_class, *args, **kwargs):
        # get_or_create would ignore the fields passed when the row exists.
        row, _ = cls._get_manager(model_class).update_or_create(
            pk=kwargs.pop("id"), defaults=kwargs
        )
        return row


class ReminderPreferenceFactory(factory.django.DjangoModelFactory):
    """Someone's own choice: daily digests, not paused, unless told otherwise."""

    class Meta:
        model = ReminderPreference

    user = factory.SubFactory(UserFactory, role=Role.OFFICER)


class ReminderFactory(factory.django.DjangoModelFactory):
    """A daily digest for TODAY, waiting to be sent."""

    class Meta:
        model = Reminder

    recipient = factory.SubFactory(UserFactory, role=Role.OFFICER)
    date = TODAY
    kind = Kind.DAILY_DIGEST


class ReminderRunFactory(factory.django.DjangoModelFactory):
    """A day whose reminders were planned (TODAY, then the days before it)."""

    class Meta:
        model = ReminderRun

    date = factory.Sequence(lambda n: TODAY - dt.timedelta(days=n))


class DueDateNoticeFactory(factory.django.DjangoModelFactory):
    """A notice of a due-date change the lead officer made, to the accountable manager."""

    class Meta:
        model = DueDateNotice

    change = factory.SubFactory(DueDateChangeFactory)
    recipient = factory.LazyAttribute(lambda n: n.change.action.accountable)


class NoticedDueDateChangeFactory(factory.django.DjangoModelFactory):
    """A due-date change the reminders tick has dealt with, with its one notice."""

    class Meta:
        model = NoticedDueDateChange

    change = factory.SubFactory(DueDateChangeFactory)
    notices = 1
