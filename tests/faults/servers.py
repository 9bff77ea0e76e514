"""Throwaway PostgreSQL, Redis, gunicorn and Celery workers for the fault tests.

Every server here is our own, on a free port in a temporary directory, so stopping and
restarting it never touches the machine's shared PostgreSQL (5432) or Redis (6379).
"""

from __future__ import annotations

import glob
import http.client
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests import clock

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = ROOT / ".venv" / "bin"
SECRET_KEY = "fault-test-secret-" + secrets.token_hex(24)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(check, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise TimeoutError(f"timed out waiting for {what}")


def app_env(**overrides: str) -> dict[str, str]:
    """Production-like settings for a process under test (plain HTTP on loopback)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.update(
        {
            "DEBUG": "0",
            "SECRET_KEY": SECRET_KEY,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECURE_SSL_REDIRECT": "0",
            "SECURE_COOKIES": "0",
            "SECURE_HSTS_SECONDS": "0",
            "STATICFILES_BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage",
            "WHITENOISE_USE_FINDERS": "1",
            "DJANGO_SETTINGS_MODULE": "medway_improve.settings",
            "PYTHONPATH": str(ROOT),
        }
    )
    env.update(overrides)
    return env


class ThrowawayPostgres:
    """A PostgreSQL cluster of our own (initdb in a temporary directory), run as the
    postgres OS user when we are root, with trust authentication on 127.0.0.1."""

    def __init__(self):
        candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
        if not candidates:
            raise RuntimeError("PostgreSQL server binaries not found in /usr/lib/postgresql")
        self.bin = Path(candidates[-1]).parent
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="improve-fault-pg-"))
        self.data = self.dir / "data"
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/improve_fault"

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        command = [str(self.bin / args[0]), *args[1:]]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, check=check, capture_output=True, text=True, timeout=60)

    def start(self) -> ThrowawayPostgres:
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres")
        if not self.data.exists():
            self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8")
        self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-l",
            str(self.dir / "postgres.log"),
            "-o",
            f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off",
            "-w",
            "start",
        )
        return self

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop", check=False)

    def restart(self) -> None:
        self.stop()
        self.start()

    def destroy(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


class ThrowawayRedis:
    def __init__(self, *, persistent: bool = False):
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="improve-fault-redis-"))
        self.persistent = persistent
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> ThrowawayRedis:
        args = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1"]
        args += ["--dir", str(self.dir), "--save", ""]
        # Persistent: every write is on disk before Redis answers, as a deployment would set.
        args += (
            ["--appendonly", "yes", "--appendfsync", "always"]
            if self.persistent
            else [
                "--appendonly",
                "no",
            ]
        )
        self.process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(self.ping, 10, "redis to start")
        return self

    def ping(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as s:
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)

    def destroy(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


CLOCK_PRELUDE = "from tests import clock; clock.start()\n"


def run_python(code: str, env: dict[str, str], timeout: int = 120) -> str:
    """Run Django code in a fresh process with `env`, on the suite's clock (a session it
    creates must not have expired by the servers' date); returns its stdout."""
    result = subprocess.run(
        [sys.executable, "-c", f"{CLOCK_PRELUDE}import django; django.setup()\n{code}"],
        cwd=ROOT,
        env=clock.child_env(env),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if result.returncode != 0:
        raise RuntimeError(result.stderr[-3000:])
    return result.stdout


class Gunicorn:
    """gunicorn on the suite's clock (tests/clock.py), run in `cwd` (the code comes from
    PYTHONPATH, so an empty directory can be its only disk)."""

    def __init__(
        self,
        env: dict[str, str],
        *,
        workers: int = 1,
        threads: int = 4,
        cwd: Path = ROOT,
        start_timeout: float = 60,
    ):
        self.env, self.workers, self.threads, self.cwd = env, workers, threads, cwd
        self.start_timeout = start_timeout
        self.port = free_port()
        self.log = Path(tempfile.mkstemp(prefix="improve-fault-gunicorn-", suffix=".log")[1])
        self.process: subprocess.Popen | None = None

    def start(self) -> Gunicorn:
        self.process = subprocess.Popen(
            clock.command(
                "gunicorn",
                "medway_improve.wsgi",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(self.workers),
                "--threads",
                str(self.threads),
                "--worker-class",
                "gthread",
                "--timeout",
                "30",
            ),
            cwd=self.cwd,
            env=clock.child_env(self.env),
            stdout=self.log.open("w"),
            stderr=subprocess.STDOUT,
        )
        wait_for(
            lambda: self.get("/healthz")[0] in (200, 503), self.start_timeout, "gunicorn to start"
        )
        return self

    def get(self, path: str, cookie: str = "") -> tuple[int | str, str]:
        return self.request("GET", path, cookie=cookie)

    def request(self, method, path, *, cookie="", body=None, headers=None):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=15)
            all_headers = {"Cookie": cookie, **(headers or {})}
            if body is not None:
                all_headers["Content-Type"] = "application/x-www-form-urlencoded"
            conn.request(method, path, body=body, headers=all_headers)
            response = conn.getresponse()
            return response.status, response.read().decode("utf-8", "replace")
        except OSError as error:
            return f"connection error: {type(error).__name__}", ""

    def worker_pids(self) -> set[int]:
        out = subprocess.run(
            ["pgrep", "-P", str(self.process.pid)], capture_output=True, text=True
        ).stdout
        return {int(pid) for pid in out.split()}

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.log.unlink(missing_ok=True)


class CeleryWorker:
    """A Celery worker on the suite's clock, run in `cwd` (see Gunicorn)."""

    def __init__(
        self,
        env: dict[str, str],
        name: str,
        queue: str,
        *,
        beat: bool = False,
        cwd: Path = ROOT,
        start_timeout: float = 60,
    ):
        self.env, self.name, self.queue, self.cwd = env, name, queue, cwd
        self.beat = beat  # also run the beat schedule in this process (celery worker -B)
        self.start_timeout = start_timeout
        self.log = Path(tempfile.mkstemp(prefix=f"improve-fault-{name}-", suffix=".log")[1])
        self.process: subprocess.Popen | None = None

    def start(self) -> CeleryWorker:
        self.process = subprocess.Popen(
            clock.command(
                "celery",
                "-A",
                "medway_improve",
                "worker",
                "--loglevel=INFO",
                "--pool=prefork",
                "--concurrency=1",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-n",
                f"{self.name}@%h",
                "-Q",
                self.queue,
                "-I",
                "tests.faults.probe_tasks",
                *(["-B", "--schedule", f"{self.log}.beat"] if self.beat else []),
            ),
            cwd=self.cwd,
            env=clock.child_env(self.env),
            stdout=self.log.open("w"),
            stderr=subprocess.STDOUT,
        )
        wait_for(
            lambda: "ready." in self.log.read_text(),
            self.start_timeout,
            f"celery worker {self.name}",
        )
        return self

    def child_pids(self) -> set[int]:
        out = subprocess.run(
            ["pgrep", "-P", str(self.process.pid)], capture_output=True, text=True
        ).stdout
        return {int(pid) for pid in out.split()}

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.log.unlink(missing_ok=True)


# --- Object storage: Azurite (Azure Blob) and moto (S3), each on a free port ---------------

# Azurite's well-known development account (published by Microsoft; not a secret).
AZURITE_ACCOUNT = "devstoreaccount1"
AZURITE_KEY = (
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
)


def port_open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


class ObjectStore:
    """A storage server of our own. `env` configures the app (STORAGE_BACKEND and the rest, as
    docs/storage.md), `storages_default` is the same as a STORAGES["default"] entry."""

    kind = ""
    container = "improve"

    def __init__(self):
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix=f"improve-{self.kind}-"))
        self.log = self.dir / "server.log"
        self.process: subprocess.Popen | None = None

    def _start(self, args: list[str]) -> None:
        self.process = subprocess.Popen(
            args, cwd=self.dir, stdout=self.log.open("w"), stderr=subprocess.STDOUT
        )
        wait_for(lambda: port_open(self.port), 60, f"{self.kind} to start")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        shutil.rmtree(self.dir, ignore_errors=True)

    def storage(self):
        """A Storage instance for the test process itself (to look inside the store)."""
        from django.utils.module_loading import import_string

        entry = self.storages_default()
        return import_string(entry["BACKEND"])(**entry["OPTIONS"])

    def names(self) -> list[str]:
        raise NotImplementedError


