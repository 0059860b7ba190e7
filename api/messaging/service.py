"""Writing to a dossier's thread: citizen, community and officer messages with attachments,
and what follows a message (the citizen's notification, the portal queue, the audit trail).

Callers are the API, the bots and workers alike: functions take a ``Principal`` and a channel,
never Flask's request.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from api.audit.service import Origin, record
from api.auth.guard import Principal
from api.dossiers.models import Dossier
from api.kernel import settings
from api.kernel.clock import utcnow
from api.kernel.database import db
from api.kernel.errors import ApiError
from api.kernel.i18n import register_messages
from api.kernel.ratelimit import Limit, hit
from api.messaging import attachments, content
from api.messaging.access import CITIZEN_VIEW, STAFF_VIEW, Access, thread_access
from api.messaging.attachments import Upload
from api.messaging.models import (
    CHANNELS,
    CITIZEN_SIDE,
    CLOSED,
    COMMUNITY,
    OFFICER,
    STAFF_SIDE,
    Message,
    MessageThread,
)
from api.messaging.reading import name_authors
from api.messaging.threads import by_external_id, reopen, thread_of
from api.messaging.views import MessageView
from api.portal import outbox
from push.notifications.models import Notification
from push.notifications.queueing import deliver_after_commit
from push.notifications.service import notify_applicant

__all__ = ["Upload", "post_message", "hand_over"]

MESSAGES_PER_ACCOUNT = Limit("messages_per_account", 30, 600)

register_messages(
    {
        "message_empty": {
            "vi": "Tin nhắn chưa có nội dung. Xin nhập nội dung hoặc gửi kèm tệp.",
            "en": "The message is empty. Please write something or attach a file.",
        },
        "message_too_long": {
            "vi": "Tin nhắn quá dài: tối đa {max} ký tự.",
            "en": "The message is too long: at most {max} characters.",
        },
        "unknown_channel": {
            "vi": "Kênh gửi tin nhắn không được hỗ trợ.",
            "en": "This message channel is not supported.",
        },
        "thread_closed": {
            "vi": "Cuộc trao đổi này đã đóng. Xin mở lại trước khi trả lời.",
            "en": "This conversation is closed. Please reopen it before replying.",
        },
        "message_id_conflict": {
            "vi": "Mã tin nhắn này đã được dùng cho một hồ sơ khác.",
            "en": "This message id was already used for another dossier.",
        },
    }
)


def post_message(
    principal: Principal,
    code: str,
    text: str | None,
    channel: str = "app",
    uploads: Sequence[Upload] = (),
    external_message_id: str | None = None,
    acting_for: Principal | None = None,
    origin: Origin | None = None,
) -> tuple[MessageView, bool]:
    """Add a message to dossier ``code``'s thread as ``principal``: the applicant, an officer
    of the handling unit (or an admin), or a community member ``acting_for`` a resident.

    Returns ``(message, created)``; ``created`` is False when ``external_message_id`` was
    stored before on this channel (a redelivered webhook or a retried request)."""
    if channel not in CHANNELS:
        raise ApiError(422, "unknown_channel")
    body = content.clean_text(text or "")
    if len(body) > content.MAX_TEXT:
        raise ApiError(422, "message_too_long", max=content.MAX_TEXT)
    if not body and not uploads:
        raise ApiError(422, "message_empty")
    external_message_id = (external_message_id or "").strip()[:128] or None
    access = thread_access(principal, code, acting_for)
    found = by_external_id(channel, external_message_id)
    if found is not None:
        return _same_dossier(found, access.dossier), False
    if access.view == CITIZEN_VIEW:  # keeps a unit's inbox usable if someone floods it
        hit(MESSAGES_PER_ACCOUNT, str(principal.account_id))
    checked = attachments.check_uploads(uploads)

    thread = thread_of(access.dossier, create=True)
    if thread.status == CLOSED and access.view == STAFF_VIEW:
        raise ApiError(409, "thread_closed")
    reopen(thread)  # a citizen's message reopens a closed thread
    message = Message(
        thread_id=thread.id,
        author_kind=access.author.kind,
        author_account_id=access.author.account_id,
        on_behalf_of_id=access.author.on_behalf_of_id,
        channel=channel,
        body=body,
        meta={},
        external_message_id=external_message_id,
        created_at=utcnow(),
    )
    db.session.add(message)
    db.session.flush()
    saved = attachments.store(message, thread, checked)
    made = _after_post(access, thread, message, origin or Origin(channel=channel))
    try:
        db.session.flush()  # the caller's unit of work commits (api.kernel.unit_of_work)
    except IntegrityError:
        # The same external id arrived twice at the same moment: the first one stays.
        db.session.rollback()
        attachments.discard(saved)
        found = by_external_id(channel, external_message_id)
        if found is None:
            raise
        return _same_dossier(found, access.dossier), False
    hand_over(made)
    return name_authors([message], access.dossier.applicant_name)[0], True


def _same_dossier(found: Message, dossier: Dossier) -> MessageView:
    if db.session.get(MessageThread, found.thread_id).dossier_id != dossier.id:
        raise ApiError(409, "message_id_conflict")
    return name_authors([found], dossier.applicant_name)[0]


def _after_post(
    access: Access, thread: MessageThread, message: Message, origin: Origin
) -> list[Notification]:
    now = message.created_at
    thread.last_message_at = now
    thread.last_preview = content.preview(message.body, len(message.attachments))
    # Writing implies having read what the other side wrote before.
    other_side = STAFF_SIDE if access.view == CITIZEN_VIEW else CITIZEN_SIDE
    db.session.execute(
        update(Message)
        .where(
            Message.thread_id == thread.id,
            Message.author_kind.in_(other_side),
            Message.read_at.is_(None),
            Message.id < message.id,
        )
        .values(read_at=now)
    )
    made: list[Notification] = []
    if access.view == CITIZEN_VIEW:
        thread.awaiting_reply_since = thread.awaiting_reply_since or now
    else:
        thread.awaiting_reply_since = None
        made = _notify_owner(access.dossier, message)
    if message.author_kind == COMMUNITY:
        # The resident can read in their audit trail what was done on their behalf.
        record(
            "message_sent_on_behalf",
            origin,
            actor_id=message.author_account_id,
            subject_id=message.on_behalf_of_id,
            object_type="dossier",
            object_id=access.dossier.code,
        )
    _queue_for_portal(access.dossier, message)
    return made


def _notify_owner(dossier: Dossier, message: Message) -> list[Notification]:
    """The applicant hears of an officer's reply on their own channels (caller commits)."""
    params = {
        "code": dossier.code,
        "procedure": dossier.procedure_name,
        "preview": content.preview(message.body, len(message.attachments)),
    }
    return notify_applicant(dossier, "officer_reply", params, f"officer_reply:{message.id}")


def hand_over(made: Sequence[Notification]) -> None:
    """To the delivery workers when the caller's unit of work commits."""
    db.session.flush()  # the new notifications' ids
    ids = [n.id for n in made if n.status == "pending"]
    if ids:
        deliver_after_commit(ids)


def portal_service() -> str:
    # *Unconfirmed*: no public source names the portal's service for dossier messages.
    return settings.current().portal_message_service


def _queue_for_portal(dossier: Dossier, message: Message) -> None:
    sender = {OFFICER: "CAN_BO", COMMUNITY: "TO_CONG_NGHE_SO"}.get(message.author_kind, "CONG_DAN")
    files = [
        {"TenTep": a.filename, "LoaiTep": a.content_type, "KichThuoc": a.size, "MaBam": a.sha256}
        for a in message.attachments
    ]
    outbox.enqueue(
        portal_service(),
        {
            "MaHoSo": dossier.code,
            "MaTinNhan": str(message.id),
            "NguoiGui": sender,
            "KenhGui": message.channel,
            "NoiDung": message.body,
            "ThoiDiemGui": outbox.portal_time(message.created_at),
            "TepDinhKem": files,
        },
        f"message:{message.id}",
        dossier.id,
    )
