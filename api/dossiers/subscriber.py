"""The dossier domain's reactions to identity's announcements (registered from
``api.dossiers.init_app``): a proof noted as the grants it makes, in the sign-in's transaction."""

from __future__ import annotations

from api.audit.service import Origin
from api.auth import announcements as identity
from api.dossiers.applicant import record_grants_for_identity, record_grants_for_phone
from api.kernel import events


def on_phone_proven(account_id: int, phone: str, origin: Origin) -> None:
    record_grants_for_phone(account_id, phone, origin)


def on_identity_proven(account_id: int, personal_id: str, origin: Origin) -> None:
    record_grants_for_identity(account_id, personal_id, origin)


def register() -> None:
    events.subscribe(identity.PHONE_PROVEN, on_phone_proven)
    events.subscribe(identity.IDENTITY_PROVEN, on_identity_proven)
