"""The bots' test world: fake Telegram and Zalo APIs on 127.0.0.1 wired into the app, update
builders in the platforms' real shapes, signed webhook posts, and the rq jobs run in-line.

Imported by the bot tests (fixture ``world``, as ``world_fixture``)."""

from __future__ import annotations

import dataclasses
import itertools
import json
import re
import time
from typing import Any

import pytest
from sqlalchemy import select

from api.kernel.database import db
from api.messaging.storage import LocalStorage
from bots.engine import state as states
from bots.models import BotUpdate
from bots.zalo.adapter import MORE
from push.channels.registry import Channels
from push.channels.telegram import TelegramClient
from push.channels.zalo import InMemoryTokenStore, ZaloClient, initial_tokens, signature
from tests.fakes.http_fake import Reply
from tests.fakes.telegram_api import TOKEN, FakeTelegramApi
from tests.fakes.zalo_api import FakeZaloApi
from tests.helpers.common import bearer, sign_in_verified
from tests.helpers.dossiers import CODE, OWNER_ID
from tests.helpers.support import seeded_fixture  # noqa: F401

TG_SECRET = "tg-webhook-secret-for-tests"
ZALO_OA_SECRET = "zalo-oa-secret-for-tests"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01" + b"\x11" * 300


class FakeTelegramWithFiles(FakeTelegramApi):
    """The Telegram fake, plus getFile and file downloads (photos users send)."""

    def __init__(self) -> None:
        super().__init__()
        self.files: dict[str, bytes] = {}
        self.server.route("GET", r"/file/bot(?P<token>[^/]+)/(?P<path>.+)", self._file)

    def _call(self, request, m):  # noqa: ANN001, ANN202
        if m.group("method") == "getFile" and m.group("token") == self.token:
            file_id = (request.json() or {}).get("file_id")
            if file_id not in self.files:
                return Reply(400, json={"ok": False, "error_code": 400, "description": "bad file"})
            result = {
                "file_id": file_id,
                "file_size": len(self.files[file_id]),
                "file_path": f"photos/{file_id}.jpg",
            }
            return Reply(200, json={"ok": True, "result": result})
        return super()._call(request, m)

    def _file(self, request, m):  # noqa: ANN001, ANN202
        file_id = m.group("path").removeprefix("photos/").removesuffix(".jpg")
        if m.group("token") != self.token or file_id not in self.files:
            return Reply(404, body=b"")
        return Reply(200, body=self.files[file_id], headers={"Content-Type": "image/jpeg"})

    def texts(self, chat_id: str | int) -> list[str]:
        return [p["text"] for p in self.sent_messages() if str(p["chat_id"]) == str(chat_id)]

    def last(self, chat_id: str | int) -> dict:
        return [p for p in self.sent_messages() if str(p["chat_id"]) == str(chat_id)][-1]

    def methods(self, name: str) -> list[dict]:
        return [payload for method, payload in self.calls if method == name]


