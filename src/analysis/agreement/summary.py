"""Agreement of a coding as a report reads it: bootstrap intervals of alpha, the reliability
matrix of a long table, the disagreements to adjudicate, and one summary row per dimension."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from analysis.agreement.alpha import (
    Level,
    alpha_details,
    alpha_from_coincidences,
    as_rows,
    check_level,
    is_missing,
    squared_differences,
    unit_counts,
)
from analysis.agreement.pairwise import cohen_kappa, percent_agreement


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
    check_level(level)
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1, got {confidence}")
    if n_boot < 1:
        raise ValueError(f"n_boot must be positive, got {n_boot}")
    rows = as_rows(data)
    values, counts = unit_counts(rows, level=level, order=order)
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
    fixed = (
        None if level == "ordinal" else squared_differences(values, np.zeros(len(values)), level)
    )
    for r in range(n_boot):
        o = coincidences[r]
        delta2 = fixed if fixed is not None else squared_differences(values, o.sum(axis=1), level)
        alphas[r] = alpha_from_coincidences(o, delta2)[0]
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
        table.loc[coder, seg_id] = None if is_missing(code) else code
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
