"""Fault tests on throwaway servers: PostgreSQL restarted under traffic, Redis stopped,
a Celery worker killed mid-task. Each prints a PASS/FAIL line with its figures."""

from __future__ import annotations

import threading
import time
import urllib.parse
import uuid

import pytest

from tests.faults.servers import (
    CeleryWorker,
    Gunicorn,
    ThrowawayPostgres,
    ThrowawayRedis,
    app_env,
    run_python,
    wait_for,
)

pytestmark = pytest.mark.slow
FRIENDLY_500 = "Sorry, there is a problem with the service"

SETUP = """
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from accounts.models import Role
from tests.factories import ActionFactory, UserFactory
officer = UserFactory(username="fault-officer", role=Role.OFFICER)
action = ActionFactory(owner=officer)
session = SessionStore()
session[SESSION_KEY] = str(officer.pk)
session[BACKEND_SESSION_KEY] = "accounts.backends.RoleBackend"
session[HASH_SESSION_KEY] = officer.get_session_auth_hash()
session.create()
print(session.session_key, action.pk, action.version)
"""


@pytest.fixture(scope="module")
def postgres():
    server = ThrowawayPostgres().start()
    env = app_env(DATABASE_URL=server.url, REDIS_URL="redis://127.0.0.1:1/0")
    import subprocess
    import sys

    from tests.faults.servers import ROOT

    subprocess.run([sys.executable, "scripts/ensure_database.py"], cwd=ROOT, env=env, check=True)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input", "-v0"], cwd=ROOT, env=env, check=True
    )
    session_key, action_pk, version = run_python(SETUP, env).split()
    yield {
        "server": server,
        "env": env,
        "cookie": f"sessionid={session_key}; csrftoken={'c' * 32}",
        "action": int(action_pk),
        "version": int(version),
    }
    server.destroy()


def save(app: Gunicorn, stack, note: str) -> int | str:
    prefix = f"a{stack['action']}-"
    page = app.get(f"/actions/{stack['action']}/", cookie=stack["cookie"])[1]
    import re

    version = re.search(rf'name="{prefix}version"[^>]*value="(\d+)"', page).group(1)
    # The demo's dates follow today: keep the due date the page shows (a change needs a
    # reason), as its day, month and year boxes hold it.
    due_date = {
        re.search(r'name="([^"]*)"', field).group(1): re.search(r'value="([^"]*)"', field).group(1)
        for field in re.findall(rf'<input[^>]*name="{prefix}due_date[^"]*"[^>]*>', page)
    }
    assert due_date, "the action page has no due date boxes"
    body = urllib.parse.urlencode(
        {
            prefix + "version": version,
            prefix + "status": "on_track",
            prefix + "percent_complete": 20,
            **due_date,
            prefix + "note": note,
        }
    )
    status, _ = app.request(
        "POST",
        f"/actions/{stack['action']}/update/",
        cookie=stack["cookie"],
        body=body,
        headers={"X-CSRFToken": "c" * 32, "HX-Request": "true"},
    )
    return status


class Traffic(threading.Thread):
    """One signed-in person reloading an action page every 50 ms."""

    def __init__(self, app: Gunicorn, stack):
        super().__init__(daemon=True)
        self.app, self.stack = app, stack
        self.results: list[tuple[float, int | str, bool]] = []
        self.running = True

    def run(self):
        while self.running:
            status, body = self.app.get(f"/actions/{self.stack['action']}/", self.stack["cookie"])
            self.results.append((time.monotonic(), status, FRIENDLY_500 in body))
            time.sleep(0.05)


