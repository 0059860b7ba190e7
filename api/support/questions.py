"""Questions to the agency: asked from the app, a chat or the portal; routed to the unit that
answers with a reply-time target; answered by an officer, the answer sent to the asker on
their channel; published as public Q&A only once redacted and reviewed.

The same text from the same asker within ``support_dedupe_seconds`` (five minutes) is one question (GOV.UK support API).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select

from api.audit.service import Origin, record
from api.auth.guard import Principal
from api.auth.models import ROLE_ADMIN, Account
from api.catalog.models import Field, Procedure
from api.kernel import settings
from api.kernel.clock import utcnow
from api.kernel.database import db
from api.kernel.errors import ApiError
from api.kernel.pagination import Page
from api.kernel.phone import normalise_phone
from api.kernel.ratelimit import Limit, hit
from api.kernel.text import fold
from api.profile.models import CHAT_CHANNELS
from api.support import texts  # noqa: F401  (messages)
from api.support.models import (
    ANSWERED,
    CLOSED,
    FROM_LOCAL,
    PUBLIC,
    RECEIVED,
    AgencyQuestion,
)
from api.support.privacy import find_personal_data, redact
from api.support.routing import due_at, route_for
from api.support.search import matches
from push.notifications.models import Notification
from push.notifications.queueing import deliver_after_commit
from push.notifications.service import notify_account, notify_chat

PREVIEW = 300
# An officer's queue is not a place to flood: new questions per asker, and per address for
# anonymous ones (whose contact can change at will). A resend within the dedupe window is free.
QUESTIONS_PER_ASKER = Limit("support_questions_asker", 10, 3600)
QUESTIONS_PER_IP = Limit("support_questions_ip", 30, 3600)


@dataclass(frozen=True)
class Asker:
    """Who asks and where the answer goes."""

    principal: Principal | None = None
    channel: str = "app"
    chat_id: str | None = None
    name: str = ""
    phone: str | None = None
    email: str | None = None
    language: str = "vi"
    ip: str = ""  # the caller's address (anonymous app questions), for the rate limit

    def key(self) -> str:
        if self.principal is not None:
            return f"account:{self.principal.account_id}"
        if self.chat_id:
            return f"chat:{self.channel}:{self.chat_id}"
        return f"contact:{(self.phone or '') or fold(self.email or '')}"


def text_hash(text: str) -> str:
    return hashlib.sha256(" ".join(fold(text).split()).encode()).hexdigest()


def _field_of(procedure_code: str | None, field_code: str | None) -> str | None:
    if procedure_code:
        found = db.session.scalar(
            select(Procedure.field_code).where(Procedure.code == procedure_code)
        )
        if found is None:
            raise ApiError(422, "validation_failed", errors={"procedure_code": ["Unknown code"]})
        return found
    if field_code and db.session.get(Field, field_code) is None:
        raise ApiError(422, "validation_failed", errors={"field_code": ["Unknown field"]})
    return field_code


def _serialise(asker_key: str, digest: str) -> None:
    """The same text from the same asker twice at the same moment (a double tap, a retried
    request) is still one question: such requests take turns until the first commits."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    lock = int(hashlib.sha256(f"{asker_key}|{digest}".encode()).hexdigest()[:15], 16)
    db.session.execute(select(func.pg_advisory_xact_lock(lock)))


