"""Count a large corpus as a map over documents and a sum, without a token table.

For a corpus of thousands of statements the token table (one row per token, offsets and flags)
is the wrong shape: it costs memory per token while counting needs only a segment x term matrix.
:func:`count_corpus` runs the same stages as the table pipeline, document by document in worker
processes (segment with :func:`analysis.segment.segment_document`, tokenise with
:func:`analysis.tokenise.tokenise_text`), and sums each chunk's sparse counts into one matrix.
Its group counts and TF-IDF contrasts equal those of :func:`analysis.counts.term_counts` and
:func:`analysis.tfidf.tfidf_contrast` on the same corpus (tested on the seeds), and every row of
the matrix keeps its ``seg_id`` and raw offsets, so results stay traceable.

Counting does not need sentence boundaries (multiword expressions and n-grams never cross
punctuation), so the map step skips sentence splitting.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.feature_extraction.text import TfidfTransformer

from analysis.corpus import document_columns
from analysis.errors import AnalysisError
from analysis.segment import ANALYSIS_KINDS, SEGMENT_COLUMNS, segment_rows
from analysis.tfidf import contrast_table
from analysis.tokenise import stem, tokenise_text
from analysis.tokenise import type_flags as _type_flags

# Group sums go through a dense groups x terms array up to this many groups (and cells).
_DENSE_GROUPS, _DENSE_CELLS = 64, 1 << 24
# Vocabularies larger than this are stemmed across the workers.
_PARALLEL_STEMS = 10_000

# The unit columns the map step keeps: SEGMENT_COLUMNS up to the raw offsets.
_SEG_META = SEGMENT_COLUMNS[: SEGMENT_COLUMNS.index("end") + 1]


@dataclass(frozen=True)
class CorpusCounts:
    """Segment x term counts of a corpus.

    Attributes
    ----------
    matrix : scipy.sparse.csr_matrix
        Segments x terms, int64 counts of each ``norm`` (punctuation and stopwords included).
    segments : pandas.DataFrame
        One row per matrix row: ``seg_id``, ``doc_id``, ``position``, ``kind``, ``label``,
        ``start``, ``end`` (raw offsets), ``n_words`` (running words: non-punctuation tokens, a
        multiword expression counted as its words) and the document's metadata columns.
    terms : pandas.DataFrame
        One row per matrix column: ``term`` (the ``norm``), ``stem``, ``is_punct``, ``is_stop``,
        ``is_number``, ``is_function``, ``function_class``, ``function_subclass``, ``n_words``.
    """

    matrix: sparse.csr_matrix
    segments: pd.DataFrame
    terms: pd.DataFrame

    def _check_by(self, by: str) -> None:
        if by not in self.segments.columns:
            raise AnalysisError(
                f"by={by!r} is not a segment column; choose one of {list(self.segments.columns)}"
            )

    def _groups(self, by: str) -> tuple[list[Any], np.ndarray]:
        """Groups in order of first appearance and each segment's group number.

        A segment without a value in ``by`` gets -1 and is left out of every group, as
        :func:`analysis.counts.term_counts` leaves it out.
        """
        self._check_by(by)
        codes, uniques = pd.factorize(self.segments[by], sort=False)
        return list(uniques), codes

    def _sum_by_group(
        self, codes: np.ndarray, n_groups: int, columns: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Per group and column: count and number of segments, for the non-zero pairs.

        Returns ``(group, column, n, n_segments)`` in group then column order. A few groups
        (actors, genres) are summed into a dense groups x terms array by one sparse product;
        many (documents, segments) by a sparse indicator product.
        """
        m = self.matrix
        present = sparse.csr_matrix(((m.data > 0).astype(np.int64), m.indices, m.indptr),
                                    shape=m.shape)
        rows = np.flatnonzero(codes >= 0)  # segments without a group count nowhere
        if n_groups <= _DENSE_GROUPS and n_groups * m.shape[1] <= _DENSE_CELLS:
            onehot = np.zeros((len(codes), n_groups), dtype=np.int64)
            onehot[rows, codes[rows]] = 1
            n = np.asarray(m.T @ onehot).T[:, columns]
            df = np.asarray(present.T @ onehot).T[:, columns]
            group, col = np.nonzero(n)
            return group, col, n[group, col], df[group, col]
        g = sparse.csr_matrix(
            (np.ones(len(rows), dtype=np.int64), (codes[rows], rows)),
            shape=(n_groups, len(codes)),
        )
        n_csr = (g @ m[:, columns]).tocsr()
        df_csr = (g @ present[:, columns]).tocsr()
        n_csr.sort_indices()
        df_csr.sort_indices()
        n, df = n_csr.tocoo(), df_csr.tocoo()  # same sparsity: a term counted is a term present
        return n.row, n.col, n.data, df.data

    def _segment_lists(
        self, codes: np.ndarray, columns: np.ndarray, group: np.ndarray, col: np.ndarray
    ) -> np.ndarray:
        """Join the seg_ids (reading order) where each (group, column) pair of terms occurs.

        ``columns`` selects the matrix columns and ``col`` indexes that selection, as in
        :meth:`_sum_by_group`; the lists are read off the non-zero structure of the selection,
        sorted by group, column and row (the rows being the segments in reading order).
        """
        sub = self.matrix[:, columns].tocoo()
        used = sub.data > 0
        rows, cols = sub.row[used].astype(np.int64), sub.col[used].astype(np.int64)
        groups = np.asarray(codes, dtype=np.int64)[rows]
        order = np.lexsort((rows, cols, groups))
        pairs = pd.DataFrame({
            "_g": groups[order], "_c": cols[order],
            "seg_id": self.segments["seg_id"].to_numpy(dtype=object)[rows[order]],
        })
        lists = pairs.groupby(["_g", "_c"], sort=False)["seg_id"].agg(" ".join)
        where = pd.MultiIndex.from_arrays(
            [np.asarray(group, dtype=np.int64), np.asarray(col, dtype=np.int64)]
        )
        return lists.reindex(where).to_numpy()

    def group_counts(
        self, by: str = "actor_type", *, stopwords: bool = False, trace: bool = False
    ) -> pd.DataFrame:
        """Count terms per group, as :func:`analysis.counts.term_counts` with ``unit="norm"``.

        Parameters
        ----------
        by
            Segment column defining the groups.
        stopwords
            Keep stopwords in the table (they are in ``total_tokens`` either way).
        trace
            Add ``seg_ids``, as :func:`analysis.counts.term_counts` does.

        Returns
        -------
        DataFrame
            ``<by>``, ``term``, ``n``, ``per_1k``, ``rank``, ``n_segments``, ``total_tokens``
            and, with ``trace=True``, ``seg_ids`` (str: the seg_ids of the group's segments
            using the term, in reading order, joined by one space); groups in order of first
            appearance, then by rank and term.
        """
        groups, codes = self._groups(by)
        grouped = codes >= 0
        totals = np.bincount(codes[grouped],
                             weights=self.segments["n_words"].to_numpy(np.float64)[grouped],
                             minlength=len(groups))
        keep = ~self.terms["is_punct"].to_numpy()
        if not stopwords:
            keep &= ~self.terms["is_stop"].to_numpy()
        group, col, n, df = self._sum_by_group(codes, len(groups), np.flatnonzero(keep))
        terms = self.terms["term"].to_numpy()[np.flatnonzero(keep)]
        out = pd.DataFrame({
            by: np.asarray(groups, dtype=object)[group],
            "term": terms[col],
            "n": n.astype(np.int64),
            "n_segments": df.astype(np.int64),
            "total_tokens": totals[group].astype(np.int64),
            "_g": group,
        })
        if trace:
            out["seg_ids"] = self._segment_lists(codes, np.flatnonzero(keep), group, col)
        out = out[out["n"] > 0]
        out["per_1k"] = 1000.0 * out["n"] / out["total_tokens"]
        out["rank"] = out.groupby("_g")["n"].rank(method="min", ascending=False).astype("int64")
        out = out.sort_values(["_g", "rank", "term"], kind="stable").reset_index(drop=True)
        return out[[by, "term", "n", "per_1k", "rank", "n_segments", "total_tokens"]
                   + (["seg_ids"] if trace else [])]

    def tfidf_contrast(
        self, by: str = "actor_type", *, target: Any = None, reference: Any = None
    ) -> pd.DataFrame:
        """Mean segment TF-IDF per group and their difference, as :func:`tfidf_contrast`.

        scikit-learn's ``TfidfTransformer`` (smooth idf, l2 norm) is applied to the counts of
        the non-punctuation, non-stopword terms; ``TfidfVectorizer`` is exactly that
        transformer after counting, so the weights are the same.
        """
        self._check_by(by)
        keep = ~(self.terms["is_punct"].to_numpy() | self.terms["is_stop"].to_numpy())
        keep &= np.asarray(self.matrix.sum(axis=0)).ravel() > 0
        cols = np.flatnonzero(keep)
        # Column order does not change the weights (the table is sorted by difference and
        # term at the end), so the vocabulary is not re-sorted as scikit-learn would.
        transformer = TfidfTransformer()
        weights = transformer.fit_transform(self.matrix[:, cols])
        return contrast_table(
            weights, self.segments[by].to_numpy(dtype=object),
            pd.Index(self.terms["term"].to_numpy()[cols], name="term"), transformer.idf_,
            by=by, target=target, reference=reference,
        )


