"""Fetching a photo a user sent to the OA (its URL comes in the signed webhook event)."""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

import requests

from api.messaging.attachments import max_attachment_bytes

log = logging.getLogger(__name__)
TIMEOUT = (5.0, 20.0)


def download(url: str) -> bytes | None:
    if urlsplit(url).scheme not in ("https", "http"):
        return None
    limit = max_attachment_bytes()
    try:
        with requests.get(url, timeout=TIMEOUT, stream=True) as reply:
            if reply.status_code != 200:
                return None
            data = reply.raw.read(limit + 1, decode_content=True)
    except requests.RequestException as exc:
        log.warning("zalo_file_failed", extra={"error": type(exc).__name__})
        return None
    return data if len(data) <= limit else None
