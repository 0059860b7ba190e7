"""Shared test helpers."""

from __future__ import annotations

import dataclasses
from urllib.parse import parse_qs, urlparse

import pytest
import requests

from api.auth.vneid import VneidClient
from sandbox.oidc_provider import DEMO_CITIZENS, create_provider, provider_of, serve

CLIENT_ID, SECRET = "dvc-test", "test-secret-0123456789"


REDIRECT = "http://127.0.0.1:9/api/v1/auth/vneid/callback"


@pytest.fixture
def vneid(app):
    provider = create_provider(
        "", {CLIENT_ID: {"secret": SECRET, "redirect_uris": [REDIRECT]}}, DEMO_CITIZENS
    )
    server, base_url = serve(provider)
    settings = dataclasses.replace(
        app.extensions["settings"],
        vneid_issuer=base_url,
        vneid_client_id=CLIENT_ID,
        vneid_client_secret=SECRET,
        vneid_redirect_uri=REDIRECT,
    )
    app.extensions["vneid_client"] = VneidClient(settings)
    yield provider_of(provider)
    app.extensions.pop("vneid_client", None)
    server.shutdown()


def authorize_and_approve(client, personal_id: str) -> tuple[str, str]:
    """What the app and the citizen do: open the URL, sign in, come back with code and state."""
    body = client.get("/api/v1/auth/vneid/authorize").json
    assert set(body) == {"url", "state"}
    answer = requests.get(
        body["url"] + f"&login_hint={personal_id}", allow_redirects=False, timeout=5
    )
    assert answer.status_code in (302, 303)
    params = parse_qs(urlparse(answer.headers["Location"]).query)
    assert params["state"] == [body["state"]]
    return params["code"][0], body["state"]
