"""The console in a real headless Chromium (Debian's chromium + chromium-driver, driven by
selenium): an officer answers a thread and the reply reaches the citizen's Telegram (a fake on
127.0.0.1); an admin adds and suspends a staff member; pages at 375 px and 1280 px wide are
photographed and checked to show their content, with htmx running under the CSP.

Skipped, loudly, when Chromium or its driver is missing (scripts/run-tests.sh installs them
when it runs as root). Screenshots go to $CONSOLE_SCREENSHOTS or a pytest tmp dir."""

from __future__ import annotations

import sys

import pytest
from sqlalchemy import select

from api.auth.models import Account
from api.kernel.database import db
from api.messaging.storage import LocalStorage
from api.profile.models import ChatIdentity, NotificationPreference
from push.channels.registry import Channels
from push.channels.telegram import TelegramClient
from push.notifications import dispatch
from push.notifications.fanout import process_pending_events
from push.notifications.models import Notification
from tests.fakes.telegram_api import TOKEN, FakeTelegramApi
from tests.helpers.browser import (
    MISSING,
    accessible,
    csp_problems,
    photograph,
    sign_in,
    wait_text,
)
from tests.helpers.common import STAFF_PASSWORD, make_staff
from tests.helpers.dossiers import CODE, OWNER_ID, UNIT, hoso, push

if MISSING:
    sys.stderr.write(
        "\n!!! console browser tests SKIPPED: chromium and chromium-driver are not installed "
        "(apt-get install -y chromium chromium-driver) !!!\n"
    )
pytestmark = pytest.mark.skipif(
    MISSING, reason="chromium/chromium-driver not installed: browser tests SKIPPED"
)


@pytest.fixture
def telegram(app, tmp_path):
    app.extensions["attachment_storage"] = LocalStorage(tmp_path / "attachments")
    with FakeTelegramApi() as fake:
        app.extensions["push_channels"] = Channels(telegram=TelegramClient(fake.url, TOKEN))
        yield fake
    app.extensions.pop("push_channels", None)
    app.extensions.pop("attachment_storage", None)


def test_officer_answers_and_the_reply_reaches_telegram(
    app, client, live_server, browser, telegram, shots
):
    push(client, [hoso()])
    make_staff(app, "officer.hk", "officer", unit_code=UNIT)
    make_staff(app, "officer.other", "officer", unit_code="UBND xã Khác")
    with app.app_context():
        citizen = Account(
            role="citizen", assurance="vneid", personal_id=OWNER_ID, full_name="Nguyễn Thị Hoa"
        )
        db.session.add(citizen)
        db.session.flush()
        db.session.add(ChatIdentity(account_id=citizen.id, channel="telegram", external_id="777"))
        db.session.add(
            NotificationPreference(
                account_id=citizen.id, channels=["telegram"], events={}, language="vi"
            )
        )
        db.session.commit()
        from api.auth.guard import Principal
        from api.messaging.service import post_message

        owner = Principal.of(citizen, "vneid")
        post_message(owner, CODE, "Cho tôi hỏi bao giờ có giấy khai sinh ạ?")
        dispatch.deliver_batch(process_pending_events())  # the dossier's own status news
    before = len(telegram.sent_messages())

    sign_in(browser, live_server, "officer.hk")
    wait_text(browser, CODE)
    assert browser.execute_script("return typeof htmx") == "object"  # the enhancement runs
    assert "1 chưa đọc" in browser.find_element("tag name", "body").text
    photograph(browser, shots, "inbox", CODE)

    # Keyboard: the skip link comes first and moves to the main content.
    browser.find_element("tag name", "body").send_keys("\ue004")  # Tab
    active = browser.switch_to.active_element
    assert active.get_attribute("class") == "skip"

    browser.find_element("link text", CODE).click()
    wait_text(browser, "Quá trình xử lý")
    body = browser.find_element("tag name", "body").text
    assert "Người dân" in body and "Đăng ký khai sinh" in body and "Quá trình xử lý" in body
    browser.find_element("id", "text").send_keys("Chị đến nhận vào chiều mai nhé.")
    browser.find_element("css selector", "form[enctype] button.primary").click()
    wait_text(browser, "Đã gửi trả lời tới người dân.")
    wait_text(browser, "Chị đến nhận vào chiều mai nhé.")
    photograph(browser, shots, "thread", "Chị đến nhận vào chiều mai nhé.")
    accessible(browser)

    # The workers' part, synchronously: the reply becomes a Telegram message to the citizen.
    with app.app_context():
        pending = db.session.scalars(
            select(Notification.id).where(Notification.status == "pending")
        ).all()
        dispatch.deliver_batch(pending)
    (sent,) = telegram.sent_messages()[before:]
    assert sent["chat_id"] == "777" and "Chị đến nhận vào chiều mai nhé." in sent["text"]
    assert CODE in sent["text"]

    # English, then signed out; the other unit's officer cannot open this thread.
    browser.find_element("css selector", "button[lang='en']").click()
    wait_text(browser, "Send reply")
    photograph(browser, shots, "thread-en", "Handling timeline")
    browser.find_element("xpath", "//button[normalize-space()='Sign out']").click()
    wait_text(browser, "You have signed out.")
    sign_in(browser, live_server, "officer.other")
    wait_text(browser, "Dossier inbox")
    browser.get(f"{live_server}/console/inbox/threads/{CODE}")
    wait_text(browser, "could not be done")
    assert "Chị đến nhận" not in browser.find_element("tag name", "body").text
    assert csp_problems(browser) == []


def test_admin_adds_and_suspends_a_staff_member(app, client, live_server, browser, shots):
    make_staff(app, "root", "admin")
    make_staff(app, "admin.hk", "admin", commune_code=70)
    with app.app_context():
        from api.audit.service import Origin
        from api.staff.units import create_unit

        create_unit(
            "HK.UBND",
            "UBND phường Hoàn Kiếm",
            commune_code=70,
            province_code=None,
            actor_id=None,
            origin=Origin(channel="test"),
        )
        db.session.commit()  # the test is the caller: it owns the unit of work
    sign_in(browser, live_server, "admin.hk")
    wait_text(browser, "Cán bộ của địa bàn")
    browser.find_element("link text", "Thêm cán bộ").click()
    wait_text(browser, "Ít nhất 10 ký tự")
    photograph(browser, shots, "staff-new", "Họ và tên")
    accessible(browser)
    browser.find_element("id", "full_name").send_keys("Lê Thị Mai")
    browser.find_element("id", "username").send_keys("mai.hk")
    from selenium.webdriver.support.ui import Select

    Select(browser.find_element("id", "role")).select_by_value("officer")
    Select(browser.find_element("id", "unit_code")).select_by_value("HK.UBND")
    browser.find_element("id", "password").send_keys(STAFF_PASSWORD)
    browser.find_element("css selector", "form.card button.primary").click()
    wait_text(browser, "Đã tạo tài khoản mai.hk.")
    browser.find_element("xpath", "//button[normalize-space()='Tạm khóa']").click()
    wait_text(browser, "Đã tạm khóa tài khoản.")
    photograph(browser, shots, "staff-detail", "tạm khóa tài khoản")
    with app.app_context():
        mai = db.session.scalar(select(Account).where(Account.username == "mai.hk"))
        assert mai.unit_code == "HK.UBND" and not mai.active
    browser.find_element("link text", "Cán bộ").click()
    wait_text(browser, "Lê Thị Mai")
    photograph(browser, shots, "staff-list", "Lê Thị Mai")
    assert (
        "root" not in browser.find_element("tag name", "table").text
    )  # national admin: not in the commune
    assert csp_problems(browser) == []
