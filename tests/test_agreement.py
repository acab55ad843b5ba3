"""Tests for analysis.agreement against Krippendorff (2011) and scikit-learn."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import cohen_kappa_score

from analysis.agreement import (
    agreement_summary,
    alpha_details,
    alpha_verdict,
    bootstrap_alpha,
    cohen_kappa,
    coincidence_matrix,
    disagreements,
    krippendorff_alpha,
    percent_agreement,
    reliability_matrix,
    verdict_text,
)

N = None
# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C: 4 observers
# (A-D) x 12 units, values 1-5, "." = missing. Unit 12 has a single value (unpairable).
KRIPPENDORFF_2011 = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, N, N, N],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, N, 3],
    [N, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, N],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, N],
]


@pytest.mark.parametrize(
    ("level", "expected"),
    [("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849), ("ratio", 0.797)],
)
def test_krippendorff_2011_worked_example(level: str, expected: float) -> None:
    assert round(krippendorff_alpha(KRIPPENDORFF_2011, level), 3) == expected


def test_worked_example_coincidence_matrix_matches_paper() -> None:
    o = coincidence_matrix(KRIPPENDORFF_2011)
    assert o.to_numpy().sum() == pytest.approx(40.0)  # n = 40 pairable values
    assert o.loc[1, 1] == pytest.approx(7.0)
    assert o.loc[1, 2] == pytest.approx(4 / 3)
    assert o.loc[2, 2] == pytest.approx(10.0)
    assert o.loc[5, 5] == pytest.approx(3.0)
    np.testing.assert_allclose(o.sum(axis=1).to_numpy(), [9, 13, 10, 5, 3])
    details = alpha_details(KRIPPENDORFF_2011)
    assert details.n_units_pairable == 11  # unit 12 dropped


def test_missing_markers_are_equivalent_and_dataframe_accepted() -> None:
    as_nan = [[math.nan if v is None else v for v in row] for row in KRIPPENDORFF_2011]
    as_blank = [["" if v is None else v for v in row] for row in KRIPPENDORFF_2011]
    frame = pd.DataFrame(KRIPPENDORFF_2011, index=list("ABCD"))
    ref = krippendorff_alpha(KRIPPENDORFF_2011)
    assert krippendorff_alpha(as_nan) == pytest.approx(ref)
    assert krippendorff_alpha(as_blank) == pytest.approx(ref)
    assert krippendorff_alpha(frame) == pytest.approx(ref)


def test_string_labels_nominal_equal_numeric() -> None:
    as_str = [[None if v is None else f"c{v}" for v in row] for row in KRIPPENDORFF_2011]
    assert krippendorff_alpha(as_str) == pytest.approx(krippendorff_alpha(KRIPPENDORFF_2011))


def test_ordinal_with_explicit_order_of_labels() -> None:
    names = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five"}
    as_str = [[None if v is None else names[v] for v in row] for row in KRIPPENDORFF_2011]
    order = ["one", "two", "three", "four", "five"]
    assert krippendorff_alpha(as_str, "ordinal", order=order) == pytest.approx(
        krippendorff_alpha(KRIPPENDORFF_2011, "ordinal")
    )
    with pytest.raises(ValueError, match="numeric"):
        krippendorff_alpha(as_str, "ordinal")


def test_two_coders_nominal_no_missing_textbook_value() -> None:
    # Perfect agreement -> 1; systematic disagreement -> negative
    assert krippendorff_alpha([["a", "b", "a"], ["a", "b", "a"]]) == 1.0
    assert krippendorff_alpha([["a", "b"], ["b", "a"]]) < 0


def test_alpha_undefined_without_variation_has_reason() -> None:
    details = alpha_details([["x", "x", "x"], ["x", "x", None]])
    assert math.isnan(details.alpha)
    assert "no variation" in details.reason
    nothing = alpha_details([["x", None], [None, "y"]])
    assert math.isnan(nothing.alpha)
    assert "no pairable" in nothing.reason


def test_single_coder_units_do_not_change_alpha() -> None:
    extended = [row + [v] for row, v in zip(KRIPPENDORFF_2011, [4, N, N, N], strict=True)]
    assert krippendorff_alpha(extended) == pytest.approx(krippendorff_alpha(KRIPPENDORFF_2011))


def test_interval_requires_numbers_with_clear_error() -> None:
    with pytest.raises(ValueError, match="numeric values"):
        krippendorff_alpha([["a", "b"], ["a", "c"]], "interval")
    with pytest.raises(ValueError, match="level"):
        krippendorff_alpha([[1, 2], [1, 2]], "cardinal")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="one entry per unit"):
        krippendorff_alpha([[1, 2, 3], [1, 2]])


@pytest.mark.parametrize("weights", [None, "linear", "quadratic"])
@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_cohen_kappa_equals_sklearn(weights: str | None, seed: int) -> None:
    rng = np.random.default_rng(seed)
    labels = np.array(["critical", "mixed", "neutral", "supportive"])
    a = labels[rng.integers(0, 4, 40)]
    b = np.where(rng.random(40) < 0.6, a, labels[rng.integers(0, 4, 40)])
    assert cohen_kappa(list(a), list(b), weights) == pytest.approx(
        cohen_kappa_score(a, b, weights=weights)
    )


def test_cohen_kappa_numeric_and_missing_pairs_dropped() -> None:
    a = [1, 2, 3, 3, None, 2]
    b = [1, 3, 3, 2, 1, ""]
    kept_a, kept_b = [1, 2, 3, 3], [1, 3, 3, 2]
    assert cohen_kappa(a, b, "linear") == pytest.approx(
        cohen_kappa_score(kept_a, kept_b, weights="linear")
    )
    assert math.isnan(cohen_kappa(["a", "a"], ["a", "a"]))


def test_percent_agreement_two_and_three_coders() -> None:
    assert percent_agreement([["a", "b", "c", "d"], ["a", "b", "x", None]]) == pytest.approx(2 / 3)
    # unit 1: all agree (1); unit 2: one of three pairs agree (1/3)
    three = [["a", "a"], ["a", "a"], ["a", "b"]]
    assert percent_agreement(three) == pytest.approx((1 + 1 / 3) / 2)
    assert math.isnan(percent_agreement([["a", None], [None, "b"]]))


def test_bootstrap_is_seeded_and_brackets_alpha() -> None:
    first = bootstrap_alpha(KRIPPENDORFF_2011, "nominal", n_boot=500, seed=7)
    second = bootstrap_alpha(KRIPPENDORFF_2011, "nominal", n_boot=500, seed=7)
    other = bootstrap_alpha(KRIPPENDORFF_2011, "nominal", n_boot=500, seed=8)
    assert (first.lower, first.upper) == (second.lower, second.upper)
    assert (first.lower, first.upper) != (other.lower, other.upper)
    assert first.lower <= first.alpha <= first.upper <= 1.0
    assert first.n_valid == 500


def test_bootstrap_replicate_equals_alpha_of_resampled_units() -> None:
    # one replicate with n_boot=1 must equal alpha recomputed on the same resampled units
    data = KRIPPENDORFF_2011
    result = bootstrap_alpha(data, "ordinal", n_boot=1, seed=3)
    pairable = [u for u in range(12) if sum(row[u] is not None for row in data) >= 2]
    rng = np.random.default_rng(3)
    draws = rng.multinomial(len(pairable), np.full(len(pairable), 1 / len(pairable)), size=1)[0]
    chosen = [pairable[i] for i, k in enumerate(draws) for _ in range(k)]
    resampled = [[row[u] for u in chosen] for row in data]
    assert result.replicates[0] == pytest.approx(krippendorff_alpha(resampled, "ordinal"))


def _long(rows: list[tuple[str, str, str, str]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["seg_id", "coder", "dimension", "code"])


def test_long_table_helpers() -> None:
    long = _long(
        [
            ("u1", "ann", "frame", "a"),
            ("u1", "bob", "frame", "a"),
            ("u2", "ann", "frame", "b"),
            ("u2", "bob", "frame", "c"),
            ("u3", "ann", "frame", "b"),
            ("u3", "bob", "frame", ""),
            ("u1", "ann", "confidence", "3"),
            ("u1", "bob", "confidence", "2"),
            ("u2", "ann", "confidence", "1"),
            ("u2", "bob", "confidence", "1"),
        ]
    )
    matrix = reliability_matrix(long, "frame")
    assert list(matrix.index) == ["ann", "bob"]
    assert matrix.loc["bob", "u3"] is None
    dis = disagreements(long)
    assert list(dis["seg_id"]) == ["u2", "u1"]
    assert dis.iloc[0]["codes"] == "ann=b; bob=c"
    summary = agreement_summary(long, levels={"confidence": "ordinal"}, n_boot=50).set_index(
        "dimension"
    )
    assert summary.loc["frame", "n_units"] == 2
    assert summary.loc["frame", "percent_agreement"] == pytest.approx(0.5)
    assert summary.loc["frame", "cohen_kappa"] == pytest.approx(
        cohen_kappa_score(["a", "b"], ["a", "c"])
    )
    assert summary.loc["confidence", "level"] == "ordinal"


@pytest.mark.parametrize(
    ("alpha", "verdict"),
    [
        (1.0, "reliable"),
        (0.8, "reliable"),
        (0.79, "tentative"),
        (0.667, "tentative"),
        (0.6669, "not reliable"),
        (2 / 3, "not reliable"),  # the convention's cut-off is .667, not two thirds
        (0.0, "not reliable"),
        (-0.4, "not reliable"),
        (math.nan, "undefined"),
        (np.float64("nan"), "undefined"),
        (np.float64(0.85), "reliable"),
    ],
)
def test_alpha_verdict_thresholds(alpha: float, verdict: str) -> None:
    assert alpha_verdict(alpha) == verdict


def test_alpha_verdict_of_computed_alphas() -> None:
    # the Krippendorff (2011) example: nominal alpha 0.743 is tentative
    assert alpha_verdict(krippendorff_alpha(KRIPPENDORFF_2011, "nominal")) == "tentative"
    assert alpha_verdict(krippendorff_alpha([["a", "b", "a"], ["a", "b", "a"]])) == "reliable"
    # no variation, and a single coder: alpha is undefined, and so is the verdict
    assert alpha_verdict(krippendorff_alpha([["a", "a", "a"], ["a", "a", "a"]])) == "undefined"
    assert alpha_verdict(krippendorff_alpha([["a", "b", "a"]])) == "undefined"
    summary = agreement_summary(
        _long([("u1", "ann", "frame", "a"), ("u1", "bob", "frame", "b")]), n_boot=10
    )
    assert [alpha_verdict(a) for a in summary["alpha"]] == ["not reliable"]


@pytest.mark.parametrize(
    ("alpha", "note", "text"),
    [
        (0.8, "", "reliable (≥ 0.8)"),
        (0.79, "", "tentative (≥ 0.667)"),
        (0.667, "", "tentative (≥ 0.667)"),
        (0.6669, "", "not reliable (< 0.667)"),
        (np.float64(0.95), "", "reliable (≥ 0.8)"),
        # the note explains an undefined alpha only
        (0.5, "ignored", "not reliable (< 0.667)"),
        (
            math.nan,
            "no pairable values: no unit was coded by at least two coders",
            "undefined (no pairable values: no unit was coded by at least two coders)",
        ),
        (np.float64("nan"), "no variation", "undefined (no variation)"),
        (math.nan, "", "undefined"),
    ],
)
def test_verdict_text_words_the_verdict_with_its_threshold(
    alpha: float, note: str, text: str
) -> None:
    assert verdict_text(alpha, note) == text


def test_verdict_text_reads_the_thresholds_at_run_time(monkeypatch) -> None:
    from analysis import agreement

    monkeypatch.setattr(agreement.alpha, "ALPHA_RELIABLE", 0.9)
    assert verdict_text(0.85) == "tentative (≥ 0.667)"
    assert verdict_text(0.9) == "reliable (≥ 0.9)"


def test_verdict_text_of_a_summary_with_an_undefined_alpha() -> None:
    # one coder: alpha is undefined and agreement_summary says why
    summary = agreement_summary(
        _long([("u1", "ann", "frame", "a"), ("u2", "ann", "frame", "b")]), n_boot=10
    )
    row = summary.iloc[0]
    assert verdict_text(row["alpha"], row["alpha_note"]) == f"undefined ({row['alpha_note']})"
    assert row["alpha_note"].startswith("no pairable values")
