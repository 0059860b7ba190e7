"""Fetching a file a user sent (photo, PDF): getFile, then the file URL (integrations.md §4).

The bot token is part of both URLs: it never reaches a log or an error text."""

from __future__ import annotations

import logging

import requests
from flask import current_app

from api.messaging.attachments import max_attachment_bytes

log = logging.getLogger(__name__)
TIMEOUT = (5.0, 20.0)


def download(file_id: str) -> bytes | None:
    settings = current_app.extensions["settings"]
    base, token = settings.telegram_api_base.rstrip("/"), settings.telegram_bot_token
    limit = max_attachment_bytes()
    try:
        reply = requests.post(
            f"{base}/bot{token}/getFile", json={"file_id": file_id}, timeout=TIMEOUT
        )
        result = (reply.json() or {}).get("result") or {}
        path = result.get("file_path")
        if not path or int(result.get("file_size") or 0) > limit:
            return None
        with requests.get(f"{base}/file/bot{token}/{path}", timeout=TIMEOUT, stream=True) as got:
            if got.status_code != 200:
                return None
            data = got.raw.read(limit + 1, decode_content=True)
    except (requests.RequestException, ValueError) as exc:
        log.warning("telegram_file_failed", extra={"error": type(exc).__name__})
        return None
    return data if len(data) <= limit else None
