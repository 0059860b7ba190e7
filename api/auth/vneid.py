"""The one adapter for VNeID sign-in: OpenID Connect, authorization code + PKCE.

``begin()`` builds the URL the citizen is sent to; the caller keeps state, nonce and
code_verifier server-side. ``finish()`` swaps the code for tokens, checks the ID token against
the provider's published keys and returns who the citizen is.

VNeID's exact token-endpoint client authentication and claim names are *unconfirmed*
(integrations.md §2), so they are settings (``api.kernel.settings``):

- ``vneid_token_auth_method``: "client_secret_basic" (default) or "client_secret_post"
- ``vneid_id_claim``: claim holding the 12-digit personal number, default "personal_id"
- ``vneid_id_claim_fallbacks``: other claims to try, e.g. "cccd,sub"; none unless configured
- ``vneid_scope`` ("openid profile"), ``vneid_timeout`` (10 s), ``vneid_leeway`` (60 s),
  ``vneid_metadata_ttl`` (3600 s, for both discovery and JWKS)
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import re
import secrets
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, NoReturn
from urllib.parse import urlsplit

import requests
from authlib.integrations.requests_client.oauth2_session import OAuth2ClientAuth
from authlib.oauth2.rfc6749.parameters import prepare_grant_uri
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from authlib.oidc.core import CodeIDToken
from joserfc import jwt
from joserfc.errors import (
    BadSignatureError,
    ClaimError,
    ExpiredTokenError,
    InvalidKeyIdError,
    JoseError,
    MissingClaimError,
    UnsupportedAlgorithmError,
)
from joserfc.jwk import ECKey, KeySet, RSAKey
from joserfc.jws import JWSRegistry

from api.kernel.errors import ApiError
from api.kernel.i18n import register_messages
from api.kernel.logs import mask_number
from api.kernel.settings import Settings

log = logging.getLogger("api.auth.vneid")

# Asymmetric only: "none" and HS* would let anyone holding the public key forge a token.
ALLOWED_ALGORITHMS = ("RS256", "ES256")
AUTH_METHODS = ("client_secret_basic", "client_secret_post")
# After a failed refresh, keep serving the stale copy this long before asking again, so an
# outage does not cost every sign-in a full timeout.
STALE_RETRY_SECONDS = 60.0
# ASCII digits only: "\d" would also accept Arabic-Indic or full-width digits.
_PERSONAL_ID = re.compile(r"[0-9]{12}")

_STATUS = {
    "vneid_unavailable": 502,
    "vneid_code_rejected": 401,
    "vneid_token_invalid": 401,
    "vneid_identity_incomplete": 403,
    "vneid_cancelled": 401,
}

register_messages(
    {
        "vneid_unavailable": {
            "vi": "Hiện chưa kết nối được với VNeID. Xin vui lòng thử lại sau ít phút.",
            "en": "We cannot reach VNeID right now. Please try again in a few minutes.",
        },
        "vneid_code_rejected": {
            "vi": "Lượt đăng nhập VNeID này đã hết hạn hoặc đã được dùng. "
            "Xin vui lòng đăng nhập lại.",
            "en": "This VNeID sign-in has expired or was already used. Please sign in again.",
        },
        "vneid_token_invalid": {
            "vi": "Chưa xác nhận được việc đăng nhập của bạn với VNeID. "
            "Xin vui lòng đăng nhập lại.",
            "en": "We could not confirm your sign-in with VNeID. Please sign in again.",
        },
        "vneid_identity_incomplete": {
            "vi": "VNeID chưa gửi cho chúng tôi số định danh cá nhân (12 số) của bạn, "
            "nên chưa đăng nhập được. Xin vui lòng kiểm tra lại tài khoản VNeID.",
            "en": "VNeID did not give us your 12-digit personal identification number, "
            "so we cannot sign you in. Please check your VNeID account.",
        },
        "vneid_cancelled": {
            "vi": "Bạn đã không đồng ý đăng nhập bằng VNeID. Bạn có thể thử lại bất cứ lúc nào.",
            "en": "You did not agree to sign in with VNeID. You can try again at any time.",
        },
    }
)


class VneidError(ApiError):
    """A refused or failed sign-in. ``reason`` is for logs and tests, never for the client."""

    def __init__(self, slug: str, reason: str = "") -> None:
        super().__init__(_STATUS[slug], slug)
        self.reason = reason or slug


@dataclass(frozen=True)
class VneidAuthRequest:
    url: str
    state: str
    nonce: str
    code_verifier: str


@dataclass(frozen=True)
class VneidIdentity:
    subject: str
    personal_id: str
    full_name: str
    birth_date: date | None
    phone: str | None


def _names(value: str | list[str] | tuple[str, ...]) -> tuple[str, ...]:
    items = value.split(",") if isinstance(value, str) else value
    return tuple(item.strip() for item in items if item and item.strip())


def _secure_url(url: object) -> bool:
    """https, or plain http only to this machine (the sandbox)."""
    if not isinstance(url, str):
        return False
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return True
    if parts.scheme != "http" or not parts.hostname:
        return False
    if parts.hostname == "localhost":
        return True
    try:
        return ipaddress.ip_address(parts.hostname).is_loopback
    except ValueError:
        return False


class VneidClient:
    """Thread-safe; keep one per process so the discovery and key caches are shared."""

    def __init__(self, settings: Settings, session: requests.Session | None = None) -> None:
        self._issuer = settings.vneid_issuer
        self._client_id = settings.vneid_client_id
        self._client_secret = settings.vneid_client_secret
        self._redirect_uri = settings.vneid_redirect_uri
        self._auth_method = settings.vneid_token_auth_method
        if self._auth_method not in AUTH_METHODS:
            raise ValueError(f"vneid_token_auth_method must be one of {AUTH_METHODS}")
        self._id_claims = (
            settings.vneid_id_claim,
            *_names(settings.vneid_id_claim_fallbacks),
        )
        self._scope = settings.vneid_scope
        self._timeout = settings.vneid_timeout
        self._leeway = settings.vneid_leeway
        self._ttl = settings.vneid_metadata_ttl
        self._session = session or requests.Session()
        self._lock = threading.Lock()
        self._metadata: dict[str, Any] | None = None
        self._metadata_at = 0.0
        self._keys: KeySet | None = None
        self._keys_at = 0.0

    # -- public API ------------------------------------------------------------------------

    def begin(self) -> VneidAuthRequest:
        """Build the authorization URL with fresh state, nonce and PKCE verifier."""
        metadata = self._discovery()
        # 32 random bytes each → 43 URL-safe characters; 48 bytes → a 64-character verifier.
        state = secrets.token_urlsafe(32)
        nonce = secrets.token_urlsafe(32)
        code_verifier = secrets.token_urlsafe(48)
        url = prepare_grant_uri(
            metadata["authorization_endpoint"],
            client_id=self._client_id,
            response_type="code",
            redirect_uri=self._redirect_uri,
            scope=self._scope,
            state=state,
            nonce=nonce,
            code_challenge=create_s256_code_challenge(code_verifier),
            code_challenge_method="S256",
        )
        return VneidAuthRequest(url=url, state=state, nonce=nonce, code_verifier=code_verifier)

    def parse_callback(self, params: Mapping[str, str], expected_state: str) -> str:
        """Check the redirect back from VNeID against the stored state; return the code."""
        error = params.get("error")
        if error:
            log.info("vneid_authorize_error", extra={"provider_error": str(error)[:64]})
            raise VneidError(
                "vneid_cancelled" if error == "access_denied" else "vneid_code_rejected",
                f"authorize_{str(error)[:64]}",
            )
        state = params.get("state") or ""
        if not expected_state or not hmac.compare_digest(
            state.encode("utf-8"), expected_state.encode("utf-8")
        ):
            log.warning("vneid_state_mismatch")
            raise VneidError("vneid_code_rejected", "state_mismatch")
        code = params.get("code") or ""
        if not code:
            raise VneidError("vneid_code_rejected", "missing_code")
        return code

    def finish(self, code: str, code_verifier: str, nonce: str) -> VneidIdentity:
        """Exchange the code, verify the ID token and return the citizen's identity."""
        if not code or not code_verifier:
            raise VneidError("vneid_code_rejected", "missing_code_or_verifier")
        if not nonce:
            # Without the nonce we sent, a replayed ID token could not be told apart.
            raise VneidError("vneid_token_invalid", "missing_expected_nonce")
        metadata = self._discovery()
        tokens = self._exchange(metadata["token_endpoint"], code, code_verifier)
        claims = self._verify_id_token(tokens["id_token"], nonce, tokens.get("access_token"))
        identity = self._identity(claims)
        log.info("vneid_sign_in_verified", extra={"personal_id": mask_number(identity.personal_id)})
        return identity

    # -- provider metadata and keys --------------------------------------------------------

    def _discovery(self) -> dict[str, Any]:
        if not self._issuer or not self._client_id:
            log.error("vneid_not_configured")
            raise VneidError("vneid_unavailable", "not_configured")
        with self._lock:
            if self._metadata and time.monotonic() - self._metadata_at < self._ttl:
                return self._metadata
            url = self._issuer.rstrip("/") + "/.well-known/openid-configuration"
            try:
                metadata = self._check_discovery(self._get_json(url, "discovery"))
            except VneidError:
                if self._metadata is None:
                    raise
                # A short provider outage should not stop sign-ins that would otherwise work.
                log.warning("vneid_discovery_stale_used")
                self._metadata_at = time.monotonic() - self._ttl + STALE_RETRY_SECONDS
                return self._metadata
            self._metadata, self._metadata_at = metadata, time.monotonic()
            return metadata

    def _check_discovery(self, metadata: dict[str, Any]) -> dict[str, Any]:
        # OIDC Discovery §4.3: the document must name exactly the issuer we asked.
        if metadata.get("issuer") != self._issuer:
            log.error("vneid_discovery_issuer_mismatch")
            raise VneidError("vneid_unavailable", "discovery_issuer_mismatch")
        for key in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
            if not _secure_url(metadata.get(key)):
                log.error("vneid_discovery_invalid", extra={"field": key})
                raise VneidError("vneid_unavailable", "discovery_invalid")
        methods = metadata.get("code_challenge_methods_supported")
        if isinstance(methods, list) and "S256" not in methods:
            log.warning("vneid_pkce_not_advertised")
        return metadata

    def _key_set(self, jwks_uri: str, *, refresh: bool = False) -> KeySet:
        with self._lock:
            fresh = time.monotonic() - self._keys_at < self._ttl
            if self._keys is not None and fresh and not refresh:
                return self._keys
            try:
                data = self._get_json(jwks_uri, "jwks")
            except VneidError:
                if self._keys is None or refresh:
                    raise
                log.warning("vneid_jwks_stale_used")
                self._keys_at = time.monotonic() - self._ttl + STALE_RETRY_SECONDS
                return self._keys
            keys = []
            for item in data.get("keys") or []:
                # Skip encryption keys and key types we never accept, rather than fail on them.
                if not isinstance(item, dict) or item.get("use", "sig") != "sig":
                    continue
                key_cls = {"RSA": RSAKey, "EC": ECKey}.get(item.get("kty", ""))
                if key_cls is None:
                    continue
                try:
                    keys.append(key_cls.import_key(item))
                except (JoseError, ValueError, TypeError):
                    log.warning("vneid_jwks_key_skipped", extra={"kid": str(item.get("kid"))})
            if not keys:
                log.error("vneid_jwks_empty")
                raise VneidError("vneid_unavailable", "jwks_empty")
            self._keys, self._keys_at = KeySet(keys), time.monotonic()
            return self._keys

    # -- HTTP ------------------------------------------------------------------------------

    def _get_json(self, url: str, what: str) -> dict[str, Any]:
        try:
            response = self._session.get(
                url, headers={"Accept": "application/json"}, timeout=self._timeout
            )
        except requests.RequestException as exc:
            log.warning("vneid_unreachable", extra={"call": what, "error": type(exc).__name__})
            raise VneidError("vneid_unavailable", f"{what}_unreachable") from None
        data = _json_object(response)
        if response.status_code != 200 or data is None:
            status = response.status_code
            log.warning("vneid_bad_answer", extra={"call": what, "status": status})
            reason = f"{what}_not_json" if status == 200 else f"{what}_status_{status}"
            raise VneidError("vneid_unavailable", reason)
        return data

    def _exchange(self, token_endpoint: str, code: str, code_verifier: str) -> dict[str, Any]:
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": self._redirect_uri,
            "code_verifier": code_verifier,
        }
        auth = OAuth2ClientAuth(self._client_id, self._client_secret, self._auth_method)
        try:
            response = self._session.post(
                token_endpoint,
                data=form,
                auth=auth,
                headers={"Accept": "application/json"},
                timeout=self._timeout,
                # Never replay the code and client secret to wherever a redirect points.
                allow_redirects=False,
            )
        except requests.RequestException as exc:
            log.warning("vneid_unreachable", extra={"call": "token", "error": type(exc).__name__})
            raise VneidError("vneid_unavailable", "token_unreachable") from None
        data = _json_object(response)
        status = response.status_code
        if status == 200 and data is not None and isinstance(data.get("id_token"), str):
            return data
        error = str((data or {}).get("error", ""))[:64]
        log.warning("vneid_token_refused", extra={"status": status, "provider_error": error})
        if status >= 500 or status == 200 or status < 400:
            raise VneidError("vneid_unavailable", f"token_status_{status}")
        if error == "invalid_client" or status == 401:
            # Our own credentials are wrong: nothing the citizen can fix, so say "unavailable".
            log.error("vneid_client_credentials_rejected")
            raise VneidError("vneid_unavailable", "invalid_client")
        raise VneidError("vneid_code_rejected", f"token_{error or status}")

    # -- ID token --------------------------------------------------------------------------

    def _verify_id_token(self, id_token: str, nonce: str, access_token: object) -> dict:
        jwks_uri = self._discovery()["jwks_uri"]
        try:
            token = _decode(id_token, self._key_set(jwks_uri))
        except InvalidKeyIdError:
            # The provider may have rotated its key since we cached the set: refetch once.
            log.info("vneid_jwks_refetch_unknown_kid")
            try:
                token = _decode(id_token, self._key_set(jwks_uri, refresh=True))
            except InvalidKeyIdError:
                _refuse("unknown_kid")
        options = {
            "iss": {"essential": True, "value": self._issuer},
            "aud": {"essential": True, "value": self._client_id},
            "sub": {"essential": True},
            "nonce": {"essential": True, "value": nonce},
        }
        params = {"nonce": nonce, "client_id": self._client_id}
        if isinstance(access_token, str):
            params["access_token"] = access_token  # checks at_hash when the provider sends one
        claims = CodeIDToken(token.claims, token.header, options, params)
        try:
            claims.validate(leeway=self._leeway)
        except ExpiredTokenError:
            _refuse("expired")
        except MissingClaimError as exc:
            _refuse(f"missing_{exc.claim}")
        except ClaimError as exc:
            _refuse(f"invalid_{exc.claim}")
        return dict(claims)

    def _identity(self, claims: dict) -> VneidIdentity:
        personal_id = None
        for name in self._id_claims:
            value = claims.get(name)
            if value not in (None, ""):
                # Strings only: a JSON number would already have lost leading zeros ("001…").
                if isinstance(value, str) and _PERSONAL_ID.fullmatch(value):
                    personal_id = value
                break
        if personal_id is None:
            log.warning("vneid_identity_incomplete", extra={"claims_tried": list(self._id_claims)})
            raise VneidError("vneid_identity_incomplete", "personal_id_invalid")
        return VneidIdentity(
            subject=claims["sub"],
            personal_id=personal_id,
            full_name=_full_name(claims),
            birth_date=_birth_date(claims.get("birthdate")),
            phone=_text(claims.get("phone_number")),
        )


