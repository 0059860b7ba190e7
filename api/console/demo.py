"""Demo data for the console's sections (sandbox only, called by ``staff seed-demo``): the Tân
Hòa team with its member and a resident with a phone on record, an officer of the unit the
residents' questions to the agency go to, and two such questions. Idempotent."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from api.assistance.models import Team, TeamMember
from api.audit.service import Origin
from api.auth.models import ASSURANCE_VNEID, ROLE_CITIZEN, Account
from api.dossiers.models import Dossier
from api.kernel.database import db
from api.kernel.phone import normalise_phone
from api.staff.models import Unit
from api.staff.service import create_staff
from api.support import questions
from api.support.models import AgencyQuestion
from api.support.routing import route_for

ANSWERING = "hoidap.tinh"
QUESTIONS = (
    "Xin hỏi làm lại thẻ bảo hiểm y tế bị mất thì nộp hồ sơ ở đâu?",
    "Tôi muốn hỏi lệ phí cấp bản sao trích lục khai sinh là bao nhiêu?",
)


def seed_demo_console(password: str, commune: int, unit_name: str, province: int) -> list:
    """Returns (username, role, what they see) lines to print."""
    lines = []
    team = db.session.scalar(select(Team).where(Team.commune_code == commune))
    if team is None:
        team = Team(
            commune_code=commune,
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
    resident = _resident(commune, unit_name)
    db.session.commit()
    who = f"; người dân thử: số định danh {resident.personal_id}" if resident else ""
    lines.append(("tocongnghe.tanhoa", "community", f"giúp người dân{who}"))
    unit = route_for(None).unit  # where questions without a field go
    if db.session.get(Unit, unit) is None:
        db.session.add(
            Unit(code=unit, name="Văn phòng tiếp nhận câu hỏi (demo)", province_code=province)
        )
        db.session.commit()
    if db.session.scalar(select(Account.id).where(Account.username == ANSWERING)) is None:
        create_staff(
            username=ANSWERING,
            password=password,
            role="officer",
            full_name="Hồ Thị Đáp",
            actor_id=None,
            origin=Origin(channel="cli"),
            unit_code=unit,
        )
    for n, text in enumerate(QUESTIONS):
        if not db.session.scalar(
            select(AgencyQuestion.id).where(AgencyQuestion.text_hash == questions.text_hash(text))
        ):
            questions.ask_agency(
                text, questions.Asker(name="Người hỏi thử", email=f"hoi{n}@example.vn")
            )
    lines.append((ANSWERING, "officer", "câu hỏi gửi cơ quan (trong hộp thư), bài hỏi đáp"))
    return lines


def _resident(commune: int, unit_name: str) -> Account | None:
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