class Azurite(ObjectStore):
    """Microsoft's Azure Storage emulator (npm `azurite`), blob service only, in memory."""

    kind = "azurite"

    def start(self) -> Azurite:
        self._start(
            [
                str(ROOT / "node_modules" / ".bin" / "azurite-blob"),
                "--blobHost",
                "127.0.0.1",
                "--blobPort",
                str(self.port),
                "--inMemoryPersistence",
                "--skipApiVersionCheck",
                "--loose",
                "--silent",
            ]
        )
        from azure.storage.blob import BlobServiceClient

        BlobServiceClient.from_connection_string(self.connection_string).create_container(
            self.container
        )
        return self

    @property
    def connection_string(self) -> str:
        return (
            f"DefaultEndpointsProtocol=http;AccountName={AZURITE_ACCOUNT};"
            f"AccountKey={AZURITE_KEY};"
            f"BlobEndpoint=http://127.0.0.1:{self.port}/{AZURITE_ACCOUNT};"
        )

    @property
    def env(self) -> dict[str, str]:
        return {
            "STORAGE_BACKEND": "azure",
            "AZURE_CONNECTION_STRING": self.connection_string,
            "AZURE_CONTAINER": self.container,
        }

    def storages_default(self) -> dict:
        return {
            "BACKEND": "storages.backends.azure_storage.AzureStorage",
            "OPTIONS": {
                "connection_string": self.connection_string,
                "azure_container": self.container,
                "overwrite_files": False,
                "expiration_secs": 60,
            },
        }

    def names(self) -> list[str]:
        from azure.storage.blob import BlobServiceClient

        client = BlobServiceClient.from_connection_string(self.connection_string)
        return sorted(b.name for b in client.get_container_client(self.container).list_blobs())


