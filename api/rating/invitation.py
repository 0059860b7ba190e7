"""The rating invitation, made when a dossier's result is ready or returned (9/10)."""

from __future__ import annotations

from sqlalchemy import select

from api.dossiers.models import Dossier, DossierStatus
from api.kernel.database import db
from api.rating.models import Rating
from api.rating.service import RATEABLE_GROUP
from push.notifications.models import Notification
from push.notifications.service import notify_applicant


def invite_to_rate(dossier: Dossier) -> list[Notification]:
    """At status 9 or 10 (``on_status_notified``): one invitation per dossier and
    applicant account, ever (9 then 10 invites once), none once rated. Caller commits and
    hands the notifications to delivery."""
    if dossier.status.group != RATEABLE_GROUP or not (
        dossier.applicant_id_number or dossier.contact_phone
    ):
        return []
    if db.session.scalar(select(Rating.id).where(Rating.dossier_id == dossier.id)):
        return []
    params = {"code": dossier.code, "procedure": dossier.procedure_name}
    return notify_applicant(dossier, "rating_invitation", params, f"rating_invitation:{dossier.id}")


def on_status_notified(
    dossier: Dossier, status: DossierStatus, event_key: str
) -> list[Notification] | None:
    """The fan-out told a status change (``push.notifications.announcements.STATUS_NOTIFIED``):
    a finished dossier invites its applicant to rate; the fan-out delivers the invitation."""
    if status.group == RATEABLE_GROUP:
        return invite_to_rate(dossier)
    return None
