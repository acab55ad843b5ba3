"""Keyness measures of two corpora, vectorised over the vocabulary: log ratio, log-likelihood G²
and its p-value, BIC, %DIFF, Monroe's log-odds with a Dirichlet prior, Benjamini-Hochberg
adjustment; one group against the rest, or every pair."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any, TypeAlias

import numpy as np
import pandas as pd
from scipy.special import xlogy
from scipy.stats import chi2

from analysis.errors import AnalysisError

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


def g2_two_by_two(
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

    g2, e_t, e_r = g2_two_by_two(a, b, c - a, d - b)
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


def _keyness_long(pairs: list[tuple[Any, ...]], options: dict[str, Any]) -> pd.DataFrame:
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
