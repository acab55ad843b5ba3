"""Cosine similarity between two groups' paragraphs, in blocks so that memory grows with the
paragraphs, not their pairs: each paragraph's closest counterpart, the strongest pairs, a
document x document summary, and what the strongest pair shares."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from analysis.counts import TermForm, takes_matrix
from analysis.dtm import DocumentTermMatrix
from analysis.errors import AnalysisError
from analysis.tfidf.weights import group_rows, segment_tfidf

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
    values = group_rows(weights, by)
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
