"""Telling units about new citizen messages: a periodic digest, not one email per message.

Each run (a period) gathers the citizen messages no digest has covered yet, per handling unit:
every active officer of the unit gets one in-app notification, and the unit's mailbox gets ONE
email. Messages are claimed with a conditional update in the same transaction as the
notifications, so two runs at once never tell a unit twice about the same message.

Commits on its own: each unit's digest is committed before the next, so a crash never sends a
unit two digests.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections import OrderedDict

from sqlalchemy import select, update

from api.auth.models import ROLE_OFFICER, Account
from api.dossiers.models import Dossier
from api.kernel import settings
from api.kernel.clock import utcnow
from api.kernel.database import db
from api.messaging.models import CITIZEN_SIDE, Message, MessageThread
from push.notifications.models import DELIVERED, Notification
from push.notifications.queueing import enqueue_delivery
from push.notifications.service import notify_account

log = logging.getLogger(__name__)

EVENT = "unit_message_digest"
MAX_CODES = 10  # dossier codes named in one digest


def unit_mailboxes() -> dict[str, str]:
    """Unit code → the unit's mailbox for digests (setting ``unit_digest_emails``, a JSON
    object or a dict)."""
    value = settings.current().unit_digest_emails
    return json.loads(value) if isinstance(value, str) else dict(value)


def _in_app_only(account: Account, params: dict, key: str) -> Notification | None:
    """An inbox entry for an officer: never pushed, whatever their channel preferences."""
    made = notify_account(account, EVENT, params, key)
    if made is not None:
        made.chain = []
        made.status, made.delivered_at, made.delivered_channel = DELIVERED, utcnow(), "inbox"
    return made


def _email(address: str, params: dict, key: str) -> Notification | None:
    if db.session.scalar(select(Notification.id).where(Notification.dedupe_key == key)):
        return None
    made = Notification(
        dedupe_key=key,
        chat_channel="email",
        chat_id=address,
        event=EVENT,
        params=params,
        language="vi",
        chain=["email"],
        next_attempt_at=utcnow(),
    )
    db.session.add(made)
    return made


def _pending_by_unit() -> OrderedDict[str, list[tuple[int, str, bool]]]:
    rows = db.session.execute(
        select(Message.id, Dossier.handling_unit, Dossier.code, Message.read_at.is_(None))
        .join(MessageThread, MessageThread.id == Message.thread_id)
        .join(Dossier, Dossier.id == MessageThread.dossier_id)
        .where(Message.author_kind.in_(CITIZEN_SIDE), Message.digested_at.is_(None))
        .order_by(Message.id)
    )
    groups: OrderedDict[str, list[tuple[int, str, bool]]] = OrderedDict()
    for message_id, unit, code, unread in rows:
        groups.setdefault(unit or "", []).append((message_id, code, bool(unread)))
    return groups


def send_unit_digests() -> dict[str, int]:
    """Wiring for a periodic job (e.g. hourly). Returns counts; enqueues the emails."""
    counts = {"units": 0, "in_app": 0, "emails": 0}
    mailboxes = unit_mailboxes()
    to_send: list[int] = []
    for unit, messages in _pending_by_unit().items():
        ids = [m[0] for m in messages]
        now = utcnow()
        claimed = db.session.execute(
            update(Message)
            .where(Message.id.in_(ids), Message.digested_at.is_(None))
            .values(digested_at=now)
        ).rowcount
        if claimed != len(ids):
            db.session.rollback()  # another run took some of them: it tells the unit
            continue
        unread = [m for m in messages if m[2]]  # already read ones need no telling
        if not unit or not unread:
            db.session.commit()
            continue
        codes = list(OrderedDict.fromkeys(code for _, code, _ in unread))
        named = ", ".join(codes[:MAX_CODES]) + (" …" if len(codes) > MAX_CODES else "")
        params = {"count": len(unread), "dossiers": named, "unit": unit}
        key = f"{EVENT}:{hashlib.sha256(unit.encode()).hexdigest()[:16]}:{max(ids)}"
        officers = db.session.scalars(
            select(Account).where(
                Account.role == ROLE_OFFICER, Account.unit_code == unit, Account.active.is_(True)
            )
        ).all()
        for officer in officers:
            counts["in_app"] += _in_app_only(officer, params, f"{key}:a{officer.id}") is not None
        address, email = mailboxes.get(unit, ""), None
        if 0 < len(address) <= 64:  # Notification.chat_id holds at most 64 characters
            email = _email(address, params, f"{key}:email")
        else:
            log.warning("unit_digest_no_mailbox", extra={"unit": unit, "configured": bool(address)})
        db.session.commit()
        counts["units"] += 1
        if email is not None:
            to_send.append(email.id)
            counts["emails"] += 1
    if to_send:
        enqueue_delivery(to_send)
    return counts