def ask_agency(
    text: str,
    asker: Asker,
    procedure_code: str | None = None,
    field_code: str | None = None,
) -> tuple[AgencyQuestion, bool]:
    """Store a question (or find the same one asked moments ago); (question, created)."""
    text = " ".join((text or "").split())
    phone = normalise_phone(asker.phone) if asker.phone else None
    if asker.phone and not phone:
        raise ApiError(422, "validation_failed", errors={"contact_phone": ["Not a phone number"]})
    asker = Asker(**{**asker.__dict__, "phone": phone})
    if asker.principal is None and not asker.chat_id and not (asker.phone or asker.email):
        raise ApiError(422, "question_contact_needed")
    field = _field_of(procedure_code, field_code)
    names = [asker.name, _account_name(asker.principal.account_id if asker.principal else None)]
    digest = text_hash(text)
    _serialise(asker.key(), digest)
    since = utcnow() - timedelta(seconds=settings.current().support_dedupe_seconds)
    same = db.session.scalar(
        select(AgencyQuestion)
        .where(
            AgencyQuestion.asker == asker.key(),
            AgencyQuestion.text_hash == digest,
            AgencyQuestion.created_at >= since,
        )
        .order_by(AgencyQuestion.id)
        .limit(1)
    )
    if same is not None:
        return same, False
    hit(QUESTIONS_PER_ASKER, asker.key())
    if asker.principal is None and asker.ip:
        hit(QUESTIONS_PER_IP, asker.ip)
    route = route_for(field)
    now = utcnow()
    question = AgencyQuestion(
        source=FROM_LOCAL,
        text=text,
        text_hash=digest,
        personal_data=find_personal_data(text, names),
        procedure_code=procedure_code,
        field_code=field,
        unit_code=route.unit,
        due_at=due_at(now, route.reply_hours),
        account_id=asker.principal.account_id if asker.principal else None,
        asker=asker.key(),
        channel=asker.channel,
        chat_id=asker.chat_id,
        contact_name=asker.name,
        contact_phone=asker.phone,
        contact_email=asker.email,
        language=asker.language,
        public_question=redact(text, names),
        created_at=now,
    )
    db.session.add(question)
    db.session.flush()  # the caller's unit of work commits (api.kernel.unit_of_work)
    return question, True


def _account_name(account_id: int | None) -> str | None:
    if account_id is None:
        return None
    return db.session.scalar(select(Account.full_name).where(Account.id == account_id))


def asker_names(question: AgencyQuestion) -> list[str | None]:
    """The asker's full names we know (contact, account): kept out of the public Q&A."""
    return [question.contact_name, _account_name(question.account_id)]


def _scoped(principal: Principal, question: AgencyQuestion) -> None:
    if principal.role != ROLE_ADMIN and principal.unit_code != question.unit_code:
        raise ApiError(403, "question_other_unit")


def get(question_id: int) -> AgencyQuestion:
    question = db.session.get(AgencyQuestion, question_id)
    if question is None:
        raise ApiError(404, "question_not_found")
    return question


def for_officer(principal: Principal, question_id: int) -> AgencyQuestion:
    question = get(question_id)
    _scoped(principal, question)
    return question


def mine(principal: Principal, page: Page) -> tuple[list[AgencyQuestion], int]:
    query = select(AgencyQuestion).where(AgencyQuestion.account_id == principal.account_id)
    return _page(query, page)


def queue(
    principal: Principal, page: Page, status: str | None = None, overdue: bool = False
) -> tuple[list[AgencyQuestion], int]:
    """A unit's questions, oldest due first (admins: every unit)."""
    query = select(AgencyQuestion)
    if principal.role != ROLE_ADMIN:
        query = query.where(AgencyQuestion.unit_code == (principal.unit_code or ""))
    if status:
        query = query.where(AgencyQuestion.status == status)
    if overdue:
        query = query.where(AgencyQuestion.status == RECEIVED, AgencyQuestion.due_at < utcnow())
    return _page(query, page, AgencyQuestion.due_at)


def _page(query, page: Page, order=None) -> tuple[list[AgencyQuestion], int]:  # noqa: ANN001
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    ordered = query.order_by(order if order is not None else AgencyQuestion.id.desc())
    items = db.session.scalars(ordered.offset(page.offset).limit(page.page_size))
    return list(items), total


def answer(principal: Principal, question_id: int, text: str, title: str = "") -> AgencyQuestion:
    """An officer answers; the asker hears of it on their channel (the notification pipeline)."""
    question = for_officer(principal, question_id)
    if question.status not in (RECEIVED, ANSWERED):
        raise ApiError(409, "question_bad_transition", current=question.status)
    officer = db.session.get(Account, principal.account_id)
    question.answer = " ".join(text.split()) if "\n" not in text else text.strip()
    question.answered_by = officer.full_name if officer else ""
    question.answered_by_title = title
    question.answered_at = utcnow()
    question.status = ANSWERED
    question.public_answer = redact(question.answer, asker_names(question))
    _audit("support_question_answered", principal, question)
    made = _notify_asker(question)
    db.session.flush()  # the caller's unit of work commits (api.kernel.unit_of_work)
    _hand_over(made)
    return question


