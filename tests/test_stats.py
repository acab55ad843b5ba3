"""Tests of analysis.stats against scipy, nltk, published worked examples and hand computation."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from nltk.metrics.association import BigramAssocMeasures
from scipy import sparse
from scipy.stats import (
    chi2,
    chi2_contingency,
    false_discovery_control,
    permutation_test,
    power_divergence,
)

from analysis.errors import AnalysisError
from analysis.stats import (
    KEYNESS_COLUMNS,
    association,
    benjamini_hochberg,
    dispersion_dp,
    keyness,
    keyness_one_vs_rest,
    keyness_pairwise,
    logodds_dirichlet,
    permutation_log_ratio,
)

# quanteda's toy texts: "a a b b c d" (target) vs "a d d d" (reference)
TOY_T = {"a": 2, "b": 2, "c": 1, "d": 1}
TOY_R = {"a": 1, "d": 3}


def _random_tables(seed: int, n_terms: int = 40) -> tuple[pd.Series, pd.Series]:
    rng = np.random.default_rng(seed)
    terms = [f"t{i}" for i in range(n_terms)]
    t = pd.Series(rng.integers(0, 30, n_terms), index=terms)
    r = pd.Series(rng.integers(0, 30, n_terms), index=terms)
    t.iloc[0], r.iloc[0] = 7, 0  # one zero in the reference
    t.iloc[1], r.iloc[1] = 0, 9  # one zero in the target
    return t, r


def test_keyness_columns_and_order() -> None:
    k = keyness(TOY_T, TOY_R)
    assert k.index.name == "term"
    assert list(k.columns) == list(KEYNESS_COLUMNS)
    assert list(k.index) == ["b", "c", "a", "d"]  # sorted by signed g2, descending
    assert k["g2"].is_monotonic_decreasing


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
@pytest.mark.parametrize("totals", [None, (2000.0, 3500.0)])
def test_g2_equals_scipy_chi2_contingency(seed: int, totals: tuple[float, float] | None) -> None:
    t, r = _random_tables(seed)
    c, d = (float(t.sum()), float(r.sum())) if totals is None else totals
    k = keyness(t, r, target_total=c, reference_total=d)
    for term in t.index:
        a, b = float(t[term]), float(r[term])
        if a + b == 0:
            assert term not in k.index
            continue
        stat, p, _, expected = chi2_contingency(
            [[a, b], [c - a, d - b]], correction=False, lambda_="log-likelihood"
        )
        row = k.loc[term]
        assert abs(row["g2"]) == pytest.approx(stat, rel=1e-10, abs=1e-12)
        assert row["p"] == pytest.approx(p, rel=1e-9, abs=1e-300)
        assert row["e_target"] == pytest.approx(expected[0, 0])
        assert row["e_reference"] == pytest.approx(expected[0, 1])
        if row["g2"] != 0:
            assert np.sign(row["g2"]) == (1.0 if a / c > b / d else -1.0)


def test_ucrel_two_cell_equals_scipy_power_divergence() -> None:
    t, r = _random_tables(5)
    c, d = float(t.sum()), float(r.sum())
    k = keyness(t, r, ucrel=True)
    for term in ["t0", "t1", "t2", "t3"]:
        a, b = float(t[term]), float(r[term])
        e = [(a + b) * c / (c + d), (a + b) * d / (c + d)]
        stat, _ = power_divergence([a, b], f_exp=e, lambda_="log-likelihood")
        assert abs(k.loc[term, "g2_ucrel"]) == pytest.approx(stat)
        assert np.sign(k.loc[term, "g2_ucrel"]) == np.sign(k.loc[term, "g2"])


def test_p_adj_equals_scipy_false_discovery_control() -> None:
    t, r = _random_tables(7, n_terms=200)
    k = keyness(t, r)
    np.testing.assert_allclose(k["p_adj"], false_discovery_control(k["p"], method="bh"))
    np.testing.assert_allclose(k["p"], chi2.sf(k["g2"].abs(), 1))


def test_benjamini_hochberg_keeps_nan_out_of_the_tests() -> None:
    p = np.array([0.01, np.nan, 0.04, 0.03, 0.5])
    got = benjamini_hochberg(p)
    assert np.isnan(got[1])
    np.testing.assert_allclose(got[~np.isnan(p)], false_discovery_control(p[~np.isnan(p)]))


def test_toy_texts_hand_computed() -> None:
    k = keyness(TOY_T, TOY_R)
    n = 10
    # a: 2/6 vs 1/4
    assert k.loc["a", "log_ratio"] == pytest.approx(math.log2((2 / 6) / (1 / 4)))
    assert k.loc["a", "pct_diff"] == pytest.approx(100 * (2 / 6 - 1 / 4) / (1 / 4))
    assert k.loc["a", "e_target"] == pytest.approx(3 * 6 / 10)
    # b is absent from the reference: 0.5 substituted, pct_diff infinite -> NaN + flag
    assert k.loc["b", "log_ratio"] == pytest.approx(math.log2((2 / 6) / (0.5 / 4)))
    assert np.isnan(k.loc["b", "pct_diff"]) and bool(k.loc["b", "pct_diff_inf"])
    assert not bool(k.loc["a", "pct_diff_inf"])
    assert k.loc["d", "log_ratio"] == pytest.approx(math.log2((1 / 6) / (3 / 4)))
    np.testing.assert_allclose(k["bic"], k["g2"].abs() - math.log(n))
    # every toy row has an expected count below 5
    assert k["too_small"].all()


def test_logodds_hand_computed_monroe_formula() -> None:
    # prior = pooled counts: alpha_a = 3, a0 = 10; n_i = 6, n_j = 4
    k = keyness(TOY_T, TOY_R)
    delta = math.log(5 / (6 + 10 - 5)) - math.log(4 / (4 + 10 - 4))
    z = delta / math.sqrt(1 / 5 + 1 / 4)
    assert k.loc["a", "logodds_z"] == pytest.approx(z)
    assert z == pytest.approx(0.190563, abs=1e-6)


def test_logodds_dirichlet_against_term_by_term_formula() -> None:
    t, r = _random_tables(11)
    prior = (t + r + 1) * 0.1
    got = logodds_dirichlet(t, r, prior)
    ni, nj, a0 = t.sum(), r.sum(), prior.sum()
    for term in ["t0", "t1", "t5", "t9"]:
        yi, yj, aw = t[term], r[term], prior[term]
        d = math.log((yi + aw) / (ni + a0 - yi - aw)) - math.log((yj + aw) / (nj + a0 - yj - aw))
        v = 1 / (yi + aw) + 1 / (yj + aw)
        assert got.loc[term, "delta"] == pytest.approx(d)
        assert got.loc[term, "variance"] == pytest.approx(v)
        assert got.loc[term, "z"] == pytest.approx(d / math.sqrt(v))
    swapped = logodds_dirichlet(r, t, prior)
    np.testing.assert_allclose(swapped["z"], -got["z"])


def test_logodds_dirichlet_scalar_prior_and_errors() -> None:
    got = logodds_dirichlet([3, 0], [1, 2], 0.01)
    assert list(got.columns) == ["delta", "variance", "z"]
    assert got["z"].iloc[0] > 0 > got["z"].iloc[1]
    with pytest.raises(AnalysisError, match="prior"):
        logodds_dirichlet([3, 0], [1, 2], 0.0)


def test_prior_total_shrinks_logodds() -> None:
    weak = keyness(TOY_T, TOY_R, prior_total=1.0)
    strong = keyness(TOY_T, TOY_R, prior_total=1000.0)
    assert abs(strong.loc["d", "logodds_z"]) > 0
    assert abs(weak.loc["d", "logodds_z"]) != pytest.approx(abs(strong.loc["d", "logodds_z"]))


def test_keyness_aligns_terms_and_drops_double_zeros() -> None:
    k = keyness(pd.Series({"x": 3, "y": 0}), pd.Series({"z": 2, "y": 0}))
    assert set(k.index) == {"x", "z"}
    assert k.loc["z", "n_target"] == 0


@pytest.mark.parametrize(
    ("target", "reference", "options", "match"),
    [
        ({"a": -1}, {"a": 2}, {}, "finite and >= 0"),
        ({"a": 1}, {"a": float("nan")}, {}, "finite"),
        ({"a": 5}, {"a": 2}, {"target_total": 3}, "target_total"),
        ({"a": 5}, {"a": 2}, {"reference_total": 0}, "reference_total"),
    ],
)
def test_keyness_rejects_bad_input(target, reference, options, match) -> None:
    with pytest.raises(AnalysisError, match=match):
        keyness(target, reference, **options)


def test_keyness_on_a_large_vocabulary() -> None:
    rng = np.random.default_rng(0)
    terms = [f"w{i}" for i in range(100_000)]
    t = pd.Series(rng.zipf(1.6, len(terms)).clip(max=10_000), index=terms)
    r = pd.Series(rng.zipf(1.6, len(terms)).clip(max=10_000), index=terms)
    k = keyness(t, r)
    assert len(k) == len(terms)
    assert np.isfinite(k["g2"]).all()
    # G² is signed by the direction of the difference, as the log ratio is
    assert (np.sign(k["g2"]) == np.sign(k["log_ratio"]).where(k["g2"] != 0, 0)).all()


def test_too_small_flag_thresholds() -> None:
    t = {"big": 400, "rare": 2, "mid": 10}
    r = {"big": 300, "rare": 0, "mid": 2}
    k = keyness(t, r, target_total=10_000, reference_total=10_000)
    assert not k.loc["big", "too_small"]
    assert k.loc["rare", "too_small"]  # observed 2 < 3 and expected 1 < 5
    assert not k.loc["mid", "too_small"]  # expected 6 and 6 >= 5
    k2 = keyness(t, r, target_total=10_000, reference_total=10_000, min_expected=7)
    assert k2.loc["mid", "too_small"]


# --- multi-group -------------------------------------------------------------------------------


def _three_groups() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    return pd.DataFrame(
        rng.integers(0, 20, (30, 3)),
        index=[f"t{i}" for i in range(30)],
        columns=["gov", "ngo", "un"],
    )


def test_one_vs_rest_matches_keyness_on_pooled_rest() -> None:
    wide = _three_groups()
    totals = {"gov": 900, "ngo": 800, "un": 700}
    got = keyness_one_vs_rest(wide, totals=totals)
    assert set(got["group"]) == {"gov", "ngo", "un"}
    assert set(got["reference"]) == {"rest"}
    ngo = got[got["group"] == "ngo"].set_index("term")
    ref = keyness(
        wide["ngo"],
        wide["gov"] + wide["un"],
        target_total=800,
        reference_total=1600,
    )
    pd.testing.assert_series_equal(ngo["g2"], ref["g2"], check_names=False)


def test_pairwise_has_every_ordered_pair() -> None:
    wide = _three_groups()
    got = keyness_pairwise(wide)
    pairs = set(map(tuple, got[["group", "reference"]].drop_duplicates().to_numpy()))
    assert len(pairs) == 6
    block = got[(got["group"] == "un") & (got["reference"] == "gov")].set_index("term")
    ref = keyness(wide["un"], wide["gov"])
    np.testing.assert_allclose(block.loc[ref.index, "log_ratio"], ref["log_ratio"])


def test_multi_group_needs_two_groups() -> None:
    with pytest.raises(AnalysisError, match="two groups"):
        keyness_one_vs_rest(pd.DataFrame({"only": [1, 2]}, index=["a", "b"]))


# --- dispersion --------------------------------------------------------------------------------


def test_dispersion_gries_worked_example() -> None:
    # Gries (2008; 2020 handbook): "b a m n i b e u p / b a s a t b e w q n / b c a g a b e s t a /
    # b a g h a b e a a t / b a h a a b e a x a t"; a occurs 1..5 times; DP = 0.18.
    parts = [
        "b a m n i b e u p",
        "b a s a t b e w q n",
        "b c a g a b e s t a",
        "b a g h a b e a a t",
        "b a h a a b e a x a t",
    ]
    sizes = [len(p.split()) for p in parts]
    counts = [p.split().count("a") for p in parts]
    assert sizes == [9, 10, 10, 10, 11] and counts == [1, 2, 3, 4, 5]
    dp, dpnorm = dispersion_dp(counts, sizes)
    assert dp == pytest.approx(0.18)
    assert dpnorm == pytest.approx(0.18 / (1 - 0.18))


@pytest.mark.parametrize(
    ("counts", "sizes", "dp", "dpnorm"),
    [
        ([2, 2, 2, 2], [10, 10, 10, 10], 0.0, 0.0),  # perfectly even
        ([0, 0, 0, 5], [10, 10, 10, 10], 0.75, 1.0),  # all in one (smallest) part
        ([2, 1, 1], [20, 10, 10], 0.0, 0.0),  # proportional to unequal sizes
        ([3, 0], [10, 30], 0.75, 1.0),
        ([0, 3], [10, 30], 0.25, 1 / 3),
    ],
)
def test_dispersion_hand_values(counts, sizes, dp, dpnorm) -> None:
    assert dispersion_dp(counts, sizes) == pytest.approx((dp, dpnorm))


def test_dispersion_matrix_equals_rows_and_zero_is_nan() -> None:
    m = np.array([[1, 2, 3, 4, 5], [0, 0, 0, 0, 7], [0, 0, 0, 0, 0]])
    sizes = [9, 10, 10, 10, 11]
    dp, dpn = dispersion_dp(m, sizes)
    for i in range(2):
        assert (dp[i], dpn[i]) == pytest.approx(dispersion_dp(m[i], sizes))
    assert np.isnan(dp[2]) and np.isnan(dpn[2])


@pytest.mark.parametrize(
    ("counts", "sizes"), [([1, 2], [1, 2, 3]), ([1, 2], [0, 5]), ([-1, 2], [3, 3])]
)
def test_dispersion_rejects_bad_input(counts, sizes) -> None:
    with pytest.raises(AnalysisError):
        dispersion_dp(counts, sizes)


# --- association -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("f_xy", "f_x", "f_y", "n"),
    [(5, 10, 20, 1000), (1, 1, 1, 50), (12, 40, 15, 14307668), (3, 100, 100, 500), (8, 8, 9, 9)],
)
def test_association_equals_nltk_bigram_measures(f_xy, f_x, f_y, n) -> None:
    got = association(f_xy, f_x, f_y, n)
    m = BigramAssocMeasures
    assert got["pmi"] == pytest.approx(m.pmi(f_xy, (f_x, f_y), n))
    assert got["t_score"] == pytest.approx(m.student_t(f_xy, (f_x, f_y), n))
    assert got["g2"] == pytest.approx(m.likelihood_ratio(f_xy, (f_x, f_y), n), rel=1e-9, abs=1e-9)
    assert got["log_dice"] == pytest.approx(14 + math.log2(2 * f_xy / (f_x + f_y)))


def test_association_g2_equals_scipy_and_vectorises() -> None:
    fxy = np.array([5, 2, 9])
    fx = np.array([10, 30, 12])
    fy = np.array([20, 4, 40])
    n = 500
    got = association(fxy, fx, fy, n)
    for i in range(3):
        table = [[fxy[i], fx[i] - fxy[i]], [fy[i] - fxy[i], n - fx[i] - fy[i] + fxy[i]]]
        stat, *_ = chi2_contingency(table, correction=False, lambda_="log-likelihood")
        assert got["g2"][i] == pytest.approx(stat)
    assert isinstance(got["pmi"], np.ndarray)


def test_association_rejects_inconsistent_counts() -> None:
    with pytest.raises(AnalysisError, match="f_xy"):
        association(11, 10, 20, 100)


# --- permutation -------------------------------------------------------------------------------


def _segments() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    # 7 segments x 3 terms; term 0 concentrated in the target segments
    x = np.array(
        [[4, 1, 0], [3, 0, 1], [5, 2, 0], [0, 1, 2], [1, 0, 3], [0, 2, 2], [1, 1, 1]],
        dtype=float,
    )
    sizes = np.array([20, 18, 25, 22, 19, 24, 21], dtype=float)
    labels = np.array(["ngo", "ngo", "ngo", "gov", "gov", "gov", "gov"])
    return x, sizes, labels


def test_permutation_exact_equals_scipy_permutation_test() -> None:
    x, sizes, labels = _segments()
    got = permutation_log_ratio(x, sizes, labels, target="ngo", terms=["p", "q", "r"])
    assert got["exact"].all() and (got["n_permutations"] == math.comb(7, 3)).all()
    ids_t = np.flatnonzero(labels == "ngo").astype(float)
    ids_r = np.flatnonzero(labels != "ngo").astype(float)
    for j, term in enumerate(["p", "q", "r"]):

        def stat(a: np.ndarray, b: np.ndarray, j: int = j) -> float:
            ia, ib = a.astype(int), b.astype(int)
            ta, tb = x[ia, j].sum(), x[ib, j].sum()
            return ta / (ta + tb)  # the target's share of the term's occurrences

        res = permutation_test(
            (ids_t, ids_r), stat, permutation_type="independent", n_resamples=10_000
        )
        assert got.loc[term, "share_target"] == pytest.approx(res.statistic)
        assert got.loc[term, "p_perm"] == pytest.approx(res.pvalue)
        ta, tb = x[labels == "ngo", j].sum() or 0.5, x[labels != "ngo", j].sum() or 0.5
        c, d = sizes[labels == "ngo"].sum(), sizes[labels != "ngo"].sum()
        assert got.loc[term, "log_ratio"] == pytest.approx(math.log2((ta / c) / (tb / d)))
    assert got.loc["p", "log_ratio"] > 0 > got.loc["r", "log_ratio"]


def test_permutation_randomised_is_seeded_and_bounded() -> None:
    rng = np.random.default_rng(1)
    x = sparse.csr_matrix(rng.poisson(1.0, (40, 5)))
    sizes = np.full(40, 30.0)
    labels = np.repeat(["a", "b"], 20)
    one = permutation_log_ratio(x, sizes, labels, target="a", n_resamples=999, seed=7)
    two = permutation_log_ratio(x, sizes, labels, target="a", n_resamples=999, seed=7)
    pd.testing.assert_frame_equal(one, two)
    assert not one["exact"].any()
    assert ((one["p_perm"] >= 1 / 1000) & (one["p_perm"] <= 1)).all()
    assert (one["ci_low"] <= one["ci_high"]).all()
    assert (one["null_low"] <= one["null_high"]).all()
    other = permutation_log_ratio(x, sizes, labels, target="a", n_resamples=999, seed=8)
    assert not np.allclose(one["p_perm"], other["p_perm"])


def test_permutation_reference_subset_and_errors() -> None:
    x, sizes, labels = _segments()
    labels3 = labels.copy()
    labels3[-1] = "un"
    got = permutation_log_ratio(x, sizes, labels3, target="ngo", reference="gov")
    assert got.loc["0", "n_reference"] == x[3:6, 0].sum()
    with pytest.raises(AnalysisError, match="at least one segment"):
        permutation_log_ratio(x, sizes, labels, target="nobody")
    with pytest.raises(AnalysisError, match="one row"):
        permutation_log_ratio(x, sizes[:-1], labels, target="ngo")


@pytest.mark.parametrize("target", ["ngo", "gov"])
def test_a_term_in_one_segment_never_beats_the_share_of_target_segments(target: str) -> None:
    # Five uses in one long target segment: today's log-ratio statistic would reward the few
    # words a shuffled group gets; the share statistic cannot go below k / n.
    x = np.zeros((12, 1))
    labels = np.array(["ngo"] * 3 + ["gov"] * 9)
    row = 0 if target == "ngo" else 5
    x[row, 0] = 5
    sizes = np.array([400, 30, 30, 30, 30, 400, 30, 30, 30, 30, 30, 30], dtype=float)
    got = permutation_log_ratio(x, sizes, labels, target=target, terms=["t"])
    share = (labels == target).mean()
    assert got.loc["t", "p_perm"] >= share
    assert got.loc["t", "share_target"] == 1.0
    randomised = permutation_log_ratio(
        x, sizes, labels, target=target, terms=["t"], n_resamples=199, seed=3
    )
    assert not randomised["exact"].all() or math.comb(12, int((labels == target).sum())) <= 199
    assert randomised.loc["t", "p_perm"] >= share - 0.1