@dataclass(frozen=True)
class _ChunkCounts:
    """What the map step returns for a chunk of documents: counts in coordinate form."""

    segments: pd.DataFrame  # one row per analysed unit, _SEG_META columns without the text
    terms: list[str]  # the chunk's distinct normal forms
    indptr: np.ndarray  # segments x terms counts in CSR form; columns index ``terms``
    indices: np.ndarray
    count: np.ndarray


def _count_chunk(
    docs: list[tuple[str, str, str]], kinds: tuple[str, ...], mwe: bool | tuple[str, ...]
) -> _ChunkCounts:
    """Map step: segment, tokenise and count some documents (doc_id, raw text, layout)."""
    metas, seg_codes, term_codes, types = [], [], [], []
    offset = 0
    for doc_id, raw, layout in docs:
        units = [row for row in segment_rows(raw, doc_id, layout=layout) if row[3] in kinds]
        spans = [(row[0], row[6], row[7]) for row in units]
        cols = tokenise_text(raw, spans, mwe=mwe, with_sentences=False, with_tokens=False)
        seg_codes.append(np.asarray(cols["seg_index"], dtype=np.int64) + offset)
        term_codes.append(np.asarray(cols["norm_code"], dtype=np.int64) + len(types))
        types.extend(cols["norm_types"])
        metas.extend(row[: len(_SEG_META)] for row in units)
        offset += len(units)
    # One vocabulary for the chunk: each document's types, merged.
    merged, uniques = pd.factorize(np.asarray(types, dtype=object))
    rows = np.concatenate(seg_codes) if seg_codes else np.zeros(0, np.int64)
    codes = merged[np.concatenate(term_codes)] if term_codes else np.zeros(0, np.int64)
    matrix = sparse.csr_matrix(
        (np.ones(len(codes), dtype=np.int64), (rows, codes)), shape=(offset, len(uniques))
    )
    matrix.sum_duplicates()
    return _ChunkCounts(
        segments=pd.DataFrame(metas, columns=_SEG_META).drop(columns="text"),
        terms=uniques.tolist(),
        indptr=matrix.indptr.astype(np.int64), indices=matrix.indices.astype(np.int64),
        count=matrix.data,
    )


