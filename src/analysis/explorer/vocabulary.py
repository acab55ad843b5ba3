"""The vocabulary two sides share: shared and exclusive terms, the terms behind a paragraph
pair's similarity, and what drives the closest pairs."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from analysis.errors import AnalysisError


def vocabulary_overlap(
    term_table: pd.DataFrame, *, by: str, target: str, reference: str
) -> pd.DataFrame:
    """Sort the terms of two groups into shared and exclusive vocabulary.

    Parameters
    ----------
    term_table : pandas.DataFrame
        A :func:`analysis.counts.term_counts` table with the ``by`` column.
    by : str
        Its group column.
    target, reference : str
        The two groups.

    Returns
    -------
    pandas.DataFrame
        One row per term used by either group: ``term`` (str), ``n_target``, ``n_reference``
        (int64), ``per_1k_target``, ``per_1k_reference`` (float64), ``status`` (str:
        ``"shared"``, ``"target only"`` or ``"reference only"``). Sorted by status in that order,
        then by the smaller of the two rates (shared) or the count (exclusive), descending, then
        term. ``attrs`` names the ``target`` and ``reference``.
    """
    for column in (by, "term", "n", "per_1k"):
        if column not in term_table.columns:
            raise AnalysisError(
                f"term table lacks column {column!r}; build it with counts.term_counts(by={by!r})."
            )
    present = set(term_table[by].astype(str))
    for name, group in (("target", target), ("reference", reference)):
        if group not in present:
            raise AnalysisError(
                f"{name}={group!r} is not a value of {by!r}; have {sorted(present)}."
            )
    table = term_table.assign(**{by: term_table[by].astype(str)})
    wide_n = table.pivot_table(index="term", columns=by, values="n", aggfunc="sum", fill_value=0)
    wide_r = table.pivot_table(
        index="term", columns=by, values="per_1k", aggfunc="sum", fill_value=0.0
    )
    out = pd.DataFrame(
        {
            "n_target": wide_n[target].astype("int64"),
            "n_reference": wide_n[reference].astype("int64"),
            "per_1k_target": wide_r[target].astype(float),
            "per_1k_reference": wide_r[reference].astype(float),
        }
    )
    out = out[(out["n_target"] > 0) | (out["n_reference"] > 0)]
    status = np.where(
        (out["n_target"] > 0) & (out["n_reference"] > 0),
        "shared",
        np.where(out["n_target"] > 0, "target only", "reference only"),
    )
    out["status"] = status
    rank = out["status"].map({"shared": 0, "target only": 1, "reference only": 2})
    weight = np.where(
        out["status"] == "shared",
        np.minimum(out["per_1k_target"], out["per_1k_reference"]),
        out["n_target"] + out["n_reference"],
    )
    out = out.assign(_rank=rank, _weight=weight).reset_index()
    out = out.sort_values(["_rank", "_weight", "term"], ascending=[True, False, True])
    out = out.drop(columns=["_rank", "_weight"]).reset_index(drop=True)
    out.attrs["target"], out.attrs["reference"] = target, reference
    return out


def shared_terms(weights: Any, seg_a: str, seg_b: str, *, top: int = 5) -> pd.DataFrame:
    """Explain the TF-IDF cosine of two segments by the terms they share.

    The cosine of two l2-normalised rows is the sum over terms of the product of their weights;
    each shared term's product is its contribution.

    Parameters
    ----------
    weights : analysis.tfidf.SegmentTfidf
        From :func:`analysis.tfidf.segment_tfidf`.
    seg_a, seg_b : str
        The two ``seg_id`` values.
    top : int, default 5
        Terms returned (the largest contributions).

    Returns
    -------
    pandas.DataFrame
        ``term`` (str), ``tfidf_a``, ``tfidf_b``, ``contribution`` (float64, their product),
        ``share`` (float64, contribution / cosine); sorted by contribution descending, then term.
        Empty when the segments share no term.
    """
    ids = list(weights.segments["seg_id"])
    for seg in (seg_a, seg_b):
        if seg not in ids:
            raise AnalysisError(f"seg_id {seg!r} is not among the weighted segments.")
    a = weights.matrix[ids.index(seg_a)].toarray().ravel()
    b = weights.matrix[ids.index(seg_b)].toarray().ravel()
    product = a * b
    both = np.flatnonzero(product > 0)
    cosine = float(product.sum())
    out = pd.DataFrame(
        {
            "term": weights.terms.to_numpy()[both].astype(str),
            "tfidf_a": a[both],
            "tfidf_b": b[both],
            "contribution": product[both],
            "share": product[both] / cosine if cosine > 0 else product[both],
        }
    )
    out = out.sort_values(["contribution", "term"], ascending=[False, True], kind="stable")
    return out.head(top).reset_index(drop=True)


def overlap_summary(overlap: pd.DataFrame) -> pd.DataFrame:
    """Distinct terms and occurrences on each side by ``status`` of a
    :func:`vocabulary_overlap` table (``shared``, then each side's own): ``types``,
    ``tokens_target``, ``tokens_reference``."""
    return overlap.groupby("status", sort=False).agg(
        types=("term", "size"),
        tokens_target=("n_target", "sum"),
        tokens_reference=("n_reference", "sum"),
    )


#: The columns a report shows of :func:`pair_drivers`, in reading order.
DRIVER_COLUMNS = ["seg_a", "seg_b", "cosine", "term", "tfidf_a", "tfidf_b", "share"]


def pair_drivers(weights: Any, pairs: pd.DataFrame, *, top: int = 5) -> pd.DataFrame:
    """What drives the similarity of some paragraph pairs: :func:`shared_terms` of each pair
    (``seg_a``, ``seg_b``, ``cosine`` rows, e.g. the strongest of
    :attr:`analysis.tfidf.Similarity.pairs`), stacked with the pair's ids and cosine after the
    term columns. Empty (with :data:`DRIVER_COLUMNS`) when there is no pair."""
    found = [
        shared_terms(weights, a, b, top=top).assign(seg_a=a, seg_b=b, cosine=c)
        for a, b, c in pairs[["seg_a", "seg_b", "cosine"]].itertuples(index=False)
    ]
    return pd.concat(found, ignore_index=True) if found else pd.DataFrame(columns=DRIVER_COLUMNS)
