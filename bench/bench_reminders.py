"""Benchmark: the daily reminder job on 100,000 actions and 5,000 owners.

    .venv/bin/python bench/bench_reminders.py [--actions 100000] [--owners 5000] [--send 2000]

Uses a database of its own (improve_reminders_bench unless BENCH_DATABASE_URL is set), seeded
with COPY in seconds. Prints:
- the number of queries the day's digest computation makes, at two plan sizes (constant);
- the time to compute every digest, escalation and summary for the day (target: < 10 s);
- the time to plan the day (compute + one row per email, inserted in bulk);
- the rate of rendering emails (text + HTML), and of rendering and sending them through one
  SMTP connection to an aiosmtpd server on loopback (a separate process, so it does not share
  this process's interpreter).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_SECONDS = 10.0


def setup() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = os.environ.get(
        "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/improve_reminders_bench"
    )
    os.environ.setdefault("DEBUG", "0")
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-" + "x" * 40)
    os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "medway_improve.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    script = str(ROOT / "scripts" / "ensure_database.py")
    subprocess.run([sys.executable, script], check=True)  # noqa: S603 - our own script
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def seed(*, n_actions: int, n_owners: int, today: dt.date) -> None:
    """Replace the plan with n_actions spread over n_owners (one in twenty is also an
    accountable senior manager) and three improvement leads. Idempotent for the same sizes."""
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group
    from django.db import connection, transaction
    from django.utils import timezone

    from accounts.models import Role, User
    from actions.models import Action, Priority, Status
    from reminders.models import Reminder, ReminderRun, ReminderSettings

    have = (Action.objects.count(), User.objects.filter(username__startswith="bench").count())
    if have == (n_actions, n_owners + 3):
        print(f"Seed: reusing {n_actions:,} actions and {n_owners:,} owners")
        return
    started = time.perf_counter()
    rng = random.Random(4)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                "TRUNCATE actions_progressupdate, actions_duedatechange, actions_evidence, "
                "actions_action_areas, actions_action, reminders_reminder, "
                "reminders_reminderrun, reminders_duedatenotice CASCADE"
            )
        User.objects.filter(username__startswith="bench").delete()
        unusable = make_password(None)  # nobody signs in as these people
        users = User.objects.bulk_create(
            User(
                username=f"bench{i:05d}",
                first_name="Officer",
                last_name=f"{i:05d}",
                email=f"bench{i:05d}@medway.example",
                password=unusable,
            )
            for i in range(n_owners + 3)
        )
        owners, leads = users[:n_owners], users[n_owners:]
        groups = {g.name: g.pk for g in Group.objects.all()}
        through = User.groups.through
        through.objects.bulk_create(
            [through(user_id=u.pk, group_id=groups[Role.OFFICER.value]) for u in owners]
            + [through(user_id=u.pk, group_id=groups[Role.IMPROVEMENT_LEAD.value]) for u in leads]
        )
        managers = owners[:: max(n_owners // 250, 1)]
        priorities = [
            Priority.objects.get_or_create(number=n, defaults={"title": f"Priority {n}"})[0].pk
            for n in range(1, 6)
        ]
        statuses = [
            (Status.ON_TRACK, 40),
            (Status.AT_RISK, 12),
            (Status.OFF_TRACK, 8),
            (Status.NOT_STARTED, 10),
            (Status.COMPLETE, 25),
            (Status.CANCELLED, 5),
        ]
        names = [s for s, _ in statuses]
        weights = [w for _, w in statuses]
        now = timezone.now()
        columns = (
            "reference, title, description, priority_id, owner_id, accountable_id, start_date, "
            "baseline_due_date, due_date, status, rag_override, rag_override_reason, "
            "percent_complete, completed_date, version, created_at, updated_at"
        )
        with connection.cursor() as cursor:
            raw = cursor.cursor  # psycopg 3's cursor, for COPY
            with raw.copy(f"COPY actions_action ({columns}) FROM STDIN") as copy:
                for n in range(n_actions):
                    due = today + dt.timedelta(days=rng.randint(-200, 365))
                    start = due - dt.timedelta(days=rng.randint(30, 300))
                    status = rng.choices(names, weights)[0]
                    done = status == Status.COMPLETE
                    copy.write_row(
                        (
                            f"{n // 1000 + 1}.{n % 1000 + 1}",
                            f"Improve practice in team {n % 97}: step {n}",
                            "",
                            priorities[n % 5],
                            owners[rng.randrange(n_owners)].pk,
                            managers[rng.randrange(len(managers))].pk,
                            start,
                            due,
                            due,
                            status,
                            "",
                            "",
                            100 if done else rng.randint(0, 90),
                            min(due, today) if done else None,
                            1,
                            now,
                            now,
                        )
                    )
        Reminder.objects.all().delete()
        ReminderRun.objects.all().delete()
        ReminderSettings.objects.get_or_create(pk=1)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE actions_action; ANALYZE accounts_user")
    print(
        f"Seed: {n_actions:,} actions, {n_owners:,} owners, {len(managers)} accountable "
        f"managers, 3 leads in {time.perf_counter() - started:.1f} s"
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--actions", type=int, default=100_000)
    parser.add_argument("--owners", type=int, default=5_000)
    parser.add_argument("--send", type=int, default=2_000, help="emails to send over SMTP")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    setup()

    from django.conf import settings
    from django.core.mail import mailers
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from actions.models import Action
    from reminders import emails, services
    from reminders.digests import reminders_for_day
    from reminders.models import Reminder, ReminderRun, ReminderSettings

    today = timezone.localdate()
    seed(n_actions=args.actions, n_owners=args.owners, today=today)
    config = ReminderSettings.objects.get(pk=1)
    in_scope = Action.objects.open().filter(due_date__lte=today + dt.timedelta(days=7)).count()
    print(f"Open actions overdue or due within 7 days: {in_scope:,} of {args.actions:,}")

    # 1. Queries: the same number whether 7 or 60 days ahead are in scope (many more actions).
    print("\nQueries for the day's digests")
    for days in (7, 60):
        config.due_within_days = days
        scope = Action.objects.open().filter(due_date__lte=today + dt.timedelta(days=days))
        with CaptureQueriesContext(connection) as queries:
            digests = reminders_for_day(on=today, config=config)
        lines = sum(d.action_count for d in digests)
        print(
            f"  due within {days:>2} days: {scope.count():>6,} actions in scope, "
            f"{len(digests):,} emails, {lines:,} lines: {len(queries)} queries"
        )
    print("  (the settings row is passed in here; reading it too makes 3, as the tests assert)")
    config.due_within_days = 7

    # 2. Time to compute every email for the day.
    times = []
    for _ in range(args.runs):
        started = time.perf_counter()
        digests = reminders_for_day(on=today, config=config)
        times.append(time.perf_counter() - started)
    best, median = min(times), statistics.median(times)
    kinds: dict[str, int] = {}
    for digest in digests:
        kinds[digest.kind] = kinds.get(digest.kind, 0) + 1
    print(f"\nCompute all digests: {median:.2f} s median, {best:.2f} s best of {args.runs}")
    print(f"  {len(digests):,} emails: " + ", ".join(f"{n:,} {k}" for k, n in kinds.items()))
    verdict = "PASS" if median < TARGET_SECONDS else "FAIL"
    print(f"  target < {TARGET_SECONDS:.0f} s: {verdict} ({median / TARGET_SECONDS:.0%} of it)")

    # 3. Planning: compute + one Reminder row per email.
    Reminder.objects.all().delete()
    ReminderRun.objects.all().delete()
    started = time.perf_counter()
    planned = services.reminders_plan(on=today, config=config)
    print(f"\nPlan the day ({planned:,} rows in bulk): {time.perf_counter() - started:.2f} s")
    Reminder.objects.all().delete()
    ReminderRun.objects.all().delete()

    # 4. Rendering, then rendering + sending through one SMTP connection.
    sample = digests[: args.send]
    started = time.perf_counter()
    messages = [emails.digest_message(d, message_key=f"bench.{n}") for n, d in enumerate(sample)]
    for message in messages:
        message.message()  # build the MIME text as sending would
    render_rate = len(sample) / (time.perf_counter() - started)
    print(f"\nRender (text + HTML, MIME): {render_rate:,.0f} emails/s")

    port = free_port()
    server = subprocess.Popen(  # noqa: S603 - fixed arguments
        [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}", "-c",
         "aiosmtpd.handlers.Sink"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        for _ in range(100):
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.05)
        settings.MAILERS = {
            "default": {
                "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 10},
            }
        }
        started = time.perf_counter()
        with mailers["default"] as smtp:
            for n, digest in enumerate(sample):
                message = emails.digest_message(digest, message_key=f"bench.send.{n}")
                assert smtp.send_messages([message]) == 1
        elapsed = time.perf_counter() - started
        prepared = [
            emails.digest_message(d, message_key=f"bench.pre.{n}")
            for n, d in enumerate(sample[:500])
        ]
        sizes = [len(m.message().as_bytes()) for m in prepared]
        started = time.perf_counter()
        with mailers["default"] as smtp:
            smtp.send_messages(prepared)
        send_only = len(prepared) / (time.perf_counter() - started)
    finally:
        server.terminate()
        server.wait(10)
    rate = len(sample) / elapsed
    print(
        f"Render + send over one SMTP connection: {len(sample):,} emails in {elapsed:.1f} s = "
        f"{rate:,.0f} emails/s (median size {statistics.median(sizes) / 1024:.1f} KiB)"
    )
    print(f"  sending alone (already rendered): {send_only:,.0f} emails/s")
    print(
        f"  the whole day's {len(digests):,} emails at that rate: {len(digests) / rate:.0f} s "
        "on one connection (workers send in parallel)"
    )


if __name__ == "__main__":
    main()
