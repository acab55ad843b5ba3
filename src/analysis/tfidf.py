"""Segment-level TF-IDF: group contrasts, each paragraph's distinctive terms, paragraph similarity.

The documents are the analysed segments (paragraphs and list items), so IDF means "how many
paragraphs use the term". Weights are scikit-learn's ``TfidfVectorizer`` weighting (smooth idf
``ln((1+n)/(1+df)) + 1``, raw term counts, l2 row norm): its ``TfidfTransformer`` applied to the
project's own counts (:func:`analysis.counts.unit_term_counts`, ``norm`` or stem label,
multiword expressions joined, one column per term in sorted order, as ``CountVectorizer`` would
give them), so nothing is tokenised or lower-cased a second time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.feature_extraction.text import TfidfTransformer

from analysis.counts import TermForm, takes_matrix, unit_term_counts
from analysis.dtm import DocumentTermMatrix, rows_then
from analysis.errors import AnalysisError

__all__ = [
    "MAX_SIMILARITY_CELLS",
    "TOP_PAIRS",
    "SegmentTfidf",
    "Similarity",
    "SimilarityHighlights",
    "contrast_extremes",
    "distinctive_terms",
    "paragraph_similarity",
    "contrast_table",
    "segment_tfidf",
    "similarity_highlights",
    "similarity_tables",
    "tfidf_contrast",
]


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
    # The counts of each row's unit (none: an all-zero row), one column per term label in
    # sorted order: the float matrix TfidfVectorizer builds for the same term lists, entry for
    # entry and in the same storage order (columns numbered in the order the vocabulary met
    # them, rows in order and each row's terms in order of first use; each row's entries sorted
    # by that number, then renumbered alphabetically, as CountVectorizer does), so the l2 norms
    # (sums in storage order) and every weight are the same to the last bit.
    where = pd.Index(counted.seg_ids).get_indexer(rows["seg_id"].to_numpy(dtype=object))
    labels = counted.terms.astype(str)
    names = np.unique(labels)
    source = counted.counts
    out_row = np.full(len(counted.seg_ids), -1, dtype=np.int64)
    found = np.flatnonzero(where >= 0)
    out_row[where[found]] = found
    row = out_row[np.repeat(np.arange(source.shape[0], dtype=np.int32), np.diff(source.indptr))]
    name_of_key = np.searchsorted(names, labels).astype(np.int32)  # each key's sorted column
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
    order = rows_then(row, first, len(rows))  # rows in order, each row's terms by first use
    del first
    row, col, n = row[order], col[order], n[order]
    del order
    met = pd.unique(col)  # sorted-name column of each vocabulary id
    vocabulary_id = np.empty(len(names), dtype=np.int64)
    vocabulary_id[met] = np.arange(len(met))
    counts = sparse.csr_matrix(
        (
            n.astype(np.float64),
            vocabulary_id[col].astype(np.int32),
            np.searchsorted(row, np.arange(len(rows) + 1)),
        ),
        shape=(len(rows), len(names)),
    )
    counts.sort_indices()  # by vocabulary id, as CountVectorizer sorts them
    # renumbered alphabetically in place, the flag left as CountVectorizer leaves it (set), so
    # that scikit-learn keeps this storage order
    counts.indices = met[counts.indices].astype(counts.indices.dtype)
    transformer = TfidfTransformer()
    # as TfidfVectorizer.fit_transform does: fit, then transform in place (the order kept)
    matrix = transformer.fit(counts).transform(counts, copy=False).tocsr()
    return SegmentTfidf(
        matrix=matrix,
        segments=rows,
        terms=pd.Index(names.astype(object), name="term"),
        idf=transformer.idf_,
    )


def _group_rows(weights: SegmentTfidf, by: str) -> np.ndarray:
    if by not in weights.segments.columns:
        raise AnalysisError(
            f"by={by!r} is not a segment column; choose one of {list(weights.segments.columns)}."
        )
    return weights.segments[by].to_numpy(dtype=object)


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
        _group_rows(weights, by),
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
    present = m.copy()
    present.data = (present.data > 0).astype(np.float64)
    # Column sums over a group's rows as a matrix-vector product (no row-sliced copies).
    sel = np.stack([is_t, is_r], axis=1).astype(np.float64)
    sums = np.asarray(m.T @ sel)
    docs = np.asarray(present.T @ sel)
    mean_t, mean_r = sums[:, 0] / max(int(is_t.sum()), 1), sums[:, 1] / max(int(is_r.sum()), 1)
    out = pd.DataFrame(
        {
            f"mean_{target}": mean_t,
            f"mean_{reference}": mean_r,
            "diff": mean_t - mean_r,
            f"df_{target}": np.rint(docs[:, 0]).astype(np.int64),
            f"df_{reference}": np.rint(docs[:, 1]).astype(np.int64),
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


#: Most paragraph pairs (rows x columns) for which :func:`paragraph_similarity` keeps the full
#: matrix; above it the result holds every paragraph's closest counterparts, its top pairs and a
#: document x document matrix, so memory grows with the paragraphs, not with their pairs.
MAX_SIMILARITY_CELLS = 1_000_000
#: Cells of one block of the cosine product (rows x columns) held in memory at a time.
BLOCK_CELLS = 4_000_000
#: Counterparts of each paragraph kept in :attr:`Similarity.pairs`.
TOP_PAIRS = 5
_HISTOGRAM_BINS = 100_000


@dataclass(frozen=True)
class Similarity:
    """Cosine similarity between two groups' paragraphs.

    Attributes
    ----------
    matrix : pandas.DataFrame or None
        Rows: the first group's segments, columns: the second group's, both a MultiIndex
        (``seg_id``, ``label``) in reading order; values in [0, 1]. ``None`` when the groups have
        more than ``max_cells`` paragraph pairs (see :func:`paragraph_similarity`).
    closest : pandas.DataFrame
        One row per segment of either group: ``seg_id``, ``label``, ``group``,
        ``closest_seg_id``, ``closest_label``, ``similarity`` (float64, cosine with the most
        similar paragraph of the other group; ties go to the earlier paragraph; ``None`` as
        counterpart when the paragraph shares no term with the other group).
    pairs : pandas.DataFrame
        The strongest pairs, sparse: for every paragraph of either group its ``top`` most
        similar paragraphs of the other (cosine above 0), each pair once: ``seg_a``, ``label_a``
        (first group), ``seg_b``, ``label_b`` (second group), ``doc_a``, ``doc_b``, ``cosine``;
        sorted by cosine descending, then ``seg_a``, ``seg_b``.
    documents : pandas.DataFrame
        Document x document: the highest cosine between a paragraph of the row document and one
        of the column document (rows the first group's ``doc_id`` values, columns the second's,
        in reading order).
    summary : dict
        ``pairs`` (int, paragraph pairs compared), ``zero_pairs`` (int, sharing no term), ``max``
        and ``median`` (float, over all pairs; the median is exact when the matrix is kept and
        otherwise read from a histogram of 100,000 bins, within 0.00001), ``median_exact``
        (bool), ``level`` (``"paragraph"`` when the matrix is kept, else ``"document"``).
    """

    matrix: pd.DataFrame | None
    closest: pd.DataFrame
    pairs: pd.DataFrame = field(default_factory=pd.DataFrame)
    documents: pd.DataFrame = field(default_factory=pd.DataFrame)
    summary: dict[str, Any] = field(default_factory=dict)


def similarity_tables(similarity: Similarity) -> dict[str, pd.DataFrame]:
    """The tables of a :class:`Similarity` a report saves, by name: ``paragraph-similarity``
    (the matrix labelled by seg_id, when it was kept), ``document-similarity``,
    ``similar-pairs`` and ``closest-paragraphs``."""
    tables = {}
    if similarity.matrix is not None:
        matrix = similarity.matrix.droplevel("label").droplevel("label", axis=1)
        tables["paragraph-similarity"] = matrix.rename_axis(index="seg_id", columns=None)
    tables["document-similarity"] = similarity.documents
    tables["similar-pairs"] = similarity.pairs
    tables["closest-paragraphs"] = similarity.closest
    return tables


def _top_columns(block: np.ndarray, k: int) -> np.ndarray:
    """Column indices of each row's ``k`` largest values (unordered), shape (rows, min(k, n))."""
    k = min(k, block.shape[1])
    if k == block.shape[1]:
        return np.broadcast_to(np.arange(k), (block.shape[0], k))
    return np.argpartition(-block, k - 1, axis=1)[:, :k]


