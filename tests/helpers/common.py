"""Small helpers shared by tests: signing people in the way the app does."""

from __future__ import annotations

from api.audit.service import Origin
from api.kernel.database import db
from api.staff.service import create_staff

STAFF_PASSWORD = "correct horse 42"


def bearer(tokens: dict) -> dict:
    return {"Authorization": f"Bearer {tokens['access_token']}"}


def sign_in_phone(client, app, phone: str = "0912345678") -> dict:
    assert client.post("/api/v1/auth/otp", json={"phone": phone}).status_code == 200
    from api.kernel.phone import normalise_phone

    code = app.extensions["otp_sender"].codes[normalise_phone(phone)]
    response = client.post("/api/v1/auth/otp/verify", json={"phone": phone, "code": code})
    assert response.status_code == 200, response.json
    return response.json


def make_staff(app, username: str, role: str, **scope) -> None:
    with app.app_context():
        create_staff(
            username=username,
            password=STAFF_PASSWORD,
            role=role,
            full_name=username.title(),
            actor_id=None,
            origin=Origin(channel="test"),
            **scope,
        )
        db.session.commit()  # the helper is the caller: it owns the unit of work


def sign_in_staff(client, username: str) -> dict:
    response = client.post(
        "/api/v1/auth/staff/login", json={"username": username, "password": STAFF_PASSWORD}
    )
    assert response.status_code == 200, response.json
    return response.json


def sign_in_verified(app, personal_id: str, name: str = "Nguyễn Văn A") -> dict:
    """A citizen whose identity VNeID proved (the VNeID flow itself is tested on its own)."""
    from api.auth.models import ASSURANCE_VNEID, ROLE_CITIZEN, Account
    from api.auth.tokens import start_session
    from api.kernel.database import db

    with app.app_context():
        account = Account(
            role=ROLE_CITIZEN, assurance=ASSURANCE_VNEID, personal_id=personal_id, full_name=name
        )
        db.session.add(account)
        db.session.flush()
        tokens = start_session(account, ASSURANCE_VNEID).as_dict()
        db.session.commit()
    return tokens
