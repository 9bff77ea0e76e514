"""factory_boy factories for every model the tests build."""

import datetime as dt

import factory
from django.contrib.auth.models import Group

from accounts.models import Role, User
from actions.models import Action, Priority, Status
from inspections.models import (
    AreaForImprovement,
    Grade,
    Inspection,
    Judgement,
    JudgementArea,
    LocalAuthority,
)
from tests.clock import TODAY  # the suite's one clock: see tests/clock.py


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
