"""Panels: a higher app's data on a lower app's page, read by the view, rendered by the tag."""

from collections import defaultdict

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template import Context, Template
from django.test import RequestFactory

from core import panels
from core.panels import Panel, panels_for


@pytest.fixture
def registry(monkeypatch):
    """An empty registry for the test, so the board's real panels stay out of it."""
    monkeypatch.setattr(panels, "_sources", defaultdict(list))


@pytest.fixture
def request_():
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    return request


def test_a_page_gets_the_panels_registered_for_it_in_order(registry, request_):
    panels.register("app:page", lambda request, target: Panel("first.html", {"n": target}))
    panels.register("app:page", lambda request, target: Panel("second.html"))
    panels.register("app:other", lambda request, target: Panel("other.html"))

    found = panels_for("app:page", request=request_, target=7)

    assert found == [Panel("first.html", {"n": 7}), Panel("second.html")]


def test_a_source_with_nothing_to_show_adds_no_panel(registry, request_):
    panels.register("app:page", lambda request, target: None)

    assert panels_for("app:page", request=request_) == []


def test_a_page_nobody_registered_for_has_no_panels(registry, request_):
    assert panels_for("app:nothing", request=request_) == []
    assert "app:nothing" not in panels._sources  # asking does not register the page


def test_registering_a_source_twice_shows_it_once(registry, request_):
    def source(request, target):
        return Panel("once.html")

    panels.register("app:page", source)
    panels.register("app:page", source)

    assert panels_for("app:page", request=request_) == [Panel("once.html")]


@pytest.mark.django_db
def test_the_tag_renders_the_panel_it_is_given_and_reads_nothing(
    request_, django_assert_num_queries, tmp_path, settings
):
    (tmp_path / "panel.html").write_text("<p>{{ greeting }} {{ request.path }}</p>")
    settings.TEMPLATES = [
        settings.TEMPLATES[0] | {"DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}
    ]
    page = Template(
        "{% load panels %}{% for panel in panels %}{% render_panel panel %}{% endfor %}"
    )
    context = Context({"panels": [Panel("panel.html", {"greeting": "Hello"})], "request": request_})

    with django_assert_num_queries(0):
        html = page.render(context)

    assert html == "<p>Hello /</p>"
