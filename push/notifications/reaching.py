"""Where a batch of notifications can reach people, and chats that blocked us."""

from __future__ import annotations

import logging

from sqlalchemy import delete, select, update

from api.auth.models import Account
from api.dossiers.models import DossierFollow
from api.kernel.clock import utcnow
from api.kernel.database import db
from api.profile.models import ChatIdentity
from push.channels.protocol import Reach
from push.notifications import models as m
from push.notifications.planning import reaches

log = logging.getLogger(__name__)


def reaches_of(notifications: list[m.Notification]) -> dict[int, Reach]:
    account_ids = {n.account_id for n in notifications if n.account_id is not None}
    of_account = (
        reaches(db.session.scalars(select(Account).where(Account.id.in_(account_ids))))
        if account_ids
        else {}
    )
    zalo_ids = [n.chat_id for n in notifications if n.chat_channel == "zalo"]
    last_interaction = (
        dict(
            db.session.execute(
                select(ChatIdentity.external_id, ChatIdentity.last_interaction_at).where(
                    ChatIdentity.channel == "zalo", ChatIdentity.external_id.in_(zalo_ids)
                )
            ).all()
        )
        if zalo_ids
        else {}
    )
    found: dict[int, Reach] = {}
    for n in notifications:
        if n.account_id is not None:
            found[n.id] = of_account.get(n.account_id) or Reach()
        elif n.chat_channel == "sms":
            found[n.id] = Reach(phone=n.chat_id)
        elif n.chat_channel == "email":
            found[n.id] = Reach(email=n.chat_id)
        elif n.chat_channel == "telegram":
            found[n.id] = Reach(telegram_chat_id=n.chat_id)
        elif n.chat_channel == "zalo":
            # A chat that wrote to us is inside the window until we learn otherwise.
            found[n.id] = Reach(
                zalo_user_id=n.chat_id,
                zalo_last_interaction=last_interaction.get(n.chat_id) or utcnow(),
            )
        elif n.chat_channel:
            found[n.id] = Reach(chats={n.chat_channel: n.chat_id})  # a channel added later
        else:
            found[n.id] = Reach()
    return found


def mark_chat_blocked(channel: str, notification: m.Notification) -> None:
    condition = [ChatIdentity.channel == channel]
    if notification.account_id is not None:
        condition.append(ChatIdentity.account_id == notification.account_id)
    else:
        condition.append(ChatIdentity.external_id == notification.chat_id)
        # A chat that blocked the bot stops following: later changes would only fail again.
        db.session.execute(
            delete(DossierFollow).where(
                DossierFollow.chat_channel == channel, DossierFollow.chat_id == notification.chat_id
            )
        )
        log.info("blocked_chat_unfollowed", extra={"channel": channel})
    db.session.execute(update(ChatIdentity).where(*condition).values(blocked_at=utcnow()))
