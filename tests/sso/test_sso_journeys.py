"""Single sign-on in real Chromium against a real OpenID provider (tests/sso/provider.mjs):
the whole redirect journey, roles from groups, a role lost between sign-ins, a tampered
answer, a cancelled sign-in and signing out of the provider too. Our pages are checked
with axe-core (WCAG 2.2 AA); the provider's test pages are not ours."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.contrib.sessions.backends.db import SessionStore

from accounts.models import Role, SsoIdentity, User
from tests.factories import UserFactory
from tests.sso.conftest import (
    GROUP_LEADS,
    GROUP_OFFICERS,
    GROUP_UNRELATED,
    PASSWORD,
    idp_person,
)

pytestmark = [pytest.mark.sso, pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def no_violations(page):
    from tests.conftest import axe_violations

    assert axe_violations(page) == [], page.url


def start_sign_in(page, live_server, path: str = "/"):
    page.goto(live_server.url + path)
    assert "/accounts/login/" in page.url
    no_violations(page)
    page.get_by_role("button", name="Sign in with your Medway account").click()
    page.wait_for_load_state()


def sign_in_at_provider(page, oidc_provider, username: str, password: str = PASSWORD):
    assert page.url.startswith(oidc_provider.issuer), page.url
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def sso_sign_in(page, live_server, oidc_provider, username: str, path: str = "/"):
    start_sign_in(page, live_server, path)
    sign_in_at_provider(page, oidc_provider, username)


def sign_out(page):
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()


def roles_of(user) -> set[str]:
    return set(User.objects.get(pk=user.pk).groups.values_list("name", flat=True))


def test_the_whole_journey_signs_in_with_the_providers_groups_and_no_local_code(
    page, live_server, sso, idp_accounts
):
    # Sam has an account already (by e-mail), with no role and no authenticator app.
    sam = UserFactory(username="sbrook", email="Sam.Brook@medway.example")
    idp_accounts(
        {
            "a1b2-sam": idp_person(
                "a1b2-sam",
                [GROUP_LEADS, GROUP_UNRELATED],
                email="sam.brook@medway.example",
                given_name="Samantha",
                family_name="Brook",
            )
        }
    )

    # A protected page sends Sam to sign in; the provider's page; back to that page.
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    start_sign_in(page, live_server, "/actions/")
    authorization = next(url for url in requests if url.startswith(f"{sso.issuer}/auth?"))
    asked = parse_qs(urlsplit(authorization).query)
    assert asked["response_type"] == ["code"]
    assert asked["code_challenge_method"] == ["S256"]  # PKCE
    assert len(asked["code_challenge"][0]) == 43
    assert asked["state"][0] and asked["nonce"][0]
    sign_in_at_provider(page, sso, "a1b2-sam")
    assert urlsplit(page.url).path == "/actions/"
    assert "/two-factor/" not in page.url  # the provider did the second factor
    page.get_by_role("heading", level=1).wait_for()
    no_violations(page)
    assert page.get_by_text("Samantha Brook").count() >= 1

    # Matched on e-mail the first time, and now linked to the provider's subject.
    identity = SsoIdentity.objects.get(user=sam)
    assert (identity.issuer, identity.subject) == (sso.issuer, "a1b2-sam")
    assert identity.last_sign_in is not None
    assert roles_of(sam) == {Role.IMPROVEMENT_LEAD.value}

    # A lead may bring documents in: the import page opens.
    response = page.goto(live_server.url + "/import/")
    assert response.status == 200

    # The two-factor page says the provider's second step stands.
    page.goto(live_server.url + "/accounts/two-factor/")
    page.get_by_text("You signed in with your Medway account, so its own second step").wait_for()
    no_violations(page)


def test_a_role_removed_at_the_provider_is_gone_at_the_next_sign_in(
    page, live_server, sso, idp_accounts
):
    person = idp_person("c3d4-ola", [GROUP_LEADS], email="ola@medway.example")
    idp_accounts({"c3d4-ola": person})
    ola = UserFactory(username="ola", email="ola@medway.example", role=Role.OFFICER)

    sso_sign_in(page, live_server, sso, "c3d4-ola")
    assert roles_of(ola) == {Role.IMPROVEMENT_LEAD.value}  # the local Officer role went too
    sign_out(page)
    page.get_by_role("button", name="Yes, sign me out").click()
    page.wait_for_load_state()

    # Taken out of the leads' group, put in the officers'.
    idp_accounts({"c3d4-ola": {**person, "groups": [GROUP_OFFICERS]}})
    sso_sign_in(page, live_server, sso, "c3d4-ola")
    assert roles_of(ola) == {Role.OFFICER.value}
    response = page.goto(live_server.url + "/import/")
    assert response.status == 403
    sign_out(page)
    page.get_by_role("button", name="Yes, sign me out").click()
    page.wait_for_load_state()

    # Out of every mapped group: no role at all, so nothing to see.
    idp_accounts({"c3d4-ola": {**person, "groups": [GROUP_UNRELATED]}})
    sso_sign_in(page, live_server, sso, "c3d4-ola")
    assert roles_of(ola) == set()
    assert page.get_by_role("heading", level=1).inner_text() == (
        "You do not have permission to do that"
    )
    no_violations(page)


def test_a_tampered_state_is_refused_with_a_clear_page(page, live_server, sso, idp_accounts):
    idp_accounts({"e5f6-kim": idp_person("e5f6-kim", [GROUP_LEADS])})
    UserFactory(username="kim", email="e5f6-kim@medway.example")

    # The request to the provider leaves with its state changed, so the answer comes back
    # with a state this browser's session never issued.
    page.goto(live_server.url + "/accounts/login/")
    start = page.request.get(live_server.url + "/accounts/sso/start/", max_redirects=0)
    parts = urlsplit(start.headers["location"])
    query = parse_qs(parts.query)
    query["state"] = ["tampered" + query["state"][0][8:]]
    page.goto(parts._replace(query=urlencode(query, doseq=True)).geturl())
    with page.expect_response(re.compile(r".*/accounts/sso/callback/.*")) as answer:
        sign_in_at_provider(page, sso, "e5f6-kim")
    assert answer.value.status == 400
    assert page.get_by_role("heading", level=1).inner_text() == "Your sign-in had expired"
    no_violations(page)
    assert not SsoIdentity.objects.exists()
    page.goto(live_server.url + "/")
    assert "/accounts/login/" in page.url  # not signed in


def test_a_changed_nonce_is_refused_with_a_clear_page(page, live_server, sso, idp_accounts):
    idp_accounts({"a7b8-lee": idp_person("a7b8-lee", [GROUP_OFFICERS])})
    UserFactory(username="lee", email="a7b8-lee@medway.example")
    start_sign_in(page, live_server)
    # While the person is at the provider, the nonce kept in their session changes.
    cookie = next(c for c in page.context.cookies() if c["name"] == "sessionid")
    session = SessionStore(session_key=cookie["value"])
    states = session["oidc_states"]
    for entry in states.values():
        entry["nonce"] = "not-the-nonce-sent"
    session["oidc_states"] = states
    session.save()

    with page.expect_response(re.compile(r".*/accounts/sso/callback/.*")) as answer:
        sign_in_at_provider(page, sso, "a7b8-lee")
    assert answer.value.status == 400
    assert page.get_by_role("heading", level=1).inner_text() == "We could not confirm who you are"
    no_violations(page)
    assert not SsoIdentity.objects.exists()


def test_cancelling_at_the_provider_shows_a_clear_page(page, live_server, sso, idp_accounts):
    idp_accounts({"c9d0-ana": idp_person("c9d0-ana", [GROUP_LEADS])})
    start_sign_in(page, live_server)
    with page.expect_response(re.compile(r".*/accounts/sso/callback/.*")) as answer:
        page.get_by_role("link", name="Cancel").click()
        page.wait_for_load_state()
    assert answer.value.status == 403
    assert "error=access_denied" in answer.value.url
    assert page.get_by_role("heading", level=1).inner_text() == "You did not finish signing in"
    no_violations(page)
    page.get_by_role("button", name="Go to the sign-in page").click()
    assert "/accounts/login/" in page.url


def test_signing_out_ends_the_providers_session_too(page, live_server, sso, idp_accounts):
    idp_accounts({"f1e2-raj": idp_person("f1e2-raj", [GROUP_OFFICERS])})
    UserFactory(username="raj", email="f1e2-raj@medway.example")
    sso_sign_in(page, live_server, sso, "f1e2-raj")
    assert urlsplit(page.url).path == "/"

    # Signing in again while the provider's session lasts needs no password there.
    page.context.clear_cookies(domain="localhost")
    start_sign_in(page, live_server)
    assert urlsplit(page.url).path == "/", page.url

    # Sign out: Improve's session ends, then the provider's (RP-initiated logout).
    with page.expect_request(re.compile(r".*/session/end\?.*")) as end_session:
        sign_out(page)
    query = parse_qs(urlsplit(end_session.value.url).query)
    assert query["client_id"] == ["improve"]
    assert query["id_token_hint"][0].count(".") == 2
    assert query["post_logout_redirect_uri"] == [f"{live_server.url}/accounts/login/"]
    page.get_by_role("button", name="Yes, sign me out").click()
    page.wait_for_load_state()
    assert urlsplit(page.url).path == "/accounts/login/"
    no_violations(page)

    # The provider asks for the password again: its session has ended.
    page.get_by_role("button", name="Sign in with your Medway account").click()
    page.wait_for_load_state()
    assert page.url.startswith(sso.issuer)
    page.get_by_label("Password").wait_for()
