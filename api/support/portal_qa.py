"""Keeping the Q&A in step with the national portal (services in support.md).

Pull the questions citizens asked on the portal and the agencies' own Q&A (with their
answers); push our published Q&A and our answers to the portal's questions. Each item is keyed
by the portal's HOIDAPID, so a repeated run adds nothing and re-sends nothing unchanged; an
item whose field or unit code has no local mapping is recorded in support_portal_errors (and
tried again next run), never skipped silently. Defects seen elsewhere, beaten here: the
asker's name, e-mail and procedure code are read from the item itself.

Commits on its own: a sync commits what it pulled and each record it pushed, so an interrupted
sync resumes without pushing a record twice.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field

from sqlalchemy import select

from api.catalog.models import Field, Procedure
from api.kernel.clock import to_local, utcnow
from api.kernel.database import db
from api.portal.gateway import PortalError, PortalGateway
from api.support.models import (
    ANSWERED,
    FROM_AGENCY,
    FROM_LOCAL,
    FROM_PORTAL,
    PUBLIC,
    RECEIVED,
    AgencyQuestion,
    PortalQaError,
)
from api.support.privacy import find_personal_data, redact
from api.support.questions import text_hash
from api.support.routing import due_at, known_unit, route_for, unit_name

log = logging.getLogger(__name__)

PULL_CITIZEN = "LayDanhSachHoiDapGuiTuDVCQG"
PULL_AGENCY = "LayDanhSachHoiDapBoCoQuan"
PULL_ANSWERS = "LayNoiDungTraLoiTheoCauHoi"
PUSH_QA = "DongBoHoiDap"
PUSH_RESULT = "DongBoKetQuaHoiDapGuiTuDVCQG"
OUR_PREFIX = "DVCC-"  # HOIDAPID of our own questions on the portal
PORTAL_ID_MAX = 64  # support_questions.portal_id and support_portal_errors.portal_id


@dataclass
class SyncReport:
    pulled: int = 0
    created: int = 0
    skipped: int = 0  # TRANGTHAI 0 (withdrawn on the portal)
    mapping_errors: int = 0
    pushed_questions: int = 0
    pushed_answers: int = 0
    failures: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def _s(item: dict, key: str) -> str:
    return str(item.get(key) or "").strip()


def _record_error(service: str, portal_id: str, reason: str, detail: str) -> None:
    found = db.session.scalar(
        select(PortalQaError).where(
            PortalQaError.service == service,
            PortalQaError.portal_id == portal_id,
            PortalQaError.reason == reason,
        )
    )
    if found is None:
        db.session.add(
            PortalQaError(service=service, portal_id=portal_id, reason=reason, detail=detail)
        )
    else:
        found.seen += 1
        found.resolved_at = None


def _resolve_errors(service: str, portal_id: str) -> None:
    for row in db.session.scalars(
        select(PortalQaError).where(
            PortalQaError.service == service,
            PortalQaError.portal_id == portal_id,
            PortalQaError.resolved_at.is_(None),
        )
    ):
        row.resolved_at = utcnow()


def _mapping_problems(item: dict) -> list[tuple[str, str]]:
    problems = []
    field_code = _s(item, "MALINHVUC")
    if not field_code or db.session.get(Field, field_code) is None:
        problems.append(("unknown_field", f"MALINHVUC={field_code!r}"))
    unit = _s(item, "MADONVI")
    if not known_unit(unit):
        problems.append(("unknown_unit", f"MADONVI={unit!r}"))
    return problems


def _local_procedure(code: str) -> str | None:
    if not code:
        return None
    return db.session.scalar(select(Procedure.code).where(Procedure.code == code))


def _take(service: str, item: dict, source: str, report: SyncReport) -> AgencyQuestion | None:
    portal_id = _s(item, "HOIDAPID")
    if not portal_id:
        report.mapping_errors += 1
        _record_error(service, "?", "invalid", "item without HOIDAPID")
        return None
    if _s(item, "TRANGTHAI") == "0":
        report.skipped += 1
        return None
    key = f"{source}:{portal_id}"
    if len(key) > PORTAL_ID_MAX:  # one odd item must not stop the run: recorded, not taken
        report.mapping_errors += 1
        _record_error(service, portal_id[:PORTAL_ID_MAX], "invalid", "HOIDAPID too long")
        return None
    existing = db.session.scalar(select(AgencyQuestion).where(AgencyQuestion.portal_id == key))
    if existing is not None:
        return None
    problems = _mapping_problems(item)
    if problems:
        report.mapping_errors += 1
        for reason, detail in problems:
            _record_error(service, portal_id, reason, detail)
        return None
    _resolve_errors(service, portal_id)
    text = " ".join(_s(item, "NOIDUNG").split())
    names = [_s(item, "HOVATEN")]  # the asker's name is kept out of the public texts
    now = utcnow()
    field_code = _s(item, "MALINHVUC")
    question = AgencyQuestion(
        source=source,
        portal_id=key,
        text=text,
        text_hash=text_hash(text),
        personal_data=find_personal_data(text, names),
        procedure_code=_local_procedure(_s(item, "MATTHCDP")),
        field_code=field_code,
        unit_code=_s(item, "MADONVI"),
        due_at=due_at(now, route_for(field_code).reply_hours),
        asker=f"portal:{portal_id}",
        channel="portal",
        contact_name=_s(item, "HOVATEN"),
        contact_email=_s(item, "THUDIENTU") or None,
        public_question=redact(text, names),
        status=RECEIVED,
        created_at=now,
    )
    db.session.add(question)
    report.created += 1
    return question


def _awaiting_answer(item: dict) -> AgencyQuestion | None:
    """An agency Q&A taken before the portal had its answer: asked for again each run until
    the answer comes (then never again)."""
    if _s(item, "TRANGTHAI") == "0" or not _s(item, "HOIDAPID"):
        return None
    return db.session.scalar(
        select(AgencyQuestion).where(
            AgencyQuestion.portal_id == f"{FROM_AGENCY}:{_s(item, 'HOIDAPID')}",
            AgencyQuestion.answer == "",
            AgencyQuestion.status == RECEIVED,
        )
    )


def pull(gateway: PortalGateway, report: SyncReport | None = None) -> SyncReport:
    report = report or SyncReport()
    for item in gateway.call(PULL_CITIZEN):
        report.pulled += 1
        _take(PULL_CITIZEN, item, FROM_PORTAL, report)
    db.session.commit()
    for item in gateway.call(PULL_AGENCY):
        report.pulled += 1
        question = _take(PULL_AGENCY, item, FROM_AGENCY, report) or _awaiting_answer(item)
        if question is None:
            continue
        answers = gateway.call(PULL_ANSWERS, cauhoiid=_s(item, "HOIDAPID"))
        said = "\n".join(_s(a, "NOIDUNGTRALOI") for a in answers if _s(a, "NOIDUNGTRALOI"))
        if said:
            question.answer = said
            question.public_answer = redact(said)
            question.answered_at = utcnow()
            question.answered_by = _s(item, "TENDONVI")
            # Already public on the portal; held for review only if it carries personal data.
            personal = find_personal_data(question.text) or find_personal_data(said)
            question.status = ANSWERED if personal else PUBLIC
            question.published_at = None if personal else utcnow()
        db.session.commit()
    return report


def _version(*parts: object) -> str:
    return hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).hexdigest()[:32]


def _portal_time(value) -> str:  # noqa: ANN001
    return to_local(value).strftime("%Y%m%d%H%M%S") if value else ""


def push(gateway: PortalGateway, report: SyncReport | None = None) -> SyncReport:
    """Send what changed since the last push; nothing unchanged is sent twice."""
    report = report or SyncReport()
    ours = db.session.scalars(
        select(AgencyQuestion).where(
            AgencyQuestion.source == FROM_LOCAL, AgencyQuestion.status == PUBLIC
        )
    )
    for question in ours:
        record = {
            "HOIDAPID": f"{OUR_PREFIX}{question.id}",
            "MaLinhVuc": question.field_code or "",
            "NOIDUNG": question.public_question,
            "MADONVI": question.unit_code,
            "TENDONVI": unit_name(question.unit_code) or question.unit_code,
            # *Unconfirmed*: the answer travels with the question.
            "NOIDUNGTRALOI": question.public_answer,
            "NGAYTRALOI": _portal_time(question.answered_at),
        }
        version = _version(*record.values())
        if version == question.pushed_version:
            continue
        if _send(gateway, PUSH_QA, record, report):
            question.pushed_version = version
            report.pushed_questions += 1
        db.session.commit()
    answered = db.session.scalars(
        select(AgencyQuestion).where(
            AgencyQuestion.source == FROM_PORTAL,
            AgencyQuestion.status.in_((ANSWERED, PUBLIC)),
        )
    )
    for question in answered:
        record = {
            "HOIDAPID": question.portal_id.split(":", 1)[1],
            "MADONVI": question.unit_code,
            "NGUOITRALOI": question.answered_by or "Cán bộ",
            "CHUCVUNGUOITRALOI": question.answered_by_title,
            "NGAYTRALOI": _portal_time(question.answered_at),
            "NOIDUNGTRALOI": question.public_answer,
        }
        version = _version(*record.values())
        if version == question.answer_pushed_version:
            continue
        if _send(gateway, PUSH_RESULT, record, report):
            question.answer_pushed_version = version
            report.pushed_answers += 1
        db.session.commit()
    return report


def _send(gateway: PortalGateway, service: str, record: dict, report: SyncReport) -> bool:
    try:
        gateway.call(service, data=[record])
    except PortalError as error:
        report.failures.append(f"{service}:{record['HOIDAPID']}:{error.code}")
        log.warning("portal_qa_push_failed", extra={"service": service, "code": error.code})
        return False
    return True


def sync(gateway: PortalGateway) -> SyncReport:
    report = pull(gateway)
    return push(gateway, report)


def open_errors(limit: int = 100) -> list[PortalQaError]:
    return list(
        db.session.scalars(
            select(PortalQaError)
            .where(PortalQaError.resolved_at.is_(None))
            .order_by(PortalQaError.id)
            .limit(limit)
        )
    )
