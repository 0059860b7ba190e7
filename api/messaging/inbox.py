"""The officer's inbox: their unit's threads with filters, assignment to a colleague of the same
unit, closing and reopening."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import and_, exists, func, select

from api.audit.service import Origin, record
from api.auth.guard import Principal
from api.auth.models import ROLE_ADMIN, ROLE_OFFICER, Account
from api.dossiers.models import Dossier
from api.kernel import settings
from api.kernel.clock import as_utc, utcnow
from api.kernel.database import db
from api.kernel.errors import ApiError
from api.kernel.i18n import register_messages
from api.kernel.pagination import Page
from api.messaging.access import STAFF_VIEW, thread_access
from api.messaging.models import CITIZEN_SIDE, CLOSED, OPEN, Message, MessageThread
from api.messaging.threads import reopen, thread_of

register_messages(
    {
        "assignee_not_in_unit": {
            "vi": "Chỉ giao được cho cán bộ đang làm việc tại đơn vị giải quyết hồ sơ này.",
            "en": "You can only assign an active officer of the unit handling this dossier.",
        },
        "thread_not_started": {
            "vi": "Hồ sơ này chưa có trao đổi nào.",
            "en": "There are no messages for this dossier yet.",
        },
    }
)


def reply_target() -> timedelta:
    """How soon a citizen's message should be answered; later is "overdue"."""
    return timedelta(hours=settings.current().message_reply_target_hours)


@dataclass(frozen=True)
class InboxFilter:
    unread: bool = False
    awaiting_reply: bool = False
    overdue: bool = False
    status: str | None = OPEN  # None: open and closed
    assigned: str | None = None  # "me", "unassigned" or None for all
    unit: str | None = None  # admins only: one unit


def _unread_exists():  # noqa: ANN202
    return exists().where(
        Message.thread_id == MessageThread.id,
        Message.author_kind.in_(CITIZEN_SIDE),
        Message.read_at.is_(None),
    )


def inbox(principal: Principal, filters: InboxFilter, page: Page) -> tuple[list[dict], int]:
    query = select(MessageThread, Dossier).join(Dossier, Dossier.id == MessageThread.dossier_id)
    if principal.role == ROLE_ADMIN:
        if filters.unit:
            query = query.where(Dossier.handling_unit == filters.unit)
    elif principal.unit_code:
        query = query.where(Dossier.handling_unit == principal.unit_code)
    else:
        return [], 0  # an officer without a unit handles nothing
    now = utcnow()
    conditions = []
    if filters.status:
        conditions.append(MessageThread.status == filters.status)
    if filters.unread:
        conditions.append(_unread_exists())
    if filters.awaiting_reply or filters.overdue:
        conditions.append(MessageThread.awaiting_reply_since.is_not(None))
    if filters.overdue:
        conditions.append(MessageThread.awaiting_reply_since < now - reply_target())
    if filters.assigned == "me":
        conditions.append(MessageThread.assigned_to_id == principal.account_id)
    elif filters.assigned == "unassigned":
        conditions.append(MessageThread.assigned_to_id.is_(None))
    query = query.where(and_(*conditions)) if conditions else query
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    if filters.awaiting_reply or filters.overdue:
        order = (MessageThread.awaiting_reply_since, MessageThread.id)  # longest waiting first
    else:
        order = (MessageThread.last_message_at.desc(), MessageThread.id.desc())
    rows = db.session.execute(query.order_by(*order).offset(page.offset).limit(page.page_size))
    return _items(list(rows), now), total


def _items(rows: list, now) -> list[dict]:  # noqa: ANN001
    thread_ids = [thread.id for thread, _ in rows]
    unread = dict(
        db.session.execute(
            select(Message.thread_id, func.count())
            .where(
                Message.thread_id.in_(thread_ids),
                Message.author_kind.in_(CITIZEN_SIDE),
                Message.read_at.is_(None),
            )
            .group_by(Message.thread_id)
        ).all()
        if thread_ids
        else []
    )
    people = {t.assigned_to_id for t, _ in rows if t.assigned_to_id}
    accounts = (
        {a.id: a for a in db.session.scalars(select(Account).where(Account.id.in_(people)))}
        if people
        else {}
    )
    deadline = now - reply_target()
    items = []
    for thread, dossier in rows:
        assignee = accounts.get(thread.assigned_to_id)
        waiting = thread.awaiting_reply_since
        items.append(
            {
                "code": dossier.code,
                "procedure_name": dossier.procedure_name,
                "applicant_name": dossier.applicant_name,
                "dossier_status": dossier.status_code,
                "handling_unit": dossier.handling_unit,
                "status": thread.status,
                "assigned_to": {"id": assignee.public_id, "full_name": assignee.full_name}
                if assignee
                else None,
                "last_message_at": thread.last_message_at,
                "last_preview": thread.last_preview,
                "awaiting_reply_since": waiting,
                "overdue": bool(waiting and as_utc(waiting) < deadline),
                "unread_count": unread.get(thread.id, 0),
            }
        )
    return items


def _staff_thread(principal: Principal, code: str) -> tuple[Dossier, MessageThread]:
    access = thread_access(principal, code)
    if access.view != STAFF_VIEW:
        raise ApiError(403, "role_required")
    thread = thread_of(access.dossier)
    if thread is None:
        raise ApiError(404, "thread_not_started")
    return access.dossier, thread


def assign(principal: Principal, code: str, assignee_id: str | None, origin: Origin) -> dict:
    """Give the thread to a colleague of the handling unit (``None``: nobody)."""
    dossier, thread = _staff_thread(principal, code)
    assignee = None
    if assignee_id:
        assignee = db.session.scalar(
            select(Account).where(
                Account.public_id == assignee_id,
                Account.role == ROLE_OFFICER,
                Account.active.is_(True),
                Account.unit_code == dossier.handling_unit,
            )
        )
        if assignee is None:
            raise ApiError(422, "assignee_not_in_unit")
    thread.assigned_to_id = assignee.id if assignee else None
    record(
        "thread_assigned",
        origin,
        actor_id=principal.account_id,
        object_type="dossier",
        object_id=dossier.code,
        assignee=assignee.public_id if assignee else "",
    )
    db.session.flush()  # the caller's unit of work commits (api.kernel.unit_of_work)
    return _items([(thread, dossier)], utcnow())[0]


def set_closed(principal: Principal, code: str, closed: bool, origin: Origin) -> dict:
    dossier, thread = _staff_thread(principal, code)
    if closed and thread.status != CLOSED:
        thread.status, thread.closed_at, thread.closed_by_id = (
            CLOSED,
            utcnow(),
            principal.account_id,
        )
        thread.awaiting_reply_since = None  # closing means no answer is expected
    elif not closed:
        reopen(thread)
    record(
        "thread_closed" if closed else "thread_reopened",
        origin,
        actor_id=principal.account_id,
        object_type="dossier",
        object_id=dossier.code,
    )
    db.session.flush()  # the caller's unit of work commits (api.kernel.unit_of_work)
    return _items([(thread, dossier)], utcnow())[0]


def assignees(principal: Principal, code: str) -> list[dict]:
    """The active officers of the unit handling dossier ``code``: whom the thread may go to."""
    dossier, _ = _staff_thread(principal, code)
    people = db.session.scalars(
        select(Account)
        .where(
            Account.role == ROLE_OFFICER,
            Account.active.is_(True),
            Account.unit_code == dossier.handling_unit,
        )
        .order_by(Account.full_name, Account.id)
    )
    return [{"id": a.public_id, "full_name": a.full_name} for a in people]
