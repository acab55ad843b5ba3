"""Keyness, effect sizes, dispersion and collocation measures: pure, vectorised numeric functions.

Every function takes counts (dicts, Series or arrays) and returns numbers or a DataFrame computed
over the whole vocabulary at once with numpy/scipy; none loops over terms in Python. Definitions
and their sources are in ``docs/measures.md``; the tests check each against scipy, nltk or a
published worked example.

Notation: for a term, ``a`` is its frequency in the target group, ``b`` in the reference group,
``c`` and ``d`` the token totals of the two groups and ``N = c + d``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from itertools import combinations
from typing import Any, TypeAlias

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.special import xlogy
from scipy.stats import chi2

from analysis.errors import AnalysisError

__all__ = [
    "association",
    "benjamini_hochberg",
    "dispersion_dp",
    "keyness",
    "keyness_one_vs_rest",
    "keyness_pairwise",
    "logodds_dirichlet",
    "permutation_log_ratio",
]

#: Frequency substituted for a zero count in ``log_ratio`` (Hardie 2014).
ZERO_SUBSTITUTE = 0.5

KEYNESS_COLUMNS = (
    "n_target",
    "n_reference",
    "e_target",
    "e_reference",
    "g2",
    "p",
    "p_adj",
    "bic",
    "log_ratio",
    "pct_diff",
    "pct_diff_inf",
    "logodds_z",
    "too_small",
)

CountsLike: TypeAlias = Mapping[str, float] | pd.Series


def _as_series(counts: CountsLike | Sequence[float] | np.ndarray, name: str) -> pd.Series:
    """Return counts as a float Series indexed by term, after checking they are usable counts."""
    if isinstance(counts, pd.Series):
        series = counts.astype(float)
    elif isinstance(counts, Mapping):
        series = pd.Series(dict(counts), dtype=float)
    else:
        series = pd.Series(np.asarray(counts, dtype=float))
    values = series.to_numpy()
    if not np.all(np.isfinite(values)) or np.any(values < 0):
        bad = series[~np.isfinite(values) | (values < 0)]
        raise AnalysisError(
            f"{name}: counts must be finite and >= 0; got {bad.iloc[0]!r} for term "
            f"{bad.index[0]!r}. Check the frequency table passed as {name}."
        )
    if series.index.has_duplicates:
        dup = series.index[series.index.duplicated()][0]
        raise AnalysisError(f"{name}: term {dup!r} appears twice; sum duplicate terms first.")
    return series


def _olog(observed: np.ndarray, expected: np.ndarray) -> np.ndarray:
    """Return ``O ln(O/E)`` with the limit 0 for an empty cell (whose E may also be 0)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(observed > 0, xlogy(observed, observed / expected), 0.0)


