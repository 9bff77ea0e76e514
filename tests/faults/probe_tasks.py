"""A tiny task for the worker fault test. It keeps its tally in the throwaway Redis whose
address is in FAULT_PROBE_REDIS (db 1, away from the broker's queues)."""

import os
import time

import redis

from medway_improve.celery import app


def tally() -> redis.Redis:
    return redis.Redis.from_url(os.environ["FAULT_PROBE_REDIS"], db=1)


# acks_late and reject_on_worker_lost come from the project settings, which is the point.
@app.task(name="tests.faults.probe")
def probe(*, key: str, seconds: float) -> None:
    store = tally()
    store.rpush(f"{key}:started", f"{os.environ.get('FAULT_WORKER', '?')}:{os.getpid()}")
    time.sleep(seconds)
    store.rpush(f"{key}:completed", f"{os.environ.get('FAULT_WORKER', '?')}:{os.getpid()}")
