"""Cross-site scripting, CSRF, open redirects, security headers and `check --deploy`."""

from __future__ import annotations

import datetime as dt
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import models
from django.test import Client
from django.urls import reverse

from accounts.models import Role, User
from actions.models import Action, DueDateChange, Evidence, Priority, ProgressUpdate
from board.models import AgendaItem, Challenge, ChallengeMessage, Decision, Meeting
from imports.models import PendingUpload
from inspections.models import (
    AreaCovered,
    AreaForImprovement,
    Inspection,
    Judgement,
    Strength,
)
from kpis.models import Comparator, Indicator, IndicatorValue
from risks.models import ImpactLevel, LikelihoodLevel, Risk, RiskMatrix, RiskRating
from tests.conftest import client_for
from tests.factories import (
    ActionFactory,
    AreaForImprovementFactory,
    IndicatorValueFactory,
    InspectionFactory,
    JudgementFactory,
    UserFactory,
)
from tests.security.test_authorisation_matrix import (
    ROUTES,
    board_objects,
    indicators_risks_and_uploads,
    ready_board_pack,
    rule_for,
    url_for,
)

BASE_DIR = Path(settings.BASE_DIR)

# --- XSS: a payload in every free-text field, every page rendered, nothing unescaped -------

# Free text people or imports can write. Each field gets its own marked payload.
FREE_TEXT_MODELS = [
    Inspection,
    Judgement,
    AreaForImprovement,
    Strength,
    AreaCovered,
    Priority,
    Action,
    ProgressUpdate,
    DueDateChange,
    Evidence,
    User,
    Indicator,
    IndicatorValue,
    Comparator,
    Risk,
    RiskRating,
    RiskMatrix,
    LikelihoodLevel,
    ImpactLevel,
    PendingUpload,
    Meeting,
    AgendaItem,
    Decision,
    Challenge,
    ChallengeMessage,
]
# Identifiers (validated slugs and short codes) and the matrix's rating format string.
SKIP_FIELDS = {
    "password",
    "username",
    "email",
    "reference",
    "key",
    "framework",
    "code",
    "rating_template",
}
# Payloads tried in each field (the marker names the field, so a failure says which).
PAYLOADS = [
    '<script>alert("{m}")</script>',
    '"><img src=x onerror=alert("{m}")>',
    "'><svg onload=alert('{m}')>",
    "{{% debug %}}{{{{ request }}}}{m}",
]
# Markup that would run, and the output of a template tag that would have been evaluated.
RAW_MARKERS = ["<script>alert(", "<img src=x onerror", "<svg onload", "WSGIRequest"]
INPUTS_TRIED = len(PAYLOADS)


def free_text_fields(model) -> list[models.Field]:
    return [
        f
        for f in model._meta.concrete_fields
        if isinstance(f, models.CharField | models.TextField)
        and not f.choices
        and not isinstance(f, models.URLField)
        and f.name not in SKIP_FIELDS
    ]


def payload_for(template: str, model, field) -> str:
    marker = f"{model.__name__}.{field.name}"
    value = template.format(m=marker)
    if field.max_length and len(value) > field.max_length:
        value = template.format(m="")[: field.max_length]
    return value


def fill(obj, template: str) -> None:
    for field in free_text_fields(type(obj)):
        setattr(obj, field.name, payload_for(template, type(obj), field))


