"""Make the vectors shipped with the sample catalog (vectors.SEED_DIR): every text its index
embeds, the names with their descriptions and the everyday situations. Without them a fresh
checkout runs the model on some 5,100 texts (about three minutes on one core) before its first
search. Run again after changing the sample catalog, its situations or the model:

    python -m api.catalog.search.seed
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

from api.catalog.search import vectors
from api.catalog.search.embedding import default_embedder
from api.catalog.search.index import SearchIndex
from api.catalog.search.loader import entries_from_records


def write_seed(catalog: Path) -> Path:
    """Embed the catalog's texts afresh (nothing old carried over) into the seed folder."""
    embedder = default_embedder()
    if embedder is None:
        raise SystemExit("the embedding model is switched off or missing")
    data = json.loads(catalog.read_text(encoding="utf-8"))
    fields = {f["code"]: f["name"] for f in data["fields"]}
    with tempfile.TemporaryDirectory() as scratch:
        before = os.environ.get(vectors.DIR_SETTING)
        os.environ[vectors.DIR_SETTING] = scratch  # this machine's own file stays as it is
        vectors._memory[embedder.fingerprint] = {}  # nothing carried over, not the shipped file
        try:
            SearchIndex(entries_from_records(data["procedures"], fields), embedder=embedder)
        finally:
            if before is None:
                del os.environ[vectors.DIR_SETTING]
            else:
                os.environ[vectors.DIR_SETTING] = before
            vectors._memory.clear()
        made = Path(scratch) / f"{embedder.fingerprint}.npz"
        vectors.SEED_DIR.mkdir(parents=True, exist_ok=True)
        for old in vectors.SEED_DIR.glob("*.npz"):
            old.unlink()
        return Path(shutil.copy(made, vectors.SEED_DIR / made.name))


if __name__ == "__main__":
    from api.catalog.importer import DEFAULT_CATALOG

    print(write_seed(DEFAULT_CATALOG))
