"""Part ``lookup``: status look-up latency with a million dossiers in PostgreSQL (issue 4).

benchmarks.dossiers.load makes sure dvc_bench_lookup holds the dossiers (a minute the first
time, a count check afterwards); benchmarks.dossiers.lookupprobe then times the service functions
in-process in a child process (the app's globals stay out of this one): the owner's full
view, the second-factor look-up, and "my dossiers" for a typical and a heavy citizen, with
``SELECT 1`` through the same session as the reference.
"""

from __future__ import annotations

from benchmarks.dossiers import load as dossierload
from benchmarks.harness import pgstack
from benchmarks.harness.common import note
from benchmarks.harness.server import child_json

SAMPLES = 2_000
BUDGET_SECONDS = 120.0
TARGET_P99_MS = 10.0
JUDGED = ("get_for_full_view", "lookup", "my_dossiers")


def run(
    total: int = dossierload.TOTAL,
    fresh: bool = False,
    samples: int = SAMPLES,
    budget: float = BUDGET_SECONDS,
) -> dict[str, object]:
    note(
        f"lookup: {total:,} dossiers in PostgreSQL, service functions in-process, "
        f"up to {samples:,} samples per operation within about {budget:g} s"
    )
    database = dossierload.ensure_loaded(total, fresh)
    measured = child_json(
        "benchmarks.dossiers.lookupprobe", str(samples), str(budget), live_stderr=True,
        env=pgstack.app_env(str(database.pop("url"))), timeout=budget * 3 + 300,
    )  # fmt: skip
    latency = measured["latency"]
    flag = "" if total == dossierload.TOTAL else f" --dossiers {total}"
    return {
        "reproduce": f".venv/bin/python -m benchmarks lookup{flag}",
        "database": database,
        "redis": pgstack.REDIS_URL,
        **measured,
        "target_p99_ms": TARGET_P99_MS,
        "judged": list(JUDGED),
        "meets_target": all(latency[name]["p99_ms"] < TARGET_P99_MS for name in JUDGED),
    }
