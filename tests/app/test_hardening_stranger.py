"""What a stranger could do (issue 14), each refused now: non-ASCII digits, a second budget of
guesses on another route, locking people out, input that crashed a route, a poison record in a
portal batch, personal data in logged SQL errors, stale Zalo events, a per-process secret key,
an unlimited VNeID start, and address limits behind a proxy."""

from __future__ import annotations

import json
import logging
import time

import pytest
from sqlalchemy import select, text

from api.auth.models import OtpChallenge
from api.dossiers.models import Dossier
from api.kernel.database import db
from api.kernel.phone import normalise_phone
from api.kernel.settings import Settings
from api.portal.push_auth import sign
from tests.conftest import PUSH_SECRET, TEST_REDIS_URL, make_settings
from tests.helpers.common import STAFF_PASSWORD, bearer, make_staff, sign_in_verified
from tests.helpers.dossiers import CODE, hoso, push

RIGHT = "5987"  # the last 4 digits of the phone in tests.helpers.dossiers.hoso


@pytest.fixture
def dossier(client):
    push(client, [hoso()])
    return CODE


def _lookup(client, verify: str, code: str = CODE, ip: str = "127.0.0.1"):  # noqa: ANN202
    return client.post(
        "/api/v1/dossiers/lookup",
        json={"code": code, "verify": verify},
        environ_base={"REMOTE_ADDR": ip},
    )


def _no_tracebacks(caplog) -> None:  # noqa: ANN001
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info], [
        r.getMessage() for r in caplog.records
    ]


# ---- digits mean ASCII 0-9 ---------------------------------------------------------------------


@pytest.mark.parametrize("verify", ["٥٩٨٧", "５９８７", "५९८७", "۵۹۸۷"])
def test_digits_of_any_script_are_read_as_the_digits_they_mean(client, dossier, verify, caplog):
    r = _lookup(client, verify)
    assert r.status_code == 200 and r.json["code"] == CODE
    _no_tracebacks(caplog)


@pytest.mark.parametrize("verify", ["١٢٣٤", "１２３４", "१२३४"])
def test_wrong_non_ascii_digits_answer_as_an_unknown_code_does(client, dossier, verify, caplog):
    existing = _lookup(client, verify)
    unknown = _lookup(client, verify, code="000.00.15.H12-251120-0999")
    assert existing.status_code == unknown.status_code == 404
    assert existing.json["error"] == unknown.json["error"] == "dossier_lookup_failed"
    _no_tracebacks(caplog)


def test_superscripts_are_not_digits(client, dossier):
    assert _lookup(client, "59²7").status_code == 422
    code = CODE.replace("0001", "000²")
    assert _lookup(client, RIGHT, code=code).status_code == 422


def test_a_phone_is_the_same_phone_whatever_digits_it_is_typed_in():
    assert normalise_phone("091234567８") == "84912345678"
    assert normalise_phone("٠٩١٢٣٤٥٦٧٨") == "84912345678"
    assert normalise_phone("091234567²") is None


def test_otp_for_a_full_width_phone_goes_to_the_one_phone(client, app, app_ctx):
    assert client.post("/api/v1/auth/otp", json={"phone": "091234567８"}).status_code == 200
    assert db.session.scalar(select(OtpChallenge.phone)) == "84912345678"
    code = app.extensions["otp_sender"].codes["84912345678"]
    wide = "".join(chr(ord(c) + 0xFEE0) for c in code)  # the code typed in full-width digits
    r = client.post("/api/v1/auth/otp/verify", json={"phone": "0912345678", "code": wide})
    assert r.status_code == 200


def test_portal_phone_and_id_digits_are_stored_as_ascii(client, app_ctx):
    push(client, [hoso(SoDienThoai="091234５９８７")])
    assert db.session.scalar(select(Dossier.phone)) == "0912345987"


# ---- one budget of guesses per code, every route --------------------------------------------------


def test_follow_uses_the_same_per_code_budget_as_look_up(client, app, dossier):
    stranger = bearer(sign_in_verified(app, "079000000999", "Người lạ"))
    for n in range(5):
        r = _lookup(client, f"{n:04d}")
        assert r.status_code == 404
    for n in range(5, 10):
        r = client.post(
            f"/api/v1/dossiers/{CODE}/follow", json={"verify": f"{n:04d}"}, headers=stranger
        )
        assert r.status_code == 404
    # Ten wrong guesses between the two routes: the code is locked for everyone's guesses,
    # from any address or account, the right digits included.
    r = client.post(f"/api/v1/dossiers/{CODE}/follow", json={"verify": RIGHT}, headers=stranger)
    assert r.status_code == 429 and int(r.headers["Retry-After"]) > 0
    assert _lookup(client, RIGHT, ip="10.9.9.9").status_code == 429


