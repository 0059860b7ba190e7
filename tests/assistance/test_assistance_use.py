"""Assisted use: usage records in the write's transaction, the resident's view, who wrote a
message, assisted ratings, both people told, the commune's figures, the bots, the demo."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from api.assistance.models import Grant, UsageRecord
from api.kernel.database import db
from api.messaging.models import Message
from api.rating.models import Rating
from push.notifications.models import Notification
from tests.helpers.assist_world import CODE, OWNER_ID, RESIDENT_PHONE, build, citizen, start
from tests.helpers.dossiers import hoso, push

MESSAGES = f"/api/v1/assist/dossiers/{CODE}/messages"


@pytest.fixture
def world(client, app):
    app.extensions["otp_sender"].sent.clear()
    return build(client, app)


def _usage(app, access: str | None = None) -> list[UsageRecord]:  # noqa: ANN001
    with app.app_context():
        query = select(UsageRecord).order_by(UsageRecord.id)
        if access:
            query = query.where(UsageRecord.access == access)
        rows = list(db.session.scalars(query))
        db.session.expunge_all()
        return rows


def test_each_assisted_write_has_exactly_one_usage_record(client, app, world):
    _, headers = start(client, app, world)
    r = client.post(
        MESSAGES, json={"text": "Cháu hỏi giúp bà", "client_message_id": "m1"}, headers=headers
    )
    assert r.status_code == 201, r.json
    writes = _usage(app, "write")
    assert len(writes) == 1 and writes[0].object_id == CODE and writes[0].action == "message"
    # Sent again with the same id: stored once, recorded once.
    again = client.post(
        MESSAGES, json={"text": "Cháu hỏi giúp bà", "client_message_id": "m1"}, headers=headers
    )
    assert again.status_code == 200 and len(_usage(app, "write")) == 1
    # Refused: nothing written, nothing recorded.
    empty = client.post(MESSAGES, json={"text": "   "}, headers=headers)
    assert empty.status_code == 422 and len(_usage(app, "write")) == 1


def test_a_rolled_back_write_leaves_no_usage_record(client, app, world, monkeypatch):
    _, headers = start(client, app, world)

    def broken(*_args, **_kwargs):  # noqa: ANN002, ANN003, ANN202
        raise RuntimeError("portal queue down")

    monkeypatch.setattr("api.messaging.service._queue_for_portal", broken)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    try:
        r = client.post(MESSAGES, json={"text": "Xin hỏi"}, headers=headers)
    finally:
        app.config["PROPAGATE_EXCEPTIONS"] = None
    assert r.status_code == 500
    assert _usage(app, "write") == []
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Message)) == 0
        # The first use was not told either: it rolled back with the write.
        assert db.session.scalar(select(Grant.first_used_at)) is None


def test_officer_and_resident_see_who_wrote_for_whom(client, app, world):
    _, headers = start(client, app, world)
    client.post(MESSAGES, json={"text": "Bà Hoa nhờ cháu hỏi"}, headers=headers)
    for viewer in (world.officer, world.resident):
        page = client.get(f"/api/v1/dossiers/{CODE}/messages", headers=viewer).json
        (message,) = page["items"]
        assert message["author_kind"] == "community"
        assert message["author_name"] == "Helper.A"
        assert message["on_behalf_of_name"] == "Nguyễn Thị Hoa"
    with app.app_context():
        row = db.session.scalar(select(Message))
        assert row.on_behalf_of_id == world.resident_account_id


def test_resident_usage_view_newest_first_helper_cannot_read_it(client, app, world):
    _, headers = start(client, app, world, purpose="Xem hồ sơ")
    assert client.get("/api/v1/assist/dossiers", headers=headers).status_code == 200
    assert client.get(f"/api/v1/assist/dossiers/{CODE}", headers=headers).status_code == 200
    client.post(MESSAGES, json={"text": "Xin hỏi"}, headers=headers)
    view = client.get("/api/v1/me/usage", headers=world.resident).json
    assert view["total"] == 3
    assert [(u["access"], u["object_type"]) for u in view["items"]] == [
        ("write", "thread"),
        ("read", "dossier"),
        ("read", "dossier_list"),
    ]
    assert {(u["who"], u["purpose"]) for u in view["items"]} == {("Helper.A", "Xem hồ sơ")}
    # The helper, acting or as themselves, never reads the resident's log.
    assert client.get("/api/v1/me/usage", headers=headers).status_code == 403
    assert client.get("/api/v1/me/usage", headers=world.helper).json["total"] == 0
    # The resident disputes an entry; nobody else can.
    entry = view["items"][0]["id"]
    assert (
        client.post(
            f"/api/v1/me/usage/{entry}/dispute", json={"note": "x"}, headers=world.helper
        ).status_code
        == 404
    )
    r = client.post(
        f"/api/v1/me/usage/{entry}/dispute",
        json={"note": "Tôi không nhờ việc này"},
        headers=world.resident,
    )
    assert r.status_code == 200 and r.json["disputed_at"]


def test_scope_limits_dossiers(client, app, world):
    push(client, [hoso("000.00.15.H12-251120-0002")])
    _, headers = start(client, app, world, actions=("follow",), dossiers=[CODE])
    listed = client.get("/api/v1/assist/dossiers", headers=headers).json
    assert [d["code"] for d in listed["items"]] == [CODE]
    other = client.get("/api/v1/assist/dossiers/000.00.15.H12-251120-0002", headers=headers)
    assert other.status_code == 403 and other.json["error"] == "assist_out_of_scope"


def test_assisted_rating_is_recorded_as_assisted(client, app, world):
    push(client, [hoso(status=9, NgayKetThucXuLy="20251120160000")])
    _, headers = start(client, app, world, actions=("follow", "rate_with"))
    answers = {"3": 2, "4": 2, "6": 1, "7": 2, "10": 2, "11": 1}
    r = client.post(
        f"/api/v1/assist/dossiers/{CODE}/rating", json={"answers": answers}, headers=headers
    )
    assert r.status_code == 201, r.json
    with app.app_context():
        rating = db.session.scalar(select(Rating))
        assert rating.assisted is True and rating.account_id == world.resident_account_id
        assert rating.raw[0]["assisted"] is True
    assert [u.action for u in _usage(app, "write")] == ["rate_with"]
    stats = client.get("/api/v1/stats/satisfaction", headers=world.admin)
    assert stats.status_code == 200, stats.json
    assert (stats.json["count"], stats.json["assisted"]) == (1, 1)


def test_both_people_told_at_start_first_use_and_end(client, app, world):
    grant_id, headers = start(client, app, world)
    client.get("/api/v1/assist/dossiers", headers=headers)
    client.get("/api/v1/assist/dossiers", headers=headers)  # told once, not twice
    client.post(f"/api/v1/me/helpers/{grant_id}/revoke", headers=world.resident)
    with app.app_context():
        rows = db.session.scalars(
            select(Notification).where(Notification.event == "assistance").order_by(Notification.id)
        ).all()
        told = [(n.dedupe_key.split(":")[2], n.account_id) for n in rows]
    resident = world.resident_account_id
    (helper,) = {who for _, who in told} - {resident}
    expected = [("requested", resident)] + [
        (what, who) for what in ("started", "first_use", "ended") for who in (resident, helper)
    ]
    assert sorted(told) == sorted(expected)


def test_forbid_as_resident_for_other_domains(client, app, world):
    from api.assistance.guard import context_for, decode, forbid_as_resident
    from api.auth.guard import authenticate
    from api.kernel.errors import ApiError

    _, headers = start(client, app, world)
    with app.test_request_context():
        ctx = context_for(decode(headers["Authorization"][7:]))
        with pytest.raises(ApiError) as refused:
            forbid_as_resident(ctx)
        assert refused.value.status == 403
        forbid_as_resident(authenticate(world.resident["Authorization"]))  # the resident: fine


def test_commune_activity_figures(client, app, world, monkeypatch):
    # Session 1: confirmed and used (2 reads, 1 write). Session 2: refused by the resident.
    grant_id, headers = start(client, app, world)
    client.get("/api/v1/assist/dossiers", headers=headers)
    client.get(f"/api/v1/assist/dossiers/{CODE}", headers=headers)
    client.post(MESSAGES, json={"text": "Xin hỏi"}, headers=headers)
    second = client.post(
        "/api/v1/assistance/sessions",
        json={"resident": {"personal_id": OWNER_ID}, "actions": ["follow"]},
        headers=world.helper,
    ).json
    assert (
        client.post(f"/api/v1/me/helpers/{second['id']}/reject", headers=world.resident).json[
            "state"
        ]
        == "rejected"
    )
    url = f"/api/v1/admin/assistance/teams/{world.team_id}/activity"
    figures = client.get(url, headers=world.admin).json
    assert figures["totals"] == {
        "sessions": 2,
        "consents_refused": 1,
        "reads": 2,
        "writes": 1,
        "disputed": 0,
        "residents_helped": 1,
    }
    (member,) = figures["members"]
    assert member["staff_id"] == world.helper_id and member["sessions"] == 2
    assert figures["unusual"] == []
    assert client.get(url, headers=world.helper).status_code == 403

    # One device serving 5 residents in an hour, and 6 sessions against none before: unusual.
    for i in range(5):
        citizen(app, f"07900000050{i}", f"Người {i}", None, world.commune)
    with app.app_context():
        from api.auth.models import Account

        grant = db.session.scalar(select(Grant).where(Grant.public_id == grant_id))
        used = db.session.scalar(select(UsageRecord).limit(1))
        residents = db.session.scalars(
            select(Account.id).where(Account.personal_id.like("07900000050%"))
        ).all()
        for resident in residents:
            db.session.add(
                UsageRecord(
                    resident_id=resident,
                    actor_id=grant.helper_id,
                    grant_id=grant.id,
                    action="follow",
                    access="read",
                    object_type="dossier_list",
                    device=used.device,
                    at=used.at,
                )
            )
        for _ in range(4):
            db.session.add(
                Grant(
                    kind="session",
                    state="rejected",
                    resident_id=residents[0],
                    helper_id=grant.helper_id,
                    actions=["follow"],
                    created_at=datetime.now(UTC) - timedelta(minutes=5),
                )
            )
        db.session.commit()
    unusual = client.get(url, headers=world.admin).json["unusual"]
    kinds = sorted(u["kind"] for u in unusual)
    assert kinds == ["far_more_sessions", "many_residents_one_device"]
    device = next(u for u in unusual if u["kind"] == "many_residents_one_device")
    assert device["residents"] == 6 and device["staff_id"] == world.helper_id


def _race(app, agent, resident, gid: str, code: str) -> dict:  # noqa: ANN001
    """The agent accepts while the resident revokes, at the same moment, on two connections."""
    import threading

    from api.assistance import consent
    from api.kernel.errors import ApiError

    barrier = threading.Barrier(2)
    outcome: dict = {}

    def run(name: str, call) -> None:  # noqa: ANN001
        with app.app_context():
            barrier.wait()
            try:
                outcome[name] = call().state
                db.session.commit()  # each call is its own request: its unit of work
            except ApiError as exc:
                outcome[name] = exc.status
            finally:
                db.session.remove()

    threads = [
        threading.Thread(
            target=run,
            args=("accept", lambda: consent.accept_mandate(agent, gid, code, consent.Origin())),
        ),
        threading.Thread(target=run, args=("revoke", lambda: consent.revoke(resident, gid))),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcome


@pytest.mark.postgres
def test_concurrent_accept_and_revoke_end_consistent(client, app, world):
    from api.assistance.models import GrantEvent
    from api.auth.guard import authenticate

    agent = citizen(app, "001090000777", "Con gái", "84900000777", None)
    with app.test_request_context():
        agent_p = authenticate(agent["Authorization"])
        resident_p = authenticate(world.resident["Authorization"])
    until = (datetime.now(UTC) + timedelta(days=30)).date().isoformat()
    results = []
    for _ in range(5):  # a resident may ask 5 times an hour
        made = client.post(
            "/api/v1/me/mandates",
            json={
                "agent": {"personal_id": "001090000777"},
                "actions": ["follow"],
                "valid_until": until,
            },
            headers=world.resident,
        ).json
        gid = made["grant"]["id"]
        outcome = _race(app, agent_p, resident_p, gid, made["code"])
        with app.app_context():
            grant = db.session.scalar(select(Grant).where(Grant.public_id == gid))
            events = db.session.scalars(
                select(GrantEvent).where(GrantEvent.grant_id == grant.id).order_by(GrantEvent.id)
            ).all()
            chain = [(e.from_state, e.to_state) for e in events]
            assert grant.state == "revoked", (outcome, chain)
            # Never a change from a state the grant was not in.
            assert chain in (
                [("", "pending"), ("pending", "active"), ("active", "revoked")],
                [("", "pending"), ("pending", "revoked")],
            ), chain
            assert (outcome["accept"] == "active") == (("pending", "active") in chain), outcome
        results.append(outcome["accept"])
        token = client.post(f"/api/v1/assistance/grants/{gid}/token", headers=agent)
        assert token.status_code == 403
    assert set(results) <= {"active", 409}


def test_bots_show_who_is_helping_and_stop_it_in_one_tap(client, app, world):
    from api.audit.service import Origin
    from api.profile.service import link_chat
    from bots.engine.identity import remember_link
    from bots.engine.router import handle
    from bots.engine.types import BUTTON, TEXT, Incoming

    grant_id, headers = start(client, app, world)
    for channel in ("telegram", "zalo"):
        with app.app_context():
            link_chat(
                world.resident_account_id, channel, f"{channel}-chat-1", Origin(channel=channel)
            )
            remember_link(channel, f"{channel}-chat-1", "phone")
            db.session.commit()
    with app.app_context():
        (reply,) = handle(Incoming("telegram", "telegram-chat-1", TEXT, text="Ai đang giúp tôi?"))
        db.session.commit()
        assert "Helper.A" in reply.text
        stop = reply.buttons[0][0]
        assert stop.data == f"ar:{grant_id}" and len(stop.data.encode()) <= 64
        (reply,) = handle(Incoming("zalo", "zalo-chat-1", BUTTON, data=stop.data))
        db.session.commit()
        assert "Helper.A" in reply.text
        assert db.session.scalar(select(Grant.state)) == "revoked"
    assert client.get("/api/v1/assist/dossiers", headers=headers).status_code == 403
    with app.app_context():
        (reply,) = handle(Incoming("telegram", "telegram-chat-1", TEXT, text="ai dang giup toi"))
        db.session.commit()
        assert reply.text.startswith("Hiện không có ai")


def test_demo_has_a_team_member_and_a_resident(client, app):
    from sandbox.demo_dossiers import seed_demo_dossiers
    from sandbox.demo_people import HELPER_PASSWORD, HELPER_USERNAME, seed_demo_assistance

    with app.app_context():
        seed_demo_dossiers(20)
        lines = seed_demo_assistance()
        assert seed_demo_assistance() == lines  # idempotent
    assert HELPER_USERNAME in lines[0] and "Demo resident" in lines[1]
    token = client.post(
        "/api/v1/auth/staff/login", json={"username": HELPER_USERNAME, "password": HELPER_PASSWORD}
    ).json
    resident_id = lines[1].split("ID ")[1].split(",")[0]
    r = client.post(
        "/api/v1/assistance/sessions",
        json={"resident": {"personal_id": resident_id}, "actions": ["follow"]},
        headers={"Authorization": f"Bearer {token['access_token']}"},
    )
    assert r.status_code == 201, r.json
    assert RESIDENT_PHONE not in app.extensions["otp_sender"].codes
    assert len(app.extensions["otp_sender"].codes) == 1
