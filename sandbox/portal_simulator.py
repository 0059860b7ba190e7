"""SANDBOX - not DVCQG. A small local National Public Service Portal gateway for tests and the demo.

It speaks the gateway protocol of integrations.md §1 (login → session, one integration endpoint
whose ``service`` field picks the operation), holds generated dossiers that move through
realistic status paths when ``advance()`` is called, and can push dossiers and progress to our
inbound webhook, signed the way our receiver expects.

Failure injection for tests: ``fail_next`` (HTTP 5xx for the next N requests), ``go_down``
("503" or "refuse": the listening socket closes), ``slow``, ``business_error_next``,
``expire_sessions``. Every answer carries ``X-Sandbox`` so nobody mistakes it for the portal.

Demo: ``python -m sandbox.portal_simulator --port 8765`` and set PORTAL_BASE_URL,
PORTAL_USERNAME, PORTAL_PASSWORD, PORTAL_UNIT_CODE to the printed values.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import random
import secrets
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import requests
from flask import Flask, Response, jsonify, request

from sandbox import portal_data as data
from sandbox import portal_qa

BANNER = "SANDBOX - not DVCQG"
QA_SERVICES = (
    frozenset(
        {"DongBoHoiDap", "LayDanhSachHoiDap", "LayChiTietHoiDap", "GuiCauHoi", "DongBoCauTraLoi"}
    )
    | portal_qa.SERVICES
)
# *Unconfirmed* service names (no public spec): ratings and dossier messages sent by our portal
# outbox. Each record carries our dedupe key ``MaDongBo``; a repeat is answered with success
# and not stored again, which is what makes the outbox's retries exactly-once.
SYNC_SERVICES = frozenset({"DongBoDanhGia", "DongBoTraoDoiHoSo"})


def sign_push(secret: str, timestamp: str, body: bytes) -> str:
    """``sha256=<hex HMAC-SHA256(secret, timestamp + "." + raw body)>``."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


