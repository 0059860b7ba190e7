"""The one report writer: plain-text tables in one style (each part formats its own with
``table``, picking its cells with ``cells``) and benchmarks/results/latest.json, merged part
by part."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.harness.common import RESULTS_DIR

LATEST = RESULTS_DIR / "latest.json"


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def cells(figures: dict, paths: str) -> list[object]:
    """The values at ``paths`` (space-separated; ``a.b`` is ``figures["a"]["b"]``), in order."""
    out = []
    for path in paths.split():
        value = figures
        for key in path.split("."):
            value = value[key]
        out.append(value)
    return out


def table(headers: str | Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """Columns of ``rows`` under ``headers`` (a sequence, or one string split at "|")."""
    headers = headers.split("|") if isinstance(headers, str) else headers
    grid = [[str(h) for h in headers]] + [[_cell(v) for v in row] for row in rows]
    widths = [max(len(row[i]) for row in grid) for i in range(len(headers))]
    lines = []
    for n, row in enumerate(grid):
        lines.append(
            "  ".join(
                value.ljust(w) if i == 0 else value.rjust(w)
                for i, (value, w) in enumerate(zip(row, widths, strict=True))
            )
        )
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _cell(value: object) -> str:
    if isinstance(value, float):
        return f"{value:,.4g}" if abs(value) < 1000 else f"{value:,.0f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def verdict(ok: bool) -> str:
    return "OK" if ok else "OVER TARGET"


def write(parts: dict[str, dict], machine: dict, command: str, path: Path = LATEST) -> None:
    """Merge ``parts`` into the results file (other parts keep their earlier figures)."""
    existing = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    merged = existing.get("parts", {}) | parts
    document = {
        "generated_at": now(),
        "machine": machine,
        "reproduce": command,
        "parts": {name: merged[name] for name in sorted(merged)},
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".json.tmp")
    temporary.write_text(json.dumps(document, ensure_ascii=False, indent=1) + "\n", "utf-8")
    os.replace(temporary, path)
