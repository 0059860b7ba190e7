"""Periodic support jobs: portal Q&A sync, and the quarterly satisfaction survey invitation."""

from __future__ import annotations

import logging

from sqlalchemy import select

from api.auth.models import ROLE_CITIZEN, Account
from api.kernel.database import db
from api.kernel.errors import ApiError
from api.portal.client import get_gateway
from api.portal.gateway import PortalError
from api.support.portal_qa import sync
from api.support.surveys import invite_periodic

log = logging.getLogger(__name__)
QUARTERLY_SURVEY = "quarterly_satisfaction"


def sync_portal_qa() -> dict:

    try:
        return sync(get_gateway()).as_dict()
    except ApiError:
        return {"skipped": "portal not configured"}
    except PortalError as error:  # the portal's Q&A paused or down: the next run tries again
        log.warning("portal_qa_sync_failed", extra={"code": error.code})
        return {"failed": error.code}


def invite_quarterly_survey() -> dict:
    """Every active citizen account, once a quarter (the dedupe key holds it to once)."""

    ids = list(
        db.session.scalars(
            select(Account.id).where(Account.role == ROLE_CITIZEN, Account.active.is_(True))
        )
    )
    try:
        return {"invited": invite_periodic(QUARTERLY_SURVEY, ids)}
    except ApiError:
        return {"skipped": "no quarterly survey defined"}
