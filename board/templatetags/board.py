"""The board's sections on other apps' pages (action, area, dashboard, My actions), and
permission filters. Templates ask accounts.permissions, never decide themselves."""

from django import template
from django.template.loader import render_to_string

from accounts import permissions
from board import selectors

register = template.Library()


@register.simple_tag(takes_context=True)
def board_section(context, target) -> str:
    """Challenges from the board and "Seen by the board" for an action or an area."""
    from board.views import board_section_context

    request = context["request"]
    return render_to_string(
        "board/includes/board_section.html",
        board_section_context(request, target),
        request=request,
    )


@register.simple_tag(takes_context=True)
def my_challenges(context) -> str:
    """On "My actions": challenges waiting for the user's answer or review."""
    request = context["request"]
    return render_to_string(
        "board/includes/my_challenges.html",
        {
            "to_answer": list(selectors.open_challenges_for(request.user)),
            "to_review": list(selectors.answers_to_review_for(request.user)),
        },
        request=request,
    )


@register.simple_tag(takes_context=True)
def board_dashboard_section(context) -> str:
    request = context["request"]
    return render_to_string(
        "board/includes/dashboard_section.html", selectors.board_dashboard(), request=request
    )


@register.filter
def can_answer_challenge(user, challenge) -> bool:
    return permissions.can_answer_challenge(user, challenge)


@register.filter
def can_close_challenge(user, challenge) -> bool:
    return permissions.can_close_challenge(user, challenge)


@register.filter
def can_manage_meetings(user) -> bool:
    return permissions.can_manage_meetings(user)


@register.filter
def is_overdue_on(challenge, day) -> bool:
    return challenge.is_overdue(day)
