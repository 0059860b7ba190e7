"""SANDBOX – not VNeID. A small local OpenID Connect provider for tests and the local demo.

It speaks just enough OIDC (discovery, JWKS, authorize, token with PKCE S256, userinfo) for
``api.auth.vneid`` to run end to end on 127.0.0.1. Test hooks on ``SandboxProvider`` make it
misbehave on purpose: bad ID tokens, 5xx answers, slow answers, key rotation.

Demo: ``python -m sandbox.oidc_provider --port 8766``, then set VNEID_ISSUER to the printed
issuer and VNEID_CLIENT_ID / VNEID_CLIENT_SECRET / VNEID_REDIRECT_URI to the printed client.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import hashlib
import hmac
import json
import re
import secrets
import threading
import time
import uuid
from collections import Counter
from typing import Any
from urllib.parse import unquote_plus, urlsplit

from authlib.oauth2.rfc7636 import create_s256_code_challenge
from authlib.oidc.core.util import create_half_hash
from flask import Blueprint, Flask, Response, jsonify, request
from joserfc import jwt
from joserfc.jwk import RSAKey
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from sandbox.oidc_pages import AUTHORIZE_PARAMS, BANNER, authorize_problem, page, redirect_with

DEFECTS = (
    "tampered_signature",
    "expired",
    "wrong_audience",
    "wrong_nonce",
    "wrong_issuer",
    "alg_none",
    "unknown_kid",
    "hs256_public_key",
)
CODE_SECONDS = 120
TOKEN_SECONDS = 300
_CHALLENGE = re.compile(r"[A-Za-z0-9_-]{43}")
_VERIFIER = re.compile(r"[A-Za-z0-9._~-]{43,128}")

DEMO_CITIZENS = [
    {
        "personal_id": "001090000001",
        "name": "Nguyễn Văn An",
        "birthdate": "1990-01-15",
        "phone_number": "0900000001",
    },
    {
        "personal_id": "079185000002",
        "name": "Trần Thị Bình",
        "birthdate": "1985-07-02",
        "phone_number": "0900000002",
    },
    {
        "personal_id": "048150000003",
        "name": "Lê Văn Cường",
        "birthdate": "1950-11-30",
        "phone_number": "0900000003",
    },
]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64_json(value: dict) -> str:
    return _b64(json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))


class SandboxProvider:
    """The provider's state and test hooks; reach it with ``provider_of(app)``."""

    def __init__(self, issuer: str, clients: dict[str, dict], users: list[dict]) -> None:
        self.issuer = issuer
        self.clients = {
            cid: {"secret": c["secret"], "redirect_uris": list(c["redirect_uris"])}
            for cid, c in clients.items()
        }
        self.users = {str(u["personal_id"]): dict(u) for u in users}
        self.hits: Counter[str] = Counter()
        self.last_client_auth: str | None = None
        self.delay = 0.0
        self._lock = threading.Lock()
        self._keys = [RSAKey.generate_key(2048, auto_kid=True)]
        self._codes: dict[str, dict] = {}
        self._access_tokens: dict[str, tuple[str, float]] = {}
        self._sabotage: list[tuple[str | None, dict]] = []
        self._token_failures: list[int] = []

    # -- test hooks ------------------------------------------------------------------------

    def rotate_key(self) -> str:
        """Sign with a new key from now on; old keys stay published, as real providers do."""
        key = RSAKey.generate_key(2048, auto_kid=True)
        with self._lock:
            self._keys.append(key)
        return str(key.kid)

    def sabotage_next(self, defect: str | None = None, **claims: Any) -> None:
        """Make the next /token answer carry a bad ID token: a defect and/or claim overrides
        (a value of None removes that claim)."""
        if defect is not None and defect not in DEFECTS:
            raise ValueError(f"unknown defect {defect!r}; one of {DEFECTS}")
        with self._lock:
            self._sabotage.append((defect, claims))

    def fail_next_token(self, status: int = 503) -> None:
        with self._lock:
            self._token_failures.append(status)

    # -- keys and tokens -------------------------------------------------------------------

    @property
    def signing_key(self) -> RSAKey:
        return self._keys[-1]

    def jwks(self) -> dict:
        keys = [k.as_dict(private=False, use="sig", alg="RS256") for k in self._keys]
        return {"keys": keys}

    def claims_for(self, personal_id: str, client_id: str, nonce: str | None) -> dict:
        user = self.users[personal_id]
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            # A stable pseudonymous subject, like a real provider's, unless the user sets one.
            "sub": user.get("sub") or str(uuid.uuid5(uuid.NAMESPACE_URL, f"sbx:{personal_id}")),
            "aud": client_id,
            "exp": now + TOKEN_SECONDS,
            "iat": now,
            "auth_time": now,
        }
        if nonce:
            claims["nonce"] = nonce
        claims.update({k: v for k, v in user.items() if k != "sub"})
        return claims

    def mint_id_token(self, claims: dict, defect: str | None = None) -> str:
        """Sign ``claims`` with the current key, or break the token as ``defect`` says."""
        claims = dict(claims)
        key = self.signing_key
        now = int(time.time())
        if defect == "expired":
            claims["iat"], claims["exp"] = now - 900, now - 600
        elif defect == "wrong_audience":
            claims["aud"] = "some-other-client"
        elif defect == "wrong_nonce":
            claims["nonce"] = secrets.token_urlsafe(32)
        elif defect == "wrong_issuer":
            claims["iss"] = "https://sso.example.invalid"
        elif defect == "unknown_kid":
            key = RSAKey.generate_key(2048, auto_kid=True)  # never published
        header = {"alg": "RS256", "typ": "JWT", "kid": key.kid}
        if defect == "alg_none":
            return f"{_b64_json({'alg': 'none', 'typ': 'JWT'})}.{_b64_json(claims)}."
        if defect == "hs256_public_key":
            # The classic key-confusion attack: HMAC keyed with the published RSA key.
            signing_input = f"{_b64_json({**header, 'alg': 'HS256'})}.{_b64_json(claims)}"
            secret = key.as_pem(private=False)
            digest = hmac.new(secret, signing_input.encode("ascii"), hashlib.sha256).digest()
            return f"{signing_input}.{_b64(digest)}"
        token = jwt.encode(header, claims, key, algorithms=["RS256"])
        if defect == "tampered_signature":
            # Keep header and signature, swap in a payload naming someone else.
            head, _, signature = token.split(".")
            forged = {**claims, "personal_id": "001999999999", "name": "Kẻ Giả Mạo"}
            token = f"{head}.{_b64_json(forged)}.{signature}"
        return token

    # -- grants ----------------------------------------------------------------------------

    def issue_code(self, **grant: Any) -> str:
        code = secrets.token_urlsafe(32)
        with self._lock:
            self._codes[code] = {**grant, "expires": time.time() + CODE_SECONDS}
        return code

    def take_code(self, code: str) -> dict | None:
        # Removed on first use, whatever happens next: a code can never be tried twice.
        with self._lock:
            grant = self._codes.pop(code, None)
        if grant is None or grant["expires"] < time.time():
            return None
        return grant

    def issue_tokens(self, grant: dict) -> dict:
        access_token = secrets.token_urlsafe(32)
        with self._lock:
            self._access_tokens[access_token] = (grant["personal_id"], time.time() + TOKEN_SECONDS)
            defect, overrides = self._sabotage.pop(0) if self._sabotage else (None, {})
        claims = self.claims_for(grant["personal_id"], grant["client_id"], grant.get("nonce"))
        claims["at_hash"] = create_half_hash(access_token, "RS256").decode("ascii")
        for name, value in overrides.items():
            if value is None:
                claims.pop(name, None)
            else:
                claims[name] = value
        return {
            "access_token": access_token,
            "token_type": "Bearer",
            "expires_in": TOKEN_SECONDS,
            "scope": grant.get("scope", "openid"),
            "id_token": self.mint_id_token(claims, defect),
        }

    def user_for_access_token(self, token: str) -> dict | None:
        with self._lock:
            found = self._access_tokens.get(token)
        if found is None or found[1] < time.time():
            return None
        return self.users.get(found[0])

    def pop_token_failure(self) -> int | None:
        with self._lock:
            return self._token_failures.pop(0) if self._token_failures else None


