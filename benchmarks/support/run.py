"""Part "support": answering support questions (issue 16) on two splits.

The tuning split (support_questions_tuning.json) was written first and is the only one the
thresholds were set on; the test split (support_questions_test.json) is a frozen copy of a set
written by someone who never saw the code, copied unchanged and never tuned on. Figures per
split: the share answered / offered choices / told "no ready answer", and accuracy:
- answer precision: answers that were right, of all answers given;
- resolved: in-scope questions answered right, or with the right item among the choices;
- top-1: in-scope questions whose best candidate was right, whatever the outcome;
- out-of-scope sent to the fallback.
An article is right when its slug is the expected one; a procedure when its national code is
the expected one (an article answering about that procedure counts).
"""

from __future__ import annotations

import json
import tempfile
import time
from collections import Counter
from pathlib import Path

from benchmarks.harness.common import BENCH_DIR, summarise_ms
from benchmarks.harness.report import cells, table
from benchmarks.harness.server import catalog_app

SPLITS = {
    "tuning": BENCH_DIR / "support_questions_tuning.json",
    "test": BENCH_DIR / "support_questions_test.json",
}


OUTCOMES = (("answered", "answer"), ("choices", "choices"), ("fallback", "fallback"))


def _right(candidate, item: dict) -> bool:  # noqa: ANN001
    if item.get("expected_article"):
        return candidate.kind == "article" and candidate.key == item["expected_article"]
    wanted = item.get("expected_procedure")
    if wanted:
        codes = {candidate.procedure_code, *(candidate.related or ())} - {None}
        if candidate.kind == "article":
            codes = {candidate.procedure_code} - {None}
        return any(code[:8] == wanted[:8] for code in codes)
    return False


def judge(items: list[dict], thresholds=None) -> list[dict]:  # noqa: ANN001
    """Each question through the same answering the app and bots use (no logging)."""
    from api.support.answering import decide
    from api.support.ask import candidates

    out = []
    for item in items:
        started = time.perf_counter()
        ranked = candidates(item["q"])
        decision = decide(ranked, thresholds)
        seconds = time.perf_counter() - started
        out.append(
            {
                **item,
                "outcome": decision.outcome,
                "answer_right": decision.outcome == "answer"
                and _right(decision.candidates[0], item),
                "in_choices": decision.outcome == "choices"
                and any(_right(c, item) for c in decision.candidates),
                "top_right": bool(ranked) and _right(decision.top or ranked[0], item),
                "top": f"{ranked[0].kind}:{ranked[0].key}:{ranked[0].score}" if ranked else "",
                "s": seconds,
            }
        )
    return out


def score(judged: list[dict]) -> dict:
    n = len(judged)
    outcomes = Counter(j["outcome"] for j in judged)
    in_scope = [j for j in judged if j["kind"] != "out_of_scope"]
    out_scope = [j for j in judged if j["kind"] == "out_of_scope"]
    answers = [j for j in judged if j["outcome"] == "answer"]

    def share(part: int, whole: int) -> float | None:
        return round(part / whole, 3) if whole else None

    kinds = {}
    for kind in ("general", "procedure", "out_of_scope"):
        rows = [j for j in judged if j["kind"] == kind]
        said = Counter(j["outcome"] for j in rows)
        kinds[kind] = {
            "n": len(rows),
            **{label: share(said[o], len(rows)) for label, o in OUTCOMES},
            "answered_right": share(sum(j["answer_right"] for j in rows), len(rows)),
        }
    marks = {}
    for flag in (True, False):
        rows = [j for j in in_scope if bool(j.get("diacritics")) == flag]
        marks["with_marks" if flag else "without_marks"] = {
            "n": len(rows),
            "resolved": share(sum(j["answer_right"] or j["in_choices"] for j in rows), len(rows)),
            "answered_right": share(sum(j["answer_right"] for j in rows), len(rows)),
        }
    return {
        "ms_per_question": summarise_ms([j["s"] for j in judged]),
        "by_diacritics": marks,
        "n": n,
        **{label: share(outcomes[o], n) for label, o in OUTCOMES},
        "answer_precision": share(sum(j["answer_right"] for j in answers), len(answers)),
        "resolved": share(
            sum(j["answer_right"] or j["in_choices"] for j in in_scope), len(in_scope)
        ),
        "top1": share(sum(j["top_right"] for j in in_scope), len(in_scope)),
        "out_of_scope_fallback": share(
            sum(j["outcome"] == "fallback" for j in out_scope), len(out_scope)
        ),
        "by_kind": kinds,
    }


def run() -> dict[str, object]:
    from api.support.answering import Thresholds
    from sandbox.demo_support import seed_demo_support

    result: dict[str, object] = {
        "thresholds": Thresholds().__dict__,
        "note": "thresholds set on the tuning split only; the test split is frozen",
    }
    with tempfile.TemporaryDirectory() as directory:
        app = catalog_app(sqlite=Path(directory) / "support.db")
        with app.app_context():
            seed_demo_support()
            for split, path in SPLITS.items():
                if not path.exists():
                    result[split] = {"missing": str(path.name)}
                    continue
                items = json.loads(path.read_text(encoding="utf-8"))["questions"]
                judged = judge(items, Thresholds())
                result[split] = {
                    **score(judged),
                    "misses": [
                        {"q": j["q"], "kind": j["kind"], "outcome": j["outcome"], "top": j["top"]}
                        for j in judged
                        if not (
                            j["answer_right"]
                            or (j["kind"] == "out_of_scope" and j["outcome"] == "fallback")
                        )
                    ][:60]
                    if split == "tuning"
                    else [],  # the test split's failures are not listed: nobody tunes on them
                }
    return result


SPLIT = "n answered choices fallback answer_precision resolved top1 out_of_scope_fallback"
KIND = "n answered choices fallback answered_right"


def support_text(part: dict) -> str:
    rows, kinds = [], []
    for split in SPLITS:
        s = part.get(split) or {}
        rows.append([split, *cells(s, SPLIT)] if "n" in s else [split, "missing", *[""] * 7])
        kinds += [[split, kind, *cells(k, KIND)] for kind, k in (s.get("by_kind") or {}).items()]
    by_kind = table("split|kind|n|answered|choices|fallback|answered right", kinds)
    headers = (
        "split|n|answered|choices|fallback|answer precision|resolved|top-1|out-of-scope → fallback"
    )
    return f"Support answering (thresholds {part.get('thresholds')})\n{by_kind}\n\n" + table(
        headers, rows
    )


TEXT = {"support": support_text}
