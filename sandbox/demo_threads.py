"""What the demo's console inboxes hold (sandbox only): the Tân Hòa unit's canned replies,
residents' questions on its dossiers (threads written as the residents, VNeID) and two
questions to the agency. Idempotent."""

from __future__ import annotations

from sqlalchemy import select

from api.auth.guard import Principal
from api.auth.models import ASSURANCE_VNEID, ROLE_CITIZEN, Account
from api.dossiers.models import Dossier
from api.kernel.database import db
from api.kernel.errors import ApiError
from api.messaging.models import CannedReply, MessageThread
from api.messaging.service import post_message
from api.support import questions
from api.support.models import AgencyQuestion

CANNED = (
    ("Đang xử lý", "Hồ sơ của bạn đang được xử lý, đơn vị sẽ báo ngay khi có kết quả."),
    ("Cần bổ sung", "Xin bạn gửi thêm bản chụp giấy tờ còn thiếu qua tin nhắn này."),
)
RESIDENTS_QUESTIONS = (
    "Cho tôi hỏi bao giờ hồ sơ của tôi có kết quả ạ?",
    "Tôi có cần mang bản chính giấy tờ khi đến nhận không?",
    "Tôi đã gửi ảnh giấy tờ, cán bộ kiểm tra giúp tôi nhé.",
)
AGENCY_QUESTIONS = (
    "Xin hỏi làm lại thẻ bảo hiểm y tế bị mất thì nộp hồ sơ ở đâu?",
    "Tôi muốn hỏi lệ phí cấp bản sao trích lục khai sinh là bao nhiêu?",
)


def seed_canned_replies(unit_code: str) -> None:
    if not db.session.scalar(select(CannedReply.id).where(CannedReply.unit_code == unit_code)):
        for title, body in CANNED:
            db.session.add(CannedReply(unit_code=unit_code, title=title, body=body))
        db.session.commit()


def seed_residents_questions(unit_code: str) -> None:
    """Residents' questions on three of the unit's dossiers, written as the residents (VNeID)."""
    dossiers = db.session.scalars(
        select(Dossier)
        .where(Dossier.handling_unit == unit_code, Dossier.applicant_id_number != "")
        .order_by(Dossier.code)
        .limit(len(RESIDENTS_QUESTIONS))
    ).all()
    for dossier, text in zip(dossiers, RESIDENTS_QUESTIONS, strict=False):
        if db.session.scalar(
            select(MessageThread.id).where(MessageThread.dossier_id == dossier.id)
        ):
            continue
        resident = db.session.scalar(
            select(Account).where(Account.personal_id == dossier.applicant_id_number)
        )
        if resident is None:
            resident = Account(
                role=ROLE_CITIZEN,
                assurance=ASSURANCE_VNEID,
                personal_id=dossier.applicant_id_number,
                full_name=dossier.applicant_name,
            )
            db.session.add(resident)
            db.session.commit()
        try:
            post_message(Principal.of(resident, ASSURANCE_VNEID), dossier.code, text)
        except ApiError:
            db.session.rollback()  # the demo goes on without this question


def seed_agency_questions() -> None:
    for n, text in enumerate(AGENCY_QUESTIONS):
        if not db.session.scalar(
            select(AgencyQuestion.id).where(AgencyQuestion.text_hash == questions.text_hash(text))
        ):
            questions.ask_agency(
                text, questions.Asker(name="Người hỏi thử", email=f"hoi{n}@example.vn")
            )
