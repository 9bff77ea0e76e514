"""core.http.safe_next: `next` only ever leads somewhere on this site."""

import pytest
from django.test import RequestFactory

from core.http import safe_next

rf = RequestFactory()


@pytest.mark.parametrize(
    "target",
    [
        "/actions/12/",
        "/board/challenges/?status=open#c3",
        "http://testserver/actions/",
    ],
)
def test_a_path_or_url_on_this_site_is_kept(target):
    assert safe_next(rf.get("/", {"next": target}), "/") == target
    assert safe_next(rf.post("/", {"next": target}), "/") == target


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/actions/",
        "///evil.example/",
        "/\\evil.example/",
        "\\\\evil.example",
        "https:evil.example",
        "javascript:alert(1)",
        "http://testserver.evil.example/",
        "",
    ],
)
def test_another_site_or_no_next_falls_back(target):
    assert safe_next(rf.get("/", {"next": target}), "/dashboard/") == "/dashboard/"
    assert safe_next(rf.post("/", {"next": target}), "/dashboard/") == "/dashboard/"


def test_without_next_the_fallback_may_be_a_url_name():
    assert safe_next(rf.get("/"), "actions:action_list") == "/actions/"


def test_the_form_field_wins_over_the_query_string():
    request = rf.post("/?next=/board/", {"next": "/actions/"})
    assert safe_next(request, "/") == "/actions/"


def test_on_https_a_plain_http_url_is_refused():
    request = rf.get("/", {"next": "http://testserver/actions/"}, secure=True)
    assert safe_next(request, "/") == "/"
    secure = rf.get("/", {"next": "https://testserver/actions/"}, secure=True)
    assert safe_next(secure, "/") == "https://testserver/actions/"
