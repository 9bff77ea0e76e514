"""Set up Django for a benchmark: production settings (DEBUG off, cached templates) on a
database of the benchmark's own, so the demo and test databases are left alone."""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup(database: str = "improve_bench") -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DATABASE_URL", f"postgres://postgres@127.0.0.1:5432/{database}")
    os.environ.setdefault("DEBUG", "0")
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-" + "x" * 40)
    os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
    os.environ.setdefault("MFA_REQUIRED", "0")  # measure the pages, not the sign-in steps
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
    os.environ.setdefault(
        "STATICFILES_BACKEND", "django.contrib.staticfiles.storage.StaticFilesStorage"
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "medway_improve.settings")
    import subprocess

    subprocess.run([sys.executable, str(ROOT / "scripts" / "ensure_database.py")], check=True)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
