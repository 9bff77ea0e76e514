#!/usr/bin/env bash
# Runs the demo: web on http://127.0.0.1:8000, plus a Celery worker and beat when Redis answers.
# Without a broker, tasks run in-process (CELERY_TASK_ALWAYS_EAGER) and beat schedules do not fire.
set -uo pipefail
PY=.venv/bin/python
mkdir -p var
export DEBUG="${DEBUG:-1}"
# The demo's accounts share a published password: two-factor authentication is off, and the
# sign-in page says so. Production never sets this.
export MFA_REQUIRED="${MFA_REQUIRED:-0}"
export EMAIL_URL="${EMAIL_URL:-console://}"
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done; wait; }
trap cleanup EXIT INT TERM
if $PY scripts/broker_available.py; then
  .venv/bin/celery -A medway_improve worker --loglevel=INFO --concurrency=2 -Q celery,boardpacks,email &
  pids+=($!)
  .venv/bin/celery -A medway_improve beat --loglevel=INFO --schedule=var/celerybeat-schedule &
  pids+=($!)
else
  echo "WARNING: no Celery broker answers at ${REDIS_URL:-redis://127.0.0.1:6379/0}."
  echo "WARNING: tasks will run in-process (slower pages) and scheduled jobs will not run."
  echo "WARNING: start Redis (docker compose up -d redis) and run 'make demo' again for the full stack."
  export CELERY_TASK_ALWAYS_EAGER=1
fi
$PY manage.py runserver 127.0.0.1:8000
