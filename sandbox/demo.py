"""The `make run` demo: the sandbox portal and sandbox VNeID next to the API, on loopback.

Clearly a sandbox: only started when SANDBOX=1 (the Makefile's run target sets it).
"""

from __future__ import annotations

import dataclasses
import logging
import threading

from flask import Flask

from api.auth.vneid import VneidClient
from api.portal.gateway import PortalGateway
from sandbox import emc_server, oidc_provider, portal_server
from sandbox.demo_dossiers import demo_simulator
from sandbox.demo_people import DEMO_PASSWORD, seed_demo_staff, try_lines

log = logging.getLogger(__name__)
ADVANCE_SECONDS = 60


def start_demo_services(app: Flask, api_base: str) -> list[str]:
    """Start the portal simulator and the VNeID sandbox; point the app's adapters at them.
    Returns lines to print."""
    settings = app.extensions["settings"]
    lines = []
    simulator = demo_simulator()
    if not settings.portal_base_url:
        simulator.qa_error = False  # the demo portal answers its Q&A services (issue 16)
        server, portal_url = portal_server.serve(simulator=simulator)
        portal_settings = dataclasses.replace(
            settings,
            portal_base_url=portal_url,
            portal_username=simulator.username,
            portal_password=simulator.password,
            portal_unit_code=simulator.unit_code,
        )
        app.extensions["portal_gateway"] = PortalGateway(portal_settings)
        _advance_forever(simulator)
        lines.append(
            f"  Sandbox portal: {portal_url}  (dossiers move on every {ADVANCE_SECONDS} s)"
        )
    if not settings.vneid_issuer:
        redirect = f"{api_base}/sandbox/vneid/return"
        clients = {"dvc-connect-demo": {"secret": "sandbox-secret", "redirect_uris": [redirect]}}
        provider = oidc_provider.create_provider("", clients, oidc_provider.DEMO_CITIZENS)
        _, issuer = oidc_provider.serve(provider)
        app.extensions["vneid_client"] = VneidClient(
            dataclasses.replace(
                settings,
                vneid_issuer=issuer,
                vneid_client_id="dvc-connect-demo",
                vneid_client_secret="sandbox-secret",
                vneid_redirect_uri=redirect,
            )
        )
        lines.append(
            f"  Sandbox VNeID:  {issuer}  (SANDBOX – not VNeID; demo citizens listed there)"
        )
    if not settings.emc_url:
        _, emc_url = emc_server.serve()
        app.extensions["settings"] = settings = dataclasses.replace(
            settings, emc_url=emc_url, emc_site_id=settings.emc_site_id or "SANDBOX"
        )
        lines.append(f"  Sandbox EMC:    {emc_url}/events  (SANDBOX – not EMC)")
    lines += _console_lines(api_base)
    return [*lines, *try_lines(simulator, api_base)]


def _console_lines(api_base: str) -> list[str]:
    people = seed_demo_staff()
    return [
        f"  Staff console:  {api_base}/console  (SANDBOX sign-ins, password {DEMO_PASSWORD})"
    ] + [f"                  {username:<18} {sees}" for username, _role, sees in people]


def _advance_forever(simulator) -> None:  # noqa: ANN001
    def loop() -> None:
        while not stop.wait(ADVANCE_SECONDS):
            changed = simulator.advance(probability=0.2)
            log.info("sandbox_portal_advanced", extra={"changed": len(changed)})

    stop = threading.Event()
    threading.Thread(target=loop, name="sandbox-portal-advance", daemon=True).start()


def register_sandbox_pages(app: Flask) -> None:
    """A page the sandbox VNeID sends the browser back to (the mobile app does this in real
    life): it shows the code and state to post to /api/v1/auth/vneid/callback."""
    from html import escape

    from flask import request

    @app.get("/sandbox/vneid/return")
    def sandbox_vneid_return():
        code = escape(request.args.get("code", ""))
        state = escape(request.args.get("state", ""))
        return (
            "<!doctype html><meta charset=utf-8><title>SANDBOX</title>"
            "<h1>SANDBOX – not VNeID</h1><p>Post these to /api/v1/auth/vneid/callback:</p>"
            f'<pre>{{"code": "{code}", "state": "{state}"}}</pre>'
        )
