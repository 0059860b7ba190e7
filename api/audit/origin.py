"""The caller's address and client, for audit records and per-IP limits (routes only)."""

from __future__ import annotations

from flask import request

from api.audit.service import Origin


def request_origin() -> Origin:
    # Behind a reverse proxy, TRUSTED_PROXIES makes remote_addr the client's (ProxyFix).
    return Origin(
        ip=request.remote_addr or "",
        user_agent=(request.user_agent.string or "")[:200],
        channel="api",
    )
