"""Phone one-time code sign-in, refresh rotation and reuse detection, logout."""

from __future__ import annotations

import jwt
import pytest
from sqlalchemy import func, select

from api.audit.models import AuditEvent
from api.auth.models import Account, OtpChallenge
from api.kernel.database import db
from tests.helpers.common import bearer, sign_in_phone


@pytest.mark.parametrize("raw", ["0912345678", "+84912345678", "84912345678", "091 234 5678"])
def test_phone_forms_normalised(client, app, raw):
    tokens = sign_in_phone(client, app, raw)
    me = client.get("/api/v1/me", headers=bearer(tokens)).json
    assert me["phone"] == "84912345678"
    assert me["assurance"] == "phone" and me["identity_verified"] is False


@pytest.mark.parametrize("raw", ["12345", "0212345678", "+1 202 555 0100", "09123456789", "abc"])
def test_bad_phone_rejected_clearly(client, app, raw):
    sender = app.extensions["otp_sender"]
    sent_before = list(sender.sent)
    response = client.post("/api/v1/auth/otp", json={"phone": raw})
    assert response.status_code == 422
    assert response.json["error"] in ("phone_invalid", "validation_failed")
    assert "phone" in response.json["errors"]
    # Nothing was sent and nothing was stored. (The earlier check compared the raw input with the
    # normalised numbers the sender records, so it held even when a code went out.)
    assert sender.sent == sent_before
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(OtpChallenge)) == 0


def test_sign_in_answer_shape(client, app):
    tokens = sign_in_phone(client, app)
    assert set(tokens) == {"access_token", "refresh_token", "expires_in", "token_type"}
    assert tokens["token_type"] == "Bearer" and 600 <= tokens["expires_in"] <= 1200
    claims = jwt.decode(tokens["access_token"], options={"verify_signature": False})
    assert claims["aal"] == "phone" and claims["role"] == "citizen"


def test_code_is_stored_hashed(client, app, app_ctx):
    client.post("/api/v1/auth/otp", json={"phone": "0912345678"})
    code = app.extensions["otp_sender"].codes["84912345678"]
    challenge = db.session.scalar(select(OtpChallenge))
    assert code not in challenge.code_hash


def test_wrong_codes_burn_the_code_not_the_phone(client, app):
    """Five wrong guesses burn the pending code; the phone is never locked (a stranger could
    otherwise lock anyone out), so a new code works at once."""
    client.post("/api/v1/auth/otp", json={"phone": "0912345678"})
    real = app.extensions["otp_sender"].codes["84912345678"]
    wrong = "000000" if real != "000000" else "111111"
    for _ in range(5):
        r = client.post("/api/v1/auth/otp/verify", json={"phone": "0912345678", "code": wrong})
        assert r.status_code == 401 and r.json["error"] == "otp_invalid"
    # The code is burned: even the right one is refused now.
    r = client.post("/api/v1/auth/otp/verify", json={"phone": "0912345678", "code": real})
    assert r.status_code == 401 and r.json["error"] == "otp_invalid"
    assert client.post("/api/v1/auth/otp", json={"phone": "0912345678"}).status_code == 200
    fresh = app.extensions["otp_sender"].codes["84912345678"]
    r = client.post("/api/v1/auth/otp/verify", json={"phone": "0912345678", "code": fresh})
    assert r.status_code == 200


def test_code_works_once(client, app):
    client.post("/api/v1/auth/otp", json={"phone": "0987654321"})
    code = app.extensions["otp_sender"].codes["84987654321"]
    assert (
        client.post(
            "/api/v1/auth/otp/verify", json={"phone": "0987654321", "code": code}
        ).status_code
        == 200
    )
    assert (
        client.post(
            "/api/v1/auth/otp/verify", json={"phone": "0987654321", "code": code}
        ).status_code
        == 401
    )