@pytest.fixture
def hostile_world(db, officer, lead, board_member):
    """Every free-text field of every model holds a payload, one payload per test."""

    def build(template: str):
        fill(officer, template)
        officer.save()
        inspection = InspectionFactory()
        fill(inspection, template)
        inspection.inspectors = [template.format(m="Inspection.inspectors")]
        inspection.source_url = "javascript:alert(1)"
        inspection.save()
        judgement = JudgementFactory(inspection=inspection)
        fill(judgement, template)
        judgement.save()
        area = AreaForImprovementFactory(inspection=inspection)
        fill(area, template)
        area.save()
        strength = Strength(inspection=inspection, text="x")
        fill(strength, template)
        strength.save()
        covered = AreaCovered(inspection=inspection, text="x", revisits=area)
        fill(covered, template)
        covered.save()
        action = ActionFactory(owner=officer, accountable=UserFactory(role=Role.OFFICER))
        action.areas.set([area])
        fill(action, template)
        action.rag_override = "red"
        action.save()
        fill(action.priority, template)
        action.priority.save()
        update = ProgressUpdate(
            action=action,
            author=officer,
            status_before="on_track",
            status_after="on_track",
            percent_before=20,
            percent_after=20,
        )
        fill(update, template)
        update.save()
        change = DueDateChange(
            action=action,
            old_date=action.due_date,
            new_date=action.due_date + dt.timedelta(days=7),
            reason="x",
            changed_by=officer,
        )
        fill(change, template)
        change.save()
        evidence = Evidence(action=action, note="x", url="javascript:alert(1)", added_by=officer)
        fill(evidence, template)
        evidence.save()
        # A document too, so its name is shown (in the download link) and checked.
        document = Evidence(
            action=action, file=ContentFile(b"%PDF-1.4", name="doc.pdf"), added_by=officer
        )
        fill(document, template)
        document.save()
        objects = indicators_risks_and_uploads(officer=officer, lead=lead)
        comparator_value = IndicatorValueFactory(
            indicator=objects["indicator"],
            comparator=objects["comparator"],
            period_end=objects["indicator_value"].period_end,
        )
        risk = objects["risk"]
        matrix = risk.likelihood.matrix
        rating = RiskRating(  # ratings are append-only: a second one carries the payload
            risk=risk,
            likelihood=risk.likelihood,
            impact=risk.impact,
            target_likelihood=risk.target_likelihood,
            target_impact=risk.target_impact,
            rated_on=dt.date(2024, 6, 1),
            recorded_by=officer,
        )
        for obj in (
            objects["indicator"],
            objects["indicator_value"],
            comparator_value,
            objects["comparator"],
            risk,
            rating,
            matrix,
            *matrix.likelihoods.all(),
            *matrix.impacts.all(),
            *objects["uploads"].values(),
        ):
            fill(obj, template)
            obj.save()
        objects |= board_objects(
            board_member=board_member,
            officer=officer,
            action=action,
            fill=lambda obj: fill(obj, template),
        )
        objects["boardpack"] = ready_board_pack()
        return {"action": action, "inspection": inspection, "area": area} | objects

    return build


def readable_pages(world, role: str = "lead") -> list[str]:
    """Every app page a person in this role can GET (from the matrix rules)."""
    urls = []
    for route in ROUTES:
        rule = rule_for(route.name)
        if route.name.startswith("admin:") or rule is None:
            continue
        if rule.get.get(role) == "ok" and route.name not in (
            "healthz",
            "accounts:login",  # signed-in people are sent on
            "accounts:logout",
            "inspections:inspection_document",
            "board:meeting_minutes",  # a file
            "actions:evidence_download",  # a file
            "boardpacks:boardpack_download",  # a PDF
            "audit:history_export",
            "imports:action_export",  # a spreadsheet
            "imports:indicator_import_template",  # a CSV
        ):
            urls.append(url_for(route, world))
    return urls


def assert_escaped(html: str, where: str) -> None:
    for raw in RAW_MARKERS:
        assert raw not in html, f"unescaped {raw!r} in {where}"


@pytest.mark.parametrize("template", PAYLOADS)
def test_free_text_is_escaped_on_every_page(template, hostile_world, lead, officer):
    world = hostile_world(template)
    seen = ""
    for role, user in (("lead", lead), ("officer", officer)):
        client = client_for(user)
        for url in readable_pages(world, role):
            response = client.get(url)
            assert response.status_code in (200, 302), url
            html = response.content.decode()
            assert_escaped(html, url)
            seen += html
    # The pages really did show the hostile text (escaped), so the check above meant something.
    shown = {
        "Action.title",
        "Action.description",
        "Action.rag_override_reason",
        "ProgressUpdate.note",
        "DueDateChange.reason",
        "Evidence.note",
        "Inspection.summary",
        "AreaForImprovement.text",
        "Strength.text",
        "AreaCovered.text",
        "AreaCovered.finding",
        "User.first_name",
        "Indicator.name",
        "Indicator.definition",
        "IndicatorValue.note",
        "IndicatorValue.source",
        "Comparator.name",
        "Risk.title",
        "Risk.description",
        "Risk.causes",
        "Risk.consequences",
        "Risk.controls",
        "Risk.mitigation",
        "RiskRating.note",
        "RiskMatrix.name",
        "LikelihoodLevel.label",
        "ImpactLevel.label",
        "PendingUpload.filename",
        "Meeting.title",
        "Meeting.location",
        "Meeting.other_attendees",
        "Meeting.other_apologies",
        "Meeting.board_pack_reference",
        "Meeting.minutes",
        "AgendaItem.title",
        "AgendaItem.presenter",
        "AgendaItem.notes",
        "Decision.text",
        "Challenge.question",
        "ChallengeMessage.text",
    }
    missing = {m for m in shown if m not in seen}
    assert not missing, f"these fields never appeared on a page: {missing}"


