"""The board's section on the dashboard and a challenge's lateness. Templates ask the
`permissions` object what a person may do; the tags read nothing (the board's panels on
other apps' pages are in board/panels.py)."""

from django import template
from django.template.loader import render_to_string

register = template.Library()


@register.simple_tag(takes_context=True)
def board_dashboard_section(context, board: dict) -> str:
    """The dashboard's "Challenges from the board", from `board.selectors.board_dashboard()`
    (the view reads it)."""
    return render_to_string(
        "board/includes/dashboard_section.html", board, request=context.get("request")
    )


@register.filter
def is_overdue_on(challenge, day) -> bool:
    return challenge.is_overdue(day)
