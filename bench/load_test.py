"""Load test: 50 signed-in officers for 60 seconds against gunicorn on PostgreSQL.

    make load-test
    (or: DATABASE_URL=postgres://…/improve_bench .venv/bin/python bench/load_test.py)

It creates and migrates the database if needed, seeds the 10,000-action data set
(bench/seed.py), starts gunicorn with production settings on a free port, and has each
simulated person loop over: the dashboard, the action list (a random page), an action's
page, and an htmx update of one of their own actions (load the action, then post a progress
note with the version it showed). Afterwards it counts the progress updates in the database
and the audit events for them: every successful save must be there once.

Prints requests a second, p50/p95/p99 latency per kind of request, errors, and the
lost-update check, and writes them to bench/out/load_test.json. Options: --users, --seconds,
--workers, --threads, --actions, --mix (weights per kind of request), --think.

--think is the average pause, in seconds, between one person's clicks (each pause is drawn
from half to one and a half times it). The default, 5 s (2.5 to 7.5 s), is what makes 50
simulated people behave like 50 people reading pages: real reading times are longer, so it
is the demanding end. --think 0 sends each person's next request the moment the last one
returns, which measures the machine's capacity rather than 50 users: that many requests in a
closed loop queue behind each other whatever the page costs (p95 is then about 50 divided by
the requests served per second).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import secrets
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/improve_bench")
os.environ.setdefault("DEBUG", "1")  # this process only; gunicorn gets production settings
# Shared with gunicorn: the sessions made here are signed with it.
os.environ["SECRET_KEY"] = secrets.token_urlsafe(48)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "medway_improve.settings")
OUT = ROOT / "bench" / "out"
WEIGHTS = {"dashboard": 25, "action_list": 25, "action_page": 25, "htmx_update": 25}
VERSION_RE = r'name="a{pk}-version"[^>]*value="(\d+)"'


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare(actions: int, users: int) -> tuple[list[dict], str]:
    """Database, data set and one signed-in session per simulated person."""
    subprocess.run(
        [sys.executable, "scripts/ensure_database.py"], cwd=ROOT, check=True, capture_output=True
    )
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input", "-v0"], cwd=ROOT, check=True
    )
    from bench.seed import seed

    summary = seed(actions=actions, owners=200, years=5)
    print(f"data set: {summary['actions']} actions ({'reused' if summary['reused'] else 'seeded'})")

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from accounts.models import User
    from actions.models import Action

    people = []
    for user in User.objects.filter(username__in=summary["usernames"]).order_by("username")[:users]:
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "accounts.backends.RoleBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.set_expiry(3600)
        session.create()
        own = list(
            Action.objects.filter(owner=user).values_list(
                "pk",
                "status",
                "percent_complete",
                "due_date",
                "rag_override",
                "rag_override_reason",
            )
        )
        people.append(
            {
                "username": user.username,
                "session": session.session_key,
                "csrf": secrets.token_hex(16),  # 32 characters: a CSRF secret
                "actions": own,
            }
        )
    total = Action.objects.count()
    pages = max(1, total // 50)
    return people, json.dumps({"pages": pages, "cookie": settings.SESSION_COOKIE_NAME})


def start_gunicorn(port: int, workers: int, threads: int, log_path: Path) -> subprocess.Popen:
    env = os.environ | {
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_COOKIES": "0",
        "SECURE_HSTS_SECONDS": "0",
        "STATICFILES_BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage",
        "WHITENOISE_USE_FINDERS": "1",
        "LOG_LEVEL": "INFO",
    }
    log = log_path.open("w")
    process = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "medway_improve.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--worker-class",
            "gthread",
            "--keep-alive",
            "5",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status in (200, 503):
                return process
        except OSError:
            time.sleep(0.3)
    process.kill()
    raise RuntimeError(f"gunicorn did not start: see {log_path}")


class Person(threading.Thread):
    def __init__(self, port, person, meta, deadline, run_id, results, seed_value):
        super().__init__(daemon=True)
        self.port, self.person, self.meta = port, person, meta
        self.deadline, self.run_id, self.results = deadline, run_id, results
        self.rng = random.Random(seed_value)
        self.conn = None
        self.saved = 0
        self.unknown = 0
        self.cookie = f"{meta['cookie']}={person['session']}; csrftoken={person['csrf']}"

    def request(self, kind, method, path, body=None, headers=None):
        headers = {"Cookie": self.cookie, **(headers or {})}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        status, text = None, ""
        for attempt in range(2):
            try:
                if self.conn is None:
                    self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                status, text = response.status, response.read().decode("utf-8", "replace")
                if response.getheader("Connection", "").lower() == "close":
                    self.conn.close()
                    self.conn = None
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # A kept-alive connection the server had already closed: reconnect once.
                self.conn = None
                if attempt:
                    status = "connection error"
            except OSError as error:
                self.conn = None
                status = f"error {type(error).__name__}"
                break
        elapsed = (time.perf_counter() - started) * 1000
        self.results.append((kind, status, elapsed))
        return status, text

    def run(self):
        kinds, weights = list(self.meta["mix"]), list(self.meta["mix"].values())
        think = self.meta.get("think", 0)
        while time.monotonic() < self.deadline:
            if think:
                time.sleep(self.rng.uniform(0.5 * think, 1.5 * think))
            kind = self.rng.choices(kinds, weights)[0]
            if kind == "dashboard":
                self.request(kind, "GET", "/")
            elif kind == "action_list":
                page = self.rng.randrange(1, self.meta["pages"] + 1)
                self.request(kind, "GET", f"/actions/?page={page}")
            else:
                pk, status, percent, due, rag, reason = self.rng.choice(self.person["actions"])
                code, html = self.request("action_page", "GET", f"/actions/{pk}/")
                if kind != "htmx_update" or code != 200:
                    continue
                match = re.search(VERSION_RE.format(pk=pk), html)
                if not match:
                    self.results.append(("htmx_update", "no form", 0.0))
                    continue
                prefix = f"a{pk}-"
                body = urllib.parse.urlencode(
                    {
                        prefix + "version": match.group(1),
                        prefix + "status": status,
                        prefix + "percent_complete": percent,
                        prefix + "due_date": due.isoformat(),
                        prefix + "rag_override": rag,
                        prefix + "rag_override_reason": reason,
                        prefix + "note": f"bench {self.run_id} {self.person['username']}",
                    }
                )
                code, _ = self.request(
                    "htmx_update",
                    "POST",
                    f"/actions/{pk}/update/",
                    body=body,
                    headers={
                        "HX-Request": "true",
                        "X-CSRFToken": self.person["csrf"],
                        "Referer": f"http://127.0.0.1:{self.port}/actions/{pk}/",
                    },
                )
                if code == 200:
                    self.saved += 1
                elif not isinstance(code, int):
                    self.unknown += 1  # timed out: the server may or may not have saved it


def percentile(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))
    return round(ordered[index], 1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--actions", type=int, default=10_000)
    parser.add_argument(
        "--mix",
        default=",".join(f"{k}={v}" for k, v in WEIGHTS.items()),
        help="weights of each kind of request, e.g. dashboard=0,action_list=40,...",
    )
    parser.add_argument(
        "--think",
        type=float,
        default=5.0,
        help="average seconds each person pauses between clicks (0: as fast as possible)",
    )
    args = parser.parse_args()
    mix = {k: int(v) for k, v in (part.split("=") for part in args.mix.split(","))}
    assert set(mix) <= set(WEIGHTS) and sum(mix.values()) > 0, "unknown request kinds in --mix"

    import django

    django.setup()
    people, meta_json = prepare(args.actions, args.users)
    meta = json.loads(meta_json) | {
        "mix": {k: v for k, v in mix.items() if v},
        "think": args.think,
    }
    OUT.mkdir(parents=True, exist_ok=True)
    port = free_port()
    server = start_gunicorn(port, args.workers, args.threads, OUT / "load_test_gunicorn.log")
    run_id = secrets.token_hex(4)
    results: list[tuple] = []
    try:
        # Warm up each worker's connections and templates for a few seconds (not counted).
        warm = Person(port, people[0], meta, time.monotonic() + 3, "warmup", [], 0)
        warm.run()
        deadline = time.monotonic() + args.seconds
        threads = [
            Person(port, person, meta, deadline, run_id, results, n)
            for n, person in enumerate(people)
        ]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=args.seconds + 60)
        wall = time.monotonic() - started
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()

    from actions.models import ProgressUpdate, ProgressUpdateEvent

    saved_posts = sum(t.saved for t in threads)
    unknown_posts = sum(t.unknown for t in threads)
    marker = f"bench {run_id} "
    rows = ProgressUpdate.objects.filter(note__startswith=marker).count()
    audited = ProgressUpdateEvent.objects.filter(pgh_label="insert", note__startswith=marker)

    by_kind = defaultdict(list)
    errors = defaultdict(int)
    for kind, status, elapsed in results:
        ok = status == 200  # a redirect here would mean the session was lost
        if ok:
            by_kind[kind].append(elapsed)
            by_kind["all"].append(elapsed)
        else:
            errors[f"{kind} {status}"] += 1
    report = {
        "users": args.users,
        "mix": meta["mix"],
        "think_seconds": args.think,
        "seconds": round(wall, 1),
        "gunicorn": f"{args.workers} workers x {args.threads} threads (gthread)",
        "requests": len(results),
        "requests_per_second": round(len(results) / wall, 1),
        "errors": dict(errors),
        "error_count": sum(errors.values()),
        "latency_ms": {
            kind: {
                "count": len(values),
                "p50": percentile(values, 50),
                "p95": percentile(values, 95),
                "p99": percentile(values, 99),
                "mean": round(statistics.fmean(values), 1) if values else 0,
            }
            for kind, values in sorted(by_kind.items())
        },
        "successful_saves": saved_posts,
        "saves_timed_out_at_the_client": unknown_posts,
        "progress_updates_in_database": rows,
        "audit_events_for_them": audited.count(),
        "audit_events_with_person_and_address": audited.filter(
            pgh_context__metadata__user__isnull=False,
            pgh_context__metadata__url__startswith="/actions/",
        ).count(),
        # A save the server confirmed but the database does not have is lost; a save that
        # timed out at the client may or may not be there, but nothing may appear from nowhere.
        "lost_updates": max(0, saved_posts - rows),
        "phantom_updates": max(0, rows - saved_posts - unknown_posts),
    }
    (OUT / "load_test.json").write_text(json.dumps(report, indent=2))
    print(json.dumps(report, indent=2))
    passed = (
        report["error_count"] == 0
        and report["lost_updates"] == 0
        and report["phantom_updates"] == 0
        and report["audit_events_for_them"] == rows
    )
    p95 = report["latency_ms"].get("all", {}).get("p95", 0)
    print(
        f"{'PASS' if passed else 'FAIL'} (no errors, no lost or phantom updates, every save "
        f"audited): {report['requests_per_second']} requests/s, {report['error_count']} errors, "
        f"{saved_posts} saves, {rows} in the database, {report['lost_updates']} lost"
    )
    print(f"{'MET' if p95 <= 300 else 'MISSED'}: p95 {p95} ms against the 300 ms target")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
