"""The document-term matrix: every count-based analysis starts from it.

A :class:`DocumentTermMatrix` (after quanteda's *dfm*) holds, for the analysed units of a corpus
(body paragraphs and list items by default), how often each term occurs in each unit, as a
sparse ``units x terms`` matrix, with two tables that label it:

* ``units``: one row per matrix row (``seg_id``, ``doc_id``, ``position``, ``kind``, ``label``,
  ``start``, ``end``: raw offsets, so a count can always be traced back to its words), the
  unit's **running words** ``n_words`` (the denominator of every rate) and the document's
  metadata (``actor_type``, ``organisation`` ...);
* ``terms``: one row per column: ``term`` (the normal form), ``stem``, ``is_stop``,
  ``is_number``, ``is_function``, ``function_class``, ``function_subclass``, ``is_mwe`` and
  ``n_words`` (the words a multiword expression joins).

Terms are words: punctuation is not counted. Running words are the unit's words, stopwords
included, a multiword expression counted as its number of words.

The options that change counting are fixed when the matrix is built and recorded on it: ``mwe``
(multiword expressions joined or not), ``kinds`` (the kinds of unit counted); normal forms are
always lower-cased (:func:`analysis.tokenise.normalise`).

Two ways build the same matrix:

* :func:`count_documents` counts the units of some documents straight from their raw texts,
  without a token table or sentence splitting: the map step of :func:`analysis.pipeline.build`,
  run on shares of documents in worker processes or on a Dask cluster and put back together with
  :func:`concat`;
* :func:`from_tokens` counts a token table (:func:`analysis.tokenise.tokenise`) that is already
  in hand.

Analyses take the matrix as their first argument (:func:`analysis.counts.term_counts`,
:func:`analysis.counts.group_keyness`, :func:`analysis.tfidf.tfidf_contrast` ...); called with a
token table instead they build the matrix inside, once per table (:func:`for_tokens`).
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import sparse

from analysis.errors import AnalysisError
from analysis.segment import ANALYSIS_KINDS
from analysis.tokenise import is_punctuation, stem, tokenise_text, type_flags, unit_codes
from analysis.tokenise import stopwords as stopword_list

__all__ = [
    "DocumentTermMatrix",
    "UnitTermCounts",
    "analysis_words",
    "concat",
    "count_documents",
    "for_tokens",
    "forget_counts",
    "with_flags",
    "from_tokens",
    "require_columns",
    "rows_then",
]

#: The form a term is counted by (the ``unit=`` option of every count): its normal form or its
#: Snowball stem.
TermForm = Literal["norm", "stem"]

#: The columns of a units table before the document's metadata.
UNIT_COLUMNS = ("seg_id", "doc_id", "position", "kind", "label", "start", "end", "n_words")
#: The columns of a terms table.
TERM_COLUMNS = (
    "term",
    "stem",
    "is_stop",
    "is_number",
    "is_function",
    "function_class",
    "function_subclass",
    "is_mwe",
    "n_words",
)
TOKEN_NEEDS = ("seg_id", "sentence", "position", "norm", "stem", "is_punct", "is_stop")
# Columns of a segment table that are not carried into the units table (the text is in the
# corpus; the rest describe how the segmenter read the unit).
_NOT_UNIT_COLUMNS = ("text", "text_sha", "n_chars", "rule", "flags", "layout", "anchor")


def require_columns(table: pd.DataFrame, needed: Iterable[str], name: str, what: str) -> None:
    """Raise :class:`AnalysisError` naming the columns of ``needed`` that ``table`` lacks."""
    missing = [c for c in needed if c not in table.columns]
    if missing:
        raise AnalysisError(f"{name} table lacks columns {missing}; {what}.")


@dataclass(frozen=True, eq=False)
class UnitTermCounts:
    """The counts one analysis needs, read off a :class:`DocumentTermMatrix`
    (:meth:`DocumentTermMatrix.unit_counts`): the units with words, one column per counted
    normal form or stem.

    Attributes
    ----------
    seg_ids
        The units with at least one word (object array), in reading order.
    running
        Running words of each unit (int64): the denominators of every rate.
    keys
        The counted values (``norm`` or ``stem``) of the columns, in order of first use.
    terms
        The label of each column: the norm, or for stems the most frequent word form.
    counts
        ``len(seg_ids) x len(keys)`` occurrences (csr, int64, indices sorted; stopwords left
        out unless asked for).
    first
        For each stored count (aligned with ``counts.data``), a number that orders the keys of
        a unit by their first use in it: the order in which a reader, or scikit-learn's
        ``CountVectorizer``, meets the unit's terms.
    """

    seg_ids: np.ndarray
    running: np.ndarray
    keys: np.ndarray
    terms: np.ndarray
    counts: sparse.csr_matrix
    first: np.ndarray

    def grouped(self, labels: pd.Series) -> tuple[np.ndarray, np.ndarray, sparse.csr_matrix]:
        """The rows of each group of ``labels`` (seg_id -> group; units without one are left
        out): the groups in order of first appearance, the row of each unit's group (-1 none),
        and the ``groups x units`` indicator matrix."""
        values = labels.reindex(self.seg_ids).to_numpy(dtype=object)
        valid = pd.notna(values)
        codes = np.full(len(values), -1, dtype=np.int64)
        group_codes, groups = pd.factorize(values[valid])
        codes[valid] = group_codes
        rows = np.flatnonzero(valid)
        indicator = sparse.csr_matrix(
            (np.ones(len(rows), dtype=np.int64), (group_codes, rows)),
            shape=(len(groups), len(values)),
        )
        return np.asarray(groups, dtype=object), codes, indicator


@dataclass(frozen=True, eq=False)
class DocumentTermMatrix:
    """Sparse ``units x terms`` counts of a corpus with their units and terms tables (see the
    module docstring).

    Attributes
    ----------
    counts : scipy.sparse.csr_matrix
        ``len(units) x len(terms)`` occurrences (int64; indices sorted).
    first : numpy.ndarray
        Aligned with ``counts.data``: the position of the term's first use among its unit's
        words (0 for the first word).
    units : pandas.DataFrame
        One row per matrix row, in reading order (``UNIT_COLUMNS`` and the document metadata).
    terms : pandas.DataFrame
        One row per column (``TERM_COLUMNS``), in order of first use in the corpus.
    mwe : bool or tuple of str
        Multiword expressions joined: the package's (True), none (False) or these.
    kinds : tuple of str
        The kinds of unit counted.
    """

    counts: sparse.csr_matrix
    first: np.ndarray
    units: pd.DataFrame
    term_table: pd.DataFrame
    mwe: bool | tuple[str, ...] = True
    kinds: tuple[str, ...] = ANALYSIS_KINDS
    _views: dict[tuple[Any, ...], UnitTermCounts] = field(
        default_factory=dict, repr=False, compare=False
    )

    @property
    def terms(self) -> pd.DataFrame:
        """The terms table (``TERM_COLUMNS``), one row per column in order of first use.

        The stems are worked out the first time they are asked for (Snowball stemming is the
        slowest part of a count of a large vocabulary, and most analyses count normal forms)."""
        table = self.term_table
        if "stem" not in table.columns and "is_stop" in table.columns:
            table = table.copy()
            table.insert(1, "stem", [stem(t) for t in table["term"].tolist()])
            object.__setattr__(self, "term_table", table)  # filled once; nothing else changes
        return table

    @property
    def shape(self) -> tuple[int, int]:
        """``(units, terms)``."""
        return (len(self.units), len(self.term_table))

    def __repr__(self) -> str:
        return (
            f"DocumentTermMatrix({len(self.units):,} units x {len(self.term_table):,} terms, "
            f"{int(self.counts.sum()):,} counted words, mwe={self.mwe!r}, "
            f"kinds={list(self.kinds)})"
        )

    def check_options(self, *, mwe: Any = None, kinds: Sequence[str] | None = None) -> None:
        """Raise :class:`AnalysisError` when an analysis asks for counts this matrix was not
        built with (``None``: whatever it was built with)."""
        if mwe is not None and bool(mwe) != bool(self.mwe):
            raise AnalysisError(
                f"this matrix was counted with mwe={self.mwe!r}, not mwe={mwe!r}; build one "
                f"with analysis.pipeline.build(..., mwe={mwe!r}) or pass the token table"
            )
        if kinds is not None and tuple(kinds) != tuple(self.kinds):
            raise AnalysisError(
                f"this matrix counts units of kinds {list(self.kinds)}, not {list(kinds)}; "
                f"build one with analysis.pipeline.build(..., kinds={list(kinds)})"
            )

    def unit_counts(self, unit: TermForm = "norm", *, stopwords: bool = False) -> UnitTermCounts:
        """The counts of the units with words, by normal form or stem, with or without
        stopwords (built once per matrix and options)."""
        if unit not in ("norm", "stem"):
            raise AnalysisError(f"unit must be 'norm' or 'stem', not {unit!r}")
        key = (unit, bool(stopwords))
        found = self._views.get(key)
        if found is None:
            found = self._views[key] = _unit_counts(self, unit, stopwords)
        return found

    def subset(self, seg_ids: Iterable[str]) -> DocumentTermMatrix:
        """The matrix of some units only (in this matrix's order), with the terms they use,
        numbered again by first use among them: the matrix these units alone would give."""
        wanted = set(seg_ids)
        rows = np.flatnonzero(self.units["seg_id"].isin(wanted).to_numpy())
        where = sparse.csr_matrix(
            (
                np.arange(1, self.counts.nnz + 1, dtype=np.int64),
                self.counts.indices,
                self.counts.indptr,
            ),
            shape=self.counts.shape,
        )[rows]
        picked = where.data - 1
        cols = where.indices.astype(np.int64)
        first = self.first[picked]
        row_of = np.repeat(np.arange(len(rows), dtype=np.int64), np.diff(where.indptr))
        used = pd.unique(cols[rows_then(row_of, first, len(rows))])  # by first use
        renumber = np.full(self.counts.shape[1], -1, dtype=np.int64)
        renumber[used] = np.arange(len(used))
        positions = sparse.csr_matrix(
            (np.arange(len(cols), dtype=np.int64), renumber[cols], where.indptr),
            shape=(len(rows), len(used)),
        )
        positions.has_sorted_indices = False
        positions.sort_indices()
        order = positions.data
        counts = sparse.csr_matrix(
            (self.counts.data[picked][order], positions.indices, positions.indptr),
            shape=positions.shape,
        )
        counts.has_sorted_indices = True
        return DocumentTermMatrix(
            counts,
            first[order],
            self.units.iloc[rows].reset_index(drop=True),
            self.term_table.iloc[used].reset_index(drop=True),
            self.mwe,
            self.kinds,
        )

    def to_frame(self) -> pd.DataFrame:
        """The matrix as a dense table (units x terms, labelled by seg_id and term); for small
        corpora only."""
        return pd.DataFrame(
            self.counts.toarray(),
            index=pd.Index(self.units["seg_id"], name="seg_id"),
            columns=pd.Index(self.term_table["term"], name="term"),
        )

    def to_tables(self) -> dict[str, pd.DataFrame]:
        """The matrix as three plain tables (for the table cache and for sending between
        processes): ``dtm_units``, ``dtm_terms`` and ``dtm_counts`` (``row``, ``col``, ``n``,
        ``first``, one row per stored count)."""
        # int32 where every value fits (half the bytes to send or store; read back as int64)
        small = (
            max(
                self.counts.shape[0],
                self.counts.shape[1],
                int(self.counts.data.max(initial=0)),
                int(self.first.max(initial=0)),
            )
            < 2**31
        )
        kind = np.int32 if small else np.int64
        rows = np.repeat(np.arange(self.counts.shape[0], dtype=kind), np.diff(self.counts.indptr))
        entries = pd.DataFrame(
            {
                "row": rows,
                "col": self.counts.indices.astype(kind),
                "n": self.counts.data.astype(kind),
                "first": self.first.astype(kind),
            }
        )
        # the terms as known: with stems once they have been asked for (a cached build keeps
        # them), without while nobody has (a share sent between processes)
        return {"dtm_units": self.units, "dtm_terms": self.term_table, "dtm_counts": entries}

    @classmethod
    def from_tables(
        cls, tables: dict[str, pd.DataFrame], *, mwe: bool | Iterable[str], kinds: Iterable[str]
    ) -> DocumentTermMatrix:
        """The matrix back from :meth:`to_tables`."""
        entries = tables["dtm_counts"]
        return cls.from_arrays(
            {name: entries[name].to_numpy() for name in entries.columns},
            tables["dtm_units"],
            tables["dtm_terms"],
            mwe=mwe,
            kinds=kinds,
        )

    @classmethod
    def from_arrays(
        cls,
        entries: dict[str, np.ndarray],
        units: pd.DataFrame,
        terms: pd.DataFrame,
        *,
        mwe: bool | Iterable[str],
        kinds: Iterable[str],
    ) -> DocumentTermMatrix:
        """The matrix from the columns of :meth:`to_tables`'s ``dtm_counts`` (``row``,
        ``col``, ``n``, ``first``) and its units and terms tables."""
        rows = np.asarray(entries["row"], dtype=np.int64)
        counts = sparse.csr_matrix(
            (
                np.asarray(entries["n"], dtype=np.int64),
                np.asarray(entries["col"]),
                np.searchsorted(rows, np.arange(len(units) + 1)),
            ),
            shape=(len(units), len(terms)),
        )
        counts.has_sorted_indices = True
        return cls(
            counts,
            np.asarray(entries["first"], dtype=np.int64),
            units.reset_index(drop=True),
            terms.reset_index(drop=True),
            _mwe_option(mwe),
            tuple(kinds),
        )


def _position_type(n: int) -> type[np.signedinteger[Any]]:
    """The smallest integer type that numbers ``n`` entries (half the memory for most
    corpora)."""
    return np.int32 if n < 2**31 - 1 else np.int64


def _mwe_option(mwe: bool | Iterable[str]) -> bool | tuple[str, ...]:
    return mwe if isinstance(mwe, bool) else tuple(mwe)


def _unit_counts(dtm: DocumentTermMatrix, unit: TermForm, stopwords: bool) -> UnitTermCounts:
    """Project the matrix onto the counted columns (and stems) and the units with words."""
    running = dtm.units["n_words"].to_numpy(np.int64)
    with_words = np.flatnonzero(running > 0)
    if unit == "norm":
        return _norm_counts(dtm, running, with_words, stopwords)
    # stems: the columns of each stem summed, each stem labelled by its most frequent form
    counts = dtm.counts[with_words]
    first = _row_slices(dtm.counts, dtm.first, with_words)
    keep = np.ones(len(dtm.term_table), dtype=bool)
    if not stopwords:
        keep = ~dtm.term_table["is_stop"].to_numpy(dtype=bool)
    columns = np.flatnonzero(keep)
    norms = dtm.terms["term"].to_numpy(dtype=object)
    coo = counts.tocoo()
    kept = keep[coo.col]
    rows, cols, n, first = coo.row[kept], coo.col[kept], coo.data[kept], first[kept]
    key_codes, keys = pd.factorize(dtm.terms["stem"].to_numpy(dtype=object)[columns])
    column_key = np.full(len(dtm.terms), -1, dtype=np.int64)
    column_key[columns] = key_codes
    # each stem labelled by its most frequent word form (ties: alphabetical)
    totals = np.bincount(cols, weights=n, minlength=len(dtm.terms))[columns]
    forms = pd.DataFrame({"key": key_codes, "form": norms[columns], "f": totals})
    forms = forms[forms["f"] > 0].sort_values(["key", "f", "form"], ascending=[True, False, True])
    label = forms.drop_duplicates("key").set_index("key")["form"]
    terms = label.reindex(np.arange(len(keys))).to_numpy(dtype=object)
    cols = column_key[cols]
    keys = np.asarray(keys, dtype=object)
    # keys in order of first use among the counted words (rows in reading order, a row's keys
    # by first use): the order a single pass over the words would meet them
    order = np.lexsort((first, rows))
    met = pd.unique(cols[order])
    renumber = np.full(max(len(keys), 1), -1, dtype=np.int64)
    renumber[met] = np.arange(len(met))
    # (keys never used, e.g. a stem whose words all sit in units without words, are dropped)
    keys, terms = keys[met], np.asarray(terms, dtype=object)[met]
    cols = renumber[cols]
    pair = rows.astype(np.int64) * max(len(keys), 1) + cols
    order = np.argsort(pair, kind="stable")
    pair, n, first = pair[order], n[order], first[order]
    starts = np.flatnonzero(np.r_[True, pair[1:] != pair[:-1]]) if len(pair) else pair
    summed = np.add.reduceat(n, starts) if len(pair) else n
    first = np.minimum.reduceat(first, starts) if len(pair) else first
    pairs = pair[starts]
    n_keys = max(len(keys), 1)
    out = sparse.csr_matrix(
        (
            summed.astype(np.int64),
            pairs % n_keys,
            np.searchsorted(pairs // n_keys, np.arange(len(with_words) + 1)),
        ),
        shape=(len(with_words), len(keys)),
    )
    out.has_sorted_indices = True
    return UnitTermCounts(
        dtm.units["seg_id"].to_numpy(dtype=object)[with_words],
        running[with_words],
        keys,
        terms,
        out,
        first.astype(np.int64),
    )


def _norm_counts(
    dtm: DocumentTermMatrix, running: np.ndarray, with_words: np.ndarray, stopwords: bool
) -> UnitTermCounts:
    """The normal-form counts: a selection of rows and columns, in the matrix's own order
    (its columns are numbered by first use, so the kept ones stay in order of first use)."""
    columns = (
        np.arange(len(dtm.term_table))
        if stopwords
        else np.flatnonzero(~dtm.term_table["is_stop"].to_numpy(dtype=bool))
    )
    # select with a matrix of positions, so that ``first`` follows the selected counts
    where = sparse.csr_matrix(
        (
            np.arange(1, dtm.counts.nnz + 1, dtype=_position_type(dtm.counts.nnz + 1)),
            dtm.counts.indices,
            dtm.counts.indptr,
        ),
        shape=dtm.counts.shape,
    )
    if len(with_words) < dtm.counts.shape[0]:
        where = where[with_words]
    if len(columns) < dtm.counts.shape[1]:
        where = where[:, columns]
    where.sort_indices()
    picked = where.data - 1
    counts = sparse.csr_matrix(
        (dtm.counts.data[picked].astype(np.int64), where.indices, where.indptr), shape=where.shape
    )
    counts.has_sorted_indices = True
    keys = dtm.term_table["term"].to_numpy(dtype=object)[columns]
    return UnitTermCounts(
        dtm.units["seg_id"].to_numpy(dtype=object)[with_words],
        running[with_words],
        keys,
        keys,
        counts,
        dtm.first[picked].astype(np.int64),
    )


def rows_then(row: np.ndarray, key: np.ndarray, n_rows: int) -> np.ndarray:
    """The order that sorts entries by row, then by ``key`` (distinct within a row): when the
    rows are in order already, each row's keys are sorted by scipy in C, which is much faster
    than a two-key lexsort of millions of entries."""
    if not len(row) or (np.diff(row) < 0).any():
        return np.lexsort((key, row))
    where = sparse.csr_matrix(
        (
            np.arange(len(row), dtype=_position_type(len(row))),
            key,
            np.searchsorted(row, np.arange(n_rows + 1)),
        ),
        shape=(n_rows, int(key.max()) + 1),
    )
    where.has_sorted_indices = False
    where.sort_indices()
    return where.data


def _row_slices(matrix: sparse.csr_matrix, aligned: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """The entries of ``aligned`` (one per stored value of ``matrix``) of the given rows, in the
    order ``matrix[rows]`` stores them."""
    starts, ends = matrix.indptr[rows], matrix.indptr[rows + 1]
    lengths = ends - starts
    if not lengths.sum():
        return np.zeros(0, dtype=aligned.dtype)
    offsets = np.repeat(starts - np.r_[0, np.cumsum(lengths)[:-1]], lengths)
    return aligned[np.arange(lengths.sum()) + offsets]


def analysis_words(
    tokens: pd.DataFrame,
    segments: pd.DataFrame,
    *,
    mwe: bool | None = True,
    kinds: Sequence[str] | None = ANALYSIS_KINDS,
) -> pd.DataFrame:
    """Return the word tokens that analyses count, in reading order.

    Punctuation is removed; tokens of segments whose kind is not in ``kinds`` are removed. With
    ``mwe=False`` a multiword token ("human trafficking") is split back into its words, each
    flagged as a stopword by the package list (:func:`analysis.tokenise.stopwords`).

    Parameters
    ----------
    tokens : pandas.DataFrame
        Token table (``seg_id``, ``sentence``, ``position``, ``norm``, ``stem``, ``is_punct``,
        ``is_stop``; ``is_mwe`` if present).
    segments : pandas.DataFrame
        Segment table (``seg_id``, ``kind``).
    mwe : bool, default True
        Keep multiword expressions joined (as tokenised) or split them into words (None: True).
    kinds : sequence of str, default ``ANALYSIS_KINDS``
        Segment kinds to analyse (None: the default).

    Returns
    -------
    pandas.DataFrame
        ``seg_id`` (str), ``sentence`` (int64), ``position`` (int64), ``part`` (int64, word index
        inside a split expression, else 0), ``norm`` (str), ``stem`` (str), ``is_stop`` (bool),
        ``n_words`` (int64, words the token stands for), plus ``token``/``start``/``end``/
        ``doc_id`` when the token table has them.
    """
    require_columns(tokens, TOKEN_NEEDS, "tokens", "build it with tokenise()")
    require_columns(segments, ["seg_id", "kind"], "segments", "build it with segment_corpus()")
    mwe = True if mwe is None else mwe
    kinds = ANALYSIS_KINDS if kinds is None else kinds
    keep_seg = set(segments.loc[segments["kind"].isin(list(kinds)), "seg_id"])
    words = tokens[~tokens["is_punct"].astype(bool) & tokens["seg_id"].isin(keep_seg)]
    extra = [c for c in ("doc_id", "token", "start", "end") if c in words.columns]
    cols = ["seg_id", "sentence", "position", "norm", "stem", "is_stop", *extra]
    words = words[cols].copy()
    words["is_stop"] = words["is_stop"].astype(bool)
    # Words a token stands for: 1 + its spaces, counted once per distinct norm (a hash
    # factorisation in C, then a loop over the vocabulary rather than over every token).
    codes, vocabulary = pd.factorize(words["norm"].to_numpy(dtype=object))
    per_type = np.fromiter(
        (str(w).count(" ") + 1 for w in vocabulary), dtype=np.int64, count=len(vocabulary)
    )
    n_words = pd.Series(
        per_type[codes] if len(codes) else np.zeros(0, dtype=np.int64), index=words.index
    )
    words["n_words"] = n_words
    words.insert(3, "part", np.zeros(len(words), dtype="int64"))
    if not mwe and (n_words > 1).any():
        multi = words[n_words > 1].copy()
        multi["norm"] = multi["norm"].str.split(" ")
        multi["stem"] = multi["stem"].str.split(" ")
        multi = multi.explode(["norm", "stem"])
        multi["part"] = multi.groupby(level=0).cumcount().astype("int64")
        multi["is_stop"] = multi["norm"].isin(stopword_list())
        multi["n_words"] = 1
        words = pd.concat([words[n_words == 1], multi])
        order = np.lexsort((words["part"].to_numpy(), words.index.to_numpy()))
        words = words.iloc[order]
    return words.reset_index(drop=True)


def _units_table(segments: pd.DataFrame, kinds: Sequence[str]) -> pd.DataFrame:
    """The analysed units of a segment table, in its order, without the text."""
    analysed = segments[segments["kind"].isin(list(kinds))]
    keep = [c for c in analysed.columns if c not in _NOT_UNIT_COLUMNS]
    return analysed[keep].reset_index(drop=True)


def _with_running_words(units: pd.DataFrame, running: np.ndarray) -> pd.DataFrame:
    units = units.copy()
    at = units.columns.get_loc("end") + 1 if "end" in units.columns else len(units.columns)
    units.insert(at, "n_words", running.astype(np.int64))
    return units


def _words_in(terms: Sequence[str] | np.ndarray) -> np.ndarray:
    """The words each term joins (1 + its spaces)."""
    return np.fromiter((str(t).count(" ") + 1 for t in terms), dtype=np.int64, count=len(terms))


def _terms_table(
    norms: Sequence[str], stems: Sequence[str] | None = None, *, stemmed: bool = True
) -> pd.DataFrame:
    """The terms table of these normal forms; ``stemmed=False`` leaves the stems to
    :attr:`DocumentTermMatrix.terms` (worked out when first asked for)."""
    index = pd.Index(list(norms), dtype=object)
    if stemmed:
        flags = type_flags(index, stems=None if stems is None else list(stems))
    else:
        flags = type_flags(index, stems=[""] * len(index)).drop(columns="stem")
    flags.insert(0, "term", index.to_numpy(dtype=object))
    flags["n_words"] = _words_in(index)
    flags["is_mwe"] = flags["n_words"] > 1
    return flags[[c for c in TERM_COLUMNS if c in flags.columns]]


def with_flags(matrix: DocumentTermMatrix) -> DocumentTermMatrix:
    """The matrix with its terms table's flags filled in (see ``flags`` of
    :func:`count_documents`; the stems follow when first asked for)."""
    if "is_stop" in matrix.term_table.columns:
        return matrix
    return DocumentTermMatrix(
        matrix.counts,
        matrix.first,
        matrix.units,
        _terms_table(matrix.term_table["term"].tolist(), stemmed=False),
        matrix.mwe,
        matrix.kinds,
    )


def _matrix(
    rows: np.ndarray, codes: np.ndarray, n_rows: int, n_cols: int
) -> tuple[sparse.csr_matrix, np.ndarray]:
    """Counts of (row, code) pairs, each row's entries sorted by code, and the position of the
    first of each pair in its row (the input is in reading order: rows ascending, each row's
    words in order)."""
    width = max(n_cols, 1)
    pair = rows.astype(np.int64) * width + codes.astype(np.int64)
    pairs, first, n = np.unique(pair, return_index=True, return_counts=True)
    # the index of the row's first word, subtracted: a position within the unit, the same
    # however the corpus was cut into shares
    first = first - np.searchsorted(rows, pairs // width, side="left")
    matrix = sparse.csr_matrix(
        (n.astype(np.int64), pairs % width, np.searchsorted(pairs // width, np.arange(n_rows + 1))),
        shape=(n_rows, n_cols),
    )
    matrix.has_sorted_indices = True
    return matrix, first.astype(np.int64)


def from_tokens(
    tokens: pd.DataFrame,
    segments: pd.DataFrame,
    *,
    mwe: bool = True,
    kinds: Sequence[str] = ANALYSIS_KINDS,
) -> DocumentTermMatrix:
    """Count a token table (:func:`analysis.tokenise.tokenise`) into a matrix.

    ``mwe=False`` splits the table's multiword tokens into their words (as
    :func:`analysis_words` does), so a table tokenised with expressions can be counted without.
    The units are the analysed rows of ``segments``, in its order.
    """
    kinds = tuple(kinds)
    words = analysis_words(tokens, segments, mwe=mwe, kinds=kinds)
    units = _units_table(segments, kinds)
    row = pd.Index(units["seg_id"].to_numpy(dtype=object)).get_indexer(
        words["seg_id"].to_numpy(dtype=object)
    )
    codes, norms = pd.factorize(words["norm"].to_numpy(dtype=object))
    stems = (
        words["stem"].to_numpy(dtype=object)[np.unique(codes, return_index=True)[1]]
        if len(codes)
        else []
    )
    counts, first = _matrix(row, codes, len(units), len(norms))
    running = np.bincount(row, weights=words["n_words"].to_numpy(np.float64), minlength=len(units))
    return DocumentTermMatrix(
        counts,
        first,
        _with_running_words(units, running),
        _terms_table(list(norms), list(stems)),
        _mwe_option(mwe),
        kinds,
    )


def count_documents(
    corpus: pd.DataFrame,
    segments: pd.DataFrame,
    *,
    mwe: bool | Iterable[str] = True,
    kinds: Sequence[str] = ANALYSIS_KINDS,
    flags: bool = True,
) -> DocumentTermMatrix:
    """Count the analysed units of some documents straight from their raw texts.

    The map step of a build (:func:`analysis.pipeline.build`): each document's units are
    tokenised without sentence splitting and without a token table (multiword expressions and
    n-grams never cross punctuation, so counting needs no sentence boundaries), and their words
    counted. Gives the matrix :func:`from_tokens` gives for the same units.

    Parameters
    ----------
    corpus
        The documents (``doc_id``, ``text`` and their metadata).
    segments
        Their units (:func:`analysis.segment.segment_corpus`).
    flags
        Fill the terms table's flags (False: only ``term``; :func:`with_flags` fills them
        later, once for many counts put together with :func:`concat`). The stems are worked
        out when :attr:`DocumentTermMatrix.terms` is first read.
    """
    kinds = tuple(kinds)
    mwe_arg = _mwe_option(mwe)
    units = _units_table(segments, kinds)
    raw_by_doc = dict(zip(corpus["doc_id"], corpus["text"], strict=True))
    rows: list[np.ndarray] = []
    codes: list[np.ndarray] = []
    joined: list[np.ndarray] = []
    types: list[str] = []
    base = 0
    doc_ids = units["doc_id"].to_numpy(dtype=object)
    bounds: Sequence[int] = (
        np.flatnonzero(np.r_[True, doc_ids[1:] != doc_ids[:-1], True]).tolist()
        if len(units)
        else []
    )
    starts, ends = units["start"].to_numpy(np.int64), units["end"].to_numpy(np.int64)
    seg_ids = units["seg_id"].to_numpy(dtype=object)
    for a, b in zip(bounds[:-1], bounds[1:], strict=False):
        doc_id = doc_ids[a]
        if doc_id not in raw_by_doc:
            raise AnalysisError(f"segments name document {doc_id!r}, which is not in the corpus")
        spans = list(zip(seg_ids[a:b], starts[a:b].tolist(), ends[a:b].tolist(), strict=True))
        found = unit_codes(raw_by_doc[doc_id], spans, mwe=mwe_arg)
        if found is None:  # a unit edge inside a token: decided by offsets
            cols = tokenise_text(
                raw_by_doc[doc_id], spans, mwe=mwe_arg, with_sentences=False, with_tokens=False
            )
            found = (
                np.asarray(cols["seg_index"]),
                np.asarray(cols["norm_code"]),
                list(cols["norm_types"]),
                np.asarray(cols["is_mwe"]),
            )
        seg, code, norm_types, is_mwe_doc = found
        rows.append(np.asarray(seg, dtype=np.int64) + a)
        codes.append(np.asarray(code, dtype=np.int64) + base)
        joined.append(np.asarray(is_mwe_doc, dtype=bool))
        types.extend(norm_types)
        base = len(types)
    all_rows = np.concatenate(rows) if rows else np.zeros(0, np.int64)
    type_codes, norms = pd.factorize(np.asarray(types, dtype=object))
    token_codes = type_codes[np.concatenate(codes)] if codes else np.zeros(0, np.int64)
    # punctuation is not a word: dropped here, before the columns are numbered
    punct = is_punctuation(list(norms))
    words = ~punct[token_codes] if len(token_codes) else np.zeros(0, dtype=bool)
    word_rows, word_codes = all_rows[words], token_codes[words]
    is_mwe = np.concatenate(joined)[words] if joined else np.zeros(0, dtype=bool)
    # columns numbered in order of first use among the words
    column, used = pd.factorize(word_codes)
    names = np.asarray(norms, dtype=object)[np.asarray(used, dtype=np.int64)]
    terms = _terms_table(names.tolist(), stemmed=False) if flags else pd.DataFrame({"term": names})
    counts, first = _matrix(word_rows, column, len(units), len(terms))
    # running words: one per word token, and for a joined expression the words it joins
    running = np.bincount(word_rows, minlength=len(units)).astype(np.float64)
    if is_mwe.any():
        extra = _words_in(names[column[is_mwe]]) - 1
        running += np.bincount(
            word_rows[is_mwe], weights=extra.astype(np.float64), minlength=len(units)
        )
    return DocumentTermMatrix(
        counts, first, _with_running_words(units, running), terms, mwe_arg, kinds
    )


def concat(parts: Sequence[DocumentTermMatrix]) -> DocumentTermMatrix:
    """Stack the matrices of consecutive shares of a corpus (counted with the same options)
    into one, as one count of the whole would give it: rows follow on, the vocabularies are
    merged in order of first use."""
    if not parts:
        raise AnalysisError("nothing to put together: no shares were counted")
    if len(parts) == 1:
        return parts[0]
    mwe, kinds = parts[0].mwe, parts[0].kinds
    if any(p.mwe != mwe or p.kinds != kinds for p in parts):
        raise AnalysisError("shares counted with different options cannot be put together")
    all_terms = pd.concat([p.term_table for p in parts], ignore_index=True)
    term_ids, vocabulary = pd.factorize(all_terms["term"].to_numpy(dtype=object))
    terms = all_terms.iloc[np.unique(term_ids, return_index=True)[1]].reset_index(drop=True)
    term_base = np.cumsum([0] + [len(p.term_table) for p in parts])
    nnz_base = np.cumsum([0] + [p.counts.nnz for p in parts])
    row_base = np.cumsum([0] + [len(p.units) for p in parts])
    indptr = np.concatenate(
        [np.zeros(1, np.int64)]
        + [p.counts.indptr[1:].astype(np.int64) + nnz_base[i] for i, p in enumerate(parts)]
    )
    indices = np.concatenate(
        [term_ids[p.counts.indices.astype(np.int64) + term_base[i]] for i, p in enumerate(parts)]
    )
    n_rows = int(row_base[-1])
    # each row's entries re-sorted by their merged column number (scipy sorts within rows in
    # C); the order they end in, read off a matrix of positions, carries ``first`` along
    where = sparse.csr_matrix(
        (np.arange(len(indices), dtype=_position_type(len(indices))), indices, indptr),
        shape=(n_rows, len(vocabulary)),
    )
    del indices
    where.has_sorted_indices = False
    where.sort_indices()
    order = where.data
    data = np.concatenate([p.counts.data for p in parts])[order]
    firsts = np.concatenate([p.first for p in parts])[order]
    counts = sparse.csr_matrix(
        (data.astype(np.int64), where.indices, where.indptr), shape=(n_rows, len(vocabulary))
    )
    counts.has_sorted_indices = True
    units = pd.concat(
        [p.units for p in parts if len(p.units)] or [parts[0].units], ignore_index=True
    )
    return DocumentTermMatrix(counts, firsts, units, terms, mwe, kinds)


# Matrices already built in this process from token tables: every notebook cell and every
# comparison of a report counts the same token table, so it is counted once. An entry is found
# only for the very same token table object (held weakly, so a table that is dropped frees its
# matrix) with the same analysed units and options.
_FROM_TOKENS: dict[tuple[Any, ...], tuple[Any, DocumentTermMatrix]] = {}
_FROM_TOKENS_KEEP = 8


def for_tokens(
    tokens: pd.DataFrame,
    segments: pd.DataFrame,
    *,
    mwe: bool = True,
    kinds: Sequence[str] = ANALYSIS_KINDS,
) -> DocumentTermMatrix:
    """:func:`from_tokens`, once per token table object and options in this process.

    The token table is treated as the immutable output of :func:`analysis.tokenise.tokenise`: a
    table changed in place after it was counted must be copied before it is counted again.
    """
    require_columns(tokens, TOKEN_NEEDS, "tokens", "build it with tokenise()")
    require_columns(segments, ["seg_id", "kind"], "segments", "build it with segment_corpus()")
    analysed = segments.loc[segments["kind"].isin(list(kinds)), "seg_id"].to_numpy(dtype=object)
    fingerprint = int(pd.util.hash_array(analysed).sum(dtype=np.uint64)) if len(analysed) else 0
    key = (id(tokens), len(tokens), len(analysed), fingerprint, bool(mwe), tuple(kinds))
    found = _FROM_TOKENS.get(key)
    if found is not None and found[0]() is tokens:
        return found[1]
    dtm = from_tokens(tokens, segments, mwe=mwe, kinds=kinds)
    if len(_FROM_TOKENS) >= _FROM_TOKENS_KEEP:
        _FROM_TOKENS.pop(next(iter(_FROM_TOKENS)))
    _FROM_TOKENS[key] = (weakref.ref(tokens), dtm)
    return dtm


def forget_counts() -> None:
    """Drop the matrices :func:`for_tokens` keeps for this process (to measure or test a count
    from scratch)."""
    _FROM_TOKENS.clear()
