"""Collocation strength of a node and its collocates: log Dice, PMI, t-score and G²."""

from __future__ import annotations

from typing import Any

import numpy as np

from analysis.errors import AnalysisError
from analysis.stats.keyness_measures import g2_two_by_two


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
    g2, _, _ = g2_two_by_two(fxy, fx - fxy, fy - fxy, nn - fx - fy + fxy)
    out = {"pmi": pmi, "t_score": t, "log_dice": log_dice, "g2": g2}
    if all(np.ndim(x) == 0 for x in (f_xy, f_x, f_y, n)):
        return {k: float(v) for k, v in out.items()}
    return out
