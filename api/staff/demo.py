"""Demo staff for `make run` (sandbox only): the demo dossiers' units in the unit registry,
officers, a community team member and admins of a commune and a province, a few canned
replies and residents' questions, so every console page has something to show.

The password is public on purpose: it is printed by `make run` and works on the sandbox only
(``flask staff seed-demo`` refuses to run without SANDBOX=1)."""

from __future__ import annotations

from sqlalchemy import select

from api.audit.service import Origin
from api.auth.guard import Principal
from api.auth.models import ASSURANCE_VNEID, ROLE_CITIZEN, Account
from api.dossiers.models import Dossier
from api.kernel.database import db
from api.kernel.errors import ApiError
from api.messaging.models import CannedReply
from api.staff.models import Unit
from api.staff.service import create_staff

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
CANNED = (
    ("Đang xử lý", "Hồ sơ của bạn đang được xử lý, đơn vị sẽ báo ngay khi có kết quả."),
    ("Cần bổ sung", "Xin bạn gửi thêm bản chụp giấy tờ còn thiếu qua tin nhắn này."),
)
QUESTIONS = (
    "Cho tôi hỏi bao giờ hồ sơ của tôi có kết quả ạ?",
    "Tôi có cần mang bản chính giấy tờ khi đến nhận không?",
    "Tôi đã gửi ảnh giấy tờ, cán bộ kiểm tra giúp tôi nhé.",
)


def seed_demo_staff() -> list[tuple[str, str, str]]:
    """Idempotent. Returns (username, role, what they see) for printing."""
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
    if not db.session.scalar(select(CannedReply.id).where(CannedReply.unit_code == TAN_HOA_UNIT)):
        for title, body in CANNED:
            db.session.add(CannedReply(unit_code=TAN_HOA_UNIT, title=title, body=body))
        db.session.commit()
    _questions()
    from api.console.demo import seed_demo_console  # the console's sections (issue 18)

    return [
        ("canbo.tanhoa", "officer", f"hộp thư, bài hỏi đáp (biên tập), chỉ số của {TAN_HOA_UNIT}"),
        ("quantri.tanhoa", "admin", "cán bộ, tổ cộng đồng, đơn vị, nhật ký, chỉ số của xã Tân Hòa"),
        (
            "quantri.vinhlong",
            "admin",
            "cán bộ, tổ cộng đồng, đơn vị, nhật ký, chỉ số, biên tập của tỉnh",
        ),
        *seed_demo_console(DEMO_PASSWORD, TAN_HOA, TAN_HOA_UNIT, VINH_LONG),
    ]


def _questions() -> None:
    """Residents' questions on three Tân Hòa dossiers, written as the residents (VNeID)."""
    from api.messaging.models import MessageThread
    from api.messaging.service import post_message

    dossiers = db.session.scalars(
        select(Dossier)
        .where(Dossier.handling_unit == TAN_HOA_UNIT, Dossier.applicant_id_number != "")
        .order_by(Dossier.code)
        .limit(len(QUESTIONS))
    ).all()
    for dossier, text in zip(dossiers, QUESTIONS, strict=False):
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
