# Improve: run `make help` for the list of targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help
PY := .venv/bin/python
UV := python3 -m uv
export PYTHONUNBUFFERED := 1

.PHONY: help
help: ## Show this list
	@grep -hE '^[a-z][a-z-]*:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

.PHONY: uv
uv:
	@python3 -m uv --version >/dev/null 2>&1 || python3 -m pip install --quiet --disable-pip-version-check uv

.venv/.synced: pyproject.toml uv.lock | uv
	$(UV) sync --frozen
	@touch $@

.PHONY: install
install: .venv/.synced assets ## Install Python and front-end dependencies

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

.PHONY: assets
assets: node_modules/.installed ## Build GOV.UK Frontend CSS and JS into static/build
	node scripts/build-assets.mjs

.PHONY: system-packages
system-packages: ## Install Chromium, poppler and WeasyPrint's libraries if missing (apt)
	scripts/install-system-packages.sh

.PHONY: database
database: .venv/.synced ## Create the database if missing and migrate it
	$(PY) scripts/ensure_database.py
	$(PY) manage.py migrate --no-input

.PHONY: demo
demo: export DEBUG ?= 1
demo: export MFA_REQUIRED ?= 0
demo: install database ## Set up and run the demo: web, worker and beat with Medway data
	$(PY) manage.py load_demo
	@echo "Open http://127.0.0.1:8000 and sign in with one of the accounts above."
	scripts/run-demo.sh

.PHONY: test
test: system-packages install ## Install everything and run every test
	$(PY) scripts/ensure_database.py
	$(MAKE) --no-print-directory lint
	$(MAKE) --no-print-directory audit
	$(PY) -m pytest -n 2; status=$$?; if [ $$status -eq 5 ]; then echo "No tests ran"; exit 1; fi; exit $$status
	$(MAKE) --no-print-directory test-dates

# The tests that read the calendar: reminders, board packs, the dashboard, indicators, the
# board and risks' review dates (browser and slow fault tests run once, in the main run).
DATE_TESTS := tests/reminders tests/boardpacks/test_context.py tests/boardpacks/test_services.py \
  tests/boardpacks/test_tasks.py tests/boardpacks/test_views.py tests/boardpacks/test_rendering.py \
  tests/actions/test_views.py tests/home/test_views.py tests/kpis/test_selectors.py \
  tests/kpis/test_views.py tests/board/test_selectors.py tests/board/test_views.py \
  tests/board/test_services.py tests/risks/test_models.py

.PHONY: test-dates
test-dates: ## Run the date-sensitive tests as if today were each awkward day (scripts/awkward_dates.py)
	@set -e; $(PY) scripts/awkward_dates.py | while read -r day name; do \
	  echo "== as if today were $$day ($$name)"; \
	  IMPROVE_TODAY=$$day $(PY) -m pytest -n 2 -q -m "not browser and not slow" \
	    -p no:cacheprovider $(DATE_TESTS) || exit 1; \
	done

.PHONY: test-fast
test-fast: ## Run the tests without the browser and slow fault tests
	$(PY) -m pytest -n 2 -m "not browser and not slow"

.PHONY: ofsted-accuracy
ofsted-accuracy: .venv/.synced ## Parser accuracy on the annotated real Ofsted documents, agreement with JT-39, parse time
	$(PY) bench/ofsted_accuracy.py

.PHONY: lint
lint: .venv/.synced ## Ruff, the import layers, types (mypy), templates (djlint), migrations check
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	.venv/bin/lint-imports
	@# mypy's django-stubs plugin and makemigrations read the settings: DEBUG=1 gives them a SECRET_KEY.
	DEBUG=1 $(PY) -m mypy
	$(PY) -m djlint templates --lint
	DEBUG=1 $(PY) manage.py makemigrations --check --dry-run

.PHONY: audit
audit: .venv/.synced ## Check every locked dependency against PyPI's vulnerability data (pip-audit's source)
	@set -o pipefail; $(UV) export --frozen --format requirements-txt --no-emit-project --no-hashes --quiet \
	  | $(PY) scripts/audit_dependencies.py -

.PHONY: faults
faults: .venv/.synced ## Fault tests: PostgreSQL restart, Redis stopped, worker killed (own throwaway servers)
	$(PY) -m pytest tests/faults -m slow -s -p no:cacheprovider

BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/improve_bench

.PHONY: load-test
load-test: .venv/.synced ## 50 signed-in users for 60 s against gunicorn on a 10,000-action database
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) bench/load_test.py

.PHONY: worker
worker: ## Run a Celery worker
	.venv/bin/celery -A medway_improve worker --loglevel=INFO -Q celery,boardpacks,email

.PHONY: beat
beat: ## Run Celery beat (the schedules are declared in code)
	mkdir -p var && .venv/bin/celery -A medway_improve beat --loglevel=INFO --schedule=var/celerybeat-schedule

.PHONY: reminders
reminders: ## Print who would get which reminder today (dry run; sends nothing)
	$(PY) manage.py send_reminders --dry-run

.PHONY: web
web: ## Run gunicorn as production would (needs SECRET_KEY etc.)
	$(PY) manage.py collectstatic --no-input
	.venv/bin/gunicorn medway_improve.wsgi --bind 127.0.0.1:8000 --workers 3

.PHONY: bench
bench: install database ## Run the benchmarks in bench/ and print their figures
	@for script in bench/bench_*.py; do echo "== $$script"; $(PY) $$script || exit 1; done
