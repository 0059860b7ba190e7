"""The demo's staff: seeded twice without change, and the console pages have content."""

from __future__ import annotations

from sqlalchemy import func, select

from api.auth.models import Account
from api.kernel.database import db
from api.messaging.models import MessageThread
from sandbox.demo_people import DEMO_PASSWORD, seed_demo_staff
from tests.helpers.console import console_sign_in, post_form


def test_demo_staff_and_their_pages(app, client):
    from sandbox.demo_dossiers import seed_demo_dossiers

    with app.app_context():
        seed_demo_dossiers()
        printed = seed_demo_staff()
        counts = (
            db.session.scalar(select(func.count()).select_from(Account)),
            db.session.scalar(select(func.count()).select_from(MessageThread)),
        )
        assert seed_demo_staff() == printed
        again = (
            db.session.scalar(select(func.count()).select_from(Account)),
            db.session.scalar(select(func.count()).select_from(MessageThread)),
        )
        assert again == counts and counts[1] >= 1
    assert [p[0] for p in printed][:3] == ["canbo.tanhoa", "quantri.tanhoa", "quantri.vinhlong"]
    console_sign_in(client, "canbo.tanhoa", DEMO_PASSWORD)
    html = client.get("/console/inbox/").get_data(as_text=True)
    assert "chưa đọc" in html and "Ủy ban nhân dân xã Tân Hòa" in html
    assert post_form(client, "/console/logout").status_code == 303
    console_sign_in(client, "quantri.vinhlong", DEMO_PASSWORD)
    html = client.get("/console/staff/").get_data(as_text=True)
    assert "Nguyễn Văn Bình" in html and "Phạm Thu Hà" in html and "Võ Quốc Hùng" in html
    units = client.get("/console/units/").get_data(as_text=True)
    assert "Trung tâm Phục vụ hành chính công tỉnh" in units
    assert post_form(client, "/console/logout").status_code == 303
    # The sections of issue 18: each printed sign-in reaches its pages with content.
    names = [p[0] for p in printed]
    assert {"tocongnghe.tanhoa", "hoidap.tinh"} <= set(names)
    console_sign_in(client, "tocongnghe.tanhoa", DEMO_PASSWORD)
    html = client.get("/console/help/").get_data(as_text=True)
    assert "Bắt đầu phiên giúp" in html
    assert post_form(client, "/console/logout").status_code == 303
    console_sign_in(client, "hoidap.tinh", DEMO_PASSWORD)
    html = client.get("/console/inbox/questions/").get_data(as_text=True)
    assert "thẻ bảo hiểm y tế" in html
    assert post_form(client, "/console/logout").status_code == 303
    console_sign_in(client, "quantri.tanhoa", DEMO_PASSWORD)
    html = client.get("/console/teams/").get_data(as_text=True)
    assert "Ấp Tân Hòa" in html
    assert post_form(client, "/console/logout").status_code == 303
    console_sign_in(client, "canbo.tanhoa", DEMO_PASSWORD)
    assert client.get("/console/articles/").status_code == 200
    assert client.get("/console/figures/").status_code == 200


def test_the_seed_commands_keep_their_names(app):
    """`make seed` calls `flask dossiers|staff|support seed-demo`: sandbox/seed.py adds them to
    the domains' groups; the staff one still refuses outside the sandbox."""
    runner = app.test_cli_runner()
    for group in ("dossiers", "staff", "support"):
        assert runner.invoke(args=[group, "seed-demo", "--help"]).exit_code == 0
    refused = runner.invoke(args=["staff", "seed-demo"])
    assert "for the sandbox only (SANDBOX=1); nothing done." in refused.output
    made = runner.invoke(args=["support", "seed-demo"])
    assert made.exit_code == 0 and made.output.startswith("Support demo: 18 articles, 2 surveys")
