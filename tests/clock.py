"""The suite's one clock.

Every test runs as if today were `TODAY`: the real date in Europe/London, or the date in
`IMPROVE_TODAY=YYYY-MM-DD`. The clock is moved by whole days to that date, keeping the
real time of day, but never later than 22:30, so a run of the suite never crosses midnight.
It keeps ticking, so timeouts and expiries behave as they do in production.

Fixed dates in tests derive from `TODAY`; nothing else reads the real date.

Processes the tests start (gunicorn, Celery workers) run on the same clock when started
through this module: `python -m tests.clock celery -A medway_improve worker ...` reads the
offset from `IMPROVE_CLOCK_OFFSET`, which `child_env()` sets.
"""

from __future__ import annotations

import datetime as dt
import os
import runpy
import sys
import time
import zoneinfo

import time_machine

LONDON = zoneinfo.ZoneInfo("Europe/London")
LATEST = dt.time(22, 30)
OFFSET_VARIABLE = "IMPROVE_CLOCK_OFFSET"


def _today() -> dt.date:
    value = os.environ.get("IMPROVE_TODAY", "").strip()
    if not value:
        return dt.datetime.now(LONDON).date()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise SystemExit(f"IMPROVE_TODAY must be a date like 2028-02-29, not {value!r}") from None


def _offset() -> float:
    """Seconds to add to the real clock. A child process inherits its parent's offset."""
    inherited = os.environ.get(OFFSET_VARIABLE)
    if inherited:
        return float(inherited)
    now = dt.datetime.now(LONDON)
    start = dt.datetime.combine(TODAY, min(now.time(), LATEST), tzinfo=LONDON)
    return (start - now).total_seconds()


TODAY = _today()
OFFSET = _offset()
_traveller: time_machine.travel | None = None


def start() -> None:
    """Move the clock for this process (idempotent)."""
    global _traveller
    if _traveller is None and OFFSET:
        _traveller = time_machine.travel(time.time() + OFFSET, tick=True)
        _traveller.start()


def stop() -> None:
    global _traveller
    if _traveller is not None:
        _traveller.stop()
        _traveller = None


def child_env(env: dict[str, str] | None = None) -> dict[str, str]:
    """The environment for a process the tests start, so that it keeps the suite's clock."""
    env = dict(os.environ if env is None else env)
    env[OFFSET_VARIABLE] = repr(OFFSET)
    env["IMPROVE_TODAY"] = TODAY.isoformat()
    return env


def command(*args: str) -> list[str]:
    """`python -m tests.clock <program> <args>`: run a console script on the suite's clock."""
    return [sys.executable, "-m", "tests.clock", *args]


def _main(argv: list[str]) -> None:
    program, *rest = argv
    start()
    sys.argv = [program, *rest]
    runpy.run_module(program, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    _main(sys.argv[1:])


def database_today() -> dt.date:
    """Today by the database's own clock, which the suite cannot move: audit history is
    stamped by PostgreSQL triggers (`now()`), as it is in production."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT (now() AT TIME ZONE 'Europe/London')::date")
        return cursor.fetchone()[0]
