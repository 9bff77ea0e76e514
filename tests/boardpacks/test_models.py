import pytest
from django.db import IntegrityError, InternalError, ProgrammingError, transaction
from django.utils import timezone

from boardpacks.models import BoardPack, Delivery
from tests.factories import TODAY, BoardPackFactory, DeliveryFactory

pytestmark = pytest.mark.django_db

REFUSED = (InternalError, ProgrammingError)  # psycopg: insufficient_privilege


def test_a_ready_pack_cannot_be_changed_or_deleted(media_root):
    pack = BoardPackFactory(ready=True)
    with pytest.raises(REFUSED, match="is ready"), transaction.atomic():
        BoardPack.objects.filter(pk=pack.pk).update(page_count=99)
    with pytest.raises(REFUSED, match="is ready"), transaction.atomic():
        pack.error = "tampered"
        pack.save()
    with pytest.raises(REFUSED, match="is ready"), transaction.atomic():
        BoardPack.objects.filter(pk=pack.pk).delete()
    pack.refresh_from_db()
    assert pack.page_count == 1 and pack.status == BoardPack.Status.READY


def test_packs_that_are_not_ready_can_change():
    pack = BoardPackFactory()
    assert BoardPack.objects.filter(pk=pack.pk).update(status=BoardPack.Status.FAILED, error="x")
    assert BoardPack.objects.filter(pk=pack.pk).update(status=BoardPack.Status.QUEUED, error="")
    assert BoardPack.objects.filter(pk=pack.pk).delete()[0] == 1
    assert not BoardPack.objects.filter(pk=pack.pk).exists()


def test_one_version_number_per_month():
    BoardPackFactory(version=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        BoardPackFactory(version=1)
    BoardPackFactory(version=2)


@pytest.mark.parametrize(
    "fields",
    [
        {"status": "ready"},  # no file, checksum, data
        {"status": "failed"},  # no reason
        {"status": "done"},
        {"month": TODAY.replace(day=2)},
    ],
)
def test_database_refuses_incomplete_packs(fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        BoardPackFactory(**fields)


def test_a_pack_is_delivered_at_most_once_to_each_person(media_root):
    delivery = DeliveryFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        DeliveryFactory(pack=delivery.pack, recipient=delivery.recipient)


def test_a_sent_delivery_cannot_be_reset(media_root):
    delivery = DeliveryFactory()
    Delivery.objects.filter(pk=delivery.pk).update(
        status=Delivery.Status.SENT, method=Delivery.Method.LINK, sent_at=timezone.now()
    )
    with pytest.raises(REFUSED, match="was sent"), transaction.atomic():
        Delivery.objects.filter(pk=delivery.pk).update(status=Delivery.Status.PENDING)
    with pytest.raises(REFUSED, match="was sent"), transaction.atomic():
        Delivery.objects.filter(pk=delivery.pk).delete()


def test_previous_pack_is_the_newest_ready_version_of_an_earlier_month(media_root):
    import datetime as dt  # noqa: PLC0415

    earlier = (TODAY.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    month = TODAY.replace(day=1)
    BoardPackFactory(month=earlier, version=1, ready=True)
    latest = BoardPackFactory(month=earlier, version=2, ready=True)
    BoardPackFactory(month=earlier, version=3, status=BoardPack.Status.FAILED, error="x")
    BoardPackFactory(month=month, version=1, ready=True)
    assert BoardPack.objects.previous_to(month) == latest
    assert BoardPack.objects.previous_to(earlier) is None
