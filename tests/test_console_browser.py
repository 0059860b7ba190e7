"""The console in a real headless Chromium (Debian's chromium + chromium-driver, driven by
selenium): an officer answers a thread and the reply reaches the citizen's Telegram (a fake on
127.0.0.1); an admin adds and suspends a staff member; pages at 375 px and 1280 px wide are
photographed and checked to show their content, with htmx running under the CSP.

Skipped, loudly, when Chromium or its driver is missing (scripts/run-tests.sh installs them
when it runs as root). Screenshots go to $CONSOLE_SCREENSHOTS or a pytest tmp dir."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import png
import pytest
from sqlalchemy import select

from api.auth.models import Account
from api.kernel.database import db
from api.messaging.storage import LocalStorage
from api.notifications.fanout import process_pending_events
from api.notifications.models import Notification
from api.profile.models import ChatIdentity, NotificationPreference
from push.channels.registry import Channels
from push.channels.telegram import TelegramClient
from push.notifications import dispatch
from tests.dossier_factory import CODE, OWNER_ID, UNIT, hoso, push
from tests.fakes.telegram_api import TOKEN, FakeTelegramApi
from tests.helpers import STAFF_PASSWORD, make_staff

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
MISSING = not (CHROMIUM and DRIVER)
if MISSING:
    sys.stderr.write(
        "\n!!! console browser tests SKIPPED: chromium and chromium-driver are not installed "
        "(apt-get install -y chromium chromium-driver) !!!\n"
    )
pytestmark = pytest.mark.skipif(
    MISSING, reason="chromium/chromium-driver not installed: browser tests SKIPPED"
)
WIDTHS = (375, 1280)
# No htmx request in flight, and the last swap settled.
SETTLED = (
    "return document.readyState === 'complete' && "
    "!document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling, .htmx-added')"
)


@pytest.fixture
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--force-device-scale-factor=1",
        "--lang=vi",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    driver.set_window_size(1280, 900)
    driver.implicitly_wait(0)
    yield driver
    driver.quit()


@pytest.fixture
def shots(tmp_path_factory) -> Path:
    folder = os.environ.get("CONSOLE_SCREENSHOTS")
    path = Path(folder) if folder else tmp_path_factory.mktemp("console-screens")
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture
def telegram(app, tmp_path):
    app.extensions["attachment_storage"] = LocalStorage(tmp_path / "attachments")
    with FakeTelegramApi() as fake:
        app.extensions["push_channels"] = Channels(telegram=TelegramClient(fake.url, TOKEN))
        yield fake
    app.extensions.pop("push_channels", None)
    app.extensions.pop("attachment_storage", None)


def wait_text(driver, text: str, timeout: float = 10) -> None:  # noqa: ANN001
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.support.ui import WebDriverWait

    # htmx swaps the page under us: an element read mid-swap is simply read again.
    WebDriverWait(driver, timeout, ignored_exceptions=(StaleElementReferenceException,)).until(
        lambda d: d.execute_script(SETTLED) and text in d.find_element("tag name", "body").text
    )


def sign_in(driver, base: str, username: str) -> None:  # noqa: ANN001
    driver.get(f"{base}/console/login")
    driver.find_element("id", "username").send_keys(username)
    driver.find_element("id", "password").send_keys(STAFF_PASSWORD)
    driver.find_element("css selector", "form button.primary").click()


def photograph(driver, folder: Path, name: str, must_show: str) -> list[Path]:  # noqa: ANN001
    """At each width: no sideways scrolling, the key text on screen, a picture that is not
    blank. Returns the files."""
    files = []
    for width in WIDTHS:
        driver.set_window_size(width, 900)
        inner = driver.execute_script("return window.innerWidth")
        # The viewport without the vertical scroll bar: what the content must fit in.
        room = driver.execute_script("return document.documentElement.clientWidth")
        scroll = driver.execute_script("return document.documentElement.scrollWidth")
        assert scroll <= room, f"{name} at {width}px scrolls sideways ({scroll} > {room})"
        xpath = (
            f"//*[contains(normalize-space(.), '{must_show}')]"
            f"[not(*[contains(normalize-space(.), '{must_show}')])]"
        )
        shown = [e for e in driver.find_elements("xpath", xpath) if e.is_displayed()]
        assert shown, f"{name} at {width}px: {must_show!r} not on screen"
        assert shown[0].rect["x"] + shown[0].rect["width"] <= room + 1
        path = folder / f"{name}-{width}.png"
        driver.save_screenshot(str(path))
        w, h, rows, _ = png.Reader(filename=str(path)).asRGBA8()
        colours = set()
        for i, row in enumerate(rows):
            if i % 7 == 0:
                colours.update(tuple(row[j : j + 3]) for j in range(0, len(row), 4 * 11))
        assert w == inner and h > 300 and len(colours) > 20, f"{path} looks blank"
        files.append(path)
    driver.set_window_size(1280, 900)
    return files


UNLABELLED = """
return [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
  .filter(e => e.labels.length === 0 && !e.getAttribute('aria-label')).map(e => e.name)
"""


def accessible(driver) -> None:  # noqa: ANN001
    """Every field has a label; the focused control shows a visible outline."""
    assert driver.execute_script(UNLABELLED) == []
    driver.execute_script("document.activeElement && document.activeElement.blur()")
    driver.find_element("tag name", "body").send_keys("\ue004\ue004")  # Tab, Tab: by keyboard
    style = driver.execute_script(
        "const s = getComputedStyle(document.activeElement); return [s.outlineStyle, s.outlineWidth]"
    )
    assert style[0] != "none" and style[1] != "0px", style


def csp_problems(driver) -> list[str]:  # noqa: ANN001
    return [
        e["message"] for e in driver.get_log("browser") if "Content Security Policy" in e["message"]
    ]


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