@pytest.mark.parametrize("template", PAYLOADS)
def test_htmx_fragment_and_history_escape_free_text(template, hostile_world, officer, lead):
    from django.template.loader import render_to_string

    from audit.selectors import history_for

    world = hostile_world(template)
    action = Action.objects.get(pk=world["action"].pk)
    prefix = f"a{action.pk}-"
    response = client_for(officer).post(
        reverse("actions:action_update", args=[action.pk]),
        {
            prefix + "version": action.version,
            prefix + "status": action.status,
            prefix + "percent_complete": 30,
            prefix + "due_date": action.due_date.isoformat(),
            prefix + "rag_override": "red",
            prefix + "rag_override_reason": template.format(m="form.reason"),
            prefix + "note": template.format(m="form.note"),
        },
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert_escaped(response.content.decode(), "htmx update fragment")
    history = render_to_string("audit/includes/history.html", {"history": history_for(action)})
    assert_escaped(history, "history include")
    assert "form.note" in history  # the new note is in the history, escaped


def test_links_from_stored_urls_cannot_run_script(hostile_world, lead):
    """A javascript: address that reached the database (an import, SQL) is inert: the CSP
    forbids inline script, which covers javascript: links."""
    world = hostile_world(PAYLOADS[0])
    response = client_for(lead).get(world["action"].get_absolute_url())
    csp = response.headers["Content-Security-Policy"]
    script_src = re.search(r"script-src ([^;]*)", csp).group(1)
    assert "'unsafe-inline'" not in script_src
    assert "'unsafe-eval'" not in script_src
    assert "default-src 'self'" in csp
    assert "object-src 'none'" in csp
    assert "frame-ancestors 'none'" in csp


def test_forms_refuse_javascript_links():
    from actions.forms import ActionUpdateForm

    form = ActionUpdateForm(data={"evidence_url": "javascript:alert(1)"})
    form.is_valid()
    assert "evidence_url" in form.errors


# --- CSRF -------------------------------------------------------------------------------


def test_every_post_is_refused_without_a_csrf_token(db, officer, lead, board_member):
    """Every URL someone may POST to refuses a POST without the token, and says so kindly."""
    from tests.security.test_authorisation_matrix import SIGNED_IN

    action = ActionFactory(owner=officer)
    world = (
        {"action": action, "inspection": InspectionFactory(), "area": AreaForImprovementFactory()}
        | indicators_risks_and_uploads(officer=officer, lead=lead)
        | board_objects(board_member=board_member, officer=officer, action=action)
        | {"boardpack": ready_board_pack()}
    )
    checked = []
    for route in ROUTES:
        rule = rule_for(route.name)
        posters = [role for role in SIGNED_IN if rule.post.get(role) in ("ok", "staff")]
        if not posters and rule.post.get("anonymous") != "ok":
            continue
        url = url_for(route, world) if not route.name.startswith("admin:") else None
        if url is None:
            continue
        client = client_for(lead, enforce_csrf_checks=True)
        response = client.post(url, {})
        assert response.status_code == 403, f"POST {url} without a token: {response.status_code}"
        assert b"Your form could not be sent" in response.content, url
        checked.append(route.name)
    assert {
        "actions:action_update",
        "actions:action_status",
        "actions:evidence_create",
        "accounts:login",
        "accounts:mfa_setup",
        "kpis:indicator_value_delete",
        "board:meeting_update",
        "board:agenda_item_delete",
        "board:challenge_create",
        "board:challenge_answer",
        "board:challenge_accept",
        "board:challenge_reassign",
        "risks:risk_update",
        "imports:upload_cancel",
    } <= set(checked)


def test_admin_posts_need_a_csrf_token(db, administrator):
    client = client_for(administrator, enforce_csrf_checks=True)
    response = client.post(reverse("admin:accounts_user_add"), {"username": "x"})
    assert response.status_code == 403
    assert not User.objects.filter(username="x").exists()


def test_every_post_form_on_every_page_carries_a_csrf_token(db, lead, officer, board_member):
    action = ActionFactory(owner=officer)
    world = (
        {"action": action, "inspection": InspectionFactory(), "area": AreaForImprovementFactory()}
        | indicators_risks_and_uploads(officer=officer, lead=lead)
        | board_objects(board_member=board_member, officer=officer, action=action)
        | {"boardpack": ready_board_pack()}
    )
    forms_seen = 0
    for user in (lead, officer, board_member):
        client = client_for(user)
        for route in ROUTES:
            rule = rule_for(route.name)
            if route.name.startswith("admin:") or rule.get.get("lead") != "ok":
                continue
            if route.name in (
                "healthz",
                "inspections:inspection_document",
                "board:meeting_minutes",  # a file
                "actions:evidence_download",  # a file
                "boardpacks:boardpack_download",  # a PDF
                "boardpacks:boardpack_download",  # a PDF
                "imports:action_export",  # a spreadsheet
                "imports:indicator_import_template",  # a CSV
            ):
                continue
            html = client.get(url_for(route, world)).content.decode()
            for form in re.findall(r"<form\b[^>]*>.*?</form>", html, flags=re.S | re.I):
                if re.search(r'method="post"', form, flags=re.I):
                    forms_seen += 1
                    assert 'name="csrfmiddlewaretoken"' in form, f"{route.name}: {form[:200]}"
    assert forms_seen >= 3


# --- Open redirects -----------------------------------------------------------------------

HOSTILE_NEXT = [
    "https://evil.example/",
    "//evil.example/",
    "/\\evil.example/",
    "\\\\evil.example",
    "https:evil.example",
    "javascript:alert(1)",
    "http://testserver@evil.example/",
    " //evil.example",
]


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_login_never_redirects_off_site(client, officer, target):
    response = client.post(
        reverse("accounts:login"),
        {"username": officer.username, "password": "correct-horse-battery-staple", "next": target},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("actions:my_actions")  # an officer's home


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_login_page_does_not_echo_a_hostile_next(client, target):
    response = client.get(reverse("accounts:login"), {"next": target})
    assert b"evil.example" not in response.content


def test_login_keeps_a_local_next(client, officer):
    response = client.post(
        reverse("accounts:login"),
        {
            "username": officer.username,
            "password": "correct-horse-battery-staple",
            "next": "/actions/",
        },
    )
    assert response["Location"] == "/actions/"


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_two_factor_never_redirects_off_site(lead, target):
    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client = Client()
    client.force_login(lead)
    device = TOTPDevice.objects.create(user=lead, name="App", confirmed=True)
    code = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token()
    response = client.post(reverse("accounts:mfa_verify"), {"code": f"{code:06d}", "next": target})
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard")


@pytest.mark.parametrize("target", HOSTILE_NEXT[:3])
def test_admin_login_never_redirects_off_site(client, administrator, target):
    response = client.post(
        reverse("admin:login"),
        {
            "username": administrator.username,
            "password": "correct-horse-battery-staple",
            "next": target,
        },
    )
    assert response.status_code == 302
    assert "evil.example" not in response["Location"]


# --- Headers and production settings ----------------------------------------------------


def test_pages_send_the_security_headers(as_user, officer):
    response = as_user(officer).get(reverse("dashboard"))
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "nonce-" in response["Content-Security-Policy"]
    assert response["Cache-Control"]  # personal pages are not cached by proxies
    assert "private" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]


def production_env() -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SECURE_", "DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "STATIC"))
        and key not in ("WHITENOISE_USE_FINDERS", "EMAIL_URL", "MFA_REQUIRED")
        and key != "DJANGO_ALLOW_ASYNC_UNSAFE"  # set by the browser tests' fixture
    }
    env.update(
        {
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(48)[:64],
            "ALLOWED_HOSTS": "improve.example.gov.uk",
            "EMAIL_URL": "smtp://mail.example:25",
        }
    )
    return env


def test_check_deploy_is_clean_with_production_settings():
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "check",
            "--deploy",
            "--fail-level",
            "WARNING",
        ],
        cwd=BASE_DIR,
        env=production_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_settings_are_strict():
    code = (
        "from django.conf import settings as s;"
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT,"
        " s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.DEBUG, s.MFA_REQUIRED,"
        " s.SESSION_COOKIE_HTTPONLY, s.CSRF_COOKIE_HTTPONLY)"
    )
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=BASE_DIR,
        env=production_env() | {"DJANGO_SETTINGS_MODULE": "medway_improve.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.split() == [
        "True",
        "True",
        "True",
        "31536000",
        "True",
        "False",
        "True",
        "True",
        "True",
    ], result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    env = production_env()
    del env["SECRET_KEY"]
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_health_check_is_not_redirected_to_https(client, settings, db):
    """The container health check calls /healthz over plain HTTP; everything else is HTTPS."""
    settings.SECURE_SSL_REDIRECT = True
    assert client.get(reverse("healthz")).status_code == 200
    assert client.get(reverse("accounts:login")).status_code == 301
