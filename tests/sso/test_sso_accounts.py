"""Single sign-on: who gets in, as whom, with which roles; what refuses; and what stays
as it was without it (the demo signs in with passwords)."""

from __future__ import annotations

import re
import time

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from accounts import oidc
from accounts.models import Role, SsoIdentity, User
from tests.conftest import client_for
from tests.factories import UserFactory
from tests.smtp import free_port
from tests.sso.conftest import GROUP_ADMINS, GROUP_LEADS, GROUP_OFFICERS, ROLE_GROUPS, idp_person
from tests.sso.test_sso_journeys import no_violations, sign_in_at_provider, start_sign_in

pytestmark = pytest.mark.sso
ISSUER = "https://login.example/tenant/v2.0"


@pytest.fixture
def sso_settings(settings):
    """Single sign-on configured (no provider needed for what these tests call)."""
    settings.OIDC_ISSUER = ISSUER
    settings.OIDC_RP_CLIENT_ID = "improve"
    settings.OIDC_RP_CLIENT_SECRET = "secret"
    settings.OIDC_ROLE_GROUPS = ROLE_GROUPS
    settings.OIDC_CREATE_USERS = False
    oidc.forget_discovery()
    yield settings
    oidc.forget_discovery()


def claims(sub: str, *groups: str, **more) -> dict:
    return {"sub": sub, "email": f"{sub}@medway.example", "groups": list(groups), **more}


def role_names(user) -> set[str]:
    return set(User.objects.get(pk=user.pk).groups.values_list("name", flat=True))


# --- Matching and roles (the service) ---------------------------------------------------


@pytest.mark.django_db
def test_the_subject_finds_the_person_after_the_first_time_even_with_a_new_email(sso_settings):
    pat = UserFactory(username="pat", email="pat@medway.example")
    assert oidc.user_sign_in_with_sso(issuer=ISSUER, claims=claims("pat", GROUP_LEADS)) == pat
    changed = claims("pat", GROUP_LEADS, email="patricia.new@medway.example")
    assert oidc.user_sign_in_with_sso(issuer=ISSUER, claims=changed) == pat
    assert User.objects.get(pk=pat.pk).email == "patricia.new@medway.example"
    assert SsoIdentity.objects.get().subject == "pat"


@pytest.mark.django_db
def test_an_email_already_linked_to_another_subject_is_not_taken_over(sso_settings):
    UserFactory(username="pat", email="pat@medway.example")
    oidc.user_sign_in_with_sso(issuer=ISSUER, claims=claims("pat"))
    impostor = claims("someone-else", email="pat@medway.example")
    with pytest.raises(oidc.SignInRefused) as refused:
        oidc.user_sign_in_with_sso(issuer=ISSUER, claims=impostor)
    assert refused.value.reason == "unknown"


@pytest.mark.django_db
def test_two_accounts_with_the_same_email_are_refused_not_guessed(sso_settings):
    UserFactory(username="a", email="same@medway.example")
    UserFactory(username="b", email="SAME@medway.example")
    with pytest.raises(oidc.SignInRefused) as refused:
        oidc.user_sign_in_with_sso(issuer=ISSUER, claims=claims("x", email="same@medway.example"))
    assert refused.value.reason == "ambiguous"


@pytest.mark.django_db
def test_unknown_people_are_refused_unless_accounts_are_made_and_then_get_no_role(
    sso_settings,
):
    new = claims("n1", email="new@medway.example", given_name="Nia", family_name="Obi")
    with pytest.raises(oidc.SignInRefused):
        oidc.user_sign_in_with_sso(issuer=ISSUER, claims=new)
    assert not User.objects.filter(email="new@medway.example").exists()

    sso_settings.OIDC_CREATE_USERS = True
    sso_settings.OIDC_ROLE_GROUPS = {role: [] for role in ROLE_GROUPS}
    user = oidc.user_sign_in_with_sso(issuer=ISSUER, claims=new)
    assert (user.email, user.get_full_name()) == ("new@medway.example", "Nia Obi")
    assert not user.has_usable_password()
    assert role_names(user) == set()


@pytest.mark.django_db
def test_roles_follow_the_groups_and_superuser_or_staff_status_does_not_outlive_them(
    sso_settings,
):
    admin = UserFactory(
        username="root", email="root@medway.example", role=Role.ADMINISTRATOR, is_staff=True
    )
    User.objects.filter(pk=admin.pk).update(is_superuser=True)
    kept = Group.objects.create(name="Newsletter")  # not a role: left alone
    admin.groups.add(kept)

    oidc.user_sign_in_with_sso(issuer=ISSUER, claims=claims("root", GROUP_ADMINS, GROUP_LEADS))
    admin.refresh_from_db()
    assert role_names(admin) == {"Administrator", "Improvement lead", "Newsletter"}
    assert (admin.is_staff, admin.is_superuser) == (True, False)

    oidc.user_sign_in_with_sso(issuer=ISSUER, claims=claims("root", GROUP_OFFICERS))
    admin.refresh_from_db()
    assert role_names(admin) == {"Officer", "Newsletter"}
    assert admin.is_staff is False


