"""What a helper does for a resident under a grant: the same domain services the resident
uses, called with both identities, each read or write leaving one usage record."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlalchemy import func, select

from api.assistance.guard import ActingContext, mark_first_use, require
from api.assistance.notify import hand_over
from api.assistance.rules import FOLLOW, MESSAGE, RATE_WITH, SUPPLEMENT
from api.assistance.usage import recorded_read, recorded_write
from api.audit.service import Origin
from api.dossiers import service as dossiers
from api.dossiers.models import Dossier, DossierStatus
from api.dossiers.views import DossierView
from api.kernel.database import db
from api.kernel.errors import ApiError
from api.kernel.pagination import Page
from api.messaging import reading
from api.messaging import service as messaging
from api.messaging.attachments import Upload
from api.rating import service as rating_service


class NothingWritten(Exception):
    """An idempotent repeat: no write happened, so no usage record either."""


def _first_use(ctx: ActingContext) -> list:
    return mark_first_use(ctx)


def _read(ctx: ActingContext, action: str, object_type: str, object_id: str) -> None:
    made = _first_use(ctx)
    recorded_read(ctx, action, object_type, object_id)
    hand_over(made)


def list_dossiers(ctx: ActingContext, group: str | None, page: Page) -> tuple[list[Dossier], int]:
    """The resident's own dossiers (not others' they follow), only those the grant names if it
    names some; filtered and paged in the query so every page is right."""
    require(ctx, FOLLOW)
    items, total = [], 0
    if ctx.resident.identity_verified and ctx.resident.personal_id:
        query = select(Dossier).where(Dossier.applicant_id_number == ctx.resident.personal_id)
        if ctx.dossier_codes:
            query = query.where(Dossier.code.in_(ctx.dossier_codes))
        if group:
            query = query.join(DossierStatus).where(DossierStatus.group == group)
        total = db.session.scalar(select(func.count()).select_from(query.subquery()))
        items = list(
            db.session.scalars(
                query.order_by(Dossier.updated_at.desc(), Dossier.id.desc())
                .offset(page.offset)
                .limit(page.page_size)
            )
        )
    _read(ctx, FOLLOW, "dossier_list", group or "")
    return items, total


def _owned(ctx: ActingContext, code: str) -> Dossier:
    dossier = db.session.scalar(select(Dossier).where(Dossier.code == code))
    if dossier is None or not dossiers.is_owner(ctx.resident, dossier):
        raise ApiError(404, "dossier_not_found", code=code[:64])
    return dossier


def view_dossier(ctx: ActingContext, code: str) -> DossierView:
    require(ctx, FOLLOW, dossier_code=code)
    dossier = _owned(ctx, code)
    view = DossierView(dossier, dossiers.timeline(dossier))
    _read(ctx, FOLLOW, "dossier", code)
    return view


def list_messages(
    ctx: ActingContext, code: str, cursor: int | None, since: int | None, limit: int
) -> reading.MessagePage:
    action = require(ctx, MESSAGE, SUPPLEMENT, dossier_code=code)
    page = reading.list_messages(ctx.helper, code, cursor, since, limit, acting_for=ctx.resident)
    _read(ctx, action, "thread", code)
    return page


def post_message(
    ctx: ActingContext,
    code: str,
    text: str | None,
    uploads: Sequence[Upload],
    client_message_id: str | None,
    origin: Origin,
):  # noqa: ANN201
    """Written for the resident: shows as the helper's message for them; the officer sees
    who wrote. Answering a supplement request needs "supplement" (or "message")."""
    require(ctx, MESSAGE, SUPPLEMENT, dossier_code=code)  # out of scope: 403 before any look
    dossier = _owned(ctx, code)
    if dossier.status.group == "supplement_requested":
        action = require(ctx, MESSAGE, SUPPLEMENT, dossier_code=code)
    else:
        action = require(ctx, MESSAGE, dossier_code=code)
    made = _first_use(ctx)
    try:
        with recorded_write(ctx, action, "thread", code):
            message, created = messaging.post_message(
                ctx.helper,
                code,
                text,
                channel="app",
                uploads=uploads,
                external_message_id=client_message_id,
                acting_for=ctx.resident,
                origin=origin,
            )
            if not created:
                raise NothingWritten
    except NothingWritten:
        return message, False
    hand_over(made)
    return message, True


def rate_with(ctx: ActingContext, code: str, answers: Mapping, comment: str | None):  # noqa: ANN201
    """A rating given together with the resident: recorded as assisted, counted apart."""
    require(ctx, RATE_WITH, dossier_code=code)
    made = _first_use(ctx)
    with recorded_write(ctx, RATE_WITH, "rating", code):
        rating = rating_service.submit_rating(
            ctx.resident, code, answers, comment, channel="app", assisted=True
        )
    hand_over(made)
    return rating
