"""People and a dossier for the assisted-use tests: a team in a commune, its member, an admin,
the resident (VNeID-verified, phone on record) owning a dossier, the handling officer."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from api.admin_units.models import Commune
from api.auth.models import ASSURANCE_VNEID, ROLE_CITIZEN, Account
from api.auth.tokens import start_session
from api.kernel.database import db
from tests.helpers.common import bearer, make_staff, sign_in_staff
from tests.helpers.dossiers import CODE, OWNER_ID, UNIT, hoso, push

RESIDENT_PHONE = "84912345987"


@dataclass
class World:
    commune: int
    other_commune: int
    team_id: str
    helper_id: str
    admin: dict
    helper: dict
    resident: dict
    officer: dict
    resident_account_id: int


def citizen(app, personal_id: str, name: str, phone: str | None, commune: int | None) -> dict:  # noqa: ANN001
    with app.app_context():
        account = Account(
            role=ROLE_CITIZEN,
            assurance=ASSURANCE_VNEID,
            personal_id=personal_id,
            full_name=name,
            phone=phone,
            commune_code=commune,
        )
        db.session.add(account)
        db.session.flush()
        tokens = start_session(account, ASSURANCE_VNEID).as_dict()
        db.session.commit()
    return bearer(tokens)


def account_id(app, personal_id: str) -> int:  # noqa: ANN001
    with app.app_context():
        return db.session.scalar(select(Account.id).where(Account.personal_id == personal_id))


def staff_id(app, username: str) -> str:  # noqa: ANN001
    with app.app_context():
        return db.session.scalar(select(Account.public_id).where(Account.username == username))


def build(client, app, status: int = 4) -> World:  # noqa: ANN001
    with app.app_context():
        first, second = db.session.scalars(select(Commune.code).order_by(Commune.code).limit(2))
    push(client, [hoso(status=status)])
    make_staff(app, "admin.a", "admin")
    make_staff(app, "helper.a", "community", commune_code=first)
    make_staff(app, "officer.a", "officer", unit_code=UNIT)
    admin = bearer(sign_in_staff(client, "admin.a"))
    team = client.post(
        "/api/v1/admin/assistance/teams",
        json={
            "commune_code": first,
            "village": "Thôn Đông",
            "decision_number": "123/QĐ-UBND",
            "decision_date": "2025-03-05",
        },
        headers=admin,
    )
    assert team.status_code == 201, team.json
    helper_id = staff_id(app, "helper.a")
    added = client.post(
        f"/api/v1/admin/assistance/teams/{team.json['id']}/members",
        json={"staff_id": helper_id},
        headers=admin,
    )
    assert added.status_code == 201, added.json
    resident = citizen(app, OWNER_ID, "Nguyễn Thị Hoa", RESIDENT_PHONE, first)
    return World(
        commune=first,
        other_commune=second,
        team_id=team.json["id"],
        helper_id=helper_id,
        admin=admin,
        helper=bearer(sign_in_staff(client, "helper.a")),
        resident=resident,
        officer=bearer(sign_in_staff(client, "officer.a")),
        resident_account_id=account_id(app, OWNER_ID),
    )


def ask(client, world: World, actions=("follow", "message"), **extra) -> dict:  # noqa: ANN001
    body = {"resident": {"personal_id": OWNER_ID}, "actions": list(actions), "hours": 2, **extra}
    r = client.post("/api/v1/assistance/sessions", json=body, headers=world.helper)
    assert r.status_code == 201, r.json
    return r.json


def start(client, app, world: World, actions=("follow", "message"), **extra) -> tuple[str, dict]:  # noqa: ANN001
    """A confirmed session and the acting headers for it."""
    grant = ask(client, world, actions, **extra)
    code = app.extensions["otp_sender"].codes[RESIDENT_PHONE]
    r = client.post(
        f"/api/v1/assistance/grants/{grant['id']}/confirm",
        json={"code": code},
        headers=world.helper,
    )
    assert r.status_code == 200 and r.json["state"] == "active", r.json
    return grant["id"], acting(client, world, grant["id"])


def acting(client, world: World, grant_id: str) -> dict:  # noqa: ANN001
    r = client.post(f"/api/v1/assistance/grants/{grant_id}/token", headers=world.helper)
    assert r.status_code == 200, r.json
    return bearer(r.json)


__all__ = ["CODE", "OWNER_ID", "World", "build"]
