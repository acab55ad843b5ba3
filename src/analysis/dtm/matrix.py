"""The document-term matrix itself (:class:`DocumentTermMatrix`): sparse unit x term counts with
their units and terms tables, the options they were counted with, and the views every analysis
reads (:meth:`DocumentTermMatrix.unit_counts`, by normal form or stem, with or without
stopwords)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, cast

import numpy as np
import pandas as pd
from scipy import sparse

from analysis.errors import AnalysisError
from analysis.segment import ANALYSIS_KINDS
from analysis.tokenise import stem

#: The form a term is counted by (the ``unit=`` option of every count): its normal form or its
#: Snowball stem.
TermForm = Literal["norm", "stem"]

TOKEN_NEEDS = ("seg_id", "sentence", "position", "norm", "stem", "is_punct", "is_stop")


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
        words (0 for the first word); int32 (int64 only for a unit of 2**31 words or more).
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
            as_positions(np.asarray(entries["first"])),
            units.reset_index(drop=True),
            terms.reset_index(drop=True),
            mwe_option(mwe),
            tuple(kinds),
        )


def position_type(n: int) -> type[np.signedinteger[Any]]:
    """The smallest integer type that numbers ``n`` entries (half the memory for most
    corpora)."""
    return np.int32 if n < 2**31 - 1 else np.int64


def as_positions(first: np.ndarray) -> np.ndarray:
    """Positions of first use as the matrix keeps them: int32, or int64 when one is too large
    (a unit of 2**31 words or more)."""
    first = np.asarray(first)
    return first.astype(position_type(int(first.max(initial=0)) + 1), copy=False)


def mwe_option(mwe: bool | Iterable[str]) -> bool | tuple[str, ...]:
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
        first,
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
    # the kept entries picked by one mask (no matrix of positions, no fancy-indexed copies): the
    # kept columns keep their order, so each row's entries stay sorted
    source = dtm.counts
    n_rows, n_cols = source.shape
    keep = None
    if len(columns) < n_cols:
        keep_column = np.zeros(n_cols, dtype=bool)
        keep_column[columns] = True
        keep = keep_column[source.indices]
    if len(with_words) < n_rows:
        has_words = np.zeros(n_rows, dtype=bool)
        has_words[with_words] = True
        in_row = np.repeat(has_words, np.diff(source.indptr))
        keep = in_row if keep is None else keep & in_row
        del in_row
    if keep is None:  # every entry kept: the matrix's own arrays, read-only, not copies
        data, indices, indptr, first = (
            _read_only(a) for a in (source.data, source.indices, source.indptr, dtm.first)
        )
    else:
        kept_before = np.concatenate(([0], np.cumsum(keep, dtype=np.int64)))
        # each kept row starts where its first kept entry is; the last ends at the total
        indptr = kept_before[source.indptr[np.r_[with_words, n_rows]]]
        del kept_before
        renumber = np.full(n_cols, -1, dtype=np.int32)
        renumber[columns] = np.arange(len(columns), dtype=np.int32)
        data, first = source.data[keep], dtm.first[keep]
        indices = renumber[source.indices[keep]]
        del keep
    counts = sparse.csr_matrix(
        (data.astype(np.int64, copy=False), indices, indptr),
        shape=(len(with_words), len(columns)),
    )
    counts.has_sorted_indices = True
    keys = dtm.term_table["term"].to_numpy(dtype=object)[columns]
    return UnitTermCounts(
        dtm.units["seg_id"].to_numpy(dtype=object)[with_words],
        running[with_words],
        keys,
        keys,
        counts,
        first,
    )


def _read_only(array: np.ndarray) -> np.ndarray:
    """A view of ``array`` that cannot be written through (the array itself stays writable)."""
    view = array.view()
    view.flags.writeable = False
    return view


def rows_then(row: np.ndarray, key: np.ndarray, n_rows: int) -> np.ndarray:
    """The order that sorts entries by row, then by ``key`` (distinct within a row): when the
    rows are in order already, each row's keys are sorted by scipy in C, which is much faster
    than a two-key lexsort of millions of entries."""
    if not len(row) or (np.diff(row) < 0).any():
        return np.lexsort((key, row))
    where = sparse.csr_matrix(
        (
            np.arange(len(row), dtype=position_type(len(row))),
            np.array(key, copy=True),  # sorted in place below: never the caller's array
            np.searchsorted(row, np.arange(n_rows + 1)),
        ),
        shape=(n_rows, int(key.max()) + 1),
    )
    where.has_sorted_indices = False
    where.sort_indices()
    return cast(np.ndarray, where.data)


def _row_slices(matrix: sparse.csr_matrix, aligned: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """The entries of ``aligned`` (one per stored value of ``matrix``) of the given rows, in the
    order ``matrix[rows]`` stores them."""
    starts, ends = matrix.indptr[rows], matrix.indptr[rows + 1]
    lengths = ends - starts
    if not lengths.sum():
        return np.zeros(0, dtype=aligned.dtype)
    offsets = np.repeat(starts - np.r_[0, np.cumsum(lengths)[:-1]], lengths)
    return cast(np.ndarray, aligned[np.arange(lengths.sum()) + offsets])
