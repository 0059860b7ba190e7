"""Where a worker's memory goes: RSS after each step of building the index from the database.

Run as ``python -m benchmarks.search.memprobe DATABASE_URL``; prints one JSON object. The steps are
the ones ``IndexHolder.get`` takes (entries_from_database, then SearchIndex), followed by
dropping the entries and asking glibc to return freed memory, which separates what the index
keeps from what the allocator merely holds on to.
"""

from __future__ import annotations

import ctypes
import gc
import json
import os
import sys
import tempfile
import time
from pathlib import Path


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return float("nan")


def _strings_mb(values: list[str]) -> float:
    return sum(sys.getsizeof(v) for v in values) / 2**20


def index_sizes(index: object) -> dict[str, float]:
    """Approximate sizes (MB) of the index's main parts (empty if its layout changed)."""
    try:
        return _index_sizes(index)
    except (AttributeError, TypeError):
        return {}


def _index_sizes(index: object) -> dict[str, float]:
    import numpy as np

    postings = [*index.name_postings.values(), *index.body_postings.values()]
    arrays = [
        value
        for value in vars(index).values()
        if isinstance(value, np.ndarray) and value.dtype != object
    ]
    return {
        "postings_numpy": round(sum(p.ids.nbytes + p.weights.nbytes for p in postings) / 2**20, 1),
        "postings_count": len(postings),
        "vocabulary_terms": len(index.vocabulary),
        "other_numpy": round(sum(a.nbytes for a in arrays) / 2**20, 1),
        "names_str": round(_strings_mb(index.names), 1),
        "folded_names_str": round(_strings_mb(index.folded_names), 1),
        "codes_str": round(_strings_mb(index.codes), 1),
        "lists_and_code_dict": round(
            (sys.getsizeof(index.names) * 3 + sys.getsizeof(index.position_by_code)) / 2**20, 1
        ),
    }


def pymalloc_mb() -> dict[str, float]:
    """Python's small-object allocator: arenas held vs blocks really in use (MB).

    ``sys._debugmallocstats`` writes to the C stderr, so fd 2 is pointed at a file meanwhile.
    """
    with tempfile.TemporaryFile() as capture:
        saved = os.dup(2)
        os.dup2(capture.fileno(), 2)
        try:
            sys._debugmallocstats()
        finally:
            os.dup2(saved, 2)
            os.close(saved)
        capture.seek(0)
        lines = capture.read().decode(errors="replace").splitlines()
    values: dict[str, int] = {}
    for line in lines:
        key, _, number = line.partition("=")
        if number.strip().replace(",", "").isdigit() and key.strip() not in values:
            values[key.strip()] = int(number.strip().replace(",", ""))
    arenas = values.get("Total", 0)
    used = values.get("# bytes in allocated blocks", 0)
    available = values.get("# bytes in available blocks", 0)
    return {
        "arenas_mb": round(arenas / 2**20, 1),
        "blocks_in_use_mb": round(used / 2**20, 1),
        "free_in_used_pools_mb": round(available / 2**20, 1),
        # Free pools inside arenas that one surviving object keeps from being released.
        "pinned_free_pools_mb": round(max(arenas - used - available, 0) / 2**20, 1),
    }


def probe(database_url: str, started_rss: float) -> dict[str, object]:
    steps: dict[str, float] = {"python_started": started_rss}
    from api.app import create_app
    from api.catalog.search.index import SearchIndex
    from api.catalog.search.loader import entries_from_database
    from api.kernel.settings import Settings

    steps["modules_imported"] = rss_mb()
    app = create_app(
        Settings.from_env(
            env={}, database_url=database_url, log_level="WARNING", embedded_worker=False
        )
    )
    steps["app_created"] = rss_mb()
    seconds: dict[str, float] = {}
    with app.app_context():
        started = time.perf_counter()
        entries = entries_from_database()
        streamed = not isinstance(entries, list)  # a generator is consumed by the build
        if not streamed:
            seconds["entries_from_database"] = round(time.perf_counter() - started, 2)
            steps["entries_loaded"] = rss_mb()
        index = SearchIndex(entries)
        seconds["load_and_build"] = round(time.perf_counter() - started, 2)
        steps["index_built"] = rss_mb()
        del entries
        gc.collect()
        steps["gc_collected"] = rss_mb()
        try:
            ctypes.CDLL("libc.so.6").malloc_trim(0)
            steps["after_malloc_trim"] = rss_mb()
        except (OSError, AttributeError):
            pass
    return {
        "procedures": index.size,
        "entries_streamed": streamed,
        "rss_mb": steps,
        "seconds": seconds,
        "index_parts_mb": index_sizes(index),
        "pymalloc_mb": pymalloc_mb(),
    }


if __name__ == "__main__":
    print(json.dumps(probe(sys.argv[1], rss_mb())))
