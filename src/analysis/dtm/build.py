"""Document-term matrices built: from raw texts a few documents at a time
(:func:`count_documents`, the map step of a build), from a token table (:func:`from_tokens`,
remembered per table by :func:`for_tokens`), shares put together (:func:`concat`), and the
terms table's flags filled in (:func:`with_flags`)."""

from __future__ import annotations

import weakref
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse

from analysis.clean import code_points
from analysis.dtm.matrix import (
    TOKEN_NEEDS,
    DocumentTermMatrix,
    as_positions,
    mwe_option,
    position_type,
    require_columns,
)
from analysis.errors import AnalysisError
from analysis.schema import TERM_COLUMNS
from analysis.segment import ANALYSIS_KINDS
from analysis.tokenise import is_punctuation, scan_units, tokenise_text, type_flags, unit_texts
from analysis.tokenise import stopwords as stopword_list

# Columns of a segment table that are not carried into the units table (the text is in the
# corpus; the rest describe how the segmenter read the unit).
_NOT_UNIT_COLUMNS = ("text", "text_sha", "n_chars", "rule", "flags", "layout", "anchor")


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
    """The words each term joins (1 + its spaces), counted on the code points of all of them
    at once."""
    if not len(terms):
        return np.zeros(0, dtype=np.int64)
    codes = code_points("\n".join(map(str, terms)))
    breaks = np.flatnonzero(codes == 10)
    if len(breaks) != len(terms) - 1:  # a term holding a line break itself
        return np.fromiter((str(t).count(" ") + 1 for t in terms), np.int64, len(terms))
    spaces = np.concatenate(([0], np.cumsum(codes == 32)))
    ends = np.append(breaks, len(codes))
    starts = np.concatenate(([0], breaks + 1))
    words: np.ndarray = (spaces[ends] - spaces[starts] + 1).astype(np.int64)
    return words


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
    return matrix, as_positions(first)


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
        mwe_option(mwe),
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
    mwe_arg = mwe_option(mwe)
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

    def add(found: tuple[Any, Any, list[str], Any], first_row: int) -> None:
        nonlocal base
        seg, code, norm_types, is_mwe_doc = found
        rows.append(np.asarray(seg, dtype=np.int64) + first_row)
        codes.append(np.asarray(code, dtype=np.int64) + base)
        joined.append(np.asarray(is_mwe_doc, dtype=bool))
        types.extend(norm_types)
        base = len(types)

    # documents whose units all start and end at white space are scanned together, a run of
    # them at a time (their chunks factorised at once); a document with a unit edge inside a
    # token is tokenised by offsets on its own
    run: list[str] = []
    run_start = 0
    for a, b in zip(bounds[:-1], bounds[1:], strict=False):
        doc_id = doc_ids[a]
        if doc_id not in raw_by_doc:
            raise AnalysisError(f"segments name document {doc_id!r}, which is not in the corpus")
        spans = list(zip(seg_ids[a:b], starts[a:b].tolist(), ends[a:b].tolist(), strict=True))
        texts = unit_texts(raw_by_doc[doc_id], spans)
        if texts is not None:
            if not run:
                run_start = a
            run += texts
            continue
        if run:
            add(scan_units(run, mwe=mwe_arg), run_start)
            run = []
        cols = tokenise_text(
            raw_by_doc[doc_id], spans, mwe=mwe_arg, with_sentences=False, with_tokens=False
        )
        add((cols["seg_index"], cols["norm_code"], list(cols["norm_types"]), cols["is_mwe"]), a)
    if run:
        add(scan_units(run, mwe=mwe_arg), run_start)
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
    n_rows = sum(len(p.units) for p in parts)
    nnz = sum(p.counts.nnz for p in parts)
    index_type = position_type(max(nnz, len(vocabulary)))
    # the merged arrays made once and each share written into its stretch of them (fresh
    # large arrays are costly to map; concatenating pieces would make each twice)
    data = np.empty(nnz, np.int64)
    columns = np.empty(nnz, index_type)
    firsts = np.empty(nnz, np.result_type(*(p.first.dtype for p in parts)))
    pointers = np.zeros(n_rows + 1, index_type)
    term_base = row = at = 0
    for p in parts:
        numbers = term_ids[term_base : term_base + len(p.term_table)].astype(index_type)
        term_base += len(p.term_table)
        local, stretch = p.counts, slice(at, at + p.counts.nnz)
        if local.has_sorted_indices and (numbers == np.arange(len(numbers))).all():
            # the share's columns keep their numbers (always so for the first share)
            columns[stretch], data[stretch], firsts[stretch] = local.indices, local.data, p.first
        else:
            # renumbered out of order: each row's entries re-sorted by their new column (scipy
            # sorts within rows in C); the order they end in carries counts and ``first`` along
            where = sparse.csr_matrix(
                (np.arange(local.nnz, dtype=index_type), numbers[local.indices], local.indptr),
                shape=(len(p.units), len(vocabulary)),
            )
            where.has_sorted_indices = False
            where.sort_indices()
            columns[stretch] = where.indices
            # (mode "clip": the positions are in range, and "raise" would buffer the output)
            np.take(local.data, where.data, out=data[stretch], mode="clip")
            np.take(p.first, where.data, out=firsts[stretch], mode="clip")
            del where
        pointers[row + 1 : row + 1 + len(p.units)] = local.indptr[1:]
        pointers[row + 1 : row + 1 + len(p.units)] += at
        row += len(p.units)
        at += local.nnz
    counts = sparse.csr_matrix((data, columns, pointers), shape=(n_rows, len(vocabulary)))
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
