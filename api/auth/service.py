"""Signing in and out: VNeID, phone one-time code, staff password; refresh and logout.

Commits on its own: a refresh token reused after rotation revokes its whole family, and that
must stand although the request is refused.
"""

from __future__ import annotations

import json
import logging

import redis
from flask import current_app
from sqlalchemy import select

from api.audit.service import Origin, record
from api.auth import otp
from api.auth.announcements import IDENTITY_PROVEN, PHONE_PROVEN
from api.auth.guard import Principal
from api.auth.models import (
    ASSURANCE_PASSWORD,
    ASSURANCE_PHONE,
    ASSURANCE_VNEID,
    ROLE_CITIZEN,
    Account,
    AuthSession,
)
from api.auth.passwords import verify_password
from api.auth.tokens import (
    RefreshReuse,
    TokenPair,
    revoke_all_sessions,
    revoke_session,
    rotate,
    start_session,
)
from api.auth.vneid import VneidClient
from api.kernel import events
from api.kernel.database import db
from api.kernel.errors import ApiError
from api.kernel.i18n import register_messages
from api.kernel.phone import normalise_phone
from api.kernel.ratelimit import Limit, blocked_for, hit, reset

log = logging.getLogger(__name__)

VNEID_STATE_SECONDS = 600
# Wrong passwords lock the requester out of that account, not the account: a stranger's
# five guesses must not lock a staff user out of work (argon2 and the per-address limit
# keep guessing from many addresses slow).
STAFF_FAILURES = Limit("staff_login_failures", 5, 900)  # per user and requester
VNEID_STARTS_PER_IP = Limit("vneid_authorize_ip", 30, 600)  # each start stores a state
STAFF_ATTEMPTS_PER_IP = Limit("staff_login_ip", 30, 900)

register_messages(
    {
        "vneid_state_invalid": {
            "vi": "Phiên đăng nhập VNeID đã hết hạn hoặc không hợp lệ. Xin bấm đăng nhập lại.",
            "en": "The VNeID sign-in has expired or is not valid. Please start signing in again.",
        },
        "vneid_not_configured": {
            "vi": "Đăng nhập bằng VNeID hiện chưa sẵn sàng. Xin dùng số điện thoại để đăng nhập.",
            "en": "VNeID sign-in is not available right now. Please sign in with your phone number.",
        },
        "refresh_invalid": {
            "vi": "Phiên đăng nhập đã hết hạn. Xin vui lòng đăng nhập lại.",
            "en": "Your session has expired. Please sign in again.",
        },
        "credentials_invalid": {
            "vi": "Tên đăng nhập hoặc mật khẩu không đúng.",
            "en": "The username or password is not correct.",
        },
        "account_locked": {
            "vi": "Tài khoản tạm khóa do nhập sai nhiều lần. Xin thử lại sau {minutes} phút.",
            "en": "The account is locked after too many wrong attempts. Please try again in {minutes} minutes.",
        },
    }
)


def _redis() -> redis.Redis:
    return current_app.extensions["redis"]


def vneid_client():

    client = current_app.extensions.get("vneid_client")
    if client is None:
        settings = current_app.extensions["settings"]
        if not settings.vneid_issuer or not settings.vneid_client_id:
            raise ApiError(503, "vneid_not_configured")
        client = current_app.extensions["vneid_client"] = VneidClient(settings)
    return client


def vneid_authorize(ip: str = "") -> dict:
    hit(VNEID_STARTS_PER_IP, ip)
    request = vneid_client().begin()
    payload = json.dumps({"nonce": request.nonce, "verifier": request.code_verifier})
    try:
        _redis().set(f"vneid:state:{request.state}", payload, ex=VNEID_STATE_SECONDS)
    except redis.RedisError as exc:
        raise ApiError(503, "service_unavailable") from exc
    return {"url": request.url, "state": request.state}


def vneid_callback(code: str, state: str, origin: Origin) -> TokenPair:
    try:
        # GETDEL: a state works once, so a replayed callback is refused.
        stored = _redis().getdel(f"vneid:state:{state}")
    except redis.RedisError as exc:
        raise ApiError(503, "service_unavailable") from exc
    if not stored:
        raise ApiError(400, "vneid_state_invalid")
    saved = json.loads(stored)
    identity = vneid_client().finish(code, saved["verifier"], saved["nonce"])
    account = db.session.scalar(select(Account).where(Account.personal_id == identity.personal_id))
    phone = normalise_phone(identity.phone or "")
    if account is None and phone:
        # A citizen who first used their phone: the VNeID sign-in proves who they are.
        account = db.session.scalar(
            select(Account).where(Account.phone == phone, Account.personal_id.is_(None))
        )
    if account is None:
        account = Account(role=ROLE_CITIZEN, assurance=ASSURANCE_VNEID)
        db.session.add(account)
    if account.role != ROLE_CITIZEN:
        raise ApiError(403, "forbidden")
    account.personal_id = identity.personal_id
    account.assurance = ASSURANCE_VNEID
    account.full_name = identity.full_name or account.full_name
    if phone and account.phone is None and not _phone_taken(phone, account):
        account.phone = phone
    db.session.flush()
    tokens = start_session(account, ASSURANCE_VNEID, origin.ip, origin.user_agent)
    record("sign_in", origin, actor_id=account.id, method="vneid")
    _note_contact_grants(account, origin)
    db.session.commit()
    return tokens


