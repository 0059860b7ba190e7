"""Processing stored updates in a worker: one chat at a time and in order (a Redis lock per
chat), each update claimed so two workers never answer it twice, errors retried a few times
and then apologised for."""

from __future__ import annotations

import logging
from contextlib import nullcontext
from datetime import timedelta

from flask import current_app
from sqlalchemy import or_, select, update

from api.kernel.clock import utcnow
from api.kernel.database import db
from api.kernel.i18n import message
from bots.engine.identity import saved_language
from bots.engine.types import Reply
from bots.models import BotUpdate
from bots.telegram import adapter as telegram
from bots.zalo import adapter as zalo

log = logging.getLogger(__name__)

ADAPTERS = {"telegram": telegram, "zalo": zalo}
CLAIM = timedelta(minutes=2)
MAX_ATTEMPTS = 3
LOCK_SECONDS = 60


def process_update(update_id: int) -> str:
    row = db.session.get(BotUpdate, update_id)
    if row is None or row.processed_at is not None:
        return "skipped"
    channel, chat_id = row.channel, row.chat_id
    db.session.commit()
    lock = (
        current_app.extensions["redis"].lock(
            f"bot:chat-lock:{channel}:{chat_id}",
            timeout=LOCK_SECONDS,
            blocking_timeout=LOCK_SECONDS,
        )
        if chat_id
        else nullcontext()
    )
    with lock:
        # Earlier updates of the same chat first: answers come in the order people wrote.
        ids = (
            list(
                db.session.scalars(
                    select(BotUpdate.id)
                    .where(
                        BotUpdate.channel == channel,
                        BotUpdate.chat_id == chat_id,
                        BotUpdate.processed_at.is_(None),
                        BotUpdate.id <= update_id,
                    )
                    .order_by(BotUpdate.id)
                )
            )
            if chat_id
            else [update_id]
        )
        db.session.commit()
        outcomes = [_process_one(i) for i in ids]
    return outcomes[-1] if outcomes else "skipped"


def _claim(update_id: int) -> bool:
    now = utcnow()
    won = db.session.execute(
        update(BotUpdate)
        .where(
            BotUpdate.id == update_id,
            BotUpdate.processed_at.is_(None),
            or_(BotUpdate.claimed_until.is_(None), BotUpdate.claimed_until < now),
        )
        .values(claimed_until=now + CLAIM, attempts=BotUpdate.attempts + 1)
    ).rowcount
    db.session.commit()
    return bool(won)


def _mark(update_id: int, **values: object) -> None:
    # One UPDATE opening its own transaction: on SQLite a read followed by a write in one
    # transaction fails when the webhook inserted meanwhile.
    db.session.execute(update(BotUpdate).where(BotUpdate.id == update_id).values(**values))
    db.session.commit()


def _process_one(update_id: int) -> str:
    if not _claim(update_id):
        return "skipped"
    row = db.session.get(BotUpdate, update_id)
    channel, chat_id, payload, attempts = row.channel, row.chat_id, row.payload, row.attempts
    db.session.commit()
    try:
        ADAPTERS[channel].process(payload)
    except Exception as exc:  # noqa: BLE001 - one bad update must not stop the chat's others
        db.session.rollback()
        log.exception("bot_update_failed", extra={"channel": channel, "update": update_id})
        gave_up = attempts >= MAX_ATTEMPTS
        _mark(
            update_id,
            error=type(exc).__name__[:200],
            claimed_until=None,
            processed_at=utcnow() if gave_up else None,
        )
        if gave_up and chat_id:
            _apologise(channel, chat_id)
        return "failed" if gave_up else "retry_later"
    _mark(update_id, processed_at=utcnow(), claimed_until=None)
    return "processed"


def _apologise(channel: str, chat_id: str) -> None:
    try:
        text = message("bot_busy", saved_language(channel, chat_id))
        ADAPTERS[channel].send(chat_id, [Reply(text)])
    except Exception:  # noqa: BLE001 - the apology is best effort
        log.warning("bot_apology_failed", extra={"channel": channel})
