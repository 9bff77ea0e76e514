"""Who may do what: the one place that decides. Views and services call the functions;
templates ask the `Permissions` object at the end, which every page has as `permissions`.

Roles (groups created by a migration):
- Board member: reads everything and changes nothing in the plan; raises challenges and
  accepts or presses further on their own.
- Officer: updates status, progress and evidence of actions they own or are accountable for;
  enters values of the indicators they own; updates the risks they own.
- Improvement lead: manages the plan, inspections and any action, indicators and risks, and
  the board's meetings.
- Administrator: everything a lead can, plus people and settings.
A superuser counts as an administrator.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from typing import TYPE_CHECKING, Any

from django.conf import settings

from accounts.models import Role

if TYPE_CHECKING:
    from actions.models import Action
    from board.models import Challenge
    from kpis.models import Indicator
    from risks.models import Risk


def has_role(user, role: Role) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return role.value in user.roles


def is_administrator(user) -> bool:
    return has_role(user, Role.ADMINISTRATOR)


def is_lead(user) -> bool:
    """Improvement leads and administrators manage the plan and inspections."""
    return has_role(user, Role.IMPROVEMENT_LEAD) or is_administrator(user)


def is_officer(user) -> bool:
    return has_role(user, Role.OFFICER)


def can_view(user) -> bool:
    """Every signed-in person with a role may read everything."""
    return (
        user.is_authenticated
        and user.is_active
        and (user.is_superuser or bool(user.roles & set(Role.values)))
    )


def can_manage_plan(user) -> bool:
    """Create, delete and restructure actions and priorities."""
    return is_lead(user)


def can_manage_inspections(user) -> bool:
    return is_lead(user)


def can_import(user) -> bool:
    """Bring Ofsted documents and action-plan spreadsheets in."""
    return can_manage_inspections(user) and can_manage_plan(user)


def can_export_actions(user) -> bool:
    """Download the action plan as a spreadsheet."""
    return can_view(user)


def can_have_own_actions(user) -> bool:
    """Officers and leads lead actions or are accountable for them: "My actions" is theirs."""
    return is_officer(user) or is_lead(user)


def lands_on_own_actions(user) -> bool:
    """After signing in, an officer who is not a lead starts on their own actions."""
    return is_officer(user) and not is_lead(user)


def can_edit_action(user, action: Action) -> bool:
    """Update status, RAG, progress, due date and evidence of this action."""
    if is_lead(user):
        return True
    return is_officer(user) and user.pk in (action.owner_id, action.accountable_id)


def can_manage_reminders(user) -> bool:
    """Change the reminder settings for everyone and see the delivery log."""
    return is_lead(user)


def can_set_own_reminders(user) -> bool:
    """Choose how often your own reminders come, and pause them while on leave."""
    return can_view(user)


def can_manage_indicators(user) -> bool:
    """Create indicators, change their definitions and targets, and enter any value."""
    return is_lead(user)


def can_enter_indicator_values(user, indicator: Indicator) -> bool:
    """Add, correct or remove the values (own and comparators') of this indicator."""
    if is_lead(user):
        return True
    return is_officer(user) and user.pk == indicator.owner_id


def can_import_indicator_values(user) -> bool:
    """Open the CSV import. Each row is then checked with can_enter_indicator_values."""
    return is_lead(user) or is_officer(user)


def can_manage_risks(user) -> bool:
    """Add risks, change their owners and close them."""
    return is_lead(user)


def can_edit_risk(user, risk: Risk) -> bool:
    """Update this risk's description, controls, rating and review date."""
    if is_lead(user):
        return True
    return is_officer(user) and user.pk == risk.owner_id


def mfa_required(user) -> bool:
    """Improvement leads and administrators must use two-factor authentication."""
    return settings.MFA_REQUIRED and is_lead(user)


def can_export_history(user) -> bool:
    """Download the audit trail for a date range."""
    return is_lead(user)


# --- The Improvement Board (board app) -----------------------------------------------


def can_manage_meetings(user) -> bool:
    """Record meetings, their agenda, decisions and minutes."""
    return is_lead(user)


def can_raise_challenge(user) -> bool:
    """Board members put challenges and questions to officers. Raising one changes
    nothing in the plan."""
    return has_role(user, Role.BOARD_MEMBER)


def can_answer_challenge(user, challenge: Challenge) -> bool:
    """Leads answer any challenge; an officer answers one assigned to them, about an
    action they own or are accountable for, or about an indicator or risk they own."""
    if is_lead(user):
        return True
    if not is_officer(user):
        return False
    if user.pk == challenge.assigned_to_id:
        return True
    if action := challenge.action:
        return user.pk in (action.owner_id, action.accountable_id)
    if indicator := challenge.indicator:
        return user.pk == indicator.owner_id
    if risk := challenge.risk:
        return user.pk == risk.owner_id
    return False


def can_close_challenge(user, challenge: Challenge) -> bool:
    """Only the member who raised a challenge accepts the answer or presses further."""
    return user.pk == challenge.raised_by_id and can_raise_challenge(user)


def can_reassign_challenge(user) -> bool:
    return is_lead(user)


# --- Board packs (boardpacks app) ------------------------------------------------------


def can_view_board_packs(user) -> bool:
    """List past board packs, preview them and download their PDFs."""
    return can_view(user)


def can_generate_board_pack(user) -> bool:
    """Press "Generate now" (or try a failed pack again)."""
    return is_lead(user)


def can_send_board_pack(user) -> bool:
    """Email a ready pack to every board member."""
    return is_lead(user)


def can_reset_credentials(user, person) -> bool:
    """Reset someone's password or two-factor authentication (recovery, audited)."""
    return is_administrator(user)


# --- People (the admin) ------------------------------------------------------------------


def can_change_roles_of(target) -> bool:
    """Roles of someone who signs in through the council's identity provider follow their
    groups there (when groups are configured), so nobody changes them in Improve."""
    from accounts import oidc

    return not oidc.roles_managed_by_provider(target)


# --- What one person may do, for templates ----------------------------------------------


class ObjectCheck:
    """A question about one object: `check(user, obj)`. Python calls it,
    `permissions.can_edit_action(action)`; a template asks with `in`,
    `{% if action in permissions.can_edit_action %}` (templates cannot pass arguments)."""

    do_not_call_in_templates = True  # a template would call it without the object

    def __init__(self, check: Callable[[Any, Any], bool], user):
        self.check = check
        self.user = user

    def __call__(self, obj) -> bool:
        return bool(self.check(self.user, obj))

    def __contains__(self, obj) -> bool:
        return self(obj)


def _asks(check: Callable[[Any], bool]) -> cached_property:
    """A property answering `check(user)`, asked at most once a page."""
    answer = cached_property(lambda self: bool(check(self.user)))
    answer.__doc__ = check.__doc__
    return answer


def _asks_about(check: Callable[[Any, Any], bool]) -> property:
    answer = property(lambda self: ObjectCheck(check, self.user))
    answer.__doc__ = check.__doc__
    return answer


class Permissions:
    """What `user` may do, answered by the functions above under the same names. Every
    template has one as `permissions` (accounts.context_processors.permissions), and asks
    nothing else: `{% if permissions.can_manage_plan %}`,
    `{% if action in permissions.can_edit_action %}`."""

    def __init__(self, user):
        self.user = user

    is_lead = _asks(is_lead)
    can_view = _asks(can_view)
    can_manage_plan = _asks(can_manage_plan)
    can_manage_inspections = _asks(can_manage_inspections)
    can_import = _asks(can_import)
    can_export_actions = _asks(can_export_actions)
    can_have_own_actions = _asks(can_have_own_actions)
    can_edit_action = _asks_about(can_edit_action)
    can_manage_reminders = _asks(can_manage_reminders)
    can_set_own_reminders = _asks(can_set_own_reminders)
    can_manage_indicators = _asks(can_manage_indicators)
    can_enter_indicator_values = _asks_about(can_enter_indicator_values)
    can_import_indicator_values = _asks(can_import_indicator_values)
    can_manage_risks = _asks(can_manage_risks)
    can_edit_risk = _asks_about(can_edit_risk)
    can_export_history = _asks(can_export_history)
    can_manage_meetings = _asks(can_manage_meetings)
    can_raise_challenge = _asks(can_raise_challenge)
    can_answer_challenge = _asks_about(can_answer_challenge)
    can_close_challenge = _asks_about(can_close_challenge)
    can_reassign_challenge = _asks(can_reassign_challenge)
    can_view_board_packs = _asks(can_view_board_packs)
    can_generate_board_pack = _asks(can_generate_board_pack)
    can_send_board_pack = _asks(can_send_board_pack)
