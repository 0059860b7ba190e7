"""Phone one-time codes: request, deliver through a sender, verify with brute force stopped.

Limits: a phone may ask for 3 codes in 10 minutes and 10 a day; an address 30 an hour. A
code allows 5 tries; 5 wrong codes in 15 minutes lock the phone for the rest of the window.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from datetime import timedelta
from typing import Protocol

from flask import current_app
from sqlalchemy import select

from api.auth.models import OtpChallenge
from api.clock import as_utc, utcnow
from api.errors import ApiError
from api.extensions import db
from api.i18n import register_messages
from api.logs import mask_number
from api.phone import normalise_phone
from api.ratelimit import Limit, blocked_for, hit

log = logging.getLogger(__name__)

CODE_TTL = timedelta(minutes=5)
MAX_TRIES_PER_CODE = 5
CODE_REQUESTS_PER_PHONE = Limit("otp_request_phone", 3, 600)
CODE_REQUESTS_PER_PHONE_DAY = Limit("otp_request_phone_day", 10, 86400)
CODE_REQUESTS_PER_IP = Limit("otp_request_ip", 30, 3600)
WRONG_CODES_PER_PHONE = Limit("otp_wrong_phone", 5, 900)
CHECKS_PER_IP = Limit("otp_check_ip", 60, 3600)

register_messages(
    {
        "phone_invalid": {
            "vi": "Số điện thoại chưa đúng. Xin nhập số di động Việt Nam, ví dụ 0912 345 678.",
            "en": "This phone number is not valid. Please enter a Vietnamese mobile number, e.g. 0912 345 678.",
        },
        "otp_invalid": {
            "vi": "Mã xác nhận không đúng hoặc đã hết hạn. Xin kiểm tra tin nhắn hoặc lấy mã mới.",
            "en": "The code is wrong or has expired. Please check the message or ask for a new code.",
        },
        "otp_locked": {
            "vi": "Bạn đã nhập sai mã quá nhiều lần. Để bảo vệ tài khoản, xin đợi {minutes} phút rồi lấy mã mới.",
            "en": "Too many wrong codes. To protect the account, please wait {minutes} minutes and ask for a new code.",
        },
    }
)


class OtpSender(Protocol):
    def send_code(self, phone: str, code: str, purpose: str, language: str) -> None: ...


class LoggingOtpSender:
    """Until the notification pipeline delivers SMS: records that a code was sent.

    The code itself is printed only in the sandbox demo, where the console stands in for the
    phone; elsewhere it is never logged.
    """

    def __init__(self, show_code: bool = False) -> None:
        self.show_code = show_code

    def send_code(self, phone: str, code: str, purpose: str, language: str) -> None:
        extra = {"phone": mask_number(phone), "purpose": purpose}
        if self.show_code:
            extra["sandbox_code"] = code
        log.info("otp_sent", extra=extra)


class PipelineOtpSender:
    """Codes go out as urgent SMS through the notification pipeline (one_time_code event).

    The code sits in the notification only until it is delivered or given up: dispatch
    scrubs it then (push.dispatch)."""

    def send_code(self, phone: str, code: str, purpose: str, language: str) -> None:
        from api.notifications.service import notify_chat
        from push.queueing import enqueue_delivery

        notification = notify_chat(
            "sms",
            phone,
            "one_time_code",
            {"code": code},
            f"otp:{phone}:{secrets.token_hex(8)}",
            language=language,
        )
        db.session.commit()
        enqueue_delivery([notification.id], urgent=True)


def _code_hash(phone: str, code: str) -> str:
    key = current_app.extensions["settings"].secret_key.encode()
    return hmac.new(key, f"{phone}:{code}".encode(), hashlib.sha256).hexdigest()


def sender() -> OtpSender:
    return current_app.extensions.setdefault("otp_sender", LoggingOtpSender())


def parse_phone(raw: str) -> str:
    phone = normalise_phone(raw)
    if phone is None:
        raise ApiError(422, "phone_invalid", errors={"phone": ["Not a Vietnamese mobile number."]})
    return phone


def request_code(raw_phone: str, ip: str, purpose: str = "signin", language: str = "vi") -> int:
    """Create and send a 6-digit code; returns its lifetime in seconds."""
    phone = parse_phone(raw_phone)
    _refuse_if_locked(phone)
    hit(CODE_REQUESTS_PER_IP, ip)
    hit(CODE_REQUESTS_PER_PHONE, phone)
    hit(CODE_REQUESTS_PER_PHONE_DAY, phone)
    code = f"{secrets.randbelow(10**6):06d}"
    # A new code replaces any earlier one for the same purpose.
    for old in db.session.scalars(
        select(OtpChallenge).where(
            OtpChallenge.phone == phone,
            OtpChallenge.purpose == purpose,
            OtpChallenge.consumed_at.is_(None),
        )
    ):
        old.consumed_at = utcnow()
    db.session.add(
        OtpChallenge(
            phone=phone,
            purpose=purpose,
            code_hash=_code_hash(phone, code),
            expires_at=utcnow() + CODE_TTL,
        )
    )
    db.session.commit()
    sender().send_code(phone, code, purpose, language)
    return int(CODE_TTL.total_seconds())


def _refuse_if_locked(phone: str) -> None:
    seconds = blocked_for(WRONG_CODES_PER_PHONE, phone)
    if seconds:
        raise ApiError(
            429,
            "otp_locked",
            headers={"Retry-After": str(seconds)},
            minutes=max(1, (seconds + 59) // 60),
        )


def verify_code(raw_phone: str, code: str, ip: str, purpose: str = "signin") -> str:
    """Check a code; returns the normalised phone. Wrong codes count towards the lock."""
    phone = parse_phone(raw_phone)
    hit(CHECKS_PER_IP, ip)
    _refuse_if_locked(phone)
    challenge = db.session.scalar(
        select(OtpChallenge)
        .where(
            OtpChallenge.phone == phone,
            OtpChallenge.purpose == purpose,
            OtpChallenge.consumed_at.is_(None),
        )
        .order_by(OtpChallenge.id.desc())
        .limit(1)
    )
    valid = (
        challenge is not None
        and as_utc(challenge.expires_at) > utcnow()
        and challenge.attempts < MAX_TRIES_PER_CODE
        and hmac.compare_digest(challenge.code_hash, _code_hash(phone, code.strip()))
    )
    if not valid:
        if challenge is not None:
            challenge.attempts += 1
            if challenge.attempts >= MAX_TRIES_PER_CODE:
                challenge.consumed_at = utcnow()
            db.session.commit()
        try:
            hit(WRONG_CODES_PER_PHONE, phone)
        except ApiError:
            _refuse_if_locked(phone)
        raise ApiError(401, "otp_invalid")
    challenge.consumed_at = utcnow()
    return phone
