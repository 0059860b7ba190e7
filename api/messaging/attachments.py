"""Attachments: checking what is sent (type sniffed from the bytes, size), storing it, and
serving it only to people who may read the thread."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select

from api.auth.guard import Principal
from api.kernel import settings
from api.kernel.database import db
from api.kernel.errors import ApiError
from api.kernel.i18n import register_messages
from api.messaging import content
from api.messaging.access import thread_access
from api.messaging.models import Attachment, Message, MessageThread
from api.messaging.storage import get_storage

MAX_ATTACHMENTS = 5

register_messages(
    {
        "too_many_attachments": {
            "vi": "Mỗi tin nhắn gửi kèm tối đa {max} tệp.",
            "en": "A message can carry at most {max} files.",
        },
        "attachment_type_not_allowed": {
            "vi": "Tệp {name} không phải ảnh (JPEG, PNG, WebP, HEIC) hoặc PDF nên không gửi được.",
            "en": "File {name} is not a photo (JPEG, PNG, WebP, HEIC) or a PDF, so it cannot be sent.",
        },
        "attachment_too_large": {
            "vi": "Tệp {name} quá lớn: tối đa {max_mb} MB mỗi tệp.",
            "en": "File {name} is too large: at most {max_mb} MB per file.",
        },
        "attachment_not_found": {
            "vi": "Không tìm thấy tệp đính kèm này.",
            "en": "This attachment was not found.",
        },
    }
)


@dataclass(frozen=True)
class Upload:
    """An attachment as received: the name the sender gave (display only) and the bytes."""

    filename: str | None
    data: bytes


@dataclass(frozen=True)
class CheckedUpload:
    upload: Upload
    content_type: str


def max_attachment_bytes() -> int:
    return settings.current().attachment_max_bytes


def check_uploads(uploads: Sequence[Upload]) -> list[CheckedUpload]:
    """Refuse the whole message if any file is too large or not a photo/PDF by its bytes."""
    if len(uploads) > MAX_ATTACHMENTS:
        raise ApiError(422, "too_many_attachments", max=MAX_ATTACHMENTS)
    limit = max_attachment_bytes()
    checked = []
    for upload in uploads:
        name = content.clean_text(upload.filename or "")[-80:]
        if len(upload.data) > limit:
            raise ApiError(413, "attachment_too_large", name=name, max_mb=round(limit / 2**20, 1))
        content_type = content.sniff(upload.data)
        if content_type is None:
            raise ApiError(415, "attachment_type_not_allowed", name=name)
        checked.append(CheckedUpload(upload, content_type))
    return checked


def store(message: Message, thread: MessageThread, checked: Sequence[CheckedUpload]) -> list[str]:
    """Save the bytes and attach the rows to ``message`` (caller commits). Returns the storage
    keys, so the caller can remove the files if the transaction fails."""
    keys = []
    for item in checked:
        public_id = uuid.uuid4().hex
        attachment = Attachment(
            public_id=public_id,
            message_id=message.id,
            thread_id=thread.id,
            filename=content.safe_filename(item.upload.filename, item.content_type),
            content_type=item.content_type,
            size=len(item.upload.data),
            sha256=hashlib.sha256(item.upload.data).hexdigest(),
            storage_key=f"t{thread.id}/{public_id}",
        )
        get_storage().save(attachment.storage_key, item.upload.data)
        keys.append(attachment.storage_key)
        message.attachments.append(attachment)
    return keys


def discard(keys: Sequence[str]) -> None:
    for key in keys:
        get_storage().delete(key)


def download(
    principal: Principal, code: str, attachment_id: str, acting_for: Principal | None = None
) -> tuple[Attachment, bytes]:
    """The attachment and its bytes, for someone who may read dossier ``code``'s thread."""
    access = thread_access(principal, code, acting_for)
    attachment = db.session.scalar(
        select(Attachment)
        .join(MessageThread, MessageThread.id == Attachment.thread_id)
        .where(
            Attachment.public_id == attachment_id,
            MessageThread.dossier_id == access.dossier.id,
        )
    )
    if attachment is None:
        raise ApiError(404, "attachment_not_found")
    try:
        data = get_storage().load(attachment.storage_key)
    except FileNotFoundError as exc:
        raise ApiError(404, "attachment_not_found") from exc
    return attachment, data
