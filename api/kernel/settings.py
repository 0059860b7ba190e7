"""Settings from environment variables (DESIGN.md §5), with the embedded defaults.

Unset DATABASE_URL means a SQLite file under ./instance; unset REDIS_URL means the in-process
Redis stand-in and a worker thread inside the app process. Nothing else changes between the two.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass, field, fields
from functools import lru_cache
from pathlib import Path

from flask import current_app

DEFAULT_INSTANCE_DIR = Path.cwd() / "instance"


def _default_sqlite_url() -> str:
    DEFAULT_INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{DEFAULT_INSTANCE_DIR / 'dvc-connect.db'}"


def _env_bool(value: str | None, default: bool = False) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_json_object(name: str, raw: str) -> dict:
    try:
        value = json.loads(raw)
    except ValueError as exc:
        raise ValueError(f"{name} must be a JSON object: {exc}") from exc
    if not isinstance(value, dict):
        raise ValueError(f"{name} must be a JSON object")
    return value


@dataclass(frozen=True)
class Settings:
    # core
    database_url: str = ""
    redis_url: str = ""
    secret_key: str = ""
    app_base_url: str = "http://127.0.0.1:8000"
    host: str = "127.0.0.1"
    port: int = 8000
    log_level: str = "INFO"
    # Reverse proxies in front of the API that set X-Forwarded-For (0: none, the socket
    # address is the client's). Limits keyed on the client's address need it behind a proxy.
    trusted_proxies: int = 0
    # A worker thread inside the app process; on by default only in the embedded mode.
    embedded_worker: bool = True
    catalog_path: str = ""
    # Sandbox demo features (local VNeID provider, OTP codes printed to the console).
    # Never on in production: `make run` turns it on for the local demo only.
    sandbox: bool = False
    # portal
    portal_base_url: str = ""
    portal_auth_path: str = "/api/auth/login"
    portal_integration_path: str = "/api/integration"
    portal_username: str = ""
    portal_password: str = ""
    portal_unit_code: str = ""
    portal_push_secret: str = ""
    # VNeID
    vneid_issuer: str = ""
    vneid_client_id: str = ""
    vneid_client_secret: str = ""
    vneid_redirect_uri: str = ""
    # How the token endpoint wants the client to authenticate, and which ID-token claim holds
    # the 12-digit personal identification number (both unconfirmed for the real VNeID).
    vneid_token_auth_method: str = "client_secret_basic"
    vneid_id_claim: str = "personal_id"
    vneid_id_claim_fallbacks: str = ""  # comma-separated claims tried after vneid_id_claim
    vneid_scope: str = "openid profile"
    vneid_timeout: float = 10.0  # seconds per call to the provider
    vneid_leeway: int = 60  # seconds of clock difference accepted on the ID token
    vneid_metadata_ttl: float = 3600.0  # seconds the discovery document and keys are kept
    # Zalo
    zalo_app_id: str = ""
    zalo_app_secret: str = ""
    zalo_oa_secret_key: str = ""
    zalo_refresh_token: str = ""
    zalo_openapi_base: str = "https://openapi.zalo.me"
    zalo_oauth_base: str = "https://oauth.zaloapp.com"
    zalo_zns_base: str = "https://business.openapi.zalo.me"
    # JSON object: event → approved ZNS template id, e.g. {"status_changed": "123456"}.
    zalo_zns_templates: str = ""
    # Telegram
    telegram_bot_token: str = ""
    telegram_webhook_secret: str = ""
    telegram_api_base: str = "https://api.telegram.org"
    # push
    firebase_credentials: str = ""
    firebase_project_id: str = ""
    fcm_url: str = ""
    # SMS
    sms_gateway_url: str = ""
    sms_api_key: str = ""
    sms_brandname: str = ""
    sms_gateway_fallback_url: str = ""
    sms_timeout_seconds: int = 15  # an answer later than this is an unknown outcome
    # email
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_security: str = "none"
    mail_from: str = "dvc-connect@localhost"
    sms_receipt_token: str = ""  # shared secret the SMS gateway puts in its receipt callback
    # Delivery tuning.
    receipt_timeout_seconds: int = 900  # no receipt by then: try the next channel
    channel_rate_per_second: int = 50  # per channel, all workers together (provider quotas)
    channel_rates: str = ""  # per channel, from the provider contracts: "sms=30,zalo=200"
    # Provider calls in flight per worker process: a provider answering in L seconds lets one
    # worker send about delivery_threads / L messages a second. 100 = a whole delivery batch
    # (push.queueing.BATCH) in one wave.
    delivery_threads: int = 100
    # Fewer at once where the provider limits sessions: an SMTP server takes ~10 per client.
    channel_concurrency: str = "email=8"
    worker_metrics_port: int = 0  # >0: a worker serves its own /metrics there (on HOST)
    # Messaging and rating.
    attachment_dir: str = ""  # empty: "attachments" beside the embedded database
    attachment_max_bytes: int = 10 * 1024 * 1024
    message_reply_target_hours: int = 24  # an officer's reply is late after this
    rating_edit_window_days: int = 7  # a citizen may change a rating this long
    unit_digest_emails: dict = field(default_factory=dict)  # JSON: unit → mailbox for digests
    # UNCONFIRMED: no public source names the portal's services for ratings and messages.
    portal_rating_service: str = "DongBoDanhGia"
    portal_message_service: str = "DongBoTraoDoiHoSo"
    # Assisted use (assisted-use.md): session, code and mandate limits, unusual-use alerts.
    assist_session_max_hours: int = 4
    assist_code_minutes: int = 5
    assist_mandate_accept_days: int = 7
    assist_mandate_max_days: int = 365
    assist_legal_max_days: int = 1826  # a parent's representation: longer, still bounded
    assist_unusual_residents_per_device_hour: int = 5
    assist_unusual_min_sessions: int = 5
    # User support: answer thresholds on the retrieval score (tuned on the development split of
    # benchmarks/support, see README), duplicate-question window, article review period.
    support_answer_at: float = 0.55
    support_choices_at: float = 0.34
    support_margin: float = 0.04  # the best must lead the next different target by this much
    support_dedupe_seconds: int = 300
    support_review_days: int = 183  # an answer is looked at again about every six months
    # Bots. UNCONFIRMED: the national portal's public page for one procedure.
    bot_procedure_url: str = "https://dichvucong.gov.vn/p/home/dvc-tthc-thu-tuc-hanh-chinh-chi-tiet.html?ma_thu_tuc={code}"
    bot_state_ttl_seconds: int = 30 * 60  # a step left half-done for half an hour starts again
    bot_thread_ttl_seconds: int = 24 * 60 * 60  # a chat stays in the officer's thread a quiet day
    bot_update_retention_days: int = 30  # raw updates hold personal data: kept to investigate
    # Quality figures and the monitoring system (EMC). The EMC URL is unconfirmed: a setting.
    quality_province_code: int = 0  # the deployment's province (0: not set)
    emc_url: str = ""  # e.g. https://f-emc.ngsp.gov.vn/TrackingMCDT; empty: events wait
    emc_site_id: str = ""
    emc_pseudonym_key: str = ""  # keys the HMAC that replaces ID numbers (default SECRET_KEY)
    extra: dict = field(default_factory=dict)

    @property
    def embedded(self) -> bool:
        """True when running on the embedded stand-ins rather than real Redis."""
        return not self.redis_url

    def channel_quota(self, channel: str) -> int:
        """Sends a second allowed on ``channel`` by all workers together."""
        return parse_per_channel(self.channel_rates).get(channel, self.channel_rate_per_second)

    def channel_calls(self, channel: str) -> int:
        """Provider calls in flight on ``channel`` in one worker process."""
        limits = parse_per_channel(self.channel_concurrency, "CHANNEL_CONCURRENCY")
        return min(limits.get(channel, self.delivery_threads), self.delivery_threads)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None, **overrides: object) -> Settings:
        env = dict(os.environ if env is None else env)
        values: dict[str, object] = {}
        for f in fields(cls):
            if f.name == "extra":
                continue
            raw = env.get(f.name.upper())
            if raw is None or raw == "":
                continue
            if f.type in ("int", int):
                values[f.name] = int(raw)
            elif f.type in ("float", float):
                values[f.name] = float(raw)
            elif f.type in ("bool", bool):
                values[f.name] = _env_bool(raw)
            elif f.type in ("dict", dict):
                values[f.name] = _env_json_object(f.name.upper(), raw)
            else:
                values[f.name] = raw
        values.update(overrides)
        if not values.get("database_url"):
            values["database_url"] = _default_sqlite_url()
        values["database_url"] = normalise_database_url(str(values["database_url"]))
        if not values.get("secret_key"):
            if values.get("redis_url") or not str(values["database_url"]).startswith("sqlite"):
                # Each gunicorn worker and rq worker would make its own key and refuse the
                # others' tokens at random.
                raise ValueError(
                    "SECRET_KEY must be set when DATABASE_URL or REDIS_URL is (the same long "
                    "random value for the API and every worker process)"
                )
            # A random key per process is safe for the embedded demo (one process).
            values["secret_key"] = secrets.token_hex(32)
        # A typo stops the start.
        parse_per_channel(str(values.get("channel_rates") or ""))
        parse_per_channel(str(values.get("channel_concurrency", "")), "CHANNEL_CONCURRENCY")
        if not values.get("app_base_url"):
            # Links (QR codes, chat cards) point at where the API really listens.
            host = str(values.get("host") or "127.0.0.1")
            host = "127.0.0.1" if host in ("0.0.0.0", "::") else host  # noqa: S104
            values["app_base_url"] = f"http://{host}:{values.get('port') or 8000}"
        if "embedded_worker" not in values and "EMBEDDED_WORKER" not in env:
            values["embedded_worker"] = not values.get("redis_url")
        return cls(**values)  # type: ignore[arg-type]


@lru_cache(maxsize=16)
def parse_per_channel(text: str, name: str = "CHANNEL_RATES") -> dict[str, int]:
    """ "sms=30, zalo=200" → {"sms": 30, "zalo": 200}; ValueError naming what is wrong."""
    numbers: dict[str, int] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        channel, _, number = part.partition("=")
        if (
            not channel.strip()
            or not number.strip().isascii()
            or not number.strip().isdigit()
            or int(number) < 1
        ):
            raise ValueError(
                f"{name}: {part!r} should be channel=number (a whole number from 1), "
                "e.g. sms=30,zalo=200"
            )
        numbers[channel.strip()] = int(number)
    return numbers


def normalise_database_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL whatever scheme the operator wrote."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def current() -> Settings:
    """The running app's settings: every knob of the service is a field of ``Settings``, set by
    its environment variable (the field name in capitals); there is no other configuration."""
    return current_app.extensions["settings"]
