import datetime as dt
import importlib.util

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from accounts import demo as accounts_demo
from audit.context import audit_source


class Command(BaseCommand):
    help = (
        "Load the Medway demo data set from the seeds. Idempotent: running it again "
        "leaves the same data. Each app with a demo.py contributes, in INSTALLED_APPS order."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--today",
            type=dt.date.fromisoformat,
            help="Date the demo plan is built around (YYYY-MM-DD); default today.",
        )

    def handle(self, *args, today=None, **options):
        with audit_source("command", command="load_demo"), transaction.atomic():
            for config in apps.get_app_configs():
                if not config.path.startswith(str(settings.BASE_DIR)):
                    continue
                module_name = f"{config.name}.demo"
                if importlib.util.find_spec(module_name) is None:
                    continue
                importlib.import_module(module_name).load(today=today)
                self.stdout.write(f"Loaded {config.verbose_name} demo data")
        self.stdout.write(self.style.SUCCESS("Medway demo data loaded. Sign in with:"))
        for line in accounts_demo.sign_in_lines():
            self.stdout.write(line)
        self.stdout.write("  (demo passwords: for local use only)")
