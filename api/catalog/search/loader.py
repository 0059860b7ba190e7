"""Building the search index from the database, and keeping one per process up to date."""

from __future__ import annotations

import contextlib
import ctypes
import logging
import threading
import time
from collections import defaultdict
from collections.abc import Iterator

from flask import Flask, current_app
from sqlalchemy import func, select

from api.catalog.models import (
    Agency,
    CatalogRevision,
    Field,
    OnlineLevel,
    Procedure,
    ProcedureResult,
    Subject,
    procedure_agencies,
    procedure_levels,
    procedure_subjects,
)
from api.catalog.records import national_code
from api.catalog.search.cache import AnswerCache
from api.catalog.search.index import ProcedureEntry, SearchIndex
from api.kernel.database import db

log = logging.getLogger(__name__)

# How often a process asks the database whether the catalog changed.
REVISION_CHECK_SECONDS = 2.0
# From this size on, a changed catalog is re-indexed in the background (small ones inline).
BACKGROUND_REBUILD_SIZE = 10_000


def entries_from_records(records: list[dict], fields: dict[str, str]) -> list[ProcedureEntry]:
    """Entries straight from catalog-file records (benchmarks use this for synthetic catalogs)."""

    level_codes = {"cấp xã": "xa", "cấp tỉnh": "tinh", "cấp trung ương": "trung_uong"}
    return [
        ProcedureEntry(
            code=r["code"],
            national_code=national_code(r["code"]),
            name=r["name"],
            field_code=r["field_code"],
            online_level=r["online_level"],
            levels=tuple(level_codes.get(lv.lower(), lv) for lv in r.get("levels", [])),
            agencies=tuple(r.get("agencies", [])),
            subjects=tuple(r.get("subjects", [])),
            body=" ".join(
                [r.get("description", ""), *r.get("results", []), fields.get(r["field_code"], "")]
            ),
            description=r.get("description", ""),
        )
        for r in records
    ]


def entries_from_database() -> Iterator[ProcedureEntry]:
    """Procedures streamed from the database in chunks; repeated names (agencies, subjects)
    are shared, not copied per row."""
    session = db.session
    shared: dict[str, str] = {}

    def one(text: str) -> str:
        return shared.setdefault(text, text)

    fields = dict(session.execute(select(Field.code, Field.name)).all())
    levels: dict[int, list[str]] = defaultdict(list)
    for pid, code in session.execute(
        select(procedure_levels.c.procedure_id, procedure_levels.c.level_code)
    ):
        levels[pid].append(code)
    agencies: dict[int, list[str]] = defaultdict(list)
    for pid, name in session.execute(
        select(procedure_agencies.c.procedure_id, Agency.name)
        .join(Agency, Agency.id == procedure_agencies.c.agency_id)
        .order_by(procedure_agencies.c.procedure_id, procedure_agencies.c.position)
    ):
        agencies[pid].append(one(name))
    subjects: dict[int, list[str]] = defaultdict(list)
    for pid, name in session.execute(
        select(procedure_subjects.c.procedure_id, Subject.name)
        .join(Subject, Subject.id == procedure_subjects.c.subject_id)
        .order_by(procedure_subjects.c.procedure_id, procedure_subjects.c.position)
    ):
        subjects[pid].append(one(name))
    results: dict[int, list[str]] = defaultdict(list)
    for pid, name in session.execute(
        select(ProcedureResult.procedure_id, ProcedureResult.name).order_by(
            ProcedureResult.procedure_id, ProcedureResult.position
        )
    ):
        results[pid].append(name)
    rows = session.execute(
        select(
            Procedure.id,
            Procedure.code,
            Procedure.national_code,
            Procedure.name,
            Procedure.field_code,
            Procedure.online_level,
            Procedure.description,
        ).order_by(Procedure.code),
        execution_options={"yield_per": 2000},
    )
    for pid, code, national, name, field_code, online, description in rows:
        yield ProcedureEntry(
            code=code,
            national_code=national,
            name=name,
            field_code=field_code,
            online_level=online,
            levels=tuple(levels.get(pid, ())),
            agencies=tuple(agencies.get(pid, ())),
            subjects=tuple(subjects.get(pid, ())),
            body=" ".join([description or "", *results.pop(pid, ()), fields.get(field_code, "")]),
            description=description or "",
        )


def current_revision() -> int:
    return db.session.execute(select(func.max(CatalogRevision.id))).scalar() or 0


class IndexHolder:
    """One index per process, rebuilt when the catalog revision in the database moves. It also
    keeps the field and online-level names, so a search request needs no database query."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._index: SearchIndex | None = None
        self.field_names: dict[str, str] = {}
        self.answers = AnswerCache()
        self.online_levels: dict[str, tuple[str, int]] = {}
        self._revision: int | None = None
        self._checked_at = 0.0
        self._rebuilding = False

    def get(self) -> SearchIndex:
        now = time.monotonic()
        if self._index is not None and now - self._checked_at < REVISION_CHECK_SECONDS:
            return self._index
        revision = current_revision()
        with self._lock:
            self._checked_at = now
            if self._index is not None and revision == self._revision:
                return self._index
            if self._index is not None and self._index.size >= BACKGROUND_REBUILD_SIZE:
                # A large catalog takes seconds to index: keep answering from the old index
                # while a thread builds the new one, instead of holding up a citizen's request.
                self._rebuild_in_background(revision)
                return self._index
            self._install(*self._build(), revision)
            return self._index

    def _build(self) -> tuple[SearchIndex, dict[str, str], dict[str, tuple[str, int]]]:
        started = time.perf_counter()
        index = SearchIndex(entries_from_database())
        field_names = dict(db.session.execute(select(Field.code, Field.name)).all())
        online_levels = {
            code: (name, position)
            for code, name, position in db.session.execute(
                select(OnlineLevel.code, OnlineLevel.name_vi, OnlineLevel.position)
            )
        }
        log.info(
            "search_index_built",
            extra={"procedures": index.size, "ms": round((time.perf_counter() - started) * 1000)},
        )
        return index, field_names, online_levels

    def _install(self, index, field_names, online_levels, revision: int) -> None:  # noqa: ANN001
        self._index, self.field_names, self.online_levels = index, field_names, online_levels
        self._revision = revision
        _return_freed_memory()

    def _rebuild_in_background(self, revision: int) -> None:
        if self._rebuilding:
            return
        self._rebuilding = True
        app = current_app._get_current_object()

        def rebuild() -> None:
            try:
                with app.app_context():
                    built = self._build()
                with self._lock:
                    self._install(*built, revision)
            except Exception:  # noqa: BLE001 - the old index keeps serving; the next check retries
                log.exception("search_index_rebuild_failed")
            finally:
                self._rebuilding = False

        threading.Thread(target=rebuild, name="search-index-rebuild", daemon=True).start()

    @property
    def revision(self) -> int | None:
        return self._revision

    def clear(self) -> None:
        with self._lock:
            self._index = None
            self._revision = None


def _return_freed_memory() -> None:
    # Building leaves freed heap pages behind; glibc keeps them unless asked to give them back.
    with contextlib.suppress(OSError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


holder = IndexHolder()


def prebuild(app: Flask) -> bool:
    """Build this process's index before it serves anyone (an API worker before its first
    request, a job worker before its first job), so no citizen waits the seconds a large
    catalog takes. A missing or broken catalog must not stop the process: False, logged."""
    try:
        with app.app_context():
            holder.get()
            db.session.remove()
        return True
    except Exception:  # noqa: BLE001
        log.exception("search_index_prebuild_failed")
        return False
