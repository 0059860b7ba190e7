"""Devices and chat links (notification preferences: push.notifications.preferences). Every function takes the acting
principal and touches only that account's records (object-level authorization lives here)."""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import timedelta

from sqlalchemy import select

from api.audit.service import Origin, record
from api.auth.guard import Principal
from api.kernel import events
from api.kernel.clock import as_utc, utcnow
from api.kernel.database import db
from api.kernel.errors import ApiError
from api.kernel.i18n import register_messages
from api.kernel.ratelimit import Limit, hit
from api.profile.models import (
    CHAT_CHANNELS,
    ChatIdentity,
    Device,
    LinkCode,
)

# account_id=, channel=: a chat was just linked to the account (inside the caller's transaction).
CHAT_LINKED = events.declare("profile.chat_linked", required=True)
LINK_CODE_TTL = timedelta(minutes=5)
LINK_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L to misread
LINK_CODE_LENGTH = 8
LINK_CODES_PER_ACCOUNT = Limit("link_code_create", 10, 3600)
LINK_ATTEMPTS_PER_CHAT = Limit("link_code_attempt", 5, 600)

register_messages(
    {
        "device_not_found": {
            "vi": "Không tìm thấy thiết bị này trong tài khoản của bạn.",
            "en": "This device is not registered to your account.",
        },
        "link_code_invalid": {
            "vi": "Mã liên kết không đúng hoặc đã hết hạn. Xin mở ứng dụng để lấy mã mới (mã dùng được 5 phút).",
            "en": "The link code is wrong or has expired. Please get a new code in the app (codes last 5 minutes).",
        },
        "chat_link_not_found": {
            "vi": "Tài khoản chưa liên kết với {channel}.",
            "en": "Your account is not linked to {channel}.",
        },
    }
)


# ---- devices ---------------------------------------------------------------------------------


def register_device(principal: Principal, data: dict, origin: Origin) -> Device:
    device = db.session.scalar(select(Device).where(Device.target == data["target"]))
    if device is None:
        device = Device(account_id=principal.account_id, target=data["target"])
        db.session.add(device)
    elif device.account_id != principal.account_id:
        # The install changed hands (sign-out and sign-in as someone else): move it.
        record(
            "device_moved",
            origin,
            actor_id=principal.account_id,
            subject_id=device.account_id,
            object_type="device",
            object_id=str(device.id),
        )
        device.account_id = principal.account_id
    device.target_type = data["target_type"]
    device.platform = data["platform"]
    device.app_version = data.get("app_version", "")
    device.language = data.get("language", "vi")
    device.updated_at = utcnow()
    db.session.flush()  # the caller's unit of work commits (api.kernel.unit_of_work)
    return device


def list_devices(principal: Principal) -> list[Device]:
    return list(
        db.session.scalars(
            select(Device).where(Device.account_id == principal.account_id).order_by(Device.id)
        )
    )


def remove_device(
    principal: Principal, *, device_id: int | None = None, target: str | None = None
) -> None:
    query = select(Device).where(Device.account_id == principal.account_id)
    query = (
        query.where(Device.id == device_id) if device_id else query.where(Device.target == target)
    )
    device = db.session.scalar(query)
    if device is None:  # another citizen's device looks exactly like a missing one
        raise ApiError(404, "device_not_found")
    db.session.delete(device)
    db.session.flush()  # the caller's unit of work commits (api.kernel.unit_of_work)


# ---- chat links ------------------------------------------------------------------------------


def _code_hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def normalise_link_code(raw: str) -> str:
    return re.sub(r"[\s\-]", "", raw or "").upper()


def create_link_code(principal: Principal) -> tuple[str, int]:
    hit(LINK_CODES_PER_ACCOUNT, str(principal.account_id))
    code = "".join(secrets.choice(LINK_CODE_ALPHABET) for _ in range(LINK_CODE_LENGTH))
    db.session.add(
        LinkCode(
            account_id=principal.account_id,
            assurance=principal.assurance,
            code_hash=_code_hash(code),
            expires_at=utcnow() + LINK_CODE_TTL,
        )
    )
    db.session.flush()  # the caller's unit of work commits (api.kernel.unit_of_work)
    return code, int(LINK_CODE_TTL.total_seconds())


def redeem_link_code(
    channel: str, external_id: str, raw_code: str, origin: Origin, display_name: str = ""
) -> ChatIdentity:
    """Called by the bots when a citizen types their link code into the chat."""
    if channel not in CHAT_CHANNELS:
        raise ValueError(f"unknown chat channel {channel!r}")
    hit(LINK_ATTEMPTS_PER_CHAT, f"{channel}:{external_id}")
    code = normalise_link_code(raw_code)
    link = db.session.scalar(select(LinkCode).where(LinkCode.code_hash == _code_hash(code)))
    if link is None or link.used_at is not None or as_utc(link.expires_at) < utcnow():
        raise ApiError(400, "link_code_invalid")
    link.used_at = utcnow()
    identity = link_chat(link.account_id, channel, external_id, origin, display_name)
    db.session.flush()  # the caller's unit of work commits (api.kernel.unit_of_work)
    identity.proven_assurance = link.assurance  # for the bot: what the linking session proved
    return identity


def link_chat(
    account_id: int, channel: str, external_id: str, origin: Origin, display_name: str = ""
) -> ChatIdentity:
    """Tie a chat identity to an account (caller commits). One per channel per person."""
    by_chat = db.session.scalar(
        select(ChatIdentity).where(
            ChatIdentity.channel == channel, ChatIdentity.external_id == external_id
        )
    )
    by_account = db.session.scalar(
        select(ChatIdentity).where(
            ChatIdentity.account_id == account_id, ChatIdentity.channel == channel
        )
    )
    for old in {by_chat, by_account} - {None}:
        if old.account_id == account_id and old.external_id == external_id:
            old.blocked_at = None
            return old
        record(
            "chat_unlinked",
            origin,
            subject_id=old.account_id,
            object_type=channel,
            object_id=old.external_id,
            reason="replaced",
        )
        db.session.delete(old)
    db.session.flush()
    identity = ChatIdentity(
        account_id=account_id,
        channel=channel,
        external_id=external_id,
        display_name=display_name[:200],
    )
    db.session.add(identity)
    record("chat_linked", origin, actor_id=account_id, object_type=channel, object_id=external_id)
    # The notifications domain puts this chat first in the person's channels (the bot says so).
    events.announce(CHAT_LINKED, account_id=account_id, channel=channel)
    return identity


def list_links(principal: Principal) -> list[ChatIdentity]:
    return list(
        db.session.scalars(
            select(ChatIdentity)
            .where(ChatIdentity.account_id == principal.account_id)
            .order_by(ChatIdentity.channel)
        )
    )


def unlink(principal: Principal, channel: str, origin: Origin) -> None:
    identity = db.session.scalar(
        select(ChatIdentity).where(
            ChatIdentity.account_id == principal.account_id, ChatIdentity.channel == channel
        )
    )
    if identity is None:
        raise ApiError(404, "chat_link_not_found", channel=channel)
    record(
        "chat_unlinked",
        origin,
        actor_id=principal.account_id,
        object_type=channel,
        object_id=identity.external_id,
        reason="by_owner",
    )
    db.session.delete(identity)
    db.session.flush()  # the caller's unit of work commits (api.kernel.unit_of_work)


def account_for_chat(channel: str, external_id: str) -> int | None:
    """The account a chat is linked to, for the bots."""
    return db.session.scalar(
        select(ChatIdentity.account_id).where(
            ChatIdentity.channel == channel, ChatIdentity.external_id == external_id
        )
    )
