"""Catalog look-ups and search, for routes, bots and workers alike (no Flask request here)."""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from api.catalog.models import (
    Field,
    ImplementingLevel,
    OnlineLevel,
    Procedure,
    ProcedureChannel,
    SubmissionChannel,
)
from api.catalog.search.index import Filters, SearchIndex
from api.catalog.search.loader import holder
from api.catalog.search.suggest import suggest
from api.kernel.database import db
from api.kernel.errors import ApiError
from api.kernel.i18n import message, register_messages
from api.kernel.pagination import Page

register_messages(
    {
        "procedure_not_found": {
            "vi": "Không tìm thấy thủ tục có mã {code}. Xin kiểm tra lại mã hoặc tìm theo tên thủ tục.",
            "en": "No procedure has the code {code}. Please check the code or search by name.",
        },
        "search_no_close_match": {
            "vi": "Chưa tìm thấy thủ tục nào thật sự khớp với điều bạn hỏi. Xin xem các lĩnh vực "
            "và gợi ý gần nhất dưới đây, hoặc thử gõ cách khác.",
            "en": "No procedure closely matches what you asked. Please look at the nearest "
            "fields and suggestions below, or try other words.",
        },
        "unknown_filter_value": {
            "vi": "Giá trị lọc “{value}” không có trong danh mục.",
            "en": "The filter value “{value}” is not in the catalog.",
        },
    }
)


SUGGESTIONS = 3  # offered with "no close match"


@dataclass
class SearchPage:
    items: list[dict]
    total: int
    facets: dict[str, list[dict]]
    match: dict | None = None  # how close the best answer is; "no close match" with choices


def search_index() -> SearchIndex:
    return holder.get()


def list_fields() -> list[dict]:
    """Fields with how many procedures each has, for the app's first screen."""
    index = search_index()
    counts = dict.fromkeys(index.field_codes, 0)
    for ix in index.field_ix.tolist():
        counts[index.field_codes[ix]] += 1
    return [
        {"code": f.code, "name": f.name, "procedure_count": counts.get(f.code, 0)}
        for f in db.session.scalars(select(Field).order_by(Field.name))
    ]


def reference_codes() -> dict[str, list]:
    return {
        "online_levels": list(
            db.session.scalars(select(OnlineLevel).order_by(OnlineLevel.position))
        ),
        "levels": list(
            db.session.scalars(select(ImplementingLevel).order_by(ImplementingLevel.position))
        ),
        "channels": list(
            db.session.scalars(select(SubmissionChannel).order_by(SubmissionChannel.position))
        ),
    }


def validate_filters(filters: Filters) -> None:
    """Unknown codes are refused (422) rather than silently answering nothing."""
    errors: dict[str, list[str]] = {}
    if filters.field and filters.field not in holder.field_names:
        errors["field"] = [f"Unknown field code {filters.field!r}."]
    if filters.online_level and filters.online_level not in holder.online_levels:
        errors["online_level"] = [f"Must be one of: {', '.join(_codes(OnlineLevel))}."]
    if filters.level and not db.session.get(ImplementingLevel, filters.level):
        errors["level"] = [f"Must be one of: {', '.join(_codes(ImplementingLevel))}."]
    if errors:
        raise ApiError(422, "validation_failed", errors=errors)


def _codes(model) -> list[str]:  # noqa: ANN001
    return list(db.session.scalars(select(model.code).order_by(model.position)))


def search_procedures(query: str, filters: Filters, page: Page, lang: str = "vi") -> SearchPage:
    index = search_index()  # also refreshes the cached field and level names
    validate_filters(filters)
    result = index.search(query, filters, page.offset, page.page_size)
    field_names, levels = holder.field_names, holder.online_levels
    items = [summary(index, p, field_names) for p in result.positions]
    match = None if result.evidence is None else _match(index, result, field_names, lang)
    facets = {
        "field": [
            {"code": code, "name": field_names.get(code, code), "count": count}
            for code, count in sorted(result.facets["field"].items(), key=lambda kv: -kv[1])
        ],
        "online_level": [
            {"code": code, "name": levels.get(code, (code, 0))[0], "count": count}
            for code, count in sorted(
                result.facets["online_level"].items(), key=lambda kv: levels.get(kv[0], ("", 99))[1]
            )
        ],
    }
    return SearchPage(items, result.total, facets, match)


def _match(index: SearchIndex, result, field_names: dict[str, str], lang: str) -> dict:  # noqa: ANN001
    """How sure the best answer is; below the calibrated bar, say so plainly and offer the
    nearest fields and procedures instead."""
    evidence = result.evidence
    match: dict = {"close": evidence.close, "confidence": evidence.confidence}
    if not evidence.close:
        suggestions = [summary(index, p, field_names) for p in result.nearest[:SUGGESTIONS]]
        fields = list(dict.fromkeys(s["field"]["code"] for s in suggestions))
        match.update(
            message=message("search_no_close_match", lang),
            nearest_fields=[{"code": c, "name": field_names.get(c, c)} for c in fields],
            suggestions=[{"code": s["code"], "name": s["name"]} for s in suggestions],
        )
    return match


def _answer_key(query: str, filters: Filters, page: Page, lang: str) -> tuple:
    return (
        holder.revision,
        lang,
        " ".join(query.lower().split()),
        tuple(vars(filters).values()),
        page.page,
        page.page_size,
    )


def cached_search_answer(
    query: str, filters: Filters, page: Page, lang: str = "vi"
) -> bytes | None:
    """A serialised answer for the same search on the same catalog revision, if any."""
    search_index()  # keeps the revision current
    return holder.answers.get(_answer_key(query, filters, page, lang))


def remember_search_answer(
    query: str, filters: Filters, page: Page, body: dict, lang: str = "vi"
) -> bytes:
    data = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
    holder.answers.put(_answer_key(query, filters, page, lang), data)
    return data


def suggest_procedures(query: str, limit: int = 10) -> list[dict]:
    index = search_index()
    return [{"code": index.codes[p], "name": index.names[p]} for p in suggest(index, query, limit)]


def summary(index: SearchIndex, position: int, field_names: dict[str, str]) -> dict:
    field_code = index.field_codes[index.field_ix[position]]
    return {
        "code": index.codes[position],
        "name": index.names[position],
        "field": {"code": field_code, "name": field_names.get(field_code, field_code)},
        "online_level": index.online_codes[index.online_ix[position]],
    }


def get_procedure(code: str) -> Procedure:
    procedure = db.session.scalar(
        select(Procedure)
        .where(Procedure.code == code)
        .options(
            selectinload(Procedure.implementing_levels),
            selectinload(Procedure.agencies),
            selectinload(Procedure.subjects),
            selectinload(Procedure.channels).selectinload(ProcedureChannel.fees),
            selectinload(Procedure.steps),
            selectinload(Procedure.documents),
            selectinload(Procedure.results),
            selectinload(Procedure.legal_bases),
        )
    )
    if procedure is None:
        raise ApiError(404, "procedure_not_found", code=code[:64])
    return procedure
