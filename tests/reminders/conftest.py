"""Real services for the reminder tests: an SMTP server on loopback (aiosmtpd) that can be told
to refuse, stall or hold a message; a Celery worker thread on the real Redis broker, consuming
a queue of its own so parallel runs never take each other's tasks."""

from __future__ import annotations

import asyncio
import contextlib
import email
import socket
import threading
import time
import uuid
from collections import deque
from email.message import Message

import pytest
import redis
from aiosmtpd.controller import Controller
from celery.contrib.testing.worker import start_worker
from django.conf import settings

from medway_improve.celery import app as celery_app
from reminders import services


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ScriptedHandler:
    """An SMTP server's behaviour, scripted by the test.

    refuse_data: replies to give to the next DATA commands instead of accepting ("451 ...").
    refuse_rcpt: replies to give to the next RCPT commands.
    stall_ehlo: seconds to sit silent on the next EHLO commands (the client times out).
    hold_next: hold the next message after DATA until `release` is set; if the client goes
        away meanwhile, the message is dropped, as a real server drops an unacknowledged one.
    """

    def __init__(self):
        self.messages: list[Message] = []
        self.refuse_data: deque[str] = deque()
        self.refuse_rcpt: deque[str] = deque()
        self.stall_ehlo: deque[float] = deque()
        self.hold_next = False
        self.holding = threading.Event()
        self.release = threading.Event()
        self.data_attempts = 0
        self.received = threading.Condition()

    async def handle_EHLO(self, server, session, envelope, hostname, responses):  # noqa: N802
        if self.stall_ehlo:
            await asyncio.sleep(self.stall_ehlo.popleft())
        session.host_name = hostname
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if self.refuse_rcpt:
            return self.refuse_rcpt.popleft()
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.data_attempts += 1
        if self.refuse_data:
            return self.refuse_data.popleft()
        if self.hold_next:
            self.hold_next = False
            self.holding.set()
            while not self.release.is_set():  # cancelled if the client's connection drops
                await asyncio.sleep(0.02)
        message = email.message_from_bytes(envelope.original_content or envelope.content)
        with self.received:
            self.messages.append(message)
            self.received.notify_all()
        return "250 Message accepted for delivery"

    def wait_for(self, count: int, timeout: float = 20.0) -> list[Message]:
        """Wait until `count` messages have arrived; returns them all."""
        with self.received:
            self.received.wait_for(lambda: len(self.messages) >= count, timeout=timeout)
        return list(self.messages)

    def to(self) -> list[str]:
        return sorted(m["To"] for m in self.messages)


@pytest.fixture
def smtp_server():
    handler = ScriptedHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    handler.port = controller.port
    yield handler
    controller.stop()


@pytest.fixture
def smtp(settings, smtp_server):
    """Send this test's mail to the loopback SMTP server (pytest-django's default is locmem)."""
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": smtp_server.port, "timeout": 5},
        }
    }
    return smtp_server


@pytest.fixture(autouse=True)
def _broker_not_remembered_down():
    services._broker_down_until = 0.0
    yield
    services._broker_down_until = 0.0


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
