import pytest
from django.core.management import call_command

from tests.factories import TODAY


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploaded documents go to a temporary folder, never the developer's var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def demo(db):
    """The Medway demo: people, the 2019-2024 inspections with their areas, and the plan."""
    call_command("load_demo", today=TODAY, stdout=open("/dev/null", "w"))  # noqa: SIM115
