"""Templates ask accounts.permissions, never decide themselves."""

from django import template

from accounts import permissions

register = template.Library()


@register.filter
def can_edit_action(user, action) -> bool:
    return permissions.can_edit_action(user, action)


@register.filter
def can_manage_plan(user) -> bool:
    return permissions.can_manage_plan(user)


@register.filter
def is_lead(user) -> bool:
    return permissions.is_lead(user)


@register.filter
def may(user, what: str) -> bool:
    """{% if user|may:"import" %} asks permissions.can_import(user)."""
    check = getattr(permissions, f"can_{what}", None)
    if check is None:
        raise template.TemplateSyntaxError(f"accounts.permissions has no can_{what}")
    return bool(check(user))
