"""The app's one portal gateway client (shared; it keeps the gateway session)."""

from __future__ import annotations

from flask import current_app

from api.kernel.errors import ApiError
from api.portal.gateway import PortalGateway


def get_gateway() -> PortalGateway:
    gateway = current_app.extensions.get("portal_gateway")
    if gateway is None:
        settings = current_app.extensions["settings"]
        if not settings.portal_base_url:
            raise ApiError(503, "service_unavailable")
        gateway = current_app.extensions["portal_gateway"] = PortalGateway(settings)
    return gateway
