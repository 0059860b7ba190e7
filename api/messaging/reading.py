"""Reading a thread: cursor pages of messages (older with ``cursor``, newer with ``since``),
delivered and read marks, and unread counts."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, or_, select, update

from api.auth.guard import Principal
from api.auth.models import ROLE_OFFICER, Account
from api.dossiers.models import Dossier
from api.kernel.clock import utcnow
from api.kernel.database import db
from api.messaging.access import CITIZEN_VIEW, thread_access
from api.messaging.models import CITIZEN, CITIZEN_SIDE, OPEN, STAFF_SIDE, SYSTEM, Message
from api.messaging.models import MessageThread as Thread
from api.messaging.threads import thread_of
from api.messaging.views import MessageView, named

DEFAULT_LIMIT = 30
MAX_LIMIT = 100


@dataclass
class MessagePage:
    view: str
    thread: Thread | None
    items: list[MessageView] = field(default_factory=list)
    next_cursor: str | None = None  # pass as ``cursor`` for older messages
    more: bool = False  # with ``since``: more new messages than ``limit``
    unread_count: int = 0


def _incoming(view: str) -> tuple[str, ...]:
    """The author kinds the viewer receives (their unread and deliverable messages)."""
    return STAFF_SIDE if view == CITIZEN_VIEW else CITIZEN_SIDE


def list_messages(
    principal: Principal,
    code: str,
    cursor: int | None = None,
    since: int | None = None,
    limit: int = DEFAULT_LIMIT,
    acting_for: Principal | None = None,
) -> MessagePage:
    """Newest ``limit`` messages (older than ``cursor`` if given), or, with ``since`` (the id of
    the newest message the client has), the ones after it. Oldest first in each page.
    Messages from the other side are marked delivered, since the viewer has them now."""
    access = thread_access(principal, code, acting_for)
    limit = max(1, min(limit, MAX_LIMIT))
    thread = thread_of(access.dossier)
    page = MessagePage(view=access.view, thread=thread)
    if thread is None:
        return page
    query = select(Message).where(Message.thread_id == thread.id)
    if since is not None:
        rows = list(
            db.session.scalars(
                query.where(Message.id > since).order_by(Message.id).limit(limit + 1)
            )
        )
        page.more, shown = len(rows) > limit, rows[:limit]
    else:
        if cursor is not None:
            query = query.where(Message.id < cursor)
        rows = list(db.session.scalars(query.order_by(Message.id.desc()).limit(limit + 1)))
        shown = list(reversed(rows[:limit]))
        if len(rows) > limit:
            page.next_cursor = str(shown[0].id)
    _mark_delivered(thread, access.view, [m.id for m in shown])
    page.unread_count = _unread_in_thread(thread.id, access.view)
    page.items = name_authors(shown, access.dossier.applicant_name)
    return page


def _mark_delivered(thread: Thread, view: str, ids: list[int]) -> None:
    if not ids:
        return
    now = utcnow()
    changed = db.session.execute(
        update(Message)
        .where(
            Message.thread_id == thread.id,
            Message.id.in_(ids),
            Message.author_kind.in_(_incoming(view)),
            Message.delivered_at.is_(None),
        )
        .values(delivered_at=now)
        .execution_options(synchronize_session="fetch")
    ).rowcount
    if changed:
        db.session.flush()  # the caller's unit of work commits (api.kernel.unit_of_work)


def _unread_in_thread(thread_id: int, view: str) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(Message)
        .where(
            Message.thread_id == thread_id,
            Message.author_kind.in_(_incoming(view)),
            Message.read_at.is_(None),
        )
    )


def name_authors(messages: list[Message], applicant_name: str) -> list[MessageView]:
    """The messages as views with display names: staff and community members by name; the
    applicant by the dossier's applicant name; the system as such."""
    ids = {
        m.author_account_id for m in messages if m.author_account_id and m.author_kind != CITIZEN
    }
    names = dict(
        db.session.execute(select(Account.id, Account.full_name).where(Account.id.in_(ids))).all()
        if ids
        else []
    )
    views = []
    for message in messages:
        if message.author_kind == CITIZEN:
            author = applicant_name
        elif message.author_kind == SYSTEM:
            author = ""
        else:
            author = names.get(message.author_account_id, "")
        on_behalf = applicant_name if message.on_behalf_of_id is not None else None
        views.append(named(message, author, on_behalf))
    return views


def mark_read(
    principal: Principal, code: str, up_to: int | None = None, acting_for: Principal | None = None
) -> tuple[int, int]:
    """Mark what the other side wrote (up to message ``up_to``) as read.
    Returns (marked, still unread)."""
    access = thread_access(principal, code, acting_for)
    thread = thread_of(access.dossier)
    if thread is None:
        return 0, 0
    condition = [
        Message.thread_id == thread.id,
        Message.author_kind.in_(_incoming(access.view)),
        Message.read_at.is_(None),
    ]
    if up_to is not None:
        condition.append(Message.id <= up_to)
    now = utcnow()
    marked = db.session.execute(update(Message).where(*condition).values(read_at=now)).rowcount
    # Read implies delivered (a client may skip the listing, e.g. a bot's read receipt).
    db.session.execute(
        update(Message)
        .where(*condition[:2], Message.read_at.is_not(None), Message.delivered_at.is_(None))
        .values(delivered_at=now)
    )
    db.session.flush()  # the caller's unit of work commits (api.kernel.unit_of_work)
    return marked, _unread_in_thread(thread.id, access.view)


def unread_message_count(account_id: int) -> int:
    """For ``/me``: a citizen's unread officer and system messages on their own dossiers; for
    an officer, unread citizen messages in their unit's open threads."""
    account = db.session.get(Account, account_id)
    if account is None:
        return 0
    query = select(func.count()).select_from(Message).join(Thread, Thread.id == Message.thread_id)
    query = query.join(Dossier, Dossier.id == Thread.dossier_id).where(Message.read_at.is_(None))
    if account.role == ROLE_OFFICER and account.unit_code:
        query = query.where(
            Dossier.handling_unit == account.unit_code,
            Thread.status == OPEN,
            Message.author_kind.in_(CITIZEN_SIDE),
        )
    elif account.personal_id or account.phone:
        # The applicant side: by identity number (VNeID) or as the record's contact (phone).
        mine = [Dossier.applicant_id_number == account.personal_id] if account.personal_id else []
        mine += (
            [Dossier.contact_phone == account.phone]
            if account.phone and not account.is_staff
            else []
        )
        query = query.where(or_(*mine), Message.author_kind.in_(STAFF_SIDE))
    else:
        return 0
    return db.session.scalar(query)
