"""The portal adapter against the local portal simulator, over real HTTP on 127.0.0.1.

No fixture from conftest is needed: each test runs its own simulator in a thread. Backoff
sleeps are recorded instead of slept, so retries cost no wall-clock time.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
import threading
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask, request
from werkzeug.serving import make_server

from api.catalog.records import ProcedureRecord
from api.kernel.settings import Settings
from api.portal.gateway import PortalError, PortalGateway, PortalUnavailable
from api.portal.records import (
    format_portal_datetime,
    parse_portal_datetime,
    procedure_record_from_laythutuc,
)
from sandbox import portal_data
from sandbox.portal_server import serve
from sandbox.portal_simulator import PortalSimulator

NOW = datetime(2025, 11, 20, 3, 0, tzinfo=UTC)
CODE = re.compile(r"^\d{3}\.\d{2}\.\d{2}\.H\d{2}-\d{6}-\d{4}$")


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def sim(clock):
    simulator = PortalSimulator(seed=7, dossier_count=30, now=NOW, clock=clock)
    server, _ = serve(simulator=simulator)
    yield simulator
    server.shutdown()


@pytest.fixture
def sleeps():
    return []


def gateway(sim: PortalSimulator, sleeps: list, **options) -> PortalGateway:
    settings = Settings(
        portal_base_url=sim._server.base_url,
        portal_username=options.pop("username", sim.username),
        portal_password=options.pop("password", sim.password),
        portal_unit_code=sim.unit_code,
        portal_integration_path=options.pop("integration_path", sim.integration_path),
    )
    options.setdefault("jitter", lambda: 1.0)  # no randomness: delay = base * 2**(n-1)
    return PortalGateway(settings, sleep=sleeps.append, **options)


# --- login, look-up, session ----------------------------------------------------------------


def test_login_is_lazy_and_lookup_returns_the_portal_record(sim, sleeps):
    gw = gateway(sim, sleeps)
    assert sim.login_count == 0
    code = sim.dossier_codes()[0]

    assert gw.lookup_dossier(code) == sim.dossier(code)
    assert gw.lookup_dossier(sim.dossier_codes()[1])["MaHoSo"] == sim.dossier_codes()[1]

    assert sim.login_count == 1  # one session reused
    assert sim.calls[0] == {
        "service": "TraCuuHoSo",
        "fields": {"madonvi": sim.unit_code, "mahoso": code},
    }


def test_unknown_dossier_is_none(sim, sleeps):
    assert gateway(sim, sleeps).lookup_dossier("000.00.15.H12-991231-9999") is None


def test_expired_session_logs_in_again_once(sim, sleeps):
    gw = gateway(sim, sleeps)
    code = sim.dossier_codes()[0]
    gw.lookup_dossier(code)
    sim.expire_sessions()

    assert gw.lookup_dossier(code)["MaHoSo"] == code
    assert sim.login_count == 2
    assert sleeps == []


def test_session_expires_with_time(sim, sleeps, clock):
    sim.session_ttl = 60
    gw = gateway(sim, sleeps)
    gw.list_procedures()
    clock.now += 61

    gw.list_procedures()
    assert sim.login_count == 2


def test_session_refused_again_after_relogin_is_an_error_not_a_loop(sim, sleeps):
    sim.session_ttl = -1  # every new session is born expired
    sim.max_logins = 5  # a looping gateway fails this test instead of hanging it
    gw = gateway(sim, sleeps)

    with pytest.raises(PortalError) as caught:
        gw.lookup_dossier(sim.dossier_codes()[0])
    assert caught.value.code == "401"
    assert sim.login_count == 2  # the first login and exactly one more


def test_session_expired_codes_are_configurable(sim, sleeps):
    sim.session_expired_code = "E_AUTH"
    sim.session_expired_message = "Yêu cầu bị từ chối"
    default = gateway(sim, sleeps)
    default.list_procedures()
    sim.expire_sessions()
    with pytest.raises(PortalError) as caught:
        default.list_procedures()
    assert caught.value.code == "E_AUTH"
    assert sim.login_count == 1  # not recognised: no new login

    tuned = gateway(sim, sleeps, session_expired_codes=("E_AUTH",))
    tuned.list_procedures()
    sim.expire_sessions()
    tuned.list_procedures()
    assert sim.login_count == 3


def test_wrong_password_fails_at_once(sim, sleeps):
    gw = gateway(sim, sleeps, password="wrong")

    with pytest.raises(PortalError) as caught:
        gw.list_procedures()
    assert caught.value.code == "1"
    assert caught.value.retryable is False
    assert sim.request_count == 1
    assert sim.login_count == 0
    assert sleeps == []


# --- transport failures --------------------------------------------------------------------


def test_503_then_recovery_within_retries(sim, sleeps):
    gw = gateway(sim, sleeps)
    gw.list_procedures()
    before = sim.request_count
    sim.fail_next(2)

    assert len(gw.list_procedures()) == len(sim.procedures)
    assert sim.request_count - before == 3
    assert sleeps == [0.5, 1.0]  # exponential backoff


def test_backoff_has_jitter_and_a_cap(sim, sleeps):
    gw = gateway(sim, sleeps, jitter=lambda: 0.0, max_attempts=6, backoff_max=2.0)
    sim.go_down("503")
    with pytest.raises(PortalUnavailable):
        gw.list_procedures()
    # Half of each delay is fixed, half random (here 0): 0.5, 1, 2, 2(cap), 2(cap) halved.
    assert sleeps == [0.25, 0.5, 1.0, 1.0, 1.0]


def test_down_beyond_retries_is_unavailable(sim, sleeps):
    gw = gateway(sim, sleeps)
    gw.list_procedures()
    before = sim.request_count
    sim.go_down("503")

    with pytest.raises(PortalUnavailable) as caught:
        gw.list_procedures()
    assert caught.value.retryable is True
    assert caught.value.http_status == 503
    assert sim.request_count - before == 3
    assert len(sleeps) == 2


def test_connection_refused_is_retried_then_unavailable_and_recovers(sim, sleeps):
    gw = gateway(sim, sleeps)
    gw.list_procedures()
    sim.go_down("refuse")

    with pytest.raises(PortalUnavailable) as caught:
        gw.list_procedures()
    assert "ConnectionError" in caught.value.message
    assert len(sleeps) == 2

    sim.come_up()
    assert gw.list_procedures()


def test_read_timeout_is_retried(sim, sleeps):
    gw = gateway(sim, sleeps, read_timeout=0.2)
    gw.list_procedures()
    sim.slow(0.5, count=1)

    assert gw.list_procedures()
    assert len(sleeps) == 1


def test_slow_beyond_retries_is_unavailable(sim, sleeps):
    gw = gateway(sim, sleeps, read_timeout=0.1, max_attempts=2)
    gw.list_procedures()
    sim.slow(0.3)

    with pytest.raises(PortalUnavailable) as caught:
        gw.list_procedures()
    assert "Timeout" in caught.value.message
    assert len(sleeps) == 1


def test_business_error_is_not_retried(sim, sleeps):
    gw = gateway(sim, sleeps)
    gw.list_procedures()
    calls = len(sim.calls)
    sim.business_error_next(1, code="99", message="Lỗi hệ thống")

    with pytest.raises(PortalError) as caught:
        gw.list_procedures()
    assert not isinstance(caught.value, PortalUnavailable)
    assert (caught.value.code, caught.value.message) == ("99", "Lỗi hệ thống")
    assert caught.value.retryable is False
    assert len(sim.calls) == calls + 1
    assert sleeps == []


def test_http_4xx_is_not_retried(sim, sleeps):
    gw = gateway(sim, sleeps, integration_path="/api/no-such-endpoint")
    with pytest.raises(PortalError) as caught:
        gw.list_procedures()
    assert caught.value.code == "http_404"
    assert not isinstance(caught.value, PortalUnavailable)
    assert sleeps == []


def test_unsupported_service_answers_an_error(sim, sleeps):
    with pytest.raises(PortalError) as caught:
        gateway(sim, sleeps).call("DongBoHoiDap", data=[{"CauHoi": "?"}])
    assert caught.value.code == "9"


@pytest.mark.parametrize("success", [0, "0", "00"])
def test_every_success_code_is_accepted(sim, sleeps, success):
    sim.success_code = success
    assert gateway(sim, sleeps).lookup_dossier(sim.dossier_codes()[0]) is not None


def test_reserved_fields_cannot_be_overridden(sim, sleeps):
    with pytest.raises(ValueError):
        gateway(sim, sleeps).call("TraCuuHoSo", madonvi="other")


def test_unconfigured_portal_fails_cleanly(sleeps):
    gw = PortalGateway(Settings(), sleep=sleeps.append)
    with pytest.raises(PortalError) as caught:
        gw.list_procedures()
    assert caught.value.code == "not_configured"


def test_logs_carry_no_session_token_or_password(sim, sleeps, caplog, monkeypatch):
    # Alembic's fileConfig (run in-process by other tests) disables existing loggers.
    monkeypatch.setattr(logging.getLogger("api.portal.gateway"), "disabled", False)
    caplog.set_level(logging.DEBUG)
    gw = gateway(sim, sleeps)
    gw.list_procedures()
    sim.expire_sessions()
    sim.fail_next(1)
    gw.list_procedures()

    assert sim.sessions
    for token in sim.sessions:
        assert token not in caplog.text
    assert sim.password not in caplog.text
    assert "logging in again" in caplog.text


# --- pushing to the portal ------------------------------------------------------------------


def test_push_dossiers_and_progress_reach_the_portal(sim, sleeps):
    gw = gateway(sim, sleeps)
    record = dict(sim.dossier(sim.dossier_codes()[0]), GhiChu="Đánh giá: Hài lòng")
    entry = {"MaHoSo": record["MaHoSo"], "NoiDungXuLy": "Trả lời công dân", "TrangThai": "4"}

    assert gw.push_dossiers([record], updating=True) == [{"MaHoSo": record["MaHoSo"]}]
    assert gw.push_progress([entry]) == [{"MaHoSo": record["MaHoSo"]}]
    assert gw.push_dossiers([], updating=False) == []  # nothing to send: no call

    assert sim.received == [
        {"service": "DongBoHoSoMC", "isUpdating": "True", "data": [record]},
        {"service": "CapNhatTienDoHoSoMC", "data": [entry]},
    ]
    assert sim.dossier(record["MaHoSo"])["GhiChu"] == "Đánh giá: Hài lòng"


# --- procedures ------------------------------------------------------------------------------

KEY_FIELDS = (
    "code",
    "name",
    "field_code",
    "levels",
    "agencies",
    "issuing_agency",
    "subjects",
    "online_level",
    "channels",
    "steps",
    "requirements",
    "results",
    "legal_basis",
    "description",
)


def _assert_same_procedure(mapped: dict, original: dict) -> None:
    for key in KEY_FIELDS:
        assert mapped[key] == original[key], key
    # The portal has counts, not our wording of copies: compare what it can carry.
    assert [(d["name"], d["required"]) for d in mapped["documents"]] == [
        (d["name"], d["required"]) for d in original["documents"]
    ]


def test_list_and_get_procedures_round_trip(sim, sleeps):
    gw = gateway(sim, sleeps)
    listed = gw.list_procedures()
    assert {item["MATTHC"] for item in listed} == set(sim.procedures)

    variable_fee = next(
        code
        for code, p in sim.procedures.items()
        if any(f["amount_vnd"] is None for c in p["channels"] for f in c["fees"])
    )
    for code in ["1.011954", variable_fee, *sorted(sim.procedures)[:3]]:
        mapped = procedure_record_from_laythutuc(
            gw.get_procedure(code), agency_names=sim.agency_names
        )
        _assert_same_procedure(mapped, sim.procedures[code])

    assert gw.get_procedure("9.999999") is None


def test_whole_catalog_round_trips_and_stays_importable():
    catalog = portal_data.load_catalog()
    fields = {f["code"]: f["name"] for f in catalog["fields"]}
    codes = portal_data.agency_codes(catalog["procedures"])
    names = {code: name for name, code in codes.items()}
    for original in catalog["procedures"]:
        portal = portal_data.laythutuc_record(original, fields, codes)
        mapped = procedure_record_from_laythutuc(portal, agency_names=names)
        _assert_same_procedure(mapped, original)
        assert ProcedureRecord().validate(mapped) == {}, original["code"]


def test_mapping_keeps_only_what_the_portal_says():
    mapped = procedure_record_from_laythutuc({"MATTHC": "1.000001", "MACOQUANCONGBO": "G01"})
    assert mapped == {
        "code": "1.000001",
        "name": "",
        "field_code": "",
        "levels": [],
        "agencies": [],
        "issuing_agency": "",  # a code without a directory to name it
        "subjects": [],
        "online_level": "",
        "channels": [],
        "steps": [],
        "documents": [],
        "requirements": "",
        "results": [],
        "legal_basis": [],
        "description": "",
    }


def test_mapping_of_portal_style_values():
    record = {
        "MaTTHC": "2.000477.000.00.00.H56",
        "CAPTHUCHIEN": [{"CAPTHUCHIEN": "3"}, {"CAPTHUCHIEN": "7"}],
        "MUCDO": "Dịch vụ công trực tuyến một phần",
        "TRINHTUTHUCHIEN": [
            {"TRUONGHOP": "Nộp trực tiếp", "TRINHTU": [{"TENTRINHTU": "Nộp hồ sơ"}]},
            {"TRUONGHOP": "Nộp trực tuyến", "TRINHTU": [{"TENTRINHTU": "Đăng nhập"}]},
        ],
        "CACHTHUCTHUCHIEN": [
            {
                "KENH": 1,
                "THOIGIAN": [
                    {
                        "THOIGIANGIAIQUYET": "0.5",
                        "DONVITINH": "Ngày",
                        "MOTA": "",
                        "PHILEPHI": [
                            {"MAPHILEPHI": "2", "SOTIEN": "50,000", "DONVI": "VNĐ", "MOTA": ""},
                            {"SOTIEN": "2% giá trị", "DONVI": "Đồng", "MOTA": "Lệ phí trước bạ"},
                            {"SOTIEN": "25", "DONVI": "USD", "MOTA": "Phí thị thực"},
                        ],
                    }
                ],
            },
            {"KENH": "2", "THOIGIAN": [{"THOIGIANGIAIQUYET": "48", "DONVITINH": "Giờ"}]},
            {"KENH": "9", "THOIGIAN": []},
        ],
    }
    mapped = procedure_record_from_laythutuc(record)
    assert mapped["code"] == "2.000477.000.00.00.H56"
    assert mapped["levels"] == ["Cấp xã"]  # an unknown level code is dropped, not guessed
    assert mapped["online_level"] == "mot_phan"
    assert mapped["steps"] == ["Nộp trực tiếp: Nộp hồ sơ", "Nộp trực tuyến: Đăng nhập"]
    direct, online = mapped["channels"]  # KENH 9 is unknown: skipped
    assert direct["channel"] == "truc_tiep"
    assert (direct["duration_days"], direct["duration_text"]) == (1, "0.5 Ngày")
    assert direct["fees"] == [
        {"name": "2", "amount_vnd": 50000, "note": ""},
        {"name": "Lệ phí trước bạ", "amount_vnd": None, "note": "2% giá trị Đồng"},
        {"name": "Phí thị thực", "amount_vnd": None, "note": "25 USD"},
    ]
    assert (online["channel"], online["duration_days"], online["duration_text"]) == (
        "truc_tuyen",
        None,
        "48 Giờ",
    )


# --- dates -----------------------------------------------------------------------------------


def test_portal_datetime_is_vietnam_local_time():
    parsed = parse_portal_datetime("20240101083000")
    assert parsed == datetime(2024, 1, 1, 1, 30, tzinfo=UTC)
    assert parsed.utcoffset() == timedelta(0)
    # Early morning in Vietnam is still the previous day in UTC.
    assert parse_portal_datetime("20240101050000") == datetime(2023, 12, 31, 22, 0, tzinfo=UTC)


def test_format_portal_datetime():
    assert format_portal_datetime(datetime(2023, 12, 31, 22, 0, tzinfo=UTC)) == "20240101050000"
    assert format_portal_datetime(datetime(2023, 12, 31, 22, 0)) == "20240101050000"  # naive=UTC
    assert format_portal_datetime(None) == ""
    assert format_portal_datetime(parse_portal_datetime("20251120101530")) == "20251120101530"


@pytest.mark.parametrize("empty", [None, "", "   "])
def test_empty_portal_datetime_is_none(empty):
    assert parse_portal_datetime(empty) is None


@pytest.mark.parametrize(
    "bad",
    ["2024010108300", "202401010830000", "20241301083000", "20240230083000", "2024-01-01 08:30"],
)
def test_invalid_portal_datetime_raises(bad):
    with pytest.raises(ValueError):
        parse_portal_datetime(bad)


def test_non_string_portal_datetime_raises():
    with pytest.raises(ValueError):
        parse_portal_datetime(20240101083000)  # type: ignore[arg-type]


# --- the simulator itself -------------------------------------------------------------------


def test_simulator_dossiers_look_real(sim):
    dossiers = [sim.dossier(code) for code in sim.dossier_codes()]
    assert {d["TrangThaiHoSo"] for d in dossiers} == {str(n) for n in range(1, 11)}
    for d in dossiers:
        assert CODE.match(d["MaHoSo"]), d["MaHoSo"]
        assert d["MaTTHC"] in sim.procedures
        assert re.fullmatch(r"\d{12}|\d{10}", d["SoGiayToChuHoSo"])
        assert re.fullmatch(r"0\d{9}", d["SoDienThoai"])
        assert parse_portal_datetime(d["NgayNopHoSo"]) < NOW
    due = [parse_portal_datetime(d["NgayHenTra"]) for d in dossiers if d["NgayHenTra"]]
    assert any(when < NOW for when in due) and any(when > NOW for when in due)


def test_simulator_advance_follows_the_status_paths_and_is_seeded():
    def run(seed: int) -> list[tuple[str, str]]:
        simulator = PortalSimulator(seed=seed, dossier_count=30, now=NOW)
        before = {c: simulator.dossier(c)["TrangThaiHoSo"] for c in simulator.dossier_codes()}
        changes = []
        for _ in range(6):
            for entry in simulator.advance(probability=0.7):
                code, new = entry["MaHoSo"], int(entry["TrangThai"])
                allowed = {t for t, _ in portal_data.TRANSITIONS[int(before[code])]}
                assert new in allowed
                assert simulator.progress[code][-1] == entry
                before[code] = str(new)
                changes.append((code, entry["TrangThai"]))
        return changes

    first = run(11)
    assert first and first == run(11)
    assert first != run(12)


def test_simulator_push_is_signed(sim):
    received = []
    receiver = Flask("receiver")

    @receiver.post("/webhooks/portal/progress")
    def _hook():
        received.append((dict(request.headers), request.get_data()))
        return {"ok": True}

    server = make_server("127.0.0.1", 0, receiver, threaded=True)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}/webhooks/portal/progress"
    try:
        changes = sim.advance(probability=1.0)
        response = sim.push_to(url, "s3cret", "progress", timestamp=1763600000)
        assert response.status_code == 200
        sim.push_to(url, "s3cret", "progress")  # already sent: nothing pending
    finally:
        server.shutdown()

    headers, body = received[0]
    assert headers["X-Portal-Timestamp"] == "1763600000"
    expected = hmac.new(b"s3cret", b"1763600000." + body, hashlib.sha256).hexdigest()
    assert headers["X-Portal-Signature"] == f"sha256={expected}"
    assert json.loads(body) == {"data": changes}
    assert json.loads(received[1][1]) == {"data": []}
