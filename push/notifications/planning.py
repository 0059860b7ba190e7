"""Deciding what a notification looks like for its recipient (channels, language, when), for
one account or thousands at once, and storing new ones while skipping dedupe keys already seen.

The fan-out of a burst of status changes and a single officer reply go through the same rules;
only the loading differs (a few set-wise queries for many accounts instead of a few per one).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.dialects import postgresql, sqlite

from api.auth.models import Account
from api.kernel.database import db
from api.profile.models import ChatIdentity, Device, NotificationPreference
from push.channels.protocol import Reach
from push.notifications import templates
from push.notifications.chain import choose_chain, quiet_until
from push.notifications.models import DELIVERED, PENDING, Notification
from push.notifications.preferences import is_urgent, merged


@dataclass
class Recipient:
    """What the rules need to know of one account: its preferences and what reaches it."""

    account_id: int
    preferences: dict[str, Any]
    reach: Reach


def reaches(accounts: Iterable[Account]) -> dict[int, Reach]:
    """Phone, e-mail, app installs and unblocked chats of many accounts in two queries."""
    found = {a.id: Reach(phone=a.phone, email=a.email) for a in accounts}
    if not found:
        return found
    for account_id, target in db.session.execute(
        select(Device.account_id, Device.target)
        .where(Device.account_id.in_(found))
        .order_by(Device.id)
    ):
        found[account_id].device_tokens.append(target)
    for chat in db.session.scalars(
        select(ChatIdentity).where(
            ChatIdentity.account_id.in_(found), ChatIdentity.blocked_at.is_(None)
        )
    ):
        reach = found[chat.account_id]
        reach.chats[chat.channel] = chat.external_id
        if chat.channel == "zalo":
            reach.zalo_user_id = chat.external_id
            reach.zalo_last_interaction = chat.last_interaction_at
        elif chat.channel == "telegram":
            reach.telegram_chat_id = chat.external_id
    return found


def recipients(accounts: Iterable[Account]) -> dict[int, Recipient]:
    accounts = list(accounts)
    reach = reaches(accounts)
    stored = (
        {
            p.account_id: p
            for p in db.session.scalars(
                select(NotificationPreference).where(
                    NotificationPreference.account_id.in_([a.id for a in accounts])
                )
            )
        }
        if accounts
        else {}
    )
    return {a.id: Recipient(a.id, merged(stored.get(a.id)), reach[a.id]) for a in accounts}


def for_account(
    recipient: Recipient,
    event: str,
    params: dict,
    dedupe_key: str,
    dossier_id: int | None,
    now: datetime,
) -> dict[str, Any]:
    """The new notification's columns for one account, by its preferences."""
    templates.require(event)  # an event nobody can word fails here, not at delivery
    prefs = recipient.preferences
    wanted = prefs["events"].get(event, True)
    urgent = is_urgent(event)
    quiet = prefs.get("quiet_hours") or {}
    later = None if urgent else quiet_until(now, quiet.get("start"), quiet.get("end"))
    chain = choose_chain(prefs["channels"], recipient.reach, event, wanted)
    row = {
        "dedupe_key": dedupe_key,
        "account_id": recipient.account_id,
        "chat_channel": None,
        "chat_id": None,
        "event": event,
        "dossier_id": dossier_id,
        "params": params,
        "language": prefs.get("language") or "vi",
        "urgent": urgent,
        "chain": chain,
        "status": PENDING,
        "next_attempt_at": later or now,
        "delivered_at": None,
        "delivered_channel": None,
        "created_at": now,
    }
    if not chain:
        # Nothing to push (events switched off): the inbox entry is the delivery.
        row.update(status=DELIVERED, delivered_at=now, delivered_channel="inbox")
    return row


def for_chat(
    channel: str,
    chat_id: str,
    event: str,
    params: dict,
    dedupe_key: str,
    dossier_id: int | None,
    now: datetime,
    language: str = "vi",
) -> dict[str, Any]:
    """The new notification's columns for a chat that follows a dossier without an account."""
    templates.require(event)
    return {
        "dedupe_key": dedupe_key,
        "account_id": None,
        "chat_channel": channel,
        "chat_id": chat_id,
        "event": event,
        "dossier_id": dossier_id,
        "params": params,
        "language": language,
        "urgent": is_urgent(event),
        "chain": [channel],
        "status": PENDING,
        "next_attempt_at": now,
        "delivered_at": None,
        "delivered_channel": None,
        "created_at": now,
    }


def insert_new(rows: list[dict[str, Any]]) -> list[tuple[int, str, bool]]:
    """Insert the rows whose dedupe key is new, in one statement; (id, status, urgent) of those
    stored.

    A key seen before (a repeated event, a crash after the insert) is skipped by the database,
    which is what makes turning an event into notifications safe to repeat.
    """
    unique = list({row["dedupe_key"]: row for row in rows}.values())
    if not unique:
        return []
    dialect = db.session.get_bind().dialect.name
    table = Notification.__table__
    if dialect == "postgresql":
        statement = postgresql.insert(table).on_conflict_do_nothing(index_elements=["dedupe_key"])
    elif dialect == "sqlite":
        statement = sqlite.insert(table).on_conflict_do_nothing(index_elements=["dedupe_key"])
    else:  # pragma: no cover - the two databases we run on
        seen = set(
            db.session.scalars(
                select(Notification.dedupe_key).where(
                    Notification.dedupe_key.in_([r["dedupe_key"] for r in unique])
                )
            )
        )
        statement, unique = insert(table), [r for r in unique if r["dedupe_key"] not in seen]
    made = db.session.execute(
        statement.returning(table.c.id, table.c.status, table.c.urgent), unique
    )
    return [(row.id, row.status, row.urgent) for row in made]
