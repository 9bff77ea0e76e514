import smtplib

import pytest
from celery.schedules import crontab
from django.core import mail

from boardpacks import services, tasks
from boardpacks.models import BoardPack, Delivery
from medway_improve.celery import app
from tests.factories import TODAY, BoardPackFactory, DeliveryFactory

pytestmark = pytest.mark.django_db


def test_board_pack_tasks_run_on_their_own_queue():
    for name in (
        "boardpacks.render",
        "boardpacks.send",
        "boardpacks.deliver",
        "boardpacks.build_monthly",
    ):
        assert app.amqp.router.route({}, name)["queue"].name == "boardpacks"
    assert app.amqp.router.route({}, "some.other.task")["queue"].name == "celery"


def test_render_task_has_a_time_limit_and_bounded_retries(settings):
    task = app.tasks["boardpacks.render"]
    assert task.time_limit == settings.BOARD_PACK_TIME_LIMIT
    assert task.soft_time_limit < task.time_limit
    assert task.max_retries == 2
    assert app.tasks["boardpacks.deliver"].max_retries == 5


def test_monthly_schedule_builds_on_the_configured_day(settings):
    entry = app.conf.beat_schedule["board-pack-monthly"]
    assert entry["task"] == "boardpacks.build_monthly"
    assert entry["schedule"] == crontab(
        minute=0, hour=settings.BOARD_PACK_HOUR, day_of_month=settings.BOARD_PACK_DAY
    )


def test_monthly_build_asks_for_this_months_pack_once(monkeypatch):
    monkeypatch.setattr(services, "_enqueue_render", lambda *args: None)
    monkeypatch.setattr(tasks.timezone, "localdate", lambda: TODAY)
    first = tasks.build_monthly_board_pack.apply().get()
    pack = BoardPack.objects.get(pk=first)
    assert (pack.month.isoformat(), pack.send_to_board, pack.requested_by) == (
        TODAY.replace(day=1).isoformat(),
        True,
        None,
    )
    assert tasks.build_monthly_board_pack.apply().get() is None
    assert BoardPack.objects.count() == 1


def deliver(delivery) -> str:
    return tasks.deliver_board_pack.apply(kwargs={"delivery_id": delivery.pk}, throw=False).get()


