"""Who helps whom now: «Ai đang giúp tôi?» for the resident, the helper's own grants (paged).
Grants past their time are expired on the way, so nobody sees one as still open."""

from __future__ import annotations

from sqlalchemy import func, select

from api.assistance import grants
from api.assistance.models import ACTIVE, OPEN_STATES, PENDING, Grant
from api.auth.guard import Principal
from api.kernel import clock
from api.kernel.database import db
from api.kernel.pagination import Page


def for_resident(resident: Principal) -> list[Grant]:
    """ "Ai đang giúp tôi?": pending and active grants, newest first."""
    return _open(Grant.resident_id == resident.account_id)


def for_helper(helper: Principal, page: Page) -> tuple[list[Grant], int]:
    """The grants a helper works under, newest first, paged (a carer may hold many mandates).
    Those past their time are expired first, so the count is right."""
    mine = Grant.helper_id == helper.account_id
    now = clock.utcnow()
    due = db.session.scalars(
        select(Grant).where(
            mine,
            ((Grant.state == ACTIVE) & (Grant.expires_at <= now))
            | ((Grant.state == PENDING) & (Grant.accept_by <= now)),
        )
    )
    if any([grants.expire_if_due(g) for g in due]):
        db.session.flush()  # the caller's unit of work commits (api.kernel.unit_of_work)
    query = select(Grant).where(mine, Grant.state.in_(OPEN_STATES))
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    rows = db.session.scalars(
        query.order_by(Grant.id.desc()).offset(page.offset).limit(page.page_size)
    )
    return list(rows), total


def _open(condition) -> list[Grant]:  # noqa: ANN001
    rows = list(
        db.session.scalars(
            select(Grant).where(condition, Grant.state.in_(OPEN_STATES)).order_by(Grant.id.desc())
        )
    )
    if any([grants.expire_if_due(g) for g in rows]):  # a list: every due one, not the first
        db.session.flush()  # the caller's unit of work commits (api.kernel.unit_of_work)
    return [g for g in rows if g.state in OPEN_STATES]


def helped_by(helper: Principal, page: Page) -> tuple[list[Grant], int]:
    """The sessions a helper has started (any state after consent), newest first, paged: the
    residents they helped."""
    query = select(Grant).where(Grant.helper_id == helper.account_id, Grant.started_at.is_not(None))
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    rows = db.session.scalars(
        query.order_by(Grant.started_at.desc(), Grant.id.desc())
        .offset(page.offset)
        .limit(page.page_size)
    )
    return list(rows), total
