"""Permutation and bootstrap checks of a log ratio: shuffling the side labels of whole parts
(paragraphs or documents), with a bootstrap interval."""

from __future__ import annotations

import math
from collections.abc import Sequence
from itertools import combinations
from typing import Any, cast

import numpy as np
import pandas as pd
from scipy import sparse

from analysis.errors import AnalysisError
from analysis.stats.keyness_measures import ZERO_SUBSTITUTE


def _log_ratio_matrix(
    t_counts: np.ndarray, r_counts: np.ndarray, t_total: np.ndarray, r_total: np.ndarray
) -> np.ndarray:
    t = np.where(t_counts == 0, ZERO_SUBSTITUTE, t_counts)
    r = np.where(r_counts == 0, ZERO_SUBSTITUTE, r_counts)
    return cast(np.ndarray, np.log2((t / t_total) / (r / r_total)))


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
