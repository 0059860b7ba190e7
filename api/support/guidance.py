"""Step-by-step guidance for one procedure, built from its catalog record (never retyped):
what to prepare (a checklist to tick), where and how to file, cost, time, what happens next."""

from __future__ import annotations

from api.catalog.models import Procedure
from api.catalog.service import get_procedure
from api.kernel.i18n import message, register_messages

register_messages(
    {
        "guide_prepare": {"vi": "Chuẩn bị giấy tờ", "en": "What to prepare"},
        "guide_where": {"vi": "Nộp ở đâu, nộp thế nào", "en": "Where and how to file"},
        "guide_cost": {"vi": "Lệ phí", "en": "What it costs"},
        "guide_time": {"vi": "Thời gian giải quyết", "en": "How long it takes"},
        "guide_steps": {"vi": "Các bước", "en": "Steps"},
        "guide_next": {"vi": "Sau khi nộp", "en": "What happens next"},
        "guide_free": {"vi": "Không mất phí", "en": "Free"},
        "guide_days": {"vi": "{days} ngày làm việc", "en": "{days} working days"},
        "guide_next_text": {
            "vi": "Bạn nhận giấy biên nhận có mã hồ sơ. Gửi mã đó cho tôi để theo dõi; bạn sẽ "
            "được báo khi cần bổ sung, nộp phí hoặc khi có kết quả: {results}.",
            "en": "You get a receipt with a dossier code. Send me the code to follow it; you "
            "will be told when more papers or a fee are needed and when the result is ready: "
            "{results}.",
        },
        "guide_checklist_done": {
            "vi": "Bạn đã chuẩn bị đủ {done}/{total} giấy tờ.",
            "en": "You have {done} of {total} papers ready.",
        },
    }
)


def _money(amount: int | None, note: str, lang: str) -> str:
    if amount is None:
        return note
    if amount == 0:
        return message("guide_free", lang)
    digits = f"{amount:,}".replace(",", "." if lang == "vi" else ",")
    return f"{digits} đồng" if lang == "vi" else f"{digits} VND"


def build(procedure: Procedure, lang: str = "vi") -> dict:
    """The guidance as data (the app lays it out; the chat sends it section by section)."""
    checklist = [
        {
            "index": i,
            "name": doc.name,
            "copies": doc.copies,
            "required": doc.required,
            "note": doc.note,
        }
        for i, doc in enumerate(procedure.documents)
    ]
    fees: dict[tuple[str, int | None], dict] = {}
    channels = []
    for channel in procedure.channels:
        name = channel.channel.name_vi if lang == "vi" else channel.channel.name_en
        duration = channel.duration_text or (
            message("guide_days", lang, days=channel.duration_days) if channel.duration_days else ""
        )
        channels.append({"channel": channel.channel_code, "name": name, "duration": duration})
        for fee in channel.fees:
            fees.setdefault(
                (fee.name, fee.amount_vnd),
                {
                    "name": fee.name,
                    "amount_vnd": fee.amount_vnd,
                    "text": _money(fee.amount_vnd, fee.note, lang),
                    "note": fee.note,
                },
            )
    results = [r.name for r in procedure.results]
    level = procedure.level
    return {
        "procedure_code": procedure.code,
        "name": procedure.name,
        "field_code": procedure.field_code,
        "online_level": level.code if level else None,
        "online_level_name": (level.name_vi if lang == "vi" else level.name_en) if level else "",
        "checklist": checklist,
        "where": [a.name for a in procedure.agencies],
        "channels": channels,
        "fees": list(fees.values()),
        "duration": channels[0]["duration"] if channels else "",
        "steps": [s.description for s in procedure.steps],
        "results": results,
        "what_next": message("guide_next_text", lang, results="; ".join(results) or procedure.name),
        "requirements": procedure.requirements,
    }


def for_code(code: str, lang: str = "vi") -> dict:
    return build(get_procedure(code), lang)


def short_text(guide: dict, lang: str, aspect: str | None = None) -> str:
    """A chat-bubble answer, the asked aspect (fee, time, papers, where) first."""
    parts = {
        "fee": f"{message('guide_cost', lang)}: "
        + (
            "; ".join(f"{f['name']}: {f['text']}" for f in guide["fees"][:2])
            or message("guide_free", lang)
        ),
        "duration": f"{message('guide_time', lang)}: {guide['duration']}",
        "where": f"{message('guide_where', lang)}: "
        + "; ".join(guide["where"][:2])
        + (
            " (" + ", ".join(c["name"] for c in guide["channels"]) + ")"
            if guide["channels"]
            else ""
        ),
        "documents": f"{message('guide_prepare', lang)}: "
        + "; ".join(d["name"] for d in guide["checklist"][:4]),
    }
    order = [aspect] if aspect in parts else []
    order += [k for k in ("documents", "fee", "duration", "where") if k not in order]
    return f"{guide['name']}\n" + "\n".join(parts[k] for k in order[:3])


def checklist_progress(guide: dict, ticked: list[int], lang: str) -> str:
    total = len(guide["checklist"])
    done = len({i for i in ticked if 0 <= i < total})
    return message("guide_checklist_done", lang, done=done, total=total)
