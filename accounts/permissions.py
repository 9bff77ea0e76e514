"""Who may do what: the one place that decides. Views, templates and services ask here.

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

from typing import TYPE_CHECKING

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
    if challenge.action_id:
        return user.pk in (challenge.action.owner_id, challenge.action.accountable_id)
    if challenge.indicator_id:
        return user.pk == challenge.indicator.owner_id
    if challenge.risk_id:
        return user.pk == challenge.risk.owner_id
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
