"""Creating single notifications (in the caller's transaction) and the in-app inbox. Domain
events become notifications in push/notifications/fanout.py; delivery is in push/notifications/dispatch.py."""

from __future__ import annotations

import logging

from sqlalchemy import func, select, update

from api.auth.guard import Principal
from api.auth.models import Account
from api.dossiers.applicant import applicant_accounts
from api.dossiers.models import Dossier
from api.kernel.clock import utcnow
from api.kernel.database import db
from api.kernel.errors import ApiError
from api.kernel.i18n import register_messages
from api.kernel.pagination import Page
from push.notifications import planning
from push.notifications.models import Notification

log = logging.getLogger(__name__)

register_messages(
    {
        "notification_not_found": {
            "vi": "Không tìm thấy thông báo này.",
            "en": "This notification was not found.",
        }
    }
)


def notify_account(
    account: Account, event: str, params: dict, dedupe_key: str, dossier_id: int | None = None
) -> Notification | None:
    """Make one notification for ``account`` unless this dedupe key was seen (caller commits)."""
    if db.session.scalar(select(Notification.id).where(Notification.dedupe_key == dedupe_key)):
        return None
    recipient = planning.recipients([account])[account.id]
    row = planning.for_account(recipient, event, params, dedupe_key, dossier_id, utcnow())
    notification = Notification(**row)
    db.session.add(notification)
    return notification


def notify_applicant(
    dossier: Dossier, event: str, params: dict, key_prefix: str
) -> list[Notification]:
    """One notification for each account on the dossier's applicant side (the VNeID owner of
    its personal number, the contact who proved its phone), keyed ``{key_prefix}:a{account
    id}``; none without one (caller commits)."""

    made = []
    for account in applicant_accounts(dossier):
        key = f"{key_prefix}:a{account.id}"
        notification = notify_account(account, event, params, key, dossier.id)
        made += [notification] if notification is not None else []
    return made


def notify_chat(
    channel: str,
    chat_id: str,
    event: str,
    params: dict,
    dedupe_key: str,
    dossier_id: int | None = None,
    language: str = "vi",
) -> Notification | None:
    if db.session.scalar(select(Notification.id).where(Notification.dedupe_key == dedupe_key)):
        return None
    row = planning.for_chat(
        channel, chat_id, event, params, dedupe_key, dossier_id, utcnow(), language
    )
    notification = Notification(**row)
    db.session.add(notification)
    return notification


# ---- inbox ---------------------------------------------------------------------------------------


def inbox(
    principal: Principal, page: Page, unread_only: bool = False
) -> tuple[list[Notification], int, int]:
    query = select(Notification).where(Notification.account_id == principal.account_id)
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    items = list(
        db.session.scalars(
            query.order_by(Notification.created_at.desc(), Notification.id.desc())
            .offset(page.offset)
            .limit(page.page_size)
        )
    )
    return items, total, unread_count(principal.account_id)


def unread_count(account_id: int) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(Notification)
        .where(Notification.account_id == account_id, Notification.read_at.is_(None))
    )


def mark_read(principal: Principal, notification_id: int | None = None) -> int:
    condition = [Notification.account_id == principal.account_id, Notification.read_at.is_(None)]
    if notification_id is not None:
        owned = db.session.scalar(
            select(Notification.id).where(
                Notification.id == notification_id, Notification.account_id == principal.account_id
            )
        )
        if owned is None:
            raise ApiError(404, "notification_not_found")
        condition.append(Notification.id == notification_id)
    count = db.session.execute(
        update(Notification).where(*condition).values(read_at=utcnow())
    ).rowcount
    db.session.flush()  # the caller's unit of work commits (api.kernel.unit_of_work)
    return count
