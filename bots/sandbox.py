"""A chat page for the `make run` demo (SANDBOX only): the same engine, in a browser.

The page plays a Telegram chat of its own ("sandbox-…"), so every flow works, linking and
following included; notifications the pipeline makes for that chat are shown by polling,
since no Telegram is there to deliver them.
"""

from __future__ import annotations

import re
from pathlib import Path

from flask import Flask, Response, jsonify, request
from sqlalchemy import select

from api.kernel.database import db
from api.kernel.errors import ApiError
from bots.engine.router import handle
from bots.engine.types import BUTTON, CONTACT, TEXT, Incoming
from push.notifications.models import Notification
from push.notifications.templates import render

PAGE = Path(__file__).with_name("sandbox_chat.html")
CHANNEL = "telegram"
_CHAT_ID = re.compile(r"^sandbox-[a-z0-9]{6,32}$")


def _chat_id(value: object) -> str:
    chat_id = str(value or "")
    if not _CHAT_ID.match(chat_id):
        raise ApiError(400, "bad_request")
    return chat_id


def register_chat_page(app: Flask) -> None:
    @app.get("/sandbox/chat")
    def sandbox_chat_page() -> Response:
        return Response(PAGE.read_text(encoding="utf-8"), mimetype="text/html")

    @app.post("/sandbox/chat/send")
    def sandbox_chat_send():  # noqa: ANN202
        body = request.get_json(silent=True) or {}
        chat_id = _chat_id(body.get("chat_id"))
        if body.get("data"):
            incoming = Incoming(CHANNEL, chat_id, BUTTON, data=str(body["data"])[:64])
        elif body.get("phone"):
            incoming = Incoming(CHANNEL, chat_id, CONTACT, phone=str(body["phone"])[:20])
        else:
            incoming = Incoming(CHANNEL, chat_id, TEXT, text=str(body.get("text", ""))[:2000])
        replies = handle(incoming)
        db.session.commit()
        return jsonify(
            replies=[
                {
                    "text": r.text,
                    "buttons": [
                        [{"label": b.label, "data": b.data} for b in row] for row in r.buttons
                    ],
                    "ask_contact": r.ask_contact,
                }
                for r in replies
            ]
        )

    @app.get("/sandbox/chat/notifications")
    def sandbox_chat_notifications():  # noqa: ANN202
        chat_id = _chat_id(request.args.get("chat_id"))
        after = request.args.get("after", type=int) or 0
        rows = db.session.scalars(
            select(Notification)
            .where(
                Notification.chat_channel == CHANNEL,
                Notification.chat_id == chat_id,
                Notification.id > after,
            )
            .order_by(Notification.id)
            .limit(20)
        )
        return jsonify(
            items=[{"id": n.id, "text": render(n.event, n.language, n.params).text} for n in rows]
        )
