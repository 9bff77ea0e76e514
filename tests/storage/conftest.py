"""Real object stores for the storage tests, started once per test process: Azurite (Azure
Blob Storage) and moto's S3 server, each on a free port with nothing kept on disk."""

from __future__ import annotations

import pytest

from tests.faults.servers import Azurite, S3Server


@pytest.fixture(scope="session")
def azurite():
    server = Azurite().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def s3_server():
    server = S3Server().start()
    yield server
    server.stop()


@pytest.fixture(params=["azure", "s3"])
def object_store(request, settings, tmp_path):
    """This test's files go to a real Azure Blob (Azurite) or S3 (moto) server; MEDIA_ROOT is
    an empty directory that must stay empty."""
    server = request.getfixturevalue("azurite" if request.param == "azure" else "s3_server")
    settings.STORAGES = {**settings.STORAGES, "default": server.storages_default()}
    settings.MEDIA_ROOT = tmp_path / "media"
    yield server
    assert not settings.MEDIA_ROOT.exists() or not any(settings.MEDIA_ROOT.rglob("*"))


def database_url() -> str:
    """The URL of the database this test process uses (pytest-django's test database)."""
    from django.db import connection

    s = connection.settings_dict
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    host = f"{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}"
    return f"postgres://{s['USER']}{password}@{host}/{s['NAME']}"
