import datetime as dt
import smtplib

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage

from accounts.models import Role
from boardpacks import emails, rendering, services
from boardpacks.models import BoardPack, Delivery
from tests.boardpacks.conftest import MONTH
from tests.factories import TODAY, ActionFactory, BoardPackFactory, DeliveryFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def members(db):
    return [UserFactory(username=f"member{n}", role=Role.BOARD_MEMBER) for n in range(3)] + [
        UserFactory(username="noemail", email="", role=Role.BOARD_MEMBER)
    ]


# --- Asking for a pack ---------------------------------------------------------------------


def test_lead_queues_a_pack_and_its_task_after_commit(
    lead, django_capture_on_commit_callbacks, monkeypatch
):
    queued = []
    monkeypatch.setattr(services, "_enqueue_render", lambda pk, as_of=None: queued.append(pk))
    with django_capture_on_commit_callbacks(execute=True):
        pack = services.boardpack_request(user=lead, month=dt.date(2026, 12, 9))
    assert (pack.month, pack.version, pack.status) == (dt.date(2026, 12, 1), 1, "queued")
    assert pack.meeting_date == dt.date(2026, 12, 15)
    assert pack.requested_by == lead
    assert queued == [pack.pk]


def test_board_members_and_officers_cannot_generate(board_member, officer):
    for user in (board_member, officer):
        with pytest.raises(PermissionDenied):
            services.boardpack_request(user=user, month=MONTH)
    assert not BoardPack.objects.exists()


def test_regenerating_makes_a_new_version(lead, media_root):
    BoardPackFactory(month=MONTH, version=1, ready=True)
    pack = services.boardpack_request(user=lead, month=MONTH, enqueue=False)
    assert pack.version == 2


def test_pressing_twice_while_it_renders_does_not_queue_a_second(lead):
    first = services.boardpack_request(user=lead, month=MONTH, enqueue=False)
    again = services.boardpack_request(user=lead, month=MONTH, enqueue=False)
    assert again == first and BoardPack.objects.count() == 1


@pytest.mark.parametrize("days", [-32, 63, 200], ids=lambda d: f"{d:+d} days")
def test_meeting_date_far_from_the_month_is_refused(lead, days):
    far = MONTH + dt.timedelta(days=days)
    with pytest.raises(ValidationError) as error:
        services.boardpack_request(user=lead, month=MONTH, meeting_date=far)
    assert "meeting_date" in error.value.message_dict


# --- Building it ----------------------------------------------------------------------------


def test_build_stores_a_ready_pack_with_frozen_data(media_root):
    ActionFactory(title="Only action")
    pack = services.boardpack_request(month=MONTH, enqueue=False)
    pack = services.boardpack_build(pack_id=pack.pk, as_of=TODAY)
    assert pack.status == BoardPack.Status.READY
    assert pack.page_count >= 5 and pack.byte_size > 10_000 and len(pack.checksum) == 64
    assert pack.data["actions"][0]["title"] == "Only action"
    assert pack.started_at <= pack.finished_at
    assert default_storage.exists(pack.pdf.name)
    # Building it again does nothing: it is ready.
    assert services.boardpack_build(pack_id=pack.pk).checksum == pack.checksum


def test_failure_records_the_reason_and_removes_nothing_else(media_root, monkeypatch):
    pack = services.boardpack_request(month=MONTH, enqueue=False)

    def broken(data, **kwargs):
        raise RuntimeError("no ink")

    monkeypatch.setattr(rendering, "render_html", broken)
    with pytest.raises(RuntimeError):
        services.boardpack_build(pack_id=pack.pk, as_of=TODAY)
    pack.refresh_from_db()
    assert (pack.status, pack.error) == (BoardPack.Status.FAILED, "RuntimeError: no ink")
    assert not pack.pdf


def test_a_failed_pack_can_be_built_again(media_root, monkeypatch):
    pack = BoardPackFactory(status=BoardPack.Status.FAILED, error="earlier failure")
    pack = services.boardpack_build(pack_id=pack.pk, as_of=TODAY)
    assert pack.status == BoardPack.Status.READY and pack.error == ""


