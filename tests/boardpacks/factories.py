import factory
from django.utils import timezone

from boardpacks.context import meeting_date_for
from boardpacks.models import BoardPack, Delivery
from tests.factories import TODAY, UserFactory


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
