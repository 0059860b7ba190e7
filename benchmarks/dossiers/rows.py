"""Rows for a million mirrored dossiers, deterministic by row number (so a load can resume).

Building a million records with the portal simulator's factory and the real adapter would
take minutes, so a few thousand are built that way (templates: procedure, unit, status with
its dates and result papers, TienDo history) and each row takes one, with its own code,
applicant and dates:

- codes ``{unit}-{yyMMdd}-{NNNN}``, sequential per unit per day over about two years;
- statuses mostly finished in the older days, mostly open in the last month;
- about 0.4 applicants per dossier (a citizen has a few), 12-digit personal ID numbers laid
  out like real ones (province, century and sex, year of birth, serial), phone numbers; and
  HEAVY citizens with 50 dossiers each, the worst case of "my dossiers";
- every TIMELINE_EVERY-th dossier gets its TienDo history as timeline rows.
"""

from __future__ import annotations

import hashlib
import json
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from api.kernel.clock import VN_TZ
from api.portal.dossier_records import dossier_from_hoso, progress_from_tiendo
from sandbox import portal_data as data

TEMPLATES = 4_000
PER_UNIT_DAY = 35
UNITS = tuple(f"000.{20 + n:02d}.{15 + n % 3:02d}.H{12 + n % 5:02d}" for n in range(40))
RECENT_DAYS = 30
TIMELINE_EVERY = 10
HEAVY = 20  # citizens with one dossier in every 1,000: 50 each at a million
CITIZEN_SHARE = 0.4
# Status weights (TrangThaiHoSo 1..10): the archive is mostly returned results; the last
# month is mostly dossiers still moving.
OLD_WEIGHTS = (0, 1, 3, 1, 0, 0, 2, 2, 6, 85)
RECENT_WEIGHTS = (8, 20, 3, 30, 8, 4, 2, 2, 10, 13)
PROVINCES = ("001", "031", "036", "048", "052", "075", "079", "083", "092", "096")
PHONE_PREFIXES = ("090", "091", "093", "094", "096", "097", "098", "032", "035", "038", "086")
DATE_FIELDS = ("received_at", "due_at", "returned_at", "finished_processing_at", "refused_at")
DOSSIER_COLUMNS = (
    "id", "code", "procedure_code", "procedure_name", "field_code", "field_name",
    "receipt_number", "channel", "applicant_name", "applicant_id_number", "applicant_type",
    "applicant_code", "email", "phone", "summary", "submitted_at", *DATE_FIELDS, "status_code",
    "handling_unit", "note", "digitised", "vneid_verified", "paid_online", "result_documents",
    "supplement_requests", "source_as_of", "source_hash", "finished", "next_sync_at",
    "last_synced_at", "created_at", "updated_at",
)  # fmt: skip
TIMELINE_COLUMNS = (
    "dossier_id", "kind", "external_key", "occurred_at", "status_code", "actor", "actor_title",
    "department", "content", "step_started_at", "step_due_at", "source", "created_at",
)  # fmt: skip
FINISHED = frozenset({3, 7, 8, 10})
FIXED = ("procedure_code", "field_code", "field_name", "channel", "applicant_type")
FIXED += ("applicant_code", "email")  # the fields every row of a template shares


def _offset(value: datetime | None, origin: datetime) -> timedelta | None:
    return None if value is None else value - origin


@dataclass(frozen=True)
class Template:
    """One factory-made dossier, its dates as offsets from submission."""

    status: int
    business: bool
    name: str
    fixed: tuple  # procedure .. field name, channel, applicant type/code, email
    procedure_name: str
    unit_name: str
    dates: tuple[timedelta | None, ...]  # DATE_FIELDS
    flags: tuple[bool, bool, bool]
    note: str
    documents: str  # JSON text
    supplements: str
    last_change: timedelta
    timeline: tuple[tuple, ...]  # (offset, status, actor, title, department, content, due)


def _template(hoso: dict, history: list[dict]) -> Template:
    update = dossier_from_hoso(data.public_view(hoso))  # the real adapter, as a push would
    f = update.fields
    origin = f["submitted_at"]
    steps = [progress_from_tiendo(entry) for entry in history]
    return Template(
        status=update.status_code,
        business=f["applicant_type"] == "2",
        name=f["applicant_name"],
        fixed=tuple(f[k] for k in FIXED),
        procedure_name=f["procedure_name"],
        unit_name=f["handling_unit"],
        dates=tuple(_offset(f[name], origin) for name in DATE_FIELDS),
        flags=(f["digitised"], f["vneid_verified"], f["paid_online"]),
        note=f["note"],
        documents=json.dumps(f["result_documents"], ensure_ascii=False),
        supplements=json.dumps(f["supplement_requests"], ensure_ascii=False),
        last_change=max(s.occurred_at for s in steps) - origin,
        timeline=tuple(
            (s.occurred_at - origin, s.status_code, s.actor, s.actor_title, s.department)
            + (s.content, _offset(s.step_due_at, origin))
            for s in steps
        ),
    )


