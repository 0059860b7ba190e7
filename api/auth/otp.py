"""Phone one-time codes: request, deliver through a sender, verify with brute force stopped.

A guess is judged against the pending code, not the person: 5 wrong tries burn that code, and
no number of wrong codes locks a phone (a stranger could otherwise lock anyone out with five
guesses). Requests are limited per requester (address or chat) and per phone together with
that requester; the phone itself only has a growing pause between codes (none for the first
three, then 1, 2, 5 and 15 minutes), which a stranger can hold but which never shuts its owner
out: every code sent goes to the owner's phone, and the latest one works.

Commits on its own: a wrong guess must count even though the request that made it is refused
(rolled back).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import math
import secrets
import time
from datetime import timedelta
from typing import Protocol

import redis
from flask import current_app
from sqlalchemy import select

from api.auth.announcements import CODE_TO_SEND
from api.auth.models import OtpChallenge
from api.kernel import events
from api.kernel.clock import as_utc, utcnow
from api.kernel.database import db
from api.kernel.digits import ascii_digits
from api.kernel.errors import ApiError
from api.kernel.i18n import register_messages
from api.kernel.logs import mask_number
from api.kernel.phone import normalise_phone
from api.kernel.ratelimit import Limit, hit

log = logging.getLogger(__name__)

CODE_TTL = timedelta(minutes=5)
MAX_TRIES_PER_CODE = 5
CODE_REQUESTS_PER_PHONE = Limit("otp_request_phone", 3, 600)  # per phone and requester
CODE_REQUESTS_PER_PHONE_DAY = Limit("otp_request_phone_day", 10, 86400)  # the same, a day
CODE_REQUESTS_PER_IP = Limit("otp_request_ip", 30, 3600)
CHECKS_PER_IP = Limit("otp_check_ip", 60, 3600)
# Seconds between two codes to one phone, from whoever: after the 1st code, the 2nd...
PHONE_PAUSES = (0, 0, 60, 120, 300, 900)
PHONE_PAUSE_MEMORY = 3600  # the pauses start again an hour after the last code

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
        "otp_recently_sent": {
            "vi": "Mã xác nhận vừa được gửi tới số điện thoại này. Xin dùng mã mới nhất trong tin nhắn, hoặc đợi {seconds} giây để lấy mã khác.",
            "en": "A code was just sent to this phone. Please use the latest code in your messages, or wait {seconds} seconds for another.",
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
    """Codes go out as urgent SMS through the notification pipeline (one_time_code event):
    the notifications domain hears ``CODE_TO_SEND``, and its hand-over to delivery runs after
    this commit.

    The code sits in the notification only until it is delivered or given up: dispatch
    scrubs it then (push.notifications.dispatch)."""

    def send_code(self, phone: str, code: str, purpose: str, language: str) -> None:
        hand_overs = events.collect(
            CODE_TO_SEND, phone=phone, code=code, purpose=purpose, language=language
        )
        db.session.commit()
        for hand_over in hand_overs:
            hand_over()


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
    """Create and send a 6-digit code; returns its lifetime in seconds. ``ip`` names the
    requester (an address, or a chat for the bots)."""
    phone = parse_phone(raw_phone)
    hit(CODE_REQUESTS_PER_IP, ip)
    hit(CODE_REQUESTS_PER_PHONE, f"{phone}|{ip}")
    hit(CODE_REQUESTS_PER_PHONE_DAY, f"{phone}|{ip}")
    _pause_between_codes(phone)
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


def _pause_between_codes(phone: str) -> None:
    """Refuse a code sooner than the pause the phone's recent codes call for, else count it."""
    conn = current_app.extensions["redis"]
    key = "otp:pause:" + hashlib.sha256(phone.encode()).hexdigest()[:32]
    now = time.time()
    try:
        sent, last = conn.hmget(key, "sent", "last")
        sent = int(sent or 0)
        if sent:
            wait = PHONE_PAUSES[min(sent, len(PHONE_PAUSES)) - 1] - (now - float(last or 0))
            if wait > 0:
                seconds = math.ceil(wait)
                raise ApiError(
                    429, "otp_recently_sent", headers={"Retry-After": str(seconds)}, seconds=seconds
                )
        pipe = conn.pipeline()
        pipe.hset(key, mapping={"sent": sent + 1, "last": now})
        pipe.expire(key, PHONE_PAUSE_MEMORY)
        pipe.execute()
    except redis.RedisError as exc:
        raise ApiError(503, "service_unavailable", headers={"Retry-After": "30"}) from exc


def verify_code(raw_phone: str, code: str, ip: str, purpose: str = "signin") -> str:
    """Check a code; returns the normalised phone. A wrong guess counts against the pending
    code only (5 burn it) and against the requester's checks, never against the phone."""
    phone = parse_phone(raw_phone)
    hit(CHECKS_PER_IP, ip)
    challenge = db.session.scalar(
        select(OtpChallenge)
        .where(
            OtpChallenge.phone == phone,
            OtpChallenge.purpose == purpose,
            OtpChallenge.consumed_at.is_(None),
        )
        .order_by(OtpChallenge.id.desc())
        .limit(1)
        .with_for_update()  # two guesses at once cannot both use the last try
    )
    valid = (
        challenge is not None
        and as_utc(challenge.expires_at) > utcnow()
        and challenge.attempts < MAX_TRIES_PER_CODE
        and hmac.compare_digest(challenge.code_hash, _code_hash(phone, ascii_digits(code).strip()))
    )
    if not valid:
        if challenge is not None:
            challenge.attempts += 1
            if challenge.attempts >= MAX_TRIES_PER_CODE:
                challenge.consumed_at = utcnow()
        db.session.commit()
        raise ApiError(401, "otp_invalid")
    challenge.consumed_at = utcnow()
    return phone