def test_a_render_in_progress_is_not_taken_over_until_it_is_stale(media_root, settings):
    from django.utils import timezone

    pack = BoardPackFactory(status=BoardPack.Status.RENDERING, started_at=timezone.now())
    with pytest.raises(services.PackBusy):
        services.boardpack_build(pack_id=pack.pk)
    BoardPack.objects.filter(pk=pack.pk).update(
        started_at=timezone.now() - dt.timedelta(seconds=settings.BOARD_PACK_TIME_LIMIT + 1)
    )
    assert services.boardpack_build(pack_id=pack.pk, as_of=TODAY).status == "ready"


# --- Sending it ------------------------------------------------------------------------------


def test_send_makes_one_delivery_per_board_member_with_an_email(members, media_root):
    pack = BoardPackFactory(ready=True)
    deliveries = services.boardpack_send(pack_id=pack.pk, enqueue=False)
    assert sorted(d.email for d in deliveries) == sorted(m.email for m in members[:3])
    assert services.boardpack_send(pack_id=pack.pk, enqueue=False) == deliveries  # none new
    assert Delivery.objects.count() == 3


def test_only_ready_packs_are_sent_and_only_by_leads(members, board_member, media_root):
    with pytest.raises(ValidationError):
        services.boardpack_send(pack_id=BoardPackFactory().pk)
    with pytest.raises(PermissionDenied):
        services.boardpack_send(pack_id=BoardPackFactory(ready=True).pk, user=board_member)


def test_small_pack_is_attached(members, media_root):
    pack = BoardPackFactory(ready=True, version=1)
    delivery = DeliveryFactory(pack=pack, recipient=members[0])
    delivery = services.delivery_send(delivery_id=delivery.pk)
    assert (delivery.status, delivery.method, delivery.attempts) == ("sent", "attachment", 1)
    [message] = mail.outbox
    assert message.to == [members[0].email]
    assert message.subject == f"OFFICIAL: Improvement Board pack for {pack.month:%B %Y}"
    assert message.attachments[0][0].endswith(".pdf")
    assert message.attachments[0][1] == b"%PDF-1.7 test"
    assert emails.download_url(delivery.pack) in message.body
    # A second attempt carries the same Message-ID as the first.
    again, _ = emails.board_pack_message(delivery)
    assert message.extra_headers["Message-ID"] == again.extra_headers["Message-ID"]
    assert message.extra_headers["Message-ID"].startswith(f"<improve.boardpack.{delivery.pk}@")


def test_big_pack_is_sent_as_a_sign_in_link(members, media_root, settings):
    settings.BOARD_PACK_MAX_ATTACHMENT_BYTES = 5
    delivery = services.delivery_send(delivery_id=DeliveryFactory(recipient=members[0]).pk)
    assert delivery.method == Delivery.Method.LINK
    [message] = mail.outbox
    assert message.attachments == []
    assert f"/board-packs/{delivery.pack_id}/download/" in message.body
    assert "Sign in and download" in message.body


def test_sent_delivery_is_never_sent_again(members, media_root):
    delivery = DeliveryFactory(recipient=members[0])
    services.delivery_send(delivery_id=delivery.pk)
    services.delivery_send(delivery_id=delivery.pk)
    assert len(mail.outbox) == 1


def test_failed_send_is_recorded_and_can_succeed_later(members, media_root, monkeypatch):
    delivery = DeliveryFactory(recipient=members[0])
    real_send = mail.EmailMessage.send

    def refuse(self, *args, **kwargs):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")

    monkeypatch.setattr(mail.EmailMessage, "send", refuse)
    with pytest.raises(services.DeliveryFailed):
        services.delivery_send(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.FAILED and delivery.attempts == 1
    assert "SMTPServerDisconnected" in delivery.error

    monkeypatch.setattr(mail.EmailMessage, "send", real_send)
    delivery = services.delivery_send(delivery_id=delivery.pk)
    assert (delivery.status, delivery.attempts, delivery.error) == ("sent", 2, "")
    assert len(mail.outbox) == 1