def test_code_requests_limited_per_phone(client):
    for _ in range(3):
        assert client.post("/api/v1/auth/otp", json={"phone": "0911111111"}).status_code == 200
    r = client.post("/api/v1/auth/otp", json={"phone": "0911111111"})
    assert r.status_code == 429 and "Retry-After" in r.headers
    assert r.json["message"].startswith("Bạn đã thử quá nhiều lần")


def test_refresh_rotates_and_reuse_revokes_family(client, app, app_ctx):
    tokens = sign_in_phone(client, app)
    first = client.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert first.status_code == 200
    rotated = first.json
    assert rotated["refresh_token"] != tokens["refresh_token"]
    assert client.get("/api/v1/me", headers=bearer(rotated)).status_code == 200
    # The old token again: theft assumed, the whole session ends.
    reuse = client.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert reuse.status_code == 401 and reuse.json["error"] == "refresh_invalid"
    assert (
        client.post(
            "/api/v1/auth/refresh", json={"refresh_token": rotated["refresh_token"]}
        ).status_code
        == 401
    )
    assert client.get("/api/v1/me", headers=bearer(rotated)).status_code == 401
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"sign_in", "refresh_reuse_revoked"} <= actions


def test_unknown_refresh_token(client):
    r = client.post("/api/v1/auth/refresh", json={"refresh_token": "x" * 43})
    assert r.status_code == 401


def test_logout_and_logout_everywhere(client, app):
    phone_a = sign_in_phone(client, app)
    client.application.extensions["redis"].flushdb()  # a second code within the limits
    phone_b = sign_in_phone(client, app)
    r = client.post("/api/v1/auth/logout", json={}, headers=bearer(phone_a))
    assert r.status_code == 200 and r.json["sessions_ended"] == 1
    assert client.get("/api/v1/me", headers=bearer(phone_a)).status_code == 401
    assert client.get("/api/v1/me", headers=bearer(phone_b)).status_code == 200
    client.post("/api/v1/auth/logout", json={"everywhere": True}, headers=bearer(phone_b))
    assert client.get("/api/v1/me", headers=bearer(phone_b)).status_code == 401
    assert (
        client.post(
            "/api/v1/auth/refresh", json={"refresh_token": phone_b["refresh_token"]}
        ).status_code
        == 401
    )


@pytest.mark.parametrize(
    "header",
    [
        None,
        "Bearer",
        "Bearer not-a-jwt",
        "Basic abc",
        "Bearer "
        + jwt.encode(
            {"sub": "x", "sid": "y", "exp": 9999999999, "iat": 1, "iss": "dvc-connect"},
            "wrong-key",
            algorithm="HS256",
        ),
    ],
)
def test_protected_route_refuses_bad_tokens(client, header):
    headers = {"Authorization": header} if header else {}
    r = client.get("/api/v1/me", headers=headers)
    assert r.status_code == 401
    assert r.headers["WWW-Authenticate"] == "Bearer"
    assert r.json["error"] in ("unauthorized", "token_invalid")


def test_logs_mask_phone(client, app, caplog):
    """The logging sender (used without an SMS gateway) logs the phone masked, never the code."""
    from api.auth.otp import LoggingOtpSender
    from api.kernel.logs import JsonFormatter

    capturing = app.extensions["otp_sender"]
    app.extensions["otp_sender"] = LoggingOtpSender()
    try:
        with caplog.at_level("INFO"):
            client.post("/api/v1/auth/otp", json={"phone": "0912345678"})
    finally:
        app.extensions["otp_sender"] = capturing
    lines = [JsonFormatter().format(r) for r in caplog.records if r.getMessage() == "otp_sent"]
    assert len(lines) == 1 and '"phone": "********678"' in lines[0]
    assert "912345678" not in "\n".join(JsonFormatter().format(r) for r in caplog.records)
    assert "sandbox_code" not in lines[0]


def test_account_created_once(client, app, app_ctx):
    sign_in_phone(client, app)
    client.application.extensions["redis"].flushdb()
    sign_in_phone(client, app)
    assert len(db.session.scalars(select(Account)).all()) == 1
