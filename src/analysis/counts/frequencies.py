"""Frequency tables: term counts and rates by any grouping, n-grams, function-word profiles and
rates, and dispersion."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from analysis import stats
from analysis.counts.core import (
    STANCE_SUBCLASSES,
    count_table,
    segment_labels,
    takes_matrix,
    unit_term_counts,
)
from analysis.counts.groups import GroupTermMatrix, counts_by_group, document_term_matrix
from analysis.dtm import (
    DocumentTermMatrix,
    TermForm,
    analysis_words,
    require_columns,
)
from analysis.errors import AnalysisError


@takes_matrix
def term_counts(
    tokens: pd.DataFrame | DocumentTermMatrix,
    segments: pd.DataFrame | None = None,
    by: str = "actor_type",
    *,
    unit: TermForm = "norm",
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
    labels = segment_labels(segments, by)
    counted = unit_term_counts(
        tokens, segments, unit=unit, mwe=mwe, stopwords=stopwords, kinds=kinds
    )
    return counts_by_group(counted, labels, by, unit, trace)


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
    unit: TermForm = "norm",
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
    labels = segment_labels(segments, by)
    words = analysis_words(tokens, segments, mwe=mwe, kinds=kinds)
    totals = words["n_words"].groupby(words["seg_id"].map(labels).to_numpy(), sort=False).sum()
    grams = _ngrams(words, n, stopwords)
    return count_table(grams, labels, totals, by, unit, trace)


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

    labels = segment_labels(segments, by)
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


@takes_matrix
def term_dispersion(
    tokens: pd.DataFrame | DocumentTermMatrix,
    segments: pd.DataFrame | None = None,
    by: str = "doc_id",
    *,
    unit: TermForm = "norm",
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
    labels = segment_labels(segments, by).reindex(dtm.rows)
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
