"""VNeID sign-in end to end against the sandbox OIDC provider, over real HTTP on 127.0.0.1."""

from __future__ import annotations

import json
import logging
import socket
import time
from datetime import date
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests
from authlib.oauth2.rfc7636 import create_s256_code_challenge

from api.auth.vneid import VneidAuthRequest, VneidClient, VneidError, VneidIdentity
from api.kernel.i18n import has_message, message
from api.kernel.settings import Settings
from sandbox.oidc_provider import DEFECTS, SandboxProvider, create_provider, provider_of, serve

CLIENT_ID = "dvc-connect-test"
CLIENT_SECRET = "test-secret"
REDIRECT_URI = "http://127.0.0.1:8000/api/v1/auth/vneid/callback"
AN = "001090000001"
SHORT_ID = "12345678901"  # 11 digits
USERS = [
    {
        "personal_id": AN,
        "name": "Nguyễn Văn An",
        "birthdate": "1990-01-15",
        "phone_number": "0900000001",
    },
    {"personal_id": "079185000002", "name": "Trần Thị Bình", "birthdate": "1985-07-02"},
    {"personal_id": SHORT_ID, "name": "Số Thiếu", "birthdate": "1970-01-01"},
]


@pytest.fixture
def provider():
    app = create_provider(
        "", {CLIENT_ID: {"secret": CLIENT_SECRET, "redirect_uris": [REDIRECT_URI]}}, USERS
    )
    server, base_url = serve(app)
    yield provider_of(app), base_url, server
    server.shutdown()
    server.server_close()


@pytest.fixture
def sandbox(provider) -> SandboxProvider:
    return provider[0]


@pytest.fixture
def base_url(provider) -> str:
    return provider[1]


@pytest.fixture
def http():
    session = requests.Session()
    session.trust_env = False  # a proxy from the environment must not see 127.0.0.1 traffic
    yield session
    session.close()


def make_client(base_url: str, http: requests.Session, **options: object) -> VneidClient:
    secret = str(options.pop("client_secret", CLIENT_SECRET))
    issuer = str(options.pop("issuer", base_url))
    settings = Settings(
        vneid_issuer=issuer,
        vneid_client_id=CLIENT_ID,
        vneid_client_secret=secret,
        vneid_redirect_uri=REDIRECT_URI,
        **options,
    )
    return VneidClient(settings, session=http)


@pytest.fixture
def client(base_url, http) -> VneidClient:
    return make_client(base_url, http)