@pytest.mark.django_db
def test_too_many_groups_to_list_refuses_rather_than_guessing_roles(sso_settings):
    lead = UserFactory(username="lead1", email="lead1@medway.example", role=Role.IMPROVEMENT_LEAD)
    overage = {"sub": "lead1", "email": "lead1@medway.example"}
    overage["_claim_names"] = {"groups": "src1"}
    with pytest.raises(oidc.SignInRefused) as refused:
        oidc.user_sign_in_with_sso(issuer=ISSUER, claims=overage)
    assert refused.value.reason == "too_many_groups"
    assert role_names(lead) == {"Improvement lead"}


@pytest.mark.django_db
def test_the_break_glass_administrator_is_never_linked_by_email(sso_settings):
    sso_settings.BREAK_GLASS_USERNAME = "emergency"
    UserFactory(username="emergency", email="it@medway.example", role=Role.ADMINISTRATOR)
    with pytest.raises(oidc.SignInRefused):
        oidc.user_sign_in_with_sso(issuer=ISSUER, claims=claims("x", email="it@medway.example"))


@pytest.mark.django_db
def test_a_switched_off_account_is_refused(sso_settings):
    UserFactory(username="gone", email="gone@medway.example", is_active=False)
    with pytest.raises(oidc.SignInRefused) as refused:
        oidc.user_sign_in_with_sso(issuer=ISSUER, claims=claims("gone"))
    assert refused.value.reason == "inactive"


# --- Roles of SSO people cannot be changed in Improve ------------------------------------


