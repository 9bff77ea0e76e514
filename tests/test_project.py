import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_no_missing_migrations():
    call_command("makemigrations", "--check", "--dry-run", stdout=StringIO())


def test_system_checks_pass():
    call_command("check", fail_level="WARNING", stdout=StringIO())


def _django_setup_with(env_overrides: dict) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG")}
    env |= env_overrides | {"DJANGO_SETTINGS_MODULE": "medway_improve.settings"}
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=env,
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parent.parent,
        timeout=60,
    )


@pytest.mark.parametrize(
    "secret",
    ["", "dev-only-insecure-secret-key-do-not-use-in-production", "too-short"],
)
def test_production_refuses_to_start_without_a_real_secret_key(secret):
    result = _django_setup_with({"DEBUG": "0", "SECRET_KEY": secret})
    assert result.returncode != 0
    assert "SECRET_KEY must be set to a long random value" in result.stderr


def test_production_starts_with_a_real_secret_key():
    result = _django_setup_with({"DEBUG": "0", "SECRET_KEY": "k" * 64})
    assert result.returncode == 0, result.stderr
