"""Intercoder agreement: percent agreement, Cohen's kappa, Krippendorff's alpha and its bootstrap.

Reliability data are a coders x units table (list of lists or DataFrame, one row per coder, one
column per unit) in which ``None``, NaN, ``pd.NA`` and ``""`` mean "this coder did not code this
unit". Cohen's kappa follows ``sklearn.metrics.cohen_kappa_score`` exactly; Krippendorff's alpha
is computed through the coincidence matrix as in Krippendorff (2011), "Computing Krippendorff's
Alpha-Reliability", whose worked 4-coder, 12-unit example the tests reproduce for all four levels.
The long-table helpers turn a merged coding table (seg_id, coder, dimension, code) into the
per-dimension summary and the list of disagreements for adjudication.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

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

__all__ = [
    "ALPHA_RELIABLE",
    "ALPHA_TENTATIVE",
    "LEVELS",
    "AlphaResult",
    "BootstrapResult",
    "agreement_summary",
    "alpha_details",
    "alpha_verdict",
    "bootstrap_alpha",
    "cohen_kappa",
    "coincidence_matrix",
    "disagreements",
    "krippendorff_alpha",
    "percent_agreement",
    "reliability_matrix",
    "verdict_text",
]


def _is_missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, str):
        return value.strip() == ""
    if isinstance(value, (float, np.floating)):
        return bool(np.isnan(value))
    return False


def _as_rows(data: Any) -> list[list[Any]]:
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
    return [[None if _is_missing(v) else v for v in row] for row in rows]


def _numeric(value: Any, level: str) -> float:
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


def _unit_counts(
    rows: list[list[Any]], *, level: str, order: Sequence[Any] | None
) -> tuple[list[Any], np.ndarray]:
    """Return the sorted value list and a units x values count matrix of pairable units."""
    n_units = len(rows[0]) if rows else 0
    columns = [[row[u] for row in rows if row[u] is not None] for u in range(n_units)]
    if level in ("interval", "ratio"):
        columns = [[_numeric(v, level) for v in col] for col in columns]
    elif level == "ordinal" and order is None:
        columns = [[_numeric(v, level) for v in col] for col in columns]
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


def _coincidences_from_counts(counts: np.ndarray) -> np.ndarray:
    """Coincidence matrix: sum over units of (n_uc n_uk - [c=k] n_uc) / (m_u - 1)."""
    if counts.size == 0:
        return np.zeros((counts.shape[1], counts.shape[1]))
    m = counts.sum(axis=1)
    weight = 1.0 / (m - 1.0)
    outer = np.einsum("u,uc,uk->ck", weight, counts, counts)
    return outer - np.diag((counts * weight[:, None]).sum(axis=0))


def _delta2(values: list[Any], marginals: np.ndarray, level: str) -> np.ndarray:
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
        return (between - (marginals[i] + marginals[j]) / 2.0) ** 2
    x = np.array([float(v) for v in values])
    if level == "interval":
        return (x[:, None] - x[None, :]) ** 2
    if level == "ratio":
        total = x[:, None] + x[None, :]
        with np.errstate(invalid="ignore", divide="ignore"):
            d = ((x[:, None] - x[None, :]) / total) ** 2
        return np.where(total == 0, 0.0, d)
    raise ValueError(f"level must be one of {LEVELS}, got {level!r}")


def _alpha_from_coincidences(o: np.ndarray, delta2: np.ndarray) -> tuple[float, float, float]:
    n_c = o.sum(axis=1)
    n = n_c.sum()
    if n <= 1:
        return math.nan, math.nan, math.nan
    d_o = float((o * delta2).sum() / n)
    d_e = float((np.outer(n_c, n_c) * delta2).sum() / (n * (n - 1)))
    if d_e == 0:
        return math.nan, d_o, d_e
    return 1.0 - d_o / d_e, d_o, d_e


def _check_level(level: str) -> None:
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
    _check_level(level)
    rows = _as_rows(data)
    values, counts = _unit_counts(rows, level=level, order=order)
    o = _coincidences_from_counts(counts)
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
    delta2 = _delta2(values, o.sum(axis=1), level)
    alpha, d_o, d_e = _alpha_from_coincidences(o, delta2)
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


def _pairs(a: Sequence[Any], b: Sequence[Any]) -> tuple[list[Any], list[Any]]:
    if len(a) != len(b):
        raise ValueError(f"the two codings differ in length ({len(a)} vs {len(b)})")
    kept = [(x, y) for x, y in zip(a, b, strict=True) if not _is_missing(x) and not _is_missing(y)]
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
    rows = _as_rows(data)
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


@dataclass(frozen=True)
class BootstrapResult:
    """A percentile bootstrap interval for Krippendorff's alpha, resampling units.

    Attributes
    ----------
    alpha : float
        Alpha of the data as observed.
    lower, upper : float
        Percentile interval bounds (NaN when fewer than 2 replicates are defined).
    confidence : float
        Nominal coverage, e.g. 0.95.
    n_boot : int
        Replicates drawn.
    n_valid : int
        Replicates in which alpha was defined (a resample without variation is undefined).
    seed : int
        Seed of the generator, so the interval is reproducible.
    replicates : numpy.ndarray
        The defined replicate alphas.
    """

    alpha: float
    lower: float
    upper: float
    confidence: float
    n_boot: int
    n_valid: int
    seed: int
    replicates: np.ndarray = field(repr=False)


def bootstrap_alpha(
    data: Any,
    level: Level = "nominal",
    *,
    n_boot: int = 2000,
    confidence: float = 0.95,
    seed: int = 0,
    order: Sequence[Any] | None = None,
) -> BootstrapResult:
    """Bootstrap a percentile interval for Krippendorff's alpha by resampling units.

    Pairable units are drawn with replacement (each unit keeps all its coders' values); alpha is
    recomputed from the resampled coincidence matrix, with the difference function rebuilt from
    the resample's own marginals for ordinal data. This is a plain nonparametric unit bootstrap,
    not Krippendorff's own algorithm (which resamples pairable values); with a few dozen units
    the interval is wide and should be reported as such.

    Parameters
    ----------
    data : list of lists, numpy array or DataFrame
        Reliability data, coders x units.
    level : {"nominal", "ordinal", "interval", "ratio"}
        Level of measurement.
    n_boot : int
        Number of replicates.
    confidence : float
        Coverage of the interval, in (0, 1).
    seed : int
        Seed for ``numpy.random.default_rng``.
    order : sequence, optional
        Ordered labels for non-numeric ordinal data.

    Returns
    -------
    BootstrapResult
    """
    _check_level(level)
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1, got {confidence}")
    if n_boot < 1:
        raise ValueError(f"n_boot must be positive, got {n_boot}")
    rows = _as_rows(data)
    values, counts = _unit_counts(rows, level=level, order=order)
    point = alpha_details(data, level, order=order).alpha
    n_units = counts.shape[0]
    if n_units == 0:
        return BootstrapResult(point, math.nan, math.nan, confidence, n_boot, 0, seed, np.array([]))
    m = counts.sum(axis=1)
    # per-unit coincidence contributions, so a replicate is a weighted sum (vectorised)
    per_unit = np.einsum("uc,uk->uck", counts, counts) - np.einsum(
        "uc,ck->uck", counts, np.eye(len(values))
    )
    per_unit /= (m - 1.0)[:, None, None]
    rng = np.random.default_rng(seed)
    draws = rng.multinomial(n_units, np.full(n_units, 1.0 / n_units), size=n_boot)
    coincidences = np.tensordot(draws.astype(float), per_unit, axes=1)
    alphas = np.empty(n_boot)
    fixed = None if level == "ordinal" else _delta2(values, np.zeros(len(values)), level)
    for r in range(n_boot):
        o = coincidences[r]
        delta2 = fixed if fixed is not None else _delta2(values, o.sum(axis=1), level)
        alphas[r] = _alpha_from_coincidences(o, delta2)[0]
    valid = alphas[~np.isnan(alphas)]
    if valid.size < 2:
        lower = upper = math.nan
    else:
        tail = (1.0 - confidence) / 2.0
        lower, upper = (float(q) for q in np.quantile(valid, [tail, 1.0 - tail]))
    return BootstrapResult(point, lower, upper, confidence, n_boot, int(valid.size), seed, valid)


def reliability_matrix(long: pd.DataFrame, dimension: str) -> pd.DataFrame:
    """Pivot a long coding table into the coders x units reliability matrix of one dimension.

    Parameters
    ----------
    long : DataFrame
        Columns ``seg_id``, ``coder``, ``dimension``, ``code`` (as returned by
        ``analysis.coding.merge_sheets``).
    dimension : str
        The dimension to pivot.

    Returns
    -------
    DataFrame
        Index ``coder`` (sorted), columns ``seg_id`` (sorted), object values, ``None`` where a
        coder left a unit blank or did not code it.
    """
    rows = long[long["dimension"] == dimension]
    coders = sorted(rows["coder"].unique())
    units = sorted(rows["seg_id"].unique())
    table = pd.DataFrame(None, index=pd.Index(coders, name="coder"), columns=units, dtype=object)
    for seg_id, coder, code in rows[["seg_id", "coder", "code"]].itertuples(index=False):
        table.loc[coder, seg_id] = None if _is_missing(code) else code
    table.columns.name = "seg_id"
    return table


def disagreements(long: pd.DataFrame, *, dimensions: Sequence[str] | None = None) -> pd.DataFrame:
    """List every unit on which coders differ, one row per unit and dimension, for adjudication.

    Parameters
    ----------
    long : DataFrame
        Columns ``seg_id``, ``coder``, ``dimension``, ``code``.
    dimensions : sequence of str, optional
        Dimensions to check; default all in ``long``, in order of first appearance.

    Returns
    -------
    DataFrame
        Columns ``dimension`` (str), ``seg_id`` (str), ``n_coders`` (int, coders with a code),
        ``n_codes`` (int, distinct codes), ``codes`` (str, ``"coder=code; ..."`` sorted by coder).
        Units coded by a single coder are not disagreements and are left out.
    """
    dims = list(dict.fromkeys(long["dimension"])) if dimensions is None else list(dimensions)
    records = []
    for dim in dims:
        matrix = reliability_matrix(long, dim)
        for seg_id in matrix.columns:
            coded = {c: v for c, v in matrix[seg_id].items() if v is not None}
            if len(coded) >= 2 and len(set(coded.values())) > 1:
                records.append(
                    {
                        "dimension": dim,
                        "seg_id": seg_id,
                        "n_coders": len(coded),
                        "n_codes": len(set(coded.values())),
                        "codes": "; ".join(f"{c}={v}" for c, v in sorted(coded.items())),
                    }
                )
    columns = ["dimension", "seg_id", "n_coders", "n_codes", "codes"]
    return pd.DataFrame(records, columns=columns).astype({"n_coders": "int64", "n_codes": "int64"})


def agreement_summary(
    long: pd.DataFrame,
    *,
    levels: dict[str, Level] | None = None,
    n_boot: int = 2000,
    seed: int = 0,
    confidence: float = 0.95,
    orders: dict[str, Sequence[Any]] | None = None,
) -> pd.DataFrame:
    """Summarise agreement per dimension of a long coding table.

    Parameters
    ----------
    long : DataFrame
        Columns ``seg_id``, ``coder``, ``dimension``, ``code``.
    levels : dict, optional
        Level of measurement per dimension; default ``"nominal"``.
    n_boot, seed, confidence : int, int, float
        Bootstrap settings for the alpha interval (see :func:`bootstrap_alpha`).
    orders : dict, optional
        Ordered labels per ordinal dimension with non-numeric codes.

    Returns
    -------
    DataFrame
        One row per dimension: ``dimension`` (str), ``level`` (str), ``n_units`` (int, units coded
        by at least two coders), ``n_coders`` (int), ``percent_agreement`` (float),
        ``cohen_kappa`` (float; NaN unless exactly two coders), ``alpha`` (float), ``alpha_lower``,
        ``alpha_upper`` (float, bootstrap percentile interval), ``n_boot_valid`` (int),
        ``alpha_note`` (str, why alpha is NaN, else empty).
    """
    levels = levels or {}
    orders = orders or {}
    records = []
    for dim in dict.fromkeys(long["dimension"]):
        matrix = reliability_matrix(long, dim)
        level = levels.get(dim, "nominal")
        order = orders.get(dim)
        data = matrix.to_numpy(dtype=object).tolist()
        details = alpha_details(data, level, order=order)
        boot = bootstrap_alpha(
            data, level, n_boot=n_boot, seed=seed, confidence=confidence, order=order
        )
        kappa = math.nan
        if len(matrix.index) == 2:
            kappa = cohen_kappa(data[0], data[1])
        records.append(
            {
                "dimension": dim,
                "level": level,
                "n_units": details.n_units_pairable,
                "n_coders": len(matrix.index),
                "percent_agreement": percent_agreement(data) if data else math.nan,
                "cohen_kappa": kappa,
                "alpha": details.alpha,
                "alpha_lower": boot.lower,
                "alpha_upper": boot.upper,
                "n_boot_valid": boot.n_valid,
                "alpha_note": details.reason,
            }
        )
    columns = [
        "dimension",
        "level",
        "n_units",
        "n_coders",
        "percent_agreement",
        "cohen_kappa",
        "alpha",
        "alpha_lower",
        "alpha_upper",
        "n_boot_valid",
        "alpha_note",
    ]
    return pd.DataFrame(records, columns=columns)
