"""Domain events → notifications, a batch of events at a time.

A burst from the portal (hundreds of status changes a second) must not cost a dozen queries per
event: a batch claims its events, loads the dossiers, followers, owners, preferences and
reach with a handful of set-wise queries, and stores the new notifications with one INSERT that
skips dedupe keys already seen. The events are marked processed in the same transaction as
their notifications, so a crash repeats nothing and loses nothing, and concurrent runs skip the
events another run holds (SKIP LOCKED) instead of waiting for them.

Commits on its own: each batch of outbox events is marked processed in the transaction that
stores its notifications.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import or_, select, update

from api.auth.models import ROLE_CITIZEN, Account
from api.dossiers.models import DomainEvent, Dossier, DossierFollow, DossierStatus
from api.kernel.clock import utcnow
from api.kernel.database import db
from api.kernel.events import collect
from api.profile.models import ChatIdentity
from push.notifications import planning
from push.notifications.announcements import CHAT_LANGUAGES, STATUS_NOTIFIED
from push.notifications.models import PENDING, Notification

log = logging.getLogger(__name__)

STATUS_CHANGED = "dossier.status_changed"
# The outbox kinds this relay turns into notifications. Any other kind stays unprocessed and is
# reported at every run (an error log, and the outbox backlog on /metrics), never dropped.
HANDLED_KINDS = frozenset({STATUS_CHANGED})
BATCH = 500

# Which notification a status change makes, by the status it moved to.
EVENT_BY_STATUS = {
    5: "supplement_requested",
    6: "payment_requested",
    9: "result_ready",
    10: "result_ready",
}


def dossier_params(dossier: Dossier, status: DossierStatus) -> dict:
    return {
        "code": dossier.code,
        "procedure": dossier.procedure_name,
        "status": status.label_vi,
        "status_en": status.label_en,
        "advice": status.advice_vi,
        "advice_en": status.advice_en,
    }


@dataclass
class Relayed:
    events: int  # events taken (0: the outbox was empty)
    notification_ids: list[int]  # new notifications waiting for delivery (caller enqueues)
    urgent_ids: list[int] = field(default_factory=list)  # those of them that are urgent


def process_pending_events(limit: int | None = None) -> list[int]:
    return relay(limit).notification_ids


def relay(limit: int | None = None) -> Relayed:
    """Turn up to ``limit`` (BATCH) unprocessed events into notifications in one transaction."""
    events = list(
        db.session.scalars(
            select(DomainEvent)
            .where(DomainEvent.processed_at.is_(None), DomainEvent.kind.in_(HANDLED_KINDS))
            .order_by(DomainEvent.id)
            .limit(limit or BATCH)
            # Concurrent runs skip the rows another is taking instead of waiting on them.
            .with_for_update(skip_locked=True)
        )
    )
    if len(events) < (limit or BATCH):
        _report_unhandled()  # the end of the backlog: say what is left that nobody handles
    if not events:
        db.session.commit()
        return Relayed(0, [])
    db.session.execute(
        update(DomainEvent)
        .where(DomainEvent.id.in_([e.id for e in events]))
        .values(processed_at=utcnow())
    )
    made = _fan_out([e for e in events if e.kind == STATUS_CHANGED and e.dossier_id])
    db.session.commit()
    return Relayed(len(events), [nid for nid, _ in made], [nid for nid, urgent in made if urgent])


def _report_unhandled() -> None:
    kinds = list(
        db.session.scalars(
            select(DomainEvent.kind)
            .where(DomainEvent.processed_at.is_(None), DomainEvent.kind.not_in(HANDLED_KINDS))
            .distinct()
            .limit(10)
        )
    )
    if kinds:
        log.error("domain_event_kind_unhandled", extra={"kinds": sorted(kinds)})


def events_waiting() -> bool:
    """Events this relay would take (those of unhandled kinds wait, reported, for a handler)."""
    waiting = db.session.scalar(
        select(DomainEvent.id)
        .where(DomainEvent.processed_at.is_(None), DomainEvent.kind.in_(HANDLED_KINDS))
        .limit(1)
    )
    db.session.commit()
    return waiting is not None


def _fan_out(events: list[DomainEvent]) -> list[tuple[int, bool]]:
    """A status change → one notification per owner account, following account and chat;
    (id, urgent) of the new ones waiting for delivery."""
    if not events:
        return []
    dossiers = {
        d.id: d
        for d in db.session.scalars(
            select(Dossier).where(Dossier.id.in_({e.dossier_id for e in events}))
        )
    }
    statuses = {s.code: s for s in db.session.scalars(select(DossierStatus))}
    audience = _Audience.load(list(dossiers.values()))
    rows: list[dict] = []
    now = utcnow()
    for event in events:
        dossier, status = dossiers[event.dossier_id], statuses[event.payload["to_status"]]
        kind = EVENT_BY_STATUS.get(status.code, "status_changed")
        params = dossier_params(dossier, status)
        chains: dict[int, list[str]] = {}
        for recipient in audience.accounts_of(dossier):
            key = f"{event.dedupe_key}:a{recipient.account_id}"
            row = planning.for_account(recipient, kind, params, key, dossier.id, now)
            chains[recipient.account_id] = row["chain"]
            rows.append(row)
        for channel, chat_id in audience.chats.get(dossier.id, []):
            if channel in chains.get(audience.chat_owner.get((channel, chat_id)), []):
                continue  # the chat's own account hears on this channel already
            key = f"{event.dedupe_key}:{channel}:{chat_id}"
            language = audience.chat_language.get((channel, chat_id), "vi")
            rows.append(
                planning.for_chat(channel, chat_id, kind, params, key, dossier.id, now, language)
            )
    stored = [(nid, urgent) for nid, state, urgent in planning.insert_new(rows) if state == PENDING]
    # After the status notifications, so that a citizen hears "ready" before "please rate":
    # the domains above add theirs (supplement thread, rating and survey invitations).
    extra: list[Notification] = []
    for event in events:
        extra += collect(
            STATUS_NOTIFIED,
            dossier=dossiers[event.dossier_id],
            status=statuses[event.payload["to_status"]],
            event_key=event.dedupe_key,
        )
    db.session.flush()
    return stored + [(n.id, n.urgent) for n in extra if n.status == PENDING]


class _Audience:
    """Who hears of the batch's dossiers: owners (by personal number), following accounts and
    following chats, with each account's preferences and reach."""

    def __init__(self) -> None:
        self.owner_of_number: dict[str, int] = {}
        self.contact_of_phone: dict[str, int] = {}
        self.followers: dict[int, list[int]] = defaultdict(list)
        self.chats: dict[int, list[tuple[str, str]]] = defaultdict(list)
        self.chat_owner: dict[tuple[str, str], int] = {}  # chats linked to an account
        self.chat_language: dict[tuple[str, str], str] = {}  # as the chat chose with the bot
        self.recipients: dict[int, planning.Recipient] = {}

    @classmethod
    def load(cls, dossiers: list[Dossier]) -> _Audience:
        audience = cls()
        ids = [d.id for d in dossiers]
        for dossier_id, account_id, channel, chat_id in db.session.execute(
            select(
                DossierFollow.dossier_id,
                DossierFollow.account_id,
                DossierFollow.chat_channel,
                DossierFollow.chat_id,
            )
            .where(DossierFollow.dossier_id.in_(ids))
            .order_by(DossierFollow.id)
        ):
            if account_id is not None:
                audience.followers[dossier_id].append(account_id)
            elif channel is not None:
                audience.chats[dossier_id].append((channel, chat_id))
        numbers = {d.applicant_id_number for d in dossiers if d.applicant_id_number}
        phones = {d.contact_phone for d in dossiers if d.contact_phone}
        follower_ids = {a for accounts in audience.followers.values() for a in accounts}
        conditions = []
        if numbers:
            conditions.append(Account.personal_id.in_(numbers))
        if phones:  # the contact: who proved the record's phone (api/dossiers/applicant.py)
            conditions.append(Account.phone.in_(phones) & (Account.role == ROLE_CITIZEN))
        if follower_ids:
            conditions.append(Account.id.in_(follower_ids))
        accounts = (
            list(
                db.session.scalars(
                    select(Account).where(or_(*conditions), Account.active.is_(True))
                )
            )
            if conditions
            else []
        )
        audience.owner_of_number = {a.personal_id: a.id for a in accounts if a.personal_id}
        audience.contact_of_phone = {
            a.phone: a.id for a in accounts if a.phone and a.role == ROLE_CITIZEN
        }
        audience.recipients = planning.recipients(accounts)
        audience._load_chats()
        return audience

    def _load_chats(self) -> None:
        chat_ids = {chat_id for chats in self.chats.values() for _, chat_id in chats}
        if not chat_ids:
            return
        for channel, chat_id, account_id in db.session.execute(
            select(ChatIdentity.channel, ChatIdentity.external_id, ChatIdentity.account_id).where(
                ChatIdentity.external_id.in_(chat_ids)
            )
        ):
            self.chat_owner[(channel, chat_id)] = account_id
        # The bots keep the language each chat chose; a chat nobody answers for hears in "vi".
        for chat, language in collect(CHAT_LANGUAGES, chat_ids=chat_ids):
            self.chat_language[chat] = language or "vi"

    def accounts_of(self, dossier: Dossier) -> list[planning.Recipient]:
        ids = list(self.followers.get(dossier.id, []))
        owners = [
            self.owner_of_number.get(dossier.applicant_id_number or ""),
            self.contact_of_phone.get(dossier.contact_phone or ""),
        ]
        for owner in reversed(owners):
            if owner is not None and owner not in ids:
                ids.insert(0, owner)
        return [self.recipients[i] for i in ids if i in self.recipients]