def _note_contact_grants(account: Account, origin: Origin) -> None:
    """A proven phone makes the account the contact of the dossiers carrying it, a VNeID
    identity the owner of those with its number: the dossiers domain hears and records the
    grants (audited, once each) in this transaction."""
    if account.phone:
        events.announce(PHONE_PROVEN, account_id=account.id, phone=account.phone, origin=origin)
    if account.personal_id and account.assurance == ASSURANCE_VNEID:
        events.announce(
            IDENTITY_PROVEN, account_id=account.id, personal_id=account.personal_id, origin=origin
        )


def _phone_taken(phone: str, account: Account) -> bool:
    other = db.session.scalar(select(Account.id).where(Account.phone == phone))
    return other is not None and other != account.id


def request_phone_code(raw_phone: str, origin: Origin, language: str) -> int:
    return otp.request_code(raw_phone, origin.ip, "signin", language)


def account_for_phone(phone: str) -> Account:
    """The citizen account of a proven phone, made if new (caller commits). App sign-in and the
    bots' phone linking both use it."""
    account = db.session.scalar(select(Account).where(Account.phone == phone))
    if account is None:
        account = Account(role=ROLE_CITIZEN, assurance=ASSURANCE_PHONE, phone=phone)
        db.session.add(account)
        db.session.flush()
    if account.role != ROLE_CITIZEN or not account.active:
        raise ApiError(401, "otp_invalid")
    return account


def sign_in_with_phone(raw_phone: str, code: str, origin: Origin) -> TokenPair:
    phone = otp.verify_code(raw_phone, code, origin.ip, "signin")
    try:
        account = account_for_phone(phone)
    except ApiError:
        db.session.rollback()
        raise
    # A phone code proves the phone only, whatever the account once proved.
    tokens = start_session(account, ASSURANCE_PHONE, origin.ip, origin.user_agent)
    record("sign_in", origin, actor_id=account.id, method="phone_otp")
    _note_contact_grants(account, origin)
    db.session.commit()
    return tokens


def sign_in_staff(username: str, password: str, origin: Origin) -> TokenPair:
    key = username.strip().lower()
    hit(STAFF_ATTEMPTS_PER_IP, origin.ip)
    failures_key = f"{key}|{origin.ip}"
    seconds = blocked_for(STAFF_FAILURES, failures_key)
    if seconds:
        raise ApiError(
            429,
            "account_locked",
            headers={"Retry-After": str(seconds)},
            minutes=max(1, (seconds + 59) // 60),
        )
    account = db.session.scalar(select(Account).where(Account.username == key))
    ok = verify_password(account.password_hash if account else None, password)
    if not ok or account is None or not account.active or not account.is_staff:
        hit_failed = True
        try:
            hit(STAFF_FAILURES, failures_key)
        except ApiError:
            hit_failed = False
        record(
            "sign_in_failed", origin, subject_id=account.id if account else None, method="password"
        )
        db.session.commit()
        if not hit_failed:
            raise ApiError(429, "account_locked", headers={"Retry-After": "900"}, minutes=15)
        raise ApiError(401, "credentials_invalid")
    reset(STAFF_FAILURES, failures_key)
    tokens = start_session(account, ASSURANCE_PASSWORD, origin.ip, origin.user_agent)
    record("sign_in", origin, actor_id=account.id, method="password")
    db.session.commit()
    return tokens


def refresh(refresh_token: str, origin: Origin) -> TokenPair:
    try:
        _, tokens = rotate(refresh_token)
    except RefreshReuse as reuse:
        # The token was copied: whoever holds either copy loses the session.
        db.session.rollback()
        session = db.session.get(AuthSession, reuse.session.id)
        revoke_session(session, "refresh_reuse")
        record(
            "refresh_reuse_revoked",
            origin,
            subject_id=session.account_id,
            object_type="session",
            object_id=session.id,
        )
        db.session.commit()
        raise ApiError(401, "refresh_invalid") from None
    db.session.commit()
    return tokens


def logout(principal: Principal, everywhere: bool, origin: Origin) -> int:
    if everywhere:
        count = revoke_all_sessions(principal.account_id, "logout_everywhere")
    else:
        session = db.session.get(AuthSession, principal.session_id)
        revoke_session(session, "logout")
        count = 1
    record(
        "logout_everywhere" if everywhere else "logout",
        origin,
        actor_id=principal.account_id,
        object_type="session",
        object_id=principal.session_id or "",
    )
    db.session.commit()
    return count


def account_of(principal: Principal) -> Account:
    account = db.session.get(Account, principal.account_id)
    if account is None:
        raise ApiError(401, "token_invalid")
    return account
