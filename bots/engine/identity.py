"""Who is behind a chat: the linked account (if any) as a Principal, and the chat's own row
(language, how its link was proven)."""

from __future__ import annotations

from sqlalchemy import select, update

from api.auth.guard import Principal
from api.auth.models import ASSURANCE_PHONE, ASSURANCE_VNEID, ROLE_CITIZEN, Account
from api.kernel.clock import utcnow
from api.kernel.database import db
from api.profile.models import ChatIdentity
from api.profile.service import account_for_chat
from bots.models import BotChat


def chat_row(channel: str, chat_id: str, create: bool = False) -> BotChat | None:
    row = db.session.scalar(
        select(BotChat).where(BotChat.channel == channel, BotChat.chat_id == chat_id)
    )
    if row is None and create:
        row = BotChat(channel=channel, chat_id=chat_id)
        db.session.add(row)
    return row


def saved_language(channel: str, chat_id: str) -> str:
    row = chat_row(channel, chat_id)
    return row.language if row else "vi"


def languages_of(chat_ids: set[str]) -> list[tuple[tuple[str, str], str]]:
    """((channel, chat_id), language) of the given chats that chose one with the bot: the
    notification fan-out asks (``push.notifications.announcements.CHAT_LANGUAGES``)."""
    return [
        ((channel, chat_id), language or "vi")
        for channel, chat_id, language in db.session.execute(
            select(BotChat.channel, BotChat.chat_id, BotChat.language).where(
                BotChat.chat_id.in_(chat_ids)
            )
        )
    ]


def save_language(channel: str, chat_id: str, language: str) -> None:
    row = chat_row(channel, chat_id, create=True)
    row.language, row.updated_at = language, utcnow()
    db.session.commit()


def remember_link(channel: str, chat_id: str, assurance: str) -> None:
    """Record how the chat's link was proven (caller commits)."""
    row = chat_row(channel, chat_id, create=True)
    row.link_assurance, row.updated_at = assurance, utcnow()


def principal_for_chat(channel: str, chat_id: str) -> Principal | None:
    """The linked citizen, acting with what the link proved: a VNeID-verified account linked
    with a code from the app counts as verified; a chat linked by phone code proves a phone."""
    account_id = account_for_chat(channel, chat_id)
    if account_id is None:
        return None
    account = db.session.get(Account, account_id)
    if account is None or not account.active or account.role != ROLE_CITIZEN:
        return None
    row = chat_row(channel, chat_id)
    proven = row.link_assurance if row else None
    assurance = (
        ASSURANCE_VNEID
        if proven == ASSURANCE_VNEID and account.assurance == ASSURANCE_VNEID
        else ASSURANCE_PHONE
    )
    return Principal.of(account, assurance)


def touch(channel: str, chat_id: str) -> None:
    """A message from the person: they can be reached again (Zalo's reply window restarts,
    and whoever blocked the bot has unblocked it). Caller commits."""
    db.session.execute(
        update(ChatIdentity)
        .where(ChatIdentity.channel == channel, ChatIdentity.external_id == chat_id)
        .values(last_interaction_at=utcnow(), blocked_at=None)
    )


def mark_blocked(channel: str, chat_id: str) -> None:
    """The person blocked the bot or unfollowed the OA: stop sending (caller commits)."""
    db.session.execute(
        update(ChatIdentity)
        .where(ChatIdentity.channel == channel, ChatIdentity.external_id == chat_id)
        .values(blocked_at=utcnow())
    )
