"""The dossier's contact: who proved the record's phone by a one-time code. What it opens,
what only VNeID opens, and that moving the number on the portal's record revokes at once."""

from __future__ import annotations

from sqlalchemy import select

from api.audit.models import AuditEvent
from api.kernel.database import db
from tests.helpers.common import (
    bearer,
    make_staff,
    sign_in_phone,
    sign_in_staff,
    sign_in_verified,
)
from tests.helpers.dossiers import CODE, OWNER_ID, UNIT, hoso, push

URL = f"/api/v1/dossiers/{CODE}"


def test_the_contact_opens_writes_and_follows_without_digits(client, app):
    push(client, [hoso(status=10, NgayTra="20251121100000", DanhSachGiayToKetQua=[
        {"TenGiayTo": "Giấy khai sinh", "MaGiayToKetQua": "KQ-SECRET-1"}
    ])])  # fmt: skip
    contact = bearer(sign_in_phone(client, app, "0912345987"))
    full = client.get(URL, headers=contact).json
    assert full["view"] == "contact" and full["applicant_id_masked"] == "********3456"
    assert full["applicant_id_number"] is None and OWNER_ID not in str(full)
    # Result papers by name only: their codes open the result (VNeID owner, staff).
    assert full["result_documents"] == [{"name": "Giấy khai sinh"}]
    assert client.get(f"{URL}/qr", headers=contact).status_code == 404
    assert client.post(f"{URL}/follow", json={}, headers=contact).status_code == 200
    assert (
        client.post(f"{URL}/messages", json={"text": "Xin hỏi"}, headers=contact).status_code == 201
    )
    owner = bearer(sign_in_verified(app, OWNER_ID))
    mine = client.get(URL, headers=owner).json
    assert mine["view"] == "full" and mine["applicant_id_number"] == OWNER_ID
    assert mine["result_documents"][0]["code"] == "KQ-SECRET-1"


def test_moving_the_number_revokes_at_once_and_is_audited(client, app):
    push(client, [hoso()])
    contact = bearer(sign_in_phone(client, app, "0912345987"))
    newcomer = bearer(sign_in_phone(client, app, "0987654321"))
    assert client.get(URL, headers=contact).status_code == 200
    assert client.get(URL, headers=newcomer).status_code == 404
    # The portal's latest record carries another number (a later update).
    push(client, [hoso(SoDienThoai="0987654321", NgayTiepNhan="20251120100000")])
    assert client.get(URL, headers=contact).status_code == 404
    assert client.get("/api/v1/me/dossiers", headers=contact).json["total"] == 0
    r = client.post(f"{URL}/messages", json={"text": "Còn tôi?"}, headers=contact)
    assert r.status_code == 404
    assert client.get(URL, headers=newcomer).json["view"] == "contact"
    old_trail = [e["action"] for e in client.get("/api/v1/me/audit", headers=contact).json["items"]]
    new_trail = [
        e["action"] for e in client.get("/api/v1/me/audit", headers=newcomer).json["items"]
    ]
    assert (
        old_trail.count("dossier_contact_granted") == 1 and "dossier_contact_revoked" in old_trail
    )
    assert "dossier_contact_granted" in new_trail
    # Signing in again grants nothing twice.
    sign_in_phone(client, app, "0987654321")
    with app.app_context():
        grants = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "dossier_contact_granted")
        ).all()
        assert len(grants) == 2


def test_staff_with_the_same_phone_are_not_the_contact(client, app):
    from api.auth.models import Account

    push(client, [hoso(DonViXuLy="UBND xã Khác")])
    make_staff(app, "officer.hk", "officer", unit_code=UNIT)
    with app.app_context():
        staff = db.session.scalar(select(Account).where(Account.username == "officer.hk"))
        staff.phone = "84912345987"
        db.session.commit()
    officer = bearer(sign_in_staff(client, "officer.hk"))
    assert client.get(URL, headers=officer).status_code == 404


def test_linking_a_chat_puts_it_first_and_can_be_changed(client, app):
    from api.audit.service import Origin
    from api.profile.service import link_chat

    headers = bearer(sign_in_phone(client, app, "0912345987"))
    with app.app_context():
        from api.auth.models import Account

        account = db.session.scalar(select(Account).where(Account.phone == "84912345987"))
        link_chat(account.id, "telegram", "555", Origin(channel="test"))
        db.session.commit()
    prefs = client.get("/api/v1/me/notification-preferences", headers=headers).json
    assert prefs["channels"][0] == "telegram" and "app" in prefs["channels"]
    changed = dict(prefs, channels=["app", "telegram"])
    r = client.put("/api/v1/me/notification-preferences", json=changed, headers=headers)
    assert r.status_code == 200 and r.json["channels"] == ["app", "telegram"]
