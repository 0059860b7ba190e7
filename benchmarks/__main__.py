"""``python -m benchmarks [PART ...]``: run the benchmarks (the search parts by default).

Parts: search_quality, latency, http, memory (procedure search; run when no part is named);
ingest, lookup (dossiers), bots, notify, support, faults: run only when named (those on the
stack need PostgreSQL and Redis, see benchmarks.harness.pgstack, and take minutes). Each part
prints its own table; the figures are merged into benchmarks/results/latest.json (with machine
facts and a timestamp per part). A part that fails, or whose own verdict fails, fails the run.
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from collections.abc import Callable

from benchmarks.bots import run as bots
from benchmarks.dossiers import ingest, lookup
from benchmarks.dossiers import load as dossierload
from benchmarks.faults import run as faults
from benchmarks.harness import report
from benchmarks.harness.common import Stopwatch, code_digest, machine_info
from benchmarks.notify import run as notify
from benchmarks.search import latency, memory, quality, throughput
from benchmarks.search import report as search_report
from benchmarks.search.synthetic import SIZE_100K
from benchmarks.support import run as support

DEFAULT_PARTS = ("search_quality", "latency", "http", "memory")
PARTS = (*DEFAULT_PARTS, "ingest", "lookup", "bots", "notify", "support", "faults")
# Each part formats its own table; report.write is the one writer of the figures.
TEXT = {
    name: text
    for part in (search_report, ingest, lookup, bots, notify, support, faults)
    for name, text in part.TEXT.items()
}


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    add = parser.add_argument
    add("parts", nargs="*", metavar="PART", help=f"any of {', '.join(PARTS)}")
    add("--size", type=int, default=SIZE_100K, help="synthetic catalog size")
    add("--duration", type=float, default=10.0, help="HTTP seconds per endpoint")
    add("--concurrency", type=int, default=throughput.CONCURRENCY)
    add("--worker-class", choices=["sync", "gthread"], default="sync")
    add("--fresh", action="store_true",
        help="rebuild cached data: the synthetic catalog DB (memory), the dossier DB (lookup)")  # fmt: skip
    add("--ingest-seconds", type=float, default=ingest.PHASE_SECONDS, help="cap per push phase")
    add("--dossiers", type=int, default=dossierload.TOTAL, help="dossiers in the lookup DB")
    add("--no-write", action="store_true", help="do not update latest.json")
    args = parser.parse_args(argv)
    unknown = [p for p in args.parts if p not in PARTS]
    if unknown:
        parser.error(f"unknown part {unknown[0]!r}; choose from {', '.join(PARTS)}")
    return args


def runners(args: argparse.Namespace) -> dict[str, Callable[[], dict]]:
    return {
        "search_quality": quality.run,
        "latency": lambda: latency.run(args.size),
        "http": lambda: throughput.run(args.duration, args.concurrency, args.worker_class),
        "memory": lambda: memory.run(args.size, args.fresh),
        "ingest": lambda: ingest.run(args.ingest_seconds),
        "lookup": lambda: lookup.run(args.dossiers, args.fresh),
        "bots": bots.run,
        "notify": notify.run,
        "support": support.run,
        "faults": faults.run,
    }


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = parse(argv)
    chosen = args.parts or list(DEFAULT_PARTS)
    command = " ".join([".venv/bin/python -m benchmarks", *argv])
    machine = machine_info()
    print(
        f"dvc-connect benchmarks: {', '.join(chosen)}\n"
        f"machine: {machine['cpu_model']}, {machine['cpus_usable']} CPUs, "
        f"Python {machine['python']}, git {machine['git']}, load {machine['loadavg_at_start']}, "
        f"search code {code_digest()}\n",
        flush=True,
    )
    results: dict[str, dict] = {}
    failed: list[str] = []
    clock = Stopwatch()
    for name in chosen:
        part_clock = Stopwatch()
        load_before = [round(x, 2) for x in os.getloadavg()]
        digest = code_digest()
        try:
            result = runners(args)[name]()
        except Exception:  # noqa: BLE001 - one broken part must not lose the others' figures
            traceback.print_exc()
            print(f"\nFAILED: {name} (its earlier figures in latest.json are kept)\n", flush=True)
            failed.append(name)
            continue
        result["measured_at"] = report.now()
        result["seconds"] = round(part_clock.seconds, 1)
        result["loadavg_before"] = load_before
        result["search_code_digest"] = digest
        result["reproduce"] = f".venv/bin/python -m benchmarks {name}"
        if code_digest() != digest:
            result["search_code_changed_during_run"] = True
            print(f"WARNING: the search code changed while {name} ran; its figures are mixed.")
        results[name] = result
        print("\n" + TEXT[name](result) + "\n", flush=True)
        if result.get("passed") is False:  # a part with a verdict of its own (faults)
            failed.append(name)
    if not args.no_write:
        report.write(results, machine, command)
        print(f"figures written to {report.LATEST.relative_to(report.LATEST.parents[2])}")
    print(f"total {clock.seconds:.0f} s; reproduce with: {command}")
    if failed:
        print(f"failed parts: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
