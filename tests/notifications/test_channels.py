"""Channel adapters against local fakes over real HTTP and SMTP on 127.0.0.1."""

from __future__ import annotations

import hashlib
import json
import logging
import random
import re
import socket
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from urllib3.util.retry import Retry

from push.channels import fcm as fcm_module
from push.channels.base import Outcome, SendResult
from push.channels.email import SmtpMailer, message_id
from push.channels.fcm import PAYLOAD_LIMIT, FcmChannel, fit_payload
from push.channels.sms import (
    FailoverSms,
    SmsFields,
    SmsGateway,
    normalise_phone,
    parse_receipt,
    prepare_text,
    segment_count,
    septets,
    to_gsm_ascii,
)
from push.channels.telegram import TelegramClient, escape_html, inline_keyboard, split_text
from push.channels.zalo import (
    InMemoryTokenStore,
    ZaloClient,
    ZaloTokens,
    parse_received_receipt,
    verify_signature,
)
from tests.fakes import (
    FakeFcmApi,
    FakeHttpServer,
    FakeSmsGateway,
    FakeSmtpServer,
    FakeTelegramApi,
    FakeZaloApi,
    Reply,
)
from tests.fakes import telegram_api as tg
from tests.fakes.zalo_api import CS_PATH, TOKEN_PATH, ZNS_PATH

# firebase-admin 7.7.0 deprecates FCM registration tokens in favour of Firebase Installation
# IDs; the apps still register tokens (FcmChannel's default target), so its warning is expected.
pytestmark = pytest.mark.filterwarnings(
    "ignore:MulticastMessage.tokens is deprecated:DeprecationWarning"
)

VIETNAMESE = (
    "Hồ sơ đăng ký khai sinh của ông/bà Nguyễn Văn Đức, mã 000.00.15.H12-240101-0001, "
    "đã được Ủy ban nhân dân phường Bến Nghé tiếp nhận và đang xử lý. "
)


