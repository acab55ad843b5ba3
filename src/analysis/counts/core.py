"""What every count shares: the counts of a document-term matrix by unit (:func:`unit_term_counts`),
the decorator that lets each function take the matrix or a token table (:func:`takes_matrix`),
group totals (the running words of every rate), and the count table every frequency table is
built from."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Sequence
from typing import Any, Literal, TypeVar, overload

import numpy as np
import pandas as pd

from analysis.dtm import (
    DocumentTermMatrix,
    TermForm,
    UnitTermCounts,
    for_tokens,
    require_columns,
)
from analysis.errors import AnalysisError
from analysis.options import COUNT_OPTION_NAMES, CountOptions, merge_options
from analysis.segment import ANALYSIS_KINDS

_F = TypeVar("_F", bound=Callable[..., Any])
#: How keyness compares three or more groups: each against the rest, or every pair.
KeynessScheme = Literal["one_vs_rest", "pairwise"]


#: Function-word subclasses that mark stance: who speaks as "we" (``first_plural``), who makes
#: demands (``obligation``: must, should, ought) and who makes pledges (``commitment``: will,
#: shall).
STANCE_SUBCLASSES: tuple[str, ...] = ("first_plural", "obligation", "commitment")
# Columns of a keyness table that a key-term table keeps, and the trace columns kept if present.
KEY_COLUMNS = ("n_target", "n_reference", "log_ratio", "g2", "p", "bic", "too_small")
TRACE_COLUMNS = ("seg_ids_target", "seg_ids_reference")
CHECK_COLUMNS = ("p_perm", "ci_low", "ci_high")
#: When a key term counts as a finding of its group (docs/measures.md, "Keyness"), in words.
SPREAD_RULE = (
    "a term counts as a finding of its group only when the group uses it in more than one "
    "paragraph and, where the group has two or more documents, in at least two of them"
)


def segment_labels(segments: pd.DataFrame, by: str) -> pd.Series:
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
    unit: TermForm = "norm",
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


@overload
def takes_matrix(func: _F) -> _F: ...


@overload
def takes_matrix(func: None = None, *, needs_tokens: bool = False) -> Callable[[_F], _F]: ...


def takes_matrix(func: _F | None = None, *, needs_tokens: bool = False) -> Any:
    """Let a function of ``(tokens, segments, ...)`` take a document-term matrix first.

    Called with a :class:`~analysis.dtm.DocumentTermMatrix`, the segment table defaults to the
    matrix's units table and ``mwe`` and ``kinds`` to the options it was built with (asking for
    others is an error: a matrix's counting options are fixed when it is built). Called with a
    token table, the segment table is required and ``mwe``/``kinds`` default to True and
    :data:`~analysis.segment.ANALYSIS_KINDS`. ``needs_tokens``: the function needs word
    positions, which a matrix does not keep, so a matrix gets an error saying what to pass.

    Every such function also takes ``options=`` (:class:`analysis.options.CountOptions`): the
    counting options in one object, each filling the keyword the call does not give.
    """
    if func is None:
        return functools.partial(takes_matrix, needs_tokens=needs_tokens)
    signature = inspect.signature(func)
    fixed_by_matrix = [name for name in ("mwe", "kinds") if name in signature.parameters]
    accepted = [name for name in COUNT_OPTION_NAMES if name in signature.parameters]

    @functools.wraps(func)
    def wrapper(*args: Any, options: CountOptions | None = None, **kwargs: Any) -> Any:
        bound = signature.bind(*args, **merge_options(options, kwargs, accepted))
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
        for name in fixed_by_matrix:
            if given.get(name) is None:
                given[name] = built[name]
        return func(*bound.args, **bound.kwargs)

    # the signature a reader sees (help, the notebooks' tooltips) names ``options`` too
    params = list(signature.parameters.values())
    at = next((i for i, p in enumerate(params) if p.kind is p.VAR_KEYWORD), len(params))
    params.insert(
        at,
        inspect.Parameter("options", inspect.Parameter.KEYWORD_ONLY, default=None),
    )
    wrapper.__signature__ = signature.replace(parameters=params)  # type: ignore[attr-defined]
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
    labels = segment_labels(segments, by)
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
    _, joined = join_runs(pair_codes[sort], uses["_seg"].to_numpy(dtype=object)[sort])
    return pd.Series(joined, index=pairs.set_names(["_group", "_key"]), dtype="str", name="_seg")


def join_runs(codes: np.ndarray, ids: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """Join ``ids`` by one space within each run of equal ``codes`` (rows already grouped).

    Returns each run's code and its joined string, in the order of the runs. One ``str.join``
    per run in a plain loop: a pandas groupby aggregation builds a Series per group, which
    costs 20 times as much when there are hundreds of thousands of groups.
    """
    bounds = np.flatnonzero(np.diff(codes, prepend=-1, append=-1)).tolist()
    values = ids.tolist()
    joined = [" ".join(values[a:b]) for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
    return codes[bounds[:-1]], joined


def count_table(
    units: pd.DataFrame,
    labels: pd.Series,
    totals: pd.Series,
    by: str,
    unit: TermForm,
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


def unit_lists(
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
    run_pairs, joined = join_runs(pair[sort], counted.seg_ids[rows[sort]])
    where = np.searchsorted(run_pairs, pairs)
    return np.asarray(joined, dtype=object)[where]
