"""Shared test helpers."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import png
import pytest

from tests.helpers.common import STAFF_PASSWORD

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


DRIVER = shutil.which("chromedriver")


MISSING = not (CHROMIUM and DRIVER)


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