def test_a_failed_delivery_is_retried_and_sent_once(media_root, monkeypatch):
    delivery = DeliveryFactory()
    real_send = mail.EmailMessage.send
    calls = []

    def flaky(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return real_send(self, *args, **kwargs)

    monkeypatch.setattr(mail.EmailMessage, "send", flaky)
    # Eager: Celery runs the retry at once instead of after its countdown.
    assert deliver(delivery) == "sent"
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (Delivery.Status.SENT, 2)
    assert len(calls) == 2 and len(mail.outbox) == 1
    # Redelivered task (acks_late after a crash): nothing is sent again.
    assert deliver(delivery) == "sent"
    assert len(mail.outbox) == 1


def test_delivery_retries_are_bounded(media_root, monkeypatch):
    delivery = DeliveryFactory()

    def refuse(self, *args, **kwargs):
        raise smtplib.SMTPRecipientsRefused({delivery.email: (550, b"No such user")})

    monkeypatch.setattr(mail.EmailMessage, "send", refuse)
    # Eager retries re-apply without `throw`, so let them all run to the end.
    monkeypatch.setitem(app.conf, "task_eager_propagates", False)
    result = tasks.deliver_board_pack.apply(kwargs={"delivery_id": delivery.pk})
    assert isinstance(result.result, services.DeliveryFailed)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (Delivery.Status.FAILED, 6)
    assert "No such user" in delivery.error
    assert mail.outbox == []


def test_render_task_waits_for_a_render_in_progress(settings, monkeypatch):
    from django.utils import timezone

    pack = BoardPackFactory(status=BoardPack.Status.RENDERING, started_at=timezone.now())
    retries = []

    def retry(**kwargs):
        retries.append(kwargs["countdown"])
        return RuntimeError("retried")

    monkeypatch.setattr(tasks.render_board_pack, "retry", retry)
    with pytest.raises(RuntimeError, match="retried"):
        tasks.render_board_pack.run(pack_id=pack.pk)
    assert retries == [settings.BOARD_PACK_TIME_LIMIT + 5]


def test_render_task_reports_the_pack(media_root):
    pack = BoardPackFactory()
    result = tasks.render_board_pack.apply(kwargs={"pack_id": pack.pk, "as_of": TODAY.isoformat()})
    assert result.get()["status"] == "ready"
    pack.refresh_from_db()
    assert pack.data["as_of"] == TODAY.isoformat()


# --- A pack left queued when Redis was down (issue 15, operations) ---------------------------


@pytest.fixture
def broker(monkeypatch):
    """The render task's queue: down until `broker.up = True`; records what was sent."""
    from kombu.exceptions import OperationalError

    class Broker:
        up = False
        sent: list[dict] = []

    def apply_async(*, kwargs, **options):
        if not Broker.up:
            raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
        Broker.sent.append(kwargs)

    monkeypatch.setattr(tasks.render_board_pack, "apply_async", apply_async)
    return Broker


def test_generate_now_with_redis_down_keeps_the_pack_queued_without_an_error(
    broker, lead, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        pack = services.boardpack_request(user=lead, month=TODAY.replace(day=1))
    assert pack.status == BoardPack.Status.QUEUED
    assert broker.sent == []


def test_the_sweep_queues_a_pack_left_queued_once_redis_is_back(
    broker, lead, django_capture_on_commit_callbacks, settings
):
    import datetime as dt

    from django.utils import timezone

    with django_capture_on_commit_callbacks(execute=True):
        pack = services.boardpack_request(user=lead, month=TODAY.replace(day=1))
    broker.up = True
    # Not yet: a pack asked for moments ago may simply be waiting for a worker.
    assert services.boardpacks_requeue_stuck() == []
    later = timezone.now() + dt.timedelta(seconds=settings.BOARD_PACK_REQUEUE_SECONDS + 1)
    assert services.boardpacks_requeue_stuck(now=later) == [pack.pk]
    assert broker.sent == [{"pack_id": pack.pk}]


def test_the_sweep_queues_a_pack_whose_render_was_abandoned(broker, settings, media_root):
    import datetime as dt

    from django.utils import timezone

    broker.up = True
    long_ago = timezone.now() - dt.timedelta(seconds=settings.BOARD_PACK_TIME_LIMIT + 1)
    abandoned = BoardPackFactory(status=BoardPack.Status.RENDERING, started_at=long_ago)
    BoardPackFactory(status=BoardPack.Status.RENDERING, started_at=timezone.now())
    BoardPackFactory(ready=True)
    assert services.boardpacks_requeue_stuck() == [abandoned.pk]


def test_the_sweep_runs_on_the_beat_schedule(settings):
    import datetime as dt

    entry = app.conf.beat_schedule["board-pack-requeue-stuck"]
    assert entry["task"] == "boardpacks.requeue_stuck"
    assert entry["schedule"] == dt.timedelta(seconds=settings.BOARD_PACK_SWEEP_SECONDS)
    assert app.amqp.router.route({}, "boardpacks.requeue_stuck")["queue"].name == "boardpacks"


# --- Sending left unqueued (the broker was down when it should have been queued) -------------


@pytest.fixture
def sent_tasks(monkeypatch):
    """What the sweep queues for sending: (task name, kwargs)."""
    sent: list[tuple[str, dict]] = []
    for name in ("boardpacks.send", "boardpacks.deliver"):
        task = app.tasks[name]
        monkeypatch.setattr(
            task, "apply_async", lambda *, kwargs, _name=name, **o: sent.append((_name, kwargs))
        )
    return sent


def later(settings):
    import datetime as dt

    from django.utils import timezone

    return timezone.now() + dt.timedelta(seconds=settings.BOARD_PACK_REQUEUE_SECONDS + 1)


def test_the_sweep_sends_a_ready_pack_for_the_board_whose_send_was_never_queued(
    sent_tasks, board_member, settings
):
    pack = BoardPackFactory(ready=True, send_to_board=True)
    BoardPackFactory(ready=True, send_to_board=False)  # a lead's own copy: not sent
    assert services.boardpack_sending_requeue_stuck() == ([], [])  # not yet: just finished
    assert services.boardpack_sending_requeue_stuck(now=later(settings)) == ([pack.pk], [])
    assert sent_tasks == [("boardpacks.send", {"pack_id": pack.pk})]


def test_the_sweep_leaves_a_sent_pack_an_old_pack_and_a_board_with_nobody_alone(
    sent_tasks, settings, board_member
):
    import datetime as dt

    from django.utils import timezone

    sent = BoardPackFactory(ready=True, send_to_board=True)
    DeliveryFactory(pack=sent, recipient=board_member, status=Delivery.Status.FAILED, attempts=5)
    BoardPackFactory(
        ready=True, send_to_board=True, finished_at=timezone.now() - dt.timedelta(days=2)
    )
    assert services.boardpack_sending_requeue_stuck(now=later(settings)) == ([], [])
    board_member.groups.clear()
    BoardPackFactory(ready=True, send_to_board=True)
    assert services.boardpack_sending_requeue_stuck(now=later(settings)) == ([], [])
    assert sent_tasks == []


def test_the_sweep_queues_a_delivery_never_tried(sent_tasks, settings):
    waiting = DeliveryFactory()
    DeliveryFactory(status=Delivery.Status.FAILED, attempts=1)  # its task retries it
    assert services.boardpack_sending_requeue_stuck() == ([], [])
    assert services.boardpack_sending_requeue_stuck(now=later(settings)) == ([], [waiting.pk])
    assert sent_tasks == [("boardpacks.deliver", {"delivery_id": waiting.pk})]


def test_sending_with_the_broker_down_is_queued_by_the_sweep_once_it_is_back(
    monkeypatch, board_member, lead, settings, django_capture_on_commit_callbacks
):
    from kombu.exceptions import OperationalError

    pack = BoardPackFactory(ready=True)
    deliver = app.tasks["boardpacks.deliver"]
    sent: list[dict] = []

    def down(**kwargs):
        raise OperationalError("Connection refused.")

    monkeypatch.setattr(deliver, "apply_async", down)
    with django_capture_on_commit_callbacks(execute=True):
        [delivery] = services.boardpack_send(pack_id=pack.pk, user=lead)
    monkeypatch.setattr(deliver, "apply_async", lambda *, kwargs, **o: sent.append(kwargs))
    assert services.boardpack_sending_requeue_stuck(now=later(settings)) == ([], [delivery.pk])
    assert sent == [{"delivery_id": delivery.pk}]