def provider_of(app: Flask) -> SandboxProvider:
    return app.extensions["sandbox_oidc"]


class _OAuthError(Exception):
    def __init__(self, error: str, status: int = 400, description: str = "") -> None:
        super().__init__(error)
        self.error, self.status, self.description = error, status, description


def _client_auth(provider: SandboxProvider) -> str:
    """Accept client_secret_basic or client_secret_post; return the client id."""
    header = request.headers.get("Authorization", "")
    form_id, form_secret = request.form.get("client_id"), request.form.get("client_secret")
    if header[:6].lower() == "basic ":
        if form_secret is not None:
            raise _OAuthError("invalid_request", description="two client authentications")
        try:
            decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise _OAuthError("invalid_client", 401) from None
        raw_id, _, raw_secret = decoded.partition(":")
        # RFC 6749 §2.3.1: both parts are form-urlencoded before base64.
        client_id, secret, method = unquote_plus(raw_id), unquote_plus(raw_secret), "basic"
        if form_id and form_id != client_id:
            raise _OAuthError("invalid_request", description="client_id mismatch")
    elif form_id is not None and form_secret is not None:
        client_id, secret, method = form_id, form_secret, "post"
    else:
        raise _OAuthError("invalid_client", 401)
    client = provider.clients.get(client_id)
    if client is None or not hmac.compare_digest(
        secret.encode("utf-8"), client["secret"].encode("utf-8")
    ):
        raise _OAuthError("invalid_client", 401)
    provider.last_client_auth = f"client_secret_{method}"
    return client_id