def authorize(
    client: VneidClient, http: requests.Session, login_hint: str = AN
) -> tuple[VneidAuthRequest, str]:
    """begin() → the provider's authorize page with login_hint → the code from the redirect."""
    request = client.begin()
    response = http.get(
        f"{request.url}&{urlencode({'login_hint': login_hint})}", allow_redirects=False
    )
    assert response.status_code == 302, response.text
    location = urlsplit(response.headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT_URI
    params = {k: v[0] for k, v in parse_qs(location.query).items()}
    assert params["state"] == request.state
    return request, client.parse_callback(params, request.state)


def sign_in(client: VneidClient, http: requests.Session, login_hint: str = AN) -> VneidIdentity:
    request, code = authorize(client, http, login_hint)
    return client.finish(code, request.code_verifier, request.nonce)


# -- the happy path --------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["client_secret_basic", "client_secret_post"])
def test_full_flow_returns_the_citizen(base_url, http, sandbox, method):
    client = make_client(base_url, http, vneid_token_auth_method=method)
    identity = sign_in(client, http)
    assert identity.personal_id == AN
    assert identity.full_name == "Nguyễn Văn An"
    assert identity.birth_date == date(1990, 1, 15)
    assert identity.phone == "0900000001"
    assert identity.subject and identity.subject != AN
    assert sandbox.last_client_auth == method


def test_optional_claims_may_be_missing(client, http):
    identity = sign_in(client, http, "079185000002")
    assert identity.personal_id == "079185000002"
    assert identity.phone is None


def test_begin_builds_a_pkce_authorization_url(client, base_url):
    first, second = client.begin(), client.begin()
    parts = urlsplit(first.url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == f"{base_url}/authorize"
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert query == {
        "response_type": "code",
        "client_id": CLIENT_ID,
        "redirect_uri": REDIRECT_URI,
        "scope": "openid profile",
        "state": first.state,
        "nonce": first.nonce,
        "code_challenge": create_s256_code_challenge(first.code_verifier),
        "code_challenge_method": "S256",
    }
    # ≥ 32 random bytes each: 43+ URL-safe characters, and never repeated.
    for value in (first.state, first.nonce, first.code_verifier):
        assert len(value) >= 43 and value.replace("-", "").replace("_", "").isalnum()
    assert len({first.state, first.nonce, first.code_verifier, second.state, second.nonce}) == 5


def test_discovery_and_keys_are_cached(client, http, sandbox):
    sign_in(client, http)
    sign_in(client, http)
    assert sandbox.hits["discovery"] == 1
    assert sandbox.hits["jwks"] == 1


def test_discovery_is_refetched_after_its_ttl(base_url, http, sandbox):
    client = make_client(base_url, http, vneid_metadata_ttl=0)
    client.begin()
    client.begin()
    assert sandbox.hits["discovery"] == 2


def test_key_rotation_refetches_jwks_once(client, http, sandbox):
    sign_in(client, http)
    assert sandbox.hits["jwks"] == 1
    sandbox.rotate_key()  # the next ID token carries a kid the client has not seen
    assert sign_in(client, http).personal_id == AN
    assert sandbox.hits["jwks"] == 2
    sign_in(client, http)
    assert sandbox.hits["jwks"] == 2


def test_multiple_audiences_need_azp(client, http, sandbox):
    sandbox.sabotage_next(aud=[CLIENT_ID, "another-client"], azp=CLIENT_ID)
    assert sign_in(client, http).personal_id == AN
    sandbox.sabotage_next(aud=[CLIENT_ID, "another-client"])
    with pytest.raises(VneidError) as caught:
        sign_in(client, http)
    assert caught.value.reason == "missing_azp"


# -- ID token checks -------------------------------------------------------------------------


BAD_TOKEN_CASES = [
    ("tampered_signature", "bad_signature"),
    ("expired", "expired"),
    ("wrong_audience", "invalid_aud"),
    ("wrong_nonce", "invalid_nonce"),
    ("wrong_issuer", "invalid_iss"),
    ("alg_none", "alg_not_allowed"),
    ("hs256_public_key", "alg_not_allowed"),
    ("unknown_kid", "unknown_kid"),
]


@pytest.mark.parametrize(("defect", "reason"), BAD_TOKEN_CASES)
def test_bad_id_tokens_are_refused(client, http, sandbox, defect, reason):
    sandbox.sabotage_next(defect)
    with pytest.raises(VneidError) as caught:
        sign_in(client, http)
    error = caught.value
    assert (error.status, error.slug, error.reason) == (401, "vneid_token_invalid", reason)
    # The client sees one message whatever check failed.
    assert error.params == {} and reason not in message(error.slug, "en")


def test_every_defect_is_covered():
    # A new sandbox defect without a case in BAD_TOKEN_CASES would be an untested hole. (This
    # compared DEFECTS with a second hand-written list before, so it never looked at the cases.)
    covered = [defect for defect, _ in BAD_TOKEN_CASES]
    assert len(covered) == len(set(covered))
    assert set(DEFECTS) == set(covered)


def test_unknown_kid_refetches_only_once(client, http, sandbox):
    sign_in(client, http)
    sandbox.sabotage_next("unknown_kid")
    with pytest.raises(VneidError):
        sign_in(client, http)
    assert sandbox.hits["jwks"] == 2


@pytest.mark.parametrize(
    ("claims", "reason"),
    [
        ({"nonce": None}, "missing_nonce"),
        ({"exp": None}, "missing_exp"),
        ({"iat": int(time.time()) + 3600}, "invalid_iat"),
        ({"at_hash": "AAAAAAAAAAAAAAAAAAAAAA"}, "invalid_at_hash"),
    ],
)
def test_missing_or_wrong_claims_are_refused(client, http, sandbox, claims, reason):
    sandbox.sabotage_next(**claims)
    with pytest.raises(VneidError) as caught:
        sign_in(client, http)
    assert (caught.value.slug, caught.value.reason) == ("vneid_token_invalid", reason)


def test_nonce_must_be_the_one_we_sent(client, http):
    request, code = authorize(client, http)
    with pytest.raises(VneidError) as caught:
        client.finish(code, request.code_verifier, "a-nonce-from-another-sign-in")
    assert (caught.value.slug, caught.value.reason) == ("vneid_token_invalid", "invalid_nonce")


# -- the code and PKCE -----------------------------------------------------------------------


def test_code_works_only_once(client, http):
    request, code = authorize(client, http)
    assert client.finish(code, request.code_verifier, request.nonce).personal_id == AN
    with pytest.raises(VneidError) as caught:
        client.finish(code, request.code_verifier, request.nonce)
    assert (caught.value.status, caught.value.slug) == (401, "vneid_code_rejected")


def test_wrong_pkce_verifier_is_refused_and_burns_the_code(client, http):
    request, code = authorize(client, http)
    other = client.begin().code_verifier
    with pytest.raises(VneidError) as caught:
        client.finish(code, other, request.nonce)
    assert caught.value.slug == "vneid_code_rejected"
    with pytest.raises(VneidError) as caught:
        client.finish(code, request.code_verifier, request.nonce)
    assert caught.value.slug == "vneid_code_rejected"


def test_state_must_match(client, http):
    request = client.begin()
    with pytest.raises(VneidError) as caught:
        client.parse_callback({"code": "x", "state": "forged"}, request.state)
    assert (caught.value.slug, caught.value.reason) == ("vneid_code_rejected", "state_mismatch")


def test_demo_form_approve_and_cancel(client, http):
    request = client.begin()
    page = http.get(request.url)
    assert page.status_code == 200
    assert "SANDBOX – not VNeID" in page.text and "Nguyễn Văn An" in page.text
    form = {k: v[0] for k, v in parse_qs(urlsplit(request.url).query).items()}
    cancelled = http.post(
        request.url.split("?")[0], data={**form, "action": "cancel"}, allow_redirects=False
    )
    params = {k: v[0] for k, v in parse_qs(urlsplit(cancelled.headers["Location"]).query).items()}
    with pytest.raises(VneidError) as caught:
        client.parse_callback(params, request.state)
    assert caught.value.slug == "vneid_cancelled"
    approved = http.post(
        request.url.split("?")[0],
        data={**form, "action": "approve", "personal_id": AN},
        allow_redirects=False,
    )
    params = {k: v[0] for k, v in parse_qs(urlsplit(approved.headers["Location"]).query).items()}
    code = client.parse_callback(params, request.state)
    assert client.finish(code, request.code_verifier, request.nonce).personal_id == AN


def test_unregistered_redirect_uri_is_not_followed(client, http):
    url = client.begin().url.replace("127.0.0.1%3A8000", "evil.example")
    response = http.get(f"{url}&login_hint={AN}", allow_redirects=False)
    assert response.status_code == 400 and "Location" not in response.headers


# -- the personal identification number ------------------------------------------------------


def test_personal_id_must_have_12_digits(client, http):
    with pytest.raises(VneidError) as caught:
        sign_in(client, http, SHORT_ID)
    assert (caught.value.status, caught.value.slug) == (403, "vneid_identity_incomplete")


@pytest.mark.parametrize(
    "value",
    [
        None,  # claim missing
        "0010900000011",  # 13 digits
        "00109000000A",
        "００１０９００００００１",  # full-width digits
        " 001090000001",
        1090000001,  # "001090000001" sent as a JSON number has lost its leading zeros
        791850000020,  # 12 digits, but a number: only strings keep leading zeros safe
    ],
)
def test_malformed_personal_ids_are_refused(client, http, sandbox, value):
    sandbox.sabotage_next(personal_id=value)
    with pytest.raises(VneidError) as caught:
        sign_in(client, http)
    assert caught.value.slug == "vneid_identity_incomplete"


def test_fallback_claim_is_used_only_when_configured(base_url, http, sandbox):
    # The sub is 12 digits here, but sub is not the personal number unless configured so.
    sandbox.sabotage_next(personal_id=None, sub="079185000009")
    with pytest.raises(VneidError) as caught:
        sign_in(make_client(base_url, http), http)
    assert caught.value.slug == "vneid_identity_incomplete"
    client = make_client(base_url, http, vneid_id_claim_fallbacks="cccd,sub")
    sandbox.sabotage_next(personal_id=None, sub="079185000009")
    assert sign_in(client, http).personal_id == "079185000009"


def test_claim_name_is_configurable(base_url, http, sandbox):
    client = make_client(base_url, http, vneid_id_claim="so_dinh_danh")
    sandbox.sabotage_next(so_dinh_danh="079185000007")
    assert sign_in(client, http).personal_id == "079185000007"


# -- the provider failing --------------------------------------------------------------------


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_provider_down_at_begin(http):
    client = make_client(f"http://127.0.0.1:{_closed_port()}", http)
    with pytest.raises(VneidError) as caught:
        client.begin()
    assert (caught.value.status, caught.value.slug) == (502, "vneid_unavailable")


def test_provider_down_at_finish(provider, client, http):
    _, _, server = provider
    request, code = authorize(client, http)
    server.shutdown()
    server.server_close()
    with pytest.raises(VneidError) as caught:
        client.finish(code, request.code_verifier, request.nonce)
    error = caught.value
    assert (error.status, error.slug, error.reason) == (
        502,
        "vneid_unavailable",
        "token_unreachable",
    )


def test_discovery_outage_falls_back_to_the_cached_document(provider, base_url, http, sandbox):
    _, _, server = provider
    client = make_client(base_url, http, vneid_metadata_ttl=0)
    client.begin()
    server.shutdown()
    server.server_close()
    assert urlsplit(client.begin().url).path == "/authorize"
    assert sandbox.hits["discovery"] == 1


def test_provider_5xx_is_unavailable(client, http, sandbox):
    request, code = authorize(client, http)
    sandbox.fail_next_token(503)
    with pytest.raises(VneidError) as caught:
        client.finish(code, request.code_verifier, request.nonce)
    assert (caught.value.slug, caught.value.reason) == ("vneid_unavailable", "token_status_503")


def test_slow_provider_times_out(base_url, http, sandbox):
    client = make_client(base_url, http, vneid_timeout=0.3)
    request, code = authorize(client, http)
    sandbox.delay = 2.0
    started = time.monotonic()
    with pytest.raises(VneidError) as caught:
        client.finish(code, request.code_verifier, request.nonce)
    assert caught.value.slug == "vneid_unavailable"
    assert time.monotonic() - started < 1.5
    sandbox.delay = 0.0


def test_wrong_client_secret_is_our_fault_not_the_citizens(base_url, http):
    client = make_client(base_url, http, client_secret="not-the-secret")
    with pytest.raises(VneidError) as caught:
        sign_in(client, http)
    assert (caught.value.slug, caught.value.reason) == ("vneid_unavailable", "invalid_client")


def test_discovery_must_name_the_configured_issuer(base_url, http):
    client = make_client(base_url, http, issuer=base_url + "/")
    with pytest.raises(VneidError) as caught:
        client.begin()
    assert caught.value.reason == "discovery_issuer_mismatch"


# -- messages and logs -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "slug",
    [
        "vneid_unavailable",
        "vneid_code_rejected",
        "vneid_token_invalid",
        "vneid_identity_incomplete",
        "vneid_cancelled",
    ],
)
def test_messages_exist_in_both_languages(slug):
    assert has_message(slug)
    assert message(slug, "vi") != message(slug, "en")
    assert "VNeID" in message(slug, "vi")


def test_logs_carry_no_tokens_or_full_numbers(client, http, sandbox, caplog):
    caplog.set_level(logging.DEBUG, logger="api.auth.vneid")
    request, code = authorize(client, http)
    client.finish(code, request.code_verifier, request.nonce)
    sandbox.sabotage_next("expired")
    with pytest.raises(VneidError):
        sign_in(client, http)
    assert caplog.records, "the adapter should log what it does"
    secrets_seen = (AN, code, request.state, request.nonce, request.code_verifier, CLIENT_SECRET)
    for record in caplog.records:
        text = record.getMessage() + json.dumps(vars(record), default=str)
        for secret in secrets_seen:
            assert secret not in text
    assert any(getattr(r, "reason", None) == "expired" for r in caplog.records)
