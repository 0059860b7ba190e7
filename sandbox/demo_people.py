"""Every person of the `make run` demo, in one place: who owns which demo dossier, the demo
officer and community member (`canbo.demo`, `congdong.demo`), the community team helper
(`tocongnghe.demo`) and a resident beside them, the console's staff of Tân Hòa and Vĩnh Long
(`*.tanhoa`, `quantri.vinhlong`, `hoidap.tinh`) with their units and team, and the short
"try this" table the server prints.

The sandbox VNeID citizens are the applicants of some demo dossiers (by identity number and by
phone), so every journey can be tried: sign in by VNeID or by phone code, link a chat, write to
the officer, rate a finished dossier. A phone-only citizen (not in the VNeID sandbox) shows the
contact journey. Sandbox only: the passwords below are printed on purpose (`flask staff
seed-demo` refuses to run without SANDBOX=1).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from api.admin_units.models import Commune
from api.assistance.models import Team, TeamMember
from api.audit.service import Origin
from api.auth.models import (
    ASSURANCE_PASSWORD,
    ASSURANCE_VNEID,
    ROLE_CITIZEN,
    ROLE_COMMUNITY,
    Account,
)
from api.auth.passwords import hash_password
from api.dossiers.models import Dossier
from api.kernel.database import db
from api.kernel.phone import normalise_phone
from api.staff.models import Unit
from api.staff.service import create_staff
from api.support.routing import route_for
from sandbox import demo_threads
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
    db.session.commit()  # a demo script is its own unit of work
    return made


# --- The community team helper of the first commune, and a resident who owns a demo dossier,
# so the assisted flow can be tried from /docs and /sandbox/chat.
HELPER_USERNAME = "tocongnghe.demo"
HELPER_PASSWORD = "demo-helper-2025"


def seed_demo_assistance() -> list[str]:
    """Idempotent. Returns lines to print (who to sign in as)."""
    commune = db.session.scalar(select(Commune.code).order_by(Commune.code).limit(1))
    if commune is None:
        return []
    helper = db.session.scalar(select(Account).where(Account.username == HELPER_USERNAME))
    if helper is None:
        helper = Account(
            role=ROLE_COMMUNITY,
            assurance=ASSURANCE_PASSWORD,
            username=HELPER_USERNAME,
            password_hash=hash_password(HELPER_PASSWORD),
            full_name="Trần Văn Giúp (Tổ CNS thôn Đông)",
            commune_code=commune,
        )
        db.session.add(helper)
        db.session.flush()
    team = db.session.scalar(select(Team).where(Team.commune_code == commune))
    if team is None:
        team = Team(
            commune_code=commune,
            village="Thôn Đông",
            decision_number="15/QĐ-UBND",
            decision_date=date(2025, 3, 5),
        )
        db.session.add(team)
        db.session.flush()
    if not db.session.scalar(
        select(TeamMember.id).where(
            TeamMember.team_id == team.id, TeamMember.account_id == helper.id
        )
    ):
        db.session.add(TeamMember(team_id=team.id, account_id=helper.id))
    resident = _helped_resident(commune)
    db.session.commit()
    if resident is None:
        return [f"Demo helper: {HELPER_USERNAME} / {HELPER_PASSWORD}"]
    dossier = db.session.scalar(
        select(Dossier.code)
        .where(Dossier.applicant_id_number == resident.personal_id)
        .order_by(Dossier.code)
        .limit(1)
    )
    return [
        f"Demo helper (community team): {HELPER_USERNAME} / {HELPER_PASSWORD}",
        f"Demo resident: {resident.full_name}, ID {resident.personal_id}, phone 0{resident.phone[2:]}"
        f" (dossier {dossier})",
    ]


def _helped_resident(commune: int) -> Account | None:
    """The applicant of the first individual demo dossier whose phone is free (or who already
    has a record), as a VNeID-verified resident of the team's commune with that phone on
    record: the code must have a phone to go to."""
    candidates = db.session.scalars(
        select(Dossier)
        .where(
            Dossier.applicant_type == "1", Dossier.applicant_id_number != "", Dossier.phone != ""
        )
        .order_by(Dossier.code)
        .limit(50)
    )
    for dossier in candidates:
        phone = normalise_phone(dossier.phone)
        account = db.session.scalar(
            select(Account).where(Account.personal_id == dossier.applicant_id_number)
        )
        taken = phone and db.session.scalar(
            select(Account.id).where(
                Account.phone == phone, Account.id != (account.id if account else 0)
            )
        )
        if account is not None and account.phone:
            if account.commune_code is None:
                account.commune_code = commune
            return account
        if not phone or taken:
            continue  # someone else signed in with this phone: try the next dossier
        if account is None:
            account = Account(
                role=ROLE_CITIZEN,
                assurance=ASSURANCE_VNEID,
                personal_id=dossier.applicant_id_number,
                full_name=dossier.applicant_name,
                commune_code=commune,
            )
            db.session.add(account)
        account.phone = phone
        account.commune_code = account.commune_code or commune
        db.session.flush()
        return account
    return None


# --- The console's staff: the demo dossiers' units in the unit registry, officers, a community
# team member and admins of a commune and a province, so every console page has something to
# show. One public password, printed by `make run`.
DEMO_PASSWORD = "demo-console-2026"
VINH_LONG, TAN_HOA, DONG_THANH = 86, 29371, 29812
# The sandbox portal's handling units (DonViXuLy is the unit's name there) and their area.
UNITS = (
    ("Trung tâm Phục vụ hành chính công tỉnh", None),
    ("Ủy ban nhân dân xã Tân Hòa", TAN_HOA),
    ("Ủy ban nhân dân phường Đông Thành", DONG_THANH),
    ("Ủy ban nhân dân xã Phước Lộc", None),  # no commune of that name in the province's list
)
TAN_HOA_UNIT = UNITS[1][0]
STAFF = (
    ("canbo.tanhoa", "officer", "Nguyễn Văn Bình", {"unit_code": TAN_HOA_UNIT}),
    ("canbo.tanhoa2", "officer", "Trần Thị Lan", {"unit_code": TAN_HOA_UNIT}),
    ("canbo.trungtam", "officer", "Lê Minh Tâm", {"unit_code": UNITS[0][0]}),
    ("tocongnghe.tanhoa", "community", "Phạm Thu Hà", {"commune_code": TAN_HOA}),
    ("quantri.tanhoa", "admin", "Võ Quốc Hùng", {"commune_code": TAN_HOA}),
    ("quantri.vinhlong", "admin", "Đặng Thanh Sơn", {"province_code": VINH_LONG}),
)
ANSWERING = "hoidap.tinh"  # the officer of the unit the residents' questions to the agency go to


def seed_demo_staff() -> list[tuple[str, str, str]]:
    """The console's staff, units, team and inbox contents. Idempotent. Returns (username,
    role, what they see) for printing."""
    origin = Origin(channel="cli")
    for code, commune in UNITS:
        if db.session.get(Unit, code) is None:
            db.session.add(
                Unit(code=code, name=code, province_code=VINH_LONG, commune_code=commune)
            )
    db.session.commit()
    for username, role, name, scope in STAFF:
        if db.session.scalar(select(Account.id).where(Account.username == username)) is None:
            create_staff(
                username=username,
                password=DEMO_PASSWORD,
                role=role,
                full_name=name,
                actor_id=None,
                origin=origin,
                **scope,
            )
    demo_threads.seed_canned_replies(TAN_HOA_UNIT)
    demo_threads.seed_residents_questions(TAN_HOA_UNIT)
    db.session.commit()  # a demo script is its own unit of work
    return [
        ("canbo.tanhoa", "officer", f"hộp thư, bài hỏi đáp (biên tập), chỉ số của {TAN_HOA_UNIT}"),
        ("quantri.tanhoa", "admin", "cán bộ, tổ cộng đồng, đơn vị, nhật ký, chỉ số của xã Tân Hòa"),
        (
            "quantri.vinhlong",
            "admin",
            "cán bộ, tổ cộng đồng, đơn vị, nhật ký, chỉ số, biên tập của tỉnh",
        ),
        *_seed_console_sections(),
    ]


def _seed_console_sections() -> list[tuple[str, str, str]]:
    """The Tân Hòa team with its member and a resident with a phone on record, an officer of
    the unit the residents' questions to the agency go to, and two such questions."""
    lines = []
    team = db.session.scalar(select(Team).where(Team.commune_code == TAN_HOA))
    if team is None:
        team = Team(
            commune_code=TAN_HOA,
            village="Ấp Tân Hòa",
            decision_number="21/QĐ-UBND",
            decision_date=date(2025, 6, 2),
        )
        db.session.add(team)
        db.session.flush()
    helper = db.session.scalar(select(Account).where(Account.username == "tocongnghe.tanhoa"))
    if helper is not None and not db.session.scalar(
        select(TeamMember.id).where(
            TeamMember.team_id == team.id, TeamMember.account_id == helper.id
        )
    ):
        db.session.add(TeamMember(team_id=team.id, account_id=helper.id))
    resident = _unit_resident(TAN_HOA, TAN_HOA_UNIT)
    db.session.commit()
    who = f"; người dân thử: số định danh {resident.personal_id}" if resident else ""
    lines.append(("tocongnghe.tanhoa", "community", f"giúp người dân{who}"))
    unit = route_for(None).unit  # where questions without a field go
    if db.session.get(Unit, unit) is None:
        db.session.add(
            Unit(code=unit, name="Văn phòng tiếp nhận câu hỏi (demo)", province_code=VINH_LONG)
        )
        db.session.commit()
    if db.session.scalar(select(Account.id).where(Account.username == ANSWERING)) is None:
        create_staff(
            username=ANSWERING,
            password=DEMO_PASSWORD,
            role="officer",
            full_name="Hồ Thị Đáp",
            actor_id=None,
            origin=Origin(channel="cli"),
            unit_code=unit,
        )
    demo_threads.seed_agency_questions()
    lines.append((ANSWERING, "officer", "câu hỏi gửi cơ quan (trong hộp thư), bài hỏi đáp"))
    return lines


