"""Refreshing the procedure catalog from the portal (LayDanhSachTTHC, then LayThuTuc for each).

Procedures are fetched one by one and imported in batches through the same importer as the
catalog file, so a refresh shows progress, reports bad records and can simply be run again
after an interruption (unchanged procedures are skipped).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from api.catalog.importer import ImportSummary, import_catalog
from api.portal.gateway import PortalError, PortalGateway
from api.portal.records import procedure_record_from_laythutuc

log = logging.getLogger(__name__)
BATCH = 200


def refresh_catalog(
    gateway: PortalGateway,
    progress: Callable[[int, int], None] | None = None,
    limit: int | None = None,
) -> ImportSummary:
    listing = gateway.list_procedures()
    codes = [str(item.get("MATTHC") or "").strip() for item in listing if item.get("MATTHC")]
    codes = codes[:limit] if limit else codes
    total = ImportSummary()
    for start in range(0, len(codes), BATCH):
        records, fields = [], {}
        for code in codes[start : start + BATCH]:
            try:
                result = gateway.get_procedure(code)
            except PortalError as exc:
                if exc.retryable:
                    raise  # portal down: stop; what is imported stays, the rest comes next run
                log.warning("catalog_refresh_skip", extra={"code": code, "error": exc.code})
                continue
            if not result:
                continue
            records.append(procedure_record_from_laythutuc(result))
            for field in result.get("LINHVUCTHUCHIEN") or []:
                if field.get("MALINHVUC"):
                    fields[str(field["MALINHVUC"])] = str(
                        field.get("TENLINHVUC") or field["MALINHVUC"]
                    )
        summary = import_catalog(
            {"fields": [{"code": c, "name": n} for c, n in fields.items()], "procedures": records},
            source="portal LayThuTuc",
        )
        for name in ("total", "created", "updated", "unchanged", "failed"):
            setattr(total, name, getattr(total, name) + getattr(summary, name))
        total.problems += summary.problems
        total.revision = summary.revision or total.revision
        if progress:
            progress(min(start + BATCH, len(codes)), len(codes))
    return total
