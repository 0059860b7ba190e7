"""Recording audit events. Written in the caller's transaction: the action and its record
commit together or not at all."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import select

from api.audit.models import AuditEvent
from api.kernel.database import db
from api.kernel.logs import mask_text

log = logging.getLogger("api.audit")


@dataclass(frozen=True)
class Origin:
    """Where an action came from: the API (with address and client) or a bot/worker/CLI."""

    ip: str = ""
    user_agent: str = ""
    channel: str = "api"


SYSTEM = Origin(channel="system")


def record(
    action: str,
    origin: Origin,
    *,
    actor_id: int | None = None,
    subject_id: int | None = None,
    object_type: str = "",
    object_id: str = "",
    **details: object,
) -> AuditEvent:
    event = AuditEvent(
        action=action,
        actor_account_id=actor_id,
        subject_account_id=subject_id if subject_id is not None else actor_id,
        object_type=object_type,
        object_id=str(object_id)[:64],
        ip=origin.ip[:64],
        user_agent=origin.user_agent[:200],
        channel=origin.channel,
        details={k: mask_text(str(v)) for k, v in details.items()},
    )
    db.session.add(event)
    log.info(
        "audit",
        extra={
            "action": action,
            "actor": actor_id,
            "subject": event.subject_account_id,
            "object": f"{object_type}:{mask_text(str(object_id))}",
        },
    )
    return event


def events_for(account_id: int, limit: int = 50, before_id: int | None = None) -> list[AuditEvent]:
    """The trail a citizen may read about themselves, newest first."""
    query = select(AuditEvent).where(AuditEvent.subject_account_id == account_id)
    if before_id:
        query = query.where(AuditEvent.id < before_id)
    return list(db.session.scalars(query.order_by(AuditEvent.id.desc()).limit(limit)))