class PortalSimulator:
    """State and behaviour of the fake portal; ``app`` is its WSGI application."""

    def __init__(
        self,
        *,
        username: str = "dvc-connect",
        password: str = "sandbox-password",
        unit_code: str = "000.00.15.H12",
        auth_path: str = "/api/auth/login",
        integration_path: str = "/api/integration",
        session_ttl: float = 1800.0,
        session_expired_code: str = "401",
        success_code: int | str = 0,
        seed: int = 2025,
        dossier_count: int = 60,
        catalog_path: Path | str = data.CATALOG_PATH,
        now: datetime | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.username = username
        self.password = password
        self.unit_code = unit_code
        self.auth_path = auth_path
        self.integration_path = integration_path
        self.session_ttl = session_ttl
        self.session_expired_code = session_expired_code
        self.session_expired_message = "Phiên làm việc đã hết hạn hoặc không hợp lệ"
        self.success_code = success_code
        self.qa_error = True  # the Q&A services answer "paused" until a test turns them on
        self.qa = portal_qa.QaDesk(unit_code)
        self.max_logins: int | None = None  # refuse logins beyond this many (guards loops)
        self._clock = clock
        self._rng = random.Random(seed)
        self._lock = threading.RLock()
        self._server: Any = None  # the SimulatorServer serving it (sandbox.portal_server)

        catalog = data.load_catalog(catalog_path)
        self.procedures: dict[str, dict] = {p["code"]: p for p in catalog["procedures"]}
        self.field_names = {f["code"]: f["name"] for f in catalog.get("fields", [])}
        self.agency_codes = data.agency_codes(catalog["procedures"])
        self.agency_names = {code: name for name, code in self.agency_codes.items()}

        self.now = (now or datetime.now(UTC)).replace(microsecond=0)
        self.dossiers: dict[str, dict] = {}
        self.progress: dict[str, list[dict]] = {}
        self._factory = data.DossierFactory(self._rng, catalog["procedures"], self.field_names)
        for index in range(dossier_count):
            dossier, history = self._factory.build(index, self.now)
            self.dossiers[dossier["MaHoSo"]] = dossier
            self.progress[dossier["MaHoSo"]] = history

        self.sessions: dict[str, float] = {}  # token → expiry on self._clock
        self.login_count = 0
        self.request_count = 0  # requests to the auth and integration paths
        self.calls: list[dict] = []  # service calls: {"service", "fields"} (no session)
        self.received: list[dict] = []  # what DongBo*/CapNhat* services were sent
        self.sync_keys: set[str] = set()  # MaDongBo of SYNC_SERVICES records already stored
        self._pending: dict[str, list] = {"dossiers": [], "progress": []}
        self.reset_failures()
        self.app = self._build_app()

    def __call__(self, environ: dict, start_response: Callable) -> Any:
        return self.app(environ, start_response)

    # --- test hooks ----------------------------------------------------------------------

    def expire_sessions(self) -> None:
        """Every session issued so far is expired from now on."""
        with self._lock:
            self.sessions = dict.fromkeys(self.sessions, float("-inf"))

    def fail_next(self, count: int, status: int = 503) -> None:
        """Answer the next ``count`` auth/integration requests with HTTP ``status``."""
        with self._lock:
            self._fail_count, self._fail_status = count, status

    def go_down(self, mode: str = "503") -> None:
        """ "503": every request fails with 503. "refuse": stop listening (needs ``serve``)."""
        if mode not in ("503", "refuse"):
            raise ValueError("mode is '503' or 'refuse'")
        with self._lock:
            self._down = mode
        if mode == "refuse":
            if self._server is None:
                raise RuntimeError("refusing connections needs a server started by serve()")
            self._server.stop_listening()

    def come_up(self) -> None:
        with self._lock:
            was_refusing, self._down = self._down == "refuse", None
        if was_refusing and self._server is not None:
            self._server.resume_listening()

    def slow(self, seconds: float, count: int | None = None) -> None:
        """Delay the next ``count`` requests (all of them when None) by ``seconds``."""
        with self._lock:
            self._slow_seconds, self._slow_count = seconds, count

    def business_error_next(
        self, count: int, code: str = "99", message: str = "Lỗi hệ thống, vui lòng thử lại sau"
    ) -> None:
        """Answer the next ``count`` service calls (valid session) with this error_code."""
        with self._lock:
            self._error_count, self._error_answer = count, (code, message)

    def reset_failures(self) -> None:
        with self._lock:
            self._fail_count, self._fail_status = 0, 503
            self._down: str | None = None
            self._slow_seconds, self._slow_count = 0.0, None
            self._error_count, self._error_answer = 0, ("99", "")

    # --- dossiers ------------------------------------------------------------------------

    def advance(self, probability: float = 0.5, step: timedelta = timedelta(hours=2)) -> list[dict]:
        """Move the clock on by ``step`` and each open dossier, with ``probability``, one status
        along a realistic path. Returns the TienDo entries created (one per change)."""
        with self._lock:
            self.now += step
            created = []
            for code in sorted(self.dossiers):
                dossier = self.dossiers[code]
                if "_results" not in dossier:
                    continue  # pushed to us by the app: its owner moves it, not the simulator
                status = int(dossier["TrangThaiHoSo"])
                if status in data.TERMINAL or self._rng.random() >= probability:
                    continue
                new = data.next_status(status, self._rng)
                if new is None:
                    continue
                procedure = self.procedures.get(dossier["MaTTHC"], {})
                channel = next(
                    (
                        c
                        for c in procedure.get("channels", [])
                        if data.CHANNEL_KENH[c["channel"]] == dossier["KenhThucHien"]
                    ),
                    {},
                )
                span = data.due_span(procedure, channel)
                entry = data.apply_status(dossier, new, self.now, span, self._rng)
                self.progress[code].append(entry)
                created.append(entry)
                self._pending["progress"].append(entry)
                if code not in self._pending["dossiers"]:
                    self._pending["dossiers"].append(code)
            return created

    def dossier(self, code: str) -> dict | None:
        with self._lock:
            found = self.dossiers.get(code)
            return data.public_view(found) if found else None

    def dossier_codes(self, status: int | None = None) -> list[str]:
        with self._lock:
            return sorted(
                code
                for code, d in self.dossiers.items()
                if status is None or d.get("TrangThaiHoSo") == str(status)
            )

    def laythutuc(self, code: str) -> dict | None:
        record = self.procedures.get(code)
        if record is None:
            return None
        return data.laythutuc_record(record, self.field_names, self.agency_codes)

    # --- pushing to our inbound endpoints ------------------------------------------------

    def push_to(
        self,
        url: str,
        secret: str,
        kind: str = "dossiers",
        records: list[dict] | None = None,
        *,
        timestamp: int | None = None,
        timeout: float = 10.0,
    ) -> requests.Response:
        """POST ``{"data": records}`` signed with ``secret``. Without ``records``, sends what
        ``advance()`` changed since the last successful push of that kind."""
        if kind not in ("dossiers", "progress"):
            raise ValueError("kind is 'dossiers' or 'progress'")
        pending = records is None
        with self._lock:
            if records is None:
                if kind == "dossiers":
                    records = [
                        data.public_view(self.dossiers[c]) for c in self._pending["dossiers"]
                    ]
                else:
                    records = list(self._pending["progress"])
            sent = len(records)
        body = json.dumps({"data": records}, ensure_ascii=False, separators=(",", ":")).encode()
        stamp = str(int(time.time()) if timestamp is None else timestamp)
        response = requests.post(
            url,
            data=body,
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "X-Portal-Timestamp": stamp,
                "X-Portal-Signature": sign_push(secret, stamp, body),
            },
            timeout=timeout,
        )
        if pending and response.ok:
            with self._lock:
                del self._pending[kind][:sent]
        return response

    # --- HTTP ----------------------------------------------------------------------------

    def _build_app(self) -> Flask:
        app = Flask(__name__)
        app.add_url_rule(self.auth_path, "login", self._login_view, methods=["POST"])
        app.add_url_rule(
            self.integration_path, "integration", self._integration_view, methods=["POST"]
        )
        app.add_url_rule("/_sim/state", "state", self._state_view, methods=["GET"])
        # The demo banner prints the base URL: opening it shows the simulator's state.
        app.add_url_rule("/", "index", self._state_view, methods=["GET"])
        app.add_url_rule("/_sim/advance", "advance", self._advance_view, methods=["POST"])
        app.add_url_rule("/_sim/expire-sessions", "expire", self._expire_view, methods=["POST"])

        @app.after_request
        def _mark(response: Response) -> Response:
            response.headers["X-Sandbox"] = BANNER
            return response

        return app

    def _injected_failure(self) -> Response | None:
        with self._lock:
            self.request_count += 1
            delay = 0.0
            if self._slow_seconds and (self._slow_count is None or self._slow_count > 0):
                delay = self._slow_seconds
                if self._slow_count is not None:
                    self._slow_count -= 1
            status = None
            if self._down is not None:
                status = 503
            elif self._fail_count > 0:
                self._fail_count -= 1
                status = self._fail_status
        if delay:
            time.sleep(delay)
        if status is not None:
            return Response("Service Unavailable", status=status, mimetype="text/plain")
        return None

    def _login_view(self) -> Response:
        failure = self._injected_failure()
        if failure is not None:
            return failure
        body = request.get_json(silent=True) or {}
        if body.get("username") != self.username or body.get("password") != self.password:
            return jsonify({"error_code": "1", "message": "Sai tên đăng nhập hoặc mật khẩu"})
        token = secrets.token_urlsafe(24)
        with self._lock:
            if self.max_logins is not None and self.login_count >= self.max_logins:
                return jsonify({"error_code": "6", "message": "Vượt quá số lần đăng nhập"})
            self.login_count += 1
            self.sessions[token] = self._clock() + self.session_ttl
        return jsonify({"error_code": self.success_code, "session": token})

    def _integration_view(self) -> Response | tuple[Response, int]:
        failure = self._injected_failure()
        if failure is not None:
            return failure
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            return jsonify({"error_code": "400", "message": "Body must be a JSON object"}), 400
        with self._lock:
            expiry = self.sessions.get(str(body.get("session")))
            if expiry is None or expiry <= self._clock():
                return self._error(self.session_expired_code, self.session_expired_message)
            service = str(body.get("service") or "")
            fields = {k: v for k, v in body.items() if k not in ("session", "service")}
            self.calls.append({"service": service, "fields": fields})
            if self._error_count > 0:
                self._error_count -= 1
                return self._error(*self._error_answer)
        if body.get("madonvi") != self.unit_code:
            return self._error("5", "Mã đơn vị không hợp lệ")
        if service in QA_SERVICES and self.qa_error:
            return self._error("9", "Chức năng hỏi đáp đang tạm ngừng")
        handler = self._services().get(service)
        if handler is None:
            if service in QA_SERVICES:
                with self._lock:
                    self.received.append({"service": service, "data": body.get("data")})
                return self._ok([])
            return self._error("2", f"Không tìm thấy dịch vụ {service}")
        return handler(body)

    def _services(self) -> dict[str, Callable[[dict], Response]]:
        return {
            "TraCuuHoSo": self._tra_cuu_ho_so,
            "LayDanhSachTTHC": lambda body: self._ok(
                [{"MATTHC": p["code"], "TENTTHC": p["name"]} for p in self.procedures.values()]
            ),
            "LayThuTuc": self._lay_thu_tuc,
            # Assumed shape for the directory services (not described in our sources).
            "LayDanhMucCoQuan": lambda body: self._ok(
                [{"MADONVI": c, "TENDONVI": n} for c, n in sorted(self.agency_names.items())]
            ),
            "LayDanhMucLinhVuc": lambda body: self._ok(
                [{"MALINHVUC": c, "TENLINHVUC": n} for c, n in self.field_names.items()]
            ),
            "DongBoHoSoMC": self._dong_bo_ho_so,
            "CapNhatTienDoHoSoMC": self._cap_nhat_tien_do,
            **dict.fromkeys(SYNC_SERVICES, self._dong_bo_keyed),
            **self.qa.handlers(self._ok, self._error),
        }

    def _tra_cuu_ho_so(self, body: dict) -> Response:
        code = str(body.get("mahoso") or "").strip()
        if not code:
            return self._error("3", "Thiếu mã hồ sơ (mahoso)")
        found = self.dossier(code)
        return self._ok([found] if found else [])

    def _lay_thu_tuc(self, body: dict) -> Response:
        code = str(body.get("maTTHC") or "").strip()
        if not code:
            return self._error("3", "Thiếu mã thủ tục (maTTHC)")
        record = self.laythutuc(code)
        return self._ok([record] if record else [])

    def _dong_bo_ho_so(self, body: dict) -> Response:
        updating = body.get("isUpdating")
        records = body.get("data")
        if updating not in ("True", "False"):
            return self._error("3", "isUpdating phải là 'True' hoặc 'False'")
        if not _records_with_code(records):
            return self._error("3", "data phải là danh sách hồ sơ có MaHoSo")
        with self._lock:
            self.received.append(
                {"service": "DongBoHoSoMC", "isUpdating": updating, "data": records}
            )
            for record in records:
                current = self.dossiers.setdefault(record["MaHoSo"], {})
                current.update(record)
                self.progress.setdefault(record["MaHoSo"], [])
        return self._ok([{"MaHoSo": r["MaHoSo"]} for r in records])

    def _cap_nhat_tien_do(self, body: dict) -> Response:
        records = body.get("data")
        if not _records_with_code(records):
            return self._error("3", "data phải là danh sách tiến độ có MaHoSo")
        with self._lock:
            self.received.append({"service": "CapNhatTienDoHoSoMC", "data": records})
            for record in records:
                self.progress.setdefault(record["MaHoSo"], []).append(dict(record))
        return self._ok([{"MaHoSo": r["MaHoSo"]} for r in records])

    def _dong_bo_keyed(self, body: dict) -> Response:
        records = body.get("data")
        if not _records_with_code(records) or not all(r.get("MaDongBo") for r in records):
            return self._error("3", "data phải là danh sách bản ghi có MaHoSo và MaDongBo")
        with self._lock:
            fresh = [r for r in records if r["MaDongBo"] not in self.sync_keys]
            self.sync_keys.update(r["MaDongBo"] for r in fresh)
            if fresh:
                self.received.append({"service": body["service"], "data": fresh})
        return self._ok([{"MaHoSo": r["MaHoSo"], "MaDongBo": r["MaDongBo"]} for r in records])

    def _ok(self, result: list) -> Response:
        return jsonify({"error_code": self.success_code, "message": "Thành công", "result": result})

    @staticmethod
    def _error(code: str, message: str) -> Response:
        return jsonify({"error_code": code, "message": message, "result": []})

    # demo control endpoints (not part of the portal's protocol)

    def _state_view(self) -> Response:
        with self._lock:
            counts: dict[str, int] = {}
            for d in self.dossiers.values():
                status = d.get("TrangThaiHoSo", "")
                counts[status] = counts.get(status, 0) + 1
            return jsonify(
                {
                    "now": data.portal_time(self.now),
                    "dossiers": len(self.dossiers),
                    "by_status": counts,
                    "sample_codes": self.dossier_codes()[:10],
                    "logins": self.login_count,
                    "received": len(self.received),
                }
            )

    def _advance_view(self) -> Response:
        changes = self.advance(float(request.args.get("probability", 0.5)))
        return jsonify({"changes": [[c["MaHoSo"], c["TrangThai"]] for c in changes]})

    def _expire_view(self) -> Response:
        self.expire_sessions()
        return jsonify({"expired": True})


def _records_with_code(records: object) -> bool:
    return (
        isinstance(records, list)
        and bool(records)
        and all(isinstance(r, dict) and r.get("MaHoSo") for r in records)
    )
