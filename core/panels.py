"""Panels: what an app higher up shows on a page of an app below it.

The board's challenges appear on an action's, an area's, an indicator's and a risk's page and
on "My actions", but actions, inspections, kpis and risks sit below the board and may not
import it (docs/architecture.md). So the higher app registers a panel source for the page,
by the page's URL name, in its `AppConfig.ready()`; the page's view asks `panels_for()` and
passes the panels to its template, which renders each with `{% render_panel panel %}`
(`{% load panels %}`). The source reads the data; the template tag only renders it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest


@dataclass(frozen=True)
class Panel:
    """A template and the plain data it shows."""

    template_name: str
    context: dict[str, Any] = field(default_factory=dict)


# source(request, target) -> a Panel, or None for nothing to show on this page
PanelSource = Callable[[HttpRequest, Any], Panel | None]

_sources: dict[str, list[PanelSource]] = defaultdict(list)


def register(page: str, source: PanelSource) -> None:
    """Show `source`'s panel on `page` (a URL name such as "actions:action_detail"), after
    any registered before it. Registering the same source twice shows it once."""
    if source not in _sources[page]:
        _sources[page].append(source)


def panels_for(page: str, *, request: HttpRequest, target: Any = None) -> list[Panel]:
    """The panels for one page, in the order they were registered; `target` is the object
    the page is about (an action, an area, ...), if any."""
    panels = (source(request, target) for source in _sources.get(page, ()))
    return [panel for panel in panels if panel is not None]
