"""The board's panels on other apps' pages (core.panels), registered in BoardConfig.ready():
challenges and "Seen by the board" on an action's, an area's, an indicator's and a risk's
page; challenges waiting for the user on "My actions"."""

from __future__ import annotations

from django.http import HttpRequest

from board import selectors
from board.views import board_section_context
from core import panels
from core.panels import Panel

TARGET_PAGES = (
    "actions:action_detail",
    "inspections:area_detail",
    "kpis:indicator_detail",
    "risks:risk_detail",
)


def board_section(request: HttpRequest, target) -> Panel:
    """Challenges from the board and "Seen by the board" for an action, area, indicator or
    risk."""
    return Panel("board/includes/board_section.html", board_section_context(request, target))


def my_challenges(request: HttpRequest, target=None) -> Panel:
    """Challenges waiting for the user's answer or review."""
    return Panel(
        "board/includes/my_challenges.html",
        {
            "to_answer": list(selectors.open_challenges_for(request.user)),
            "to_review": list(selectors.answers_to_review_for(request.user)),
        },
    )


def register() -> None:
    for page in TARGET_PAGES:
        panels.register(page, board_section)
    panels.register("actions:my_actions", my_challenges)
