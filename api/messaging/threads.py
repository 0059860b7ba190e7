"""Finding and creating a dossier's one thread, and finding a message by its external id."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from api.dossiers.models import Dossier
from api.kernel.database import db
from api.messaging.models import CLOSED, OPEN, Message, MessageThread


def thread_of(dossier: Dossier, create: bool = False) -> MessageThread | None:
    thread = db.session.scalar(select(MessageThread).where(MessageThread.dossier_id == dossier.id))
    if thread is None and create:
        try:
            with db.session.begin_nested():  # two first messages at once: still one thread
                thread = MessageThread(dossier_id=dossier.id, status=OPEN)
                db.session.add(thread)
        except IntegrityError:
            thread = db.session.scalar(
                select(MessageThread).where(MessageThread.dossier_id == dossier.id)
            )
    return thread


def reopen(thread: MessageThread) -> None:
    if thread.status == CLOSED:
        thread.status, thread.closed_at, thread.closed_by_id = OPEN, None, None


def by_external_id(channel: str, external_id: str | None) -> Message | None:
    if not external_id:
        return None
    return db.session.scalar(
        select(Message).where(
            Message.channel == channel, Message.external_message_id == external_id
        )
    )
