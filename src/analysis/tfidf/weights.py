"""TF-IDF weights of the analysed paragraphs (each paragraph a document, as scikit-learn's
``TfidfVectorizer`` weighs them, to the last bit), contrasts of two groups' mean weights, and each
paragraph's most distinctive terms."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.preprocessing import normalize

from analysis.counts import TermForm, takes_matrix, unit_term_counts
from analysis.dtm import DocumentTermMatrix, UnitTermCounts, position_type, rows_then
from analysis.errors import AnalysisError


@dataclass(frozen=True)
class SegmentTfidf:
    """TF-IDF weights of the analysed segments.

    Attributes
    ----------
    matrix : scipy.sparse.csr_matrix
        Segments x terms weights (float64, rows l2-normalised).
    segments : pandas.DataFrame
        One row per matrix row, in reading order: ``seg_id``, ``doc_id``, ``label``, ``kind`` and
        the other segment columns.
    terms : pandas.Index
        Column terms (sorted, as scikit-learn orders its vocabulary).
    idf : numpy.ndarray
        The fitted idf of each term.
    """

    matrix: sparse.csr_matrix
    segments: pd.DataFrame
    terms: pd.Index
    idf: np.ndarray


#: Entries weighed, or counted by column, at a time (each block's temporary arrays hold this many
#: values: a large corpus has millions of entries).
WEIGH_BLOCK = 1 << 20


@takes_matrix
def segment_tfidf(
    tokens: pd.DataFrame | DocumentTermMatrix,
    segments: pd.DataFrame | None = None,
    *,
    unit: TermForm = "norm",
    mwe: bool | None = None,
    stopwords: bool = False,
    kinds: Sequence[str] | None = None,
) -> SegmentTfidf:
    """Fit scikit-learn's TF-IDF on the analysed segments, one document per segment.

    Parameters
    ----------
    tokens, segments : pandas.DataFrame
        Token and segment tables.
    unit, mwe, stopwords, kinds
        As in :func:`analysis.counts.term_counts` (stopwords left out by default).

    Returns
    -------
    SegmentTfidf
        ``matrix``, ``segments`` (the rows), ``terms``, ``idf``. A segment with no counted term
        gets an all-zero row.
    """
    assert segments is not None and kinds is not None  # filled in by takes_matrix
    rows = segments[segments["kind"].isin(list(kinds))].reset_index(drop=True)
    if rows.empty:
        raise AnalysisError(f"no segments of kinds {list(kinds)}; nothing to weight.")
    counted = unit_term_counts(
        tokens, segments, unit=unit, mwe=mwe, stopwords=stopwords, kinds=kinds
    )
    if counted.counts.nnz == 0:
        raise AnalysisError("the analysed segments contain no terms; check kinds and stopwords.")
    # the float matrix TfidfVectorizer builds for the same term lists, in its storage order
    counts, names = vectorizer_counts(counted, rows["seg_id"].to_numpy(dtype=object))
    # TfidfTransformer's fit and transform (smooth idf, l2 rows), in place and a block of
    # entries at a time: its own steps would each take an array as long as the entries (the
    # document frequencies count them as int64; the weighing takes an idf per entry)
    n_rows = counts.shape[0]
    idf = np.log((n_rows + 1) / (column_frequencies(counts) + 1.0)) + 1.0
    for start in range(0, counts.nnz, WEIGH_BLOCK):
        block = slice(start, start + WEIGH_BLOCK)
        counts.data[block] *= idf[counts.indices[block]]
    matrix = normalize(counts, norm="l2", copy=False).tocsr()
    return SegmentTfidf(
        matrix=matrix,
        segments=rows,
        terms=pd.Index(names.astype(object), name="term"),
        idf=idf,
    )


def column_frequencies(matrix: sparse.csr_matrix, entries: np.ndarray | None = None) -> np.ndarray:
    """Stored entries per column (int64): the rows using each term. Only the entries where
    ``entries`` (bool, one per stored value) is true, when given. Counted a block of entries
    at a time, as ``np.bincount`` takes a copy of its input as int64."""
    found = np.zeros(matrix.shape[1], dtype=np.int64)
    for start in range(0, matrix.nnz, WEIGH_BLOCK):
        block = slice(start, start + WEIGH_BLOCK)
        columns = (
            matrix.indices[block] if entries is None else matrix.indices[block][entries[block]]
        )
        found += np.bincount(columns, minlength=matrix.shape[1])
    return found


def vectorizer_counts(
    counted: UnitTermCounts, seg_ids: np.ndarray, *, shortcut: bool = True
) -> tuple[sparse.csr_matrix, np.ndarray]:
    """The counts of the units ``seg_ids`` (in that order; a unit without counted terms gets
    an all-zero row) as the float matrix ``CountVectorizer`` gives for the same term lists,
    with its columns (the term labels, sorted).

    Entry for entry and in the same storage order: columns numbered in the order the
    vocabulary met them (rows in order, each row's terms in order of first use), each row's
    entries sorted by that number, then renumbered alphabetically; so that the l2 norms (sums
    in storage order) and every weight of the TF-IDF are the same to the last bit.

    When every column has a label of its own, every unit with terms is a row and the rows keep
    the counts' order, the counts' own storage is that order already (their columns are
    numbered by first use), so only the values and column numbers are converted, with no sort
    and no copy of the positions (``shortcut``; a test checks it against the general way).
    """
    where = pd.Index(counted.seg_ids).get_indexer(seg_ids)
    labels = counted.terms.astype(str)
    names = np.unique(labels)
    source = counted.counts
    n_rows = len(seg_ids)
    # (int32 numbers where they fit: the entries of a large corpus are millions)
    out_row = np.full(len(counted.seg_ids), -1, dtype=position_type(n_rows))
    found = np.flatnonzero(where >= 0)
    out_row[where[found]] = found
    name_of_key = np.searchsorted(names, labels).astype(np.int32)  # each key's sorted column
    if (
        shortcut
        and len(names) == len(labels)  # one label per column
        and (out_row >= 0).all()
        and (np.diff(out_row) > 0).all()
    ):
        per_row = np.zeros(n_rows, dtype=np.int64)
        per_row[out_row] = np.diff(source.indptr)
        counts = sparse.csr_matrix(
            (
                source.data.astype(np.float64),
                name_of_key[source.indices],
                np.concatenate(([0], np.cumsum(per_row))),
            ),
            shape=(n_rows, len(names)),
        )
        counts.has_sorted_indices = True  # as the general way leaves the flag
        return counts, names
    row = out_row[np.repeat(np.arange(source.shape[0], dtype=np.int32), np.diff(source.indptr))]
    col, n, first = name_of_key[source.indices], source.data, counted.first
    if (row < 0).any():  # units of the counts that are not rows here
        keep = row >= 0
        row, col, n, first = row[keep], col[keep], n[keep], first[keep]
    if len(names) < len(labels):
        # a stem label shared by several stems is one column, first met at the earliest of them
        entries = pd.DataFrame({"row": row, "col": col, "n": n, "first": first})
        entries = entries.groupby(["row", "col"], sort=False).agg(
            n=("n", "sum"), first=("first", "min")
        )
        entries = entries.reset_index()
        row, col = entries["row"].to_numpy(), entries["col"].to_numpy()
        n, first = entries["n"].to_numpy(), entries["first"].to_numpy()
    order = rows_then(row, first, n_rows)  # rows in order, each row's terms by first use
    del first
    # one array at a time, each let go of before the next is taken (a large corpus's peak)
    row = row[order]
    col = col[order]
    values = n[order].astype(np.float64)
    del order, n
    met = pd.unique(col)  # sorted-name column of each vocabulary id
    vocabulary_id = np.empty(len(names), dtype=np.int32)
    vocabulary_id[met] = np.arange(len(met), dtype=np.int32)
    indptr = np.searchsorted(row, np.arange(n_rows + 1))
    del row
    counts = sparse.csr_matrix((values, vocabulary_id[col], indptr), shape=(n_rows, len(names)))
    del values, col, indptr
    counts.sort_indices()  # by vocabulary id, as CountVectorizer sorts them
    # renumbered alphabetically in place, the flag left as CountVectorizer leaves it (set), so
    # that scikit-learn keeps this storage order
    counts.indices = met[counts.indices].astype(counts.indices.dtype, copy=False)
    return counts, names


def group_rows(weights: SegmentTfidf, by: str) -> np.ndarray:
    if by not in weights.segments.columns:
        raise AnalysisError(
            f"by={by!r} is not a segment column; choose one of {list(weights.segments.columns)}."
        )
    return cast(np.ndarray, weights.segments[by].to_numpy(dtype=object))


@takes_matrix
def tfidf_contrast(
    tokens: pd.DataFrame | DocumentTermMatrix,
    segments: pd.DataFrame | None = None,
    by: str = "actor_type",
    *,
    target: Any = None,
    reference: Any = None,
    unit: TermForm = "norm",
    mwe: bool | None = None,
    stopwords: bool = False,
) -> pd.DataFrame:
    """Contrast two groups by the mean TF-IDF of each term over their paragraphs.

    Parameters
    ----------
    tokens, segments : pandas.DataFrame
        Token and segment tables.
    by : str, default "actor_type"
        Segment column defining the groups.
    target : object, optional
        Target group; default the first group in reading order.
    reference : object, optional
        Reference group; default all the other groups pooled (named ``"rest"`` when there are
        more than two groups).
    unit, mwe, stopwords
        As in :func:`analysis.counts.term_counts`.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``term``, sorted by ``diff`` descending (target-typical first); columns
        ``mean_<target>`` and ``mean_<reference>`` (float64, mean TF-IDF over each group's
        segments, zeros included), ``diff`` (float64, target minus reference),
        ``df_<target>`` and ``df_<reference>`` (int64, segments using the term) and ``idf``.
        ``attrs["target"]`` and ``attrs["reference"]`` name the groups.
    """
    weights = segment_tfidf(tokens, segments, unit=unit, mwe=mwe, stopwords=stopwords)
    return contrast_table(
        weights.matrix,
        group_rows(weights, by),
        weights.terms,
        weights.idf,
        by=by,
        target=target,
        reference=reference,
    )


def contrast_table(
    matrix: sparse.spmatrix,
    groups: np.ndarray,
    terms: pd.Index,
    idf: np.ndarray,
    *,
    by: str,
    target: Any = None,
    reference: Any = None,
) -> pd.DataFrame:
    """Build the :func:`tfidf_contrast` table from a segments x terms TF-IDF matrix.

    ``groups`` gives each row's group.
    """
    order = list(pd.unique(groups))
    if len(order) < 2:
        raise AnalysisError(f"{by!r} has only the group(s) {order}; a contrast needs two.")
    target = order[0] if target is None else target
    for name, value in (("target", target), ("reference", reference)):
        if value is not None and value not in order:
            raise AnalysisError(f"{name}={value!r} is not a value of {by!r}; choose from {order}.")
    is_t = groups == target
    if reference is None:
        is_r = ~is_t
        others = [g for g in order if g != target]
        reference = others[0] if len(others) == 1 else "rest"
    else:
        is_r = groups == reference
    m = sparse.csr_matrix(matrix)
    # Column sums over a group's rows as a matrix-vector product (no row-sliced copies).
    sel = np.stack([is_t, is_r], axis=1).astype(np.float64)
    sums = np.asarray(m.T @ sel)
    # Rows using each term, by group: the columns of the group's stored weights, counted (no
    # copy of the matrix).
    per_row, positive = np.diff(m.indptr), m.data > 0
    docs = np.stack(
        [column_frequencies(m, np.repeat(group, per_row) & positive) for group in (is_t, is_r)],
        axis=1,
    )
    mean_t, mean_r = sums[:, 0] / max(int(is_t.sum()), 1), sums[:, 1] / max(int(is_r.sum()), 1)
    out = pd.DataFrame(
        {
            f"mean_{target}": mean_t,
            f"mean_{reference}": mean_r,
            "diff": mean_t - mean_r,
            f"df_{target}": docs[:, 0].astype(np.int64),
            f"df_{reference}": docs[:, 1].astype(np.int64),
            "idf": idf,
        },
        index=terms,
    )
    order_idx = np.lexsort((out.index.to_numpy(dtype=str), -out["diff"].to_numpy()))
    out = out.iloc[order_idx]
    out.attrs["target"] = target
    out.attrs["reference"] = reference
    return out


def distinctive_terms(weights: SegmentTfidf, *, top: int = 5) -> pd.DataFrame:
    """List each segment's highest-weighted terms.

    Parameters
    ----------
    weights : SegmentTfidf
        From :func:`segment_tfidf`.
    top : int, default 5
        Terms per segment (fewer when the segment has fewer distinct terms).

    Returns
    -------
    pandas.DataFrame
        ``seg_id``, ``doc_id``, ``label`` (str), ``rank`` (int64, 1 = most distinctive),
        ``term`` (str), ``tfidf`` (float64); ties in weight are broken alphabetically.
    """
    if top < 1:
        raise AnalysisError(f"top={top}: ask for at least one term per segment.")
    m = weights.matrix.tocoo()
    frame = pd.DataFrame(
        {"row": m.row, "term": weights.terms.to_numpy()[m.col], "tfidf": m.data}
    ).sort_values(["row", "tfidf", "term"], ascending=[True, False, True], kind="stable")
    frame["rank"] = frame.groupby("row").cumcount() + 1
    frame = frame[frame["rank"] <= top]
    seg = weights.segments
    out = pd.DataFrame(
        {
            "seg_id": seg["seg_id"].to_numpy()[frame["row"]],
            "doc_id": seg["doc_id"].to_numpy()[frame["row"]],
            "label": seg["label"].astype(str).to_numpy()[frame["row"]],
            "rank": frame["rank"].to_numpy(dtype=np.int64),
            "term": frame["term"].to_numpy(),
            "tfidf": frame["tfidf"].to_numpy(),
        }
    )
    return out.reset_index(drop=True)


def contrast_extremes(contrast: pd.DataFrame, *, n: int = 4) -> pd.DataFrame:
    """List the terms at either end of a :func:`tfidf_contrast` table.

    Parameters
    ----------
    contrast : pandas.DataFrame
        From :func:`tfidf_contrast` (indexed by term, a ``diff`` column, ``attrs["target"]`` and
        ``attrs["reference"]``).
    n : int, default 4
        Terms per side.

    Returns
    -------
    pandas.DataFrame
        The ``n`` terms with the largest positive ``diff``, largest first, then the ``n`` with the
        most negative, most negative first (the table's order, ``diff`` descending then term,
        read from each end; fewer when a side has fewer terms; a term with ``diff`` 0 favours
        neither side and is not listed).
        Columns: ``favours`` (the target's name for a positive ``diff``, the reference's for a
        negative one), ``term`` (str), ``diff`` (float64).

    Raises
    ------
    AnalysisError
        When ``contrast`` has no ``diff`` column or lacks the group names, or ``n`` < 1.
    """
    if "diff" not in contrast.columns or not {"target", "reference"} <= set(contrast.attrs):
        raise AnalysisError(
            "the contrast table lacks a 'diff' column or its attrs 'target'/'reference'; build "
            "it with tfidf_contrast()."
        )
    if n < 1:
        raise AnalysisError(f"n={n}: ask for at least one term per side.")
    # the order tfidf_contrast returns (diff descending, then term), whatever order was passed
    order = np.lexsort((contrast.index.to_numpy(dtype=str), -contrast["diff"].to_numpy()))
    diff = contrast["diff"].iloc[order]
    above = diff[diff > 0].head(n)
    below = diff[diff < 0].tail(n).iloc[::-1]
    return pd.DataFrame(
        {
            "favours": [contrast.attrs["target"]] * len(above)
            + [contrast.attrs["reference"]] * len(below),
            "term": [*above.index, *below.index],
            "diff": np.concatenate([above.to_numpy(), below.to_numpy()]).astype(np.float64),
        }
    )
