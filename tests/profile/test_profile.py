"""Devices, chat links and preferences: each citizen reaches only their own."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from api.audit.models import AuditEvent
from api.audit.service import Origin
from api.kernel.database import db
from api.kernel.errors import ApiError
from api.profile.models import ChatIdentity, Device
from api.profile.service import account_for_chat, redeem_link_code
from tests.helpers.common import bearer, sign_in_phone

DEVICE = {
    "target": "fcm-token-aaaaaaaaaaaa",
    "target_type": "fcm_token",
    "platform": "android",
    "app_version": "1.2.0",
    "language": "vi",
}


@pytest.fixture
def two_citizens(client, app):
    a = sign_in_phone(client, app, "0912345678")
    b = sign_in_phone(client, app, "0987654321")
    return a, b


def test_register_device_and_move(client, two_citizens, app_ctx):
    a, b = two_citizens
    r = client.post("/api/v1/me/devices", json=DEVICE, headers=bearer(a))
    assert r.status_code == 200 and r.json["platform"] == "android"
    again = client.post("/api/v1/me/devices", json=DEVICE, headers=bearer(a))
    assert again.json["id"] == r.json["id"]
    moved = client.post("/api/v1/me/devices", json={**DEVICE, "platform": "ios"}, headers=bearer(b))
    assert moved.json["id"] == r.json["id"]
    assert client.get("/api/v1/me/devices", headers=bearer(a)).json["items"] == []
    assert [
        d["platform"] for d in client.get("/api/v1/me/devices", headers=bearer(b)).json["items"]
    ] == ["ios"]
    assert db.session.scalar(select(db.func.count()).select_from(Device)) == 1


def test_cannot_delete_another_citizens_device(client, two_citizens, app_ctx):
    a, b = two_citizens
    device = client.post("/api/v1/me/devices", json=DEVICE, headers=bearer(a)).json
    r = client.delete("/api/v1/me/devices", json={"id": device["id"]}, headers=bearer(b))
    assert r.status_code == 404 and r.json["error"] == "device_not_found"
    r = client.delete("/api/v1/me/devices", json={"target": DEVICE["target"]}, headers=bearer(b))
    assert r.status_code == 404
    assert db.session.scalar(select(db.func.count()).select_from(Device)) == 1
    assert (
        client.delete(
            "/api/v1/me/devices", json={"id": device["id"]}, headers=bearer(a)
        ).status_code
        == 204
    )


@pytest.mark.parametrize(
    "body, field",
    [
        ({**DEVICE, "target_type": "apns"}, "target_type"),
        ({**DEVICE, "platform": "nokia"}, "platform"),
        ({**DEVICE, "target": "short"}, "target"),
        ({**DEVICE, "target": "fcm-token-\x00\x07-aaaaaaaa"}, "target"),
        ({k: v for k, v in DEVICE.items() if k != "target"}, "target"),
    ],
)
def test_device_validation(client, two_citizens, body, field):
    r = client.post("/api/v1/me/devices", json=body, headers=bearer(two_citizens[0]))
    assert r.status_code == 422 and field in r.json["errors"]


def test_link_zalo_and_telegram_with_codes(client, app, two_citizens, app_ctx):
    a, _ = two_citizens
    code = client.post("/api/v1/me/chat-links/code", headers=bearer(a)).json
    assert len(code["code"]) == 8 and code["expires_in"] == 300
    identity = redeem_link_code(
        "zalo",
        "zalo-user-1",
        code["code"].lower()[:4] + "-" + code["code"][4:],
        Origin(channel="zalo"),
    )
    assert identity.channel == "zalo"
    with pytest.raises(ApiError) as used:
        redeem_link_code("telegram", "777", code["code"], Origin(channel="telegram"))
    assert used.value.slug == "link_code_invalid"
    code2 = client.post("/api/v1/me/chat-links/code", headers=bearer(a)).json["code"]
    redeem_link_code("telegram", "777", code2, Origin(channel="telegram"))
    links = client.get("/api/v1/me/chat-links", headers=bearer(a)).json["items"]
    assert sorted(x["channel"] for x in links) == ["telegram", "zalo"]
    assert account_for_chat("zalo", "zalo-user-1") is not None
    assert {"chat_linked"} <= set(db.session.scalars(select(AuditEvent.action)))


def test_one_identity_per_channel_per_person(client, app, two_citizens, app_ctx):
    a, b = two_citizens
    redeem_link_code(
        "zalo",
        "z-1",
        client.post("/api/v1/me/chat-links/code", headers=bearer(a)).json["code"],
        Origin(),
    )
    # Same person links a new Zalo account: the old link is replaced.
    redeem_link_code(
        "zalo",
        "z-2",
        client.post("/api/v1/me/chat-links/code", headers=bearer(a)).json["code"],
        Origin(),
    )
    # Another person proves the z-2 chat is theirs: it moves to them.
    redeem_link_code(
        "zalo",
        "z-2",
        client.post("/api/v1/me/chat-links/code", headers=bearer(b)).json["code"],
        Origin(),
    )
    rows = db.session.scalars(select(ChatIdentity)).all()
    assert [(r.external_id) for r in rows] == ["z-2"]
    assert client.get("/api/v1/me/chat-links", headers=bearer(a)).json["items"] == []


def test_link_code_attempts_limited(client, app, two_citizens, app_ctx):
    for _ in range(5):
        with pytest.raises(ApiError) as bad:
            redeem_link_code("telegram", "999", "WRONGCOD", Origin())
        assert bad.value.status == 400
    with pytest.raises(ApiError) as limited:
        redeem_link_code("telegram", "999", "WRONGCOD", Origin())
    assert limited.value.status == 429


def test_unlink_only_own(client, app, two_citizens, app_ctx):
    a, b = two_citizens
    redeem_link_code(
        "telegram",
        "123",
        client.post("/api/v1/me/chat-links/code", headers=bearer(a)).json["code"],
        Origin(),
    )
    db.session.commit()  # the test is the caller: it owns the unit of work
    assert client.delete("/api/v1/me/chat-links/telegram", headers=bearer(b)).status_code == 404
    assert client.delete("/api/v1/me/chat-links/telegram", headers=bearer(a)).status_code == 204
    assert client.delete("/api/v1/me/chat-links/telegram", headers=bearer(a)).status_code == 404
    assert client.delete("/api/v1/me/chat-links/viber", headers=bearer(a)).status_code == 404


def test_preferences_defaults_update_and_isolation(client, two_citizens):
    a, b = two_citizens
    default = client.get("/api/v1/me/notification-preferences", headers=bearer(a)).json
    assert default["channels"][0] == "app" and default["events"]["status_changed"] is True
    body = {
        "channels": ["zalo", "sms"],
        "events": {"officer_reply": False},
        "quiet_hours": {"start": "21:30", "end": "06:45"},
        "language": "en",
    }
    r = client.put("/api/v1/me/notification-preferences", json=body, headers=bearer(a))
    assert r.status_code == 200
    assert r.json["channels"] == ["zalo", "sms"] and r.json["events"]["officer_reply"] is False
    assert r.json["events"]["status_changed"] is True and r.json["quiet_hours"]["start"] == "21:30"
    assert client.get("/api/v1/me/notification-preferences", headers=bearer(b)).json == default


@pytest.mark.parametrize(
    "body, field",
    [
        ({"channels": []}, "channels"),
        ({"channels": ["sms", "sms"]}, "channels"),
        ({"channels": ["fax"]}, "channels"),
        ({"channels": ["sms"], "events": {"spam": True}}, "events"),
        ({"channels": ["sms"], "events": {"one_time_code": False}}, "events"),
        ({"channels": ["sms"], "quiet_hours": {"start": "25:00", "end": "07:00"}}, "quiet_hours"),
        ({"channels": ["sms"], "language": "fr"}, "language"),
    ],
)
def test_preferences_validation_changes_nothing(client, two_citizens, body, field):
    a, _ = two_citizens
    before = client.get("/api/v1/me/notification-preferences", headers=bearer(a)).json
    r = client.put("/api/v1/me/notification-preferences", json=body, headers=bearer(a))
    assert r.status_code == 422 and field in r.json["errors"]
    assert client.get("/api/v1/me/notification-preferences", headers=bearer(a)).json == before


def test_profile_routes_need_sign_in(client):
    for method, path in [
        ("get", "/api/v1/me/devices"),
        ("post", "/api/v1/me/chat-links/code"),
        ("get", "/api/v1/me/notification-preferences"),
    ]:
        assert getattr(client, method)(path).status_code == 401


def test_own_audit_trail(client, app, two_citizens):
    a, b = two_citizens
    mine = client.get("/api/v1/me/audit", headers=bearer(a)).json["items"]
    assert [e["action"] for e in mine] == ["sign_in"]


def test_absurd_ids_are_a_plain_4xx_never_a_database_error(client, app, two_citizens):
    """Numbers past what the database holds: 422 in a query, an unknown address in a path."""
    a, _ = two_citizens
    huge = 10**30
    r = client.get(f"/api/v1/me/audit?before_id={huge}", headers=bearer(a))
    assert r.status_code == 422 and list(r.json["errors"]) == ["before_id"]
    assert client.get(f"/api/v1/provinces/{huge}/communes").status_code == 404
    r = client.post(f"/api/v1/me/notifications/{huge}/read", headers=bearer(a))
    assert r.status_code == 404 and r.json["error"]
    r = client.delete("/api/v1/me/devices", json={"id": huge}, headers=bearer(a))
    assert r.status_code == 422


def test_link_code_carries_the_session_assurance(client, app):
    """A code made in a phone-only session links a chat that proves a phone, never VNeID."""
    from tests.helpers.common import sign_in_verified

    phone_session = sign_in_phone(client, app, "0912345678")
    verified = sign_in_verified(app, "001090123499")
    phone_code = client.post("/api/v1/me/chat-links/code", headers=bearer(phone_session)).json
    vneid_code = client.post("/api/v1/me/chat-links/code", headers=bearer(verified)).json
    with app.app_context():
        chat = redeem_link_code("zalo", "z-phone", phone_code["code"], Origin())
        assert chat.proven_assurance == "phone"
        chat = redeem_link_code("telegram", "t-vneid", vneid_code["code"], Origin())
        assert chat.proven_assurance == "vneid"
