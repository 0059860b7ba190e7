"""The public report in a real headless browser (Debian's chromium + chromium-driver, driven
by selenium): readable at 375 px wide with no sideways scrolling, its pictures drawn.
Screenshots are kept in instance/screenshots/ (and the test's tmp dir) to be looked at."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from api.kernel.database import db
from api.quality import snapshots
from tests.helpers.quality import CUTOFF, UNIT_A, _seed

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
SHOTS = Path(__file__).resolve().parents[2] / "instance" / "screenshots"


def _browser():
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:  # pragma: no cover - dev dependency missing
        return None
    if not (CHROMIUM and DRIVER):
        return None
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--hide-scrollbars",
        "--force-device-scale-factor=1",
    ):
        options.add_argument(flag)
    options.add_experimental_option("prefs", {"intl.accept_languages": "vi-VN,vi"})
    options.add_experimental_option(
        "mobileEmulation", {"deviceMetrics": {"width": 375, "height": 812, "pixelRatio": 1}}
    )
    return webdriver.Chrome(service=Service(DRIVER), options=options)


@pytest.fixture
def browser():
    driver = _browser()
    if driver is None:
        message = (
            "\n" + "#" * 78 + "\n# BROWSER TEST SKIPPED: chromium / chromium-driver / selenium not "
            "available.\n# Install: apt-get install -y chromium chromium-driver (run-tests.sh does "
            "it as root)\n" + "#" * 78 + "\n"
        )
        sys.stderr.write(message)
        pytest.skip("chromium + chromium-driver not installed (see the banner above)")
    yield driver
    driver.quit()


def _publish(client, app):
    with app.app_context():
        _seed(client)
        for kind, code in (("province", "all"), ("unit", UNIT_A)):
            snapshots.create_snapshot(kind, code, "month", "2025-11", cutoff=CUTOFF, publish=True)
        db.session.commit()


@pytest.mark.parametrize(
    ("path", "name"),
    [("/quality/province/all", "province"), (f"/quality/unit/{UNIT_A}?lang=en", "unit-en")],
)
def test_report_is_readable_at_375_px_with_pictures(
    app, client, live_server, browser, tmp_path, path, name
):
    _publish(client, app)
    browser.get(live_server + path)
    assert browser.execute_script("return window.innerWidth") == 375
    widths = browser.execute_script(
        "const d = document.documentElement;"
        "return [d.scrollWidth, d.clientWidth, document.body.scrollWidth];"
    )
    assert widths[0] <= 375 and widths[2] <= 375, f"horizontal overflow: {widths}"
    charts = browser.execute_script(
        "return [...document.querySelectorAll('svg.chart')].map(s => {"
        "const r = s.getBoundingClientRect();"
        "return {id: s.id, w: r.width, h: r.height, right: r.right,"
        " bars: s.querySelectorAll('.bar, circle').length, title: s.querySelector('title').textContent};"
        "});"
    )
    expected = {"chart-total", "chart-groups", "chart-trend"} | (
        {"chart-units"} if name == "province" else set()
    )
    assert {c["id"] for c in charts} == expected
    for chart in charts:
        assert chart["w"] > 100 and chart["h"] > 40 and chart["right"] <= 375, chart
        assert chart["bars"] > 0 and chart["title"], chart
    # Nothing reaches outside the screen, and the words are there to read.
    outside = browser.execute_script(
        "return [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > 376)"
        ".map(e => e.tagName + '.' + e.className).slice(0, 5);"
    )
    assert outside == []
    text = browser.find_element("tag name", "main").text
    assert ("Tổng điểm" if name == "province" else "Total score") in text
    SHOTS.mkdir(parents=True, exist_ok=True)
    assert browser.save_screenshot(str(SHOTS / f"quality-{name}-375-first-screen.png"))
    height = browser.execute_script("return document.documentElement.scrollHeight")
    browser.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": 375, "height": height, "deviceScaleFactor": 1, "mobile": True},
    )
    for target in (tmp_path / f"quality-{name}-375.png", SHOTS / f"quality-{name}-375.png"):
        assert browser.save_screenshot(str(target))
        assert target.stat().st_size > 10_000