class S3Server(ObjectStore):
    """An S3-compatible server: moto's standalone server (PyPI `moto[server]`), in memory."""

    kind = "s3"
    key_id, secret = "improve-test", "improve-test-secret"

    def start(self) -> S3Server:
        self._start([str(VENV_BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(self.port)])
        self._client().create_bucket(Bucket=self.container)
        return self

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _client(self):
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            region_name="us-east-1",
            aws_access_key_id=self.key_id,
            aws_secret_access_key=self.secret,
        )

    @property
    def env(self) -> dict[str, str]:
        return {
            "STORAGE_BACKEND": "s3",
            "AWS_STORAGE_BUCKET_NAME": self.container,
            "AWS_S3_ENDPOINT_URL": self.endpoint,
            "AWS_S3_REGION_NAME": "us-east-1",
            "AWS_ACCESS_KEY_ID": self.key_id,
            "AWS_SECRET_ACCESS_KEY": self.secret,
        }

    def storages_default(self) -> dict:
        return {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": self.container,
                "endpoint_url": self.endpoint,
                "region_name": "us-east-1",
                "access_key": self.key_id,
                "secret_key": self.secret,
                "default_acl": None,
                "querystring_auth": True,
                "querystring_expire": 60,
                "signature_version": "s3v4",
                "file_overwrite": False,
            },
        }

    def names(self) -> list[str]:
        pages = self._client().get_paginator("list_objects_v2").paginate(Bucket=self.container)
        return sorted(item["Key"] for page in pages for item in page.get("Contents", []))
