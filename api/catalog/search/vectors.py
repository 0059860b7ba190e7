"""Passage vectors for distinct texts (procedure names), computed once per text and model.

A catalog import changes few names; provincial copies share their national name. So vectors
are kept by the text's digest in one file per model (``SEARCH_VECTOR_DIR``, default
``instance/search-vectors``): a new revision embeds only the names it has not seen, and an API
or job worker starting on a known catalog reads them from the file instead of running the
model hundreds of times. The sample catalog's vectors ship beside it (``SEED_DIR``), so a
fresh checkout does not spend minutes on them.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import threading
from pathlib import Path

import numpy as np

from api.catalog.search.embedding import Embedder
from api.kernel.settings import DEFAULT_INSTANCE_DIR

log = logging.getLogger(__name__)

DIR_SETTING = "SEARCH_VECTOR_DIR"
# Vectors of the sample catalog's texts, made by ``python -m api.catalog.search.seed``.
SEED_DIR = Path(__file__).resolve().parents[2] / "data" / "search-vectors"
BATCH = 64
DIGEST_BYTES = 20  # sha1
_lock = threading.Lock()
# Per process too: several indexes (tests, the FAQ) over the same texts embed them once.
_memory: dict[str, dict[bytes, np.ndarray]] = {}


def vector_dir() -> Path:

    return Path(os.environ.get(DIR_SETTING) or DEFAULT_INSTANCE_DIR / "search-vectors")


def _digest(text: str) -> bytes:
    return hashlib.sha1(text.encode("utf-8")).digest()


def _file(embedder: Embedder) -> Path:
    return vector_dir() / f"{embedder.fingerprint}.npz"


def _load(embedder: Embedder) -> dict[bytes, np.ndarray]:
    known = _memory.get(embedder.fingerprint)
    if known is not None:
        return known
    # The vectors shipped with the sample catalog first (a fresh checkout starts without
    # running the model thousands of times), then this machine's own file.
    known = _read(SEED_DIR / f"{embedder.fingerprint}.npz", embedder.dim)
    known.update(_read(_file(embedder), embedder.dim))
    _memory[embedder.fingerprint] = known
    return known


def _read(path: Path, dim: int) -> dict[bytes, np.ndarray]:
    if not path.exists():
        return {}
    try:
        with np.load(path) as data:
            keys, vectors = data["keys"], data["vectors"]
        if vectors.ndim == 2 and vectors.shape[1] == dim:
            # numpy's byte strings drop trailing NUL bytes: a digest ending in 0x00 comes
            # back shorter (its text was embedded again at every start) unless padded.
            return {
                bytes(k).ljust(DIGEST_BYTES, b"\0"): v for k, v in zip(keys, vectors, strict=True)
            }
    except (OSError, ValueError, KeyError):
        log.warning("search_vectors_unreadable", extra={"file": path.name})
    return {}


def _save(embedder: Embedder, known: dict[bytes, np.ndarray]) -> None:
    path = _file(embedder)
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        keys = np.array(list(known), dtype=f"S{DIGEST_BYTES}")
        vectors = np.stack(list(known.values())).astype(np.float16)
        tmp = path.with_suffix(f".{os.getpid()}.tmp.npz")
        np.savez(tmp, keys=keys, vectors=vectors)
        os.replace(tmp, path)  # atomic: another worker reads the old file or the new one


def passage_vectors(embedder: Embedder, texts: list[str]) -> np.ndarray:
    """One L2-normalised float32 row per text; texts never embedded before are embedded now
    (in batches) and added to the file."""
    with _lock:
        known = _load(embedder)
        digests = [_digest(t) for t in texts]
        missing = list(dict.fromkeys(d for d in digests if d not in known))
        if missing:
            text_of = dict(zip(digests, texts, strict=True))
            for start in range(0, len(missing), BATCH):
                chunk = missing[start : start + BATCH]
                rows = embedder.passages([text_of[d] for d in chunk])
                for d, row in zip(chunk, rows, strict=True):
                    known[d] = row.astype(np.float16)
            _save(embedder, known)
            log.info("search_vectors_embedded", extra={"texts": len(missing)})
        out = np.zeros((len(texts), embedder.dim), np.float32)
        for i, d in enumerate(digests):
            out[i] = known[d]
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.maximum(norms, 1e-6)