def test_right_answers_do_not_use_up_the_budget(client, dossier):
    for _ in range(12):
        assert _lookup(client, RIGHT).status_code == 200


def test_the_bots_guesses_count_against_the_same_code(world):
    push(world.client, [hoso()])
    for n in range(9):
        assert _lookup(world.client, f"{n:04d}").status_code == 404
    world.say_zalo("246845883529197922", f"tra cứu hồ sơ {CODE}")
    world.say_zalo("246845883529197922", "0009")  # the tenth wrong guess, from a chat
    assert _lookup(world.client, RIGHT, ip="10.1.1.1").status_code == 429


# ---- lock a code, not a person --------------------------------------------------------------------


def test_wrong_codes_with_no_code_sent_lock_no_phone(client, app):
    stranger = {"REMOTE_ADDR": "10.0.0.66"}
    for _ in range(12):
        r = client.post(
            "/api/v1/auth/otp/verify",
            json={"phone": "0912345678", "code": "123456"},
            environ_base=stranger,
        )
        assert r.status_code == 401
    assert client.post("/api/v1/auth/otp", json={"phone": "0912345678"}).status_code == 200
    code = app.extensions["otp_sender"].codes["84912345678"]
    r = client.post("/api/v1/auth/otp/verify", json={"phone": "0912345678", "code": code})
    assert r.status_code == 200


def test_a_stranger_cannot_spend_a_phone_s_codes(client, app):
    stranger = {"REMOTE_ADDR": "10.0.0.66"}
    for _ in range(3):
        r = client.post("/api/v1/auth/otp", json={"phone": "0912345678"}, environ_base=stranger)
        assert r.status_code == 200
    r = client.post("/api/v1/auth/otp", json={"phone": "0912345678"}, environ_base=stranger)
    assert r.status_code == 429  # the stranger's own limit
    # The owner is told to use the code already on the phone (a pause, not a lock) ...
    r = client.post("/api/v1/auth/otp", json={"phone": "0912345678"})
    assert r.status_code == 429 and r.json["error"] == "otp_recently_sent"
    assert 0 < int(r.headers["Retry-After"]) <= 60
    # ... and that code works.
    code = app.extensions["otp_sender"].codes["84912345678"]
    r = client.post("/api/v1/auth/otp/verify", json={"phone": "0912345678", "code": code})
    assert r.status_code == 200


def test_a_stranger_s_wrong_passwords_do_not_lock_the_staff_user(client, app):
    make_staff(app, "officer.lock", "officer", unit_code="UBND X")
    stranger = {"REMOTE_ADDR": "10.0.0.66"}
    for _ in range(5):
        r = client.post(
            "/api/v1/auth/staff/login",
            json={"username": "officer.lock", "password": "wrong password 1"},
            environ_base=stranger,
        )
        assert r.status_code == 401
    r = client.post(
        "/api/v1/auth/staff/login",
        json={"username": "officer.lock", "password": STAFF_PASSWORD},
        environ_base=stranger,
    )
    assert r.status_code == 429  # the guesser is stopped ...
    r = client.post(
        "/api/v1/auth/staff/login", json={"username": "officer.lock", "password": STAFF_PASSWORD}
    )
    assert r.status_code == 200  # ... the officer is not


# ---- one validation layer ------------------------------------------------------------------------


def _deep(levels: int) -> str:
    return "[" * levels + "]" * levels


@pytest.mark.parametrize(
    "method, path, body",
    [
        ("get", "/api/v1/procedures/%00", None),
        ("get", "/api/v1/procedures?level=%00", None),
        ("get", "/api/v1/procedures?q=a%00b", None),
        ("post", "/api/v1/auth/staff/login", '{"username": "ad\\u0000min", "password": "x"}'),
        ("post", "/api/v1/auth/otp", '{"phone": "\\ud800912345678"}'),
        ("post", "/api/v1/dossiers/lookup", '{"code": "\\udfff", "verify": "1234"}'),
        ("post", "/api/v1/auth/otp", '{"phone": ' + _deep(10_000) + "}"),
        ("post", "/api/v1/auth/otp", _deep(10_000)),
        ("post", "/api/v1/dossiers/lookup", '{"code": "' + CODE + '", "verify": "²²²²"}'),
    ],
)
def test_unusable_input_is_a_422_in_the_one_format(client, method, path, body, caplog):
    caplog.set_level(logging.INFO)
    kwargs = {"data": body, "content_type": "application/json"} if body else {}
    r = getattr(client, method)(path, **kwargs)
    assert r.status_code == 422, (r.status_code, r.json)
    assert r.json["error"] == "validation_failed" and r.json["errors"]
    _no_tracebacks(caplog)


