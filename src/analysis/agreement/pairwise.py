"""Two-coder measures: percent agreement and Cohen's kappa."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from analysis.agreement.alpha import Weights, as_rows, is_missing


def _pairs(a: Sequence[Any], b: Sequence[Any]) -> tuple[list[Any], list[Any]]:
    if len(a) != len(b):
        raise ValueError(f"the two codings differ in length ({len(a)} vs {len(b)})")
    kept = [(x, y) for x, y in zip(a, b, strict=True) if not is_missing(x) and not is_missing(y)]
    return [x for x, _ in kept], [y for _, y in kept]


def percent_agreement(data: Any) -> float:
    """Return the share of agreeing coder pairs, averaged over units coded at least twice.

    For two coders this is the share of jointly coded units given the same code. For more coders
    each unit contributes the share of its ordered coder pairs that agree, and units are averaged
    with equal weight. Missing values are ignored; single-coded units are dropped.

    Parameters
    ----------
    data : list of lists, numpy array or DataFrame
        Reliability data, coders x units.

    Returns
    -------
    float
        Between 0 and 1; NaN when no unit was coded twice.

    Examples
    --------
    >>> percent_agreement([["a", "b", "c", None], ["a", "b", "d", "e"]])
    0.6666666666666666
    """
    rows = as_rows(data)
    shares = []
    for u in range(len(rows[0]) if rows else 0):
        col = [row[u] for row in rows if row[u] is not None]
        m = len(col)
        if m < 2:
            continue
        counts = pd.Series(col, dtype=object).value_counts().to_numpy()
        shares.append(float((counts * (counts - 1)).sum()) / (m * (m - 1)))
    return float(np.mean(shares)) if shares else math.nan


def cohen_kappa(
    a: Sequence[Any],
    b: Sequence[Any],
    weights: Weights = None,
    *,
    labels: Sequence[Any] | None = None,
) -> float:
    """Compute Cohen's kappa of two coders, equal to ``sklearn.metrics.cohen_kappa_score``.

    Parameters
    ----------
    a, b : sequence
        The two coders' codes for the same units, in the same order. Units where either code is
        missing (None, NaN, "") are left out, since kappa needs both codes.
    weights : {None, "linear", "quadratic"}
        Unweighted (nominal codes) or weighted by the distance between the labels' positions in
        ``labels``, as scikit-learn does.
    labels : sequence, optional
        The label set and its order; default the sorted union of both codings.

    Returns
    -------
    float
        Kappa; NaN when chance agreement is total (both coders used one and the same code), where
        scikit-learn also returns NaN, or when no unit was coded by both.

    Examples
    --------
    >>> cohen_kappa(["x", "x", "y", "y"], ["x", "y", "y", "y"])
    0.5
    """
    if weights not in (None, "linear", "quadratic"):
        raise ValueError(f"weights must be None, 'linear' or 'quadratic', got {weights!r}")
    x, y = _pairs(a, b)
    if not x:
        return math.nan
    if labels is None:
        labels = sorted(set(x) | set(y))
    index = {v: i for i, v in enumerate(labels)}
    unknown = [v for v in set(x) | set(y) if v not in index]
    if unknown:
        raise ValueError(f"codes {sorted(map(str, unknown))} are not in `labels`")
    k = len(labels)
    confusion = np.zeros((k, k))
    for u, v in zip(x, y, strict=True):
        confusion[index[u], index[v]] += 1
    expected = np.outer(confusion.sum(axis=1), confusion.sum(axis=0)) / confusion.sum()
    i, j = np.meshgrid(np.arange(k), np.arange(k), indexing="ij")
    if weights is None:
        w = (i != j).astype(float)
    elif weights == "linear":
        w = np.abs(i - j).astype(float)
    else:
        w = ((i - j) ** 2).astype(float)
    denominator = float((w * expected).sum())
    if denominator == 0:
        return math.nan
    return 1.0 - float((w * confusion).sum()) / denominator
