"""Filters for templates rendered from a pack's frozen data, where dates are ISO strings."""

import datetime as dt

from django import template
from django.utils import timezone
from django.utils.dateformat import format as date_format

register = template.Library()


@register.filter
def pack_date(value: str | None, fmt: str = "j F Y") -> str:
    """Format an ISO date (or date-time) string: `{{ action.due_date|pack_date }}`. The pack
    writes every day one way, "8 December 2026" (the default); months as "December 2026"."""
    if not value:
        return ""
    try:
        parsed = dt.datetime.fromisoformat(value) if "T" in value else dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        return str(value)
    if isinstance(parsed, dt.datetime) and timezone.is_aware(parsed):
        parsed = timezone.localtime(parsed)
    return date_format(parsed, fmt)


@register.filter
def grade_label(value, labels: dict) -> str:
    """`{{ grade|grade_label:pack.judgements.grade_labels }}`."""
    return labels.get(str(value), "") if value else ""
