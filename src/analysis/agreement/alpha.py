"""Krippendorff's alpha at any level of measurement (nominal, ordinal, interval, ratio) from its
coincidence matrix, with missing values, and its verdict by Krippendorff's cut-offs."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal, cast

import numpy as np
import pandas as pd

Level = Literal["nominal", "ordinal", "interval", "ratio"]
Weights = Literal["linear", "quadratic"] | None

Verdict = Literal["reliable", "tentative", "not reliable", "undefined"]

LEVELS: tuple[str, ...] = ("nominal", "ordinal", "interval", "ratio")
# Krippendorff's conventional cut-offs (Content Analysis, 2nd ed., 2004): rely on variables
# with alpha >= .800; consider those between .667 and .800 for tentative conclusions only.
ALPHA_RELIABLE = 0.8
ALPHA_TENTATIVE = 0.667


def is_missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, str):
        return value.strip() == ""
    if isinstance(value, (float, np.floating)):
        return bool(np.isnan(value))
    return False


def as_rows(data: Any) -> list[list[Any]]:
    """Return the reliability data as a list of coder rows with ``None`` for missing values."""
    if isinstance(data, pd.DataFrame):
        rows = data.to_numpy(dtype=object).tolist()
    elif isinstance(data, np.ndarray):
        if data.ndim != 2:
            raise ValueError(f"reliability data must be 2-D (coders x units), got {data.ndim}-D")
        rows = data.astype(object).tolist()
    else:
        rows = [list(row) for row in data]
    if rows and len({len(r) for r in rows}) != 1:
        lengths = sorted({len(r) for r in rows})
        raise ValueError(
            f"every coder row must have one entry per unit; row lengths found: {lengths}. "
            "Use None for a unit a coder did not code."
        )
    return [[None if is_missing(v) else v for v in row] for row in rows]


def numeric(value: Any, level: str) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        raise ValueError(
            f"{level} alpha needs numeric values, got {value!r}; "
            "use level='nominal' for category labels or pass `order=` for ordinal labels"
        ) from None


@dataclass(frozen=True)
class AlphaResult:
    """Krippendorff's alpha with the quantities it is computed from.

    Attributes
    ----------
    alpha : float
        The coefficient; NaN when undefined (see ``reason``).
    level : str
        Level of measurement used for the difference function.
    values : list
        The distinct pairable values, in the order of the coincidence matrix.
    coincidences : numpy.ndarray
        Coincidence matrix ``o_ck`` (values x values).
    n_pairable : float
        Number of pairable values ``n`` (sum of the coincidence matrix).
    observed_disagreement, expected_disagreement : float
        ``D_o`` and ``D_e``; alpha = 1 - D_o / D_e.
    n_units_pairable : int
        Units with at least two values (the others are dropped as unpairable).
    reason : str
        Empty when alpha is defined, else why it is NaN.
    """

    alpha: float
    level: str
    values: list[Any]
    coincidences: np.ndarray
    n_pairable: float
    observed_disagreement: float
    expected_disagreement: float
    n_units_pairable: int
    reason: str = ""


def unit_counts(
    rows: list[list[Any]], *, level: str, order: Sequence[Any] | None
) -> tuple[list[Any], np.ndarray]:
    """Return the sorted value list and a units x values count matrix of pairable units."""
    n_units = len(rows[0]) if rows else 0
    columns = [[row[u] for row in rows if row[u] is not None] for u in range(n_units)]
    if level in ("interval", "ratio"):
        columns = [[numeric(v, level) for v in col] for col in columns]
    elif level == "ordinal" and order is None:
        columns = [[numeric(v, level) for v in col] for col in columns]
    columns = [col for col in columns if len(col) >= 2]
    present = {v for col in columns for v in col}
    if order is not None:
        unknown = present - set(order)
        if unknown:
            raise ValueError(
                f"values {sorted(map(str, unknown))} are not in `order` {list(order)}; "
                "add them to the order or correct the data"
            )
        values = [v for v in order if v in present]
    else:
        try:
            values = sorted(present)
        except TypeError:  # mixed types in nominal data: keep a stable, type-aware order
            values = sorted(present, key=lambda v: (type(v).__name__, str(v)))
    index = {v: i for i, v in enumerate(values)}
    counts = np.zeros((len(columns), len(values)))
    for u, col in enumerate(columns):
        for v in col:
            counts[u, index[v]] += 1
    return values, counts


def coincidences_from_counts(counts: np.ndarray) -> np.ndarray:
    """Coincidence matrix: sum over units of (n_uc n_uk - [c=k] n_uc) / (m_u - 1)."""
    if counts.size == 0:
        return np.zeros((counts.shape[1], counts.shape[1]))
    m = counts.sum(axis=1)
    weight = 1.0 / (m - 1.0)
    outer = np.einsum("u,uc,uk->ck", weight, counts, counts)
    return cast(np.ndarray, outer - np.diag((counts * weight[:, None]).sum(axis=0)))


def squared_differences(values: list[Any], marginals: np.ndarray, level: str) -> np.ndarray:
    """Squared difference function delta^2_ck of Krippendorff (2011) for the given level."""
    k = len(values)
    if level == "nominal":
        return 1.0 - np.eye(k)
    if level == "ordinal":
        # rank-based: (sum_{g=c..k} n_g - (n_c + n_k)/2)^2, using the pairable marginals
        cum = np.concatenate([[0.0], np.cumsum(marginals)])
        i, j = np.meshgrid(np.arange(k), np.arange(k), indexing="ij")
        lo, hi = np.minimum(i, j), np.maximum(i, j)
        between = cum[hi + 1] - cum[lo]
        return cast(np.ndarray, (between - (marginals[i] + marginals[j]) / 2.0) ** 2)
    x = np.array([float(v) for v in values])
    if level == "interval":
        return cast(np.ndarray, (x[:, None] - x[None, :]) ** 2)
    if level == "ratio":
        total = x[:, None] + x[None, :]
        with np.errstate(invalid="ignore", divide="ignore"):
            d = ((x[:, None] - x[None, :]) / total) ** 2
        return np.where(total == 0, 0.0, d)
    raise ValueError(f"level must be one of {LEVELS}, got {level!r}")


def alpha_from_coincidences(o: np.ndarray, delta2: np.ndarray) -> tuple[float, float, float]:
    n_c = o.sum(axis=1)
    n = n_c.sum()
    if n <= 1:
        return math.nan, math.nan, math.nan
    d_o = float((o * delta2).sum() / n)
    d_e = float((np.outer(n_c, n_c) * delta2).sum() / (n * (n - 1)))
    if d_e == 0:
        return math.nan, d_o, d_e
    return 1.0 - d_o / d_e, d_o, d_e


def check_level(level: str) -> None:
    if level not in LEVELS:
        raise ValueError(f"level must be one of {LEVELS}, got {level!r}")


def alpha_details(
    data: Any, level: Level = "nominal", *, order: Sequence[Any] | None = None
) -> AlphaResult:
    """Compute Krippendorff's alpha and return it with its coincidence matrix and disagreements.

    Parameters
    ----------
    data : list of lists, numpy array or DataFrame
        Reliability data, coders x units; ``None``, NaN or ``""`` for a missing value.
    level : {"nominal", "ordinal", "interval", "ratio"}
        Level of measurement, selecting the difference function of Krippendorff (2011).
    order : sequence, optional
        For ordinal data with non-numeric labels, the labels from lowest to highest. Without it
        ordinal values must be numbers (strings such as ``"2"`` are converted).

    Returns
    -------
    AlphaResult
        ``alpha`` is NaN with a ``reason`` when no unit has two values ("no pairable values") or
        when every pairable value is the same ("no variation": expected disagreement is 0, so
        agreement cannot be distinguished from chance). Units coded by one coder only are
        unpairable and are dropped, as in the paper.

    Examples
    --------
    >>> alpha_details([["a", "a", "b"], ["a", "a", "b"]]).alpha
    1.0
    """
    check_level(level)
    rows = as_rows(data)
    values, counts = unit_counts(rows, level=level, order=order)
    o = coincidences_from_counts(counts)
    n = float(o.sum())
    if n == 0:
        return AlphaResult(
            math.nan,
            level,
            values,
            o,
            n,
            math.nan,
            math.nan,
            0,
            "no pairable values: no unit was coded by at least two coders",
        )
    delta2 = squared_differences(values, o.sum(axis=1), level)
    alpha, d_o, d_e = alpha_from_coincidences(o, delta2)
    reason = ""
    if math.isnan(alpha):
        reason = (
            "no variation: every pairable value is the same "
            f"({values[0]!r}), so expected disagreement is 0 and alpha is undefined"
            if len(values) == 1
            else "expected disagreement is 0 under this level of measurement"
        )
    return AlphaResult(alpha, level, values, o, n, d_o, d_e, int(counts.shape[0]), reason)


def krippendorff_alpha(
    data: Any, level: Level = "nominal", *, order: Sequence[Any] | None = None
) -> float:
    """Compute Krippendorff's alpha for any number of coders with missing values.

    Parameters
    ----------
    data : list of lists, numpy array or DataFrame
        Reliability data, coders x units; ``None``, NaN or ``""`` for a missing value.
    level : {"nominal", "ordinal", "interval", "ratio"}
        Level of measurement.
    order : sequence, optional
        Ordered labels for ordinal data that are not numbers.

    Returns
    -------
    float
        Alpha; NaN when undefined (no pairable values, or no variation at all: see
        :func:`alpha_details` for the reason).

    Examples
    --------
    >>> round(krippendorff_alpha([[1, 2, 3, 3], [1, 2, 3, 4]], "interval"), 3)
    0.889
    """
    return alpha_details(data, level, order=order).alpha


def alpha_verdict(alpha: float) -> Verdict:
    """Read an alpha against Krippendorff's conventional thresholds.

    Parameters
    ----------
    alpha : float
        Krippendorff's alpha (NaN when undefined, as :func:`krippendorff_alpha` returns it).

    Returns
    -------
    {"reliable", "tentative", "not reliable", "undefined"}
        ``"reliable"`` when alpha >= :data:`ALPHA_RELIABLE` (0.8), ``"tentative"`` (fit for
        tentative conclusions only) when alpha >= :data:`ALPHA_TENTATIVE` (0.667),
        ``"not reliable"`` below that, ``"undefined"`` for NaN. The thresholds are applied to
        the value as given, so round it, if at all, after reading it.

    Examples
    --------
    >>> alpha_verdict(0.8), alpha_verdict(0.79), alpha_verdict(0.5), alpha_verdict(math.nan)
    ('reliable', 'tentative', 'not reliable', 'undefined')
    """
    if math.isnan(alpha):
        return "undefined"
    if alpha >= ALPHA_RELIABLE:
        return "reliable"
    if alpha >= ALPHA_TENTATIVE:
        return "tentative"
    return "not reliable"


def verdict_text(alpha: float, note: str = "") -> str:
    """Word an alpha's verdict with the threshold it was read against, as the reports print it.

    Parameters
    ----------
    alpha : float
        Krippendorff's alpha (NaN when undefined).
    note : str, default ""
        Why alpha is undefined (``alpha_note`` of :func:`agreement_summary`); used only when
        alpha is NaN.

    Returns
    -------
    str
        ``"reliable (≥ 0.8)"``, ``"tentative (≥ 0.667)"`` or ``"not reliable (< 0.667)"``, the
        verdict of :func:`alpha_verdict` with the threshold (:data:`ALPHA_RELIABLE`,
        :data:`ALPHA_TENTATIVE`) as the constant prints; for NaN ``"undefined (<note>)"``, or
        ``"undefined"`` without a note.

    Examples
    --------
    >>> verdict_text(0.8), verdict_text(0.7), verdict_text(0.5)
    ('reliable (≥ 0.8)', 'tentative (≥ 0.667)', 'not reliable (< 0.667)')
    >>> verdict_text(math.nan, "no pairable values")
    'undefined (no pairable values)'
    """
    verdict = alpha_verdict(alpha)
    if verdict == "reliable":
        return f"reliable (≥ {ALPHA_RELIABLE})"
    if verdict == "tentative":
        return f"tentative (≥ {ALPHA_TENTATIVE})"
    if verdict == "not reliable":
        return f"not reliable (< {ALPHA_TENTATIVE})"
    return f"undefined ({note})" if note else "undefined"


def coincidence_matrix(data: Any, *, order: Sequence[Any] | None = None) -> pd.DataFrame:
    """Return the coincidence matrix of nominal reliability data as a labelled DataFrame.

    Parameters
    ----------
    data : list of lists, numpy array or DataFrame
        Reliability data, coders x units.
    order : sequence, optional
        Row/column order of the values.

    Returns
    -------
    DataFrame
        Values x values, float coincidences ``o_ck``; rows sum to the pairable marginals.
    """
    details = alpha_details(data, "nominal", order=order)
    return pd.DataFrame(details.coincidences, index=details.values, columns=details.values)
