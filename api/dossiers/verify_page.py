"""The page a person sees after scanning a result's QR code with a phone: plain Vietnamese with
English below, no personal data. API clients asking for JSON get the JSON view instead."""

from __future__ import annotations

from html import escape

from flask import Request

from api.dossiers.models import Dossier
from api.kernel.clock import VN_TZ

_STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:34rem;margin:2rem auto;padding:0 1rem;"
    "line-height:1.5;color:#1b1b1b}h1{font-size:1.4rem}.ok{color:#0a6b2d}.bad{color:#a30d0d}"
    "dt{font-weight:600;margin-top:.6rem}.en{color:#555;font-size:.95rem;margin-top:1.5rem}"
)


def wants_html(request: Request) -> bool:
    """A browser (a phone's camera app opens one) rather than an API client: ``*/*`` (curl,
    libraries) and ``application/json`` get JSON."""
    return request.accept_mimetypes.best_match(["application/json", "text/html"]) == "text/html"


def _page(title: str, body: str) -> str:
    return (
        f"<!doctype html><html lang=vi><meta charset=utf-8>"
        f"<meta name=viewport content='width=device-width,initial-scale=1'>"
        f"<title>{escape(title)}</title><style>{_STYLE}</style><body>{body}</body></html>"
    )


def genuine_page(dossier: Dossier) -> str:
    when = dossier.returned_at or dossier.finished_processing_at
    date = when.astimezone(VN_TZ).strftime("%d/%m/%Y") if when else "—"
    papers = ", ".join(escape(d.get("name", "")) for d in dossier.result_documents) or "—"
    status_vi = escape(dossier.status.label_vi)
    status_en = escape(dossier.status.label_en)
    procedure = escape(dossier.procedure_name)
    body = (
        "<h1 class=ok>✔ Kết quả do cơ quan nhà nước cấp</h1>"
        f"<dl><dt>Mã hồ sơ</dt><dd>{escape(dossier.code)}</dd>"
        f"<dt>Thủ tục</dt><dd>{procedure}</dd>"
        f"<dt>Trạng thái</dt><dd>{status_vi}</dd>"
        f"<dt>Giấy tờ kết quả</dt><dd>{papers}</dd>"
        f"<dt>Ngày</dt><dd>{date}</dd></dl>"
        "<p class=en>✔ A genuine result issued by a state agency. "
        f"Dossier {escape(dossier.code)}, {procedure}: {status_en}, {date}.</p>"
    )
    return _page("Xác thực kết quả", body)


def invalid_page(message_vi: str, message_en: str) -> str:
    body = (
        f"<h1 class=bad>✖ Không xác thực được</h1><p>{escape(message_vi)}</p>"
        f"<p class=en>{escape(message_en)}</p>"
    )
    return _page("Không xác thực được", body)