@pytest.mark.django_db
def test_the_admin_refuses_to_change_the_roles_of_someone_whose_groups_give_them(
    sso_settings, administrator
):
    pat = UserFactory(username="pat", email="pat@medway.example", role=Role.OFFICER)
    oidc.user_sign_in_with_sso(issuer=ISSUER, claims=claims("pat", GROUP_OFFICERS))
    client = client_for(administrator)
    url = f"/admin/accounts/user/{pat.pk}/change/"
    page = client.get(url).content.decode()
    assert "Change their groups there" in page
    assert 'name="groups"' not in page
    assert 'name="is_superuser"' not in page

    lead_group = Group.objects.get(name=Role.IMPROVEMENT_LEAD)
    response = client.post(
        url,
        {
            "username": "pat",
            "first_name": "Pat",
            "last_name": "Jones",
            "email": "pat@medway.example",
            "is_active": "on",
            "is_superuser": "on",
            "groups": [lead_group.pk],
            "job_title": "",
            "last_login_0": "",
            "last_login_1": "",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "09:00:00",
            "sso_identity-TOTAL_FORMS": "1",
            "sso_identity-INITIAL_FORMS": "1",
            "sso_identity-MIN_NUM_FORMS": "0",
            "sso_identity-MAX_NUM_FORMS": "1",
            "sso_identity-0-id": str(pat.sso_identity.pk),
            "sso_identity-0-user": str(pat.pk),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    pat.refresh_from_db()
    assert role_names(pat) == {"Officer"}
    assert not pat.is_superuser


@pytest.mark.django_db
def test_local_roles_stay_editable_for_password_users_and_when_no_groups_are_mapped(
    sso_settings, administrator
):
    pat = UserFactory(username="pat", email="pat@medway.example", role=Role.OFFICER)
    client = client_for(administrator)
    assert 'name="groups"' in client.get(f"/admin/accounts/user/{pat.pk}/change/").content.decode()

    sso_settings.OIDC_ROLE_GROUPS = {role: [] for role in ROLE_GROUPS}
    oidc.user_sign_in_with_sso(issuer=ISSUER, claims=claims("pat", GROUP_LEADS))
    assert role_names(pat) == {"Officer"}  # groups ignored: none are mapped
    assert 'name="groups"' in client.get(f"/admin/accounts/user/{pat.pk}/change/").content.decode()


# --- Passwords switched off --------------------------------------------------------------


@pytest.mark.django_db
def test_with_passwords_off_only_the_break_glass_administrator_signs_in_with_one(
    sso_settings, lead
):
    sso_settings.LOCAL_PASSWORDS = False
    sso_settings.BREAK_GLASS_USERNAME = "emergency"
    UserFactory(username="emergency", role=Role.ADMINISTRATOR, is_staff=True)
    client = Client()

    page = client.get("/accounts/login/").content.decode()
    assert "Sign in with your council account" in page
    assert "Emergency administrator sign-in" in page

    refused = client.post(
        "/accounts/login/", {"username": "lead", "password": "correct-horse-battery-staple"}
    )
    assert refused.status_code == 200
    assert "does not use passwords" in refused.content.decode()
    assert "_auth_user_id" not in client.session
    # The admin's own sign-in form refuses too.
    client.post("/admin/login/", {"username": "lead", "password": "correct-horse-battery-staple"})
    assert "_auth_user_id" not in client.session

    allowed = client.post(
        "/accounts/login/", {"username": "emergency", "password": "correct-horse-battery-staple"}
    )
    assert allowed.status_code == 302
    # The break-glass administrator still needs their authenticator app.
    assert allowed.headers["Location"].startswith("/")
    assert "/accounts/two-factor/" in client.get("/").headers["Location"]


@pytest.mark.django_db
def test_without_sso_the_sign_in_page_is_as_before(settings):
    assert settings.OIDC_ISSUER == ""  # the demo and the tests: passwords, no provider
    client = Client()
    page = client.get("/accounts/login/").content.decode()
    assert "Sign in with" not in page
    assert 'name="password"' in page
    assert client.get("/accounts/sso/start/").status_code == 404
    assert client.get("/accounts/sso/callback/?code=x&state=y").status_code == 404


# --- Failures that never reach the provider's pages ---------------------------------------


@pytest.mark.django_db
def test_an_unreachable_provider_shows_a_clear_page_not_an_error(sso_settings):
    sso_settings.OIDC_ISSUER = f"http://127.0.0.1:{free_port()}"
    sso_settings.OIDC_TIMEOUT = 2
    response = Client().get("/accounts/sso/start/")
    assert response.status_code == 503
    assert "Sign-in is not working at the moment" in response.content.decode()


@pytest.mark.django_db
def test_a_provider_gone_between_redirect_and_callback_shows_a_clear_page(sso_settings):
    closed = f"http://127.0.0.1:{free_port()}"
    # Discovery answered a moment ago; the token endpoint has gone since.
    oidc._discovery_cache[ISSUER] = (
        time.monotonic(),
        {
            "issuer": ISSUER,
            "authorization_endpoint": f"{closed}/auth",
            "token_endpoint": f"{closed}/token",
            "jwks_uri": f"{closed}/jwks",
        },
    )
    client = Client()
    session = client.session
    session["oidc_states"] = {"s1": {"nonce": "n1", "code_verifier": "v" * 64, "added_on": 0}}
    session.save()
    response = client.get("/accounts/sso/callback/?code=abc&state=s1")
    assert response.status_code == 503
    assert "Sign-in is not working at the moment" in response.content.decode()
    # The state is used up: the same answer again is refused as expired.
    again = client.get("/accounts/sso/callback/?code=abc&state=s1")
    assert again.status_code == 400


@pytest.mark.django_db
def test_a_provider_error_other_than_a_cancel_is_explained(sso_settings):
    response = Client().get("/accounts/sso/callback/?error=server_error&state=zzz")
    assert response.status_code == 502
    assert "reported a problem" in response.content.decode()


# --- Against the real provider, in Chromium ----------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_someone_unknown_is_refused_or_given_an_account_with_no_role(
    page, live_server, sso, idp_accounts, settings
):
    idp_accounts({"q9-newcomer": idp_person("q9-newcomer", [])})
    start_sign_in(page, live_server)
    sign_in_at_provider(page, sso, "q9-newcomer")
    assert page.get_by_role("heading", level=1).inner_text() == (
        "You do not have an account in Improve"
    )
    no_violations(page)
    assert not User.objects.filter(email="q9-newcomer@medway.example").exists()

    settings.OIDC_CREATE_USERS = True
    page.get_by_role("button", name="Go to the sign-in page").click()
    page.get_by_role("button", name="Sign in with your Medway account").click()
    page.wait_for_load_state()
    # The provider's session goes on: no password asked this time.
    assert re.search(r"/$", page.url)
    user = User.objects.get(email="q9-newcomer@medway.example")
    assert role_names(user) == set()
    assert page.get_by_role("heading", level=1).inner_text() == (
        "You do not have permission to do that"
    )


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_required_mfa_refuses_a_sign_in_whose_amr_shows_none(
    page, live_server, sso, idp_accounts, settings
):
    settings.OIDC_REQUIRE_MFA = True
    idp_accounts(
        {
            "p1-pwd": idp_person("p1-pwd", [GROUP_LEADS], amr=["pwd"]),
            "p2-mfa": idp_person("p2-mfa", [GROUP_LEADS], amr=["pwd", "mfa"]),
        }
    )
    UserFactory(username="p1", email="p1-pwd@medway.example")
    UserFactory(username="p2", email="p2-mfa@medway.example")
    start_sign_in(page, live_server)
    sign_in_at_provider(page, sso, "p1-pwd")
    assert page.get_by_role("heading", level=1).inner_text() == (
        "Sign in with two-factor authentication"
    )
    no_violations(page)

    page.context.clear_cookies()
    start_sign_in(page, live_server)
    sign_in_at_provider(page, sso, "p2-mfa")
    assert page.url == f"{live_server.url}/"
    assert role_names(User.objects.get(username="p2")) == {"Improvement lead"}
