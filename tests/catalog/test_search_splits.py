"""The search benchmark's splits: which are tuned on, and which keep their failures unread."""

from __future__ import annotations

from benchmarks.search import quality


def test_tuning_set_5_is_split_by_writer_and_h_is_figures_only():
    splits = quality.splits()
    g, h = splits["tuning5_G"], splits["tuning5_H"]
    assert len(g) == len(h) == 130
    assert {q.writer for q in g} == {"G"} and {q.writer for q in h} == {"H"}
    assert {"test", "tuning2_B", "tuning5_H"} <= set(quality.HELD_OUT)
    assert "tuning5_G" not in quality.HELD_OUT


def test_tuning_set_6_is_split_by_writer_and_k_is_figures_only():
    splits = quality.splits()
    j, k = splits["tuning6_J"], splits["tuning6_K"]
    assert len(j) == len(k) == 130
    assert {q.writer for q in j} == {"J"} and {q.writer for q in k} == {"K"}
    assert "tuning6_K" in quality.HELD_OUT and "tuning6_J" not in quality.HELD_OUT


def test_a_held_out_split_reports_figures_but_never_its_failures(monkeypatch):
    from benchmarks.harness.common import Query

    class Outcome:
        def __init__(self, query: Query, rank: int | None) -> None:
            self.query, self.rank, self.close = query, rank, True
            self.top_name = "x"

    queries = [Query("a", "1.0", "plain"), Query("b", "2.0", "plain")]
    monkeypatch.setattr(
        quality, "rank_queries", lambda _i, qs, _s: [Outcome(qs[0], 1), Outcome(qs[1], 3)]
    )
    monkeypatch.setattr(quality, "misses", lambda outcomes, _names: ["a miss"])
    shown = quality.evaluate(None, queries)
    hidden = quality.evaluate(None, queries, held_out=True)
    assert shown["overall"] == hidden["overall"] and hidden["overall"]["hits"] == 1
    assert shown["misses"] == ["a miss"] and hidden["misses"] == []