def test_superscript_ids_are_not_found_not_a_crash(client, app, caplog):
    from tests.helpers.common import sign_in_staff

    make_staff(app, "officer.canned", "officer", unit_code="UBND X")
    officer = bearer(sign_in_staff(client, "officer.canned"))
    r = client.delete("/api/v1/officer/canned-replies/²", headers=officer)
    assert r.status_code == 404
    _no_tracebacks(caplog)


def test_signed_webhooks_with_wrong_shapes_are_422(world, caplog):
    r = world.telegram({"message": "not an object"}, run=False)
    assert r.status_code == 422
    r = world.telegram({"message": {"chat": [1], "text": "hi"}}, run=False)
    assert r.status_code == 422
    r = world.zalo_event(
        {"event_name": "user_send_text", "sender": "x", "message": {"text": "hi"}}, run=False
    )
    assert r.status_code == 422
    r = world.zalo_event(
        {"event_name": "user_send_text", "sender": {"id": "1"}, "message": [1]}, run=False
    )
    assert r.status_code == 422
    assert world.updates() == []
    _no_tracebacks(caplog)


# ---- a portal batch judges each record alone ---------------------------------------------------------


def _signed_push(client, records: list):  # noqa: ANN001, ANN202
    body = json.dumps({"data": records}).encode()
    stamp = str(int(time.time()))
    return client.post(
        "/api/v1/portal/dossiers",
        data=body,
        content_type="application/json",
        headers={"X-Portal-Timestamp": stamp, "X-Portal-Signature": sign(PUSH_SECRET, stamp, body)},
    )


def test_poison_records_do_not_fail_their_batch(client, app_ctx, caplog):
    good = [hoso(code=f"000.00.15.H12-251120-{n:04d}") for n in (1, 2)]
    poison = [
        None,
        hoso(code="000.00.15.H12-251120-0003", TrangThaiHoSo="²"),
        hoso(code="000.00.15.H12-251120-0004", NgayNopHoSo="00010101000000"),
        hoso(code="000.00.15.H12-251120-0005", ChuHoSo="Nguyễn\x00Văn A"),
        hoso(code="000.00.15.H12-251120-0006", GhiChu="\ud800"),
        hoso(code="000.00.15.H12-251120-0007", DanhSachHoSoBoSung=[{"a\x00": "b"}]),
        hoso(code="000.00.15.H12-251120-0008", SoDienThoai=True),
    ]
    r = _signed_push(client, [good[0], *poison, good[1]])
    assert r.status_code == 200, r.json
    codes = [item["error_code"] for item in r.json["result"]]
    assert codes[0] == codes[-1] == 0
    assert all(c == 1 for c in codes[1:-1]), r.json
    stored = set(db.session.scalars(select(Dossier.code)))
    assert stored == {g["MaHoSo"] for g in good}
    _no_tracebacks(caplog)


def test_a_record_the_database_refuses_fails_alone(client, app_ctx, monkeypatch):
    """Whatever slips past parsing and is refused by the database (a DataError) costs that
    record only: the batch is judged record by record."""
    from sqlalchemy.exc import DataError

    from api.dossiers import apply, inbound

    def refuse_batch(*_args):  # noqa: ANN002, ANN202
        raise DataError("INSERT", {}, Exception("value too long"))

    real = apply.apply_dossier_update

    def refuse_one(update, *args):  # noqa: ANN001, ANN002, ANN202
        if update.code.endswith("0002"):
            raise DataError("INSERT", {}, Exception("value too long"))
        return real(update, *args)

    monkeypatch.setattr(inbound, "apply_batch", refuse_batch)
    monkeypatch.setattr(inbound, "apply_dossier_update", refuse_one)
    records = [hoso(code=f"000.00.15.H12-251120-{n:04d}") for n in (1, 2, 3)]
    r = _signed_push(client, records)
    assert r.status_code == 200
    assert [i["error_code"] for i in r.json["result"]] == [0, 1, 0]


