import os
import time
from pathlib import Path

import pytest

from tests import clock

# Before anything reads the date: the whole suite runs on one clock (tests/clock.py).
clock.start()

from aiosmtpd.controller import Controller  # noqa: E402
from django.test import Client  # noqa: E402

from accounts import permissions  # noqa: E402
from accounts.models import Role  # noqa: E402
from medway_improve.middleware import SessionLifetimeMiddleware  # noqa: E402
from tests.factories import (  # noqa: E402
    TODAY,
    ActionFactory,
    ComparatorFactory,
    IndicatorFactory,
    UserFactory,
    load_demo,
)
from tests.smtp import ScriptedHandler, free_port  # noqa: E402


@pytest.fixture
def today():
    return TODAY


@pytest.fixture
def demo(db):
    """The Medway demo (people, inspections, the plan, the board, indicators and risks),
    dated around TODAY. Inside a transactional test it is committed, as that test's is."""
    load_demo()


@pytest.fixture
def board_member(db):
    return UserFactory(username="board", role=Role.BOARD_MEMBER)


@pytest.fixture
def officer(db):
    return UserFactory(username="officer1", role=Role.OFFICER)


@pytest.fixture
def other_officer(db):
    return UserFactory(username="officer2", role=Role.OFFICER)


@pytest.fixture
def lead(db):
    return UserFactory(username="lead", role=Role.IMPROVEMENT_LEAD)


@pytest.fixture
def administrator(db):
    return UserFactory(username="admin", role=Role.ADMINISTRATOR, is_staff=True)


@pytest.fixture
def action(officer, other_officer):
    """An action owned by `officer`; `other_officer` has nothing to do with it."""
    return ActionFactory(owner=officer, accountable=UserFactory(role=Role.OFFICER))


def client_for(user, **client_kwargs) -> Client:
    """A client signed in as `user`; improvement leads and administrators have also
    entered their two-factor code, as they must before any page."""
    client = Client(**client_kwargs)
    client.force_login(user)
    # As the sign-in request itself does (SessionLifetimeMiddleware), so the first page a
    # test asks for is an ordinary one.
    session = client.session
    session[SessionLifetimeMiddleware.STAMP] = int(time.time())
    session.save()
    if permissions.mfa_required(user):
        verify_mfa(client, user)
    return client


def verify_mfa(client: Client, user) -> None:
    """Mark the client's session as verified with a confirmed authenticator device."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Test app", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


@pytest.fixture
def as_user():
    return client_for


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Real hashing costs ~0.3 s a user; tests create hundreds."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# --- Browser tests: Playwright driving Debian's Chromium, with axe-core -----------------

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE_JS = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    context.set_default_timeout(10_000)
    # Injected through the DevTools protocol, so the page's strict CSP stays on.
    context.add_init_script(path=str(AXE_JS))
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.js_errors = errors
    yield page
    context.close()


def sign_in(
    page,
    live_server,
    username: str,
    password: str = "correct-horse-battery-staple",
    *,
    two_factor: bool = True,
):
    """Sign in through the real form. Leads and administrators then meet two-factor: this
    completes it (set-up or verification) with a code computed from their device."""
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    if two_factor and "/accounts/two-factor/" in page.url:
        complete_two_factor(page, username)


def complete_two_factor(page, username: str) -> None:
    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user__username=username).order_by("-pk").first()
    code = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token()
    page.get_by_label("Code from your authenticator app").fill(f"{code:06d}")
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()


def axe_violations(page) -> list[dict]:
    """Run axe-core in the page; returns the WCAG 2.2 AA violations (empty list is good)."""
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})",
        AXE_TAGS,
    )
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
    ]


# Reference data that migrations create (role groups, canonical judgement areas). A
# transactional test's flush empties every table, so put it back from the migrations
# themselves: one source of truth, and much faster than serialized_rollback.
REFERENCE_DATA = [
    ("accounts.migrations.0002_role_groups", "create_groups"),
    ("inspections.migrations.0002_judgement_areas", "create_areas"),
    ("reminders.migrations.0002_settings_row", "create_settings"),
    ("risks.migrations.0002_default_matrix", "create"),
]


@pytest.fixture(autouse=True)
def _reference_data(request):
    marker = request.node.get_closest_marker("django_db")
    if not (marker and marker.kwargs.get("transaction")):
        return
    import importlib

    from django.apps import apps

    request.getfixturevalue("transactional_db")
    for module, function in REFERENCE_DATA:
        getattr(importlib.import_module(module), function)(apps, None)


# --- Mail through a real SMTP server -------------------------------------------------


@pytest.fixture
def smtp_server():
    handler = ScriptedHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    handler.port = controller.port
    yield handler
    controller.stop()


@pytest.fixture
def smtp(settings, smtp_server):
    """Send this test's mail to the loopback SMTP server (pytest-django's default is locmem)."""
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": smtp_server.port, "timeout": 5},
        }
    }
    return smtp_server


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path_factory):
    """Stored files (uploads, the demo's Ofsted PDFs, board packs) go to a temporary folder
    of the test's own, never the developer's var/media."""
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")
    return settings.MEDIA_ROOT


@pytest.fixture
def vacancy(officer):
    """An indicator an officer owns, with values imported or entered in the tests."""
    return IndicatorFactory(
        code="sw-vacancy-rate", name="Social worker vacancy rate", owner=officer
    )


@pytest.fixture
def england():
    return ComparatorFactory(name="England")
