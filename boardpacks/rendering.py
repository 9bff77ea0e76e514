"""Stage 2 of the board pack: plain data to HTML.

`render_html(data)` renders `templates/boardpacks/pack.html` from the frozen data alone (no
database), so a pack's preview, its PDF and any later re-render show exactly what was
gathered. Charts are drawn here from the same numbers, by `actions.charts`.

Sections are listed in `SECTIONS`, in the order they print. A section marked optional
appears (with its heading and contents entry) only when its key in the data is present and
not empty: that is how the KPI and risk register sections will arrive. To add one, write
`templates/boardpacks/sections/<key>.html` (it gets `section` and `pack`), add
`Section("<key>", "<Title>", optional=True)` below, and fill `data["<key>"]` in
`boardpacks.context`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.template.loader import render_to_string

from actions import charts
from actions.models import Rag


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    optional: bool = False

    @property
    def template(self) -> str:
        return f"boardpacks/sections/{self.key}.html"

    @property
    def anchor(self) -> str:
        return f"section-{self.key.replace('_', '-')}"


SECTIONS = [
    Section("headline", "Headline"),
    Section("changes", "What changed since the last pack"),
    Section("progress", "Progress by priority and by area for improvement"),
    Section("overdue", "Overdue and due before the next meeting"),
    Section("challenges", "Challenges from the board", optional=True),
    Section("kpis", "Performance indicators", optional=True),
    Section("risks", "Risk register", optional=True),
    Section("appendix", "Appendix: the full action plan"),
]


def sections_for(data: dict) -> list[Section]:
    return [s for s in SECTIONS if not s.optional or data.get(s.key)]


def render_html(data: dict, *, preview: dict | None = None) -> str:
    """The pack as one HTML document. `preview` (with `back_url` and `download_url`) adds
    the navigation bar of the browser version."""
    extra = {"preview": bool(preview)} | (preview or {})
    return render_to_string("boardpacks/pack.html", pack_view(data) | extra)


def pack_view(data: dict) -> dict:
    """What the template needs beyond the data: actions looked up by reference, charts,
    the numbered sections."""
    site = data.get("site_url", "")
    actions = {a["reference"]: a | {"url": site + a["path"]} for a in data["actions"]}
    priorities = data["priorities"]
    changes = data["changes"]
    plan = data["plan"]
    return {
        "pack": data,
        "sections": sections_for(data),
        "title": f"{data['board']} pack, {_month_label(data['month'])}",
        "month_label": _month_label(data["month"]),
        "actions": actions,
        "rag_chart": charts.rag_counts_chart(plan["rag_counts"], chart_id="chart-rag"),
        "priority_chart": charts.rag_by_priority_chart(
            [(f"{p['number']}. {p['title']}", p["rag_counts"]) for p in priorities],
            chart_id="chart-rag-priority",
        ),
        "priorities": [
            p | {"action_list": [actions[ref] for ref in p["actions"]]} for p in priorities
        ],
        "areas": [
            a | {"action_list": [actions[ref] for ref in a["actions"]]} for a in data["areas"]
        ],
        "areas_without_live_action": [a for a in data["areas"] if not a["live"]],
        "overdue": [actions[ref] for ref in data["overdue"]],
        "due_soon": [actions[ref] for ref in data["due_soon"]],
        "due_soon_caption": "Open actions due from {} to the next meeting on {}".format(
            _day_label(data["as_of"]), _day_label(data["next_meeting_date"])
        ),
        "changes": _changes_view(changes, actions),
        "rag_figures": [(rag, label, plan["rag_counts"].get(rag, 0)) for rag, label in Rag.choices],
    }


def _changes_view(changes: dict, actions: dict) -> dict:
    if not changes.get("since"):
        return {"since": None, "any": False}
    view = {
        "since": changes["since"],
        "newly_overdue": [actions[ref] for ref in changes["newly_overdue"]],
        "due_date_moves": _with_action(changes["due_date_moves"], actions),
        "rag_changes": [
            change
            | {"from_label": _rag_label(change["from"]), "to_label": _rag_label(change["to"])}
            for change in _with_action(changes["rag_changes"], actions)
        ],
        "completed": _with_action(changes["completed"], actions),
        "new_actions": [actions[ref] for ref in changes["new_actions"]],
        "removed_actions": changes.get("removed_actions", []),
    }
    view["any"] = any(view[key] for key in view if key != "since")
    return view


def _with_action(items: list[dict], actions: dict) -> list[dict]:
    return [item | {"action": actions[item["reference"]]} for item in items]


def _rag_label(rag: str | None) -> str:
    return Rag(rag).label if rag else "Not rated"


def _day_label(iso: str) -> str:
    day = dt.date.fromisoformat(iso)
    return f"{day.day} {day:%B %Y}"


def _month_label(iso: str) -> str:
    return dt.date.fromisoformat(iso).strftime("%B %Y")
