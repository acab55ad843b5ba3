"""Group x term matrices: the counts of a grouping of units, sparse, with their group sizes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse

from analysis.counts.core import (
    segment_labels,
    takes_matrix,
    unit_lists,
    unit_term_counts,
)
from analysis.dtm import (
    DocumentTermMatrix,
    TermForm,
    UnitTermCounts,
)


@dataclass(frozen=True)
class GroupTermMatrix:
    """A sparse group x term count matrix with its labels (:func:`document_term_matrix`).

    Attributes
    ----------
    matrix : scipy.sparse.csr_matrix
        Rows x terms counts (int64).
    rows : pandas.Index
        Group value of each row (seg_ids in reading order for ``by="seg_id"``).
    terms : pandas.Index
        Term of each column (sorted).
    sizes : numpy.ndarray
        Running words of each row (the ``per_1k`` denominator), int64.
    """

    matrix: sparse.csr_matrix
    rows: pd.Index
    terms: pd.Index
    sizes: np.ndarray

    def to_frame(self) -> pd.DataFrame:
        """Return the matrix as a dense DataFrame (rows x terms); for small corpora only."""
        return pd.DataFrame(self.matrix.toarray(), index=self.rows, columns=self.terms)


@takes_matrix
def document_term_matrix(
    tokens: pd.DataFrame | DocumentTermMatrix,
    segments: pd.DataFrame | None = None,
    by: str = "seg_id",
    *,
    unit: TermForm = "norm",
    mwe: bool | None = None,
    stopwords: bool = False,
    kinds: Sequence[str] | None = None,
) -> GroupTermMatrix:
    """Build a sparse group x term count matrix (``by="seg_id"``: one row per segment).

    Parameters are as in :func:`term_counts`. Rows are the groups in order of first appearance
    among the analysed segments (reading order), columns the terms sorted; for ``unit="stem"``
    the columns are labelled by each stem's most frequent word form.

    Returns
    -------
    GroupTermMatrix
        ``matrix`` (csr, int64), ``rows``, ``terms``, ``sizes`` (running words per row).
    """
    assert segments is not None and kinds is not None  # filled in by takes_matrix
    labels = segment_labels(segments, by)
    counted = unit_term_counts(
        tokens, segments, unit=unit, mwe=mwe, stopwords=stopwords, kinds=kinds
    )
    analysed = segments.loc[segments["kind"].isin(list(kinds)), "seg_id"]
    row_index = pd.Index(pd.unique(analysed.map(labels).to_numpy()))
    values = labels.reindex(counted.seg_ids).to_numpy(dtype=object)
    r = row_index.get_indexer(values)
    named = pd.notna(values) & (r >= 0)  # a unit without a value adds no running words
    sizes = np.bincount(r[named], weights=counted.running[named], minlength=len(row_index))
    counted_rows = np.flatnonzero(r >= 0)
    rows = sparse.csr_matrix(
        (np.ones(len(counted_rows), dtype=np.int64), (r[counted_rows], counted_rows)),
        shape=(len(row_index), len(counted.seg_ids)),
    )
    term_index = pd.Index(np.unique(counted.terms.astype(str)))
    columns = sparse.csr_matrix(
        (
            np.ones(len(counted.keys), dtype=np.int64),
            (np.arange(len(counted.keys)), term_index.get_indexer(counted.terms.astype(str))),
        ),
        shape=(len(counted.keys), len(term_index)),
    )
    matrix = (rows @ counted.counts @ columns).tocsr()
    matrix.sort_indices()
    return GroupTermMatrix(matrix, row_index, term_index, sizes.astype(np.int64))


def counts_by_group(
    counted: UnitTermCounts, labels: pd.Series, by: str, unit: TermForm, trace: bool
) -> pd.DataFrame:
    """:func:`term_counts`'s table from the unit counts: one sparse product per grouping."""
    groups, codes, indicator = counted.grouped(labels)
    totals = pd.Series(
        np.bincount(
            codes[codes >= 0], weights=counted.running[codes >= 0], minlength=len(groups)
        ).astype(np.int64),
        index=pd.Index(groups, dtype=object),
    )
    n = (indicator @ counted.counts).tocsr()
    present = counted.counts.copy()
    present.data = np.ones_like(present.data)
    n_segments = (indicator @ present).tocsr()
    n.sort_indices()
    n_segments.sort_indices()
    coo = n.tocoo()
    g, k = coo.row.astype(np.int64), coo.col.astype(np.int64)
    if not (
        np.array_equal(n.indptr, n_segments.indptr)
        and np.array_equal(n.indices, n_segments.indices)
    ):
        raise AssertionError("counts and unit counts differ in where they are non-zero")
    out = pd.DataFrame(
        {
            by: groups[g],
            "key": counted.keys[k],
            "n": coo.data.astype(np.int64),
            "n_segments": n_segments.data.astype(np.int64),
        }
    )
    if unit == "stem":
        out["stem"] = out["key"]
        out["term"] = counted.terms[k]
    else:
        out["term"] = out["key"]
    out["total_tokens"] = totals.to_numpy()[g]
    out["per_1k"] = 1000.0 * out["n"] / out["total_tokens"]
    out["rank"] = out.groupby(by, sort=False)["n"].rank(method="min", ascending=False)
    out["rank"] = out["rank"].astype("int64")
    out["_g"] = g
    out["_pair"] = g * len(counted.keys) + k
    out = out.sort_values(["_g", "rank", "term"], kind="stable").reset_index(drop=True)
    cols = [by, "term", "n", "per_1k", "rank", "n_segments", "total_tokens"]
    cols += ["stem"] if unit == "stem" else []
    if trace:
        out["seg_ids"] = unit_lists(counted, codes, labels, out["_pair"].to_numpy())
        cols.append("seg_ids")
    return out[cols]
