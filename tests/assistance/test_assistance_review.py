"""Assisted use, found in review: scoped dossier lists page right and show only the resident's
own dossiers; consent-code wording; plain words for citizens; input limits."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from api.auth.models import Account
from api.dossiers.models import Dossier, DossierFollow
from api.kernel.database import db
from tests.helpers.assist_world import CODE, OWNER_ID, build, start
from tests.helpers.dossiers import hoso, push

LIST = "/api/v1/assist/dossiers"


@pytest.fixture
def world(client, app):
    app.extensions["otp_sender"].sent.clear()
    return build(client, app)


def test_a_grant_for_some_dossiers_pages_over_those_only(client, app, world):
    push(client, [hoso("000.00.15.H12-251120-0002"), hoso("000.00.15.H12-251120-0003")])
    _, headers = start(client, app, world, actions=("follow",), dossiers=[CODE])
    page = client.get(LIST, query_string={"page_size": 1}, headers=headers).json
    assert [d["code"] for d in page["items"]] == [CODE] and page["total"] == 1


def test_the_helper_sees_only_the_residents_own_dossiers_not_ones_they_follow(client, app, world):
    other = "000.00.15.H12-251120-0009"
    push(client, [hoso(other, SoGiayToChuHoSo="001099000111", ChuHoSo="Lê Văn Khác")])
    with app.app_context():
        dossier_id = db.session.scalar(select(Dossier.id).where(Dossier.code == other))
        resident = db.session.scalar(select(Account.id).where(Account.personal_id == OWNER_ID))
        db.session.add(DossierFollow(dossier_id=dossier_id, account_id=resident))
        db.session.commit()
    _, headers = start(client, app, world, actions=("follow",))
    page = client.get(LIST, headers=headers).json
    assert [d["code"] for d in page["items"]] == [CODE] and page["total"] == 1


def test_the_consent_code_says_who_asks_and_that_it_is_read_out(client, app, world, monkeypatch):
    """A sign-in code says "never share it"; this one must be read out to the helper, so its own
    words say who asks and to read it only to someone beside you. Still only to the record."""
    from api.auth.otp import PipelineOtpSender
    from push.notifications.models import Notification
    from push.notifications.state import scrub_secrets
    from push.notifications.templates import render
    from tests.helpers.assist_world import RESIDENT_PHONE

    monkeypatch.setitem(app.extensions, "otp_sender", PipelineOtpSender())
    r = client.post(
        "/api/v1/assistance/sessions",
        json={"resident": {"personal_id": OWNER_ID}, "actions": ["follow"], "hours": 1},
        headers=world.helper,
    )
    assert r.status_code == 201 and r.json["code_sent_to"].endswith("987")
    with app.app_context():
        (sent,) = db.session.scalars(
            select(Notification).where(Notification.chat_channel == "sms")
        ).all()
        assert (sent.event, sent.chat_id) == ("assist_code", RESIDENT_PHONE)
        code = sent.params["code"]
        words = render(sent.event, "vi", sent.params)
        assert code in words.sms and "Helper.A" in words.sms
        assert "dang o canh ban" in words.sms and "khong dua ma" not in words.sms.lower()
        assert "đọc mã" in words.body and "xem và theo dõi hồ sơ" in words.body
        scrub_secrets(sent)  # once delivered or given up, the code is gone from the database
        assert "code" not in (sent.params or {})
        db.session.rollback()
    confirm = client.post(
        f"/api/v1/assistance/grants/{r.json['id']}/confirm",
        json={"code": code},
        headers=world.helper,
    )
    assert confirm.status_code == 200 and confirm.json["state"] == "active"


def test_refusals_are_in_plain_words_in_each_language(client, app, world):
    """No state codes or English reasons inside the Vietnamese sentence (and vice versa)."""
    grant_id, _ = start(client, app, world)
    client.post(f"/api/v1/me/helpers/{grant_id}/revoke", headers=world.resident)
    again = client.post(f"/api/v1/me/helpers/{grant_id}/reject", headers=world.resident)
    assert again.status_code == 409
    assert again.json["message"] == "Không làm được việc này vì sự đồng ý đã bị dừng."
    english = client.post(
        f"/api/v1/me/helpers/{grant_id}/reject",
        headers={**world.resident, "Accept-Language": "en"},
    )
    assert english.json["message"] == "This cannot be done: the consent is stopped."
    body = {"resident": {"personal_id": OWNER_ID}, "actions": ["follow"], "hours": 9}
    too_long = client.post("/api/v1/assistance/sessions", json=body, headers=world.helper)
    assert too_long.status_code == 422 and too_long.json["message"].endswith("tối đa 4 giờ.")
    body = {"resident": {"personal_id": OWNER_ID}, "actions": ["follow", "dance"], "hours": 1}
    unknown = client.post("/api/v1/assistance/sessions", json=body, headers=world.helper)
    assert unknown.status_code == 422 and "xem và theo dõi hồ sơ" in unknown.json["message"]
    assert "none chosen" not in unknown.json["message"]


def test_the_resident_reads_what_was_done_in_plain_words(client, app, world):
    _, headers = start(client, app, world)
    client.get(LIST, headers=headers)
    client.get(f"{LIST}/{CODE}", headers=headers)
    sent = client.post(
        f"{LIST}/{CODE}/messages",
        json={"text": "Bà hỏi giúp", "client_message_id": "w1"},
        headers=headers,
    )
    assert sent.status_code == 201
    items = client.get("/api/v1/me/usage", headers=world.resident).json["items"]
    assert [i["what"] for i in items] == [
        f"Nhắn cho cán bộ về hồ sơ {CODE}",
        f"Xem hồ sơ {CODE}",
        "Xem danh sách hồ sơ của bạn",
    ]
    assert items[0]["what_en"] == f"Wrote to the officer about dossier {CODE}"
    (helper,) = client.get("/api/v1/me/helpers", headers=world.resident).json
    assert helper["what"] == "xem và theo dõi hồ sơ, nhắn cho cán bộ"
    assert (helper["state_label"], helper["state_label_en"]) == ("đang có hiệu lực", "in force")


def test_a_legal_representative_needs_an_end_day_and_the_papers_checked(client, app, world):
    from tests.helpers.assist_world import citizen

    citizen(app, "001090000888", "Mẹ", "84900000888", None)
    body = {
        "personal_id": OWNER_ID,
        "full_name": "Nguyễn Thị Hoa",
        "helper": {"personal_id": "001090000888"},
        "actions": ["follow"],
        "legal": True,
        "id_card_checked": True,
    }
    r = client.post("/api/v1/assistance/desk", json=body, headers=world.officer)
    assert r.status_code == 422 and set(r.json["errors"]) == {"valid_until", "documents"}
    assert client.get("/api/v1/me/helpers", headers=world.resident).json == []


def test_guessing_over_several_requests_stops_even_a_right_code(client, app, world):
    from tests.helpers.assist_world import RESIDENT_PHONE, ask

    sender = app.extensions["otp_sender"]
    for _ in range(2):  # 5 wrong tries each: both requests refused, 10 wrong in the hour
        grant = ask(client, world)
        wrong = f"{(int(sender.codes[RESIDENT_PHONE]) + 1) % 10**6:06d}"
        for _ in range(5):
            client.post(
                f"/api/v1/assistance/grants/{grant['id']}/confirm",
                json={"code": wrong},
                headers=world.helper,
            )
    grant = ask(client, world)
    right = client.post(
        f"/api/v1/assistance/grants/{grant['id']}/confirm",
        json={"code": sender.codes[RESIDENT_PHONE]},
        headers=world.helper,
    )
    assert right.status_code == 429 and right.headers["Retry-After"]
    (mine,) = client.get("/api/v1/assistance/grants", headers=world.helper).json["items"]
    assert mine["id"] == grant["id"] and mine["state"] == "pending"


def test_a_commune_admin_sees_only_their_communes_teams(client, app, world):
    from tests.helpers.common import bearer, make_staff, sign_in_staff

    make_staff(app, "admin.other", "admin")
    with app.app_context():  # a commune admin (staff accounts make admins unbound)
        account = db.session.scalar(select(Account).where(Account.username == "admin.other"))
        account.commune_code = world.other_commune
        db.session.commit()
    other = bearer(sign_in_staff(client, "admin.other"))
    team = client.get(f"/api/v1/admin/assistance/teams/{world.team_id}", headers=other)
    assert team.status_code == 403 and team.json["error"] == "assist_commune_scope"
    listed = client.get("/api/v1/admin/assistance/teams", headers=other).json
    assert listed["items"] == [] and listed["total"] == 0
    mine = client.get(f"/api/v1/admin/assistance/teams/{world.team_id}", headers=world.admin)
    assert mine.status_code == 200 and mine.json["members"]
    grant_id, _ = start(client, app, world)
    history = f"/api/v1/assistance/grants/{grant_id}/history"
    assert client.get(history, headers=other).status_code == 404
    assert client.get(history, headers=world.admin).status_code == 200


def test_the_chat_menu_has_a_who_is_helping_me_button(client, app, world):
    """An elderly resident taps; nobody should have to guess the phrase."""
    from bots.engine.router import handle
    from bots.engine.types import BUTTON, START, Incoming

    with app.app_context():
        (menu,) = handle(Incoming("telegram", "tg-9", START))
        db.session.commit()
        (who,) = [b for row in menu.buttons for b in row if b.data == "ag"]
        assert who.label == "🤝 Ai đang giúp tôi?"
        (reply,) = handle(Incoming("telegram", "tg-9", BUTTON, data="ag"))
        db.session.commit()
        assert reply.text.startswith("Để xem ai đang được phép giúp bạn")  # link first


def test_the_chat_tells_a_waiting_request_from_a_running_help(client, app, world):
    from api.audit.service import Origin
    from api.profile.service import link_chat
    from bots.engine.identity import remember_link
    from bots.engine.router import handle
    from bots.engine.types import BUTTON, Incoming
    from tests.helpers.assist_world import ask

    start(client, app, world)
    ask(client, world, actions=("follow",))
    with app.app_context():
        link_chat(world.resident_account_id, "telegram", "tg-1", Origin(channel="telegram"))
        remember_link("telegram", "tg-1", "phone")
        db.session.commit()
        (reply,) = handle(Incoming("telegram", "tg-1", BUTTON, data="ag"))
        db.session.commit()
    waiting, running = reply.text.splitlines()[1:]
    assert waiting == "• Helper.A xin phép giúp bạn: xem và theo dõi hồ sơ – đang chờ bạn đồng ý"
    assert running.startswith("• Helper.A: xem và theo dõi hồ sơ, nhắn cho cán bộ (đến ")
    assert "…" not in reply.text
    labels = [row[0].label for row in reply.buttons[:2]]
    assert labels == ["⛔ Không đồng ý: Helper.A", "⛔ Dừng Helper.A"]


def test_the_helpers_grants_are_paged(client, app, world):
    from tests.helpers.assist_world import citizen

    made = []
    for i in range(3):
        citizen(app, f"00109900077{i}", f"Cụ {i}", f"8491234577{i}", world.commune)
        body = {"resident": {"personal_id": f"00109900077{i}"}, "actions": ["follow"]}
        r = client.post("/api/v1/assistance/sessions", json=body, headers=world.helper)
        made.append(r.json["id"])
    first = client.get(
        "/api/v1/assistance/grants", query_string={"page_size": 2}, headers=world.helper
    ).json
    assert first["total"] == 3 and [g["id"] for g in first["items"]] == made[::-1][:2]
    second = client.get(
        "/api/v1/assistance/grants",
        query_string={"page_size": 2, "page": 2},
        headers=world.helper,
    ).json
    assert [g["id"] for g in second["items"]] == [made[0]]
    bad = client.get(
        "/api/v1/assistance/grants", query_string={"page_size": 0}, headers=world.helper
    )
    assert bad.status_code == 422 and bad.json["error"] == "validation_failed"


def test_the_commune_sees_disputed_entries(client, app, world):
    _, headers = start(client, app, world)
    client.get(LIST, headers=headers)
    (entry,) = client.get("/api/v1/me/usage", headers=world.resident).json["items"]
    r = client.post(
        f"/api/v1/me/usage/{entry['id']}/dispute",
        json={"note": "Tôi không nhờ"},
        headers=world.resident,
    )
    assert r.status_code == 200
    url = f"/api/v1/admin/assistance/teams/{world.team_id}/activity"
    figures = client.get(url, headers=world.admin).json
    assert figures["totals"]["disputed"] == 1 and figures["members"][0]["disputed"] == 1


def test_out_of_scope_writes_are_refused_before_the_dossier_is_looked_up(client, app, world):
    """A grant for one dossier says nothing about which other dossiers exist."""
    _, headers = start(client, app, world, dossiers=[CODE])
    body = {"text": "Xin hỏi", "client_message_id": "s1"}
    for code in ("000.00.15.H12-251120-0077", "KHONG-CO"):
        r = client.post(f"{LIST}/{code}/messages", json=body, headers=headers)
        assert r.status_code == 403 and r.json["error"] == "assist_out_of_scope"


def test_a_wrong_code_does_not_look_like_a_lost_sign_in(client, app, world):
    """Apps sign people out on 401; a helper who mistypes the code must stay signed in."""
    from tests.helpers.assist_world import RESIDENT_PHONE, ask

    grant = ask(client, world)
    wrong = f"{(int(app.extensions['otp_sender'].codes[RESIDENT_PHONE]) + 1) % 10**6:06d}"
    r = client.post(
        f"/api/v1/assistance/grants/{grant['id']}/confirm",
        json={"code": wrong},
        headers=world.helper,
    )
    assert r.status_code == 400 and r.json["error"] == "assist_code_invalid"
    assert "WWW-Authenticate" not in r.headers
    assert client.get("/api/v1/assistance/grants", headers=world.helper).status_code == 200


def test_the_demo_resident_has_a_phone_even_when_the_first_is_taken(client, app):
    from api.auth.models import ROLE_CITIZEN
    from api.kernel.phone import normalise_phone
    from sandbox.demo_dossiers import seed_demo_dossiers
    from sandbox.demo_people import seed_demo_assistance

    with app.app_context():
        seed_demo_dossiers(20)
        first = db.session.scalar(
            select(Dossier)
            .where(Dossier.applicant_type == "1", Dossier.applicant_id_number != "")
            .where(Dossier.phone != "")
            .order_by(Dossier.code)
            .limit(1)
        )
        taken = normalise_phone(first.phone)
        db.session.add(
            Account(role=ROLE_CITIZEN, assurance="phone", phone=taken, full_name="Người khác")
        )
        db.session.commit()
        lines = seed_demo_assistance()
        resident = db.session.scalar(
            select(Account).where(Account.role == ROLE_CITIZEN, Account.personal_id.is_not(None))
        )
        assert resident.phone and resident.phone != taken
    assert "Demo resident" in lines[1] and "phone 0" in lines[1]


def test_probing_id_numbers_counts_against_the_helpers_limit(client, app, world):
    body = {"actions": ["follow"], "hours": 1}
    statuses = [
        client.post(
            "/api/v1/assistance/sessions",
            json={**body, "resident": {"personal_id": f"0010990{i:05d}"}},
            headers=world.helper,
        ).status_code
        for i in range(21)
    ]
    assert statuses == [404] * 20 + [429]


def test_a_past_last_day_is_not_called_too_long(client, app, world):
    body = {"agent": {"phone": "0912345000"}, "actions": ["follow"], "valid_until": "2020-01-01"}
    from tests.helpers.assist_world import citizen

    citizen(app, "001090000555", "Con trai", "84912345000", world.commune)
    r = client.post("/api/v1/me/mandates", json=body, headers=world.resident)
    assert r.status_code == 422 and r.json["error"] == "assist_day_past"
    assert r.json["message"] == "Ngày kết thúc đã qua. Xin chọn từ hôm nay trở đi."


def test_asking_again_replaces_the_earlier_waiting_request(client, app, world):
    from tests.helpers.assist_world import RESIDENT_PHONE, ask

    first = ask(client, world)
    first_code = app.extensions["otp_sender"].codes[RESIDENT_PHONE]
    second = ask(client, world)
    waiting = client.get("/api/v1/me/helpers", headers=world.resident).json
    assert [g["id"] for g in waiting] == [second["id"]]
    late = client.post(
        f"/api/v1/assistance/grants/{first['id']}/confirm",
        json={"code": first_code},
        headers=world.helper,
    )
    assert late.status_code == 409
    history = client.get(
        f"/api/v1/assistance/grants/{first['id']}/history", headers=world.resident
    ).json
    assert (history[-1]["to_state"], history[-1]["reason"]) == ("revoked", "replaced")


def test_every_grant_past_its_time_leaves_who_is_helping_me(client, app, world):
    from datetime import UTC, datetime, timedelta

    from api.assistance.models import Grant
    from tests.helpers.assist_world import citizen

    start(client, app, world)
    citizen(app, "001090000444", "Em", "84900000444", None)
    desk = client.post(
        "/api/v1/assistance/desk",
        json={
            "personal_id": OWNER_ID,
            "full_name": "Nguyễn Thị Hoa",
            "helper": {"personal_id": "001090000444"},
            "actions": ["follow"],
            "hours": 1,
            "id_card_checked": True,
        },
        headers=world.officer,
    )
    assert desk.status_code == 201
    with app.app_context():
        for grant in db.session.scalars(select(Grant)):
            grant.expires_at = datetime.now(UTC) - timedelta(minutes=1)
        db.session.commit()
    assert client.get("/api/v1/me/helpers", headers=world.resident).json == []
