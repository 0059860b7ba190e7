"""Events for the digital-government monitoring system (EMC), in its shape, through an outbox.

One row per dossier and EMC status, written in the transaction of the status change. Mapping
rules (the provincial client got these wrong):
- Level is the procedure's online level: "một phần" (partly online) is 3, only "toàn trình"
  (fully online, Decree 42/2022 Art. 11) is 4; a procedure that only informs has no level;
- FormsReception is 1 (online) only for dossiers filed online: postal filing is not online;
- the applicant's identity number never leaves in clear: the User block carries a keyed hash.
Field names and codes follow one provincial client (integrations: *unconfirmed*).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import datetime

from flask import current_app
from sqlalchemy import select

from api.dossiers.models import Dossier
from api.kernel.clock import as_utc, to_local, utcnow
from api.kernel.database import db
from api.quality.models import DossierFact, EmcEvent

# TrangThaiHoSo → EMC Status (1 received, 2 processing, 3 result returned, 4 assigned, 0 other).
EMC_STATUS = {1: 1, 2: 1, 4: 2, 9: 2, 10: 3}
LEVEL = {"toan_trinh": 4, "mot_phan": 3}
RECEPTION = {"online": 1, "in_person": 2, "postal": 2}
NONE, ONLINE, DIRECT = 0, 1, 2  # FormsPayments
PENDING, SENDING, SENT, FAILED = "pending", "sending", "sent", "failed"


def emc_status(status_code: int) -> int:
    return EMC_STATUS.get(status_code, 0)


def dedupe_key(dossier_code: str, status_code: int) -> str:
    """Per dossier and EMC status; "other" events (0) apart per portal status."""
    mapped = emc_status(status_code)
    return f"{dossier_code}:{mapped}" if mapped else f"{dossier_code}:0:{status_code}"


def pseudonym(id_number: str) -> str:
    """A stable keyed hash of an identity number: the same person links across events, the
    number cannot be read back (no plain hash: 12-digit numbers are easy to enumerate)."""
    if not id_number:
        return ""
    settings = current_app.extensions["settings"]
    key = (settings.emc_pseudonym_key or settings.secret_key).encode()
    return hmac.new(key, id_number.encode(), hashlib.sha256).hexdigest()


def payment_form(fact: DossierFact) -> int:
    if not fact.has_fee and not fact.paid_online:
        return NONE
    return ONLINE if fact.paid_online else DIRECT


def build_payload(dossier: Dossier, fact: DossierFact, status_code: int, at: datetime) -> dict:
    settings = current_app.extensions["settings"]
    return {
        "CodeProfile": dossier.code,
        "MaHoSo": dossier.code,
        "SiteId": settings.emc_site_id,
        "CodeTTHC": dossier.procedure_code,
        "NameTTHC": dossier.procedure_name,
        "Status": emc_status(status_code),
        "StatusCode": status_code,
        "StatusTime": to_local(at).strftime("%Y%m%d%H%M%S"),
        "FormsReception": RECEPTION.get(fact.channel, 2),
        "FormsPayments": payment_form(fact),
        "Level": LEVEL.get(fact.online_level, 0),
        "IsFromDVCQG": 1 if fact.synced_to_portal else 0,
        # Result by public post: the HoSo record carries no such field yet (unconfirmed).
        "IsDVCBC": 0,
        "User": json.dumps(
            {
                "LocalId": "",
                "NationalIdHash": pseudonym(dossier.applicant_id_number),
                "Type": dossier.applicant_type,
                "Province": str(settings.quality_province_code or ""),
            },
            sort_keys=True,
        ),
    }


def queue_event(dossier: Dossier, fact: DossierFact, status_code: int, at: datetime) -> bool:
    """Add the event unless this dossier already has one for this EMC status (caller commits)."""
    key = dedupe_key(dossier.code, status_code)
    pending = {
        obj.dedupe_key for obj in db.session.new if isinstance(obj, EmcEvent)
    }  # added earlier in this transaction, not flushed yet
    if key in pending or db.session.scalar(select(EmcEvent.id).where(EmcEvent.dedupe_key == key)):
        return False
    db.session.add(
        EmcEvent(
            dedupe_key=key,
            dossier_id=dossier.id,
            status_code=status_code,
            emc_status=emc_status(status_code),
            occurred_at=as_utc(at),
            payload=build_payload(dossier, fact, status_code, at),
            next_attempt_at=utcnow(),
        )
    )
    return True


def queue_rows(items: list[tuple[object, dict, list]]) -> None:
    """The set-wise path (PostgreSQL): an event for every status in each dossier's history, in
    one INSERT whose unique key drops those already queued."""
    from types import SimpleNamespace

    from sqlalchemy.dialects.postgresql import insert

    now = utcnow()
    rows = []
    for dossier, values, history in items:
        fact = SimpleNamespace(**values)
        seen = set()
        for at, code in history:
            key = dedupe_key(dossier.code, code)
            if key in seen:
                continue
            seen.add(key)
            rows.append(
                {
                    "dedupe_key": key,
                    "dossier_id": dossier.id,
                    "status_code": code,
                    "emc_status": emc_status(code),
                    "occurred_at": at,
                    "payload": build_payload(dossier, fact, code, at),
                    "state": PENDING,
                    "attempts": 0,
                    "next_attempt_at": now,
                    "last_error": "",
                    "created_at": now,
                }
            )
    if rows:
        statement = insert(EmcEvent.__table__).on_conflict_do_nothing(index_elements=["dedupe_key"])
        db.session.execute(statement, rows)


def queue_missing(dossiers: list[Dossier], facts: dict[int, DossierFact]) -> int:
    """Every status in each dossier's history has its event: used after a set-wise batch and
    by the daily reconciliation. Returns the events added."""
    if not dossiers:
        return 0
    known = set(
        db.session.scalars(
            select(EmcEvent.dedupe_key).where(EmcEvent.dossier_id.in_([d.id for d in dossiers]))
        )
    )
    added = 0
    for d in dossiers:
        fact = facts.get(d.id)
        if fact is None:
            continue
        for at, code in fact.status_history:
            key = dedupe_key(d.code, code)
            if key in known:
                continue
            known.add(key)
            when = datetime.fromisoformat(at)
            db.session.add(
                EmcEvent(
                    dedupe_key=key,
                    dossier_id=d.id,
                    status_code=code,
                    emc_status=emc_status(code),
                    occurred_at=when,
                    payload=build_payload(d, fact, code, when),
                    next_attempt_at=utcnow(),
                )
            )
            added += 1
    return added
