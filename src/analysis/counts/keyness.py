"""Keyness between two sides: token keyness (log ratio, G², p, BIC, ...), text-dispersion
keyness by documents, and the range of each term (units and documents using it)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

import numpy as np
import pandas as pd
from scipy import sparse

from analysis import stats
from analysis.counts.core import (
    KeynessScheme,
    group_totals,
    join_runs,
    segment_labels,
    takes_matrix,
    unit_term_counts,
)
from analysis.counts.groups import document_term_matrix
from analysis.dtm import (
    DocumentTermMatrix,
    TermForm,
)
from analysis.errors import AnalysisError
from analysis.segment import ANALYSIS_KINDS


def _pair_counts(
    tokens: pd.DataFrame, segments: pd.DataFrame, by: str, options: dict[str, Any]
) -> tuple[pd.DataFrame, pd.Series]:
    """Return terms x groups counts and each group's running words (all groups, even empty).

    Terms are sorted; a stem label shared by several stems is one row (their counts summed);
    terms no group uses are left out. One sparse product from the unit counts: the table
    :func:`term_counts` would give, pivoted.
    """
    labels = segment_labels(segments, by)
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


def segment_uses(
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
    labels = segment_labels(segments, by)
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
    found, joined = join_runs(hits["_row"].to_numpy(), hits["seg_id"].to_numpy(dtype=object))
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
    comparison: KeynessScheme = "one_vs_rest",
    unit: TermForm = "norm",
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
        uses = segment_uses(tokens, segments, by, options)
        out["seg_ids_target"] = _side_lists(sides, terms, uses, rest=False)
        out["seg_ids_reference"] = _side_lists(other, terms, uses, rest=pooled)
    return out


def document_labels(segments: pd.DataFrame, by: str) -> pd.Series:
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
    unit: TermForm = "norm",
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
    labels = document_labels(segments, by).reindex(dtm.rows)
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
    unit: TermForm = "norm",
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
    return range_from_uses(
        segment_uses(tokens, segments, by, options),
        segments,
        terms,
        by,
        side=side,
        exclude=exclude,
    )


def range_from_uses(
    uses: pd.DataFrame,
    segments: pd.DataFrame,
    terms: Sequence[str],
    by: str,
    *,
    side: Any,
    exclude: Any = None,
) -> pd.DataFrame:
    """:func:`term_range` from a table of :func:`segment_uses` (computed once per corpus)."""
    if side is not None:
        uses = uses[uses["_group"] == side]
    else:
        uses = uses[uses["_group"] != exclude]
    uses = uses[uses["term"].isin(list(terms))]
    doc_of = segments.set_index("seg_id")["doc_id"]
    uses = uses.assign(doc_id=uses["seg_id"].map(doc_of).to_numpy())
    grouped = uses.groupby("term")
    labels = document_labels(segments, by)
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
    return cast(
        np.ndarray, (series.str.len().le(1) | series.str.fullmatch(r"[\d.,%/-]+")).to_numpy()
    )
