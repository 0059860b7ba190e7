"""The sandbox VNeID's pages and authorize-request checks (SANDBOX – not VNeID)."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

from flask import Response, redirect, render_template_string

BANNER = "SANDBOX – not VNeID"
_CHALLENGE = re.compile(r"[A-Za-z0-9_-]{43}")


PAGE = """<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><title>{{ banner }}</title>
<style>body{font-family:sans-serif;max-width:40em;margin:2em auto}
.banner{background:#b00020;color:#fff;padding:.6em 1em;font-weight:bold}</style></head>
<body><div class="banner">{{ banner }}</div>
<h1>{{ title }}</h1>
{% if message %}<p>{{ message }}</p>{% endif %}
{% if users %}
<form method="post" action="{{ action }}">
  {% for name, value in hidden %}<input type="hidden" name="{{ name }}" value="{{ value }}">
  {% endfor %}
  <p>Chọn một công dân mẫu để đăng nhập (dữ liệu giả, không phải VNeID):</p>
  {% for u in users %}
  <p><label><input type="radio" name="personal_id" value="{{ u.personal_id }}" required>
    {{ u.name }} – {{ u.personal_id }}</label></p>
  {% endfor %}
  <button name="action" value="approve">Đồng ý / Approve</button>
  <button name="action" value="cancel" formnovalidate>Hủy / Cancel</button>
</form>
{% endif %}
</body></html>"""

AUTHORIZE_PARAMS = (
    "response_type",
    "client_id",
    "redirect_uri",
    "scope",
    "state",
    "nonce",
    "code_challenge",
    "code_challenge_method",
)


def page(title: str, message: str = "", status: int = 200, **extra: Any) -> tuple[str, int]:
    html = render_template_string(PAGE, banner=BANNER, title=title, message=message, **extra)
    return html, status


def redirect_with(redirect_uri: str, **params: str | None) -> Response:
    query = urlencode({k: v for k, v in params.items() if v is not None})
    return redirect(f"{redirect_uri}{'&' if '?' in redirect_uri else '?'}{query}", code=302)


def authorize_problem(args: Any) -> str | None:
    if args.get("response_type") != "code":
        return "response_type must be code"
    if "openid" not in (args.get("scope") or "").split():
        return "scope must include openid"
    if args.get("code_challenge_method") != "S256":
        return "PKCE with code_challenge_method=S256 is required"
    if not _CHALLENGE.fullmatch(args.get("code_challenge") or ""):
        return "code_challenge is not a S256 challenge"
    return None
