"""Canned replies: each unit's reusable answers. Officers manage their own unit's; admins any
unit's (naming it)."""

from __future__ import annotations

from sqlalchemy import func, select

from api.auth.guard import Principal
from api.auth.models import ROLE_ADMIN
from api.kernel.clock import utcnow
from api.kernel.database import db
from api.kernel.digits import is_digits
from api.kernel.errors import ApiError
from api.kernel.i18n import register_messages
from api.kernel.pagination import Page
from api.messaging import content
from api.messaging.models import CannedReply

register_messages(
    {
        "canned_reply_not_found": {
            "vi": "Không tìm thấy câu trả lời mẫu này.",
            "en": "This canned reply was not found.",
        },
        "canned_reply_empty": {
            "vi": "Tiêu đề và nội dung câu trả lời mẫu không được để trống.",
            "en": "A canned reply needs a title and a text (not only spaces).",
        },
        "unit_required": {
            "vi": "Xin chọn đơn vị (unit_code) cho câu trả lời mẫu.",
            "en": "Please name the unit (unit_code) for the canned reply.",
        },
    }
)


def _unit(principal: Principal, requested: str | None) -> str:
    """The unit whose replies the caller works on: an officer's own; an admin's choice."""
    if principal.role == ROLE_ADMIN:
        if not requested:
            raise ApiError(422, "unit_required")
        return requested
    if not principal.unit_code or (requested and requested != principal.unit_code):
        raise ApiError(403, "thread_forbidden")
    return principal.unit_code


def _get(principal: Principal, reply_id: str) -> CannedReply:
    valid = is_digits(reply_id) and len(reply_id) < 10  # ids are int4 on PostgreSQL
    reply = db.session.get(CannedReply, int(reply_id)) if valid else None
    if reply is None or (
        principal.role != ROLE_ADMIN and reply.unit_code != (principal.unit_code or "")
    ):
        raise ApiError(404, "canned_reply_not_found")
    return reply


def list_replies(
    principal: Principal, unit: str | None, page: Page
) -> tuple[list[CannedReply], int]:
    query = select(CannedReply).where(CannedReply.unit_code == _unit(principal, unit))
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    items = db.session.scalars(
        query.order_by(CannedReply.title, CannedReply.id).offset(page.offset).limit(page.page_size)
    )
    return list(items), total


def _cleaned(text: str) -> str:
    cleaned = content.clean_text(text)
    if not cleaned:  # only spaces or control characters
        raise ApiError(422, "canned_reply_empty")
    return cleaned


def create_reply(principal: Principal, title: str, body: str, unit: str | None) -> CannedReply:
    reply = CannedReply(
        unit_code=_unit(principal, unit),
        title=_cleaned(title),
        body=_cleaned(body),
        created_by_id=principal.account_id,
    )
    db.session.add(reply)
    db.session.flush()  # the caller's unit of work commits (api.kernel.unit_of_work)
    return reply


def update_reply(
    principal: Principal, reply_id: str, title: str | None, body: str | None
) -> CannedReply:
    reply = _get(principal, reply_id)
    if title is not None:
        reply.title = _cleaned(title)
    if body is not None:
        reply.body = _cleaned(body)
    reply.updated_at = utcnow()
    db.session.flush()  # the caller's unit of work commits (api.kernel.unit_of_work)
    return reply


def delete_reply(principal: Principal, reply_id: str) -> None:
    db.session.delete(_get(principal, reply_id))
    db.session.flush()  # the caller's unit of work commits (api.kernel.unit_of_work)
