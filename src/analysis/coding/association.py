"""Association between actor and code, tested with methods suited to counts this small
(exact permutation of the chi-square statistic), with the caveat every reader needs."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, cast

import numpy as np
import pandas as pd

from analysis.coding.results import coded_rows_by

ASSOCIATION_CAVEAT = (
    "Units are paragraphs of one statement per actor, so they are not independent samples and "
    "the actor is confounded with the document, its genre and its occasion: the test asks only "
    "whether codes are distributed across the actor's paragraphs differently from a random "
    "relabelling, and with a few dozen units it has little power. Read it as a description of "
    "these two texts, not as evidence about actors in general."
)


def _chi2_stat(table: np.ndarray) -> np.ndarray:
    """Pearson chi-square of one table or a stack of tables with the same margins."""
    rows = table.sum(axis=-1, keepdims=True)
    cols = table.sum(axis=-2, keepdims=True)
    total = table.sum(axis=(-2, -1), keepdims=True)
    expected = rows * cols / total
    return cast(np.ndarray, ((table - expected) ** 2 / expected).sum(axis=(-2, -1)))


def association_test(
    long: pd.DataFrame,
    segments: pd.DataFrame,
    *,
    dimension: str = "frame",
    by: str = "actor_type",
    coder: str | None = None,
    n_perm: int = 9999,
    seed: int = 0,
) -> dict[str, Any]:
    """Test whether one coder's codes are associated with a grouping, with small-count methods.

    A 2 x 2 table (after dropping codes no unit received) uses Fisher's exact test
    (``scipy.stats.fisher_exact``, two-sided). A larger table uses a permutation test of the
    Pearson chi-square statistic: the group labels are shuffled across units ``n_perm`` times
    with a seeded generator and p = (1 + #{chi2_perm >= chi2_obs}) / (n_perm + 1), which needs no
    minimum expected count.

    Returns
    -------
    dict
        ``method`` (str), ``table`` (DataFrame, codes x groups counts), ``statistic`` (float:
        odds ratio for Fisher, chi-square otherwise), ``p_value`` (float), ``n_units`` (int),
        ``n_perm`` (int, 0 for Fisher), ``seed`` (int), ``caveat`` (str).
    """
    from scipy.stats import fisher_exact

    rows = coded_rows_by(long, segments, dimension, by, coder)
    table = pd.crosstab(rows["code"], rows[by].astype(str))
    result: dict[str, Any] = {
        "table": table,
        "n_units": int(len(rows)),
        "seed": seed,
        "caveat": ASSOCIATION_CAVEAT,
    }
    if table.shape[0] < 2 or table.shape[1] < 2:
        return result | {
            "method": "none (a single code or group)",
            "statistic": math.nan,
            "p_value": math.nan,
            "n_perm": 0,
        }
    if table.shape == (2, 2):
        res = fisher_exact(table.to_numpy())
        return result | {
            "method": "fisher_exact",
            "statistic": float(res.statistic),
            "p_value": float(res.pvalue),
            "n_perm": 0,
        }
    codes = pd.Categorical(rows["code"], categories=table.index)
    groups = pd.Categorical(rows[by].astype(str), categories=table.columns)
    code_hot = np.eye(len(table.index))[codes.codes]
    rng = np.random.default_rng(seed)
    group_idx = np.stack([rng.permutation(groups.codes) for _ in range(n_perm)])
    group_hot = np.eye(len(table.columns))[group_idx]  # perm x units x groups
    perm_tables = np.einsum("uc,pug->pcg", code_hot, group_hot)
    observed = float(_chi2_stat(table.to_numpy().astype(float)))
    stats = _chi2_stat(perm_tables)
    p = (1 + int((stats >= observed - 1e-12).sum())) / (n_perm + 1)
    return result | {
        "method": "permutation chi-square",
        "statistic": observed,
        "p_value": p,
        "n_perm": n_perm,
    }


ASSOCIATION_COLUMNS: list[str] = [
    "dimension",
    "n_units",
    "seed",
    "caveat",
    "method",
    "statistic",
    "p_value",
    "n_perm",
]


def association_tests(
    long: pd.DataFrame,
    segments: pd.DataFrame,
    *,
    dimensions: Sequence[str] = ("frame", "stance_toward_state"),
    by: str = "actor_type",
    coder: str | None = None,
    n_perm: int = 9999,
    seed: int = 0,
) -> tuple[pd.DataFrame, dict[str, pd.DataFrame]]:
    """Run :func:`association_test` on several dimensions and tabulate the results.

    Parameters
    ----------
    long, segments, by, coder, n_perm, seed
        As in :func:`association_test`; every dimension is tested with the same seed.
    dimensions : sequence of str
        The coded dimensions to test, in the order of the result.

    Returns
    -------
    tuple of (DataFrame, dict)
        The results, one row per dimension: ``dimension`` (str), ``n_units`` (int64),
        ``seed`` (int64), ``caveat`` (str), ``method`` (str), ``statistic``, ``p_value``
        (float), ``n_perm`` (int64); and each dimension's codes x groups count table.
    """
    records = []
    tables: dict[str, pd.DataFrame] = {}
    for dimension in dimensions:
        result = association_test(
            long, segments, dimension=dimension, by=by, coder=coder, n_perm=n_perm, seed=seed
        )
        tables[dimension] = result["table"]
        records.append({"dimension": dimension} | {k: result[k] for k in ASSOCIATION_COLUMNS[1:]})
    summary = pd.DataFrame(records, columns=ASSOCIATION_COLUMNS).astype(
        {
            "n_units": "int64",
            "seed": "int64",
            "n_perm": "int64",
            "statistic": float,
            "p_value": float,
        }
    )
    return summary, tables