class World:
    def __init__(self, app, client, tg: FakeTelegramWithFiles, zalo: FakeZaloApi) -> None:  # noqa: ANN001
        self.app, self.client, self.tg, self.zalo = app, client, tg, zalo
        self._ids = itertools.count(1000)
        self.images: dict[str, bytes] = {}
        zalo.server.route("GET", r"/img/(?P<name>\w+)\.jpg", self._image)

    def _image(self, request, m):  # noqa: ANN001, ANN202
        data = self.images.get(m.group("name"))
        return Reply(200, body=data) if data else Reply(404, body=b"")

    # ---- Telegram ------------------------------------------------------------------------

    def telegram(self, update: dict, secret: str = TG_SECRET, run: bool = True):  # noqa: ANN201
        update.setdefault("update_id", next(self._ids))
        response = self.client.post(
            "/webhooks/telegram",
            data=json.dumps(update),
            content_type="application/json",
            headers={"X-Telegram-Bot-Api-Secret-Token": secret},
        )
        if run:
            self.run_jobs()
        return response

    def tg_message(self, chat_id: int, **fields: Any) -> dict:
        message = {
            "message_id": next(self._ids),
            "from": {"id": chat_id, "is_bot": False, "first_name": "Hoa", "language_code": "vi"},
            "chat": {"id": chat_id, "type": "private", "first_name": "Hoa"},
            "date": int(time.time()),
            **fields,
        }
        return {"message": message}

    def say_tg(self, chat_id: int, text: str):  # noqa: ANN201
        return self.telegram(self.tg_message(chat_id, text=text))

    def tap_tg(self, chat_id: int, data: str):  # noqa: ANN201
        query = {
            "id": f"cq{next(self._ids)}",
            "from": {"id": chat_id, "is_bot": False, "first_name": "Hoa"},
            "message": {"message_id": 1, "chat": {"id": chat_id, "type": "private"}, "date": 0},
            "chat_instance": "42",
            "data": data,
        }
        return self.telegram({"callback_query": query})

    def buttons_tg(self, chat_id: int) -> dict[str, str]:
        """label → callback data of the last message's inline keyboard."""
        markup = self.tg.last(chat_id).get("reply_markup") or {}
        return {
            b["text"]: b["callback_data"] for row in markup.get("inline_keyboard", []) for b in row
        }

    # ---- Zalo ----------------------------------------------------------------------------

    def zalo_event(self, event: dict, bad_signature: bool = False, run: bool = True):  # noqa: ANN201
        event.setdefault("app_id", self.zalo.app_id)
        event.setdefault("timestamp", str(int(time.time() * 1000)))
        raw = json.dumps(event).encode()
        mac = signature(self.zalo.app_id, raw, event["timestamp"], ZALO_OA_SECRET)
        if bad_signature:
            mac = signature(self.zalo.app_id, raw, event["timestamp"], "wrong-secret")
        response = self.client.post(
            "/webhooks/zalo",
            data=raw,
            content_type="application/json",
            headers={"X-ZEvent-Signature": f"mac={mac}"},
        )
        if run:
            self.run_jobs()
        return response

    def say_zalo(self, user_id: str, text: str):  # noqa: ANN201
        return self.zalo_event(
            {
                "event_name": "user_send_text",
                "sender": {"id": user_id},
                "recipient": {"id": "oa-1"},
                "message": {"text": text, "msg_id": f"m{next(self._ids)}"},
            }
        )

    def _zalo_sent(self, user_id: str) -> list[dict]:
        return [m["message"] for m in self.zalo.messages if m["recipient"]["user_id"] == user_id]

    def zalo_texts(self, user_id: str) -> list[str]:
        """Texts sent, without the "⋯" messages that only carry more buttons."""
        return [t for m in self._zalo_sent(user_id) if (t := m.get("text", "")) != MORE]

    def zalo_last(self, user_id: str) -> dict:
        return [m for m in self._zalo_sent(user_id) if m.get("text") != MORE][-1]

    def zalo_buttons(self, user_id: str) -> dict[str, str]:
        """title → text the tap sends back, from the last message (and its "⋯" follow-ups)."""
        sent = self._zalo_sent(user_id)
        start = max(i for i, m in enumerate(sent) if m.get("text") != MORE)
        buttons = {}
        for message in sent[start:]:
            payload = (message.get("attachment") or {}).get("payload") or {}
            buttons |= {b["title"]: b["payload"] for b in payload.get("buttons", [])}
        return buttons

    # ---- the worker ----------------------------------------------------------------------

    def run_jobs(self) -> list[object]:
        """What the rq worker does with the bots' jobs: perform them, in order, here."""
        from api.kernel.jobs import get_queue

        results = []
        with self.app.app_context():
            queue = get_queue("urgent")
            while True:
                jobs = [j for j in queue.get_jobs() if j.func_name.startswith("bots.jobs.")]
                if not jobs:
                    break
                for job in jobs:
                    queue.remove(job.id)
                    results.append(job.perform())
            db.session.remove()
        return results

    def updates(self) -> list[BotUpdate]:
        with self.app.app_context():
            rows = list(db.session.scalars(select(BotUpdate).order_by(BotUpdate.id)))
            db.session.expunge_all()
            return rows


@pytest.fixture(name="world")
def world_fixture(app, client, tmp_path):
    with FakeTelegramWithFiles() as tg, FakeZaloApi() as zalo:
        original = app.extensions["settings"]
        app.extensions["settings"] = dataclasses.replace(
            original,
            telegram_bot_token=TOKEN,
            telegram_webhook_secret=TG_SECRET,
            telegram_api_base=tg.url,
            zalo_app_id=zalo.app_id,
            zalo_app_secret=zalo.app_secret,
            zalo_oa_secret_key=ZALO_OA_SECRET,
            zalo_openapi_base=zalo.url,
            zalo_oauth_base=zalo.url,
            zalo_zns_base=zalo.url,
        )
        zalo_client = ZaloClient(
            zalo.url, zalo.url, zalo.url, zalo.app_id, zalo.app_secret,
            InMemoryTokenStore(initial_tokens("rt-0")),
        )  # fmt: skip
        app.extensions["push_channels"] = Channels(
            telegram=TelegramClient(tg.url, TOKEN), zalo=zalo_client
        )
        app.extensions["attachment_storage"] = LocalStorage(tmp_path / "attachments")
        yield World(app, client, tg, zalo)
        app.extensions["settings"] = original
        app.extensions.pop("push_channels", None)
        app.extensions.pop("attachment_storage", None)


