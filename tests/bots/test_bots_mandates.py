"""A standing mandate made in the chat (issue 15): the linked resident names the agent by
phone, ticks what they may do, picks how long and confirms, through both bots' webhooks; the
agent accepts in the app with the code the chat showed, within the 7 days, as in the app flow."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from api.assistance.models import MANDATE, Grant
from api.assistance.rules import local_today
from api.kernel import clock
from api.kernel.database import db
from tests.helpers.assist_world import citizen
from tests.helpers.bots import Bot, callbacks_fit

AGENT_PHONE = "84987654321"


@pytest.fixture(name="agent")
def agent_fixture(app):
    return citizen(app, "079200001111", "Trần Văn Nam", AGENT_PHONE, None)


def _grant(world) -> Grant | None:  # noqa: ANN001
    with world.app.app_context():
        grant = db.session.scalar(select(Grant).where(Grant.kind == MANDATE))
        if grant is not None:
            db.session.expunge(grant)
        return grant


def _walk(bot: Bot, typed_phone: str, actions: list[str], months: str) -> None:
    bot.tap("ag")
    assert "mn" in bot.data()  # «Ai đang giúp tôi?» offers to ask someone
    bot.tap("mn")
    bot.say(typed_phone)
    for action in actions:
        bot.tap(f"mt:{action}")
    bot.tap("mo")
    assert {"mu:1", "mu:3", "mu:6", "mu:12"} <= set(bot.data())
    bot.tap(f"mu:{months}")


@pytest.mark.parametrize("platform", ["telegram", "zalo"])
def test_a_resident_makes_a_mandate_in_the_chat_and_the_agent_accepts(
    world, agent, platform, client
):
    bot = Bot(world, platform)
    bot.link()
    _walk(bot, "0987 654 321", ["follow", "message", "message", "search"], "3")
    confirm = bot.last()
    assert "0987 654 321" in confirm and "theo dõi hồ sơ" in confirm
    assert "nhắn cho cán bộ" not in confirm  # ticked twice: not chosen
    assert _grant(world) is None  # nothing made before the citizen agrees
    bot.tap("my")
    done = bot.last()
    code = re.search(r"Mã của người đó: (\S+)", done).group(1)
    assert "Trần Văn Nam" in done
    grant = _grant(world)
    assert grant.state == "pending" and grant.actions == ["follow", "search"]
    today = local_today(clock.utcnow())
    assert grant.accept_by - clock.utcnow() <= timedelta(days=7)
    assert clock.to_local(grant.expires_at).date() - today > timedelta(days=85)
    assert clock.to_local(grant.expires_at).date() - today < timedelta(days=95)
    bot.tap("ag")  # the resident sees it waiting for the agent, with a stop button
    assert "đang chờ người đó nhập mã" in bot.last() and f"ar:{grant.public_id}" in bot.data()
    r = client.post(
        f"/api/v1/assistance/grants/{grant.public_id}/accept", json={"code": code}, headers=agent
    )
    assert r.status_code == 200, r.json
    assert _grant(world).state == "active"
    if platform == "telegram":
        callbacks_fit(world)


def test_english_one_year_and_a_wrong_number(world, agent):
    bot = Bot(world, "telegram")
    bot.link()
    bot.tap("lang:en")
    bot.tap("mn")
    assert "mobile number" in bot.last()
    bot.say("12345")
    assert "not a Vietnamese mobile number" in bot.last()
    bot.say("+84 987 654 321")
    bot.tap("mo")  # nothing ticked yet
    assert "at least one" in bot.texts_since(bot.count() - 2)[0]
    bot.tap("mt:rate_with")
    bot.tap("mo")
    bot.tap("mu:12")
    assert "rate together" in bot.last()
    bot.tap("my")
    assert "Their code" in bot.last()
    grant = _grant(world)
    days = (clock.to_local(grant.expires_at).date() - local_today(clock.utcnow())).days
    assert 364 <= days <= 366  # a year, within the mandate's longest (365 days, ends next day)


def test_an_unknown_agent_is_said_plainly_and_nothing_is_made(world):
    bot = Bot(world, "zalo")
    bot.link()
    _walk(bot, "0912000999", ["follow"], "1")
    bot.tap("my")
    assert "Chưa có tài khoản nào dùng số này" in bot.last()
    assert _grant(world) is None and bot.state().mode == ""


def test_an_unlinked_chat_is_asked_to_link_first(world):
    bot = Bot(world, "telegram")
    bot.tap("mn")
    assert "liên kết tài khoản trước" in bot.last() and "l" in bot.data()
    bot.say("nhờ người thân làm thay")
    assert "liên kết tài khoản trước" in bot.last()
