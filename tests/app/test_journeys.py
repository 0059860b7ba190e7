"""Every citizen journey end to end on a fresh demo: the demo's own dossiers and people, the
API over HTTP, the real webhooks, the fakes of Telegram, Zalo and VNeID on 127.0.0.1 and the
worker's jobs run as the worker runs them.

- a Telegram-only citizen links by phone, sees their dossier, writes to the officer, gets the
  officer's reply in the chat and rates the finished dossier;
- the same in Zalo;
- an app citizen by phone code, and an app citizen by VNeID;
- a province sending only progress (TienDo) reaches all of them.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from api.dossiers.models import Dossier
from api.kernel.clock import VN_TZ
from api.kernel.database import db
from api.kernel.phone import normalise_phone
from api.messaging.models import Message
from api.rating.models import Rating
from sandbox import demo_people
from sandbox.oidc_provider import DEMO_CITIZENS
from tests.helpers.common import bearer
from tests.helpers.dossiers import push
from tests.helpers.vneid import authorize_and_approve

AN, BINH, CUONG = DEMO_CITIZENS
DUNG = demo_people.PHONE_CITIZEN
TG_CHAT, ZALO_USER = 7770001, "zalo-user-binh"


@pytest.fixture
def demo(app):
    """A fresh demo: the demo dossiers loaded the way `make run` seeds them, and its staff."""
    from sandbox.demo_dossiers import demo_simulator, seed_demo_dossiers

    with app.app_context():
        simulator = demo_simulator()
        seed_demo_dossiers(simulator=simulator)
        demo_people.seed_staff()
        db.session.remove()
    return simulator


def run_worker(app) -> int:
    """What `python -m workers` does with what is queued: every job, in queue order."""
    from api.kernel.jobs import all_queues

    done = 0
    with app.app_context():
        for _ in range(20):
            jobs = [(q, j) for q in all_queues() for j in q.get_jobs()]
            if not jobs:
                break
            for queue, job in jobs:
                queue.remove(job.id)
                job.perform()
                done += 1
            db.session.remove()
    return done


def status_of(app, code: str) -> int:
    with app.app_context():
        return db.session.scalar(select(Dossier.status_code).where(Dossier.code == code))


def processing_and_done(app, simulator, person: dict) -> tuple[str, str]:
    codes = demo_people.dossiers_of(simulator, person)
    with app.app_context():
        rows = {
            d.code: d for d in db.session.scalars(select(Dossier).where(Dossier.code.in_(codes)))
        }
        in_progress = next(c for c in codes if not rows[c].finished)
        done = next(c for c in codes if rows[c].status.group == "done")
        db.session.expunge_all()
    return in_progress, done


def officer_headers(client) -> dict:
    r = client.post(
        "/api/v1/auth/staff/login",
        json={
            "username": demo_people.OFFICER["username"],
            "password": demo_people.OFFICER["password"],
        },
    )
    assert r.status_code == 200, r.json
    return bearer(r.json)


def officer_replies(client, code: str, text: str) -> None:
    headers = officer_headers(client)
    threads = client.get("/api/v1/officer/threads", headers=headers)
    assert threads.status_code == 200, threads.json
    assert code in {t["code"] for t in threads.json["items"]}  # the unit sees it
    r = client.post(f"/api/v1/dossiers/{code}/messages", json={"text": text}, headers=headers)
    assert r.status_code == 201, r.json


def app_sign_in_by_phone(client, app, phone: str) -> dict:
    assert client.post("/api/v1/auth/otp", json={"phone": phone}).status_code == 200
    code = app.extensions["otp_sender"].codes[normalise_phone(phone)]
    r = client.post("/api/v1/auth/otp/verify", json={"phone": phone, "code": code})
    assert r.status_code == 200, r.json
    return bearer(r.json)


# ---- Telegram alone -----------------------------------------------------------------------------


def test_telegram_only_citizen(world, demo):
    app = world.app
    code, done = processing_and_done(app, demo, AN)
    # Links by sharing the phone (the platform's own button) and typing the code sent to it.
    world.say_tg(TG_CHAT, "liên kết tài khoản")
    world.tap_tg(TG_CHAT, world.buttons_tg(TG_CHAT)["📱 Chia sẻ số điện thoại"])
    contact = {"phone_number": AN["phone_number"], "first_name": "An", "user_id": TG_CHAT}
    world.telegram(world.tg_message(TG_CHAT, contact=contact))
    otp = app.extensions["otp_sender"].codes[normalise_phone(AN["phone_number"])]
    world.say_tg(TG_CHAT, otp)
    assert "Đã liên kết" in world.tg.texts(TG_CHAT)[-1]
    # Sees their own dossiers without a second factor.
    world.say_tg(TG_CHAT, "tra cứu hồ sơ")
    assert f"c:{code}" in world.buttons_tg(TG_CHAT).values()
    world.tap_tg(TG_CHAT, f"c:{code}")
    card = world.tg.texts(TG_CHAT)[-1]
    assert code in card and "4 số cuối" not in card
    # Writes to the officer, leaves, and the officer's reply reaches the chat.
    world.say_tg(TG_CHAT, f"nhắn cán bộ hồ sơ {code}")
    assert "Bạn đang nhắn cho cán bộ" in world.tg.texts(TG_CHAT)[-1]
    world.say_tg(TG_CHAT, "Hồ sơ của tôi cần bổ sung gì không ạ?")
    world.say_tg(TG_CHAT, "thoát")
    with app.app_context():
        (message,) = db.session.scalars(select(Message)).all()
        assert message.channel == "telegram" and message.body.startswith("Hồ sơ của tôi")
    officer_replies(world.client, code, "Hồ sơ đầy đủ, anh chờ kết quả nhé.")
    run_worker(app)
    assert any("Hồ sơ đầy đủ" in t for t in world.tg.texts(TG_CHAT))
    # Rates the finished dossier: it is offered, by name, and the rating is stored.
    world.say_tg(TG_CHAT, "đánh giá")
    offered = world.buttons_tg(TG_CHAT)
    assert f"r:{done}" in offered.values() and f"r:{code}" not in offered.values()
    assert len(set(offered)) == len(offered) and all(len(label) <= 42 for label in offered)
    with app.app_context():
        name = db.session.scalar(select(Dossier.procedure_name).where(Dossier.code == done))
    assert any(label.startswith(name[:20]) for label in offered)  # by name, not by code
    world.tap_tg(TG_CHAT, f"r:{done}")
    assert "Câu 1/" in world.tg.texts(TG_CHAT)[-1]
    first = next(d for d in world.buttons_tg(TG_CHAT).values() if d.startswith("ra:"))
    world.tap_tg(TG_CHAT, first)
    world.tap_tg(TG_CHAT, "x")
    with app.app_context():
        rating = db.session.scalar(select(Rating))
        assert rating is not None and rating.channel == "telegram"
        assert db.session.get(Dossier, rating.dossier_id).code == done


# ---- Zalo alone -------------------------------------------------------------------------------


def test_zalo_only_citizen(world, demo):
    app = world.app
    code, done = processing_and_done(app, demo, BINH)
    world.say_zalo(ZALO_USER, "liên kết tài khoản")
    assert "Liên kết" in world.zalo_texts(ZALO_USER)[-1]
    # Zalo has no contact button in a chat: the citizen types the number.
    world.zalo_event(
        {
            "event_name": "user_submit_info",
            "sender": {"id": ZALO_USER},
            "recipient": {"id": "oa-1"},
            "info": {"name": "Bình", "phone": normalise_phone(BINH["phone_number"])},
        }
    )
    otp = app.extensions["otp_sender"].codes[normalise_phone(BINH["phone_number"])]
    world.say_zalo(ZALO_USER, otp)
    assert "Đã liên kết" in world.zalo_texts(ZALO_USER)[-1]
    world.say_zalo(ZALO_USER, f"tra cứu hồ sơ {code}")
    card = world.zalo_texts(ZALO_USER)[-1]
    assert code in card and "4 số cuối" not in card
    world.say_zalo(ZALO_USER, f"nhắn cán bộ hồ sơ {code}")
    assert "Bạn đang nhắn cho cán bộ" in world.zalo_texts(ZALO_USER)[-1]
    world.say_zalo(ZALO_USER, "Tôi đã gửi bổ sung giấy tờ rồi ạ")
    world.say_zalo(ZALO_USER, "thoát")
    officer_replies(world.client, code, "Đã nhận giấy tờ bổ sung, cảm ơn chị.")
    run_worker(app)
    assert any("Đã nhận giấy tờ bổ sung" in t for t in world.zalo_texts(ZALO_USER))
    world.say_zalo(ZALO_USER, f"đánh giá hồ sơ {done}")
    assert "Câu 1/" in world.zalo_texts(ZALO_USER)[-1]
    answer = next(p for p in world.zalo_buttons(ZALO_USER).values() if "ra:" in p)
    world.say_zalo(ZALO_USER, answer)
    assert "Câu 2/" in world.zalo_texts(ZALO_USER)[-1]
    world.say_zalo(ZALO_USER, "dừng")
    with app.app_context():
        rating = db.session.scalar(select(Rating))
        assert rating is not None and rating.channel == "zalo"
        assert db.session.get(Dossier, rating.dossier_id).code == done


# ---- the app ----------------------------------------------------------------------------------


def test_app_citizen_by_phone_code(client, app, demo):
    code, done = processing_and_done(app, demo, DUNG)
    me = app_sign_in_by_phone(client, app, DUNG["phone_number"])
    mine = client.get("/api/v1/me/dossiers?page_size=50", headers=me).json
    assert {code, done} <= {d["code"] for d in mine["items"]}
    for item in mine["items"]:  # everything listed opens
        assert client.get(f"/api/v1/dossiers/{item['code']}", headers=me).status_code == 200
    full = client.get(f"/api/v1/dossiers/{code}", headers=me).json
    assert full["view"] == "contact" and full["applicant_name"] == DUNG["name"]
    assert full["applicant_id_masked"].endswith(DUNG["personal_id"][-4:])
    assert full["applicant_id_number"] is None  # VNeID alone unmasks it
    assert client.get(f"/api/v1/dossiers/{code}/qr", headers=me).status_code == 404
    # Follows without a second factor, writes to the officer, hears the reply, rates.
    assert client.post(f"/api/v1/dossiers/{code}/follow", json={}, headers=me).status_code == 200
    r = client.post(f"/api/v1/dossiers/{code}/messages", json={"text": "Xin hỏi ạ"}, headers=me)
    assert r.status_code == 201, r.json
    officer_replies(client, code, "Chị chờ thêm 2 ngày nhé.")
    inbox = client.get("/api/v1/me/notifications", headers=me).json
    assert "officer_reply" in {n["event"] for n in inbox["items"]}
    rating = client.get(f"/api/v1/dossiers/{done}/rating", headers=me).json
    assert rating["open"] is True
    # Every grant is in the citizen's own audit trail.
    trail = client.get("/api/v1/me/audit", headers=me).json
    granted = {e["object_id"] for e in trail["items"] if e["action"] == "dossier_contact_granted"}
    assert {code, done} <= granted


def test_app_citizen_by_vneid(client, app, demo, vneid):
    code, done = processing_and_done(app, demo, CUONG)
    grant, state = authorize_and_approve(client, CUONG["personal_id"])
    r = client.post("/api/v1/auth/vneid/callback", json={"code": grant, "state": state})
    assert r.status_code == 200, r.json
    me = bearer(r.json)
    mine = {d["code"] for d in client.get("/api/v1/me/dossiers", headers=me).json["items"]}
    assert {code, done} <= mine
    full = client.get(f"/api/v1/dossiers/{done}", headers=me).json
    assert full["view"] == "full" and full["applicant_id_number"] == CUONG["personal_id"]
    assert client.get(f"/api/v1/dossiers/{done}/qr", headers=me).status_code == 200
    r = client.post(f"/api/v1/dossiers/{code}/messages", json={"text": "Cảm ơn ạ"}, headers=me)
    assert r.status_code == 201
    trail = client.get("/api/v1/me/audit", headers=me).json["items"]
    owned = {e["object_id"] for e in trail if e["action"] == "dossier_owner_granted"}
    assert {code, done} <= owned


# ---- a province that sends only progress ---------------------------------------------------


def test_progress_only_province_reaches_everyone(world, demo):
    """Chats linked by phone (Telegram, Zalo) and an app citizen hear a status change that
    arrives only as a TienDo entry."""
    app, client = world.app, world.client
    tg_code, _ = processing_and_done(app, demo, AN)
    zalo_code, _ = processing_and_done(app, demo, BINH)
    app_code, _ = processing_and_done(app, demo, DUNG)
    link_telegram(world, AN["phone_number"])
    link_zalo(world, BINH["phone_number"])
    me = app_sign_in_by_phone(client, app, DUNG["phone_number"])
    run_worker(app)  # what the demo's arrival made is delivered first
    before_tg, before_zalo = len(world.tg.texts(TG_CHAT)), len(world.zalo_texts(ZALO_USER))
    with app.app_context():
        changes = []
        for code in (tg_code, zalo_code, app_code):
            dossier = db.session.scalar(select(Dossier).where(Dossier.code == code))
            later = (dossier.source_as_of + timedelta(hours=1)).astimezone(VN_TZ)
            changes.append(
                {
                    "MaHoSo": code,
                    "NguoiXuLy": "Cán bộ Demo",
                    "ChucDanh": "Chuyên viên",
                    "ThoiDiemXuLy": later.strftime("%Y%m%d%H%M%S"),
                    "PhongBanXuLy": "Bộ phận một cửa",
                    "NoiDungXuLy": "Đã xử lý xong, mời nhận kết quả",
                    "TrangThai": "9",
                }
            )
        db.session.remove()
    push(client, changes, "/api/v1/portal/progress")
    assert {status_of(app, c) for c in (tg_code, zalo_code, app_code)} == {9}
    run_worker(app)
    assert any(tg_code in t for t in world.tg.texts(TG_CHAT)[before_tg:])
    assert any(zalo_code in t for t in world.zalo_texts(ZALO_USER)[before_zalo:])
    inbox = client.get("/api/v1/me/notifications", headers=me).json["items"]
    assert any(n["dossier_code"] == app_code for n in inbox)
    # An older progress entry changes nothing.
    stale = dict(changes[0], ThoiDiemXuLy="20200101080000", TrangThai="4", NoiDungXuLy="cũ")
    push(client, [stale], "/api/v1/portal/progress")
    assert status_of(app, tg_code) == 9


def link_telegram(world, phone: str) -> None:
    world.say_tg(TG_CHAT, "liên kết tài khoản")
    world.tap_tg(TG_CHAT, "lp")
    contact = {"phone_number": phone, "first_name": "An", "user_id": TG_CHAT}
    world.telegram(world.tg_message(TG_CHAT, contact=contact))
    world.say_tg(TG_CHAT, world.app.extensions["otp_sender"].codes[normalise_phone(phone)])
    assert "Đã liên kết" in world.tg.texts(TG_CHAT)[-1]


def link_zalo(world, phone: str) -> None:
    world.say_zalo(ZALO_USER, "liên kết tài khoản")
    world.zalo_event(
        {
            "event_name": "user_submit_info",
            "sender": {"id": ZALO_USER},
            "recipient": {"id": "oa-1"},
            "info": {"name": "Bình", "phone": normalise_phone(phone)},
        }
    )
    world.say_zalo(ZALO_USER, world.app.extensions["otp_sender"].codes[normalise_phone(phone)])
    assert "Đã liên kết" in world.zalo_texts(ZALO_USER)[-1]
