"""A chat following a dossier without an account: a DossierFollow row with the chat's channel
and id, so status changes reach the chat through the notification pipeline (fan_out)."""

from __future__ import annotations

from sqlalchemy import select

from api.audit.service import Origin, record
from api.dossiers.models import Dossier, DossierFollow
from api.dossiers.service import start_following
from api.kernel.database import db
from api.kernel.ratelimit import Limit, hit

FOLLOWS_PER_CHAT = Limit("bot_follow_chat", 20, 3600)


def _row(channel: str, chat_id: str, dossier_id: int) -> DossierFollow | None:
    return db.session.scalar(
        select(DossierFollow).where(
            DossierFollow.dossier_id == dossier_id,
            DossierFollow.chat_channel == channel,
            DossierFollow.chat_id == chat_id,
        )
    )


def is_following(channel: str, chat_id: str, dossier: Dossier) -> bool:
    return _row(channel, chat_id, dossier.id) is not None


def follow(channel: str, chat_id: str, dossier: Dossier, origin: Origin) -> bool:
    """Start following (the caller has checked the chat may see the dossier). Returns False
    when the chat already follows it."""
    if _row(channel, chat_id, dossier.id) is not None:
        return False
    hit(FOLLOWS_PER_CHAT, f"{channel}:{chat_id}")
    start_following(dossier, origin, chat=(channel, chat_id))
    db.session.commit()
    return True


def unfollow(channel: str, chat_id: str, dossier: Dossier, origin: Origin) -> bool:
    row = _row(channel, chat_id, dossier.id)
    if row is None:
        return False
    db.session.delete(row)
    record(
        "dossier_unfollowed", origin, object_type="dossier", object_id=dossier.code, chat=channel
    )
    db.session.commit()
    return True


def followed_codes(channel: str, chat_id: str, limit: int = 5) -> list[str]:
    return list(
        db.session.scalars(
            select(Dossier.code)
            .join(DossierFollow, DossierFollow.dossier_id == Dossier.id)
            .where(DossierFollow.chat_channel == channel, DossierFollow.chat_id == chat_id)
            .order_by(DossierFollow.id.desc())
            .limit(limit)
        )
    )
