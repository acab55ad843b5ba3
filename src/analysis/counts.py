"""Frequency tables, n-grams, function-word profiles and document-term matrices by any grouping.

Every table here is computed from the token table of :func:`analysis.tokenise.tokenise` and the
segment table of :func:`analysis.segment.segment_corpus`; ``by`` may be any segment column
(``doc_id``, ``seg_id``, ``actor_type``, ``genre``, ``organisation`` ...).

The denominator of every ``per_1k`` rate is the group's **running words**: the tokens of the
analysed segments (``kinds``) that are not punctuation, *stopwords included* (even when the table
leaves them out) and with a multiword expression counted as the number of words it joins. The
denominator therefore does not change with ``unit``, ``mwe`` or ``stopwords``, and a rate means
"occurrences per 1,000 words of running text of that group". It is reported as ``total_tokens``.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

import numpy as np
import pandas as pd
from scipy import sparse

from analysis import stats
from analysis.dtm import (
    DocumentTermMatrix,
    UnitTermCounts,
    analysis_words,
    for_tokens,
    require_columns,
)
from analysis.errors import AnalysisError
from analysis.segment import ANALYSIS_KINDS

__all__ = [
    "SPREAD_RULE",
    "adjust_checks",
    "STANCE_SUBCLASSES",
    "document_keyness",
    "document_permutation",
    "is_letter_or_number",
    "key_candidates",
    "term_range",
    "DocumentTermMatrix",
    "GroupTermMatrix",
    "UnitTermCounts",
    "analysis_words",
    "takes_matrix",
    "unit_term_counts",
    "document_term_matrix",
    "function_word_profile",
    "function_word_rates",
    "group_keyness",
    "group_totals",
    "key_term_tally",
    "ngram_counts",
    "permutation_keyness",
    "term_counts",
    "term_dispersion",
    "top_key_terms",
]

Unit = Literal["norm", "stem"]
_F = TypeVar("_F", bound=Callable[..., Any])
Comparison = Literal["one_vs_rest", "pairwise"]


#: Function-word subclasses that mark stance: who speaks as "we" (``first_plural``), who makes
#: demands (``obligation``: must, should, ought) and who makes pledges (``commitment``: will,
#: shall).
STANCE_SUBCLASSES: tuple[str, ...] = ("first_plural", "obligation", "commitment")
# Columns of a keyness table that a key-term table keeps, and the trace columns kept if present.
_KEY_COLUMNS = ("n_target", "n_reference", "log_ratio", "g2", "p", "bic", "too_small")
_TRACE_COLUMNS = ("seg_ids_target", "seg_ids_reference")
_CHECK_COLUMNS = ("p_perm", "ci_low", "ci_high")
#: When a key term counts as a finding of its group (docs/measures.md, "Keyness"), in words.
SPREAD_RULE = (
    "a term counts as a finding of its group only when the group uses it in more than one "
    "paragraph and, where the group has two or more documents, in at least two of them"
)


def _segment_labels(segments: pd.DataFrame, by: str) -> pd.Series:
    """Map seg_id -> group value of ``by`` (checking the column exists and seg_id is a key)."""
    require_columns(segments, ["seg_id", "kind"], "segments", "build it with segment_corpus()")
    if by not in segments.columns:
        raise AnalysisError(
            f"by={by!r} is not a segment column; choose one of {list(segments.columns)}."
        )
    if segments["seg_id"].duplicated().any():
        dup = segments.loc[segments["seg_id"].duplicated(), "seg_id"].iloc[0]
        raise AnalysisError(f"segments: seg_id {dup!r} appears twice; seg_id must be unique.")
    if by == "seg_id":
        return pd.Series(segments["seg_id"].to_numpy(), index=segments["seg_id"], name="seg_id")
    return segments.set_index("seg_id")[by]


def unit_term_counts(
    tokens: pd.DataFrame | DocumentTermMatrix,
    segments: pd.DataFrame | None = None,
    *,
    unit: Unit = "norm",
    mwe: bool | None = None,
    stopwords: bool = False,
    kinds: Sequence[str] | None = None,
) -> UnitTermCounts:
    """The counts an analysis needs, from a matrix or a token table.

    A :class:`~analysis.dtm.DocumentTermMatrix` gives them directly (``mwe`` and ``kinds`` must
    be what it was built with, or None); a token table is counted into a matrix first, once per
    table and options (:func:`analysis.dtm.for_tokens`).
    """
    if isinstance(tokens, DocumentTermMatrix):
        tokens.check_options(mwe=mwe, kinds=kinds)
        return tokens.unit_counts(unit, stopwords=stopwords)
    if segments is None:
        raise AnalysisError("a token table is counted with its segment table: pass both")
    matrix = for_tokens(
        tokens,
        segments,
        mwe=True if mwe is None else mwe,
        kinds=ANALYSIS_KINDS if kinds is None else kinds,
    )
    return matrix.unit_counts(unit, stopwords=stopwords)


def takes_matrix(func: _F | None = None, *, needs_tokens: bool = False) -> Any:
    """Let a function of ``(tokens, segments, ...)`` take a document-term matrix first.

    Called with a :class:`~analysis.dtm.DocumentTermMatrix`, the segment table defaults to the
    matrix's units table and ``mwe`` and ``kinds`` to the options it was built with (asking for
    others is an error: a matrix's counting options are fixed when it is built). Called with a
    token table, the segment table is required and ``mwe``/``kinds`` default to True and
    :data:`~analysis.segment.ANALYSIS_KINDS`. ``needs_tokens``: the function needs word
    positions, which a matrix does not keep, so a matrix gets an error saying what to pass.
    """
    if func is None:
        return functools.partial(takes_matrix, needs_tokens=needs_tokens)
    signature = inspect.signature(func)
    options = [name for name in ("mwe", "kinds") if name in signature.parameters]

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        bound = signature.bind(*args, **kwargs)
        given = bound.arguments
        data = given.get("tokens")
        if isinstance(data, DocumentTermMatrix):
            if needs_tokens:
                raise AnalysisError(
                    f"{func.__name__} needs word positions, which a document-term matrix does "
                    "not keep: pass the token table and segment table (pipeline.tokens, "
                    "pipeline.segments)"
                )
            data.check_options(mwe=given.get("mwe"), kinds=given.get("kinds"))
            if given.get("segments") is None:
                given["segments"] = data.units
            built = {"mwe": bool(data.mwe), "kinds": data.kinds}
        else:
            if given.get("segments") is None:
                raise AnalysisError(
                    f"{func.__name__}(tokens, segments, ...): a token table needs its segment "
                    "table beside it (or pass a document-term matrix: pipeline.build(...).dtm)"
                )
            built = {"mwe": True, "kinds": ANALYSIS_KINDS}
        for name in options:
            if given.get(name) is None:
                given[name] = built[name]
        return func(*bound.args, **bound.kwargs)

    return wrapper


@takes_matrix
def group_totals(
    tokens: pd.DataFrame | DocumentTermMatrix,
    segments: pd.DataFrame | None = None,
    by: str = "actor_type",
    *,
    kinds: Sequence[str] | None = None,
) -> pd.Series:
    """Return each group's running words, the denominator of every ``per_1k`` rate.

    Returns
    -------
    pandas.Series
        Indexed by the values of ``by`` (groups in order of first appearance), int64: non-
        punctuation tokens of the analysed segments, stopwords included, a multiword expression
        counted as its number of words.
    """
    labels = _segment_labels(segments, by)
    counted = unit_term_counts(tokens, segments, kinds=kinds)
    groups, codes, _ = counted.grouped(labels)
    totals = np.bincount(
        codes[codes >= 0], weights=counted.running[codes >= 0], minlength=len(groups)
    )
    return pd.Series(totals.astype("int64"), index=pd.Index(groups), name="n_words")


def _stem_labels(terms: pd.Series, surface: pd.Series) -> pd.Series:
    """Map each stem to its most frequent surface form (ties: alphabetical), never a bare stem."""
    pairs = pd.DataFrame({"stem": terms.to_numpy(), "surface": surface.to_numpy()})
    freq = pairs.value_counts().reset_index(name="f")
    freq = freq.sort_values(["stem", "f", "surface"], ascending=[True, False, True])
    return freq.drop_duplicates("stem").set_index("stem")["surface"]


def _segment_lists(units: pd.DataFrame, labels: pd.Series, key: str) -> pd.Series:
    """Join the seg_ids where each key occurs in each group, in reading order.

    ``labels`` is indexed by the segment table's seg_ids in its row order (reading order), so a
    unit's reading position is the position of its seg_id in that index.

    Returns
    -------
    pandas.Series
        Indexed by (group, key), str: the distinct seg_ids joined by one space.
    """
    seg = units["seg_id"].to_numpy()
    order = labels.index.get_indexer(seg)
    uses = pd.DataFrame(
        {
            "_group": units["seg_id"].map(labels).to_numpy(),
            "_key": units[key].to_numpy(),
            "_seg": seg,
            "_order": order,
        }
    ).drop_duplicates(["_group", "_key", "_seg"])
    # One (group, key) pair per run of rows, its seg_ids in reading order: codes of the pairs in
    # order of first use in reading order, then a stable sort by pair and reading position, and
    # one join per run (a groupby aggregation costs a Series per group: 20x slower).
    uses = uses.iloc[np.argsort(uses["_order"].to_numpy(), kind="stable")]
    pair_codes, pairs = pd.MultiIndex.from_arrays(
        [uses["_group"].to_numpy(), uses["_key"].to_numpy()], names=["_group", "_key"]
    ).factorize()
    sort = np.argsort(pair_codes, kind="stable")
    _, joined = _join_runs(pair_codes[sort], uses["_seg"].to_numpy(dtype=object)[sort])
    return pd.Series(joined, index=pairs.set_names(["_group", "_key"]), dtype="str", name="_seg")


def _join_runs(codes: np.ndarray, ids: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """Join ``ids`` by one space within each run of equal ``codes`` (rows already grouped).

    Returns each run's code and its joined string, in the order of the runs. One ``str.join``
    per run in a plain loop: a pandas groupby aggregation builds a Series per group, which
    costs 20 times as much when there are hundreds of thousands of groups.
    """
    bounds = np.flatnonzero(np.diff(codes, prepend=-1, append=-1)).tolist()
    values = ids.tolist()
    joined = [" ".join(values[a:b]) for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
    return codes[bounds[:-1]], joined


def _count_table(
    units: pd.DataFrame,
    labels: pd.Series,
    totals: pd.Series,
    by: str,
    unit: Unit,
    trace: bool = False,
) -> pd.DataFrame:
    """Count ``units`` (rows with seg_id, norm, stem) per group; shared by words and n-grams."""
    key = "stem" if unit == "stem" else "norm"
    frame = pd.DataFrame(
        {
            by: units["seg_id"].map(labels).to_numpy(),
            "key": units[key].to_numpy(),
            "seg_id": units["seg_id"].to_numpy(),
        }
    )
    grouped = frame.groupby([by, "key"], sort=False)
    out = pd.DataFrame({"n": grouped.size(), "n_segments": grouped["seg_id"].nunique()})
    out = out.reset_index()
    if unit == "stem":
        names = _stem_labels(units["stem"], units["norm"])
        out["stem"] = out["key"]
        out["term"] = out["key"].map(names)
    else:
        out["term"] = out["key"]
    out["total_tokens"] = out[by].map(totals).astype("int64")
    out["per_1k"] = 1000.0 * out["n"] / out["total_tokens"]
    out["rank"] = out.groupby(by, sort=False)["n"].rank(method="min", ascending=False)
    out["rank"] = out["rank"].astype("int64")
    out["n"] = out["n"].astype("int64")
    out["n_segments"] = out["n_segments"].astype("int64")
    group_order = {g: i for i, g in enumerate(totals.index)}
    out["_g"] = out[by].map(group_order)
    out = out.sort_values(["_g", "rank", "term"], kind="stable").reset_index(drop=True)
    cols = [by, "term", "n", "per_1k", "rank", "n_segments", "total_tokens"]
    cols += ["stem"] if unit == "stem" else []
    if trace:
        lists = _segment_lists(units, labels, key)
        where = pd.MultiIndex.from_arrays([out[by].to_numpy(), out["key"].to_numpy()])
        out["seg_ids"] = lists.reindex(where).to_numpy()
        cols.append("seg_ids")
    return out[cols]


@takes_matrix
def term_counts(
    tokens: pd.DataFrame | DocumentTermMatrix,
    segments: pd.DataFrame | None = None,
    by: str = "actor_type",
    *,
    unit: Unit = "norm",
    mwe: bool | None = None,
    stopwords: bool = False,
    kinds: Sequence[str] | None = None,
    trace: bool = False,
) -> pd.DataFrame:
    """Count terms per group.

    Parameters
    ----------
    tokens : pandas.DataFrame
        Token table from :func:`analysis.tokenise.tokenise`.
    segments : pandas.DataFrame
        Segment table from :func:`analysis.segment.segment_corpus`.
    by : str, default "actor_type"
        Any segment column (``doc_id``, ``seg_id``, ``actor_type``, ``genre`` ...).
    unit : {"norm", "stem"}, default "norm"
        ``norm``: case-folded word forms. ``stem``: Snowball stems, each labelled by its most
        frequent word form in the selection (the stem itself is kept in the ``stem`` column).
    mwe : bool, default True
        Count multiword expressions as one term, or split them into words.
    stopwords : bool, default False
        Keep stopwords in the table. They stay in the denominator either way. Pronouns and
        modals are function words, not stopwords, so they are always counted.
    kinds : sequence of str, default ``ANALYSIS_KINDS``
        Segment kinds counted (body paragraphs and list items).
    trace : bool, default False
        Add the ``seg_ids`` column, so that every row can be followed back to its paragraphs
        (and through the segment table's ``start``/``end`` to raw character offsets).

    Returns
    -------
    pandas.DataFrame
        One row per group and term, groups in order of first appearance, then by ``rank``:
        ``<by>`` (group value), ``term`` (str), ``n`` (int64), ``per_1k`` (float64, per 1,000
        running words of the group, see the module docstring), ``rank`` (int64, 1 = most
        frequent in the group, ties share the lowest rank), ``n_segments`` (int64, segments of
        the group using the term), ``total_tokens`` (int64, the denominator), for
        ``unit="stem"`` ``stem`` (str) and, with ``trace=True``, ``seg_ids`` (str: the
        ``n_segments`` seg_ids of the group's segments using the term, each once, in the order
        of the segment table, joined by one space).
    """
    labels = _segment_labels(segments, by)
    counted = unit_term_counts(
        tokens, segments, unit=unit, mwe=mwe, stopwords=stopwords, kinds=kinds
    )
    return _counts_by_group(counted, labels, by, unit, trace)


def _ngrams(words: pd.DataFrame, n: int, stopwords: bool) -> pd.DataFrame:
    """Build contiguous n-grams that stay inside one sentence of one segment and skip no word.

    Punctuation breaks an n-gram (it is a gap in ``position``). Without stopwords, n-grams that
    begin or end with a stopword are dropped, so "trafficking in persons" stays and "of the" goes.
    """
    seg = words["seg_id"].to_numpy()
    sent = words["sentence"].to_numpy()
    pos = words["position"].to_numpy()
    part = words["part"].to_numpy()
    norm = words["norm"].to_numpy(dtype=object)
    stem = words["stem"].to_numpy(dtype=object)
    stop = words["is_stop"].to_numpy()
    m = len(words) - n + 1
    if m <= 0:
        return pd.DataFrame({"seg_id": [], "norm": [], "stem": []}, dtype=object)
    ok = np.ones(m, dtype=bool)
    for k in range(1, n):
        prev, cur = slice(k - 1, k - 1 + m), slice(k, k + m)
        same = (seg[prev] == seg[cur]) & (sent[prev] == sent[cur])
        # adjacent: next token in the segment, or the next word of the same split expression
        adjacent = ((pos[cur] == pos[prev] + 1) & (part[cur] == 0)) | (
            (pos[cur] == pos[prev]) & (part[cur] == part[prev] + 1)
        )
        ok &= same & adjacent
    if not stopwords:
        ok &= ~stop[:m] & ~stop[n - 1 : n - 1 + m]
    idx = np.flatnonzero(ok)
    joined_norm = norm[idx].astype(str)
    joined_stem = stem[idx].astype(str)
    for k in range(1, n):
        joined_norm = np.char.add(np.char.add(joined_norm, " "), norm[idx + k].astype(str))
        joined_stem = np.char.add(np.char.add(joined_stem, " "), stem[idx + k].astype(str))
    return pd.DataFrame({"seg_id": seg[idx], "norm": joined_norm, "stem": joined_stem})


@takes_matrix(needs_tokens=True)
def ngram_counts(
    tokens: pd.DataFrame | DocumentTermMatrix,
    segments: pd.DataFrame | None = None,
    by: str = "actor_type",
    *,
    n: int = 2,
    unit: Unit = "norm",
    mwe: bool | None = None,
    stopwords: bool = False,
    kinds: Sequence[str] | None = None,
    trace: bool = False,
) -> pd.DataFrame:
    """Count word n-grams per group.

    An n-gram is n consecutive words inside one sentence of one segment: it never crosses a
    segment, a sentence or a punctuation mark, and never skips a word. Stopwords are not skipped
    (every n-gram is a phrase that occurs in the text); with ``stopwords=False`` n-grams that
    begin or end with a stopword are left out. A joined multiword expression is one word here.

    Parameters
    ----------
    n : int, default 2
        Length (2 or more).
    tokens, segments, by, unit, mwe, stopwords, kinds, trace
        As in :func:`term_counts`.

    Returns
    -------
    pandas.DataFrame
        The columns of :func:`term_counts`; ``term`` is the n-gram with words joined by one space
        (for ``unit="stem"`` its most frequent surface form). ``per_1k`` is per 1,000 running
        words of the group, the same denominator as single words. With ``trace=True``,
        ``seg_ids`` lists the segments in which the n-gram occurs.
    """
    if n < 2:
        raise AnalysisError(f"n={n}: n-grams need n >= 2; use term_counts() for single words.")
    labels = _segment_labels(segments, by)
    words = analysis_words(tokens, segments, mwe=mwe, kinds=kinds)
    totals = words["n_words"].groupby(words["seg_id"].map(labels).to_numpy(), sort=False).sum()
    grams = _ngrams(words, n, stopwords)
    return _count_table(grams, labels, totals, by, unit, trace)


@takes_matrix(needs_tokens=True)
def function_word_profile(
    tokens: pd.DataFrame | DocumentTermMatrix,
    segments: pd.DataFrame | None = None,
    by: str = "actor_type",
    *,
    kinds: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Count pronouns by person and number and modal verbs by meaning, per group.

    Classes come from the package list ``data/function_words.csv``: pronouns ``first_singular``,
    ``first_plural``, ``second``, ``third_singular``, ``third_plural``; modals ``obligation``
    (must, should, ought), ``commitment`` (will, shall), ``hypothetical`` (would),
    ``possibility`` (can, could, may, might). Every class appears for every group, with 0 when
    unused, so profiles line up.

    Returns
    -------
    pandas.DataFrame
        ``<by>``, ``function_class`` (str: pronoun/modal), ``function_subclass`` (str), ``n``
        (int64), ``per_1k`` (float64, per 1,000 running words), ``total_tokens`` (int64),
        ``words`` (str, the forms found with counts, e.g. ``"we 5, our 2"``).
    """
    from analysis.tokenise import function_words

    labels = _segment_labels(segments, by)
    words = analysis_words(tokens, segments, kinds=kinds)
    groups = words["seg_id"].map(labels)
    totals = words["n_words"].groupby(groups.to_numpy(), sort=False).sum()
    table = function_words()
    classes = table[["function_class", "function_subclass"]].drop_duplicates()
    hits = words.assign(**{by: groups.to_numpy()}).merge(
        table, left_on="norm", right_on="word", how="inner"
    )
    per_word = (
        hits.groupby([by, "function_class", "function_subclass", "norm"], sort=False)
        .size()
        .rename("n")
        .reset_index()
        .sort_values([by, "function_subclass", "n", "norm"], ascending=[True, True, False, True])
    )
    per_word["item"] = per_word["norm"] + " " + per_word["n"].astype(str)
    listed = per_word.groupby([by, "function_class", "function_subclass"])["item"].agg(", ".join)
    counted = per_word.groupby([by, "function_class", "function_subclass"])["n"].sum()
    grid = pd.MultiIndex.from_tuples(
        [(g, c, s) for g in totals.index for c, s in classes.itertuples(index=False)],
        names=[by, "function_class", "function_subclass"],
    )
    out = pd.DataFrame(
        {"n": counted.reindex(grid, fill_value=0), "words": listed.reindex(grid, fill_value="")}
    ).reset_index()
    out["n"] = out["n"].astype("int64")
    out["total_tokens"] = out[by].map(totals).astype("int64")
    out["per_1k"] = 1000.0 * out["n"] / out["total_tokens"]
    return out[[by, "function_class", "function_subclass", "n", "per_1k", "total_tokens", "words"]]


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
    unit: Unit = "norm",
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
    labels = _segment_labels(segments, by)
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


def _counts_by_group(
    counted: UnitTermCounts, labels: pd.Series, by: str, unit: Unit, trace: bool
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
        out["seg_ids"] = _unit_lists(counted, codes, labels, out["_pair"].to_numpy())
        cols.append("seg_ids")
    return out[cols]


def _unit_lists(
    counted: UnitTermCounts, codes: np.ndarray, labels: pd.Series, pairs: np.ndarray
) -> np.ndarray:
    """For each (group, key) pair code (``group * n_keys + key``), the seg_ids of the group's
    units using the key, each once, in the order of the segment table, joined by one space."""
    coo = counted.counts.tocoo()
    rows, cols = coo.row.astype(np.int64), coo.col.astype(np.int64)
    keep = codes[rows] >= 0
    rows, cols = rows[keep], cols[keep]
    pair = codes[rows] * len(counted.keys) + cols
    order = labels.index.get_indexer(counted.seg_ids)[rows]
    sort = np.lexsort((order, pair))
    run_pairs, joined = _join_runs(pair[sort], counted.seg_ids[rows[sort]])
    where = np.searchsorted(run_pairs, pairs)
    return np.asarray(joined, dtype=object)[where]


def _pair_counts(
    tokens: pd.DataFrame, segments: pd.DataFrame, by: str, options: dict[str, Any]
) -> tuple[pd.DataFrame, pd.Series]:
    """Return terms x groups counts and each group's running words (all groups, even empty).

    Terms are sorted; a stem label shared by several stems is one row (their counts summed);
    terms no group uses are left out. One sparse product from the unit counts: the table
    :func:`term_counts` would give, pivoted.
    """
    labels = _segment_labels(segments, by)
    counted = unit_term_counts(tokens, segments, **options)
    groups, _, indicator = counted.grouped(labels)
    names, term_of_key = np.unique(counted.terms.astype(str), return_inverse=True)
    merge = sparse.csr_matrix(
        (
            np.ones(len(counted.keys), dtype=np.int64),
            (np.arange(len(counted.keys)), term_of_key.ravel()),
        ),
        shape=(len(counted.keys), len(names)),
    )
    n = (indicator @ counted.counts @ merge).tocsc()
    used = np.flatnonzero(np.diff(n.indptr))  # terms some group uses
    wide = pd.DataFrame(
        n[:, used].toarray().T.astype(np.int64),
        index=pd.Index(names[used].astype(object), name="term"),
        columns=pd.Index(groups, name=by),
    )
    totals = group_totals(tokens, segments, by)
    return wide.reindex(columns=totals.index, fill_value=0), totals


def _segment_uses(
    tokens: pd.DataFrame, segments: pd.DataFrame, by: str, options: dict[str, Any]
) -> pd.DataFrame:
    """Return one row per analysed segment and term it uses.

    Terms are labelled as in :func:`term_counts` with the same ``options`` (a stem's label does
    not depend on ``by``), so they match the rows of a keyness table.

    Returns
    -------
    pandas.DataFrame
        ``_group`` (the segment's ``by`` value; segments without one are left out, as they are
        in every count), ``term``, ``seg_id``, ``_o`` (int64, the segment's row in the segment
        table: its reading position).
    """
    labels = _segment_labels(segments, by)
    counted = unit_term_counts(tokens, segments, **options)
    coo = counted.counts.tocoo()
    seg = counted.seg_ids[coo.row]
    uses = pd.DataFrame(
        {
            "_group": labels.reindex(seg).to_numpy(dtype=object),
            "term": counted.terms[coo.col],
            "seg_id": seg,
            "_o": labels.index.get_indexer(seg),
        }
    )
    return uses[uses["_group"].notna()].reset_index(drop=True)


def _side_lists(
    groups: Sequence[Any], terms: Sequence[str], uses: pd.DataFrame, *, rest: bool
) -> np.ndarray:
    """Join, for each (group, term) pair, the seg_ids using the term on that side.

    With ``rest=False`` the side is the group itself; with ``rest=True`` it is every other group
    pooled (the reference of a one-vs-rest comparison). Seg_ids are in reading order; a side
    where the term does not occur gets an empty string.
    """
    rows = pd.DataFrame({"_row": np.arange(len(terms)), "_group": groups, "term": terms})
    if rest:
        hits = rows.merge(uses, on="term", suffixes=("", "_use"))
        hits = hits[hits["_group"].to_numpy() != hits["_group_use"].to_numpy()]
    else:
        hits = rows.merge(uses, on=["_group", "term"])
    hits = hits.sort_values(["_row", "_o"], kind="stable")
    found, joined = _join_runs(hits["_row"].to_numpy(), hits["seg_id"].to_numpy(dtype=object))
    lists = np.full(len(terms), "", dtype=object)
    lists[found] = joined
    return lists


@takes_matrix
def group_keyness(
    tokens: pd.DataFrame | DocumentTermMatrix,
    segments: pd.DataFrame | None = None,
    by: str = "actor_type",
    *,
    target: Any = None,
    reference: Any = None,
    comparison: Comparison = "one_vs_rest",
    unit: Unit = "norm",
    mwe: bool | None = None,
    stopwords: bool = False,
    trace: bool = False,
) -> pd.DataFrame:
    """Run :func:`analysis.stats.keyness` between groups of a token table.

    Denominators are the groups' running words (stopwords included, see the module docstring).

    Parameters
    ----------
    by : str, default "actor_type"
        Segment column defining the groups.
    target : object, optional
        The target group. With ``reference`` too: that pair only; alone: target vs all the other
        groups pooled. If omitted, every group is compared (``comparison``).
    reference : object, optional
        The reference group.
    comparison : {"one_vs_rest", "pairwise"}, default "one_vs_rest"
        Used when ``target`` is omitted.
    unit, mwe, stopwords
        As in :func:`term_counts`.
    trace : bool, default False
        Add ``seg_ids_target`` and ``seg_ids_reference``: the segments behind ``n_target`` and
        ``n_reference``.

    Returns
    -------
    pandas.DataFrame
        With ``target``: the :func:`analysis.stats.keyness` table (indexed by term). Without:
        the long table of :func:`analysis.stats.keyness_one_vs_rest` or
        :func:`analysis.stats.keyness_pairwise` (``group``, ``reference``, ``term`` ...).
        With ``trace=True``, two more columns (str): ``seg_ids_target``, the seg_ids of the
        target group's segments using the term, and ``seg_ids_reference``, those of the
        reference group's segments or, when the reference is the other groups pooled
        (``"rest"``), of all their segments; each seg_id once, in the order of the segment
        table, joined by one space, an empty string where the count is 0.
    """
    options: dict[str, Any] = {"unit": unit, "mwe": mwe, "stopwords": stopwords}
    wide, totals = _pair_counts(tokens, segments, by, options)
    if target is None:
        pairwise = comparison == "pairwise"
        compare = stats.keyness_pairwise if pairwise else stats.keyness_one_vs_rest
        out = compare(wide, totals=totals)
        terms, sides = out["term"].to_numpy(), out["group"].to_numpy()
        # the reference side: the other group of the pair, or every group but the target
        other, pooled = (out["reference"].to_numpy(), False) if pairwise else (sides, True)
    else:
        for name, value in (("target", target), ("reference", reference)):
            if value is not None and value not in wide.columns:
                raise AnalysisError(
                    f"{name}={value!r} is not a value of {by!r}; choose one of "
                    f"{list(wide.columns)}."
                )
        if reference is None:
            ref = wide.drop(columns=[target]).sum(axis=1)
            ref_total = float(totals.drop(target).sum())
        else:
            ref, ref_total = wide[reference], float(totals[reference])
        out = stats.keyness(
            wide[target], ref, target_total=float(totals[target]), reference_total=ref_total
        )
        terms, sides = out.index.to_numpy(), [target] * len(out)
        other = sides if reference is None else [reference] * len(out)
        pooled = reference is None
    if trace:
        uses = _segment_uses(tokens, segments, by, options)
        out["seg_ids_target"] = _side_lists(sides, terms, uses, rest=False)
        out["seg_ids_reference"] = _side_lists(other, terms, uses, rest=pooled)
    return out


def _doc_labels(segments: pd.DataFrame, by: str) -> pd.Series:
    """The ``by`` value of each document with analysed segments (documents in reading order)."""
    analysed = segments[segments["kind"].isin(list(ANALYSIS_KINDS))]
    per_doc = analysed.drop_duplicates("doc_id").set_index("doc_id")[by]
    return per_doc[per_doc.notna()]


def _sides(labels: pd.Series, target: Any, reference: Any) -> tuple[np.ndarray, np.ndarray]:
    values = labels.to_numpy()
    is_t = values == target
    is_r = ~is_t if reference is None else values == reference
    return is_t, is_r


@takes_matrix
def document_keyness(
    tokens: pd.DataFrame | DocumentTermMatrix,
    segments: pd.DataFrame | None = None,
    by: str = "actor_type",
    *,
    target: Any,
    reference: Any = None,
    unit: Unit = "norm",
    mwe: bool | None = None,
    stopwords: bool = False,
) -> pd.DataFrame:
    """Text-dispersion keyness (Egbert and Biber 2019): keyness of the number of documents.

    Each term's *range* on each side (how many documents of the target group and of the
    reference group use it at least once) is compared with :func:`analysis.stats.keyness`, the
    number of documents of each side standing where the token totals stand in token keyness.
    A term that one long document repeats has a range of one and no document-level keyness.

    Parameters
    ----------
    target, reference
        As in :func:`group_keyness` (``reference=None``: every other group pooled).
    unit, mwe, stopwords
        As in :func:`term_counts`.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``term``, sorted by ``g2_docs`` descending: ``docs_target``,
        ``docs_reference`` (int64, documents using the term), ``n_docs_target``,
        ``n_docs_reference`` (int64, documents of each side), ``log_ratio_docs``, ``g2_docs``,
        ``p_docs`` (float64: the log ratio, signed G\u00b2 and its p-value computed on document
        counts), ``too_small_docs`` (bool: expected document count below 5 or fewer than 3
        documents using the term).
    """
    dtm = document_term_matrix(tokens, segments, "doc_id", unit=unit, mwe=mwe, stopwords=stopwords)
    labels = _doc_labels(segments, by).reindex(dtm.rows)
    is_t, is_r = _sides(labels, target, reference)
    if not is_t.any() or not is_r.any():
        raise AnalysisError(
            f"document keyness needs documents on both sides (target {target!r}: "
            f"{int(is_t.sum())}, reference: {int(is_r.sum())})."
        )
    present = (dtm.matrix > 0).astype(np.int64)
    a = np.asarray(present[np.flatnonzero(is_t)].sum(axis=0)).ravel()
    b = np.asarray(present[np.flatnonzero(is_r)].sum(axis=0)).ravel()
    used = (a + b) > 0
    terms = dtm.terms[used]
    table = stats.keyness(
        pd.Series(a[used], index=terms),
        pd.Series(b[used], index=terms),
        target_total=float(is_t.sum()),
        reference_total=float(is_r.sum()),
        ranges=True,
    )
    out = pd.DataFrame(
        {
            "docs_target": table["n_target"].astype("int64"),
            "docs_reference": table["n_reference"].astype("int64"),
            "n_docs_target": np.int64(is_t.sum()),
            "n_docs_reference": np.int64(is_r.sum()),
            "log_ratio_docs": table["log_ratio"],
            "g2_docs": table["g2"],
            "p_docs": table["p"],
            "too_small_docs": table["too_small"].astype(bool),
        },
        index=table.index,
    )
    return out


@takes_matrix
def term_range(
    tokens: pd.DataFrame | DocumentTermMatrix,
    segments: pd.DataFrame | None,
    terms: Sequence[str],
    by: str = "actor_type",
    *,
    side: Any,
    exclude: Any = None,
    unit: Unit = "norm",
    mwe: bool | None = None,
) -> pd.DataFrame:
    """How many documents and segments of one side of a comparison use each term.

    ``side`` is a group; with ``exclude`` given instead (``side=None``), the side is every
    group but ``exclude`` (the pooled rest).

    Returns
    -------
    pandas.DataFrame
        Indexed by ``term`` in the order of ``terms``: ``docs`` and ``segments`` (int64, the
        side's documents and segments using the term) and ``docs_in_side`` (int64, the side's
        documents with analysed segments).
    """
    options: dict[str, Any] = {"unit": unit, "mwe": mwe, "stopwords": True}
    return _range_from_uses(
        _segment_uses(tokens, segments, by, options),
        segments,
        terms,
        by,
        side=side,
        exclude=exclude,
    )


def _range_from_uses(
    uses: pd.DataFrame,
    segments: pd.DataFrame,
    terms: Sequence[str],
    by: str,
    *,
    side: Any,
    exclude: Any = None,
) -> pd.DataFrame:
    """:func:`term_range` from a table of :func:`_segment_uses` (computed once per corpus)."""
    if side is not None:
        uses = uses[uses["_group"] == side]
    else:
        uses = uses[uses["_group"] != exclude]
    uses = uses[uses["term"].isin(list(terms))]
    doc_of = segments.set_index("seg_id")["doc_id"]
    uses = uses.assign(doc_id=uses["seg_id"].map(doc_of).to_numpy())
    grouped = uses.groupby("term")
    labels = _doc_labels(segments, by)
    in_side = int((labels == side).sum()) if side is not None else int((labels != exclude).sum())
    out = (
        pd.DataFrame(
            {
                "docs": grouped["doc_id"].nunique(),
                "segments": grouped["seg_id"].nunique(),
            }
        )
        .reindex(list(terms), fill_value=0)
        .astype("int64")
    )
    out["docs_in_side"] = np.int64(in_side)
    return out.rename_axis("term")


def is_letter_or_number(terms: Sequence[str] | pd.Index | pd.Series) -> np.ndarray:
    """True for terms that are a single character or a bare number ("g", "2021", "3.5").

    Such terms (a stray initial, "G to G", a year, a footnote marker) are not key-term candidates
    unless asked for.

    Examples
    --------
    >>> is_letter_or_number(["g", "2021", "3.5", "un", "g20"]).tolist()
    [True, True, True, False, False]
    """
    series = pd.Series(list(terms), dtype=object).astype(str)
    return (series.str.len().le(1) | series.str.fullmatch(r"[\d.,%/-]+")).to_numpy()


@takes_matrix
def permutation_keyness(
    tokens: pd.DataFrame | DocumentTermMatrix,
    segments: pd.DataFrame | None,
    terms: Sequence[str],
    by: str = "actor_type",
    *,
    target: Any,
    reference: Any = None,
    n_resamples: int = 9999,
    seed: int = 0,
    unit: Unit = "norm",
    mwe: bool | None = None,
) -> pd.DataFrame:
    """Check the log ratio of ``terms`` with a segment-level permutation test.

    Builds the segment x term matrix (stopwords kept in the columns so any term can be tested;
    segment sizes are running words) and calls :func:`analysis.stats.permutation_log_ratio`
    with each segment's ``by`` value as its label.

    Returns
    -------
    pandas.DataFrame
        The :func:`analysis.stats.permutation_log_ratio` table, indexed by term, in the order of
        ``terms``. A term absent from the analysed segments raises ``AnalysisError``.
    """
    return _permutation(
        tokens,
        segments,
        terms,
        by,
        "seg_id",
        target=target,
        reference=reference,
        n_resamples=n_resamples,
        seed=seed,
        unit=unit,
        mwe=mwe,
    )


def _permutation(
    tokens: pd.DataFrame,
    segments: pd.DataFrame,
    terms: Sequence[str],
    by: str,
    rows: str,
    *,
    target: Any,
    reference: Any,
    n_resamples: int,
    seed: int,
    unit: Unit,
    mwe: bool | None,
) -> pd.DataFrame:
    """The permutation check with ``rows`` (``seg_id`` or ``doc_id``) as the shuffled units."""
    dtm = document_term_matrix(tokens, segments, rows, unit=unit, mwe=mwe, stopwords=True)
    cols = dtm.terms.get_indexer(list(terms))
    if (cols < 0).any():
        missing = [t for t, c in zip(terms, cols, strict=True) if c < 0]
        raise AnalysisError(
            f"term(s) {missing} do not occur in the analysed segments (unit={unit!r}, mwe={mwe})."
        )
    labels = _segment_labels(segments, by) if rows == "seg_id" else _doc_labels(segments, by)
    return stats.permutation_log_ratio(
        dtm.matrix[:, cols],
        dtm.sizes,
        labels.reindex(dtm.rows).to_numpy(),
        target=target,
        reference=reference,
        terms=list(terms),
        n_resamples=n_resamples,
        seed=seed,
    )


@takes_matrix
def term_dispersion(
    tokens: pd.DataFrame | DocumentTermMatrix,
    segments: pd.DataFrame | None = None,
    by: str = "doc_id",
    *,
    unit: Unit = "norm",
    mwe: bool | None = None,
    stopwords: bool = False,
    min_n: int = 1,
    terms: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Measure how evenly each term spreads over the segments of each group (Gries's DP).

    The parts are the analysed segments of the group, their sizes the segments' running words.
    ``terms`` limits the table to those terms (the same rows as filtering the full table, at a
    fraction of the work on a large corpus).

    Returns
    -------
    pandas.DataFrame
        ``<by>``, ``term`` (str), ``n`` (int64), ``n_segments`` (int64, segments using it),
        ``parts`` (int64, segments of the group), ``dp`` and ``dp_norm`` (float64, 0 = spread
        like the segments, 1 = packed in one), sorted by group then ``n`` descending.
    """
    dtm = document_term_matrix(tokens, segments, "seg_id", unit=unit, mwe=mwe, stopwords=stopwords)
    if terms is not None:
        keep = np.flatnonzero(dtm.terms.isin(list(terms)))
        dtm = GroupTermMatrix(dtm.matrix[:, keep], dtm.rows, dtm.terms[keep], dtm.sizes)
    labels = _segment_labels(segments, by).reindex(dtm.rows)
    frames = []
    for group in pd.unique(labels.to_numpy()):
        rows = np.flatnonzero(labels.to_numpy() == group)
        sub = dtm.matrix[rows]
        n = np.asarray(sub.sum(axis=0)).ravel()
        used = np.flatnonzero(n >= max(min_n, 1))
        counts = sub[:, used].T.toarray()
        dp, dpn = stats.dispersion_dp(counts, dtm.sizes[rows])
        frames.append(
            pd.DataFrame(
                {
                    by: group,
                    "term": dtm.terms[used],
                    "n": n[used].astype("int64"),
                    "n_segments": (counts > 0).sum(axis=1).astype("int64"),
                    "parts": len(rows),
                    "dp": dp,
                    "dp_norm": dpn,
                }
            ).sort_values(["n", "term"], ascending=[False, True], kind="stable")
        )
    return pd.concat(frames, ignore_index=True)


def function_word_rates(
    profile: pd.DataFrame,
    *,
    subclasses: Sequence[str] = STANCE_SUBCLASSES,
    groups: Sequence[Any] | None = None,
    by: str = "actor_type",
) -> pd.DataFrame:
    """Pick some function-word subclasses out of a profile and name each one's highest-rate group.

    Parameters
    ----------
    profile : pandas.DataFrame
        From :func:`function_word_profile` (``<by>``, ``function_subclass``, ``n``, ``per_1k``,
        ``words``).
    subclasses : sequence of str, default ``STANCE_SUBCLASSES``
        The subclasses to keep, in the order wanted.
    groups : sequence, optional
        The groups to keep, in the order wanted; default every group of the profile in its order.
    by : str, default "actor_type"
        The grouping column of ``profile``.

    Returns
    -------
    pandas.DataFrame
        One row per subclass and group, subclasses then groups in the order asked:
        ``function_subclass`` (str), ``<by>``, ``n`` (int64), ``per_1k`` (float64), ``words``
        (str), and two columns repeated on every row of a subclass: ``highest`` (the group with
        the highest ``per_1k``, the first in ``groups`` order on ties; ``""`` when no group uses
        the subclass) and ``n_max`` (int64, the largest ``n`` of any group, so a reader can tell
        a rate resting on a handful of occurrences).

    Raises
    ------
    AnalysisError
        When a column, a subclass or a group is not in the profile, or a subclass repeats.

    Examples
    --------
    >>> profile = pd.DataFrame({"actor_type": ["a", "a", "b", "b"],
    ...                         "function_subclass": ["obligation", "commitment"] * 2,
    ...                         "n": [1, 0, 4, 0], "per_1k": [2.0, 0.0, 8.0, 0.0],
    ...                         "words": ["must 1", "", "must 4", ""]})
    >>> rates = function_word_rates(profile, subclasses=["obligation", "commitment"])
    >>> rates.drop_duplicates("function_subclass")[["function_subclass", "highest", "n_max"]]
      function_subclass highest  n_max
    0        obligation       b      4
    2        commitment              0
    """
    require_columns(
        profile,
        [by, "function_subclass", "n", "per_1k", "words"],
        "function-word profile",
        "build it with function_word_profile()",
    )
    present = list(pd.unique(profile[by].to_numpy()))
    groups = present if groups is None else list(groups)
    missing = [g for g in groups if g not in present]
    if missing:
        raise AnalysisError(f"group(s) {missing} are not in the profile; it has {present}.")
    subclasses = list(subclasses)
    known = set(profile["function_subclass"])
    unknown = [s for s in subclasses if s not in known]
    if unknown or len(set(subclasses)) < len(subclasses):
        raise AnalysisError(
            f"subclasses {subclasses}: each must be listed once and be one of {sorted(known)}."
        )
    rows = profile.set_index(["function_subclass", by])
    if rows.index.duplicated().any():
        raise AnalysisError(f"the profile has more than one row for a (subclass, {by}) pair.")
    wanted = pd.MultiIndex.from_tuples(
        [(s, g) for s in subclasses for g in groups], names=["function_subclass", by]
    )
    out = rows.reindex(wanted)[["n", "per_1k", "words"]].reset_index()
    out["n"] = out["n"].astype("int64")
    out["per_1k"] = out["per_1k"].astype("float64")
    highest, n_max = [], []
    for subclass in subclasses:
        block = out[out["function_subclass"] == subclass]
        most = int(block["n"].max()) if len(block) else 0
        # idxmax takes the first of tied maxima, i.e. the first group in the order asked
        top = block.loc[block["per_1k"].idxmax(), by] if most > 0 else ""
        highest += [top] * len(block)
        n_max += [most] * len(block)
    out["highest"] = pd.Series(highest, index=out.index, dtype=object)
    out["n_max"] = pd.Series(n_max, index=out.index, dtype="int64")
    return out


@takes_matrix
def document_permutation(
    tokens: pd.DataFrame | DocumentTermMatrix,
    segments: pd.DataFrame | None,
    terms: Sequence[str],
    by: str = "actor_type",
    *,
    target: Any,
    reference: Any = None,
    n_resamples: int = 9999,
    seed: int = 0,
    unit: Unit = "norm",
    mwe: bool | None = None,
) -> pd.DataFrame:
    """Check ``terms`` with a document-level permutation test: group labels shuffled across
    documents (:func:`analysis.stats.permutation_log_ratio` with documents as the units).

    The resampling counterpart of :func:`document_keyness`, for groups of several documents: a
    term that one document repeats cannot reach a p-value below the share of documents in the
    target group.
    """
    return _permutation(
        tokens,
        segments,
        terms,
        by,
        "doc_id",
        target=target,
        reference=reference,
        n_resamples=n_resamples,
        seed=seed,
        unit=unit,
        mwe=mwe,
    )


class TermList(list):
    """A list of terms kept in a table's ``attrs``. pandas deep-copies ``attrs`` on every
    operation on the table; the terms are strings, so a shallow copy is a deep one, and it
    costs one C-level copy instead of a Python call per term."""

    def __deepcopy__(self, memo: dict[int, object]) -> TermList:
        return TermList(self)


@takes_matrix
def key_candidates(
    keyness: pd.DataFrame,
    tokens: pd.DataFrame | DocumentTermMatrix,
    segments: pd.DataFrame | None = None,
    by: str = "actor_type",
    *,
    target: Any,
    reference: Any = None,
    unit: Unit = "norm",
    mwe: bool | None = None,
    spread: bool = True,
    letters_and_numbers: bool = False,
) -> pd.DataFrame:
    """The rows of a keyness table that may be reported as key terms, in keyness order.

    A term qualifies when it meets the spread rule (:data:`SPREAD_RULE`) on the side it is key in
    (positive G²: the target; negative: the reference) and is not a single character or a bare
    number; ``spread=False`` and ``letters_and_numbers=True`` lift either condition.

    Returns
    -------
    pandas.DataFrame
        The qualifying rows of ``keyness`` (G² descending, then term, as
        :func:`analysis.stats.keyness` orders them) with three more columns: ``docs``,
        ``segments`` (int64, documents and paragraphs of the term's side that use it) and
        ``docs_in_side`` (int64, that side's documents). ``attrs["set_aside"]`` lists the terms
        the rules left out, strongest first.
    """
    order = np.lexsort((keyness.index.to_numpy(dtype=str), -keyness["g2"].to_numpy()))
    ranked = keyness.iloc[order]
    g2 = ranked["g2"]
    uses = _segment_uses(tokens, segments, by, {"unit": unit, "mwe": mwe, "stopwords": True})
    range_t = _range_from_uses(uses, segments, list(ranked.index[g2 > 0]), by, side=target)
    range_r = _range_from_uses(
        uses,
        segments,
        list(ranked.index[g2 < 0]),
        by,
        side=reference,
        exclude=target if reference is None else None,
    )
    ranges = pd.concat([range_t, range_r])
    ranges = ranges[~ranges.index.duplicated()]
    out = ranked[g2 != 0].join(ranges)
    keep = np.ones(len(out), dtype=bool)
    if not letters_and_numbers:
        keep &= ~is_letter_or_number(out.index)
    if spread:
        keep &= (
            (out["segments"] > 1) & ((out["docs"] >= 2) | (out["docs_in_side"] < 2))
        ).to_numpy()
    strength = out["g2"].abs().to_numpy()
    aside = out.index[~keep][np.argsort(-strength[~keep], kind="stable")]
    result = out[keep]
    result.attrs["set_aside"] = TermList(aside)
    return result


@takes_matrix
def top_key_terms(
    keyness: pd.DataFrame,
    tokens: pd.DataFrame | DocumentTermMatrix,
    segments: pd.DataFrame | None = None,
    by: str = "actor_type",
    *,
    target: Any,
    reference: Any = None,
    top: int = 5,
    n_resamples: int = 1999,
    seed: int = 0,
    unit: Unit = "norm",
    mwe: bool | None = None,
    spread: bool = True,
    letters_and_numbers: bool = False,
    candidates: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Take the strongest key terms of each side of a comparison and check them.

    Candidates are the terms of the keyness table that meet the spread rule
    (:data:`SPREAD_RULE`: used by the side they are key in in more than one paragraph and, where
    that side has two or more documents, in at least two of them) and are not a single
    character or a bare number. Of these, the ``top`` with the largest positive G² (key in the
    target) and the ``top`` with the most negative G² (key in the reference) are checked by
    resampling: always with :func:`permutation_keyness` (labels shuffled across paragraphs), and,
    when both sides hold two or more documents, with :func:`document_permutation` (labels
    shuffled across documents), which then is the check that backs the finding: with several
    documents per group, the document is the unit a finding about the group generalises over.

    Parameters
    ----------
    keyness : pandas.DataFrame
        The keyness table of this comparison: :func:`group_keyness` called with ``target`` (and
        ``reference``) and the same ``by``, ``unit`` and ``mwe``; indexed by term.
    tokens, segments : pandas.DataFrame
        The tables the keyness table was computed from.
    by : str, default "actor_type"
        Segment column defining the groups.
    target : object
        The target group.
    reference : object, optional
        The reference group; ``None`` means every other group pooled, labelled ``"rest"``.
    top : int, default 5
        Terms per side (fewer when a side has fewer candidates).
    n_resamples, seed : int
        Passed to the permutation checks.
    unit, mwe
        As used for the keyness table.
    spread : bool, default True
        Apply the spread rule; False takes the strongest terms whatever their range.
    letters_and_numbers : bool, default False
        Keep single characters and bare numbers as candidates.
    candidates : pandas.DataFrame, optional
        :func:`key_candidates` of this keyness table, when the caller has it already (then
        ``spread`` and ``letters_and_numbers`` are those it was made with).

    Returns
    -------
    pandas.DataFrame
        The target's terms, strongest first, then the reference's, strongest first; within equal
        G² the order of :func:`analysis.stats.keyness`. Columns: ``term`` (str), ``key_in`` (the
        side the term is key in: ``target``, or ``reference`` / ``"rest"``), ``n_target``,
        ``n_reference``, ``log_ratio``, ``g2``, ``p``, ``bic``, ``too_small`` (from
        ``keyness``), ``seg_ids_target`` and ``seg_ids_reference`` (str, only if ``keyness``
        has them), ``docs`` and ``segments`` (int64, the documents and paragraphs of the side the
        term is key in that use it), ``docs_in_side`` (int64, that side's documents),
        ``p_perm`` (float64, paragraph-level permutation p), ``ci_low``, ``ci_high`` (float64,
        bootstrap interval of the log ratio over paragraphs), ``p_perm_docs`` (float64,
        document-level permutation p; missing when a side has fewer than two documents),
        ``check`` (str: ``documents`` or ``paragraphs``, the check that backs the term),
        ``p_check`` (float64, that check's p-value), ``target`` and ``reference`` (the
        comparison's labels, so that the tables of several comparisons can be concatenated).

    Raises
    ------
    AnalysisError
        When ``keyness`` lacks a column or holds several comparisons, or ``top`` < 1.
    """
    require_columns(
        keyness, _KEY_COLUMNS, "keyness", "build it with group_keyness(..., target=...)"
    )
    if "group" in keyness.columns:
        raise AnalysisError(
            "the keyness table holds several comparisons (it has a 'group' column); pass the "
            "table of one, from group_keyness(..., target=...)."
        )
    if top < 1:
        raise AnalysisError(f"top={top}: ask for at least one term per side.")
    ranked = (
        candidates
        if candidates is not None
        else key_candidates(
            keyness,
            tokens,
            segments,
            by,
            target=target,
            reference=reference,
            unit=unit,
            mwe=mwe,
            spread=spread,
            letters_and_numbers=letters_and_numbers,
        )
    )
    ranges = ranked[["docs", "segments", "docs_in_side"]]
    g2 = ranked["g2"]
    label = "rest" if reference is None else reference
    chosen = pd.concat([ranked[g2 > 0].head(top), ranked[g2 < 0].tail(top).iloc[::-1]])
    columns = [*_KEY_COLUMNS, *[c for c in _TRACE_COLUMNS if c in keyness.columns]]
    picked = chosen[columns].rename_axis("term").join(ranges)
    docs = _doc_labels(segments, by).to_numpy()
    n_docs_t = int((docs == target).sum())
    n_docs_r = int((docs != target).sum()) if reference is None else int((docs == reference).sum())
    by_documents = n_docs_t >= 2 and n_docs_r >= 2
    if len(picked):
        # the same comparison and resamples for the paragraph and the document check
        check_options: dict[str, Any] = {
            "target": target, "reference": reference, "n_resamples": n_resamples,
            "seed": seed, "unit": unit, "mwe": mwe,
        }  # fmt: skip
        terms = list(picked.index)
        check = permutation_keyness(tokens, segments, terms, by, **check_options)
        picked = picked.join(check[list(_CHECK_COLUMNS)])
        if by_documents:
            doc_check = document_permutation(tokens, segments, terms, by, **check_options)
            picked["p_perm_docs"] = doc_check["p_perm"]
        else:
            picked["p_perm_docs"] = np.nan
    else:
        picked = picked.assign(
            **{c: pd.Series(dtype="float64") for c in _CHECK_COLUMNS},
            p_perm_docs=pd.Series(dtype="float64"),
        )
    picked["check"] = "documents" if by_documents else "paragraphs"
    picked["p_check"] = picked["p_perm_docs"] if by_documents else picked["p_perm"]
    picked.insert(0, "key_in", [target if g > 0 else label for g in picked["g2"]])
    return picked.reset_index().assign(target=target, reference=label)


def adjust_checks(key_terms: pd.DataFrame) -> pd.DataFrame:
    """Adjust the backing checks' p-values across every comparison reported together.

    With several comparisons (one-vs-rest or pairwise), the key terms of all of them are tested
    together; ``p_check_adj`` is the Benjamini-Hochberg adjustment of ``p_check`` over every row
    of ``key_terms`` (the concatenated :func:`top_key_terms` tables; docs/measures.md).

    Returns
    -------
    pandas.DataFrame
        A copy of ``key_terms`` with ``p_check_adj`` (float64) after ``p_check``.
    """
    require_columns(key_terms, ["p_check"], "key-terms", "build it with top_key_terms()")
    out = key_terms.copy()
    p = out["p_check"].to_numpy(dtype=float)
    adjusted = np.full(len(p), np.nan)
    known = ~np.isnan(p)
    if known.any():
        adjusted[known] = stats.benjamini_hochberg(p[known])
    out.insert(out.columns.get_loc("p_check") + 1, "p_check_adj", adjusted)
    return out


def key_term_tally(key_terms: pd.DataFrame, *, alpha: float = 0.05) -> pd.Series:
    """Count what the key terms of one comparison amount to.

    Parameters
    ----------
    key_terms : pandas.DataFrame
        From :func:`top_key_terms` (one comparison).
    alpha : float, default 0.05
        Significance level of the paragraph-level permutation test.

    Returns
    -------
    pandas.Series
        int64, indexed by ``n_terms`` (rows), ``n_held`` (terms whose backing check, ``p_check``
        or else ``p_perm``, is below ``alpha``: the difference survives shuffling whole
        documents or paragraphs), ``n_one_side`` (terms with a zero count
        on one side) and ``n_too_small`` (rows flagged ``too_small``, whose token-level p-value is
        descriptive only); with ``p_check_adj`` in the table (:func:`adjust_checks`), also
        ``n_held_adjusted`` (terms that hold after adjusting across comparisons), after
        ``n_held``.

    Raises
    ------
    AnalysisError
        When a column is missing or the table holds more than one comparison.
    """
    require_columns(
        key_terms,
        ["n_target", "n_reference", "too_small", "p_perm"],
        "key-terms",
        "build it with top_key_terms()",
    )
    if {"target", "reference"} <= set(key_terms.columns):
        pairs = key_terms[["target", "reference"]].drop_duplicates()
        if len(pairs) > 1:
            raise AnalysisError(
                f"the key-terms table holds {len(pairs)} comparisons; tally each one's rows "
                "separately (select them by target and reference)."
            )
    one_side = (key_terms["n_target"] == 0) | (key_terms["n_reference"] == 0)
    p_check = key_terms["p_check"] if "p_check" in key_terms.columns else key_terms["p_perm"]
    adjusted = {}
    if "p_check_adj" in key_terms.columns:
        adjusted = {"n_held_adjusted": int((key_terms["p_check_adj"] < alpha).sum())}
    return pd.Series(
        {
            "n_terms": len(key_terms),
            "n_held": int((p_check < alpha).sum()),
            **adjusted,
            "n_one_side": int(one_side.sum()),
            "n_too_small": int(key_terms["too_small"].astype(bool).sum()),
        },
        dtype="int64",
        name="tally",
    )
