"""A real OpenID Connect provider for the single sign-on tests: panva's oidc-provider (npm,
a certified implementation) run by tests/sso/provider.mjs on a free port, once per test
session, and stopped after it.

`sso` turns single sign-on on for one test, pointing Improve at that provider, with roles
mapped from its groups; `idp_accounts` changes the provider's people between sign-ins.
"""

from __future__ import annotations

import email.utils
import json
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from django.utils.csp import CSP

from accounts import oidc
from tests.smtp import free_port

BASE_DIR = Path(__file__).resolve().parent.parent.parent
CLIENT_ID = "improve"
CLIENT_SECRET = "test-only-client-secret-0123456789abcdef"
PASSWORD = "idp-password-1"

# Groups at the provider (as Entra ID gives them: object IDs) and the roles they give.
GROUP_LEADS = "5b1e0c1a-lead"
GROUP_OFFICERS = "0f9d2c77-officers"
GROUP_BOARD = "7a3c9e10-board"
GROUP_ADMINS = "c4e2b8d1-admins"
GROUP_UNRELATED = "99999999-canteen"
ROLE_GROUPS = {
    "Board member": [GROUP_BOARD],
    "Officer": [GROUP_OFFICERS],
    "Improvement lead": [GROUP_LEADS],
    "Administrator": [GROUP_ADMINS],
}


def idp_person(sub: str, groups: list[str], *, amr: list[str] | None = None, **claims) -> dict:
    given, family = claims.pop("given_name", sub.title()), claims.pop("family_name", "Tester")
    return {
        "password": PASSWORD,
        "email": claims.pop("email", f"{sub}@medway.example"),
        "name": f"{given} {family}",
        "given_name": given,
        "family_name": family,
        "groups": groups,
        "amr": amr or ["pwd", "mfa"],
        **claims,
    }


@dataclass
class Provider:
    issuer: str
    accounts_path: Path
    process: subprocess.Popen
    clock_skew: float  # seconds between its clock and ours

    def set_accounts(self, accounts: dict[str, dict]) -> None:
        self.accounts_path.write_text(json.dumps(accounts))


@pytest.fixture(scope="session")
def oidc_provider(live_server, tmp_path_factory):
    node = shutil.which("node")
    assert node, "Node.js is needed for the single sign-on tests (make install)"
    assert (BASE_DIR / "node_modules" / "oidc-provider").is_dir(), "run npm ci (make install)"
    folder = tmp_path_factory.mktemp("oidc-provider")
    accounts = folder / "accounts.json"
    accounts.write_text("{}")
    port = free_port()
    config = folder / "config.json"
    config.write_text(
        json.dumps(
            {
                "port": port,
                "accounts": str(accounts),
                "clients": [
                    {
                        "client_id": CLIENT_ID,
                        "client_secret": CLIENT_SECRET,
                        "client_name": "Improve",
                        "redirect_uris": [f"{live_server.url}/accounts/sso/callback/"],
                        "post_logout_redirect_uris": [f"{live_server.url}/accounts/login/"],
                        "token_endpoint_auth_method": "client_secret_post",
                        "grant_types": ["authorization_code"],
                        "response_types": ["code"],
                    }
                ],
            }
        )
    )
    log = (folder / "provider.log").open("w+")
    process = subprocess.Popen(
        [node, str(BASE_DIR / "tests" / "sso" / "provider.mjs"), str(config)],
        cwd=BASE_DIR,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    issuer = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        assert process.poll() is None, f"the OpenID provider stopped: {_read(log)}"
        try:
            response = requests.get(f"{issuer}/.well-known/openid-configuration", timeout=2)
            if response.ok:
                break
        except requests.ConnectionError:
            pass
        assert time.monotonic() < deadline, f"the OpenID provider did not start: {_read(log)}"
        time.sleep(0.2)
    # The provider runs on the machine's real clock; the suite's may be moved to another
    # day (IMPROVE_TODAY). Measure the difference so token times are checked against it.
    provider_time = email.utils.parsedate_to_datetime(response.headers["Date"]).timestamp()
    yield Provider(issuer, accounts, process, clock_skew=abs(provider_time - time.time()))
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    log.close()


def _read(log) -> str:
    log.flush()
    log.seek(0)
    return log.read()[-2000:]


@pytest.fixture
def sso(settings, oidc_provider):
    """Single sign-on on, with the test provider, for this test. Everyone at the provider
    has the default people (set again for each test)."""
    settings.OIDC_ISSUER = oidc_provider.issuer
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_ROLE_GROUPS = ROLE_GROUPS
    settings.OIDC_CREATE_USERS = False
    settings.OIDC_REQUIRE_MFA = False
    settings.SSO_PROVIDER_NAME = "your Medway account"
    # Two minutes, plus however far the suite's clock is from the provider's.
    settings.OIDC_CLOCK_SKEW_SECONDS = 120 + int(oidc_provider.clock_skew)
    settings.SECURE_CSP = {
        **settings.SECURE_CSP,
        "form-action": [CSP.SELF, oidc_provider.issuer],
    }
    oidc.forget_discovery()
    oidc_provider.set_accounts({})
    yield oidc_provider
    oidc.forget_discovery()


@pytest.fixture
def idp_accounts(sso):
    """Set the provider's people: idp_accounts({"sub": idp_person(...)})."""
    return sso.set_accounts