def _unit_resident(commune: int, unit_name: str) -> Account | None:
    """An applicant of the unit's dossiers as a VNeID resident of the commune with the
    dossier's phone on record (the consent code must have a phone to go to)."""
    for dossier in db.session.scalars(
        select(Dossier)
        .where(
            Dossier.handling_unit == unit_name,
            Dossier.applicant_type == "1",
            Dossier.applicant_id_number != "",
            Dossier.phone != "",
        )
        .order_by(Dossier.code)
        .limit(50)
    ):
        account = db.session.scalar(
            select(Account).where(Account.personal_id == dossier.applicant_id_number)
        )
        if account is not None and account.phone and account.commune_code == commune:
            return account
        phone = normalise_phone(dossier.phone)
        taken = phone and db.session.scalar(
            select(Account.id).where(
                Account.phone == phone, Account.id != (account.id if account else 0)
            )
        )
        if (
            not phone
            or taken
            or (account is not None and account.commune_code not in (None, commune))
        ):
            continue
        if account is None:
            account = Account(
                role=ROLE_CITIZEN,
                assurance=ASSURANCE_VNEID,
                personal_id=dossier.applicant_id_number,
                full_name=dossier.applicant_name,
            )
            db.session.add(account)
        account.phone, account.commune_code = phone, commune
        db.session.flush()
        return account
    return None


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