# ---- logs, webhooks, settings ---------------------------------------------------------------------


def test_logged_database_errors_hide_the_values(app_ctx):
    with pytest.raises(Exception) as caught:
        db.session.execute(
            text("SELECT CAST(:name AS INTEGER) + CAST(:x AS INTEGER) FROM no_such_table"),
            {"name": "Nguyễn Thị Hoa", "x": "hoa@example.vn"},
        )
    db.session.rollback()
    assert "Nguyễn Thị Hoa" not in str(caught.value)
    assert "hoa@example.vn" not in str(caught.value)


def test_a_stale_signed_zalo_event_is_refused(world):
    month_ago = str(int((time.time() - 30 * 86400) * 1000))
    event = {
        "event_name": "user_send_text",
        "timestamp": month_ago,
        "sender": {"id": "246845883529197922"},
        "message": {"text": "xin chào", "msg_id": "m-old"},
    }
    r = world.zalo_event(event, run=False)
    assert r.status_code == 401 and world.updates() == []
    fresh = dict(event, message={"text": "xin chào", "msg_id": "m-new"})
    fresh.pop("timestamp")
    assert world.zalo_event(fresh, run=False).status_code == 200


def test_no_secret_key_no_start_outside_the_embedded_default(tmp_path):
    with pytest.raises(ValueError, match="SECRET_KEY"):
        Settings.from_env(env={"REDIS_URL": "redis://127.0.0.1:6379/0"})
    with pytest.raises(ValueError, match="SECRET_KEY"):
        Settings.from_env(env={"DATABASE_URL": "postgresql://u@127.0.0.1/x"})
    embedded = Settings.from_env(env={"DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"})
    assert len(embedded.secret_key) == 64
    given = Settings.from_env(env={"REDIS_URL": "redis://h/0", "SECRET_KEY": "k" * 40})
    assert given.secret_key == "k" * 40


def test_vneid_authorize_is_rate_limited(client):
    for _ in range(30):
        assert client.get("/api/v1/auth/vneid/authorize").status_code != 429
    r = client.get("/api/v1/auth/vneid/authorize")
    assert r.status_code == 429 and int(r.headers["Retry-After"]) > 0


def test_limits_follow_the_client_address_only_behind_a_trusted_proxy(app, database_url):
    from api.app import create_app

    # Not trusted (the default): a forged X-Forwarded-For changes nothing.
    client = app.test_client()
    for n in range(30):
        client.get("/api/v1/auth/vneid/authorize", headers={"X-Forwarded-For": f"1.1.1.{n}"})
    r = client.get("/api/v1/auth/vneid/authorize", headers={"X-Forwarded-For": "9.9.9.9"})
    assert r.status_code == 429
    app.extensions["redis"].flushdb()
    # One trusted proxy: each client has its own limit.
    behind = create_app(make_settings(database_url, TEST_REDIS_URL, trusted_proxies=1))
    proxied = behind.test_client()
    for _ in range(30):
        proxied.get("/api/v1/auth/vneid/authorize", headers={"X-Forwarded-For": "1.1.1.1"})
    one = proxied.get("/api/v1/auth/vneid/authorize", headers={"X-Forwarded-For": "1.1.1.1"})
    other = proxied.get("/api/v1/auth/vneid/authorize", headers={"X-Forwarded-For": "2.2.2.2"})
    assert one.status_code == 429 and other.status_code != 429


@pytest.mark.redis
def test_a_database_that_went_away_is_a_503_with_retry_after(caplog):
    from api.app import create_app

    away = create_app(make_settings("postgresql://postgres@127.0.0.1:1/none", TEST_REDIS_URL))
    r = away.test_client().post("/api/v1/dossiers/lookup", json={"code": CODE, "verify": RIGHT})
    assert r.status_code == 503 and int(r.headers["Retry-After"]) > 0
    assert r.json["error"] == "service_unavailable"
    _no_tracebacks(caplog)


def test_a_non_ascii_receipt_token_is_refused_not_a_crash(app, client, caplog):
    import dataclasses

    original = app.extensions["settings"]
    app.extensions["settings"] = dataclasses.replace(original, sms_receipt_token="s3cret-token")
    try:
        r = client.post(
            "/webhooks/sms/receipt", json={"request_id": "1"}, headers={"X-Receipt-Token": "é"}
        )
    finally:
        app.extensions["settings"] = original
    assert r.status_code == 401
    _no_tracebacks(caplog)