def _g2_two_by_two(
    o11: np.ndarray, o12: np.ndarray, o21: np.ndarray, o22: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return unsigned G² of 2x2 tables and the expected values of the first row.

    Rows are (term, other tokens), columns (target, reference).
    """
    row1 = o11 + o12
    row2 = o21 + o22
    col1 = o11 + o21
    col2 = o12 + o22
    n = row1 + row2
    with np.errstate(divide="ignore", invalid="ignore"):
        e11 = row1 * col1 / n
        e12 = row1 * col2 / n
        e21 = row2 * col1 / n
        e22 = row2 * col2 / n
        g2 = 2.0 * (_olog(o11, e11) + _olog(o12, e12) + _olog(o21, e21) + _olog(o22, e22))
    # Rounding can leave -1e-15 for a perfectly proportional table.
    return np.maximum(g2, 0.0), e11, e12


def benjamini_hochberg(p: Sequence[float] | np.ndarray) -> np.ndarray:
    """Adjust p-values for the false discovery rate (Benjamini & Hochberg 1995).

    Parameters
    ----------
    p : array-like of float
        Unadjusted p-values in [0, 1]; NaN entries stay NaN and do not count as tests.

    Returns
    -------
    numpy.ndarray
        Adjusted p-values in the input order, equal to
        ``scipy.stats.false_discovery_control(p, method="bh")`` on the non-NaN entries.
    """
    p = np.asarray(p, dtype=float)
    out = np.full(p.shape, np.nan)
    ok = ~np.isnan(p)
    m = int(ok.sum())
    if m == 0:
        return out
    pv = p[ok]
    order = np.argsort(pv, kind="stable")
    ranked = pv[order] * m / np.arange(1, m + 1)
    # Step-up: each adjusted value is the minimum over itself and all larger p-values.
    ranked = np.minimum.accumulate(ranked[::-1])[::-1]
    adjusted = np.empty(m)
    adjusted[order] = np.clip(ranked, 0.0, 1.0)
    out[ok] = adjusted
    return out


def logodds_dirichlet(
    y_i: CountsLike | Sequence[float] | np.ndarray,
    y_j: CountsLike | Sequence[float] | np.ndarray,
    prior: float | CountsLike | Sequence[float] | np.ndarray,
    *,
    n_i: float | None = None,
    n_j: float | None = None,
) -> pd.DataFrame:
    """Compute weighted log-odds with an informative Dirichlet prior (Monroe et al. 2008).

    ``delta = ln((y_i+a_w)/(n_i+a0-y_i-a_w)) - ln((y_j+a_w)/(n_j+a0-y_j-a_w))`` with
    ``a0 = sum(a_w)``, ``variance = 1/(y_i+a_w) + 1/(y_j+a_w)`` (the paper's 2-term
    approximation; scattertext's 4-term variance gives smaller |z|) and
    ``z = delta / sqrt(variance)``. Positive ``z``: the term leans to group i.

    Parameters
    ----------
    y_i, y_j : dict, Series or array-like
        Term counts of the two groups, aligned by term (Series/dict) or by position (arrays).
    prior : float, dict, Series or array-like
        Prior pseudo-counts ``a_w`` per term (> 0); a scalar is used for every term
        (an uninformative prior).
    n_i, n_j : float, optional
        Token totals of the two groups; default the sums of ``y_i`` and ``y_j``. Pass the real
        totals when the counts leave out some tokens (stopwords, rare terms).

    Returns
    -------
    pandas.DataFrame
        Indexed by term (or position), columns ``delta`` (float64), ``variance`` (float64),
        ``z`` (float64).
    """
    si = _as_series(y_i, "y_i")
    sj = _as_series(y_j, "y_j")
    index = si.index.union(sj.index, sort=False)
    yi = si.reindex(index, fill_value=0.0).to_numpy()
    yj = sj.reindex(index, fill_value=0.0).to_numpy()
    if np.isscalar(prior):
        alpha = np.full(len(index), float(prior))  # type: ignore[arg-type]
    else:
        alpha_s = _as_series(prior, "prior")
        if not isinstance(prior, (Mapping, pd.Series)):
            alpha_s.index = index
        missing = index.difference(alpha_s.index)
        if len(missing):
            raise AnalysisError(
                f"prior: no pseudo-count for term {missing[0]!r}; give a prior for every term."
            )
        alpha = alpha_s.reindex(index).to_numpy()
    if np.any(alpha <= 0):
        raise AnalysisError("prior: pseudo-counts must be > 0 (use a small constant like 0.01).")
    ni = float(yi.sum()) if n_i is None else float(n_i)
    nj = float(yj.sum()) if n_j is None else float(n_j)
    a0 = float(alpha.sum())
    delta = np.log((yi + alpha) / (ni + a0 - yi - alpha)) - np.log(
        (yj + alpha) / (nj + a0 - yj - alpha)
    )
    variance = 1.0 / (yi + alpha) + 1.0 / (yj + alpha)
    return pd.DataFrame(
        {"delta": delta, "variance": variance, "z": delta / np.sqrt(variance)}, index=index
    )


def keyness(
    target: CountsLike,
    reference: CountsLike,
    *,
    target_total: float | None = None,
    reference_total: float | None = None,
    prior_total: float | None = None,
    ucrel: bool = False,
    min_expected: float = 5.0,
    min_observed: int = 3,
    ranges: bool = False,
) -> pd.DataFrame:
    """Compare term frequencies of a target group with a reference group.

    Parameters
    ----------
    target, reference : dict or Series
        Term -> count. Terms missing on one side count 0 there; terms that are 0 on both sides
        are dropped (nothing to test).
    target_total, reference_total : float, optional
        Token totals ``c`` and ``d`` (the denominators). Default: the sum of the counts. Pass the
        full group size when the tables leave out stopwords, so rates stay per running token.
    prior_total : float, optional
        Total ``a0`` of the Dirichlet prior for ``logodds_z``; the prior is the pooled counts
        ``a + b`` scaled to this total. Default: the pooled count itself (prior weight equal to
        the data).
    ucrel : bool, default False
        Also report ``g2_ucrel``, the 2-cell log-likelihood of Rayson & Garside (2000).
    min_expected, min_observed : float, int
        Thresholds of the ``too_small`` flag.
    ranges : bool, default False
        The counts are ranges, not frequencies: how many of ``target_total`` documents use each
        term (text-dispersion keyness, Egbert and Biber 2019). Each count must then be at most
        its total, though the counts may sum to more.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``term``, sorted by ``g2`` descending (most target-typical first), columns:

        - ``n_target``, ``n_reference`` (float64): observed counts a and b.
        - ``e_target``, ``e_reference`` (float64): expected counts ``(a+b)c/N`` and ``(a+b)d/N``.
        - ``g2`` (float64): 4-cell G² of the table (a, b, c-a, d-b), signed + when the term is
          relatively more frequent in the target; equal in size to
          ``scipy.stats.chi2_contingency(..., correction=False, lambda_="log-likelihood")``.
        - ``g2_ucrel`` (float64, only with ``ucrel=True``): signed 2-cell G².
        - ``p`` (float64): chi-square(1) upper tail of |g2|; ``p_adj``: Benjamini-Hochberg.
        - ``bic`` (float64): ``|g2| - ln(N)`` (Wilson 2013; > 2 positive, > 6 strong,
          > 10 very strong evidence); the direction is the sign of ``g2``.
        - ``log_ratio`` (float64): ``log2((a/c)/(b/d))`` with a zero count replaced by 0.5.
        - ``pct_diff`` (float64): ``100 (a/c - b/d)/(b/d)``; NaN where b = 0, flagged in
          ``pct_diff_inf`` (bool).
        - ``logodds_z`` (float64): Monroe et al. z with the informative prior above, 2-term
          variance.
        - ``too_small`` (bool): an expected count < ``min_expected`` or ``a + b`` <
          ``min_observed``; such rows are descriptive only.

    Examples
    --------
    >>> k = keyness({"a": 2, "b": 2, "c": 1, "d": 1}, {"a": 1, "d": 3})
    >>> round(float(k.loc["b", "log_ratio"]), 4)  # b = 0 in the reference -> 0.5
    1.415
    """
    ta = _as_series(target, "target")
    rb = _as_series(reference, "reference")
    index = ta.index.union(rb.index, sort=False)
    a = ta.reindex(index, fill_value=0.0).to_numpy()
    b = rb.reindex(index, fill_value=0.0).to_numpy()
    keep = (a + b) > 0
    index, a, b = index[keep], a[keep], b[keep]
    c = float(ta.sum()) if target_total is None else float(target_total)
    d = float(rb.sum()) if reference_total is None else float(reference_total)
    for name, total, counts in (("target", c, ta), ("reference", d, rb)):
        needed = float(counts.max()) if ranges and len(counts) else float(counts.sum())
        if total <= 0 or total < needed - 1e-9:
            raise AnalysisError(
                f"{name}_total = {total:g} must be > 0 and at least the sum of the {name} counts "
                f"({float(counts.sum()):g}); pass the group's token total."
            )
    n = c + d

    g2, e_t, e_r = _g2_two_by_two(a, b, c - a, d - b)
    rate_t = a / c
    rate_r = b / d
    sign = np.where(rate_t >= rate_r, 1.0, -1.0)
    p = chi2.sf(g2, 1)

    a_lr = np.where(a == 0, ZERO_SUBSTITUTE, a)
    b_lr = np.where(b == 0, ZERO_SUBSTITUTE, b)
    log_ratio = np.log2((a_lr / c) / (b_lr / d))
    pct_inf = b == 0
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = np.where(pct_inf, np.nan, 100.0 * (rate_t - rate_r) / rate_r)

    pooled = a + b
    alpha = pooled if prior_total is None else pooled * (float(prior_total) / pooled.sum())
    lo = logodds_dirichlet(a, b, alpha, n_i=c, n_j=d)

    out = pd.DataFrame(
        {
            "n_target": a,
            "n_reference": b,
            "e_target": e_t,
            "e_reference": e_r,
            "g2": sign * g2,
        },
        index=pd.Index(index, name="term"),
    )
    if ucrel:
        with np.errstate(divide="ignore", invalid="ignore"):
            g2u = 2.0 * (_olog(a, e_t) + _olog(b, e_r))
        out["g2_ucrel"] = sign * np.maximum(g2u, 0.0)
    out["p"] = p
    out["p_adj"] = benjamini_hochberg(p)
    out["bic"] = g2 - math.log(n)
    out["log_ratio"] = log_ratio
    out["pct_diff"] = pct
    out["pct_diff_inf"] = pct_inf
    out["logodds_z"] = lo["z"].to_numpy()
    out["too_small"] = (np.minimum(e_t, e_r) < min_expected) | (pooled < min_observed)
    for col in ("n_target", "n_reference"):  # counts read as counts where they are whole
        if np.all(np.mod(out[col].to_numpy(), 1) == 0):
            out[col] = out[col].astype(np.int64)
    order = np.lexsort((out.index.to_numpy(dtype=str), -out["g2"].to_numpy()))
    return out.iloc[order]


def _wide_counts(
    counts: pd.DataFrame, totals: Mapping[Any, float] | pd.Series | None
) -> tuple[pd.DataFrame, pd.Series]:
    if counts.shape[1] < 2:
        raise AnalysisError(
            f"need at least two groups (columns) to compare; got {list(counts.columns)}."
        )
    tot = counts.sum(axis=0) if totals is None else pd.Series(totals, dtype=float)
    missing = [g for g in counts.columns if g not in tot.index]
    if missing:
        raise AnalysisError(f"totals: no token total for group {missing[0]!r}.")
    return counts.fillna(0.0).astype(float), tot.reindex(counts.columns)


def keyness_one_vs_rest(
    counts: pd.DataFrame,
    *,
    totals: Mapping[Any, float] | pd.Series | None = None,
    **options: Any,
) -> pd.DataFrame:
    """Compare each group with all other groups pooled.

    Parameters
    ----------
    counts : pandas.DataFrame
        Terms (index) x groups (columns) counts, e.g. a pivot of ``counts.term_counts``.
    totals : dict or Series, optional
        Token total of each group; default the column sums.
    **options
        Passed to :func:`keyness` (``prior_total``, ``ucrel``, thresholds).

    Returns
    -------
    pandas.DataFrame
        Long table: ``group`` (the target), ``reference`` (``"rest"``), ``term``, then the
        :func:`keyness` columns; BH adjustment is within each comparison.
    """
    wide, tot = _wide_counts(counts, totals)
    pairs = [
        (
            group,
            "rest",
            wide[group],
            wide.drop(columns=[group]).sum(axis=1),
            float(tot[group]),
            float(tot.drop(group).sum()),
        )
        for group in wide.columns
    ]
    return _keyness_long(pairs, options)


def _keyness_long(pairs: list[tuple], options: dict[str, Any]) -> pd.DataFrame:
    """Stack :func:`keyness` tables of ``(group, reference, a, b, c, d)`` comparisons."""
    frames = [
        keyness(a, b, target_total=c, reference_total=d, **options)
        .reset_index()
        .assign(group=group, reference=reference)
        for group, reference, a, b, c, d in pairs
    ]
    out = pd.concat(frames, ignore_index=True)
    return out[["group", "reference", *[c for c in out.columns if c not in ("group", "reference")]]]


def keyness_pairwise(
    counts: pd.DataFrame,
    *,
    totals: Mapping[Any, float] | pd.Series | None = None,
    **options: Any,
) -> pd.DataFrame:
    """Compare every ordered pair of groups (each group as target against each other group).

    Parameters
    ----------
    counts : pandas.DataFrame
        Terms (index) x groups (columns) counts.
    totals : dict or Series, optional
        Token total of each group; default the column sums.
    **options
        Passed to :func:`keyness`.

    Returns
    -------
    pandas.DataFrame
        Long table: ``group``, ``reference``, ``term``, then the :func:`keyness` columns; one
        block per ordered pair (g, h) with g != h, BH adjustment within each pair.
    """
    wide, tot = _wide_counts(counts, totals)
    pairs = [
        (group, other, wide[group], wide[other], float(tot[group]), float(tot[other]))
        for group in wide.columns
        for other in wide.columns
        if other != group
    ]
    return _keyness_long(pairs, options)


def dispersion_dp(
    subfrequencies: Sequence[float] | np.ndarray, part_sizes: Sequence[float] | np.ndarray
) -> tuple[Any, Any]:
    """Compute Gries's deviation of proportions DP and its normalised form DPnorm.

    ``DP = 0.5 * sum(|v_i/f - s_i|)`` where ``s_i`` is part i's share of the corpus, ``v_i`` the
    term's count in part i and ``f`` its total (Gries 2008); ``DPnorm = DP / (1 - min s_i)``
    (Lijffijt & Gries 2012). 0 = spread exactly like the parts, 1 = packed in the smallest part.

    Parameters
    ----------
    subfrequencies : array-like
        Counts per part, shape ``(n_parts,)`` for one term or ``(n_terms, n_parts)``.
    part_sizes : array-like
        Size of each part in tokens, shape ``(n_parts,)``, all > 0.

    Returns
    -------
    tuple
        ``(DP, DPnorm)``: floats for one term, float arrays for a matrix. NaN for a term with a
        total frequency of 0.

    Examples
    --------
    Gries's (2008; 2020) example: ``a`` in five parts of 9, 10, 10, 10, 11 words.

    >>> dp, dpn = dispersion_dp([1, 2, 3, 4, 5], [9, 10, 10, 10, 11])
    >>> round(dp, 2), round(dpn, 4)
    (0.18, 0.2195)
    """
    v = np.asarray(subfrequencies, dtype=float)
    sizes = np.asarray(part_sizes, dtype=float)
    if sizes.ndim != 1 or sizes.size == 0 or np.any(sizes <= 0):
        raise AnalysisError("part_sizes must be a non-empty 1-D array of sizes > 0.")
    if v.shape[-1] != sizes.size:
        raise AnalysisError(
            f"subfrequencies have {v.shape[-1]} parts but part_sizes has {sizes.size}; "
            "give one count per part."
        )
    if np.any(v < 0):
        raise AnalysisError("subfrequencies must be >= 0.")
    s = sizes / sizes.sum()
    f = v.sum(axis=-1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        dp = 0.5 * np.abs(v / f - s).sum(axis=-1)
    dp = np.where(f[..., 0] > 0, dp, np.nan)
    min_s = float(s.min())
    # One part only: DPnorm is undefined (1 - min s = 0).
    dpnorm = dp / (1.0 - min_s) if min_s < 1.0 else np.full_like(dp, np.nan)
    if v.ndim == 1:
        return float(dp), float(dpnorm)
    return dp, dpnorm


def association(
    f_xy: float | np.ndarray,
    f_x: float | np.ndarray,
    f_y: float | np.ndarray,
    n: float | np.ndarray,
) -> dict[str, Any]:
    """Compute collocation strength of node x and collocate y from their 2x2 frequencies.

    Parameters
    ----------
    f_xy : float or array
        Co-occurrence frequency of x and y (within the window).
    f_x, f_y : float or array
        Frequencies of x and of y.
    n : float or array
        Sample size (tokens, or window slots for window collocation).

    Returns
    -------
    dict
        ``pmi`` = ``log2(f_xy n / (f_x f_y))`` (-inf when f_xy = 0);
        ``t_score`` = ``(f_xy - f_x f_y / n) / sqrt(f_xy)`` (NaN when f_xy = 0);
        ``log_dice`` = ``14 + log2(2 f_xy / (f_x + f_y))`` (Rychlý 2008);
        ``g2`` = unsigned G² of the table (f_xy, f_x - f_xy, f_y - f_xy, n - f_x - f_y + f_xy).
        For adjacent bigrams these equal nltk's ``BigramAssocMeasures.pmi``, ``student_t`` and
        ``likelihood_ratio`` with ``(f_xy, (f_x, f_y), n)``. Floats for scalar input, arrays
        otherwise.
    """
    fxy, fx, fy, nn = (np.asarray(x, dtype=float) for x in (f_xy, f_x, f_y, n))
    if np.any(fxy > np.minimum(fx, fy)) or np.any(fx + fy - fxy > nn) or np.any(fxy < 0):
        raise AnalysisError(
            "association: need 0 <= f_xy <= min(f_x, f_y) and f_x + f_y - f_xy <= n; "
            "check that the counts come from the same sample."
        )
    expected = fx * fy / nn
    with np.errstate(divide="ignore", invalid="ignore"):
        pmi = np.log2(fxy * nn / (fx * fy))
        t = np.where(fxy > 0, (fxy - expected) / np.sqrt(fxy), np.nan)
        log_dice = 14.0 + np.log2(2.0 * fxy / (fx + fy))
    g2, _, _ = _g2_two_by_two(fxy, fx - fxy, fy - fxy, nn - fx - fy + fxy)
    out = {"pmi": pmi, "t_score": t, "log_dice": log_dice, "g2": g2}
    if all(np.ndim(x) == 0 for x in (f_xy, f_x, f_y, n)):
        return {k: float(v) for k, v in out.items()}
    return out


def _log_ratio_matrix(
    t_counts: np.ndarray, r_counts: np.ndarray, t_total: np.ndarray, r_total: np.ndarray
) -> np.ndarray:
    t = np.where(t_counts == 0, ZERO_SUBSTITUTE, t_counts)
    r = np.where(r_counts == 0, ZERO_SUBSTITUTE, r_counts)
    return np.log2((t / t_total) / (r / r_total))


#: Cells (resamples x units) of one block of resampling weights held in memory at a time.
RESAMPLE_BLOCK_CELLS = 6_000_000


def _resample_block(units: int) -> int:
    """Resamples per block so that a block holds about :data:`RESAMPLE_BLOCK_CELLS` cells."""
    return max(1, RESAMPLE_BLOCK_CELLS // max(units, 1))


def _bootstrap_sums(
    rng: np.random.Generator, x: np.ndarray, sizes: np.ndarray, n_resamples: int
) -> tuple[np.ndarray, np.ndarray]:
    """Column sums and size totals of ``n_resamples`` bootstrap resamples of the rows of ``x``.

    Each resample draws ``n`` row indices with replacement; the number of times each row is
    drawn (a multinomial count, from one ``bincount`` per block) weights its counts. Drawing
    indices costs one random integer per row per resample, where ``Generator.multinomial`` with
    ``n`` equal categories costs ``n`` binomial draws per resample (ten times slower). Blocks of
    resamples keep memory at one block of weights.
    """
    n = len(sizes)
    block = _resample_block(n)
    sums, totals = [], []
    for start in range(0, n_resamples, block):
        rows = min(block, n_resamples - start)
        drawn = rng.integers(0, n, size=(rows, n)) + (np.arange(rows) * n)[:, None]
        weights = np.bincount(drawn.ravel(), minlength=rows * n).reshape(rows, n).astype(float)
        sums.append(weights @ x)
        totals.append(weights @ sizes)
    return np.vstack(sums), np.concatenate(totals)


def permutation_log_ratio(
    dtm: np.ndarray | sparse.spmatrix | sparse.sparray,
    sizes: Sequence[float] | np.ndarray,
    labels: Sequence[Any] | np.ndarray,
    *,
    target: Any,
    reference: Any | None = None,
    terms: Sequence[str] | None = None,
    n_resamples: int = 9999,
    confidence: float = 0.95,
    seed: int = 0,
) -> pd.DataFrame:
    """Test the log ratio of terms at the segment level: shuffle group labels across segments.

    Token-level tests treat every token as independent; here the unit is the segment
    (paragraph), or the document when segments are documents. The group labels are permuted
    across segments (keeping each group's number of segments); the statistic is the target's
    share of the term's occurrences, recomputed each time and compared with its observed value.
    A share, unlike a log ratio with a zero substitute divided by the group's size, does not
    depend on how many words a shuffled group happens to get, so a term confined to one segment
    never reaches a p-value below the share of segments in the target group (docs/measures.md).
    When every arrangement can be listed within ``n_resamples`` the test is exact. The log
    ratio is reported as the effect size, with a percentile bootstrap interval over segments
    within each group.

    Parameters
    ----------
    dtm : array or scipy.sparse matrix
        Segments x terms counts (pass only the columns of the terms to test, e.g. the top key
        terms, to keep memory at ``n_resamples x n_terms``).
    sizes : array-like
        Token total of each segment (the log-ratio denominators), same length as ``dtm`` rows.
    labels : array-like
        Group of each segment.
    target : object
        Label of the target group.
    reference : object, optional
        Label of the reference group; default every segment not labelled ``target``.
    terms : sequence of str, optional
        Names of the ``dtm`` columns; default ``0..n-1``.
    n_resamples : int, default 9999
        Random permutations (and bootstrap resamples) when the exact test is too large.
    confidence : float, default 0.95
        Level of the bootstrap and null intervals.
    seed : int, default 0
        Seed of the ``numpy.random.Generator``; the same seed gives the same numbers.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``term``: ``n_target``, ``n_reference`` (float64), ``log_ratio`` (float64,
        observed, 0.5 for zeros), ``p_perm`` (float64, two-sided: twice the smaller one-sided
        p, as ``scipy.stats.permutation_test``; randomised p-values use (k+1)/(B+1)),
        ``share_target`` (float64, the target's share of the term's occurrences: the test
        statistic), ``null_low``/``null_high`` (float64, central interval of the null
        distribution of that share),
        ``ci_low``/``ci_high`` (float64, bootstrap percentile interval), ``n_permutations``
        (int64), ``exact`` (bool).
    """
    x = dtm.toarray() if sparse.issparse(dtm) else np.asarray(dtm)  # type: ignore[union-attr]
    x = np.asarray(x, dtype=float)
    size = np.asarray(sizes, dtype=float)
    lab = np.asarray(labels, dtype=object)
    if x.ndim != 2 or x.shape[0] != size.size or size.size != lab.size:
        raise AnalysisError(
            f"dtm has {x.shape[0] if x.ndim == 2 else '?'} rows, sizes {size.size}, labels "
            f"{lab.size}: give one row, size and label per segment."
        )
    is_t = lab == target
    is_r = ~is_t if reference is None else lab == reference
    keep = is_t | is_r
    x, size, is_t = x[keep], size[keep], is_t[keep]
    n_seg, k = int(is_t.size), int(is_t.sum())
    if k == 0 or k == n_seg:
        raise AnalysisError(
            f"both groups need at least one segment (target {target!r}: {k}, reference: "
            f"{n_seg - k}); check the labels."
        )
    names = [str(i) for i in range(x.shape[1])] if terms is None else list(terms)
    if len(names) != x.shape[1]:
        raise AnalysisError(f"terms has {len(names)} names for {x.shape[1]} dtm columns.")

    col_tot = x.sum(axis=0)
    size_tot = size.sum()
    t_obs = x[is_t].sum(axis=0)
    c_obs = size[is_t].sum()
    observed = _log_ratio_matrix(t_obs, col_tot - t_obs, c_obs, size_tot - c_obs)

    rng = np.random.default_rng(seed)
    exact = math.comb(n_seg, k) <= n_resamples
    if exact:
        masks = np.zeros((math.comb(n_seg, k), n_seg))
        for row, chosen in enumerate(combinations(range(n_seg), k)):
            masks[row, list(chosen)] = 1.0
        t_perm = masks @ x
    else:
        # Relabellings in blocks of rows: memory stays at a block, not n_resamples x segments,
        # and the generator's stream (so every p-value) is the same as in one piece.
        block = _resample_block(n_seg)
        t_perm = np.vstack(
            [
                rng.permuted(
                    np.tile(is_t.astype(float), (min(block, n_resamples - start), 1)), axis=1
                )
                @ x
                for start in range(0, n_resamples, block)
            ]
        )
    # The test statistic is the target's share of the term's occurrences. Unlike the log ratio,
    # whose zero substitute is divided by the shuffled group's size, it does not reward the
    # number of words a shuffled group happens to get: a term confined to one segment has a
    # share of 0 or 1, and P(share = 1) is the share of segments in the target group.
    share_obs = t_obs / col_tot
    null = t_perm / col_tot
    adjust = 0 if exact else 1
    gamma = np.abs(np.finfo(float).eps * 100 * np.maximum(share_obs, 1.0))
    p_less = ((null <= share_obs + gamma).sum(axis=0) + adjust) / (len(null) + adjust)
    p_greater = ((null >= share_obs - gamma).sum(axis=0) + adjust) / (len(null) + adjust)
    p_perm = np.clip(2 * np.minimum(p_less, p_greater), 0.0, 1.0)

    tail = (1 - confidence) / 2 * 100
    null_low, null_high = np.percentile(null, [tail, 100 - tail], axis=0)

    xt, xr = x[is_t], x[~is_t]
    st, sr = size[is_t], size[~is_t]
    t_boot, t_size = _bootstrap_sums(rng, xt, st, n_resamples)
    r_boot, r_size = _bootstrap_sums(rng, xr, sr, n_resamples)
    boot = _log_ratio_matrix(t_boot, r_boot, t_size[:, None], r_size[:, None])
    ci_low, ci_high = np.percentile(boot, [tail, 100 - tail], axis=0)

    return pd.DataFrame(
        {
            "n_target": t_obs,
            "n_reference": col_tot - t_obs,
            "log_ratio": observed,
            "share_target": share_obs,
            "p_perm": p_perm,
            "null_low": null_low,
            "null_high": null_high,
            "ci_low": ci_low,
            "ci_high": ci_high,
            "n_permutations": np.full(len(names), len(null), dtype=np.int64),
            "exact": np.full(len(names), exact),
        },
        index=pd.Index(names, name="term"),
    )
