"""Gries's dispersion DP and its normalised form over the parts of a corpus."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from analysis.errors import AnalysisError


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
