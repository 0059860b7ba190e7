"""Demo data for `make run`: a team in the commune, one member (staff sign-in) and a resident
who owns a demo dossier, so the whole flow can be tried from /docs and /sandbox/chat.
Idempotent."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from api.admin_units.models import Commune
from api.assistance.models import Team, TeamMember
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

HELPER_USERNAME = "tocongnghe.demo"
HELPER_PASSWORD = "demo-helper-2025"


def seed_demo_assistance() -> list[str]:
    """Returns lines to print (who to sign in as)."""
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
    resident = _resident(commune)
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


def _resident(commune: int) -> Account | None:
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