def _routes(bp: Blueprint, provider: SandboxProvider) -> None:
    @bp.errorhandler(_OAuthError)
    def _oauth_error(error: _OAuthError) -> Response:
        body = {"error": error.error}
        if error.description:
            body["error_description"] = error.description
        response = jsonify(body)
        response.status_code = error.status
        response.headers["Cache-Control"] = "no-store"
        if error.status == 401:
            response.headers["WWW-Authenticate"] = 'Basic realm="sandbox"'
        return response

    @bp.get("/")
    def index() -> tuple[str, int]:
        return page(
            "Nhà cung cấp đăng nhập thử nghiệm / Test sign-in provider",
            f"Issuer: {provider.issuer}. Demo citizens are fictional.",
        )

    @bp.get("/.well-known/openid-configuration")
    def discovery() -> Response:
        provider.hits["discovery"] += 1
        base = provider.issuer.rstrip("/")
        return jsonify(
            {
                "issuer": provider.issuer,
                "authorization_endpoint": f"{base}/authorize",
                "token_endpoint": f"{base}/token",
                "userinfo_endpoint": f"{base}/userinfo",
                "jwks_uri": f"{base}/jwks",
                "response_types_supported": ["code"],
                "grant_types_supported": ["authorization_code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "scopes_supported": ["openid", "profile"],
                "token_endpoint_auth_methods_supported": [
                    "client_secret_basic",
                    "client_secret_post",
                ],
                "code_challenge_methods_supported": ["S256"],
                "claims_supported": ["sub", "name", "personal_id", "birthdate", "phone_number"],
                "sandbox_notice": BANNER,
            }
        )

    @bp.get("/jwks")
    def jwks() -> Response:
        provider.hits["jwks"] += 1
        return jsonify(provider.jwks())

    @bp.route("/authorize", methods=["GET", "POST"])
    def authorize() -> Any:
        provider.hits["authorize"] += 1
        args = request.values
        client = provider.clients.get(args.get("client_id", ""))
        redirect_uri = args.get("redirect_uri", "")
        if client is None or redirect_uri not in client["redirect_uris"]:
            # RFC 6749 §4.1.2.1: never redirect to an unregistered address.
            return page(
                "Yêu cầu không hợp lệ / Invalid request", "Unknown client or redirect_uri.", 400
            )
        state = args.get("state")
        problem = authorize_problem(args)
        if problem:
            return redirect_with(
                redirect_uri, error="invalid_request", error_description=problem, state=state
            )
        if request.method == "POST":
            if args.get("action") != "approve":
                return redirect_with(redirect_uri, error="access_denied", state=state)
            personal_id = args.get("personal_id", "")
        else:
            # Tests pass login_hint to skip the form; the demo shows the form.
            personal_id = args.get("login_hint", "")
            if not personal_id:
                hidden = [(n, args[n]) for n in AUTHORIZE_PARAMS if args.get(n) is not None]
                return page(
                    "Đăng nhập thử / Test sign-in",
                    users=list(provider.users.values()),
                    hidden=hidden,
                    action=request.path,
                )
        if personal_id not in provider.users:
            return page("Không có công dân này / Unknown citizen", status=400)
        code = provider.issue_code(
            client_id=args["client_id"],
            redirect_uri=redirect_uri,
            personal_id=personal_id,
            nonce=args.get("nonce"),
            code_challenge=args["code_challenge"],
            scope=args.get("scope"),
        )
        return redirect_with(redirect_uri, code=code, state=state)

    @bp.post("/token")
    def token() -> Response:
        provider.hits["token"] += 1
        if provider.delay:
            time.sleep(provider.delay)
        failure = provider.pop_token_failure()
        if failure:
            raise _OAuthError("temporarily_unavailable", failure)
        client_id = _client_auth(provider)
        form = request.form
        if form.get("grant_type") != "authorization_code":
            raise _OAuthError("unsupported_grant_type")
        grant = provider.take_code(form.get("code", ""))
        if grant is None or grant["client_id"] != client_id:
            raise _OAuthError("invalid_grant", description="unknown, used or expired code")
        if form.get("redirect_uri") != grant["redirect_uri"]:
            raise _OAuthError("invalid_grant", description="redirect_uri mismatch")
        verifier = form.get("code_verifier", "")
        if not _VERIFIER.fullmatch(verifier) or not hmac.compare_digest(
            create_s256_code_challenge(verifier), grant["code_challenge"]
        ):
            raise _OAuthError("invalid_grant", description="PKCE verification failed")
        response = jsonify(provider.issue_tokens(grant))
        response.headers["Cache-Control"] = "no-store"
        response.headers["Pragma"] = "no-cache"
        return response

    @bp.route("/userinfo", methods=["GET", "POST"])
    def userinfo() -> Response:
        provider.hits["userinfo"] += 1
        header = request.headers.get("Authorization", "")
        user = provider.user_for_access_token(header[7:]) if header[:7] == "Bearer " else None
        if user is None:
            response = jsonify({"error": "invalid_token"})
            response.status_code = 401
            response.headers["WWW-Authenticate"] = 'Bearer error="invalid_token"'
            return response
        claims = provider.claims_for(str(user["personal_id"]), "", None)
        skip = ("iss", "aud", "exp", "iat", "auth_time")
        return jsonify({k: v for k, v in claims.items() if k not in skip})


def create_provider(issuer: str, clients: dict[str, dict], users: list[dict]) -> Flask:
    """Build the sandbox provider. An empty ``issuer`` is filled in by ``serve()`` once the
    port is known; ``clients`` maps client_id to {"secret", "redirect_uris"}."""
    provider = SandboxProvider(issuer, clients, users)
    app = Flask(__name__)
    app.extensions["sandbox_oidc"] = provider
    prefix = urlsplit(issuer).path.rstrip("/")
    bp = Blueprint("sandbox_oidc", __name__, url_prefix=prefix or None)
    _routes(bp, provider)
    app.register_blueprint(bp)

    @app.after_request
    def _mark_sandbox(response: Response) -> Response:
        response.headers["X-Sandbox"] = "SANDBOX - not VNeID"  # headers are Latin-1: no en dash
        return response

    return app


class _QuietHandler(WSGIRequestHandler):
    # Access lines would print codes and states; tests don't need them.
    def log_request(self, *args: Any, **kwargs: Any) -> None:
        pass


def _bind(app: Flask, host: str, port: int, quiet: bool = True) -> tuple[BaseWSGIServer, str]:
    handler = _QuietHandler if quiet else WSGIRequestHandler
    server = make_server(host, port, app, threaded=True, request_handler=handler)
    base_url = f"http://{host}:{server.server_port}"
    provider = app.extensions.get("sandbox_oidc")
    if provider is not None and not provider.issuer:
        provider.issuer = base_url
    return server, base_url


def serve(app: Flask, host: str = "127.0.0.1", port: int = 0) -> tuple[BaseWSGIServer, str]:
    """Run ``app`` in a background thread; stop it with ``server.shutdown()``."""
    server, base_url = _bind(app, host, port)
    # A short poll interval so that shutdown() returns at once between tests.
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="sandbox-oidc"
    )
    thread.daemon = True
    thread.start()
    return server, base_url


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=f"{BANNER}: local OpenID Connect provider.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--client-id", default="dvc-connect-local")
    parser.add_argument("--client-secret", default="sandbox-secret-not-for-production")
    parser.add_argument(
        "--redirect-uri",
        action="append",
        help="registered redirect URI (repeatable); default: the local app's callback",
    )
    args = parser.parse_args(argv)
    redirect_uris = args.redirect_uri or ["http://127.0.0.1:8000/api/v1/auth/vneid/callback"]
    clients = {args.client_id: {"secret": args.client_secret, "redirect_uris": redirect_uris}}
    app = create_provider("", clients, DEMO_CITIZENS)
    server, base_url = _bind(app, args.host, args.port, quiet=False)
    print(f"{BANNER}\n  VNEID_ISSUER={base_url}")
    print(f"  VNEID_CLIENT_ID={args.client_id}\n  VNEID_CLIENT_SECRET={args.client_secret}")
    print(f"  VNEID_REDIRECT_URI={redirect_uris[0]}")
    for user in DEMO_CITIZENS:
        print(f"  demo citizen: {user['name']} ({user['personal_id']})")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
