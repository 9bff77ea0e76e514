"""Every GET view × every GET parameter it reads × extreme and malformed values: no 500.

Like the authorisation matrix (test_authorisation_matrix.py), the views come from the URL
conf, so a new view is covered the moment it is added. The parameters come from the views
themselves: each view is requested once while its `request.GET` records every name it
looks up (directly, or through a form bound to it); then it is requested again with each
of those parameters set to each value in VALUES, alone and all together. Any 5xx, or an
exception (also one raised while a streamed download is read), fails the view's test.

The admin's own views (Django's code, not ours) are left out.
"""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.core.handlers import wsgi
from django.http import QueryDict

from tests.security.test_authorisation_matrix import (
    ROLES,
    ROUTES,
    _client,
    rule_for,
    url_for,
    world,  # noqa: F401  (the fixture)
)

# Dates at the ends of what Python can hold, impossible and malformed ones, numbers at and
# past their limits, and text that is long, binary or hostile.
VALUES = [
    "0001-01-01",
    "9999-12-31",
    "2026-02-30",
    "31/12/9999",
    "-1",
    "0",
    "99999999999999999999999",
    "1e309",
    "NaN",
    "",
    "x" * 3000,
    "\x00",
    "%ff%fe",
    "' OR 1=1 --",
    "../../../etc/passwd",
    "<script>alert(1)</script>",
    "😀",
]


class RecordingQueryDict(QueryDict):
    """A QueryDict that remembers every name looked up in it."""

    seen: set[str] = set()

    def __getitem__(self, key):
        self.seen.add(key)
        return super().__getitem__(key)

    def get(self, key, default=None):
        self.seen.add(key)
        return super().get(key, default)

    def getlist(self, key, default=None):
        self.seen.add(key)
        return super().getlist(key, default)

    def __contains__(self, key):
        self.seen.add(key)
        return super().__contains__(key)


def _reader(route) -> str | None:
    """A role allowed to GET the view (the lead, else whoever is), or None."""
    rule = rule_for(route.name)
    if rule is None:
        return None
    allowed = [role for role in ROLES if rule.get.get(role) == "ok"]
    return "lead" if "lead" in allowed else (allowed[0] if allowed else None)


GET_ROUTES = [
    route for route in ROUTES if not route.name.startswith("admin:") and _reader(route) is not None
]


def _fetch(client, url: str) -> tuple[int, str]:
    """(status, problem): the body is read to the end, so a stream that breaks counts."""
    try:
        response = client.get(url)
        if response.streaming:
            b"".join(response.streaming_content)
        return response.status_code, ""
    except Exception as error:  # noqa: BLE001 (any exception is the finding)
        return 500, f"{type(error).__name__}: {error}"[:300]


PROBE = "probe"


def parameters_read(client, url: str, monkeypatch) -> list[str]:
    RecordingQueryDict.seen = set()
    with monkeypatch.context() as patch:
        patch.setattr(wsgi, "QueryDict", RecordingQueryDict)
        # Not empty, so a view that shows a blank form for no query reads its fields.
        client.get(f"{url}?{PROBE}=1")
    # Django's own look-ups are not the view's parameters.
    return sorted(RecordingQueryDict.seen - {PROBE, "next", "csrfmiddlewaretoken"})


def query_strings(names: list[str]) -> list[dict[str, str]]:
    queries = []
    for value in VALUES:
        queries.append(dict.fromkeys(names, value))
        if len(names) > 1:
            queries += [{name: value} for name in names]
    if len(names) > 1:  # a period from the first day there is to the last, and back
        lows = ["0001-01-01", "9999-12-31"]
        queries.append({n: lows[i % 2] for i, n in enumerate(names)})
        queries.append({n: lows[(i + 1) % 2] for i, n in enumerate(names)})
    return queries


def test_every_view_that_takes_get_is_covered():
    assert len(GET_ROUTES) > 40
    names = {route.name for route in GET_ROUTES}
    assert {"board:challenge_pack", "audit:history_export"} <= names


@pytest.mark.django_db
@pytest.mark.parametrize("route", GET_ROUTES, ids=[route.name for route in GET_ROUTES])
def test_extreme_get_parameters_never_cause_a_server_error(route, world, monkeypatch):  # noqa: F811
    client = _client(_reader(route), world)
    url = url_for(route, world)
    names = parameters_read(client, url, monkeypatch)
    failures = []
    queries = query_strings(names) if names else []
    print(f"\n{route.name}: {len(names)} parameter(s) {names}, {len(queries)} requests")
    for query in queries:
        target = f"{url}?{urlencode(query)}"
        status, problem = _fetch(client, target)
        if status >= 500:
            failures.append(f"GET {target[:200]} → {status} {problem}")
    assert not failures, "\n".join(failures[:10])


@pytest.mark.django_db
def test_the_parameters_of_a_view_are_found(world, monkeypatch):  # noqa: F811
    route = next(r for r in GET_ROUTES if r.name == "board:challenge_pack")
    client = _client("lead", world)
    assert {"since", "until"} <= set(parameters_read(client, url_for(route, world), monkeypatch))
    route = next(r for r in GET_ROUTES if r.name == "audit:history_export")
    found = parameters_read(client, url_for(route, world), monkeypatch)
    assert {"start", "end"} <= set(found)
