"""Messages the system writes into a thread, such as a supplement request (status 5), so the
citizen can answer with photos of the missing papers in the same place."""

from __future__ import annotations

import hashlib

from api.dossiers.models import Dossier, DossierStatus
from api.kernel.clock import utcnow
from api.kernel.database import db
from api.messaging import content
from api.messaging.models import SYSTEM, Message
from api.messaging.threads import by_external_id, reopen, thread_of

SUPPLEMENT_VI = (
    "Cơ quan giải quyết yêu cầu bổ sung giấy tờ cho hồ sơ {code}: {what}\n"
    "Bạn có thể trả lời ngay tại đây và gửi kèm ảnh chụp hoặc tệp PDF giấy tờ còn thiếu."
)
SUPPLEMENT_EN = (
    "The office asks for more papers for dossier {code}: {what}\n"
    "You can answer right here and attach photos or PDFs of the missing papers."
)
UNSPECIFIED_VI = "xin xem thông báo của cơ quan hoặc hỏi cán bộ tại đây."
UNSPECIFIED_EN = "please see the office's notice, or ask the officer here."


def post_system_message(
    dossier: Dossier, key: str, body: str, meta: dict | None = None
) -> Message | None:
    """A message from the system, once per ``key`` (caller commits). Reopens a closed thread."""
    key = key[:128]
    if by_external_id(SYSTEM, key) is not None:
        return None
    thread = thread_of(dossier, create=True)
    reopen(thread)
    message = Message(
        thread_id=thread.id,
        author_kind=SYSTEM,
        channel=SYSTEM,
        body=body,
        meta=meta or {},
        external_message_id=key,
        created_at=utcnow(),
    )
    db.session.add(message)
    thread.last_message_at = message.created_at
    thread.last_preview = content.preview(body)
    db.session.flush()
    return message


def _request_key(dossier: Dossier, request: dict) -> str:
    ident = str(request.get("HoSoBoSungId") or "").strip()
    if not ident:
        ident = hashlib.sha256(repr(sorted(request.items())).encode()).hexdigest()[:24]
    return f"supplement:{dossier.id}:{ident}"


def open_supplement_thread(dossier: Dossier, event_key: str) -> list[Message]:
    """When a dossier moves to status 5 (``on_status_notified``): one system
    message per supplement request (``Dossier.supplement_requests``) not posted before, or one
    general message keyed by ``event_key`` when the portal listed none. Caller commits."""
    posted: list[Message] = []
    for request in dossier.supplement_requests or []:
        what = content.clean_text(str(request.get("NoiDungBoSung") or ""))
        meta = {
            "kind": "supplement_request",
            "request_id": str(request.get("HoSoBoSungId") or ""),
            "content": what,
            "requested_at": str(request.get("NgayYeuCauBoSung") or ""),
            "body_en": SUPPLEMENT_EN.format(code=dossier.code, what=what or UNSPECIFIED_EN),
        }
        body = SUPPLEMENT_VI.format(code=dossier.code, what=what or UNSPECIFIED_VI)
        message = post_system_message(dossier, _request_key(dossier, request), body, meta)
        posted += [message] if message else []
    if not dossier.supplement_requests:
        meta = {
            "kind": "supplement_request",
            "content": "",
            "body_en": SUPPLEMENT_EN.format(code=dossier.code, what=UNSPECIFIED_EN),
        }
        body = SUPPLEMENT_VI.format(code=dossier.code, what=UNSPECIFIED_VI)
        message = post_system_message(dossier, f"supplement:{event_key}", body, meta)
        posted += [message] if message else []
    return posted


def on_status_notified(dossier: Dossier, status: DossierStatus, event_key: str) -> None:
    """The fan-out told a status change (``push.notifications.announcements.STATUS_NOTIFIED``):
    a supplement request opens the thread with what is missing. Makes no notification."""
    if status.group == "supplement_requested":
        open_supplement_thread(dossier, event_key)
