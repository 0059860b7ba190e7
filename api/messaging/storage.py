"""Where attachment bytes live: an interface, with the local filesystem as the default.

A deployment with object storage provides another ``AttachmentStorage`` in
``app.extensions["attachment_storage"]``; nothing else changes. Keys are made by us (never
from a file name), so they are safe as paths.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from typing import Protocol

from flask import current_app

from api.kernel import settings

_KEY = re.compile(r"^[0-9a-z/]{1,200}$")


class AttachmentStorage(Protocol):
    def save(self, key: str, data: bytes) -> None: ...

    def load(self, key: str) -> bytes: ...

    def delete(self, key: str) -> None: ...


class LocalStorage:
    """Files under one directory; written to a temporary name then renamed, so a reader never
    sees half a file."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        if not _KEY.match(key) or ".." in key:
            raise ValueError("invalid storage key")
        return self.root / key

    def save(self, key: str, data: bytes) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def load(self, key: str) -> bytes:
        return self._path(key).read_bytes()

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)


def get_storage() -> AttachmentStorage:
    storage = current_app.extensions.get("attachment_storage")
    if storage is None:
        root = settings.current().attachment_dir or str(
            settings.DEFAULT_INSTANCE_DIR / "attachments"
        )
        storage = current_app.extensions["attachment_storage"] = LocalStorage(root)
    return storage