def _notify_asker(question: AgencyQuestion) -> list[Notification]:
    params = {
        "question": question.public_question[:PREVIEW],
        "answer": question.answer[:PREVIEW],
        "question_id": question.id,
    }
    key = f"support_answer:{question.id}:{text_hash(question.answer)[:16]}"
    made: Notification | None = None
    if question.account_id is not None:
        account = db.session.get(Account, question.account_id)
        if account is not None and account.active:
            made = notify_account(account, "support_answer", params, key)
    elif question.chat_id and question.channel in CHAT_CHANNELS:
        made = notify_chat(
            question.channel,
            question.chat_id,
            "support_answer",
            params,
            key,
            language=question.language,
        )
    elif question.contact_phone:
        made = notify_chat(
            "sms", question.contact_phone, "support_answer", params, key, language=question.language
        )
    elif question.contact_email:
        made = notify_chat(
            "email",
            question.contact_email,
            "support_answer",
            params,
            key,
            language=question.language,
        )
    return [made] if made is not None else []


def _hand_over(made: list[Notification]) -> None:
    ids = [n.id for n in made if n.status == "pending"]
    if ids:
        deliver_after_commit(ids)  # once the caller's unit of work commits


def publish(
    principal: Principal, question_id: int, public_question: str | None, public_answer: str | None
) -> AgencyQuestion:
    """Review and publish as public Q&A: the texts may be edited, and must hold no personal
    data (checked again here, whatever the editor did)."""
    question = for_officer(principal, question_id)
    if question.status not in (ANSWERED, PUBLIC):
        raise ApiError(409, "question_bad_transition", current=question.status)
    asked = public_question if public_question is not None else question.public_question
    said = public_answer if public_answer is not None else question.public_answer
    names = asker_names(question)
    left = sorted(set(find_personal_data(asked, names)) | set(find_personal_data(said, names)))
    if left:
        raise ApiError(422, "question_personal_data", kinds=", ".join(left))
    question.public_question, question.public_answer = asked, said
    question.status = PUBLIC
    question.reviewed_by_id = principal.account_id
    question.published_at = utcnow()
    _audit("support_question_published", principal, question)
    db.session.flush()  # the caller's unit of work commits (api.kernel.unit_of_work)
    return question


def _audit(action: str, principal: Principal, question: AgencyQuestion) -> None:
    record(
        action,
        Origin(),
        actor_id=principal.account_id,
        subject_id=question.account_id or principal.account_id,
        object_type="support_question",
        object_id=str(question.id),
    )


def close(principal: Principal, question_id: int) -> AgencyQuestion:
    """Close (a published one leaves the public Q&A); recorded like answering and publishing."""
    question = for_officer(principal, question_id)
    question.status = CLOSED
    _audit("support_question_closed", principal, question)
    db.session.flush()  # the caller's unit of work commits (api.kernel.unit_of_work)
    return question


def public_listing(
    page: Page, q: str | None = None, field_code: str | None = None
) -> tuple[list[AgencyQuestion], int]:
    query = select(AgencyQuestion).where(AgencyQuestion.status == PUBLIC)
    if field_code:
        query = query.where(AgencyQuestion.field_code == field_code)
    found = matches(q, AgencyQuestion.public_question, AgencyQuestion.public_answer)
    if found is not None:  # as citizens type: without marks, any case, any word order
        query = query.where(found)
    return _page(query, page)


def public_view(question: AgencyQuestion) -> dict:
    """The only shape a public Q&A leaves in: no asker, no contact, redacted texts."""
    return {
        "id": question.id,
        "question": question.public_question,
        "answer": question.public_answer,
        "field_code": question.field_code,
        "procedure_code": question.procedure_code,
        "unit_code": question.unit_code,
        "answered_at": question.answered_at,
        "published_at": question.published_at,
        "source": question.source,
    }
