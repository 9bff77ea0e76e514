"""The authorisation matrix: every URL pattern × every role × GET and POST.

The patterns come from the URL conf, so a new view is tested the moment it is added, and a
pattern with no row in RULES fails `test_every_url_pattern_has_a_rule`: whoever adds a view
declares here who may use it. A row says, for each method, which outcome each role gets:

    "ok"      the view answered (2xx, a redirect other than to sign in, or 400/409/422 for a
              form that needs more data: the request was authorised)
    "login"   sent to sign in (the app's or the admin's)
    "denied"  403
    "method"  405: the view does not take this method
    "missing" 404

Roles: anonymous, board member, officer (owns the sample action), another officer,
improvement lead and administrator (both with two-factor verified; an administrator is staff).
Objects for URL arguments come from `world` below.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db.models import Max
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from accounts import permissions
from accounts.models import Role
from board.models import AgendaItem, Challenge, ChallengeMessage, Decision, Meeting
from imports.models import PendingUpload
from inspections.ofsted_parser import OfstedDraft
from tests.conftest import verify_mfa
from tests.factories import (
    ActionFactory,
    AgendaItemFactory,
    AreaForImprovementFactory,
    ComparatorFactory,
    DecisionFactory,
    EvidenceFactory,
    IndicatorFactory,
    IndicatorValueFactory,
    InspectionFactory,
    PendingUploadFactory,
    RiskFactory,
    UserFactory,
)
from tests.imports.sheets import HEADINGS, xlsx_bytes

ROLES = ["anonymous", "board_member", "officer", "other_officer", "lead", "administrator"]
SIGNED_IN = ROLES[1:]


def every(outcome: str, *, anonymous: str = "login") -> dict[str, str]:
    """The same outcome for every signed-in role; anonymous visitors are sent to sign in."""
    return {"anonymous": anonymous} | dict.fromkeys(SIGNED_IN, outcome)


def roles(**outcomes: str) -> dict[str, str]:
    missing = set(ROLES) - set(outcomes)
    assert not missing, f"rule leaves out {missing}"
    return outcomes


READ = every("ok")
NO_METHOD = every("method")
LEADS_ONLY = roles(
    anonymous="login",
    board_member="denied",
    officer="denied",
    other_officer="denied",
    lead="ok",
    administrator="ok",
)
EDIT_OWN_ACTION = roles(
    anonymous="login",
    board_member="denied",
    officer="ok",
    other_officer="denied",
    lead="ok",
    administrator="ok",
)
# Indicators, risks: the officer owns the sample one; another officer may only read it.
EDIT_OWN = EDIT_OWN_ACTION
# Importing indicator values: any officer may open the import (each row is then checked
# against the indicator's owner); board members change nothing.
OFFICERS_AND_LEADS = roles(
    anonymous="login",
    board_member="denied",
    officer="ok",
    other_officer="ok",
    lead="ok",
    administrator="ok",
)
# Pending uploads belong to the lead who uploaded them: anyone else's looks missing.
UPLOADER_ONLY = LEADS_ONLY | {"administrator": "missing"}
PUBLIC = dict.fromkeys(ROLES, "ok")
# The board: only board members raise challenges (leads and administrators are not members).
BOARD_MEMBERS_ONLY = roles(
    anonymous="login",
    board_member="ok",
    officer="denied",
    other_officer="denied",
    lead="denied",
    administrator="denied",
)
# The sample challenge was raised by the board member about the officer's action: only she
# accepts the answer or presses further; the officer (and leads) answer it.
RAISER_ONLY = BOARD_MEMBERS_ONLY


@dataclass(frozen=True)
class Rule:
    get: dict[str, str]
    post: dict[str, str]
    # URL kwargs from the `world` objects; None when the pattern takes none.
    kwargs: Any = None


def _action(world):
    return {"pk": world["action"].pk}


def _priority(world):
    return {"pk": world["action"].priority_id}


def _document_evidence(world):
    """A document given as evidence of the sample action, made the first time it is asked
    for (every test's world has an action; not every one needs a stored file)."""
    if "evidence" not in world:
        world["evidence"] = EvidenceFactory(
            action=world["action"],
            file=ContentFile(b"%PDF-1.4 test", name="evidence.pdf"),
            original_name="Audit report.pdf",
            content_type="application/pdf",
            size=13,
            added_by=world["action"].owner,
        )
    return {"pk": world["action"].pk, "evidence_pk": world["evidence"].pk}


def _inspection(world):
    return {"pk": world["inspection"].pk}


def _inspection_section(world):
    return {"pk": world["inspection"].pk, "section": "areas-for-improvement"}


def _fresh_inspection(world):
    """A new inspection for each request: removing one must not make the next role's 404."""
    return {"pk": InspectionFactory().pk}


def _indicator(world):
    return {"pk": world["indicator"].pk}


def _indicator_value(world):
    return {"pk": world["indicator"].pk, "value_pk": world["indicator_value"].pk}


def _fresh_indicator_value(world):
    """A new value for each request: deleting one must not make the next role's request 404."""
    value = IndicatorValueFactory(indicator=world["indicator"])
    return {"pk": world["indicator"].pk, "value_pk": value.pk}


def _risk(world):
    return {"pk": world["risk"].pk}


def _upload(kind):
    return lambda world: {"pk": world["uploads"][kind].pk}


def _meeting(world):
    return {"pk": world["meeting"].pk}


def _in_meeting(world):
    return {"meeting_pk": world["meeting"].pk}


def _challenge(world):
    return {"pk": world["challenge"].pk}


def _next_order(model, meeting) -> int:
    return (model.objects.filter(meeting=meeting).aggregate(n=Max("order"))["n"] or 0) + 1


def _fresh_agenda_item(world):
    """A new item for each request: deleting one must not make the next role's request 404."""
    meeting = world["meeting"]
    item = AgendaItemFactory(
        meeting=meeting, order=_next_order(AgendaItem, meeting), title="Any other business"
    )
    return {"pk": item.pk}


def _fresh_decision(world):
    meeting = world["meeting"]
    decision = DecisionFactory(meeting=meeting, order=_next_order(Decision, meeting), text="Noted.")
    return {"pk": decision.pk}


# One row per URL name. Apps added later add their rows here.
def _pack(world):
    return {"pk": world["boardpack"].pk}


RULES: dict[str, Rule] = {
    "dashboard": Rule(get=READ, post=NO_METHOD),
    "healthz": Rule(get=PUBLIC, post=dict.fromkeys(ROLES, "method")),
    # Signing in: signed-in people are sent on to the dashboard.
    "accounts:login": Rule(get=PUBLIC, post=PUBLIC),
    # Signing out takes POST only, and sends everyone to the sign-in page.
    "accounts:logout": Rule(get=NO_METHOD, post=dict.fromkeys(ROLES, "login")),
    # Single sign-on: public steps of signing in, missing while it is off (as here; the
    # journeys with it on are in tests/sso/).
    "accounts:sso_start": Rule(
        get=dict.fromkeys(ROLES, "missing"), post=dict.fromkeys(ROLES, "method")
    ),
    "accounts:sso_callback": Rule(
        get=dict.fromkeys(ROLES, "missing"), post=dict.fromkeys(ROLES, "method")
    ),
    "accounts:mfa_settings": Rule(get=READ, post=NO_METHOD),
    "accounts:mfa_setup": Rule(get=READ, post=READ),
    "accounts:mfa_verify": Rule(get=READ, post=READ),
    "accounts:password_change": Rule(get=READ, post=READ),
    "accounts:mfa_disable": Rule(
        get=NO_METHOD,
        post=roles(
            anonymous="login",
            board_member="ok",
            officer="ok",
            other_officer="ok",
            lead="denied",  # required for their role: cannot be turned off
            administrator="denied",
        ),
    ),
    "inspections:inspection_list": Rule(get=READ, post=NO_METHOD),
    "inspections:inspection_detail": Rule(get=READ, post=NO_METHOD, kwargs=_inspection),
    "inspections:inspection_document": Rule(get=READ, post=NO_METHOD, kwargs=_inspection),
    # Leads record inspections by hand, correct them and remove mistaken ones.
    "inspections:inspection_create": Rule(get=LEADS_ONLY, post=LEADS_ONLY),
    "inspections:inspection_update": Rule(get=LEADS_ONLY, post=LEADS_ONLY, kwargs=_inspection),
    "inspections:inspection_rows_update": Rule(
        get=LEADS_ONLY, post=LEADS_ONLY, kwargs=_inspection_section
    ),
    "inspections:inspection_delete": Rule(
        get=LEADS_ONLY, post=LEADS_ONLY, kwargs=_fresh_inspection
    ),
    "inspections:area_detail": Rule(
        get=READ, post=NO_METHOD, kwargs=lambda w: {"pk": w["area"].pk}
    ),
    "actions:action_list": Rule(get=READ, post=NO_METHOD),
    "actions:my_actions": Rule(get=READ, post=NO_METHOD),
    "actions:action_detail": Rule(get=READ, post=NO_METHOD, kwargs=_action),
    "actions:action_update": Rule(get=NO_METHOD, post=EDIT_OWN_ACTION, kwargs=_action),
    "actions:action_status": Rule(get=NO_METHOD, post=EDIT_OWN_ACTION, kwargs=_action),
    "actions:evidence_create": Rule(get=NO_METHOD, post=EDIT_OWN_ACTION, kwargs=_action),
    "actions:evidence_download": Rule(get=READ, post=NO_METHOD, kwargs=_document_evidence),
    # Running the plan: only leads add, change, cancel and renumber actions and manage
    # priorities; officers keep their updates (above), board members read.
    "actions:action_create": Rule(get=LEADS_ONLY, post=LEADS_ONLY),
    "actions:action_create_several": Rule(get=LEADS_ONLY, post=LEADS_ONLY),
    "actions:action_edit": Rule(get=LEADS_ONLY, post=LEADS_ONLY, kwargs=_action),
    "actions:action_cancel": Rule(get=LEADS_ONLY, post=LEADS_ONLY, kwargs=_action),
    "actions:priority_list": Rule(get=LEADS_ONLY, post=NO_METHOD),
    "actions:priority_create": Rule(get=LEADS_ONLY, post=LEADS_ONLY),
    "actions:priority_update": Rule(get=LEADS_ONLY, post=LEADS_ONLY, kwargs=_priority),
    "actions:priority_move": Rule(get=NO_METHOD, post=LEADS_ONLY, kwargs=_priority),
    "actions:priority_retire": Rule(get=LEADS_ONLY, post=LEADS_ONLY, kwargs=_priority),
    "actions:priority_renumber": Rule(get=LEADS_ONLY, post=LEADS_ONLY, kwargs=_priority),
    # Reminders: everyone sets their own; leads set them for everyone.
    "reminders:preference_edit": Rule(get=READ, post=READ),
    "reminders:settings_edit": Rule(get=LEADS_ONLY, post=LEADS_ONLY),
    # Indicators: leads define them; the owner (and leads) enter values.
    "kpis:indicator_list": Rule(get=READ, post=NO_METHOD),
    "kpis:indicator_create": Rule(get=LEADS_ONLY, post=LEADS_ONLY),
    "imports:indicator_import": Rule(get=OFFICERS_AND_LEADS, post=OFFICERS_AND_LEADS),
    "imports:indicator_import_template": Rule(get=READ, post=NO_METHOD),
    "kpis:indicator_detail": Rule(get=READ, post=NO_METHOD, kwargs=_indicator),
    "kpis:indicator_update": Rule(get=LEADS_ONLY, post=LEADS_ONLY, kwargs=_indicator),
    "kpis:indicator_value_create": Rule(get=EDIT_OWN, post=EDIT_OWN, kwargs=_indicator),
    "kpis:indicator_value_update": Rule(get=EDIT_OWN, post=EDIT_OWN, kwargs=_indicator_value),
    "kpis:indicator_value_delete": Rule(get=EDIT_OWN, post=EDIT_OWN, kwargs=_fresh_indicator_value),
    # Risks: leads add them; the owner (and leads) update them.
    "risks:risk_list": Rule(get=READ, post=NO_METHOD),
    "risks:risk_heat_map": Rule(get=READ, post=NO_METHOD),
    "risks:matrix_detail": Rule(get=READ, post=NO_METHOD),
    "risks:risk_create": Rule(get=LEADS_ONLY, post=LEADS_ONLY),
    "risks:risk_detail": Rule(get=READ, post=NO_METHOD, kwargs=_risk),
    "risks:risk_update": Rule(get=EDIT_OWN, post=EDIT_OWN, kwargs=_risk),
    # Imports are for leads; the export is for everyone.
    "imports:import_start": Rule(get=LEADS_ONLY, post=NO_METHOD),
    "imports:ofsted_upload": Rule(get=LEADS_ONLY, post=LEADS_ONLY),
    "imports:ofsted_review": Rule(
        get=UPLOADER_ONLY, post=UPLOADER_ONLY, kwargs=_upload(PendingUpload.Kind.OFSTED)
    ),
    # Drafts from several documents uploaded together: only the uploader sees them.
    "imports:ofsted_batch": Rule(
        get=UPLOADER_ONLY,
        post=NO_METHOD,
        kwargs=lambda world: {
            "batch": world["uploads"][PendingUpload.Kind.OFSTED].details["batch"]
        },
    ),
    "imports:action_plan_upload": Rule(get=LEADS_ONLY, post=LEADS_ONLY),
    "imports:action_plan_columns": Rule(
        get=UPLOADER_ONLY, post=UPLOADER_ONLY, kwargs=_upload(PendingUpload.Kind.ACTION_PLAN)
    ),
    "imports:action_plan_preview": Rule(
        get=UPLOADER_ONLY, post=UPLOADER_ONLY, kwargs=_upload(PendingUpload.Kind.ACTION_PLAN)
    ),
    # Cancelling someone else's upload does nothing and says nothing (the same redirect).
    "imports:upload_cancel": Rule(
        get=NO_METHOD, post=LEADS_ONLY, kwargs=_upload(PendingUpload.Kind.ACTION_PLAN)
    ),
    "imports:action_export": Rule(get=READ, post=NO_METHOD),
    "audit:history_export": Rule(get=LEADS_ONLY, post=NO_METHOD),
    # Board packs: everyone signed in lists, previews and downloads; leads generate, send
    # and retry.
    "boardpacks:boardpack_list": Rule(get=READ, post=NO_METHOD),
    "boardpacks:boardpack_create": Rule(get=NO_METHOD, post=LEADS_ONLY),
    "boardpacks:boardpack_detail": Rule(get=READ, post=NO_METHOD, kwargs=_pack),
    "boardpacks:boardpack_preview": Rule(get=READ, post=NO_METHOD, kwargs=_pack),
    "boardpacks:boardpack_download": Rule(get=READ, post=NO_METHOD, kwargs=_pack),
    "boardpacks:boardpack_send": Rule(get=NO_METHOD, post=LEADS_ONLY, kwargs=_pack),
    "boardpacks:boardpack_retry": Rule(get=NO_METHOD, post=LEADS_ONLY, kwargs=_pack),
    # The Improvement Board: everyone signed in reads; leads record meetings, their agenda,
    # decisions and minutes, and turn decisions into actions.
    "board:meeting_list": Rule(get=READ, post=NO_METHOD),
    "board:meeting_create": Rule(get=LEADS_ONLY, post=LEADS_ONLY),
    "board:meeting_detail": Rule(get=READ, post=NO_METHOD, kwargs=_meeting),
    "board:meeting_update": Rule(get=LEADS_ONLY, post=LEADS_ONLY, kwargs=_meeting),
    "board:meeting_minutes": Rule(get=READ, post=NO_METHOD, kwargs=_meeting),
    "board:agenda_item_create": Rule(get=LEADS_ONLY, post=LEADS_ONLY, kwargs=_in_meeting),
    "board:agenda_item_update": Rule(
        get=LEADS_ONLY, post=LEADS_ONLY, kwargs=lambda w: {"pk": w["agenda_item"].pk}
    ),
    "board:agenda_item_delete": Rule(get=NO_METHOD, post=LEADS_ONLY, kwargs=_fresh_agenda_item),
    "board:decision_create": Rule(get=LEADS_ONLY, post=LEADS_ONLY, kwargs=_in_meeting),
    "board:decision_update": Rule(
        get=LEADS_ONLY, post=LEADS_ONLY, kwargs=lambda w: {"pk": w["decision"].pk}
    ),
    "board:decision_delete": Rule(get=NO_METHOD, post=LEADS_ONLY, kwargs=_fresh_decision),
    "board:decision_make_action": Rule(
        get=LEADS_ONLY, post=LEADS_ONLY, kwargs=lambda w: {"pk": w["decision"].pk}
    ),
    # Challenges: board members raise them; the officer whose action it is (and leads)
    # answer; only the member who raised one accepts the answer or presses further.
    "board:challenge_list": Rule(get=READ, post=NO_METHOD),
    "board:challenge_pack": Rule(get=READ, post=NO_METHOD),
    "board:challenge_create": Rule(
        get=BOARD_MEMBERS_ONLY,
        post=BOARD_MEMBERS_ONLY,
        kwargs=lambda w: {"kind": "action", "pk": w["action"].pk},
    ),
    "board:challenge_detail": Rule(get=READ, post=NO_METHOD, kwargs=_challenge),
    "board:challenge_answer": Rule(get=NO_METHOD, post=EDIT_OWN_ACTION, kwargs=_challenge),
    "board:challenge_accept": Rule(get=NO_METHOD, post=RAISER_ONLY, kwargs=_challenge),
    "board:challenge_press": Rule(get=NO_METHOD, post=RAISER_ONLY, kwargs=_challenge),
    "board:challenge_reassign": Rule(get=NO_METHOD, post=LEADS_ONLY, kwargs=_challenge),
}

# The admin site: only staff (administrators) get past its sign-in; what they may then do
# depends on their model permissions, so for them any answer but "login" or an error will do.
ADMIN_STAFF_ONLY = roles(
    anonymous="login",
    board_member="login",
    officer="login",
    other_officer="login",
    lead="login",
    administrator="staff",
)
ADMIN_PUBLIC = {
    # The admin's sign-in page shows to everyone (non-staff are told they lack access).
    "admin:login": Rule(get=PUBLIC, post=PUBLIC),
    # Non-staff are sent to the admin index (and from there to its sign-in page).
    "admin:logout": Rule(
        get=roles(
            anonymous="login",
            board_member="ok",
            officer="ok",
            other_officer="ok",
            lead="ok",
            administrator="method",
        ),
        post=roles(
            anonymous="login",
            board_member="ok",
            officer="ok",
            other_officer="ok",
            lead="ok",
            administrator="login",
        ),
    ),
}


def rule_for(name: str) -> Rule | None:
    if name in RULES:
        return RULES[name]
    if name.startswith("admin:"):
        return ADMIN_PUBLIC.get(name, Rule(get=ADMIN_STAFF_ONLY, post=ADMIN_STAFF_ONLY))
    return None


# --- The URL conf, walked ---------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    name: str  # namespaced URL name, or "namespace:<route>" when the pattern has none
    route: str
    pattern: URLPattern


def all_routes() -> list[Route]:
    found = []

    def walk(patterns, prefix: str, namespace: str | None):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = ":".join(n for n in (namespace, pattern.namespace) if n) or None
                walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
            else:
                route = prefix + str(pattern.pattern)
                local = pattern.name or f"<{pattern.pattern}>"
                name = f"{namespace}:{local}" if namespace else local
                found.append(Route(name, route, pattern))

    walk(get_resolver().url_patterns, "", None)
    return found


ROUTES = all_routes()


def test_every_url_pattern_has_a_rule():
    missing = sorted({r.name for r in ROUTES if rule_for(r.name) is None})
    assert not missing, (
        "These URLs have no row in RULES (tests/security/test_authorisation_matrix.py): "
        f"{missing}. Add one saying who may GET and POST them."
    )


def test_rules_name_only_existing_urls():
    names = {r.name for r in ROUTES}
    stale = sorted(set(RULES) - names)
    assert not stale, f"RULES has rows for URLs that no longer exist: {stale}"


# --- Sample objects and URLs --------------------------------------------------------------


@pytest.fixture
def world(db, officer, other_officer, board_member, lead, administrator):
    inspection = InspectionFactory()
    inspection.source_document.save("letter.pdf", ContentFile(b"%PDF-1.4 test"), save=True)
    area = AreaForImprovementFactory(inspection=inspection)
    action = ActionFactory(owner=officer, accountable=UserFactory(role=Role.OFFICER))
    action.areas.set([area])
    objects = indicators_risks_and_uploads(officer=officer, lead=lead)
    objects |= board_objects(board_member=board_member, officer=officer, action=action)
    objects["boardpack"] = ready_board_pack()
    return {
        # Sessions are remembered per world. Not id(world): a later test's dict can
        # reuse a freed one's id while its sessions were rolled back with its database.
        "serial": next(_WORLD_SERIALS),
        "users": {
            "board_member": board_member,
            "officer": officer,
            "other_officer": other_officer,
            "lead": lead,
            "administrator": administrator,
        },
        "action": action,
        "inspection": inspection,
        "area": area,
    } | objects


def ready_board_pack():
    """A ready pack whose frozen data is a real (small) pack, so its preview renders."""
    from boardpacks.context import board_pack_context
    from tests.factories import BoardPackFactory

    today = timezone.localdate()
    data = board_pack_context(month=today.replace(day=1), meeting_date=today, as_of=today)
    return BoardPackFactory(ready=True, data=data)


def indicators_risks_and_uploads(*, officer, lead) -> dict:
    """The officer's indicator (with a value and a comparator), the officer's risk, and an
    Ofsted document and an action-plan sheet the lead uploaded but has not confirmed."""
    indicator = IndicatorFactory(owner=officer)
    comparator = ComparatorFactory()
    indicator_value = IndicatorValueFactory(indicator=indicator)
    risk = RiskFactory(owner=officer)
    sheet = xlsx_bytes([HEADINGS, ["A1", "Sample action"] + [""] * (len(HEADINGS) - 2)])
    uploads = {
        PendingUpload.Kind.OFSTED: PendingUploadFactory(
            kind=PendingUpload.Kind.OFSTED,
            uploaded_by=lead,
            filename="letter.pdf",
            file=ContentFile(b"%PDF-1.4 test", name="letter.pdf"),
            details=OfstedDraft(
                local_authority="Medway",
                inspection_type="ilacs_standard",
                start_date=dt.date(2024, 3, 4),
                end_date=dt.date(2024, 3, 15),
                areas_for_improvement=["Supervision of social workers."],
            ).as_json_dict()
            | {"batch": "5f0c1d2e-3a4b-4c5d-8e6f-7a8b9c0d1e2f", "batch_place": 1, "batch_size": 1},
        ),
        PendingUpload.Kind.ACTION_PLAN: PendingUploadFactory(
            kind=PendingUpload.Kind.ACTION_PLAN,
            uploaded_by=lead,
            filename="plan.xlsx",
            file=ContentFile(sheet, name="plan.xlsx"),
            details={"sheet": "Plan", "header_row": 0, "remembered": False},
        ),
    }
    return {
        "indicator": indicator,
        "indicator_value": indicator_value,
        "comparator": comparator,
        "risk": risk,
        "uploads": uploads,
    }


def _keep(obj) -> None:
    pass


def board_objects(*, board_member, officer, action, fill=_keep) -> dict:
    """A past board meeting with a minutes document, an agenda item about the action, a
    decision, and a challenge the board member raised about the officer's action, which
    the officer has answered. `fill` may change each object before it is first saved (the
    challenge's thread is append-only)."""
    today = timezone.localdate()
    meeting = Meeting(date=today - dt.timedelta(days=7), minutes="Minutes of the meeting.")
    fill(meeting)
    meeting.save()
    meeting.minutes_file.save("minutes.pdf", ContentFile(b"%PDF-1.4 minutes"), save=True)
    meeting.people.add(board_member, through_defaults={"status": "present"})
    agenda_item = AgendaItem(meeting=meeting, order=1, title="Supervision", notes="Good.")
    fill(agenda_item)
    agenda_item.save()
    agenda_item.actions.set([action])
    decision = Decision(meeting=meeting, order=1, text="Bring a plan.", action=action)
    fill(decision)
    decision.save()
    challenge = Challenge(
        action=action,
        question="Why is this late?",
        raised_by=board_member,
        meeting=meeting,
        assigned_to=officer,
        state=Challenge.State.ANSWERED,
        answer_due=today + dt.timedelta(days=14),
        answered_at=timezone.now(),
    )
    fill(challenge)
    challenge.save()
    answer = ChallengeMessage(
        challenge=challenge, author=officer, kind=ChallengeMessage.Kind.ANSWER, text="Staff."
    )
    fill(answer)
    answer.save()
    return {
        "meeting": meeting,
        "agenda_item": agenda_item,
        "decision": decision,
        "challenge": challenge,
        "challenge_message": answer,
    }


def _admin_models() -> dict[str, type]:
    """Admin URL name → model, from the admin's own registry."""
    names = {}
    for model in admin.site._registry:
        info = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        for suffix in ("changelist", "add", "change", "delete", "history"):
            names[f"{info}_{suffix}"] = model
        names[f"admin:auth_{model._meta.model_name}_password_change"] = model
    return names


ADMIN_MODELS = _admin_models()
ADMIN_PREFIXES = {
    f"admin:{m._meta.app_label}_{m._meta.model_name}_": m for m in admin.site._registry
}


def url_for(route: Route, world) -> str:
    rule = rule_for(route.name)
    if rule and rule.kwargs:
        return reverse(route.name, kwargs=rule.kwargs(world))
    converters = set(route.pattern.pattern.converters) | set(route.pattern.pattern.regex.groupindex)
    if not converters:
        if route.pattern.name:
            return reverse(route.name)
        return "/" + route.route
    if route.name.startswith("admin:"):
        return _admin_url(route, world)
    raise AssertionError(f"{route.name} takes {converters}: give its rule a kwargs function")


def _admin_url(route: Route, world) -> str:
    if route.name == "admin:app_list":
        return reverse(route.name, kwargs={"app_label": "actions"})
    if route.name == "admin:view_on_site":
        content_type = ContentType.objects.get_for_model(world["action"])
        return reverse(
            route.name,
            kwargs={"content_type_id": content_type.pk, "object_id": world["action"].pk},
        )
    if not route.pattern.name:  # the admin's catch-all and "object_id/" redirects
        return (
            "/admin/"
            + route.route.removeprefix("admin/").split("<")[0].split("(")[0].lstrip("^")
            + ("1/" if "object_id" in route.route else "no-such-page/")
        )
    model = ADMIN_MODELS.get(route.name) or next(
        (m for prefix, m in ADMIN_PREFIXES.items() if route.name.startswith(prefix)), None
    )
    assert model is not None, f"no model for {route.name}"
    obj = model._default_manager.order_by("pk").first()
    pk = obj.pk if obj is not None else 1
    kwargs = dict.fromkeys(route.pattern.pattern.converters, pk) or dict.fromkeys(
        route.pattern.pattern.regex.groupindex, pk
    )
    return reverse(route.name, kwargs=kwargs)


# --- Outcomes ---------------------------------------------------------------------------


def outcome(response) -> str:
    status = response.status_code
    if status >= 500:
        return f"error {status}"
    if status in (301, 302, 303, 307, 308):
        location = response.headers.get("Location", "")
        login_urls = (reverse("accounts:login"), reverse("admin:login"))
        if location.split("?")[0] in login_urls:
            return "login"
        return "ok"
    return {403: "denied", 405: "method", 404: "missing"}.get(
        status, "ok" if status < 400 or status in (400, 409, 422) else f"status {status}"
    )


# One Client per role for the whole module: building a Client's handler loads every
# middleware (WhiteNoise scans the static files), which costs more than the requests.
# A session is made once per test and role, and again after a sign-out.
_CLIENTS: dict[str, Client] = {}
_SIGNED_IN: set[tuple[int, str]] = set()
_WORLD_SERIALS = itertools.count()


def _client(role: str, world) -> Client:
    client = _CLIENTS.setdefault(role, Client())
    key = (world["serial"], role)
    if key in _SIGNED_IN:
        return client
    client.cookies.clear()
    if role != "anonymous":
        user = world["users"][role]
        client.force_login(user)
        if permissions.mfa_required(user):
            verify_mfa(client, user)
    _SIGNED_IN.add(key)
    return client


def _acceptable(expected: str, got: str) -> bool:
    if expected == "staff":
        return got in ("ok", "denied", "missing", "method")
    return got == expected


def _groups() -> dict[str, list[Route]]:
    """Each app URL is its own test; the admin's are grouped by model (its URLs for one
    model share a code path and the set-up is the expensive part)."""
    groups: dict[str, list[Route]] = {}
    for route in ROUTES:
        if route.name.startswith("admin:"):
            parts = route.route.split("/")
            key = (
                "admin:" + "/".join(parts[1:3])
                if len(parts) > 3 and "<" not in parts[1]
                else "admin:site"
            )
        else:
            key = route.name
        groups.setdefault(key, []).append(route)
    return groups


GROUPS = _groups()


@pytest.mark.django_db
@pytest.mark.parametrize("group", list(GROUPS))
def test_authorisation_matrix(group, world):
    failures = []
    for route in GROUPS[group]:
        failures += _check(route, world)
    assert not failures, "\n".join(failures)


def _check(route: Route, world) -> list[str]:
    rule = rule_for(route.name)
    assert rule is not None, f"{route.name} has no rule"
    failures = []
    for method, expected_by_role in (("GET", rule.get), ("POST", rule.post)):
        for role in ROLES:
            # Per request: a kwargs function may make a fresh object (a delete uses one up).
            url = url_for(route, world)
            client = _client(role, world)
            response = client.get(url) if method == "GET" else client.post(url, {})
            got = outcome(response)
            if method == "POST" and "logout" in route.name:
                _SIGNED_IN.discard((world["serial"], role))
            if not _acceptable(expected_by_role[role], got):
                failures.append(
                    f"{method} {url} ({route.name}) as {role}: "
                    f"expected {expected_by_role[role]}, got {got}"
                )
    return failures


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name",
    [
        "actions:action_update",
        "actions:action_status",
        "actions:evidence_create",
        "kpis:indicator_value_create",
        "risks:risk_update",
    ],
)
def test_changing_something_that_is_not_there_is_404(name, as_user, lead):
    """The permission check fetches the object first: a missing one is 404, not an error."""
    response = as_user(lead).post(reverse(name, kwargs={"pk": 999_999}), {})
    assert response.status_code == 404