def closed_port() -> int:
    """A port nothing listens on: connecting is refused at once."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def logged(caplog: pytest.LogCaptureFixture) -> str:
    """Everything the records carry, extras included."""
    return "\n".join(f"{r.getMessage()} {r.__dict__}" for r in caplog.records)


# ----------------------------------------------------------------------------------- SMS


@pytest.fixture
def sms_fake():
    with FakeSmsGateway() as fake:
        yield fake


def gateway(fake: FakeSmsGateway, **kwargs) -> SmsGateway:
    return SmsGateway(fake.send_url, fake.api_key, fake.brandname, **kwargs)


@pytest.mark.parametrize(
    "raw",
    ["0912345678", "+84912345678", "84912345678", "0912 345 678", "091.234.5678", "(091) 2345678"],
)
def test_normalise_phone_accepts_vietnamese_mobiles(raw):
    assert normalise_phone(raw) == "84912345678"


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "12345",
        "02438251234",  # Hà Nội landline
        "+14155552671",  # not Vietnam
        "01691234567",  # pre-2018 11-digit mobile
        "0112345678",  # no such prefix
        "849123456789",  # one digit too many
        "0912abc678",
    ],
)
def test_normalise_phone_rejects_everything_else(raw):
    with pytest.raises(ValueError):
        normalise_phone(raw)


def test_prepare_text_folds_vietnamese_to_ascii():
    text, segments = prepare_text("Đăng ký khai sinh cho bé Nguyễn Thị Ánh “đúng hạn” – xong…")
    assert text == 'Dang ky khai sinh cho be Nguyen Thi Anh "dung han" - xong...'
    assert segments == 1


def test_prepare_text_keeps_300_vietnamese_chars_within_two_segments():
    long_text = (VIETNAMESE * 3)[:300]
    assert len(long_text) == 300
    text, segments = prepare_text(long_text)
    assert text.isascii()
    assert segments == 2
    assert septets(text) <= 2 * 153
    assert text.startswith("Ho so dang ky khai sinh cua ong/ba Nguyen Van Duc")


def test_prepare_text_truncates_with_ellipsis_on_a_word_boundary():
    text, segments = prepare_text(VIETNAMESE * 10, max_segments=2)
    assert segments == 2 and septets(text) <= 306
    assert text.endswith("...")
    assert text[:-3].split()[-1] in to_gsm_ascii(VIETNAMESE).split()  # a whole word
    one, n = prepare_text(VIETNAMESE * 10, max_segments=1)
    assert n == 1 and septets(one) <= 160 and one.endswith("...")


def test_segment_arithmetic_counts_gsm_extension_characters_twice():
    assert segment_count("a" * 160) == 1
    assert segment_count("a" * 161) == 2
    assert segment_count("a" * 306) == 2
    assert segment_count("a" * 307) == 3
    assert segment_count("[" * 80) == 1  # 160 septets
    assert segment_count("{" * 81) == 2  # 162 septets
    text, segments = prepare_text("x" * 300 + "^" * 10)
    assert septets(text) <= 306 and segments == 2


def test_sms_success_sends_folded_text_and_reference(sms_fake):
    result = gateway(sms_fake).send("0912 345 678", "Hồ sơ đã được tiếp nhận", "attempt-1")
    assert result.outcome is Outcome.ACCEPTED
    assert result.provider_message_id == "gw-1"
    assert sms_fake.sent == [
        {
            "api_key": "sms-test-key",
            "brandname": "DVC-TEST",
            "phone": "84912345678",
            "message": "Ho so da duoc tiep nhan",
            "request_id": "attempt-1",
        }
    ]


def test_the_keep_alive_gateway_answers_like_the_threaded_one_without_blocking():
    """The benchmarks' mode of the fake (HTTP/1.1 on asyncio): the same answers, arrival
    times and recipients noted, a held reply holding up no other."""
    with FakeSmsGateway(keep_alive=True) as fake:
        client = gateway(fake)
        assert client.send("0912 345 678", "Hồ sơ", "attempt-1").outcome is Outcome.ACCEPTED
        assert client.send("0912 345 678", "Hồ sơ", "attempt-1").outcome is Outcome.ACCEPTED
        assert (fake.duplicates, fake.by_phone["84912345678"], list(fake.delivered())) == (
            1,
            1,
            ["attempt-1"],
        )
        assert (
            SmsGateway(fake.send_url, "wrong", fake.brandname)
            .send("0912345678", "x", "attempt-2")
            .outcome
            is Outcome.TECHNICAL_FAILURE
        )
        assert fake.refused == 1
        fake.hold_for["84912345670"] = 0.5
        slow = threading.Thread(target=client.send, args=("0912345670", "x", "attempt-3"))
        slow.start()
        while "attempt-3" not in fake.arrived:
            time.sleep(0.01)
        started = time.perf_counter()
        assert client.send("0912345671", "x", "attempt-4").outcome is Outcome.ACCEPTED
        assert time.perf_counter() - started < 0.4
        slow.join(5)
        assert fake.messages_to(["84912345670", "84912345671"]) == [1, 1]


def test_sms_invalid_phone_is_permanent_without_a_request(sms_fake):
    result = gateway(sms_fake).send("02438251234", "x", "attempt-1")
    assert result.outcome is Outcome.PERMANENT_FAILURE
    assert result.error_code == "invalid_phone"
    assert sms_fake.requests == []


@pytest.mark.parametrize(
    ("reply", "outcome", "code", "retry_after"),
    [
        (Reply(503, json={"code": "503"}), Outcome.TEMPORARY_FAILURE, "http_503", None),
        (Reply(502, body=b"<html>"), Outcome.TEMPORARY_FAILURE, "http_502", None),
        (Reply(429, headers={"Retry-After": "12"}), Outcome.TEMPORARY_FAILURE, "rate_limited", 12),
        (Reply(401, json={"code": "401"}), Outcome.TECHNICAL_FAILURE, "auth", None),
        (Reply(200, json={"code": "77"}), Outcome.TECHNICAL_FAILURE, "77", None),
        (Reply(200, body=b"OK"), Outcome.TECHNICAL_FAILURE, "unexpected_response", None),
    ],
)
def test_sms_error_mapping(sms_fake, reply, outcome, code, retry_after):
    sms_fake.answer(reply)
    result = gateway(sms_fake).send("0912345678", "x", "attempt-1")
    assert (result.outcome, result.error_code, result.retry_after) == (outcome, code, retry_after)


def test_sms_configured_permanent_code(sms_fake):
    sms_fake.answer(Reply(200, json={"code": "INVALID_NUMBER", "message": "no such subscriber"}))
    gw = gateway(sms_fake, field_names={"permanent_values": ["INVALID_NUMBER"]})
    result = gw.send("0912345678", "x", "attempt-1")
    assert result.outcome is Outcome.PERMANENT_FAILURE
    assert result.error_code == "invalid_number"


def test_sms_network_errors_and_slow_gateway_are_temporary(sms_fake, caplog):
    down = SmsGateway(f"http://127.0.0.1:{closed_port()}/send", "secret-key-xyz", "B")
    result = down.send("0912345678", "x", "attempt-1")
    assert result.outcome is Outcome.TEMPORARY_FAILURE and result.error_code == "network"

    sms_fake.fail(1, status=200, delay=0.5)
    slow = gateway(sms_fake, timeout=(1.0, 0.1))
    result = slow.send("0912345678", "x", "attempt-2")
    assert result.outcome is Outcome.TEMPORARY_FAILURE and result.error_code == "network"
    assert "912345678" not in logged(caplog)  # phone masked in the failure log
    assert "secret-key-xyz" not in logged(caplog) + result.detail


def test_sms_field_names_are_configurable():
    with FakeHttpServer() as srv:
        srv.route(
            "POST",
            "/v2/send",
            lambda req, m: Reply(json={"result": {"status": "SUCCESS", "id": 991}}),
        )
        fields = SmsFields.from_mapping(
            {
                "api_key_header": "X-Api-Key",
                "phone": "msisdn",
                "text": "content",
                "request_id": "client_ref",
                "status": "result.status",
                "message_id": "result.id",
            }
        )
        gw = SmsGateway(srv.url + "/v2/send", "k-1", "BRAND", fields)
        result = gw.send("+84912345678", "Xin chào", "attempt-9")
        request = srv.requests[0]
    assert result.outcome is Outcome.ACCEPTED and result.provider_message_id == "991"
    assert request.header("X-Api-Key") == "k-1"
    assert request.json() == {
        "brandname": "BRAND",
        "msisdn": "84912345678",
        "content": "Xin chao",
        "client_ref": "attempt-9",
    }
    with pytest.raises(ValueError):
        SmsFields.from_mapping({"no_such_field": "x"})


def test_failover_tries_the_other_gateway_when_the_primary_is_down(sms_fake):
    with FakeSmsGateway() as backup:
        sms_fake.fail(1, status=503)
        assert random.Random(0).random() < 0.9  # so the primary is chosen first
        sms = FailoverSms(
            gateway(sms_fake, name="primary"),
            gateway(backup, name="fallback"),
            rng=random.Random(0),
        )
        result = sms.send("0912345678", "Thông báo", "attempt-1")
        assert result.outcome is Outcome.ACCEPTED
        assert "fallback" in result.detail
        assert len(sms_fake.requests) == 1 and len(backup.sent) == 1
        assert backup.sent[0]["request_id"] == "attempt-1"
        assert sms.current_weight() == pytest.approx(0.8)  # weight moved away from primary


def test_failover_reports_failure_when_both_are_down():
    port = closed_port()
    a = SmsGateway(f"http://127.0.0.1:{port}/a", "k", "B", name="primary")
    b = SmsGateway(f"http://127.0.0.1:{port}/b", "k", "B", name="fallback")
    result = FailoverSms(a, b).send("0912345678", "x", "attempt-1")
    assert result.outcome is Outcome.TEMPORARY_FAILURE
    assert "primary" in result.detail and "fallback" in result.detail


class StubGateway:
    def __init__(self, name: str, outcome: Outcome = Outcome.ACCEPTED) -> None:
        self.name, self.outcome, self.calls = name, outcome, 0

    def send(self, phone, text, reference) -> SendResult:
        self.calls += 1
        return SendResult(self.outcome, detail=self.name)


def test_failover_weighted_choice_and_recovery():
    primary, fallback = StubGateway("primary"), StubGateway("fallback")
    now = [1000.0]
    sms = FailoverSms(primary, fallback, 0.9, rng=random.Random(42), clock=lambda: now[0])
    for i in range(2000):
        sms.send("0912345678", "x", f"a{i}")
    assert 0.87 < primary.calls / 2000 < 0.93

    primary.outcome = Outcome.TECHNICAL_FAILURE
    for i in range(5):
        sms.send("0912345678", "x", f"b{i}")
    assert sms.current_weight() == pytest.approx(0.4)
    now[0] += 301  # failures older than the window are forgotten
    assert sms.current_weight() == pytest.approx(0.9)


def test_failover_does_not_retry_permanent_failures():
    primary = StubGateway("primary", Outcome.PERMANENT_FAILURE)
    fallback = StubGateway("fallback")
    sms = FailoverSms(primary, fallback, 1.0)
    assert sms.send("0912345678", "x", "a").outcome is Outcome.PERMANENT_FAILURE
    assert fallback.calls == 0


def test_parse_receipt():
    assert parse_receipt(FakeSmsGateway.receipt("attempt-1")) == ("attempt-1", True, None)
    assert parse_receipt(FakeSmsGateway.receipt("attempt-2", "FAILED", "EXPIRED")) == (
        "attempt-2",
        False,
        "EXPIRED",
    )
    assert parse_receipt(FakeSmsGateway.receipt("attempt-3", "UNDELIV")) == (
        "attempt-3",
        False,
        "undeliv",
    )
    assert parse_receipt(FakeSmsGateway.receipt("attempt-4", "PENDING")) is None
    with pytest.raises(ValueError):
        parse_receipt({"status": "DELIVERED"})


# --------------------------------------------------------------------------------- email

SUBJECT = "Hồ sơ 000.00.15.H12-240101-0001 đã có kết quả – mời ông/bà đến nhận"


@pytest.fixture
def smtp_fake():
    with FakeSmtpServer() as fake:
        yield fake


def mailer(fake: FakeSmtpServer, **kwargs) -> SmtpMailer:
    options = {"security": "none", "mail_from": "Cổng DVC <thongbao@dvc.example.gov.vn>"}
    options.update(kwargs)
    return SmtpMailer(fake.host, fake.port, timeout=5, **options)


def test_email_multipart_with_stable_message_id_and_vietnamese_subject(smtp_fake):
    m = mailer(smtp_fake)
    result = m.send(
        "citizen@example.vn",
        SUBJECT,
        "Kính gửi ông/bà,\nHồ sơ đã xong.",
        "<p>Hồ sơ đã xong.</p>",
        "att-7",
    )
    assert result.outcome is Outcome.ACCEPTED
    assert result.provider_message_id == "att-7@dvc.example.gov.vn"
    (mail,) = smtp_fake.received
    assert mail.rcpt_tos == ["citizen@example.vn"]
    assert mail.mail_from == "thongbao@dvc.example.gov.vn"
    msg = mail.message
    assert msg["Subject"] == SUBJECT
    assert msg["Message-ID"] == "<att-7@dvc.example.gov.vn>"
    assert msg.get_content_type() == "multipart/alternative"
    plain, html = msg.get_payload()
    assert plain.get_content_type() == "text/plain"
    # Text travels in canonical CRLF form.
    assert plain.get_content().replace("\r\n", "\n") == "Kính gửi ông/bà,\nHồ sơ đã xong.\n"
    assert html.get_content_type() == "text/html"
    assert "Hồ sơ đã xong." in html.get_content()
    # The Subject went over the wire RFC 2047-encoded, decoding back to the same text.
    raw_subject = next(
        line for line in mail.raw.decode().splitlines() if line.startswith("Subject:")
    )
    assert raw_subject.isascii() and "=?utf-8?" in raw_subject.lower()

    again = m.send("citizen@example.vn", SUBJECT, "x", "<p>x</p>", "att-7")
    assert again.provider_message_id == result.provider_message_id
    assert smtp_fake.received[1].message["Message-ID"] == "<att-7@dvc.example.gov.vn>"


def test_message_id_is_safe_whatever_the_reference():
    assert message_id("a b<c>@d", "x@mail.example.vn") == "<a-b-c--d@mail.example.vn>"
    assert message_id("r1", "no-domain") == "<r1@localhost>"


@pytest.mark.parametrize(
    ("reply", "outcome", "code"),
    [
        ("550 5.1.1 No such user", Outcome.PERMANENT_FAILURE, "recipient_refused"),
        ("450 4.2.1 Mailbox busy", Outcome.TEMPORARY_FAILURE, "smtp_450"),
    ],
)
def test_email_recipient_refused(smtp_fake, caplog, reply, outcome, code):
    smtp_fake.refuse["nobody@example.vn"] = reply
    result = mailer(smtp_fake).send("nobody@example.vn", "s", "t", None, "att-1")
    assert (result.outcome, result.error_code) == (outcome, code)
    assert smtp_fake.received == []
    assert "nobody@example.vn" not in logged(caplog) + result.detail


def test_email_data_temporary_failure_then_success(smtp_fake):
    smtp_fake.data_failures = 1
    m = mailer(smtp_fake)
    first = m.send("a@example.vn", "s", "t", "<p>t</p>", "att-1")
    assert (first.outcome, first.error_code) == (Outcome.TEMPORARY_FAILURE, "smtp_451")
    assert m.send("a@example.vn", "s", "t", "<p>t</p>", "att-1").outcome is Outcome.ACCEPTED
    assert len(smtp_fake.received) == 1


def test_email_connection_refused_is_temporary():
    m = SmtpMailer("127.0.0.1", closed_port(), security="none", mail_from="a@b.vn", timeout=2)
    result = m.send("a@example.vn", "s", "t", None, "att-1")
    assert (result.outcome, result.error_code) == (Outcome.TEMPORARY_FAILURE, "network")


def test_email_starttls_and_login(tmp_path):
    with FakeSmtpServer(tls_dir=tmp_path, login=("mailer", "pa55")) as fake:
        good = mailer(
            fake,
            security="starttls",
            username="mailer",
            password="pa55",
            ssl_context=fake.client_ssl_context(),
        )
        assert good.send("a@example.vn", SUBJECT, "t", "<p>t</p>", "att-1").ok
        bad = replace_password(good, "wrong")
        result = bad.send("a@example.vn", SUBJECT, "t", "<p>t</p>", "att-2")
        assert (result.outcome, result.error_code) == (Outcome.TECHNICAL_FAILURE, "auth")
        untrusted = mailer(fake, security="starttls", username="mailer", password="pa55")
        result = untrusted.send("a@example.vn", "s", "t", None, "att-3")
        assert (result.outcome, result.error_code) == (Outcome.TECHNICAL_FAILURE, "tls")
        assert len(fake.received) == 1


def replace_password(m: SmtpMailer, password: str) -> SmtpMailer:
    return SmtpMailer(
        m.host,
        m.port,
        m.username,
        password,
        m.security,
        m.mail_from,
        timeout=m.timeout,
        ssl_context=m.ssl_context,
    )


# ------------------------------------------------------------------------------ Telegram


@pytest.fixture
def tg_fake():
    with FakeTelegramApi() as fake:
        yield fake


def telegram(fake: FakeTelegramApi, **kwargs) -> TelegramClient:
    return TelegramClient(fake.url, fake.token, **kwargs)


def test_escape_html():
    assert escape_html('<b>"A & B"</b>') == '&lt;b&gt;"A &amp; B"&lt;/b&gt;'


def test_split_text_prefers_paragraphs_then_lines_then_words():
    paragraphs = "\n\n".join(f"Đoạn {i} " + "chữ " * 40 for i in range(10))
    parts = split_text(paragraphs, limit=500)
    assert all(len(p) <= 500 for p in parts)
    assert all(p.startswith("Đoạn") for p in parts)  # every cut fell between paragraphs
    assert "\n\n".join(parts).split() == paragraphs.split()

    words = " ".join(f"từ{i}" for i in range(400))
    parts = split_text(words, limit=100)
    assert all(len(p) <= 100 for p in parts)
    assert " ".join(parts) == words  # no word was cut

    assert split_text("a" * 250, limit=100) == ["a" * 100, "a" * 100, "a" * 50]
    assert split_text("ngắn") == ["ngắn"]


def test_split_text_never_breaks_tags_or_entities():
    text = "<b>" + "Hồ sơ &amp; kết quả " * 30 + "</b>"
    parts = split_text(text, limit=100)
    assert len(parts) > 1
    for part in parts:
        assert len(part) <= 100
        assert part.startswith("<b>") and part.endswith("</b>")
        assert part.count("&") == part.count("&amp;")
    assert " ".join(p.removeprefix("<b>").removesuffix("</b>") for p in parts).split() == (
        text.removeprefix("<b>").removesuffix("</b>").split()
    )


def test_split_text_never_cuts_inside_a_tag_with_attributes():
    text = " ".join(
        f'<a href="https://dvc.example.vn/ho-so/{i}">Xem hồ sơ {i}</a>' for i in range(40)
    )
    parts = split_text(text, limit=120)
    assert len(parts) > 1
    for part in parts:
        assert len(part) <= 120
        assert part.count("<") == part.count(">")
        assert part.count("<a ") == part.count("</a>")
    assert " ".join(parts).split() == text.split()


def test_telegram_send_message(tg_fake):
    result = telegram(tg_fake).send_message(
        42, escape_html("Hồ sơ <A&B> đã xong"), reference="att-1"
    )
    assert result.outcome is Outcome.ACCEPTED and result.provider_message_id == "100"
    assert tg_fake.sent_messages() == [
        {"chat_id": 42, "text": "Hồ sơ &lt;A&amp;B&gt; đã xong", "parse_mode": "HTML"}
    ]


def test_telegram_long_message_in_ordered_parts_with_keyboard_last(tg_fake):
    text = "\n\n".join(f"Đoạn {i}: " + "nội dung " * 60 for i in range(20))
    keyboard = inline_keyboard([[("Xem hồ sơ", "dossier:1")]])
    result = telegram(tg_fake).send_message(7, text, reply_markup=keyboard)
    sent = tg_fake.sent_messages()
    assert len(sent) > 1 and all(len(m["text"]) <= 4096 for m in sent)
    numbers = [int(n) for m in sent for n in re.findall(r"Đoạn (\d+):", m["text"])]
    assert numbers == list(range(20))  # in order, none lost
    assert "\n\n".join(m["text"] for m in sent).split() == text.split()
    assert [("reply_markup" in m) for m in sent] == [False] * (len(sent) - 1) + [True]
    assert result.provider_message_id == "100"  # the first part's id


@pytest.mark.parametrize(
    ("reply", "outcome", "code", "retry_after"),
    [
        (tg.rate_limited(34), Outcome.TEMPORARY_FAILURE, "rate_limited", 34),
        (tg.blocked(), Outcome.PERMANENT_FAILURE, "blocked", None),
        (tg.chat_not_found(), Outcome.PERMANENT_FAILURE, "chat_not_found", None),
        (tg.server_error(502), Outcome.TEMPORARY_FAILURE, "http_502", None),
    ],
)
def test_telegram_error_mapping(tg_fake, reply, outcome, code, retry_after):
    tg_fake.fail_next("sendMessage", reply)
    result = telegram(tg_fake).send_message(42, "x")
    assert (result.outcome, result.error_code, result.retry_after) == (outcome, code, retry_after)


def test_telegram_failure_on_a_later_part_keeps_the_first_id(tg_fake):
    tg_fake.fail_next("sendMessage", Reply(200, json={"ok": True, "result": {"message_id": 5}}))
    tg_fake.fail_next("sendMessage", tg.rate_limited(3))
    result = telegram(tg_fake).send_message(42, "chữ " * 2000)
    assert result.outcome is Outcome.TEMPORARY_FAILURE and result.retry_after == 3
    assert result.provider_message_id == "5"
    assert "part 2 of" in result.detail


def test_telegram_wrong_token_is_technical_and_token_never_leaks(tg_fake, caplog):
    caplog.set_level(logging.DEBUG)
    wrong = TelegramClient(tg_fake.url, "999:WRONG-secret-token-value-abcdefghijklmnop")
    result = wrong.send_message(42, "x")
    assert (result.outcome, result.error_code) == (Outcome.TECHNICAL_FAILURE, "unauthorized")

    down = TelegramClient(f"http://127.0.0.1:{closed_port()}", tg_fake.token, timeout=2)
    result = down.send_message(42, "x", reference="att-1")
    assert result.outcome is Outcome.TEMPORARY_FAILURE and result.error_code == "network"
    assert "/bot[secret]/sendMessage" in result.detail
    ours = [r for r in caplog.records if r.name.startswith("push.")]
    assert ours, "the failure was logged"
    text = "\n".join(f"{r.getMessage()} {r.__dict__}" for r in ours)
    assert tg_fake.token not in text + result.detail + repr(down)
    assert "WRONG-secret" not in text


def test_telegram_bot_calls(tg_fake):
    client = telegram(tg_fake)
    assert client.answer_callback_query("cb-1", "Đã ghi nhận").ok
    assert client.set_webhook(
        "https://dvc.example.vn/webhooks/telegram", "s3cr3t_T0ken-x", ["message", "callback_query"]
    ).ok
    assert client.send_contact_request(42, "Vui lòng chia sẻ số điện thoại").ok
    assert tg_fake.calls[0] == (
        "answerCallbackQuery",
        {"callback_query_id": "cb-1", "text": "Đã ghi nhận"},
    )
    assert tg_fake.calls[1] == (
        "setWebhook",
        {
            "url": "https://dvc.example.vn/webhooks/telegram",
            "secret_token": "s3cr3t_T0ken-x",
            "allowed_updates": ["message", "callback_query"],
        },
    )
    keyboard = tg_fake.calls[2][1]["reply_markup"]
    assert keyboard["keyboard"][0][0]["request_contact"] is True
    assert keyboard["one_time_keyboard"] is True
    with pytest.raises(ValueError):
        client.set_webhook("https://x", "bad secret!", None)
    with pytest.raises(ValueError):
        inline_keyboard([[("x", "đ" * 33)]])  # 66 bytes


# ---------------------------------------------------------------------------------- Zalo

NOW = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)


@pytest.fixture
def zalo_fake():
    with FakeZaloApi() as fake:
        yield fake


def zalo(fake: FakeZaloApi, store: InMemoryTokenStore, **kwargs) -> ZaloClient:
    return ZaloClient(
        fake.url,
        fake.url,
        fake.url,
        fake.app_id,
        fake.app_secret,
        store,
        clock=lambda: NOW,
        **kwargs,
    )


def fresh_store(expires_in: timedelta = timedelta(hours=20)) -> InMemoryTokenStore:
    return InMemoryTokenStore(ZaloTokens("at-0", "rt-0", NOW + expires_in, version=1))


def sent_tokens(fake: FakeZaloApi, path: str = CS_PATH) -> list[str | None]:
    return [r.header("access_token") for r in fake.server.received(path)]


def test_zalo_send_text(zalo_fake):
    result = zalo(zalo_fake, fresh_store()).send_text("u-1", "Xin chào", "att-1")
    assert result.outcome is Outcome.ACCEPTED and result.provider_message_id.startswith("mid-")
    assert zalo_fake.messages == [
        {"recipient": {"user_id": "u-1"}, "message": {"text": "Xin chào"}}
    ]
    assert sent_tokens(zalo_fake) == ["at-0"]
    assert zalo_fake.refreshes == 0


def test_zalo_refreshes_ahead_of_expiry(zalo_fake):
    store = fresh_store(expires_in=timedelta(minutes=4))
    client = zalo(zalo_fake, store)
    assert client.send_text("u-1", "x").ok
    assert zalo_fake.refreshes == 1
    (refresh,) = zalo_fake.server.received(TOKEN_PATH)
    assert refresh.header("secret_key") == zalo_fake.app_secret
    assert refresh.form() == {
        "app_id": zalo_fake.app_id,
        "grant_type": "refresh_token",
        "refresh_token": "rt-0",
    }
    tokens = store.load()
    assert tokens.version == 2 and tokens.refresh_token != "rt-0"
    assert tokens.expires_at == NOW + timedelta(seconds=90000)
    assert sent_tokens(zalo_fake) == [tokens.access_token]
    # Ten minutes from expiry is not due yet.
    zalo(zalo_fake, fresh_store(timedelta(minutes=10))).access_token()
    assert zalo_fake.refreshes == 1


def test_zalo_lost_race_after_refresh_token_was_used_uses_the_winner(zalo_fake):
    store = fresh_store(expires_in=timedelta(minutes=1))
    winner: list[ZaloTokens] = []

    def other_worker_refreshes_first():
        zalo_fake.before_refresh = None
        zalo_fake.live_refresh.discard("rt-0")  # it spent the single-use refresh token
        access, refresh = zalo_fake.issue()
        won = ZaloTokens(access, refresh, NOW + timedelta(hours=25), 2)
        assert store.save(won, expected_version=1)
        winner.append(won)

    zalo_fake.before_refresh = other_worker_refreshes_first
    client = zalo(zalo_fake, store)
    assert client.send_text("u-1", "x").ok
    assert store.load() == winner[0]
    assert sent_tokens(zalo_fake) == [winner[0].access_token]


def test_zalo_lost_optimistic_lock_uses_the_winners_token(zalo_fake):
    store = fresh_store(expires_in=timedelta(minutes=1))
    winner: list[ZaloTokens] = []

    def other_worker_saves_while_we_exchange():
        zalo_fake.before_refresh = None
        access, refresh = zalo_fake.issue()
        won = ZaloTokens(access, refresh, NOW + timedelta(hours=25), 2)
        assert store.save(won, expected_version=1)
        winner.append(won)

    zalo_fake.before_refresh = other_worker_saves_while_we_exchange
    client = zalo(zalo_fake, store)
    token = client.access_token()
    assert zalo_fake.refreshes == 1  # our exchange succeeded ...
    assert token == winner[0].access_token  # ... but the stored (winning) pair is used
    assert store.load() == winner[0] and store.saves == 1


def test_zalo_concurrent_workers_end_with_one_valid_token(zalo_fake):
    store = fresh_store(expires_in=-timedelta(minutes=1))  # expired: every worker must refresh
    clients = [zalo(zalo_fake, store) for _ in range(3)]  # three "processes"
    results: list[str] = []
    errors: list[BaseException] = []

    def work(client: ZaloClient) -> None:
        try:
            results.append(client.access_token())
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(c,)) for c in clients for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert not errors
    final = store.load()
    assert set(results) == {final.access_token}
    assert zalo_fake.refreshes == 1  # refresh tokens are single-use: one exchange won


def test_zalo_invalid_token_refreshes_once_and_retries(zalo_fake):
    store = fresh_store()
    zalo_fake.revoke("at-0")
    client = zalo(zalo_fake, store)
    result = client.send_text("u-1", "x", "att-1")
    assert result.outcome is Outcome.ACCEPTED
    assert zalo_fake.refreshes == 1
    assert sent_tokens(zalo_fake) == ["at-0", store.load().access_token]

    # Still invalid after the refresh: give up (no second refresh), an operator must look.
    zalo_fake.revoke(store.load().access_token)
    zalo_fake.error_next(-216)
    result = client.send_text("u-1", "x", "att-2")
    assert (result.outcome, result.error_code) == (Outcome.TECHNICAL_FAILURE, "-216")
    assert zalo_fake.refreshes == 2


@pytest.mark.parametrize("code", [-213, -230, -305])
def test_zalo_outside_window_or_not_following_is_permanent(zalo_fake, code):
    zalo_fake.error_next(code)
    result = zalo(zalo_fake, fresh_store()).send_text("u-1", "x")
    assert (result.outcome, result.error_code) == (Outcome.PERMANENT_FAILURE, str(code))


def test_zalo_rate_limit_and_quota(zalo_fake):
    client = zalo(zalo_fake, fresh_store())
    zalo_fake.error_next(-32, -211)
    result = client.send_text("u-1", "x")
    assert (result.outcome, result.error_code) == (Outcome.TEMPORARY_FAILURE, "-32")
    result = client.send_text("u-1", "x")
    assert (result.outcome, result.error_code) == (Outcome.TECHNICAL_FAILURE, "-211")
    # 08:00 UTC is 15:00 in Vietnam: nine hours to the quota reset at local midnight.
    assert result.retry_after == 9 * 3600


def test_zalo_refresh_failures(zalo_fake):
    expired = fresh_store(expires_in=-timedelta(minutes=1))
    zalo_fake.live_refresh.clear()  # the stored refresh token was revoked
    result = zalo(zalo_fake, expired, race_wait=0.0).send_text("u-1", "x")
    assert (result.outcome, result.error_code) == (Outcome.TECHNICAL_FAILURE, "token_refresh")
    assert zalo_fake.server.received(CS_PATH) == []

    offline = ZaloClient(
        f"http://127.0.0.1:{closed_port()}",
        f"http://127.0.0.1:{closed_port()}",
        zalo_fake.url,
        "a",
        "s",
        expired,
        clock=lambda: NOW,
    )
    result = offline.send_text("u-1", "x")
    assert (result.outcome, result.error_code) == (Outcome.TEMPORARY_FAILURE, "token_refresh")


def test_zns_uses_our_reference_as_tracking_id(zalo_fake):
    client = zalo(zalo_fake, fresh_store())
    result = client.send_zns(
        "0912345678", "tpl-301", {"ma_ho_so": "000.00.15.H12-240101-0001"}, "att-55"
    )
    assert result.outcome is Outcome.ACCEPTED and result.provider_message_id.startswith("zns-")
    assert zalo_fake.zns == [
        {
            "phone": "84912345678",
            "template_id": "tpl-301",
            "template_data": {"ma_ho_so": "000.00.15.H12-240101-0001"},
            "tracking_id": "att-55",
        }
    ]
    assert sent_tokens(zalo_fake, ZNS_PATH) == ["at-0"]
    assert client.send_zns("0243825123", "tpl", {}, "att-56").error_code == "invalid_phone"


def test_zalo_send_buttons(zalo_fake):
    buttons = [
        {"title": "Tra cứu hồ sơ", "type": "oa.query.show", "payload": "#tra_cuu"},
        {"title": "Gọi tổng đài", "type": "oa.open.phone", "payload": {"phone_code": "1900"}},
    ]
    assert zalo(zalo_fake, fresh_store()).send_buttons("u-1", "Chọn:", buttons).ok
    message = zalo_fake.messages[0]["message"]
    assert message["text"] == "Chọn:"
    assert message["attachment"] == {"type": "template", "payload": {"buttons": buttons}}
    with pytest.raises(ValueError):
        zalo(zalo_fake, fresh_store()).send_buttons("u-1", "x", [{"title": "x", "type": "bad"}])


def test_zalo_provider_down_is_temporary(zalo_fake):
    zalo_fake.server.script("POST", CS_PATH, Reply(502, body=b"bad gateway"))
    result = zalo(zalo_fake, fresh_store()).send_text("u-1", "x")
    assert (result.outcome, result.error_code) == (Outcome.TEMPORARY_FAILURE, "http_502")


def test_verify_signature():
    body = json.dumps({"event_name": "user_send_text", "message": {"text": "Chào"}}).encode()
    mac = hashlib.sha256(b"app-1" + body + b"1700000000000" + b"oa-secret").hexdigest()
    assert verify_signature("app-1", body, "1700000000000", "oa-secret", f"mac={mac}")
    assert verify_signature("app-1", body, 1700000000000, "oa-secret", f"mac={mac.upper()}")
    assert not verify_signature("app-1", body + b" ", "1700000000000", "oa-secret", f"mac={mac}")
    assert not verify_signature("app-1", body, "1700000000001", "oa-secret", f"mac={mac}")
    assert not verify_signature("app-1", body, "1700000000000", "other", f"mac={mac}")
    assert not verify_signature("app-1", body, "1700000000000", "oa-secret", mac)
    assert not verify_signature("app-1", body, "1700000000000", "", f"mac={mac}")


def test_parse_received_receipt():
    event = {
        "event_name": "user_received_message",
        "app_id": "app-1",
        "timestamp": "1700000000500",
        "message": {"msg_id": "zns-9", "tracking_id": "att-55", "delivery_time": "1700000000000"},
    }
    receipt = parse_received_receipt(event)
    assert receipt is not None
    assert (receipt.tracking_id, receipt.msg_id) == ("att-55", "zns-9")
    assert receipt.delivered_at == datetime.fromtimestamp(1700000000, tz=UTC)
    assert parse_received_receipt({"event_name": "user_send_text"}) is None


# ----------------------------------------------------------------------------------- FCM


@pytest.fixture
def fcm_fake():
    with FakeFcmApi() as fake:
        yield fake


@pytest.fixture
def fcm(fcm_fake):
    # No library retries on 500/503 here: the test must not wait out firebase-admin's backoff.
    channel = FcmChannel(
        fcm_fake.project_id, fcm_url=fcm_fake.url, retries=Retry(total=0, raise_on_status=False)
    )
    yield channel
    channel.close()


def test_fcm_success_through_firebase_admin(fcm, fcm_fake):
    assert fcm.endpoint == f"{fcm_fake.url}/v1/projects/dvc-test/messages:send"
    result = fcm.send(["tok-a", "tok-b", "tok-a"], "Hồ sơ", "Đã có kết quả", {"id": 7}, "att-1")
    assert result.outcome is Outcome.ACCEPTED
    assert result.provider_message_id.startswith("projects/dvc-test/messages/")
    assert result.invalid_targets == []
    assert sorted(m["token"] for m in fcm_fake.accepted) == ["tok-a", "tok-b"]
    message = fcm_fake.accepted[0]
    assert message["notification"] == {"title": "Hồ sơ", "body": "Đã có kết quả"}
    assert message["data"] == {"id": "7", "reference": "att-1"}
    assert set(fcm_fake.authorizations) == {"Bearer local-fcm-fake-token"}


def test_fcm_reports_dead_tokens(fcm, fcm_fake):
    fcm_fake.unregistered.add("tok-gone")
    fcm_fake.invalid.add("tok-garbage")
    fcm_fake.sender_mismatch.add("tok-other-app")
    result = fcm.send(["tok-ok", "tok-gone", "tok-garbage", "tok-other-app"], "t", "b", None, "a")
    assert result.outcome is Outcome.ACCEPTED
    assert sorted(result.invalid_targets) == ["tok-garbage", "tok-gone", "tok-other-app"]

    result = fcm.send(["tok-gone", "tok-garbage"], "t", "b", None, "a")
    assert result.outcome is Outcome.PERMANENT_FAILURE
    assert sorted(result.invalid_targets) == ["tok-garbage", "tok-gone"]


def test_fcm_temporary_failures(fcm, fcm_fake):
    fcm_fake.unavailable.add("tok-busy")
    fcm_fake.quota_exceeded.add("tok-quota")
    fcm_fake.unregistered.add("tok-gone")
    result = fcm.send(["tok-busy", "tok-gone"], "t", "b", None, "a")
    assert result.outcome is Outcome.TEMPORARY_FAILURE and result.error_code == "UNAVAILABLE"
    assert result.invalid_targets == ["tok-gone"]
    result = fcm.send(["tok-quota"], "t", "b", None, "a")
    assert result.outcome is Outcome.TEMPORARY_FAILURE and result.retry_after == 7


def test_fcm_unreachable_is_temporary():
    channel = FcmChannel(
        "dvc-test",
        fcm_url=f"http://127.0.0.1:{closed_port()}",
        retries=Retry(total=0, raise_on_status=False),
    )
    try:
        result = channel.send(["tok-a"], "t", "b", None, "a")
    finally:
        channel.close()
    assert result.outcome is Outcome.TEMPORARY_FAILURE


def test_fcm_sends_in_chunks(fcm, fcm_fake, monkeypatch):
    calls: list[int] = []
    real = fcm_module.messaging.send_each_for_multicast

    def spy(message, dry_run=False, app=None):
        calls.append(len(message.tokens))
        return real(message, dry_run=dry_run, app=app)

    monkeypatch.setattr(fcm_module, "MAX_TOKENS_PER_CALL", 2)
    monkeypatch.setattr(fcm_module.messaging, "send_each_for_multicast", spy)
    result = fcm.send([f"tok-{i}" for i in range(5)], "t", "b", None, "a")
    assert result.outcome is Outcome.ACCEPTED
    assert calls == [2, 2, 1]
    assert len(fcm_fake.accepted) == 5


def test_fcm_payload_kept_under_4kb():
    title, body, data = fit_payload("Hồ sơ", "Nội dung rất dài " * 400, {"k": "v"}, "att-1")
    doc = {"notification": {"title": title, "body": body}, "data": data}
    assert len(json.dumps(doc, ensure_ascii=False).encode()) <= PAYLOAD_LIMIT
    assert body.endswith("…") and body.startswith("Nội dung")
    with pytest.raises(ValueError):
        fit_payload("t", "b", {"blob": "x" * 5000}, "att-1")


def test_fcm_can_address_installation_ids(fcm_fake):
    channel = FcmChannel(fcm_fake.project_id, fcm_url=fcm_fake.url, target="fid")
    try:
        result = channel.send(["fid-1"], "t", "b", None, "att-1")
    finally:
        channel.close()
    assert result.outcome is Outcome.ACCEPTED
    assert fcm_fake.accepted[0]["fid"] == "fid-1" and "token" not in fcm_fake.accepted[0]


def test_fcm_no_tokens_is_permanent(fcm, fcm_fake):
    assert fcm.send([], "t", "b", None, "a").error_code == "no_tokens"
    assert fcm_fake.requests == []


def test_provider_http_reads_the_environment_once(monkeypatch):
    """Proxy and CA bundle come from the environment when the adapter is built (not on every
    send); NO_PROXY still keeps a local provider off the proxy."""
    from push.channels.base import ProviderHttp

    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example.vn:3128")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/etc/ssl/certs/ca-certificates.crt")
    remote = ProviderHttp("https://openapi.zalo.me/v3.0/oa/message/cs")
    local = ProviderHttp("http://127.0.0.1:9000/sms/send")
    assert remote.proxy == "http://proxy.example.vn:3128"
    assert remote.pool.proxy.host == "proxy.example.vn"
    assert remote.pool.connection_pool_kw["ca_certs"] == "/etc/ssl/certs/ca-certificates.crt"
    assert local.proxy is None and local.pool.proxy is None


def _to_gsm_ascii_slowly(text: str) -> str:
    """The character-by-character definition to_gsm_ascii had before it used tables."""
    import unicodedata

    from api.kernel.text import strip_marks_slowly
    from push.channels.sms import _PUNCTUATION

    text = unicodedata.normalize("NFC", text).replace("Đ", "D")
    text = "".join(_PUNCTUATION.get(ch, ch) for ch in strip_marks_slowly(text))
    out: list[str] = []
    for ch in unicodedata.normalize("NFKD", text):
        if ch == "\n" or " " <= ch <= "~":
            out.append(ch)
        elif ch == "\r" or unicodedata.category(ch) == "Mn":
            continue
        else:
            out.append("?")
    lines = (" ".join(line.split()) for line in "".join(out).split("\n"))
    return "\n".join(lines).strip()


def test_table_folding_matches_the_character_by_character_definition():
    """strip_marks and to_gsm_ascii use cached translate tables; on Vietnamese in every form
    (precomposed, decomposed, upper case), punctuation, emoji, fullwidth and other scripts
    they answer exactly what the plain definitions answer."""
    from api.kernel.text import strip_marks, strip_marks_slowly
    from push.channels.sms import to_gsm_ascii

    alphabet = (
        "aăâbcdđeêghiklmnoôơpqrstuưvxyAĂÂĐÊÔƠƯ áàảãạắằẳẵặấầẩẫậéèẻẽẹếềểễệíìỉĩị"
        "óòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵÁÀẢÃẠẾỀỂỄỆỐỒỔỖỘỚỜỞỠỢỨỪỬỮỰỲỴ"
        "\u0300\u0301\u0303\u0309\u0323\u0302\u0306\u031b0123456789 \n\r\t"
        "\u2018\u2019\u201c\u201d\u2013\u2014\u2026\u00a0`~^{}[]|\\€£¥½ﬁＡ１２"
        "😀中文한국어Ωß"
    )
    rng = random.Random(2026)
    samples = ["Đăng ký khai sinh", "Hồ sơ đã có kết quả…", "NGUYỄN THỊ HOA", ""]
    samples += [
        "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 80))) for _ in range(3000)
    ]
    for text in samples:
        assert strip_marks(text) == strip_marks_slowly(text), repr(text)
        assert to_gsm_ascii(text) == _to_gsm_ascii_slowly(text), repr(text)
