"""Files in real object stores: Azure Blob Storage (Azurite) and S3 (moto's server), started by
fixtures. Documents go up through the views, come back only through the permission-checked
views (streamed or by a short-lived signed URL), leave no file behind when their row does not
commit, and a board pack rendered by a Celery worker process is fetched through the web."""

from __future__ import annotations

import io
import time
from urllib.parse import urlsplit

import celery
import pytest
import requests
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError
from django.urls import reverse

from accounts.models import Role
from actions.models import Action, Evidence
from actions.services import evidence_add_document
from boardpacks.models import BoardPack
from boardpacks.services import boardpack_request
from imports.models import PendingUpload
from imports.services import pending_upload_create
from tests import clock
from tests.conftest import client_for
from tests.factories import TODAY, ActionFactory, UserFactory
from tests.faults.servers import CeleryWorker, ThrowawayRedis, app_env, wait_for
from tests.storage.conftest import database_url

pytestmark = pytest.mark.storage

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def upload(client, action, content=PDF, name="Audit report.pdf"):
    prefix = f"e{action.pk}"
    return client.post(
        reverse("actions:evidence_create", args=[action.pk]),
        {f"{prefix}-document": SimpleUploadedFile(name, content), f"{prefix}-description": ""},
    )


def download_url(evidence) -> str:
    return reverse("actions:evidence_download", args=[evidence.action_id, evidence.pk])


def signed_urls_outlast_the_suite_clock(settings) -> None:
    """The store checks a signed URL's expiry by its own, real clock; the suite's clock may be
    moved back (tests/clock.py), so give the URL that long on top of its minute."""
    settings.STORAGE_SIGNED_URL_SECONDS = 60 + max(0, -int(clock.OFFSET))


def test_evidence_goes_to_the_object_store_and_streams_back_through_the_view(
    object_store, action, officer
):
    client = client_for(officer)
    assert upload(client, action).status_code == 302
    evidence = Evidence.objects.get(action=action)
    assert evidence.file.name in object_store.names()

    response = client_for(UserFactory(role=Role.BOARD_MEMBER)).get(download_url(evidence))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"] == 'attachment; filename="Audit report.pdf"'
    assert {"private", "no-store"} <= set(response["Cache-Control"].split(", "))


def test_download_can_redirect_to_a_short_lived_signed_url(object_store, settings, action, officer):
    settings.STORAGE_DOWNLOADS = "redirect"
    signed_urls_outlast_the_suite_clock(settings)
    client = client_for(officer)
    upload(client, action)
    evidence = Evidence.objects.get(action=action)

    response = client.get(download_url(evidence))

    assert response.status_code == 302
    location = response["Location"]
    assert urlsplit(location).port == object_store.port
    assert "sig=" in location or "X-Amz-Signature=" in location
    assert {"private", "no-store"} <= set(response["Cache-Control"].split(", "))
    signed = requests.get(location, timeout=10)
    assert signed.status_code == 200
    assert signed.content == PDF
    assert signed.headers["Content-Disposition"] == 'attachment; filename="Audit report.pdf"'
    # The same object without the signature is refused: there is no public URL.
    assert requests.get(location.split("?")[0], timeout=10).status_code == 403


def test_people_without_a_role_get_neither_the_file_nor_a_signed_url(
    object_store, settings, action, officer
):
    settings.STORAGE_DOWNLOADS = "redirect"
    upload(client_for(officer), action)
    evidence = Evidence.objects.get(action=action)

    no_role = client_for(UserFactory())
    anonymous = client_for(UserFactory(role=Role.OFFICER))
    anonymous.logout()

    refused = no_role.get(download_url(evidence))
    assert refused.status_code == 403
    assert "Location" not in refused
    signed_out = anonymous.get(download_url(evidence))
    assert signed_out.status_code == 302
    assert signed_out["Location"].startswith(reverse("accounts:login"))


def test_a_refused_upload_stores_nothing(object_store, action, officer):
    before = object_store.names()

    response = upload(client_for(officer), action, content=b"MZ\x90\x00 a program", name="a.pdf")

    assert response.status_code == 422
    assert not Evidence.objects.filter(action=action).exists()
    assert object_store.names() == before


@pytest.mark.django_db(transaction=True)
def test_evidence_whose_row_fails_to_commit_leaves_no_file(object_store, officer):
    """The row's foreign key is checked when the transaction commits (PostgreSQL deferred
    constraint): the file was stored by then and must be deleted again."""
    gone = ActionFactory(owner=officer)
    missing = Action(pk=gone.pk + 10_000, owner_id=officer.pk, reference="X-1")
    before = object_store.names()

    with pytest.raises(IntegrityError):
        evidence_add_document(
            user=officer, action=missing, uploaded_file=SimpleUploadedFile("r.pdf", PDF)
        )

    assert not Evidence.objects.exists()
    assert object_store.names() == before


