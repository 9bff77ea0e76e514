"""Charts of the plan (actions by RAG rating, overall and by priority), drawn with the
generic bar charts of core.charts; each is a `Chart`, the picture with its numbers."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from core.charts import Chart, Series, bar_chart, stacked_bar_chart

RAG_SERIES = [
    Series("red", "Red", "red"),
    Series("amber", "Amber", "amber"),
    Series("green", "Green", "green"),
    Series("blue", "Complete", "blue"),
]


def rag_counts_chart(counts: Mapping[str, int], *, chart_id: str = "chart-rag") -> Chart:
    """How many actions are red, amber, green and complete."""
    bars = [(s.label, int(counts.get(s.key, 0)), s.colour) for s in RAG_SERIES]
    total = sum(value for _, value, _ in bars)
    title = "Actions by RAG rating"
    description = (
        f"{total} rated actions: "
        + ", ".join(f"{value} {label.lower()}" for label, value, _ in bars)
        + "."
    )
    return Chart(
        title=title,
        description=description,
        svg=bar_chart(title=title, description=description, bars=bars, chart_id=chart_id),
        columns=["RAG rating", "Actions"],
        rows=[(label, [value]) for label, value, _ in bars],
    )


def rag_by_priority_chart(
    rows: Sequence[tuple[str, Mapping[str, int]]], *, chart_id: str = "chart-rag-priority"
) -> Chart:
    """For each priority (label, {rag: count}), its actions split by RAG rating."""
    table = [(label, [int(counts.get(s.key, 0)) for s in RAG_SERIES]) for label, counts in rows]
    title = "RAG rating of actions by priority"
    description = " ".join(
        f"{label}: "
        + ", ".join(f"{n} {s.label.lower()}" for s, n in zip(RAG_SERIES, values, strict=True))
        + "."
        for label, values in table
    )
    return Chart(
        title=title,
        description=description,
        svg=stacked_bar_chart(
            title=title, description=description, series=RAG_SERIES, rows=table, chart_id=chart_id
        ),
        columns=["Priority"] + [s.label for s in RAG_SERIES] + ["Total"],
        rows=[(label, values + [sum(values)]) for label, values in table],
    )
