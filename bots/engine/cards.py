"""Short texts for a procedure and a dossier, sized for a phone screen."""

from __future__ import annotations

from api.catalog.models import Procedure
from api.dossiers.models import Dossier, TimelineEntry
from api.dossiers.service import stop_reason
from api.kernel.clock import to_local
from api.kernel.i18n import message, register_messages

MAX_DOCUMENTS = 6
MAX_FEES = 3
MAX_LINE = 160

register_messages(
    {
        "bot_card_documents": {"vi": "📎 Giấy tờ cần có:", "en": "📎 Papers needed:"},
        "bot_card_more_documents": {
            "vi": "… và {count} giấy tờ khác (xem đầy đủ ở đường dẫn bên dưới)",
            "en": "… and {count} more (see the full list at the link below)",
        },
        "bot_card_fees": {"vi": "💰 Lệ phí:", "en": "💰 Fees:"},
        "bot_card_free": {"vi": "không mất phí", "en": "free"},
        "bot_card_no_fee": {"vi": "💰 Lệ phí: không mất phí", "en": "💰 Fees: none"},
        "bot_card_time": {
            "vi": "⏱ Thời gian giải quyết: {time}",
            "en": "⏱ Processing time: {time}",
        },
        "bot_card_days": {"vi": "{days} ngày làm việc", "en": "{days} working days"},
        "bot_card_where": {"vi": "🏢 Nơi nộp: {where}", "en": "🏢 Where: {where}"},
        "bot_card_how": {"vi": "📮 Cách nộp: {how}", "en": "📮 How to submit: {how}"},
        "bot_card_link": {"vi": "🔗 Xem đầy đủ: {url}", "en": "🔗 Full details: {url}"},
        "bot_dossier_title": {"vi": "📄 Hồ sơ {code}", "en": "📄 Dossier {code}"},
        "bot_dossier_procedure": {"vi": "Thủ tục: {name}", "en": "Procedure: {name}"},
        "bot_dossier_status": {"vi": "Trạng thái: {status}", "en": "Status: {status}"},
        "bot_dossier_due": {"vi": "Ngày hẹn trả: {date}", "en": "Promised by: {date}"},
        "bot_dossier_overdue": {
            "vi": "⚠ Hồ sơ đã quá hạn hẹn trả.",
            "en": "⚠ The promised date has passed.",
        },
        "bot_dossier_latest": {"vi": "Mới nhất ({date}): {what}", "en": "Latest ({date}): {what}"},
        "bot_dossier_needed": {"vi": "Cần bổ sung: {what}", "en": "Needed: {what}"},
        "bot_dossier_reason": {"vi": "Lý do: {reason}", "en": "Reason: {reason}"},
    }
)


def _cut(text: str, limit: int = MAX_LINE) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip(" ,.;") + "…"


def _money(amount: int, lang: str) -> str:
    if amount == 0:
        return message("bot_card_free", lang)
    digits = f"{amount:,}".replace(",", "." if lang == "vi" else ",")
    return f"{digits} đồng" if lang == "vi" else f"{digits} VND"


def procedure_card(procedure: Procedure, lang: str, url: str) -> str:
    level = procedure.level
    lines = [f"📋 {procedure.name}", ""]
    documents = procedure.documents
    if documents:
        lines.append(message("bot_card_documents", lang))
        for i, doc in enumerate(documents[:MAX_DOCUMENTS], 1):
            copies = f" ({_cut(doc.copies, 40)})" if doc.copies else ""
            lines.append(f"{i}. {_cut(doc.name, 120)}{copies}")
        if len(documents) > MAX_DOCUMENTS:
            more = len(documents) - MAX_DOCUMENTS
            lines.append(message("bot_card_more_documents", lang, count=more))
    lines += _fee_lines(procedure, lang)
    channels = procedure.channels
    if channels:
        first = channels[0]
        time = first.duration_text or (
            message("bot_card_days", lang, days=first.duration_days) if first.duration_days else ""
        )
        if time:
            lines.append(message("bot_card_time", lang, time=_cut(time)))
    if procedure.agencies:
        where = "; ".join(a.name for a in procedure.agencies[:2])
        lines.append(message("bot_card_where", lang, where=_cut(where)))
    if channels:
        names = [c.channel.name_vi if lang == "vi" else c.channel.name_en for c in channels]
        lines.append(message("bot_card_how", lang, how=", ".join(dict.fromkeys(names))))
    if level is not None:
        name = level.name_vi if lang == "vi" else level.name_en
        description = level.description_vi if lang == "vi" else level.description_en
        mark = "✅" if level.code == "toan_trinh" else "ℹ"
        lines.append(f"{mark} {name}: {_cut(description)}")
    lines.append(message("bot_card_link", lang, url=url))
    return "\n".join(lines)


def _fee_lines(procedure: Procedure, lang: str) -> list[str]:
    fees: dict[tuple[str, int | None], str] = {}
    for channel in procedure.channels:
        for fee in channel.fees:
            fees.setdefault((fee.name, fee.amount_vnd), fee.note)
    if not fees or all(amount == 0 for _, amount in fees):
        return [message("bot_card_no_fee", lang)]
    lines = [message("bot_card_fees", lang)]
    for (name, amount), note in list(fees.items())[:MAX_FEES]:
        value = _money(amount, lang) if amount is not None else _cut(note, 100)
        lines.append(f"• {_cut(name, 80)}: {value}")
    return lines


def _date(value) -> str:  # noqa: ANN001
    return to_local(value).strftime("%d/%m/%Y")


def dossier_card(
    dossier: Dossier, entries: list[TimelineEntry], lang: str, full: bool, overdue: bool
) -> str:
    """Status, promised date, latest progress and what is needed. ``full`` (the owner) also
    shows the officer's words; anyone else sees the department only, as on the portal."""
    status = dossier.status
    lines = [
        message("bot_dossier_title", lang, code=dossier.code),
        message("bot_dossier_procedure", lang, name=_cut(dossier.procedure_name, 120)),
        message(
            "bot_dossier_status", lang, status=status.label_vi if lang == "vi" else status.label_en
        ),
    ]
    if dossier.due_at and not dossier.finished:
        lines.append(message("bot_dossier_due", lang, date=_date(dossier.due_at)))
    if overdue and not dossier.finished:
        lines.append(message("bot_dossier_overdue", lang))
    if entries:
        latest = entries[-1]
        what = (latest.content if full else "") or latest.department or ""
        if what:
            lines.append(
                message("bot_dossier_latest", lang, date=_date(latest.occurred_at), what=_cut(what))
            )
    if full and (reason := stop_reason(dossier, entries)):
        lines.append(message("bot_dossier_reason", lang, reason=_cut(reason, 240)))
    if full and status.group == "supplement_requested":
        for request in (dossier.supplement_requests or [])[:3]:
            what = str(request.get("NoiDungBoSung") or "").strip()
            if what:
                lines.append(message("bot_dossier_needed", lang, what=_cut(what)))
    advice = status.advice_vi if lang == "vi" else status.advice_en
    if advice:
        lines.append(f"👉 {_cut(advice, 240)}")
    return "\n".join(lines)
