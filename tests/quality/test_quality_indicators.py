"""Golden tests of every Decision 766 figure from hand-built facts, at every threshold
boundary, and each defect of the provincial implementation shown fixed."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest

from api.quality.definitions import default_versions, version_for
from api.quality.indicators import RatingInput
from tests.helpers.quality import NOVEMBER, compute, fact, figure, simple, vn


def test_definitions_are_versioned_data_covering_the_five_groups():
    version = version_for(vn("2025-11-01 00:00").date())
    assert version.version == "766-local-1" and "766/QĐ-TTg" in version.legal_basis
    assert {g["code"]: g["max"] for g in version.groups} == {
        "openness": 18,
        "timeliness": 20,
        "online": 22,
        "digitisation": 22,
        "satisfaction": 18,
    }
    assert sum(i.max for i in version.indicators) == 100
    with pytest.raises(LookupError):
        version_for(vn("2020-01-01 00:00").date())


def test_unmeasurable_figures_say_so_and_are_left_out_of_the_measured_maximum():
    """The provincial system hard-coded openness and showed a 66-point maximum as "/100"."""
    content, _ = compute([simple("A-251103-0001")])
    for code in ("O1", "O2", "D3"):
        f = figure(content, code)
        assert f["status"] == "not_measurable" and f["why_not"] and f["score"] is None
    assert content["total"]["official_max"] == 100
    measured = sum(Decimal(f["max"]) for f in content["figures"] if f["status"] == "measured")
    assert Decimal(content["total"]["measured_max"]) == measured < 100
    assert content["label"] == content["total"]["label"] == "local_estimate"
    assert all(f["label"] == "local_estimate" for f in content["figures"])


def test_an_empty_denominator_is_not_applicable_not_zero():
    content, members = compute([simple("A-251103-0001", has_fee=False)])
    s4 = figure(content, "S4")
    assert (s4["status"], s4["score"], s4["percent"], s4["denominator"]) == (
        "not_applicable",
        None,
        None,
        0,
    )
    online = next(g for g in content["groups"] if g["code"] == "online")
    assert "S4" in online["not_applicable"]
    assert Decimal(online["measured_max"]) == 22 - 10  # not counted as a zero out of 10
    assert members["S4"].denominator == []


def _many(n_hit: int, n_all: int, **hit_fields):
    """n_all received dossiers, n_hit of them with hit_fields."""
    out = []
    for i in range(n_all):
        extra = hit_fields if i < n_hit else {k: False for k in hit_fields}
        out.append(simple(f"A-251103-{i:05d}", components=1, **extra))
    return out


@pytest.mark.parametrize(
    ("hit", "total", "percent", "score"),
    [(7999, 10000, "79.99", "7.99"), (8000, 10000, "80.00", "8.00"), (4, 5, "80.00", "8.00")],
)
def test_digitised_threshold_80_percent_boundary(hit, total, percent, score):
    content, members = compute(_many(hit, total, digitised=True))
    d2 = figure(content, "D2")
    assert (d2["numerator"], d2["denominator"], d2["percent"], d2["score"]) == (
        hit,
        total,
        percent,
        score,
    )
    assert len(members["D2"].numerator) == hit and len(members["D2"].denominator) == total


def test_digitisation_counts_only_dossiers_that_have_components():
    """The provincial check counted dossiers without components."""
    facts = [
        simple("A-251103-0001", components=3, digitised=True),
        simple("A-251103-0002", components=2, digitised=False),
        simple("A-251103-0003", components=0, digitised=False),
    ]
    d2 = figure(compute(facts)[0], "D2")
    assert (d2["numerator"], d2["denominator"], d2["percent"]) == (1, 2, "50.00")


@pytest.mark.parametrize(
    ("online", "total", "score"), [(49, 100, "5.88"), (50, 100, "6.00"), (0, 100, "0.00")]
)
def test_online_dossiers_threshold_50_percent(online, total, score):
    facts = [
        simple(f"A-251103-{i:04d}", channel="online" if i < online else "in_person")
        for i in range(total)
    ]
    s3 = figure(compute(facts)[0], "S3")
    assert (s3["numerator"], s3["denominator"], s3["score"]) == (online, total, score)


def test_postal_filing_is_not_online():
    facts = [simple("A-251103-0001", channel="postal"), simple("A-251103-0002", channel="online")]
    s3 = figure(compute(facts)[0], "S3")
    assert (s3["numerator"], s3["denominator"]) == (1, 2)


@pytest.mark.parametrize(
    ("online", "total", "score"),
    [(0, 10, "0.00"), (4, 10, "1.00"), (8, 10, "2.00"), (10, 10, "2.00")],
)
def test_online_procedures_below_the_threshold_score_in_proportion_not_a_fixed_fallback(
    online, total, score
):
    """The provincial system gave 1.6 of 2 to anything under 80 %, even 0 %."""
    procedures = [(f"1.{i:06d}", "toan_trinh" if i < online else "thong_tin") for i in range(total)]
    s1 = figure(compute([simple("A-251103-0001")], procedures=procedures)[0], "S1")
    assert (s1["numerator"], s1["denominator"], s1["score"]) == (online, total, score)


def test_online_procedures_used_counts_procedures_with_an_online_dossier():
    facts = [
        simple("A-1", procedure_code="P1", channel="online"),
        simple("A-2", procedure_code="P1", channel="in_person"),
        simple("A-3", procedure_code="P2", channel="in_person"),
        simple("A-4", procedure_code="P3", channel="in_person", online_level="thong_tin"),
    ]
    content, members = compute(facts)
    s2 = figure(content, "S2")
    assert (s2["numerator"], s2["denominator"], s2["score"]) == (1, 2, "2.00")
    assert members["S2"].numerator == ["P1"] and members["S2"].denominator == ["P1", "P2"]


@pytest.mark.parametrize(("paid", "score"), [(29, "9.66"), (30, "10.00")])
def test_online_payment_threshold_30_percent_over_dossiers_with_a_fee(paid, score):
    facts = [simple(f"A-{i:03d}", has_fee=True, paid_online=i < paid) for i in range(100)]
    facts.append(simple("A-nofee", has_fee=False, paid_online=False))
    s4 = figure(compute(facts)[0], "S4")
    assert (s4["numerator"], s4["denominator"], s4["score"]) == (paid, 100, score)


def test_e_results_over_dossiers_with_a_result_in_the_period():
    def done(code, e):
        return fact(
            code,
            ("2025-11-03 09:00", 2),
            ("2025-11-10 09:00", 9),
            due="2025-11-28 17:00",
            e_result=e,
        )

    facts = [
        done("A-1", True),
        done("A-2", True),
        done("A-3", False),
        simple("A-4", e_result=False),
    ]
    d1 = figure(compute(facts)[0], "D1")
    assert (d1["numerator"], d1["denominator"], d1["percent"], d1["score"]) == (
        2,
        3,
        "66.66",
        "5.33",
    )


def test_synced_share_is_computed_not_a_constant():
    facts = [simple("A-1"), simple("A-2"), simple("A-3"), simple("A-4", synced_to_portal=False)]
    o3 = figure(compute(facts)[0], "O3")
    assert (o3["numerator"], o3["denominator"], o3["percent"], o3["score"]) == (
        3,
        4,
        "75.00",
        "4.50",
    )


def test_timeliness_counts_paused_and_late_dossiers():
    """Paused-and-late dossiers were never counted (two identical conditions); here a pause
    begun after the deadline is late in the denominator; one begun in time is not judged yet."""
    due = "2025-11-14 17:00"
    facts = [
        fact("A-early", ("2025-11-03 09:00", 2), ("2025-11-10 09:00", 9), due=due),
        fact("A-ontime", ("2025-11-03 09:00", 2), ("2025-11-14 16:00", 10), due=due),
        fact("A-late", ("2025-11-03 09:00", 2), ("2025-11-18 09:00", 9), due=due),
        fact("A-paused-late", ("2025-11-03 09:00", 2), ("2025-11-20 09:00", 5), due=due),
        fact("A-paused", ("2025-11-03 09:00", 2), ("2025-11-05 09:00", 6), due="2025-12-31 17:00"),
        fact("A-overdue", ("2025-11-03 09:00", 2), ("2025-11-04 09:00", 4), due=due),
        fact("A-open", ("2025-11-03 09:00", 2), due="2025-12-31 17:00"),
    ]
    content, members = compute(facts)
    t1 = figure(content, "T1")
    assert members["T1"].numerator == ["A-early", "A-ontime"]
    assert members["T1"].denominator == [
        "A-early",
        "A-late",
        "A-ontime",
        "A-overdue",
        "A-paused-late",
    ]
    assert (t1["numerator"], t1["denominator"], t1["percent"], t1["score"]) == (
        2,
        5,
        "40.00",
        "8.00",
    )
    counts = content["counts"]
    assert (counts["early"], counts["on_time"], counts["late"]) == (1, 1, 1)
    assert (counts["paused_overdue"], counts["paused"], counts["in_progress_overdue"]) == (1, 1, 1)


def test_on_time_is_judged_in_working_days_with_holidays():
    """Paused Thursday 23 April 2026 to Friday 24: the deadline moves over the weekend and the
    holiday of Monday 27 to Tuesday 28; finishing then is on time (calendar dates said late)."""
    facts = [
        fact(
            "A-1",
            ("2026-04-20 09:00", 2),
            ("2026-04-23 10:00", 5),
            ("2026-04-24 10:00", 4),
            ("2026-04-28 16:00", 9),
            due="2026-04-24 17:00",
        )
    ]
    period = dataclasses.replace(
        NOVEMBER,
        start=vn("2026-04-01 00:00"),
        end=vn("2026-05-01 00:00"),
        cutoff=vn("2026-05-01 00:00"),
    )
    t1 = figure(compute(facts, period=period)[0], "T1")
    assert (t1["numerator"], t1["denominator"]) == (1, 1)


def test_the_cut_off_hides_what_happened_later():
    facts = [fact("A-1", ("2025-11-03 09:00", 2), ("2025-12-03 09:00", 9), due="2025-11-14 17:00")]
    content, members = compute(facts)
    assert members["T1"].denominator == ["A-1"] and members["T1"].numerator == []
    assert content["counts"]["in_progress_overdue"] == 1


def _rating(code, overall, assisted=False, at="2025-11-20 10:00"):
    return RatingInput(code, vn(at), overall, assisted)


def test_satisfaction_variants_labelled_and_assisted_apart():
    def done(code):
        return fact(
            code,
            ("2025-11-03 09:00", 2),
            ("2025-11-10 09:00", 10),
            due="2025-11-28 17:00",
        )

    facts = [done(f"A-{i}") for i in range(6)]
    ratings = [
        _rating("A-0", 2),
        _rating("A-1", 1),
        _rating("A-2", 0),
        _rating("A-3", 2, assisted=True),
        _rating("A-4", None),
        _rating("A-5", 2, at="2025-12-02 10:00"),
    ]  # after the period
    content, members = compute(facts, ratings)
    own = {v["code"]: v for v in content["satisfaction"]["self"]}
    assisted = {v["code"]: v for v in content["satisfaction"]["assisted"]}
    assert (own["SAT_ANSWERED"]["numerator"], own["SAT_ANSWERED"]["denominator"]) == (2, 3)
    assert own["SAT_ANSWERED"]["percent"] == "66.66"
    assert (own["SAT_INVITED"]["numerator"], own["SAT_INVITED"]["denominator"]) == (2, 6)
    assert (own["SAT_VERY"]["numerator"], own["SAT_VERY"]["denominator"]) == (1, 3)
    assert (
        assisted["SAT_ANSWERED_ASSISTED"]["numerator"],
        assisted["SAT_ANSWERED_ASSISTED"]["denominator"],
    ) == (1, 1)
    assert all(v["label_vi"] and v["label_en"] for v in own.values())
    h1, h2 = figure(content, "H1"), figure(content, "H2")
    assert (h1["numerator"], h1["denominator"], h1["score"]) == (2, 3, "8.00")
    assert h2["score"] == "4.44"  # 6 × (2/3) ÷ 0.9
    assert members["H1"].denominator == ["A-0", "A-1", "A-2"]


@pytest.mark.parametrize(("satisfied", "score"), [(8999, "5.99"), (9000, "6.00")])
def test_satisfaction_target_90_percent_boundary(satisfied, score):
    facts = [simple(f"A-{i:05d}") for i in range(10000)]
    ratings = [_rating(f.code, 1 if i < satisfied else 0) for i, f in enumerate(facts)]
    h2 = figure(compute(facts, ratings)[0], "H2")
    assert (h2["numerator"], h2["denominator"], h2["score"]) == (satisfied, 10000, score)


def test_group_and_total_scores_add_up():
    content, _ = compute(
        [simple("A-1", components=1, digitised=True, has_fee=True, paid_online=True)]
    )
    figures = [f for f in content["figures"] if f["status"] == "measured"]
    for group in content["groups"]:
        inside = [Decimal(f["score"]) for f in figures if f["group"] == group["code"]]
        assert Decimal(group["score"]) == sum(inside, Decimal(0))
    assert Decimal(content["total"]["score"]) == sum(Decimal(g["score"]) for g in content["groups"])


def test_every_figure_keeps_the_items_that_make_it():
    facts = [
        simple(f"A-{i}", components=1, digitised=i % 2 == 0, has_fee=True, paid_online=i % 3 == 0)
        for i in range(9)
    ]
    content, members = compute(facts)
    for f in content["figures"]:
        if f["status"] == "not_measurable":
            assert f["code"] not in members
            continue
        assert len(members[f["code"]].numerator) == f["numerator"]
        assert len(members[f["code"]].denominator) == f["denominator"]
        assert set(members[f["code"]].numerator) <= set(members[f["code"]].denominator)


def test_same_facts_same_result():
    facts = [simple(f"A-{i}", components=1, digitised=True) for i in range(5)]
    assert compute(facts)[0] == compute(list(reversed(facts)))[0]
    assert default_versions()[0].version == compute(facts)[0]["formula_version"]


def test_average_handling_time_in_working_days_per_procedure():
    facts = [
        # Friday 24 April 2026 → Tuesday 28 April: one working day (27 is a holiday).
        fact("A-1", ("2026-04-24 09:00", 2), ("2026-04-28 10:00", 10), due="2026-05-08 17:00"),
        fact(
            "A-2",
            ("2026-04-20 09:00", 2),
            ("2026-04-23 10:00", 10),
            due="2026-05-08 17:00",
            procedure_code="P2",
        ),
        fact("A-3", ("2026-04-20 09:00", 2), due="2026-05-08 17:00"),  # not finished
    ]
    period = dataclasses.replace(
        NOVEMBER,
        start=vn("2026-04-01 00:00"),
        end=vn("2026-05-01 00:00"),
        cutoff=vn("2026-05-01 00:00"),
    )
    handling = compute(facts, period=period)[0]["handling_time"]
    assert (handling["count"], handling["mean"], handling["unit"]) == (2, "2.00", "working_days")
    assert handling["by_procedure"] == [
        {"procedure_code": "1.000001", "count": 1, "mean": "1.00"},
        {"procedure_code": "P2", "count": 1, "mean": "3.00"},
    ]
    assert compute([simple("A-9")])[0]["handling_time"]["mean"] is None