@pytest.mark.django_db(transaction=True)
def test_a_pending_import_whose_row_fails_leaves_no_file(object_store):
    lead = UserFactory(role=Role.IMPROVEMENT_LEAD)
    before = object_store.names()
    assert lead.roles  # read now: the user below is this one under a number that is nobody's
    lead.pk += 10_000  # so the row's uploaded_by points nowhere: refused at commit

    with pytest.raises(IntegrityError):
        pending_upload_create(
            user=lead, kind=PendingUpload.Kind.OFSTED, filename="report.pdf", content=PDF
        )

    assert not PendingUpload.objects.exists()
    assert object_store.names() == before


def test_a_pending_import_keeps_its_bytes_in_the_store_until_discarded(
    object_store, db, django_capture_on_commit_callbacks
):
    from imports.services import pending_upload_discard

    lead = UserFactory(role=Role.IMPROVEMENT_LEAD)
    pending = pending_upload_create(
        user=lead, kind=PendingUpload.Kind.OFSTED, filename="report.pdf", content=PDF
    )
    assert pending.file.name in object_store.names()
    assert PendingUpload.objects.get(pk=pending.pk).read() == PDF

    with django_capture_on_commit_callbacks(execute=True):
        assert pending_upload_discard(user=lead, pk=pending.pk) == "report.pdf"

    assert pending.file.name not in object_store.names()


def test_a_rejected_evidence_file_raises_before_anything_is_stored(object_store, action, officer):
    before = object_store.names()
    with pytest.raises(ValidationError):
        evidence_add_document(
            user=officer, action=action, uploaded_file=SimpleUploadedFile("e.pdf", b"")
        )
    assert object_store.names() == before


# --- A pack rendered by a worker process, fetched through the web -------------------------


@pytest.fixture
def broker():
    server = ThrowawayRedis().start()
    yield server
    server.destroy()


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_pack_rendered_by_the_worker_is_fetched_through_the_web(object_store, broker, tmp_path):
    lead = UserFactory(role=Role.IMPROVEMENT_LEAD)
    pack = boardpack_request(user=lead, month=TODAY.replace(day=1), enqueue=False)
    disk = tmp_path / "worker"
    disk.mkdir()
    env = app_env(
        DATABASE_URL=database_url(),
        REDIS_URL=broker.url,
        CELERY_BROKER_URL=broker.url,
        MEDIA_ROOT=str(disk / "media"),
        TMPDIR=str(disk),
        **object_store.env,
    )
    worker = CeleryWorker(env, "storage-worker", "boardpacks", cwd=disk, start_timeout=180).start()
    started = time.monotonic()
    try:
        with celery.Celery(broker=broker.url) as app:
            app.send_task(
                "boardpacks.render", kwargs={"pack_id": pack.pk, "as_of": None}, queue="boardpacks"
            )
        wait_for(
            lambda: (
                BoardPack.objects.get(pk=pack.pk).status
                in (BoardPack.Status.READY, BoardPack.Status.FAILED)
            ),
            180,
            "the worker to render the pack",
        )
    finally:
        worker.stop()
    pack.refresh_from_db()
    assert pack.status == BoardPack.Status.READY, pack.error
    print(f"\nPack rendered by the worker in {time.monotonic() - started:.1f} s")
    assert pack.pdf.name in object_store.names()
    assert not (disk / "media").exists()

    response = client_for(lead).get(reverse("boardpacks:boardpack_download", args=[pack.pk]))

    assert response.status_code == 200
    body = io.BytesIO(b"".join(response.streaming_content)).getvalue()
    assert body.startswith(b"%PDF-")
    assert len(body) == pack.byte_size


@pytest.mark.django_db(transaction=True)
def test_minutes_whose_meeting_fails_to_commit_leave_no_file_on_the_filesystem(settings, tmp_path):
    """The default storage too: the minutes document is written before the attendance rows,
    whose foreign key PostgreSQL checks at commit."""
    from board.models import Meeting
    from board.services import meeting_save

    settings.MEDIA_ROOT = tmp_path / "media"
    lead = UserFactory(role=Role.IMPROVEMENT_LEAD)
    nobody = UserFactory.build(pk=lead.pk + 10_000)
    meeting = Meeting(date=TODAY, minutes_file=SimpleUploadedFile("m.pdf", PDF))

    with pytest.raises(IntegrityError):
        meeting_save(
            user=lead,
            meeting=meeting,
            attendees=[nobody],
            apologies=[],
            minutes_upload_name="m.pdf",
        )

    assert not Meeting.objects.exists()
    assert [p for p in settings.MEDIA_ROOT.rglob("*") if p.is_file()] == []
