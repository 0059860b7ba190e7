"""The whole VNeID sign-in through our API against the local sandbox provider, over real HTTP."""

from __future__ import annotations

import dataclasses
from urllib.parse import parse_qs, urlparse

import pytest
import requests
from sqlalchemy import select

from api.auth.models import Account
from api.auth.vneid import VneidClient
from api.kernel.database import db
from sandbox.oidc_provider import DEMO_CITIZENS, create_provider, provider_of, serve
from tests.helpers import bearer, sign_in_phone

CLIENT_ID, SECRET = "dvc-test", "test-secret-0123456789"
REDIRECT = "http://127.0.0.1:9/api/v1/auth/vneid/callback"


@pytest.fixture
def vneid(app):
    provider = create_provider(
        "", {CLIENT_ID: {"secret": SECRET, "redirect_uris": [REDIRECT]}}, DEMO_CITIZENS
    )
    server, base_url = serve(provider)
    settings = dataclasses.replace(
        app.extensions["settings"],
        vneid_issuer=base_url,
        vneid_client_id=CLIENT_ID,
        vneid_client_secret=SECRET,
        vneid_redirect_uri=REDIRECT,
    )
    app.extensions["vneid_client"] = VneidClient(settings)
    yield provider_of(provider)
    app.extensions.pop("vneid_client", None)
    server.shutdown()


def authorize_and_approve(client, personal_id: str) -> tuple[str, str]:
    """What the app and the citizen do: open the URL, sign in, come back with code and state."""
    body = client.get("/api/v1/auth/vneid/authorize").json
    assert set(body) == {"url", "state"}
    answer = requests.get(
        body["url"] + f"&login_hint={personal_id}", allow_redirects=False, timeout=5
    )
    assert answer.status_code in (302, 303)
    params = parse_qs(urlparse(answer.headers["Location"]).query)
    assert params["state"] == [body["state"]]
    return params["code"][0], body["state"]


def test_vneid_sign_in_end_to_end(client, vneid, app_ctx):
    citizen = DEMO_CITIZENS[0]
    code, state = authorize_and_approve(client, citizen["personal_id"])
    r = client.post("/api/v1/auth/vneid/callback", json={"code": code, "state": state})
    assert r.status_code == 200, r.json
    assert set(r.json) == {"access_token", "refresh_token", "expires_in", "token_type"}
    me = client.get("/api/v1/me", headers=bearer(r.json)).json
    assert me["assurance"] == "vneid" and me["identity_verified"] is True
    assert me["personal_id_masked"] == "********" + citizen["personal_id"][-4:]
    account = db.session.scalar(select(Account))
    assert account.personal_id == citizen["personal_id"]
    # The state works once: a replayed callback is refused.
    again = client.post("/api/v1/auth/vneid/callback", json={"code": code, "state": state})
    assert again.status_code == 400 and again.json["error"] == "vneid_state_invalid"


def test_phone_account_upgraded_by_vneid(client, app, vneid, app_ctx):
    citizen = DEMO_CITIZENS[0]
    phone = citizen.get("phone_number") or citizen.get("phone")
    if not phone:
        pytest.skip("demo citizen has no phone")
    sign_in_phone(client, app, phone)
    code, state = authorize_and_approve(client, citizen["personal_id"])
    assert (
        client.post("/api/v1/auth/vneid/callback", json={"code": code, "state": state}).status_code
        == 200
    )
    accounts = db.session.scalars(select(Account)).all()
    assert len(accounts) == 1 and accounts[0].personal_id == citizen["personal_id"]


@pytest.mark.parametrize(
    "defect",
    ["tampered_signature", "expired", "wrong_audience", "wrong_nonce", "wrong_issuer", "alg_none"],
)
def test_bad_id_tokens_refused_through_the_api(client, vneid, app_ctx, defect):
    code, state = authorize_and_approve(client, DEMO_CITIZENS[1]["personal_id"])
    vneid.sabotage_next(defect)
    r = client.post("/api/v1/auth/vneid/callback", json={"code": code, "state": state})
    assert r.status_code == 401 and r.json["error"] == "vneid_token_invalid"
    assert defect not in r.get_data(as_text=True)  # which check failed is logged, not told
    assert db.session.scalar(select(Account)) is None


def test_unknown_state_refused(client, vneid):
    r = client.post(
        "/api/v1/auth/vneid/callback", json={"code": "abc", "state": "never-issued-state"}
    )
    assert r.status_code == 400 and r.json["error"] == "vneid_state_invalid"


def test_provider_down(client, vneid, app):
    vneid.fail_next_token(503)
    code, state = authorize_and_approve(client, DEMO_CITIZENS[2]["personal_id"])
    r = client.post("/api/v1/auth/vneid/callback", json={"code": code, "state": state})
    assert r.status_code == 502 and r.json["error"] == "vneid_unavailable"


def test_not_configured(client):
    r = client.get("/api/v1/auth/vneid/authorize")
    assert r.status_code == 503 and r.json["error"] == "vneid_not_configured"
