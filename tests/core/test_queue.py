"""core.queue: tasks queued by their stable name, after commit, softly when the broker is down."""

from __future__ import annotations

import logging
import sys

import pytest
from celery import current_app
from celery.exceptions import NotRegistered
from django.db import transaction
from kombu.exceptions import OperationalError

from core import queue

ran: list[str] = []


@current_app.task(name="tests.core.record")
def record(*, value: str) -> str:
    ran.append(value)
    return value


@pytest.fixture(autouse=True)
def fresh():
    ran.clear()
    yield
    ran.clear()


@pytest.fixture
def eager():
    before = current_app.conf.task_always_eager
    current_app.conf.task_always_eager = True
    yield
    current_app.conf.task_always_eager = before


@pytest.fixture
def broker_down(monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(current_app.tasks["tests.core.record"], "apply_async", refuse)


def test_enqueue_runs_the_task_by_name_in_eager_mode(eager):
    assert queue.enqueue("tests.core.record", value="hello") is True
    assert ran == ["hello"]


def test_enqueue_imports_an_apps_tasks_module_it_has_not_seen(eager, monkeypatch, db):
    # As in a web process that never imported imports/tasks.py.
    monkeypatch.delitem(current_app.tasks, "imports.purge_pending_uploads", raising=False)
    monkeypatch.delitem(sys.modules, "imports.tasks", raising=False)
    assert "imports.purge_pending_uploads" not in current_app.tasks
    assert queue.enqueue("imports.purge_pending_uploads") is True
    assert "imports.purge_pending_uploads" in current_app.tasks
    assert "imports.tasks" in sys.modules


def test_a_misspelt_task_name_is_an_error(eager):
    with pytest.raises(NotRegistered):
        queue.enqueue("tests.core.no_such_task")


def test_with_the_broker_down_enqueue_logs_the_task_and_returns_false(broker_down, caplog):
    with caplog.at_level(logging.WARNING, logger="improve.tasks"):
        assert queue.enqueue("tests.core.record", value="lost") is False
    assert ran == []
    [warning] = [r for r in caplog.records if r.name == "improve.tasks"]
    assert warning.levelno == logging.WARNING
    assert "Could not queue tests.core.record" in warning.getMessage()
    assert "broker is unavailable" in warning.getMessage()
    assert warning.task == "tests.core.record"


def test_enqueue_on_commit_waits_for_the_commit(eager, db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with transaction.atomic():
            queue.enqueue_on_commit("tests.core.record", value="saved")
            assert ran == []
        assert ran == []  # the test's outer transaction has not committed yet
    assert len(callbacks) == 1
    assert ran == ["saved"]


def test_enqueue_on_commit_queues_nothing_when_the_change_rolls_back(
    eager, db, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        queue.enqueue_on_commit("tests.core.record", value="rolled back")
        raise RuntimeError("the save failed")
    assert callbacks == []
    assert ran == []


def test_enqueue_on_commit_with_the_broker_down_does_not_fail_the_save(
    broker_down, db, django_capture_on_commit_callbacks, caplog
):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        queue.enqueue_on_commit("tests.core.record", value="lost")
    assert ran == []
    assert "Could not queue tests.core.record" in caplog.text
