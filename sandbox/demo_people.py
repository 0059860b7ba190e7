"""The people of the `make run` demo: who owns which demo dossier, a demo officer and a demo
community team member, and the short "try this" table the server prints.

The sandbox VNeID citizens are the applicants of some demo dossiers (by identity number and by
phone), so every journey can be tried: sign in by VNeID or by phone code, link a chat, write to
the officer, rate a finished dossier. A phone-only citizen (not in the VNeID sandbox) shows the
contact journey. Sandbox only: the passwords below are printed on purpose.
"""

from __future__ import annotations

from sandbox.oidc_provider import DEMO_CITIZENS

# A citizen known to the portal by phone only (no VNeID sandbox account).
PHONE_CITIZEN = {
    "personal_id": "036195000009",
    "name": "Phạm Thị Dung",
    "phone_number": "0900000009",
}
DEMO_UNIT = "Trung tâm Phục vụ hành chính công tỉnh"  # DonViXuLy of the people's dossiers
OFFICER = {"username": "canbo.demo", "password": "canbo-demo-2025", "name": "Cán bộ Demo"}
COMMUNITY = {"username": "congdong.demo", "password": "congdong-demo-2025", "name": "Tổ CNS Demo"}
# Demo dossier index → its applicant. The factory gives index i the target status i % 10 + 1:
# 3 → 4 processing, 4 → 5 supplement requested, 8 → 9 result ready, 9 → 10 returned.
OWNERS: dict[int, dict] = {
    3: DEMO_CITIZENS[0],
    9: DEMO_CITIZENS[0],
    4: DEMO_CITIZENS[1],
    19: DEMO_CITIZENS[1],
    13: DEMO_CITIZENS[2],
    29: DEMO_CITIZENS[2],
    23: PHONE_CITIZEN,
    39: PHONE_CITIZEN,
}


def assign_owners(simulator) -> None:  # noqa: ANN001 - sandbox.portal_simulator.PortalSimulator
    """Make the demo people the applicants of their dossiers, in the simulator itself, so pulls
    from the sandbox portal keep saying so."""
    codes = list(simulator.dossiers)
    for index, person in OWNERS.items():
        if index >= len(codes):
            continue
        record = simulator.dossiers[codes[index]]
        record.update(
            ChuHoSo=person["name"],
            SoGiayToChuHoSo=person["personal_id"],
            SoDienThoai=person["phone_number"],
            LoaiDoiTuong="1",
            TrichYeuHoSo=f"{record['TenTTHC']} - {person['name']}",
            DonViXuLy=DEMO_UNIT,
        )


def dossiers_of(simulator, person: dict) -> list[str]:  # noqa: ANN001
    codes = list(simulator.dossiers)
    return [codes[i] for i, p in OWNERS.items() if p is person and i < len(codes)]


def seed_staff() -> list[str]:
    """The demo officer (handling the people's dossiers) and community member, once."""
    from sqlalchemy import select

    from api.admin_units.models import Commune
    from api.audit.service import Origin
    from api.auth.models import Account
    from api.kernel.database import db
    from api.staff.service import create_staff

    made = []
    commune = db.session.scalar(select(Commune.code).order_by(Commune.code).limit(1))
    for person, role, scope in (
        (OFFICER, "officer", {"unit_code": DEMO_UNIT}),
        (COMMUNITY, "community", {"commune_code": commune}),
    ):
        if db.session.scalar(select(Account.id).where(Account.username == person["username"])):
            continue
        if role == "community" and commune is None:
            continue  # units not imported yet
        create_staff(
            username=person["username"],
            password=person["password"],
            role=role,
            full_name=person["name"],
            actor_id=None,
            origin=Origin(channel="demo"),
            **scope,
        )
        made.append(person["username"])
    return made


def try_lines(simulator, base: str) -> list[str]:  # noqa: ANN001
    """The short table `make run` prints: what to paste to see each journey."""
    an, binh = DEMO_CITIZENS[0], DEMO_CITIZENS[1]
    code = dossiers_of(simulator, an)[0]
    done = dossiers_of(simulator, an)[-1]
    return [
        "  Try this (sandbox data):",
        f"    look up     POST {base}/api/v1/dossiers/lookup",
        f'                {{"code": "{code}", "verify": "{an["phone_number"][-4:]}"}}',
        f"    VNeID       {an['name']} ({an['personal_id']}) owns {code} and {done} (finished: rate it)",
        f"    phone code  {binh['phone_number']} ({binh['name']}) or {PHONE_CITIZEN['phone_number']}"
        f" ({PHONE_CITIZEN['name']}): the code is printed here",
        f"    officer     POST {base}/api/v1/auth/staff/login"
        f' {{"username": "{OFFICER["username"]}", "password": "{OFFICER["password"]}"}}',
        f"    community   {COMMUNITY['username']} / {COMMUNITY['password']}",
        "    chat        make chat   (or the browser page above)",
    ]
