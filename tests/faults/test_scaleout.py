"""Web and workers on separate machines: two gunicorn web processes and two Celery workers,
each with its own empty directory as its only disk (working directory, MEDIA_ROOT and TMPDIR),
sharing only PostgreSQL, Redis and object storage (an S3-compatible server). As it would be on
a container platform behind a load balancer, a person's requests land on either web process.

Prints a PASS line for each behaviour, with its figures."""

from __future__ import annotations

import datetime as dt
import re
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import celery
import pytest
import requests
from django.conf import global_settings

from accounts.models import Role
from actions.models import Evidence
from boardpacks.models import BoardPack
from boardpacks.services import boardpack_request
from reminders.models import DeliveryStatus, Reminder, ReminderRun
from tests.factories import TODAY, ActionFactory, ReminderSettingsFactory, UserFactory
from tests.faults.servers import (
    CeleryWorker,
    Gunicorn,
    S3Server,
    ThrowawayRedis,
    app_env,
    wait_for,
)
from tests.storage.conftest import database_url

pytestmark = [
    pytest.mark.scaleout,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
]

# Four processes importing the app at once on two shared cores can take a while.
STARTUP = 180
PASSWORD = "correct-horse-battery-staple"
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def own_disk(root: Path, name: str) -> dict[str, str]:
    """An empty directory that is all the local disk one process gets."""
    disk = root / name
    (disk / "tmp").mkdir(parents=True)
    return {
        "MEDIA_ROOT": str(disk / "media"),
        "STATIC_ROOT": str(disk / "static"),
        "TMPDIR": str(disk / "tmp"),
        "HOME": str(disk),
    }


@pytest.fixture
def stack(tmp_path, smtp_server):
    store = S3Server().start()
    broker = ThrowawayRedis().start()
    shared = app_env(
        DATABASE_URL=database_url(),
        REDIS_URL=broker.url,
        CELERY_BROKER_URL=broker.url,
        EMAIL_URL=f"smtp://127.0.0.1:{smtp_server.port}",
        **store.env,
    )
    disks = {name: tmp_path / name for name in ("web-a", "web-b", "worker-1", "worker-2")}
    webs = [
        Gunicorn(
            shared | own_disk(tmp_path, name),
            workers=1,
            threads=4,
            cwd=disks[name],
            start_timeout=STARTUP,
        )
        for name in ("web-a", "web-b")
    ]
    # Scaled by queue: only worker 2 takes board packs; both take the rest.
    workers = [
        CeleryWorker(
            shared | own_disk(tmp_path, "worker-1"),
            "w1",
            "celery,email",
            cwd=disks["worker-1"],
            start_timeout=STARTUP,
        ),
        CeleryWorker(
            shared | own_disk(tmp_path, "worker-2"),
            "w2",
            "celery,email,boardpacks",
            cwd=disks["worker-2"],
            start_timeout=STARTUP,
        ),
    ]
    started = time.monotonic()
    try:
        with ThreadPoolExecutor(4) as pool:
            list(pool.map(lambda process: process.start(), [*webs, *workers]))
        print(f"\nTwo web processes and two workers up in {time.monotonic() - started:.1f} s")
        yield {
            "web_a": webs[0],
            "web_b": webs[1],
            "broker": broker,
            "store": store,
            "disks": disks,
            "smtp": smtp_server,
        }
    finally:
        for process in [*webs, *workers]:
            process.stop()
        broker.destroy()
        store.stop()


def url(web: Gunicorn, path: str) -> str:
    return f"http://127.0.0.1:{web.port}{path}"


def sign_in(session: requests.Session, web: Gunicorn, username: str) -> None:
    page = session.get(url(web, "/accounts/login/"), timeout=15)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    response = session.post(
        url(web, "/accounts/login/"),
        data={"csrfmiddlewaretoken": token, "username": username, "password": PASSWORD},
        allow_redirects=False,
        timeout=15,
    )
    assert response.status_code == 302, response.text[:500]


