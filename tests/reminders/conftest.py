"""Real services for the reminder tests: a Celery worker thread on the real Redis broker,
consuming a queue of its own so parallel runs never take each other's tasks. (The scriptable
SMTP server, `smtp`, is in tests/conftest.py.)"""

from __future__ import annotations

import contextlib
import datetime as dt
import time
import uuid

import pytest
import redis
from celery.contrib.testing.worker import start_worker
from django.conf import settings

from medway_improve.celery import app as celery_app
from reminders import delivery
from reminders.working_days import bank_holidays, is_working_day
from tests.factories import TODAY


def next_working_monday(start: dt.date) -> dt.date:
    """The first Monday on or after `start` that is, with the Tuesday after it, a working
    day: the tests that need a Monday run on any date (tests' TODAY is the real date)."""
    day = start + dt.timedelta(days=-start.weekday() % 7)
    while not (is_working_day(day) and is_working_day(day + dt.timedelta(days=1))):
        day += dt.timedelta(days=7)
    return day


MONDAY = next_working_monday(TODAY)


def next_saturday(start: dt.date) -> dt.date:
    return start + dt.timedelta(days=(5 - start.weekday()) % 7)


def next_weekday_bank_holiday(start: dt.date) -> dt.date:
    """The first bank holiday on or after `start` that falls on a weekday."""
    for year in (start.year, start.year + 1):
        for day in sorted(bank_holidays(year)):
            if day >= start and day.weekday() < 5:
                return day
    raise AssertionError("England has a bank holiday every year")


def next_working_day(start: dt.date) -> dt.date:
    day = start
    while not is_working_day(day):
        day += dt.timedelta(days=1)
    return day


@pytest.fixture(autouse=True)
def _broker_not_remembered_down():
    delivery._broker_down_until = 0.0
    yield
    delivery._broker_down_until = 0.0


@pytest.fixture
def queue_name(settings):
    """A queue of this test's own on the real broker."""
    name = f"reminders-test-{uuid.uuid4().hex[:10]}"
    settings.REMINDERS_QUEUE = name
    yield name
    with contextlib.suppress(redis.RedisError):
        client = redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_timeout=2)
        client.delete(name, *[f"{name}\x06\x16{n}" for n in range(10)])


@pytest.fixture
def fast_retries(settings):
    settings.REMINDERS_RETRY_BASE_SECONDS = 0.2


@contextlib.contextmanager
def worker_for(queue: str, **kwargs):
    with start_worker(
        celery_app,
        pool="solo",
        concurrency=1,
        perform_ping_check=False,
        queues=[queue],
        shutdown_timeout=30,
        loglevel="WARNING",
        **kwargs,
    ) as worker:
        yield worker


@pytest.fixture
def celery_worker(transactional_db, queue_name):
    """A real Celery worker in a thread, on the real Redis broker. Worker threads use their own
    database connection, so tests using it need committed data (transaction=True)."""
    with worker_for(queue_name) as worker:
        yield worker


@contextlib.contextmanager
def broker_at(url: str):
    """Point the project's Celery app at another broker for a while (e.g. a closed port)."""
    conf = celery_app.conf
    saved = conf.broker_url
    conf.broker_url = url
    _reset_connections()
    try:
        yield
    finally:
        conf.broker_url = saved
        _reset_connections()


def _reset_connections():
    # Forget (don't close: kombu shares them between pools) the app's broker connections, so
    # the next publish connects to conf.broker_url afresh.
    celery_app._pool = None
    with contextlib.suppress(AttributeError, KeyError):
        celery_app.__dict__["amqp"]._producer_pool = None


def wait_until(predicate, timeout: float = 20.0, interval: float = 0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()


def broker_url() -> str:
    return settings.CELERY_BROKER_URL