CALLBACK = re.compile(r"^[\x20-\x7e]{1,64}$")
CHAT = 5550001


def callbacks_fit(world: World) -> None:
    """Every inline button sent in the test carries at most 64 bytes of callback data."""
    for payload in world.tg.sent_messages():
        for row in (payload.get("reply_markup") or {}).get("inline_keyboard", []):
            for button in row:
                data = button["callback_data"]
                assert len(data.encode()) <= 64 and CALLBACK.match(data), data


def link_owner(world: World, chat: int = CHAT) -> dict:
    """The applicant (VNeID) links this chat with a code from the app."""
    tokens = sign_in_verified(world.app, OWNER_ID)
    code = world.client.post("/api/v1/me/chat-links/code", headers=bearer(tokens)).json["code"]
    world.say_tg(chat, f"mã liên kết {code}")
    assert "Đã liên kết" in world.tg.texts(chat)[-1]
    return tokens


ZALO_USER = "246845883529197922"

# How each mode is entered: by the buttons a citizen taps, or (a code by SMS) the saved state.
ENTER = {
    states.IDLE: (),
    states.AWAIT_CODE: ("c",),
    states.AWAIT_DIGITS: (f"c:{CODE}",),
    states.AWAIT_LINK_CODE: ("l", "lc"),
    states.AWAIT_OTP: None,
    states.THREAD: (f"t:{CODE}",),
    states.RATE: (f"r:{CODE}",),
    states.SUPPORT: ("s",),
    states.ASK_AGENCY: ("q",),
    states.SURVEY: ("y:quarterly_satisfaction",),
    states.MANDATE: ("mn",),
}


class Bot:
    """One chat on one platform, as the citizen sees it."""

    def __init__(self, world, platform: str) -> None:  # noqa: ANN001
        self.world, self.platform = world, platform
        self.chat = str(CHAT) if platform == "telegram" else ZALO_USER

    def say(self, text: str) -> None:
        if self.platform == "telegram":
            self.world.say_tg(CHAT, text)
        else:
            self.world.say_zalo(ZALO_USER, text)

    def tap(self, data: str) -> None:
        if self.platform == "telegram":
            self.world.tap_tg(CHAT, data)
        else:
            from bots.zalo.adapter import PAYLOAD_MARK

            self.world.say_zalo(ZALO_USER, PAYLOAD_MARK + data)

    def last(self) -> str:
        if self.platform == "telegram":
            return self.world.tg.texts(CHAT)[-1]
        return self.world.zalo_texts(ZALO_USER)[-1]

    def data(self) -> list[str]:
        """The callback data of the last message's buttons."""
        if self.platform == "telegram":
            return list(self.world.buttons_tg(CHAT).values())
        from bots.zalo.adapter import PAYLOAD_MARK

        return [p.removeprefix(PAYLOAD_MARK) for p in self.world.zalo_buttons(ZALO_USER).values()]

    def texts_since(self, count: int) -> list[str]:
        if self.platform == "telegram":
            return self.world.tg.texts(CHAT)[count:]
        return self.world.zalo_texts(ZALO_USER)[count:]

    def count(self) -> int:
        return len(self.texts_since(0))

    def state(self) -> states.ChatState:
        with self.world.app.app_context():
            return states.load(self.platform, self.chat) or states.ChatState()

    def put(self, state: states.ChatState) -> None:
        with self.world.app.app_context():
            states.save(self.platform, self.chat, state)

    def link(self) -> None:
        from tests.helpers.common import bearer, sign_in_verified
        from tests.helpers.dossiers import OWNER_ID

        tokens = sign_in_verified(self.world.app, OWNER_ID)
        code = self.world.client.post("/api/v1/me/chat-links/code", headers=bearer(tokens)).json[
            "code"
        ]
        self.say(f"mã liên kết {code}")

    def enter(self, mode: str, lang: str) -> None:
        steps = ENTER[mode]
        if steps is None:
            self.put(states.ChatState(lang=lang, mode=mode, phone="84912000111"))
        else:
            self.put(states.ChatState(lang=lang))
            for data in steps:
                self.tap(data)
        assert self.state().mode == mode, (mode, self.last())