def _decode(id_token: object, keys: KeySet) -> jwt.Token:
    """Check the signature; InvalidKeyIdError is left to the caller to refetch keys."""
    if not isinstance(id_token, str):
        _refuse("malformed")
    registry = JWSRegistry(algorithms=ALLOWED_ALGORITHMS, strict_check_header=False)
    try:
        return jwt.decode(id_token, keys, registry=registry)
    except InvalidKeyIdError:
        raise
    except UnsupportedAlgorithmError:
        _refuse("alg_not_allowed")
    except BadSignatureError:
        _refuse("bad_signature")
    except (JoseError, ValueError, TypeError, KeyError):
        _refuse("malformed")


def _refuse(reason: str) -> NoReturn:
    # One slug for every failed check; only the log says which one.
    log.warning("vneid_token_invalid", extra={"reason": reason})
    raise VneidError("vneid_token_invalid", reason)


def _json_object(response: requests.Response) -> dict[str, Any] | None:
    try:
        data = response.json()
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def _text(value: object) -> str | None:
    return (value.strip() or None) if isinstance(value, str) else None


def _full_name(claims: dict) -> str:
    name = _text(claims.get("name"))
    if name:
        return name
    # Vietnamese order: family name, middle name, given name.
    parts = (_text(claims.get(k)) for k in ("family_name", "middle_name", "given_name"))
    return " ".join(p for p in parts if p)


def _birth_date(value: object) -> date | None:
    """OIDC says YYYY-MM-DD; dd/mm/yyyy is accepted too since VNeID's format is unconfirmed."""
    text = _text(value)
    if not text:
        return None
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    log.info("vneid_birthdate_unparsed")
    return None