def test_postgres_restart_under_traffic(postgres):
    app = Gunicorn(postgres["env"] | {"CONN_MAX_AGE": "60"}).start()
    workers_before = app.worker_pids()
    traffic = Traffic(app, postgres)
    try:
        traffic.start()
        time.sleep(2)
        down_at = time.monotonic()
        postgres["server"].stop()
        time.sleep(3)
        postgres["server"].start()
        up_at = time.monotonic()
        wait_for(
            lambda: (
                traffic.results and traffic.results[-1][1] == 200 and traffic.results[-1][0] > up_at
            ),
            20,
            "pages to recover",
        )
        time.sleep(1)
        traffic.running = False
        traffic.join(5)
        saved_after = save(app, postgres, "after the restart")
        workers_after = app.worker_pids()
    finally:
        traffic.running = False
        app.stop()
    before = [r for r in traffic.results if r[0] < down_at]
    during = [r for r in traffic.results if down_at <= r[0] < up_at]
    failures = [r for r in traffic.results if r[1] != 200]
    recovered = next(r[0] for r in traffic.results if r[0] > up_at and r[1] == 200)
    print(
        f"\nPostgreSQL restart: {len(traffic.results)} requests, {len(failures)} failed while it "
        f"was down (all the friendly 500 page: {all(r[1] == 500 and r[2] for r in failures)}), "
        f"back {recovered - up_at:.1f} s after it came up, same gunicorn workers: "
        f"{workers_before == workers_after}"
    )
    assert before and all(r[1] == 200 for r in before)
    assert failures, "expected requests to fail while PostgreSQL was down"
    assert all(r[1] == 500 and r[2] for r in failures), failures[:5]
    assert {r[1] for r in during} <= {500, 200}
    assert recovered - up_at < 10
    assert saved_after == 200
    assert workers_before == workers_after  # recovered without restarting the app
    print("PASS: PostgreSQL restarted under traffic")


def test_redis_stopped_pages_and_saves_keep_working(postgres):
    broker = ThrowawayRedis(persistent=True).start()
    env = postgres["env"] | {"REDIS_URL": broker.url, "CELERY_BROKER_URL": broker.url}
    app = Gunicorn(env).start()
    try:
        assert app.get("/healthz")[1].count('"broker": "ok"') == 1
        broker.stop()
        started = time.monotonic()
        status, body = app.get("/healthz")
        health_seconds = time.monotonic() - started
        pages = [
            app.get(p, postgres["cookie"])[0]
            for p in ("/", "/actions/", f"/actions/{postgres['action']}/")
        ]
        saved = save(app, postgres, "saved while Redis was down")
        # Queueing work with the broker down fails softly: the save around it still commits.
        pk = postgres["action"]
        enqueue = run_python(
            "from django.db import transaction\n"
            "from actions.models import Action\n"
            "from core.queue import enqueue, enqueue_on_commit\n"
            "import tests.faults.probe_tasks  # registers tests.faults.probe\n"
            "with transaction.atomic():\n"
            f"    Action.objects.filter(pk={pk}).update(title='Queued while down')\n"
            "    enqueue_on_commit('tests.faults.probe', key='down', seconds=0)\n"
            f"title = Action.objects.get(pk={pk}).title\n"
            "print(title, enqueue('tests.faults.probe', key='x', seconds=0))\n",
            env,
        )
    finally:
        app.stop()
        broker.destroy()
    print(
        f"\nRedis stopped: healthz {status} in {health_seconds:.1f} s, pages {pages}, "
        f"save {saved}, enqueue with the broker down: {enqueue.strip()!r}"
    )
    assert status == 200 and '"broker": "unavailable"' in body
    assert health_seconds < 6
    assert pages == [200, 200, 200]
    assert saved == 200
    # The save committed although its task could not be queued; enqueue said so.
    assert enqueue.strip().endswith("Queued while down False")
    print("PASS: Redis stopped, pages and saves kept working")


def test_queued_work_resumes_after_redis_restarts(postgres):
    broker = ThrowawayRedis(persistent=True).start()
    env = postgres["env"] | {
        "REDIS_URL": broker.url,
        "CELERY_BROKER_URL": broker.url,
        "FAULT_PROBE_REDIS": broker.url,
    }
    key = uuid.uuid4().hex
    run_python(
        "from tests.faults.probe_tasks import probe\n"
        f"probe.apply_async(kwargs={{'key': '{key}', 'seconds': 0}}, queue='faults')\n",
        env,
    )
    broker.stop()
    broker.start()  # same port and directory: the queue comes back from its append-only file
    worker = CeleryWorker(env | {"FAULT_WORKER": "w1"}, "w1", "faults").start()
    try:
        import redis

        store = redis.Redis.from_url(broker.url, db=1)
        wait_for(lambda: store.llen(f"{key}:completed") == 1, 30, "the queued task to run")
    finally:
        worker.stop()
        broker.destroy()
    print("\nPASS: work queued before Redis restarted ran once after it came back")


