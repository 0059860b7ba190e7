"""Import a procedure catalog file: idempotent upsert, bad records reported, the rest imported.

Each batch commits on its own, so an interrupted import loses nothing done so far, and
running it again resumes: records already imported unchanged are skipped by content hash.

Commits on its own: each batch of the import commits, so an interrupted import resumes.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import marshmallow as ma
from sqlalchemy import select

from api.catalog.models import (
    Agency,
    CatalogRevision,
    ChannelFee,
    Field,
    ImplementingLevel,
    LegalBasis,
    OnlineLevel,
    Procedure,
    ProcedureChannel,
    ProcedureResult,
    ProcedureStep,
    RequiredDocument,
    Subject,
    SubmissionChannel,
)
from api.catalog.records import (
    FieldRecord,
    ProcedureRecord,
    content_hash,
    first_error,
    national_code,
)
from api.kernel.database import db

log = logging.getLogger(__name__)

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
DEFAULT_CATALOG = DATA_DIR / "procedures.json"
CODES_FILE = DATA_DIR / "catalog_codes.json"


@dataclass
class ImportProblem:
    position: int  # 1-based position in the file's "procedures" (or "fields") list
    code: str | None
    reason: str
    section: str = "procedures"


@dataclass
class ImportSummary:
    total: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0
    fields_changed: int = 0
    problems: list[ImportProblem] = field(default_factory=list)
    revision: int | None = None

    def as_dict(self) -> dict:
        return {
            "total": self.total,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "failed": self.failed,
            "fields_changed": self.fields_changed,
            "revision": self.revision,
            "problems": [p.__dict__ for p in self.problems],
        }


class CatalogFileError(ValueError):
    """The file as a whole cannot be read (not JSON, no procedures list)."""


def load_catalog_file(path: str | Path) -> dict:
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except OSError as exc:
        raise CatalogFileError(f"cannot read {path}: {exc.strerror}") from exc
    except json.JSONDecodeError as exc:
        raise CatalogFileError(f"{path} is not valid JSON (line {exc.lineno}): {exc.msg}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("procedures"), list):
        raise CatalogFileError(f'{path} has no "procedures" list')
    return data


def ensure_reference_codes() -> None:
    """Upsert online levels, submission channels and implementing levels from the data file."""
    codes = json.loads(CODES_FILE.read_text(encoding="utf-8"))
    for model, key in (
        (OnlineLevel, "online_levels"),
        (SubmissionChannel, "submission_channels"),
        (ImplementingLevel, "implementing_levels"),
    ):
        for row in codes[key]:
            db.session.merge(model(**row))
    db.session.commit()


def import_catalog(
    data: dict,
    *,
    source: str = "",
    batch_size: int = 500,
    progress: Callable[[int], None] | None = None,
) -> ImportSummary:
    ensure_reference_codes()
    summary = ImportSummary()
    summary.fields_changed = _upsert_fields(data.get("fields") or [], summary)

    context = _Context.load()
    records = data["procedures"]
    summary.total = len(records)
    seen: set[str] = set()
    for start in range(0, len(records), batch_size):
        batch = records[start : start + batch_size]
        before = (summary.created, summary.updated, summary.failed)
        for offset, raw in enumerate(batch):
            _import_one(start + offset + 1, raw, context, seen, summary)
        changed = (summary.created - before[0], summary.updated - before[1])
        if any(changed) or (start == 0 and summary.fields_changed):
            # The revision row commits with the batch it describes, so search indexes
            # reload even when a later batch is interrupted.
            revision = CatalogRevision(
                source=source[:500],
                created=changed[0],
                updated=changed[1],
                failed=summary.failed - before[2],
            )
            db.session.add(revision)
            db.session.flush()
            summary.revision = revision.id
        db.session.commit()
        if progress:
            progress(len(batch))
    log.info(
        "catalog_import",
        extra={"summary": {k: v for k, v in summary.as_dict().items() if k != "problems"}},
    )
    return summary


def _upsert_fields(rows: Iterable, summary: ImportSummary) -> int:
    existing = {f.code: f for f in db.session.scalars(select(Field))}
    changed = 0
    for position, raw in enumerate(rows, start=1):
        try:
            record = FieldRecord().load(raw)
        except ma.ValidationError as exc:
            summary.problems.append(
                ImportProblem(position, _code_of(raw), first_error(exc.messages), "fields")
            )
            continue
        current = existing.get(record["code"])
        if current is None:
            db.session.add(Field(**record))
            changed += 1
        elif current.name != record["name"]:
            current.name = record["name"]
            changed += 1
    db.session.commit()
    return changed


def _code_of(raw: object) -> str | None:
    return str(raw.get("code"))[:64] if isinstance(raw, dict) and raw.get("code") else None


class _Context:
    """Lookups loaded once per import, so each record costs no extra queries."""

    def __init__(self) -> None:
        self.procedures: dict[str, tuple[int, str]] = {}
        self.fields: set[str] = set()
        self.online_levels: set[str] = set()
        self.channels: set[str] = set()
        self.levels_by_name: dict[str, ImplementingLevel] = {}
        self.agencies: dict[str, Agency] = {}
        self.subjects: dict[str, Subject] = {}

    @classmethod
    def load(cls) -> _Context:
        ctx = cls()
        rows = db.session.execute(select(Procedure.code, Procedure.id, Procedure.content_hash))
        ctx.procedures = {code: (pid, h) for code, pid, h in rows}
        ctx.fields = set(db.session.scalars(select(Field.code)))
        ctx.online_levels = set(db.session.scalars(select(OnlineLevel.code)))
        ctx.channels = set(db.session.scalars(select(SubmissionChannel.code)))
        for level in db.session.scalars(select(ImplementingLevel)):
            ctx.levels_by_name[level.name_vi.lower()] = level
            ctx.levels_by_name[level.code] = level
        ctx.agencies = {a.name: a for a in db.session.scalars(select(Agency))}
        ctx.subjects = {s.name: s for s in db.session.scalars(select(Subject))}
        return ctx

    def agency(self, name: str) -> Agency:
        if name not in self.agencies:
            self.agencies[name] = Agency(name=name)
        return self.agencies[name]

    def subject(self, name: str) -> Subject:
        if name not in self.subjects:
            self.subjects[name] = Subject(name=name)
        return self.subjects[name]


def _import_one(
    position: int, raw: object, ctx: _Context, seen: set[str], summary: ImportSummary
) -> None:
    def fail(reason: str) -> None:
        summary.failed += 1
        summary.problems.append(ImportProblem(position, _code_of(raw), reason))

    if not isinstance(raw, dict):
        return fail("record is not a JSON object")
    try:
        record = ProcedureRecord().load(raw)
    except ma.ValidationError as exc:
        return fail(first_error(exc.messages))
    reason = _reference_problem(record, ctx)
    if reason:
        return fail(reason)
    code = record["code"]
    if code in seen:
        return fail(f"code {code} appears more than once in this file")
    seen.add(code)

    digest = content_hash(record)
    existing = ctx.procedures.get(code)
    if existing and existing[1] == digest:
        summary.unchanged += 1
        return None
    if existing:
        procedure = db.session.get(Procedure, existing[0])
        summary.updated += 1
    else:
        procedure = Procedure(code=code)
        db.session.add(procedure)
        summary.created += 1
    _fill(procedure, record, digest, ctx)
    return None


def _reference_problem(record: dict, ctx: _Context) -> str | None:
    if record["field_code"] not in ctx.fields:
        return f"field_code: unknown field {record['field_code']!r}"
    if record["online_level"] not in ctx.online_levels:
        return f"online_level: must be one of {sorted(ctx.online_levels)}"
    for level in record["levels"]:
        if level.lower() not in ctx.levels_by_name:
            return f"levels: unknown implementing level {level!r}"
    channels = [c["channel"] for c in record["channels"]]
    for channel in channels:
        if channel not in ctx.channels:
            return f"channels: unknown channel {channel!r}"
    if len(set(channels)) != len(channels):
        return "channels: the same channel is listed twice"
    return None


def _fill(procedure: Procedure, record: dict, digest: str, ctx: _Context) -> None:
    procedure.national_code = national_code(record["code"])
    procedure.name = record["name"].strip()
    procedure.field_code = record["field_code"]
    procedure.online_level = record["online_level"]
    procedure.issuing_agency = record["issuing_agency"]
    procedure.description = record["description"]
    procedure.requirements = record["requirements"]
    procedure.content_hash = digest
    levels = {
        ctx.levels_by_name[name.lower()].code: ctx.levels_by_name[name.lower()]
        for name in record["levels"]
    }
    procedure.implementing_levels = list(levels.values())
    procedure.agencies = [ctx.agency(n) for n in dict.fromkeys(record["agencies"] or [])]
    procedure.subjects = [ctx.subject(n) for n in dict.fromkeys(record["subjects"])]
    procedure.channels = [
        ProcedureChannel(
            channel_code=c["channel"],
            position=i,
            duration_text=c["duration_text"],
            duration_days=c["duration_days"],
            fees=[ChannelFee(position=j, **fee) for j, fee in enumerate(c["fees"])],
        )
        for i, c in enumerate(record["channels"])
    ]
    procedure.steps = [
        ProcedureStep(position=i, description=s) for i, s in enumerate(record["steps"])
    ]
    procedure.documents = [
        RequiredDocument(position=i, **d) for i, d in enumerate(record["documents"])
    ]
    procedure.results = [
        ProcedureResult(position=i, name=r) for i, r in enumerate(record["results"])
    ]
    procedure.legal_bases = [
        LegalBasis(position=i, **lb) for i, lb in enumerate(record["legal_basis"])
    ]
