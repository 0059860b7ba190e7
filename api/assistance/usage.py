"""The usage log a resident reads ("Ai đã xem hồ sơ của tôi?"): every read or write made for
them, newest first. A write's record joins the write's own transaction, so a rolled-back
write leaves none; the resident can dispute an entry."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import func, select

from api.assistance.models import UsageRecord
from api.audit.service import Origin, record
from api.auth.guard import Principal
from api.kernel import clock
from api.kernel.database import db
from api.kernel.errors import ApiError
from api.kernel.pagination import Page
from api.messaging.content import clean_text

READ, WRITE = "read", "write"
MAX_NOTE = 1000

# What the resident reads in «Ai đã xem hồ sơ của tôi?», by (access, object type, action).
_WORDS = {
    (READ, "dossier_list", ""): (
        "Xem danh sách hồ sơ của bạn",
        "Looked at the list of your dossiers",
    ),
    (READ, "dossier", ""): ("Xem hồ sơ {id}", "Looked at dossier {id}"),
    (READ, "thread", ""): ("Đọc tin nhắn của hồ sơ {id}", "Read the messages of dossier {id}"),
    (WRITE, "thread", "supplement"): (
        "Gửi bổ sung giấy tờ cho hồ sơ {id}",
        "Sent papers for dossier {id}",
    ),
    (WRITE, "thread", ""): (
        "Nhắn cho cán bộ về hồ sơ {id}",
        "Wrote to the officer about dossier {id}",
    ),
    (WRITE, "rating", ""): ("Cùng bạn đánh giá hồ sơ {id}", "Rated dossier {id} with you"),
}


def words(row: UsageRecord, language: str) -> str:
    """The entry in plain words (codes mean nothing to the resident)."""
    pair = _WORDS.get((row.access, row.object_type, row.action)) or _WORDS.get(
        (row.access, row.object_type, "")
    )
    if pair is None:
        return ""
    return pair[1 if language == "en" else 0].format(id=row.object_id)


def device_of(session_id: str | None) -> str:
    """The helper's signed-in device (auth session), hashed: enough to spot one device
    serving many residents, nothing to sign in with."""
    return hashlib.sha256((session_id or "").encode()).hexdigest()[:32] if session_id else ""


def add(ctx, action: str, access: str, object_type: str, object_id: str) -> UsageRecord:  # noqa: ANN001
    """Add one record to the current transaction (``ctx``: an acting context)."""
    row = UsageRecord(
        resident_id=ctx.resident.account_id,
        actor_id=ctx.helper.account_id,
        grant_id=ctx.grant_id,
        action=action,
        access=access,
        object_type=object_type,
        object_id=str(object_id)[:64],
        channel=ctx.channel,
        device=ctx.device,
        at=clock.utcnow(),
    )
    db.session.add(row)
    return row


def recorded_read(ctx, action: str, object_type: str, object_id: str) -> None:  # noqa: ANN001
    add(ctx, action, READ, object_type, object_id)
    db.session.flush()  # the caller's unit of work commits (api.kernel.unit_of_work)


@contextmanager
def recorded_write(ctx, action: str, object_type: str, object_id: str) -> Iterator[UsageRecord]:  # noqa: ANN001
    """Wrap a service call that writes and commits: the record commits with it, or, if the
    call fails, is rolled back with it. A call that turns out to write nothing (an idempotent
    repeat) must raise ``NothingWritten`` or roll back itself."""
    row = add(ctx, action, WRITE, object_type, object_id)
    try:
        yield row
    except BaseException:
        db.session.rollback()
        raise


def for_resident(resident: Principal, page: Page) -> tuple[list[UsageRecord], int]:
    query = select(UsageRecord).where(UsageRecord.resident_id == resident.account_id)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    rows = db.session.scalars(
        query.order_by(UsageRecord.id.desc()).offset(page.offset).limit(page.page_size)
    )
    return list(rows), total


def dispute(resident: Principal, usage_id: int, note: str) -> UsageRecord:
    row = db.session.get(UsageRecord, usage_id)
    if row is None or row.resident_id != resident.account_id:
        raise ApiError(404, "assist_usage_not_found")
    note = clean_text(note or "")
    if len(note) > MAX_NOTE:
        raise ApiError(422, "validation_failed", errors={"note": [f"At most {MAX_NOTE}."]})
    if row.disputed_at is None:
        row.disputed_at = clock.utcnow()
        row.dispute_note = note

        record(
            "assist_usage_disputed",
            Origin(),
            actor_id=resident.account_id,
            object_type="assist_usage",
            object_id=str(row.id),
        )
        db.session.flush()  # the caller's unit of work commits (api.kernel.unit_of_work)
    return row