class RowMaker:
    """Dossier ``i`` (id i + 1) of ``total``, always the same for the same ``i``."""

    def __init__(self, total: int, anchor: datetime, seed: int = 44) -> None:
        """``anchor``: the instant the data set is "as of" (the newest day), fixed for the
        life of the database so that a resumed load makes the same rows."""
        rng = random.Random(seed)
        catalog = data.load_catalog()
        field_names = {f["code"]: f["name"] for f in catalog.get("fields", [])}
        factory = data.DossierFactory(rng, catalog["procedures"], field_names)
        self.by_status: dict[int, list[Template]] = {s: [] for s in range(1, 11)}
        for index in range(TEMPLATES):
            template = _template(*factory.build(index, anchor))
            self.by_status[template.status].append(template)
        self.names = [t.name for ts in self.by_status.values() for t in ts if not t.business]
        self.total = total
        self.citizens = max(HEAVY + 1, int(total * CITIZEN_SHARE))
        slots = -(-total // PER_UNIT_DAY)
        self.days = -(-slots // len(UNITS))
        today = anchor.astimezone(VN_TZ).replace(hour=7, minute=30, second=0, microsecond=0)
        self.first_day = today - timedelta(days=self.days - 1)
        self.old_pick = [s for s, w in enumerate(OLD_WEIGHTS, 1) for _ in range(w)]
        self.recent_pick = [s for s, w in enumerate(RECENT_WEIGHTS, 1) for _ in range(w)]

    def citizen(self, i: int) -> int:
        if i % 1000 == 0:
            return (i // 1000) % HEAVY
        return HEAVY + (i * 48271) % (self.citizens - HEAVY)

    @staticmethod
    def personal_id(c: int) -> str:
        """12 digits: province, century-and-sex, year of birth, serial (unique per ``c``)."""
        year = 1950 + (c // 10) % 56
        sex = c % 2 + (0 if year < 2000 else 2)
        return f"{PROVINCES[c % 10]}{sex}{year % 100:02d}{c // 560:06d}"

    @staticmethod
    def tax_code(c: int) -> str:
        return f"{1 + c % 9}{(c * 7919) % 10**9:09d}"

    @staticmethod
    def phone(c: int) -> str:
        return f"{PHONE_PREFIXES[c % len(PHONE_PREFIXES)]}{(c * 104729) % 10**7:07d}"

    def dossier(self, i: int) -> tuple[tuple, list[tuple]]:
        """The dossiers row and its timeline rows (empty for most)."""
        slot, seq = divmod(i, PER_UNIT_DAY)
        day_index, unit_index = divmod(slot, len(UNITS))
        day = self.first_day + timedelta(days=day_index)
        code = f"{UNITS[unit_index]}-{day:%y%m%d}-{seq + 1:04d}"
        recent = day_index >= self.days - RECENT_DAYS
        pick = self.recent_pick if recent else self.old_pick
        status = pick[(i * 2654435761 >> 8) % len(pick)]
        choices = self.by_status[status]
        t = choices[(i // 7) % len(choices)]
        c = self.citizen(i)
        submitted = (day + timedelta(minutes=(i * 7919) % 540)).astimezone(UTC)
        name = t.name if t.business else self.names[c % len(self.names)]
        id_number = self.tax_code(c) if t.business else self.personal_id(c)
        updated = submitted + t.last_change
        procedure_code, field_code, field_name, channel, kind, applicant_code, email = t.fixed
        row = (
            i + 1,
            code,
            procedure_code,
            t.procedure_name,
            field_code,
            field_name,
            code,
            channel,
            name,
            id_number,
            kind,
            applicant_code,
            email,
            self.phone(c),
            f"{t.procedure_name} - {name}",
            submitted,
            *(None if d is None else submitted + d for d in t.dates),
            status,
            t.unit_name,
            t.note,
            *t.flags,
            t.documents,
            t.supplements,
            updated,
            hashlib.sha256(code.encode()).hexdigest(),
            status in FINISHED,
            None,
            None,
            submitted,
            updated,
        )
        timeline = []
        if i % TIMELINE_EVERY == 0:
            for n, (offset, step_status, actor, title, dept, content, due) in enumerate(t.timeline):
                at = submitted + offset
                key = hashlib.sha256(f"{code}|progress|{n}".encode()).hexdigest()
                due_at = None if due is None else submitted + due
                timeline.append(
                    (i + 1, "progress", key, at, step_status, actor, title, dept, content, at)
                    + (due_at, "push", at)
                )
        return row, timeline