def test_worker_killed_mid_task_completes_once_elsewhere(postgres):
    broker = ThrowawayRedis().start()
    env = postgres["env"] | {
        "REDIS_URL": broker.url,
        "CELERY_BROKER_URL": broker.url,
        "FAULT_PROBE_REDIS": broker.url,
    }
    import os
    import signal

    import redis

    store = redis.Redis.from_url(broker.url, db=1)
    workers = [
        CeleryWorker(env | {"FAULT_WORKER": name}, name, "faults").start() for name in ("w1", "w2")
    ]
    key = uuid.uuid4().hex
    try:
        run_python(
            "from tests.faults.probe_tasks import probe\n"
            f"probe.apply_async(kwargs={{'key': '{key}', 'seconds': 4}}, queue='faults')\n",
            env,
        )
        wait_for(lambda: store.llen(f"{key}:started") == 1, 30, "the task to start")
        first_worker, pid = store.lindex(f"{key}:started", 0).decode().split(":")
        os.kill(int(pid), signal.SIGKILL)  # the process running the task dies mid-task
        wait_for(lambda: store.llen(f"{key}:completed") >= 1, 40, "the task to be redelivered")
        time.sleep(5)  # long enough for a duplicate to show up, if there were one
        started = [s.decode() for s in store.lrange(f"{key}:started", 0, -1)]
        completed = [s.decode() for s in store.lrange(f"{key}:completed", 0, -1)]
    finally:
        for worker in workers:
            worker.stop()
        broker.destroy()
    print(
        f"\nWorker killed mid-task: started on {started}, killed {first_worker}:{pid}, "
        f"completed on {completed}"
    )
    assert len(started) == 2
    assert len(completed) == 1
    assert completed[0] != f"{first_worker}:{pid}"
    print("PASS: a worker killed mid-task; the task completed once on another worker process")


GENERATE_NOW = """
import uuid
from django.db import transaction
from django.utils import timezone
from accounts.models import Role
from boardpacks import services
from tests.factories import UserFactory
import time
lead = UserFactory(username=f"fault-lead-{uuid.uuid4().hex[:8]}", role=Role.IMPROVEMENT_LEAD)
started = time.monotonic()
with transaction.atomic():
    pack = services.boardpack_request(user=lead, month=timezone.localdate().replace(day=1))
print(pack.pk, pack.status, round(time.monotonic() - started, 2))
"""

WAIT_FOR_PACK = """
import time
from boardpacks.models import BoardPack
deadline = time.monotonic() + {timeout}
while True:
    pack = BoardPack.objects.get(pk={pk})
    if pack.status in ("ready", "failed") or time.monotonic() > deadline:
        break
    time.sleep(0.5)
print(pack.status, pack.page_count, repr(pack.error))
"""


def test_a_pack_asked_for_while_redis_was_down_is_ready_once_it_is_back(postgres, tmp_path):
    """Redis down at "Generate now"; Redis back; the pack is ready with no one acting
    (the sweep on the beat schedule queues it again)."""
    broker = ThrowawayRedis(persistent=True).start()
    env = postgres["env"] | {
        "REDIS_URL": broker.url,
        "CELERY_BROKER_URL": broker.url,
        "MEDIA_ROOT": str(tmp_path),
        "BOARD_PACK_REQUEUE_SECONDS": "1",
        "BOARD_PACK_SWEEP_SECONDS": "2",
    }
    broker.stop()
    pk, status, asked_seconds = run_python(GENERATE_NOW, env).split()
    assert status == "queued"
    broker.start()
    worker = CeleryWorker(env, "sweeper", "celery,boardpacks", beat=True).start()
    try:
        started = time.monotonic()
        outcome = run_python(WAIT_FOR_PACK.format(pk=pk, timeout=240), env, timeout=300)
        ready_seconds = time.monotonic() - started
    finally:
        worker.stop()
        broker.destroy()
    print(
        f"\nGenerate now with Redis down: answered in {asked_seconds} s (pack queued); "
        f"after Redis came back: {outcome.strip()} in {ready_seconds:.0f} s"
    )
    assert outcome.split()[0] == "ready", outcome
    print("PASS: a pack asked for while Redis was down was built once Redis was back")
