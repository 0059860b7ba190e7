"""The rating invitation, made when a dossier's result is ready or returned (9/10)."""

from __future__ import annotations

from sqlalchemy import select

from api.auth.models import Account
from api.dossiers.models import Dossier
from api.extensions import db
from api.feedback.models import Rating
from api.feedback.service import RATEABLE_GROUP
from api.notifications.models import Notification
from api.notifications.service import notify_account


def invite_to_rate(dossier: Dossier) -> list[Notification]:
    """Wiring for the notification fan-out at status 9 or 10: one invitation per dossier and
    applicant account, ever (9 then 10 invites once), none once rated. Caller commits and
    hands the notifications to delivery."""
    if dossier.status.group != RATEABLE_GROUP or not dossier.applicant_id_number:
        return []
    if db.session.scalar(select(Rating.id).where(Rating.dossier_id == dossier.id)):
        return []
    owners = db.session.scalars(
        select(Account).where(
            Account.personal_id == dossier.applicant_id_number, Account.active.is_(True)
        )
    )
    params = {"code": dossier.code, "procedure": dossier.procedure_name}
    made = []
    for account in owners:
        key = f"rating_invitation:{dossier.id}:a{account.id}"
        notification = notify_account(account, "rating_invitation", params, key, dossier.id)
        made += [notification] if notification is not None else []
    return made
