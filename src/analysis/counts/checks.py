"""The checks behind each key term: permutation tests by paragraphs or whole documents, the
spread rule that lists a term as a finding, the top key terms of each side with their checks,
and the adjustment of their p-values across comparisons."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from analysis import stats
from analysis.counts.core import (
    CHECK_COLUMNS,
    KEY_COLUMNS,
    TRACE_COLUMNS,
    segment_labels,
    takes_matrix,
)
from analysis.counts.groups import document_term_matrix
from analysis.counts.keyness import (
    document_labels,
    is_letter_or_number,
    range_from_uses,
    segment_uses,
)
from analysis.dtm import (
    DocumentTermMatrix,
    TermForm,
    require_columns,
)
from analysis.errors import AnalysisError


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
    unit: TermForm = "norm",
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
    unit: TermForm,
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
    labels = segment_labels(segments, by) if rows == "seg_id" else document_labels(segments, by)
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
    unit: TermForm = "norm",
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


class TermList(list[str]):
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
    unit: TermForm = "norm",
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
    uses = segment_uses(tokens, segments, by, {"unit": unit, "mwe": mwe, "stopwords": True})
    range_t = range_from_uses(uses, segments, list(ranked.index[g2 > 0]), by, side=target)
    range_r = range_from_uses(
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
    unit: TermForm = "norm",
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
    require_columns(keyness, KEY_COLUMNS, "keyness", "build it with group_keyness(..., target=...)")
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
    columns = [*KEY_COLUMNS, *[c for c in TRACE_COLUMNS if c in keyness.columns]]
    picked = chosen[columns].rename_axis("term").join(ranges)
    docs = document_labels(segments, by).to_numpy()
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
        picked = picked.join(check[list(CHECK_COLUMNS)])
        if by_documents:
            doc_check = document_permutation(tokens, segments, terms, by, **check_options)
            picked["p_perm_docs"] = doc_check["p_perm"]
        else:
            picked["p_perm_docs"] = np.nan
    else:
        picked = picked.assign(
            **{c: pd.Series(dtype="float64") for c in CHECK_COLUMNS},
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