@takes_matrix
def paragraph_similarity(
    tokens: pd.DataFrame | DocumentTermMatrix,
    segments: pd.DataFrame | None = None,
    by: str = "actor_type",
    *,
    groups: tuple[Any, Any] | None = None,
    unit: TermForm = "norm",
    mwe: bool | None = None,
    stopwords: bool = False,
    max_cells: int = MAX_SIMILARITY_CELLS,
    top: int = TOP_PAIRS,
) -> Similarity:
    """Compare every paragraph of one group with every paragraph of another by TF-IDF cosine.

    The TF-IDF is fitted on all analysed segments; rows are l2-normalised, so the cosine is the
    dot product (equal to ``sklearn.metrics.pairwise.cosine_similarity``). The product is
    computed in blocks of rows, so memory stays bounded by the paragraphs, not their pairs:
    every paragraph's closest counterpart, its ``top`` strongest pairs and the document x
    document maximum are exact whatever the size; the full paragraph matrix is kept only up to
    ``max_cells`` pairs.

    Parameters
    ----------
    by : str, default "actor_type"
        Segment column defining the groups.
    groups : (row_group, column_group), optional
        Which groups form rows and columns; default the first two groups in reading order.
    unit, mwe, stopwords
        As in :func:`analysis.counts.term_counts`.
    max_cells : int, default :data:`MAX_SIMILARITY_CELLS`
        Most paragraph pairs for which the full matrix is kept.
    top : int, default :data:`TOP_PAIRS`
        Counterparts of each paragraph kept in ``pairs``.

    Returns
    -------
    Similarity
        As documented on :class:`Similarity`.
    """
    weights = segment_tfidf(tokens, segments, unit=unit, mwe=mwe, stopwords=stopwords)
    values = _group_rows(weights, by)
    order = list(pd.unique(values))
    if groups is None:
        if len(order) < 2:
            raise AnalysisError(f"{by!r} has only the group(s) {order}; need two to compare.")
        groups = (order[0], order[1])
    for g in groups:
        if g not in order:
            raise AnalysisError(f"group {g!r} is not a value of {by!r}; choose from {order}.")
    if top < 1:
        raise AnalysisError(f"top={top}: keep at least one counterpart per paragraph.")
    row_mask, col_mask = values == groups[0], values == groups[1]
    seg = weights.segments
    a, b = weights.matrix[row_mask], weights.matrix[col_mask].T.tocsc()
    n_rows, n_cols = a.shape[0], b.shape[1]
    keep_matrix = n_rows * n_cols <= max_cells
    full = np.zeros((n_rows, n_cols)) if keep_matrix else None

    doc_a = seg["doc_id"].to_numpy(dtype=object)[row_mask]
    doc_b = seg["doc_id"].to_numpy(dtype=object)[col_mask]
    docs_a, code_a = np.unique(doc_a, return_inverse=True)
    docs_b, code_b = np.unique(doc_b, return_inverse=True)
    documents = np.zeros((len(docs_a), len(docs_b)))
    col_order = np.argsort(code_b, kind="stable")  # columns grouped by document
    col_starts: Any = np.flatnonzero(np.r_[True, np.diff(code_b[col_order]) != 0]) if n_cols else []

    best_row = np.zeros(n_rows, dtype=np.int64)
    best_row_value = np.zeros(n_rows)
    best_col = np.zeros(n_cols, dtype=np.int64)
    best_col_value = np.full(n_cols, -1.0)
    pair_rows: list[np.ndarray] = []
    pair_cols: list[np.ndarray] = []
    pair_values: list[np.ndarray] = []
    k = min(top, max(n_rows, 1))
    col_top_rows = np.zeros((0, n_cols), dtype=np.int64)
    col_top_values = np.zeros((0, n_cols))
    histogram = np.zeros(_HISTOGRAM_BINS, dtype=np.int64)
    zero_pairs, highest = 0, 0.0
    step = max(1, BLOCK_CELLS // max(n_cols, 1))
    for start in range(0, n_rows if n_cols else 0, step):
        block = np.clip((a[start : start + step] @ b).toarray(), 0.0, 1.0)
        rows_here = np.arange(start, start + block.shape[0])
        if full is not None:
            full[rows_here] = block
        best = block.argmax(axis=1)  # ties: the earlier column
        best_row[rows_here], best_row_value[rows_here] = best, block[np.arange(len(best)), best]
        chosen = _top_columns(block, top)
        pair_rows.append(np.repeat(rows_here, chosen.shape[1]))
        pair_cols.append(chosen.ravel())
        pair_values.append(np.take_along_axis(block, chosen, axis=1).ravel())
        # columns: keep the best row (earlier row on ties) and the top rows so far
        block_best = block.argmax(axis=0)
        block_value = block[block_best, np.arange(n_cols)]
        better = block_value > best_col_value
        best_col[better], best_col_value[better] = block_best[better] + start, block_value[better]
        stacked_values = np.vstack([col_top_values, block])
        stacked_rows = np.vstack([col_top_rows, np.broadcast_to(rows_here[:, None], block.shape)])
        keep = _top_columns(stacked_values.T, k).T
        col_top_values = np.take_along_axis(stacked_values, keep, axis=0)
        col_top_rows = np.take_along_axis(stacked_rows, keep, axis=0)
        # documents: the highest cosine of each pair of documents
        by_doc = np.maximum.reduceat(block[:, col_order], col_starts, axis=1)
        np.maximum.at(documents, code_a[rows_here], by_doc)
        zero_pairs += int((block <= 0).sum())
        highest = max(highest, float(block.max(initial=0.0)))
        histogram += np.histogram(block, bins=_HISTOGRAM_BINS, range=(0.0, 1.0))[0]
    pair_rows.append(col_top_rows.ravel())
    pair_cols.append(np.repeat(np.arange(n_cols)[None, :], col_top_rows.shape[0], axis=0).ravel())
    pair_values.append(col_top_values.ravel())

    seg_ids = seg["seg_id"].to_numpy(dtype=object)
    labels = seg["label"].astype(str).to_numpy(dtype=object)

    def index_of(mask: np.ndarray) -> pd.MultiIndex:
        return pd.MultiIndex.from_arrays([seg_ids[mask], labels[mask]], names=["seg_id", "label"])

    rows, cols = index_of(row_mask), index_of(col_mask)
    matrix = None if full is None else pd.DataFrame(full, index=rows, columns=cols)
    best_col_value = np.maximum(best_col_value, 0.0)
    closest = pd.concat(
        [
            pd.DataFrame(
                {
                    "seg_id": rows.get_level_values("seg_id"),
                    "label": rows.get_level_values("label"),
                    "group": groups[0],
                    "closest_seg_id": cols.get_level_values("seg_id")[best_row],
                    "closest_label": cols.get_level_values("label")[best_row],
                    "similarity": best_row_value,
                }
            ),
            pd.DataFrame(
                {
                    "seg_id": cols.get_level_values("seg_id"),
                    "label": cols.get_level_values("label"),
                    "group": groups[1],
                    "closest_seg_id": rows.get_level_values("seg_id")[best_col],
                    "closest_label": rows.get_level_values("label")[best_col],
                    "similarity": best_col_value,
                }
            ),
        ],
        ignore_index=True,
    )
    # A paragraph sharing no term with the other group has no counterpart.
    none = closest["similarity"] <= 0
    closest["closest_seg_id"] = closest["closest_seg_id"].astype(object).where(~none, None)
    closest["closest_label"] = closest["closest_label"].astype(object).where(~none, None)

    found = pd.DataFrame(
        {
            "i": np.concatenate(pair_rows),
            "j": np.concatenate(pair_cols),
            "cosine": np.concatenate(pair_values),
        }
    ).drop_duplicates(["i", "j"])
    i, j, cosine = found["i"].to_numpy(), found["j"].to_numpy(), found["cosine"].to_numpy()
    pairs = pd.DataFrame(
        {
            "seg_a": rows.get_level_values("seg_id")[i],
            "label_a": rows.get_level_values("label")[i],
            "seg_b": cols.get_level_values("seg_id")[j],
            "label_b": cols.get_level_values("label")[j],
            "doc_a": doc_a[i],
            "doc_b": doc_b[j],
            "cosine": cosine,
        }
    )
    pairs = (
        pairs[pairs["cosine"] > 0]
        .sort_values(["cosine", "seg_a", "seg_b"], ascending=[False, True, True], kind="stable")
        .reset_index(drop=True)
    )

    first_a = pd.unique(doc_a)
    first_b = pd.unique(doc_b)
    documents_frame = pd.DataFrame(
        documents, index=pd.Index(docs_a, name="doc_id"), columns=docs_b
    ).reindex(index=first_a, columns=first_b)
    documents_frame.index.name = "doc_id"
    n_pairs = n_rows * n_cols
    if full is not None and n_pairs:
        median = float(np.median(full))
    elif n_pairs:
        position = np.searchsorted(np.cumsum(histogram), (n_pairs + 1) / 2)
        median = float(min(position, _HISTOGRAM_BINS - 1) + 0.5) / _HISTOGRAM_BINS
        median = 0.0 if zero_pairs * 2 > n_pairs else median
    else:
        median = 0.0
    summary = {
        "pairs": int(n_pairs),
        "zero_pairs": int(zero_pairs),
        "max": highest,
        "median": median,
        "median_exact": full is not None,
        "level": "paragraph" if full is not None else "document",
    }
    return Similarity(
        matrix=matrix, closest=closest, pairs=pairs, documents=documents_frame, summary=summary
    )


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


@dataclass(frozen=True)
class SimilarityHighlights:
    """What a :class:`Similarity` says in a few numbers (see :func:`similarity_highlights`).

    Attributes
    ----------
    seg_id, closest_seg_id : str or None
        The most similar pair of paragraphs across the two groups (``closest_seg_id`` is None
        when no paragraph shares a term with the other group).
    similarity : float
        Their cosine.
    shared_words : tuple of str
        The content words (``norm`` of tokens that are not punctuation, stopwords or function
        words) the two paragraphs have in common, sorted.
    median_similarity : float
        The median over all paragraphs of the cosine with their closest counterpart.
    unmatched : tuple of str
        The seg_ids of the paragraphs that share no term with the other group, in the order of
        ``Similarity.closest``.
    n_paragraphs : int
        Paragraphs of the two groups (rows of ``Similarity.closest``).
    """

    seg_id: str
    closest_seg_id: str | None
    similarity: float
    shared_words: tuple[str, ...]
    median_similarity: float
    unmatched: tuple[str, ...]
    n_paragraphs: int


def similarity_highlights(similarity: Similarity, tokens: pd.DataFrame) -> SimilarityHighlights:
    """Summarise a paragraph similarity: the closest pair, what it shares, the unmatched.

    Parameters
    ----------
    similarity : Similarity
        From :func:`paragraph_similarity`.
    tokens : pandas.DataFrame
        Token table (``seg_id``, ``norm``, ``is_punct``, ``is_stop``, ``is_function``) holding
        the paragraphs' tokens.

    Returns
    -------
    SimilarityHighlights
        The pair with the highest cosine (the first in ``similarity.closest`` order on ties: a
        paragraph of the first group before one of the second), the content words it shares,
        the median closest-counterpart cosine, and the paragraphs without a counterpart.

    Raises
    ------
    AnalysisError
        When ``similarity.closest`` is empty or ``tokens`` lacks a column.
    """
    closest = similarity.closest
    if closest.empty:
        raise AnalysisError("the similarity has no paragraphs; nothing to summarise.")
    needed = ["seg_id", "norm", "is_punct", "is_stop", "is_function"]
    missing = [c for c in needed if c not in tokens.columns]
    if missing:
        raise AnalysisError(f"tokens table lacks column(s) {missing}; build it with tokenise().")
    best = closest.sort_values("similarity", ascending=False, kind="stable").iloc[0]
    content = tokens[
        ~tokens["is_punct"].astype(bool)
        & ~tokens["is_stop"].astype(bool)
        & ~tokens["is_function"].astype(bool)
    ]
    shared = set(content.loc[content["seg_id"] == best["seg_id"], "norm"]) & set(
        content.loc[content["seg_id"] == best["closest_seg_id"], "norm"]
    )
    alone = closest.loc[closest["closest_seg_id"].isna(), "seg_id"]
    partner = best["closest_seg_id"]
    return SimilarityHighlights(
        seg_id=str(best["seg_id"]),
        closest_seg_id=None if pd.isna(partner) else str(partner),
        similarity=float(best["similarity"]),
        shared_words=tuple(sorted(shared)),
        median_similarity=float(closest["similarity"].median()),
        unmatched=tuple(str(s) for s in alone),
        n_paragraphs=len(closest),
    )