def test_web_and_workers_on_separate_machines_share_only_database_redis_and_storage(
    stack, settings
):
    # The web processes check passwords with the real hashers, not the suite's fast one.
    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS
    web_a, web_b = stack["web_a"], stack["web_b"]
    officer = UserFactory(username="scale-officer", role=Role.OFFICER)
    action = ActionFactory(owner=officer, due_date=TODAY - dt.timedelta(days=3))
    for n in range(3):  # more people with overdue work, so there is more than one reminder
        ActionFactory(
            owner=UserFactory(username=f"scale-officer-{n}", role=Role.OFFICER),
            due_date=TODAY - dt.timedelta(days=n + 1),
        )

    # A session started on web A works on web B (sessions live in PostgreSQL).
    person = requests.Session()
    sign_in(person, web_a, "scale-officer")
    on_b = person.get(url(web_b, f"/actions/{action.pk}/"), allow_redirects=False, timeout=15)
    assert on_b.status_code == 200
    assert action.reference in on_b.text
    print("PASS: a session started on web A works on web B")

    # A document uploaded through web A downloads through web B.
    prefix = f"e{action.pk}"
    uploaded = person.post(
        url(web_a, f"/actions/{action.pk}/evidence/"),
        data={"csrfmiddlewaretoken": person.cookies["csrftoken"], f"{prefix}-description": ""},
        files={f"{prefix}-document": ("Audit report.pdf", PDF, "application/pdf")},
        headers={"X-CSRFToken": person.cookies["csrftoken"]},
        allow_redirects=False,
        timeout=15,
    )
    assert uploaded.status_code == 302, uploaded.text[:500]
    evidence = Evidence.objects.get(action=action)
    assert evidence.file.name in stack["store"].names()
    downloaded = person.get(url(web_b, f"/actions/{action.pk}/evidence/{evidence.pk}/"), timeout=15)
    assert downloaded.status_code == 200
    assert downloaded.content == PDF
    print("PASS: a document uploaded through web A downloads through web B")

    # A pack rendered by worker 2 (the only one on the boardpacks queue) downloads through A.
    pack = boardpack_request(month=TODAY.replace(day=1), enqueue=False)
    started = time.monotonic()
    with celery.Celery(broker=stack["broker"].url) as app:
        app.send_task(
            "boardpacks.render", kwargs={"pack_id": pack.pk, "as_of": None}, queue="boardpacks"
        )
    wait_for(
        lambda: (
            BoardPack.objects.get(pk=pack.pk).status
            in (BoardPack.Status.READY, BoardPack.Status.FAILED)
        ),
        120,
        "worker 2 to render the pack",
    )
    pack.refresh_from_db()
    assert pack.status == BoardPack.Status.READY, pack.error
    rendered_in = time.monotonic() - started
    pdf = person.get(url(web_a, f"/board-packs/{pack.pk}/download/"), timeout=30)
    assert pdf.status_code == 200, pdf.status_code
    assert pdf.content.startswith(b"%PDF-")
    assert len(pdf.content) == pack.byte_size
    print(f"PASS: a pack rendered by worker 2 in {rendered_in:.1f} s downloads through web A")

    # A day's reminders go out once across both workers: two scheduler ticks at once.
    ReminderSettingsFactory(send_time=dt.time(0, 0), working_days_only=False)
    with celery.Celery(broker=stack["broker"].url) as app:
        for _tick in range(2):
            app.send_task("reminders.dispatch", queue="celery")
    wait_for(
        lambda: (
            Reminder.objects.exists()
            and not Reminder.objects.exclude(status=DeliveryStatus.SENT).exists()
        ),
        60,
        "the day's reminders to be sent",
    )
    time.sleep(3)  # long enough for a duplicate to arrive, if there were one
    sent = Reminder.objects.count()
    recipients = [message["To"] for message in stack["smtp"].messages]
    assert ReminderRun.objects.filter(date=TODAY).count() == 1
    assert len(recipients) == sent
    assert len(set(recipients)) == len(recipients)
    assert officer.email in recipients
    assert sent >= 4
    print(f"PASS: {sent} reminder(s) for the day sent once across both workers")

    # No process kept a file on its own disk: everything is in the object store.
    for name, disk in stack["disks"].items():
        assert not (disk / "media").exists(), f"{name} wrote to its MEDIA_ROOT"
    print("PASS: no web or worker process kept a file on its own disk")
