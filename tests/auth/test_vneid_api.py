"""The whole VNeID sign-in through our API against the local sandbox provider, over real HTTP."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from api.auth.models import Account
from api.kernel.database import db
from sandbox.oidc_provider import DEMO_CITIZENS
from tests.helpers.common import bearer, sign_in_phone
from tests.helpers.vneid import authorize_and_approve


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
