"""Rendering the panels a view was given (core.panels): the tag reads nothing itself."""

from django import template
from django.template.loader import render_to_string

from core.panels import Panel

register = template.Library()


@register.simple_tag(takes_context=True)
def render_panel(context, panel: Panel) -> str:
    return render_to_string(panel.template_name, panel.context, request=context.get("request"))
