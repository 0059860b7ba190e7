"""Creating notifications (in the caller's transaction), turning domain events into them,
and the in-app inbox. Delivery itself is in push/dispatch.py, run by workers."""

from __future__ import annotations

import logging

from sqlalchemy import func, or_, select, update

from api.auth.guard import Principal
from api.auth.models import Account
from api.clock import utcnow
from api.dossiers.models import DomainEvent, Dossier, DossierFollow, DossierStatus
from api.errors import ApiError
from api.extensions import db
from api.i18n import register_messages
from api.notifications.models import Notification
from api.pagination import Page
from api.profile.models import ChatIdentity, Device, NotificationPreference
from api.profile.service import default_preferences, notification_catalog
from push.chain import Reach, choose_chain, quiet_until

log = logging.getLogger(__name__)

register_messages(
    {
        "notification_not_found": {
            "vi": "Không tìm thấy thông báo này.",
            "en": "This notification was not found.",
        }
    }
)

# Which notification a status change makes, by the status it moved to.
EVENT_BY_STATUS = {
    5: "supplement_requested",
    6: "payment_requested",
    9: "result_ready",
    10: "result_ready",
}


def _urgent(event: str) -> bool:
    return any(e["code"] == event and e.get("urgent") for e in notification_catalog()["events"])


def reach_of(account: Account) -> Reach:
    tokens = list(db.session.scalars(select(Device.target).where(Device.account_id == account.id)))
    chats = {
        c.channel: c
        for c in db.session.scalars(
            select(ChatIdentity).where(
                ChatIdentity.account_id == account.id, ChatIdentity.blocked_at.is_(None)
            )
        )
    }
    zalo, telegram = chats.get("zalo"), chats.get("telegram")
    return Reach(
        phone=account.phone,
        email=account.email,
        device_tokens=tokens,
        zalo_user_id=zalo.external_id if zalo else None,
        zalo_last_interaction=zalo.last_interaction_at if zalo else None,
        telegram_chat_id=telegram.external_id if telegram else None,
    )


def notify_account(
    account: Account, event: str, params: dict, dedupe_key: str, dossier_id: int | None = None
) -> Notification | None:
    """Make one notification for ``account`` unless this dedupe key was seen (caller commits)."""
    if db.session.scalar(select(Notification.id).where(Notification.dedupe_key == dedupe_key)):
        return None
    stored = db.session.get(NotificationPreference, account.id)
    prefs = (
        default_preferences()
        if stored is None
        else {
            "channels": stored.channels,
            "events": stored.events,
            "quiet_hours": {"start": stored.quiet_start, "end": stored.quiet_end},
            "language": stored.language,
        }
    )
    wanted = prefs["events"].get(event, True)
    urgent = _urgent(event)
    now = utcnow()
    quiet = prefs.get("quiet_hours") or {}
    later = None if urgent else quiet_until(now, quiet.get("start"), quiet.get("end"))
    notification = Notification(
        dedupe_key=dedupe_key,
        account_id=account.id,
        event=event,
        dossier_id=dossier_id,
        params=params,
        language=prefs.get("language", "vi"),
        urgent=urgent,
        chain=choose_chain(prefs["channels"], reach_of(account), event, wanted),
        next_attempt_at=later or now,
    )
    if not notification.chain:
        notification.status = "delivered"  # in-app only: the inbox entry is the delivery
        notification.delivered_at, notification.delivered_channel = now, "inbox"
    db.session.add(notification)
    return notification


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
    notification = Notification(
        dedupe_key=dedupe_key,
        chat_channel=channel,
        chat_id=chat_id,
        event=event,
        dossier_id=dossier_id,
        params=params,
        language=language,
        urgent=_urgent(event),
        chain=[channel],
        next_attempt_at=utcnow(),
    )
    db.session.add(notification)
    return notification


def dossier_params(dossier: Dossier, status: DossierStatus, language: str = "vi") -> dict:
    return {
        "code": dossier.code,
        "procedure": dossier.procedure_name,
        "status": status.label_vi,
        "status_en": status.label_en,
        "advice": status.advice_vi,
        "advice_en": status.advice_en,
    }


def fan_out(event: DomainEvent) -> list[Notification]:
    """A dossier status change → one notification per owner, follower and following chat."""
    created: list[Notification] = []
    if event.kind != "dossier.status_changed" or event.dossier_id is None:
        return created
    dossier = db.session.get(Dossier, event.dossier_id)
    status = db.session.get(DossierStatus, event.payload["to_status"])
    kind = EVENT_BY_STATUS.get(status.code, "status_changed")
    params = dossier_params(dossier, status)
    if status.group == "supplement_requested":
        from api.messaging.system import open_supplement_thread

        open_supplement_thread(dossier, event.dedupe_key)  # what is missing, in the thread
    follower_ids = select(DossierFollow.account_id).where(
        DossierFollow.dossier_id == dossier.id, DossierFollow.account_id.is_not(None)
    )
    owner = (
        Account.personal_id == dossier.applicant_id_number if dossier.applicant_id_number else False
    )
    accounts = db.session.scalars(select(Account).where(or_(Account.id.in_(follower_ids), owner)))
    for account in accounts:
        made = notify_account(
            account, kind, params, f"{event.dedupe_key}:a{account.id}", dossier.id
        )
        created += [made] if made else []
    chats = db.session.execute(
        select(DossierFollow.chat_channel, DossierFollow.chat_id).where(
            DossierFollow.dossier_id == dossier.id, DossierFollow.chat_channel.is_not(None)
        )
    )
    for channel, chat_id in chats:
        made = notify_chat(
            channel, chat_id, kind, params, f"{event.dedupe_key}:{channel}:{chat_id}", dossier.id
        )
        created += [made] if made else []
    if status.group == "done":
        from api.feedback.invitation import invite_to_rate

        created += invite_to_rate(dossier)
    return created


def process_pending_events(limit: int = 200) -> list[int]:
    """Turn unprocessed domain events into notifications; each event commits with its own
    notifications and its processed mark, so a crash repeats nothing and loses nothing."""
    ids: list[int] = []
    events = list(
        db.session.scalars(
            select(DomainEvent)
            .where(DomainEvent.processed_at.is_(None))
            .order_by(DomainEvent.id)
            .limit(limit)
            # Concurrent wake-ups skip the rows another is taking instead of waiting on them.
            .with_for_update(skip_locked=True)
        )
    )
    for event in events:
        claimed = db.session.execute(
            update(DomainEvent)
            .where(DomainEvent.id == event.id, DomainEvent.processed_at.is_(None))
            .values(processed_at=utcnow())
        ).rowcount
        if not claimed:
            db.session.rollback()
            continue
        made = fan_out(event)
        db.session.commit()
        ids += [n.id for n in made if n.status == "pending"]
    return ids


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
    db.session.commit()
    return count
