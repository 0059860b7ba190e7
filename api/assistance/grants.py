"""A grant's states and their append-only history.

Every change is a conditional UPDATE on the current state, so of two concurrent changes
(the agent accepting while the resident revokes) exactly one applies to a given state and the
history never shows a change from a state the grant was not in.

Commits on its own: the expiry job ends due grants as one periodic batch.
"""

from __future__ import annotations

from sqlalchemy import select, update

from api.assistance.models import ACTIVE, EXPIRED, OPEN_STATES, PENDING, Grant, GrantEvent
from api.assistance.notify import tell_both
from api.auth.models import ROLE_ADMIN
from api.kernel import clock
from api.kernel.clock import as_utc
from api.kernel.database import db
from api.kernel.errors import ApiError


def by_public_id(public_id: str, *, lock: bool = False) -> Grant:
    query = select(Grant).where(Grant.public_id == public_id)
    if lock:
        query = query.with_for_update()
    grant = db.session.scalar(query)
    if grant is None:
        raise ApiError(404, "assist_grant_not_found")
    return grant


def transition(
    grant: Grant,
    to_state: str,
    *,
    from_states: tuple[str, ...],
    actor_id: int | None,
    reason: str = "",
    channel: str = "api",
    **values: object,
) -> bool:
    """Move ``grant`` to ``to_state`` if it is in one of ``from_states``; record who did it.
    Returns False (nothing changed) when another change got there first. Caller commits."""
    now = clock.utcnow()
    current = db.session.scalar(select(Grant.state).where(Grant.id == grant.id))
    if current not in from_states:
        return False
    extra = dict(values)
    if to_state not in OPEN_STATES:
        extra.setdefault("ended_at", now)
        extra.setdefault("end_reason", reason)
    changed = db.session.execute(
        update(Grant)
        .where(Grant.id == grant.id, Grant.state == current)
        .values(state=to_state, version=Grant.version + 1, **extra)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not changed:
        return False
    db.session.add(
        GrantEvent(
            grant_id=grant.id,
            from_state=current,
            to_state=to_state,
            actor_id=actor_id,
            reason=reason,
            channel=channel,
            at=now,
        )
    )
    db.session.flush()
    db.session.refresh(grant)
    return True


def expire_if_due(grant: Grant) -> bool:
    """A grant past its time becomes expired (on the next look, or by the periodic sweep)
    and both people are told. True if it did; caller commits."""
    now = clock.utcnow()
    reason = ""
    if grant.state == ACTIVE and grant.expires_at and as_utc(grant.expires_at) <= now:
        reason = "time"
    elif grant.state == PENDING and grant.accept_by and as_utc(grant.accept_by) <= now:
        reason = "not_accepted"
    if not reason or not transition(
        grant, EXPIRED, from_states=(grant.state,), actor_id=None, reason=reason
    ):
        return False

    tell_both(grant, "ended", reason)  # delivered by the sweeper if nobody hands it over
    return True


def expire_due(limit: int = 500) -> int:
    """The periodic sweep: expire what is past its time, so people are told on time."""
    now = clock.utcnow()
    due = list(
        db.session.scalars(
            select(Grant)
            .where(
                ((Grant.state == ACTIVE) & (Grant.expires_at <= now))
                | ((Grant.state == PENDING) & (Grant.accept_by <= now))
            )
            .order_by(Grant.id)
            .limit(limit)
        )
    )
    done = sum(1 for grant in due if expire_if_due(grant))
    db.session.commit()
    return done


def in_force(grant: Grant) -> bool:
    """Active and within its time, judged now (not by what a token says)."""
    if grant.state != ACTIVE or grant.expires_at is None:
        return False
    return as_utc(grant.expires_at) > clock.utcnow()


def visible_to(principal, public_id: str) -> Grant:  # noqa: ANN001
    """Both people see a grant's history, and admins (a commune admin: their commune's)."""
    grant = by_public_id(public_id)
    if principal.account_id in (grant.resident_id, grant.helper_id):
        return grant
    if principal.role == ROLE_ADMIN and principal.commune_code in (None, grant.commune_code):
        return grant
    raise ApiError(404, "assist_grant_not_found")


def history(grant: Grant) -> list[GrantEvent]:
    return list(
        db.session.scalars(
            select(GrantEvent).where(GrantEvent.grant_id == grant.id).order_by(GrantEvent.id)
        )
    )


def transition_created(grant: Grant, actor_id: int | None, channel: str = "api") -> None:
    """The first line of a grant's history: made, pending (caller commits)."""
    db.session.add(
        GrantEvent(
            grant_id=grant.id,
            from_state="",
            to_state=grant.state,
            actor_id=actor_id,
            reason="created",
            channel=channel,
            at=clock.utcnow(),
        )
    )
