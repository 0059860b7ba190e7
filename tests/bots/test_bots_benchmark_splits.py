"""The chat benchmark's splits: which are tuned on, and which keep their failures unread."""

from __future__ import annotations


def test_chat_tuning_set_3_is_split_in_halves_and_b_is_figures_only(monkeypatch):
    from benchmarks.bots import run

    splits = run.load_splits()
    a, b = splits["tuning3_A"], splits["tuning3_B"]
    assert len(a) + len(b) == 200 and a and b
    assert {run.tuning3_half(m) for m in a} == {"A"} and {run.tuning3_half(m) for m in b} == {"B"}
    assert {"test", "tuning3_B"} <= set(run.HELD_OUT) and "tuning3_A" not in run.HELD_OUT

    judged = {"messages": 1, "intent_misses": ["a miss"], "procedure_misses": ["another"]}
    monkeypatch.setattr(
        run, "load_splits", lambda: {"tuning": [], "tuning3_A": [], "tuning3_B": []}
    )
    monkeypatch.setattr(run, "understanding", lambda s: {name: dict(judged) for name in s})
    monkeypatch.setenv("BENCH_BOTS_END_TO_END", "0")
    shown = run.run()["splits"]
    assert shown["tuning3_A"]["intent_misses"] == ["a miss"]
    assert (
        "intent_misses" not in shown["tuning3_B"] and "procedure_misses" not in shown["tuning3_B"]
    )
