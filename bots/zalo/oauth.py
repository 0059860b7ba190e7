"""First authorisation of the OA: an authorization code (with PKCE) for the token pair,
saved in the shared token store; refreshing afterwards is ZaloClient's job."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app

from api.kernel.clock import utcnow
from push.channels.base import TransportError, http_call
from push.channels.zalo import ZaloAuthError, ZaloClient, ZaloTokens


def authorise(client: ZaloClient, code: str, verifier: str) -> ZaloTokens:
    secret = current_app.extensions["settings"].zalo_app_secret
    current = client.store.load()
    try:
        reply = http_call(
            client.session,
            "POST",
            f"{client.oauth_base}/v4/oa/access_token",
            headers={"secret_key": secret},
            data={
                "app_id": client.app_id,
                "grant_type": "authorization_code",
                "code": code,
                "code_verifier": verifier,
            },
            timeout=client.timeout,
            secrets=(secret, code, verifier),
        )
    except TransportError as exc:
        raise ZaloAuthError(str(exc), temporary=True) from None
    body = reply.body if isinstance(reply.body, dict) else {}
    try:
        tokens = ZaloTokens(
            access_token=str(body["access_token"]),
            refresh_token=str(body["refresh_token"]),
            expires_at=utcnow() + timedelta(seconds=float(body["expires_in"])),
            version=current.version + 1,
        )
    except (KeyError, TypeError, ValueError):
        error = body.get("error_name") or body.get("error") or f"HTTP {reply.status}"
        raise ZaloAuthError(f"authorisation refused: {error}", temporary=False) from None
    if not client.store.save(tokens, expected_version=current.version):
        raise ZaloAuthError("another process changed the tokens meanwhile; run again", True)
    return tokens
