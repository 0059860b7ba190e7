"""The caller's address and client, for audit records and per-IP limits (routes only)."""

from __future__ import annotations

from flask import request

from api.audit.service import Origin


def request_origin() -> Origin:
    # Behind a proxy, configure werkzeug's ProxyFix so remote_addr is the client's address.
    return Origin(
        ip=request.remote_addr or "",
        user_agent=(request.user_agent.string or "")[:200],
        channel="api",
    )