def _stems(terms: list[str]) -> list[str]:
    return [stem(t) for t in terms]


def _chunks(corpus: pd.DataFrame, size: int) -> Iterator[list[tuple[str, str, str]]]:
    layouts = (corpus["paragraphs"].fillna("").replace("", "auto")
               if "paragraphs" in corpus.columns else ["auto"] * len(corpus))
    pairs = list(zip(corpus["doc_id"], corpus["text"], layouts, strict=True))
    for i in range(0, len(pairs), size):
        yield pairs[i:i + size]


def count_corpus(
    corpus: pd.DataFrame,
    *,
    kinds: Sequence[str] = ANALYSIS_KINDS,
    mwe: bool | Iterable[str] = True,
    jobs: int | None = 1,
    chunk_docs: int | None = None,
    progress: bool = False,
) -> CorpusCounts:
    """Count every analysed segment of a corpus into a sparse segment x term matrix.

    Parameters
    ----------
    corpus
        A table from :func:`analysis.corpus.load_corpus`.
    kinds
        Segment kinds to count.
    mwe
        As in :func:`analysis.tokenise.tokenise`.
    jobs
        Worker processes; ``None`` uses every core, ``1`` counts in this process.
    chunk_docs
        Documents per map step (the unit of work sent to a worker). ``None`` picks about 16
        steps per worker (at most 200 documents each): enough to balance the load and move the
        progress bar, few enough that each step's vocabulary is worth sending back.
    progress
        Show a progress bar (tqdm) over chunks.

    Returns
    -------
    CorpusCounts
    """
    kinds = tuple(kinds)
    mwe_arg: bool | tuple[str, ...] = mwe if isinstance(mwe, bool) else tuple(mwe)
    jobs = (os.cpu_count() or 1) if jobs is None else max(1, jobs)
    if chunk_docs is None:
        chunk_docs = min(200, -(-len(corpus) // (16 * jobs)))
    chunks = list(_chunks(corpus, max(1, chunk_docs)))
    if jobs == 1 or len(chunks) == 1:
        results: Iterable = (_count_chunk(c, kinds, mwe_arg) for c in chunks)
        pool = None
    else:
        pool = ProcessPoolExecutor(max_workers=jobs)
        results = pool.map(_count_chunk, chunks, [kinds] * len(chunks), [mwe_arg] * len(chunks))
    if progress:
        from tqdm import tqdm

        results = tqdm(results, total=len(chunks), desc="count", unit="chunk")
    parts: list[_ChunkCounts] = []
    try:
        parts.extend(results)
        # Reduce: one vocabulary for the corpus (a single factorize over every chunk's terms,
        # in C).
        all_terms = np.asarray([t for part in parts for t in part.terms], dtype=object)
        term_ids, vocabulary = pd.factorize(all_terms)
        terms = vocabulary.tolist()
        # Stemming is the one per-type cost that grows with the vocabulary: split it across
        # the workers.
        if pool is not None and len(terms) > _PARALLEL_STEMS:
            step = -(-len(terms) // jobs)
            stems = [s for part in pool.map(_stems, [terms[i:i + step] for i in
                                                     range(0, len(terms), step)]) for s in part]
        else:
            stems = _stems(terms)
    finally:
        if pool is not None:
            pool.shutdown()
    # The chunks' CSR blocks stacked: rows follow on, columns mapped to the corpus vocabulary
    # (within a row they need not be sorted; CSR does not require it).
    nnz_base = np.cumsum([0] + [len(part.count) for part in parts])
    term_base = np.cumsum([0] + [len(part.terms) for part in parts])
    n_rows = sum(len(part.segments) for part in parts)
    indptr = np.concatenate(
        [np.zeros(1, np.int64)] + [part.indptr[1:] + nnz_base[i] for i, part in enumerate(parts)]
    )
    indices = (np.concatenate([part.indices + term_base[i] for i, part in enumerate(parts)])
               if parts else np.zeros(0, np.int64))
    counts = (np.concatenate([part.count for part in parts]) if parts
              else np.zeros(0, np.int64))
    matrix = sparse.csr_matrix((counts, term_ids[indices], indptr),
                               shape=(n_rows, len(vocabulary)))
    flags = _type_flags(pd.Index(terms, dtype=object), stems=stems)
    flags.insert(0, "term", terms)
    flags["n_words"] = (flags["term"].str.count(" ") + 1).astype("int64")
    segments = (pd.concat([part.segments for part in parts], ignore_index=True) if parts
                else pd.DataFrame(columns=[c for c in _SEG_META if c != "text"]))
    weights = (flags["n_words"] * ~flags["is_punct"]).to_numpy(dtype=np.int64)
    segments["n_words"] = np.asarray(matrix @ weights).ravel().astype(np.int64)
    meta = corpus[["doc_id", *document_columns(corpus)]]
    segments = segments.merge(meta, on="doc_id", how="left", validate="many_to_one")
    return CorpusCounts(matrix=matrix, segments=segments, terms=flags)
