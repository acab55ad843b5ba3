"""Keyword in context (KWIC) lines cut from the raw text, and window collocates of a node.

Every KWIC line keeps the segment id and the character offsets of its match, and its left
context, match and right context are slices of the document's raw text at the token offsets, so
a reader sees the words exactly as written. Contexts never cross a segment boundary.
"""

from __future__ import annotations

import re
from typing import Literal, cast

import numpy as np
import pandas as pd

from analysis.errors import AnalysisError
from analysis.stats import association

__all__ = ["collocates", "kwic", "query_terms"]

QueryKind = Literal["word", "stem", "mwe", "regex"]
SortKey = Literal["left", "right"]

_WORD = re.compile(r"[^\W_](?:[\w'\u2019.-]*\w)?")


def _check(tokens: pd.DataFrame) -> None:
    needed = ["doc_id", "seg_id", "position", "token", "norm", "stem", "start", "end", "is_punct"]
    missing = [c for c in needed if c not in tokens.columns]
    if missing:
        raise AnalysisError(
            f"tokens table lacks column(s) {missing}; build it with analysis.tokenise.tokenise()."
        )


_NO_MATCH = -2  # a type's entry in the match table when it does not match


def _pattern(query: str) -> re.Pattern[str]:
    """A regular-expression query, compiled, or an error saying what is wrong with it."""
    try:
        return re.compile(query)
    except re.error as exc:
        raise AnalysisError(f"query {query!r} is not a valid regular expression: {exc}") from exc


def _matches(
    words: pd.DataFrame, query: str, kind: QueryKind
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return (first word index, last word index, part index or -1) of each match."""
    from analysis.tokenise import normalise, stem

    norms = words["norm"].to_numpy(dtype=object)
    if kind == "regex":
        pattern = _pattern(query)
        # tried once per distinct norm, not once per token
        codes, vocabulary = pd.factorize(norms, use_na_sentinel=False)
        per_type = np.full(len(vocabulary), _NO_MATCH, dtype=int)
        for t, n in enumerate(vocabulary):
            if pattern.fullmatch(n):
                per_type[t] = -1
            elif " " in n:
                # a word inside a joined multiword token
                hits = [j for j, part in enumerate(n.split(" ")) if pattern.fullmatch(part)]
                if hits:
                    per_type[t] = hits[0]
        per_token = per_type[codes] if len(codes) else np.zeros(0, dtype=int)
        arr = np.flatnonzero(per_token != _NO_MATCH)
        return arr, arr, per_token[arr]
    q = " ".join(normalise(part) for part in query.split())
    if not q:
        raise AnalysisError("query is empty; give a word, a stem, a phrase or a pattern.")
    if kind == "stem":
        values = words["stem"].to_numpy(dtype=object)
        q = stem(q)
    else:
        values = norms
    parts = q.split(" ")
    if kind in ("word", "stem") and len(parts) > 1:
        raise AnalysisError(f"query {query!r} has several words; use kind='mwe' for a phrase.")
    # a joined multiword token equal to the query, or containing it as one of its words
    # (decided once per distinct value, not once per token)
    codes, vocabulary = pd.factorize(values, use_na_sentinel=False)
    per_type = np.full(len(vocabulary), _NO_MATCH, dtype=int)
    for t, v in enumerate(vocabulary):
        if v == q:
            per_type[t] = -1
        elif " " in v and len(parts) == 1 and q in v.split(" "):
            per_type[t] = v.split(" ").index(q)
    per_token = per_type[codes] if len(codes) else np.zeros(0, dtype=int)
    single = np.flatnonzero(per_token != _NO_MATCH)
    firsts, lasts, sub = list(single), list(single), list(per_token[single])
    if len(parts) > 1:
        # the phrase as consecutive single tokens of one segment
        seg = words["seg_id"].to_numpy(dtype=object)
        k = len(parts)
        m = len(values) - k + 1
        if m > 0:
            ok = np.ones(m, dtype=bool)
            for j, p in enumerate(parts):
                ok &= values[j : j + m] == p
                if j:
                    ok &= seg[j : j + m] == seg[:m]
            for i in np.flatnonzero(ok):
                firsts.append(i)
                lasts.append(i + k - 1)
                sub.append(-1)
    order = np.argsort(np.asarray(firsts, dtype=int), kind="stable")
    return (
        np.asarray(firsts, dtype=int)[order],
        np.asarray(lasts, dtype=int)[order],
        np.asarray(sub, dtype=int)[order],
    )


def query_terms(terms: pd.DataFrame, query: str, kind: QueryKind = "word") -> list[str]:
    """The terms of a document-term matrix's terms table (``term``, ``stem``) that a query
    can match, as :func:`kwic` matches it: the query itself, a joined expression containing
    it, or (a phrase, ``kind="mwe"``) any of its words, since a phrase may also be written as
    consecutive tokens. A unit that uses none of them has no match, so a concordance needs
    only the units that use one (:meth:`analysis.pipeline.CorpusTables.tokens_for`)."""
    from analysis.tokenise import normalise, stem

    values = terms["term"].astype(str)
    if kind == "regex":
        pattern = _pattern(query)
        hit = [
            bool(pattern.fullmatch(v)) or any(pattern.fullmatch(part) for part in v.split(" "))
            for v in values
        ]
        return cast(list[str], values[hit].tolist())
    q = " ".join(normalise(part) for part in query.split())
    if not q:
        raise AnalysisError("query is empty; give a word, a stem, a phrase or a pattern.")
    if kind == "stem":
        q, values_to_match = stem(q), terms["stem"].astype(str)
    else:
        values_to_match = values
    wanted = set(q.split(" ")) if kind == "mwe" else {q}
    hit = [v == q or bool(wanted & set(v.split(" "))) for v in values_to_match]
    return cast(list[str], values[hit].tolist())


def kwic(
    tokens: pd.DataFrame,
    query: str,
    *,
    window: int = 5,
    corpus: pd.DataFrame | None = None,
    segments: pd.DataFrame | None = None,
    kind: QueryKind = "word",
    sort: SortKey | None = None,
) -> pd.DataFrame:
    """Return keyword-in-context lines for a word, stem, phrase or regular expression.

    Parameters
    ----------
    tokens : pandas.DataFrame
        Token table (already restricted to the segments to search).
    query : str
        ``kind="word"``: a word, matched case-insensitively on ``norm`` (also inside a joined
        multiword token: "trafficking" finds "human trafficking" and the line shows just the
        word when it can be located in the raw text). ``"stem"``: a word whose Snowball stem is
        matched. ``"mwe"``: a phrase, matched as a joined multiword token or as consecutive
        tokens. ``"regex"``: a pattern that must match a whole ``norm`` or one word of a joined
        multiword token (``re.fullmatch``).
    window : int, default 5
        Context words (punctuation not counted, but shown) on each side, within the segment.
    corpus : pandas.DataFrame, optional
        Corpus table (``doc_id``, ``text``). Contexts are raw-text slices at the token offsets;
        without a corpus they are the tokens joined by single spaces.
    segments : pandas.DataFrame, optional
        Segment table, for the ``label`` column; without it the label is empty.
    sort : {"left", "right"} or None
        ``"left"``: by the words nearest the match on the left, then further out; ``"right"``:
        by the right context; None: reading order.

    Returns
    -------
    pandas.DataFrame
        One row per match: ``seg_id``, ``doc_id``, ``label`` (str), ``left``, ``match``,
        ``right`` (str; line breaks shown as spaces, outer spaces stripped), ``start``/``end``
        (int64, raw offsets of the match).
    """
    _check(tokens)
    if window < 0:
        raise AnalysisError(f"window={window}: give a number of words >= 0.")
    raw = None if corpus is None else dict(zip(corpus["doc_id"], corpus["text"], strict=True))
    all_tok = tokens.reset_index(drop=True)
    punct = all_tok["is_punct"].to_numpy(dtype=bool)
    tok_seg = all_tok["seg_id"].to_numpy(dtype=object)
    words = all_tok.assign(index=np.arange(len(all_tok)))[~punct].reset_index(drop=True)
    firsts, lasts, sub = _matches(words, query, kind)
    seg = words["seg_id"].to_numpy(dtype=object)
    labels = {}
    if segments is not None:
        labels = dict(zip(segments["seg_id"], segments["label"].astype(str), strict=True))
    rows = []
    starts, ends = all_tok["start"].to_numpy(), all_tok["end"].to_numpy()
    text_col = all_tok["token"].to_numpy(dtype=object)
    for f, last, s in zip(firsts, lasts, sub, strict=True):
        sid = seg[f]
        lo = f
        while lo > 0 and seg[lo - 1] == sid and f - lo < window:
            lo -= 1
        hi = last
        while hi + 1 < len(seg) and seg[hi + 1] == sid and hi - last < window:
            hi += 1
        t_first, t_last = int(words.at[f, "index"]), int(words.at[last, "index"])
        m_start, m_end = int(starts[t_first]), int(ends[t_last])
        doc = words.at[f, "doc_id"]
        # tokens of this segment between the context bounds (punctuation included)
        t_lo, t_hi = int(words.at[lo, "index"]), int(words.at[hi, "index"])
        if window == 0:
            t_lo, t_hi = t_first, t_last
        else:
            # show punctuation that closes the right context or opens the left one
            while t_hi + 1 < len(punct) and punct[t_hi + 1] and tok_seg[t_hi + 1] == sid:
                t_hi += 1
            while t_lo - 1 >= 0 and punct[t_lo - 1] and tok_seg[t_lo - 1] == sid and lo < f:
                t_lo -= 1
        if raw is not None:
            text = raw.get(doc)
            if text is None:
                raise AnalysisError(f"tokens name document {doc!r}, which is not in the corpus.")
            if s >= 0:
                found = list(_WORD.finditer(text, m_start, m_end))
                n_parts = str(words.at[f, "norm"]).count(" ") + 1
                if len(found) == n_parts:
                    m_start, m_end = found[s].start(), found[s].end()
            left = text[int(starts[t_lo]) : m_start] if t_lo < t_first or s >= 0 else ""
            right = text[m_end : int(ends[t_hi])] if t_hi > t_last or s >= 0 else ""
            if t_lo == t_first and s >= 0:
                left = text[int(starts[t_first]) : m_start]
            if t_hi == t_last and s >= 0:
                right = text[m_end : int(ends[t_last])]
            match = text[m_start:m_end]
        else:
            left = " ".join(text_col[t_lo:t_first])
            match = " ".join(text_col[t_first : t_last + 1])
            right = " ".join(text_col[t_last + 1 : t_hi + 1])
        rows.append(
            {
                "seg_id": sid,
                "doc_id": doc,
                "label": labels.get(sid, ""),
                "left": " ".join(left.split()),
                "match": " ".join(match.split()),
                "right": " ".join(right.split()),
                "start": m_start,
                "end": m_end,
            }
        )
    out = pd.DataFrame(
        rows, columns=["seg_id", "doc_id", "label", "left", "match", "right", "start", "end"]
    ).astype({"start": "int64", "end": "int64"})
    if sort == "left":
        key = out["left"].map(lambda s: " ".join(reversed(s.casefold().split())))
        out = out.iloc[np.argsort(key.to_numpy(dtype=str), kind="stable")]
    elif sort == "right":
        key = out["right"].str.casefold()
        out = out.iloc[np.argsort(key.to_numpy(dtype=str), kind="stable")]
    elif sort is not None:
        raise AnalysisError(f"sort={sort!r}: use 'left', 'right' or None.")
    return out.reset_index(drop=True)


def collocates(
    tokens: pd.DataFrame,
    node: str,
    *,
    window: int | tuple[int, int] = 5,
    min_freq: int = 2,
    kind: QueryKind = "word",
    stopwords: bool = False,
) -> pd.DataFrame:
    """Find the words that occur near a node and measure their association with it.

    Windows count words (punctuation skipped) and stay inside the node's segment. Each token
    position inside at least one node window is one *window slot*; the 2x2 table of a collocate
    is (its occurrences in slots, slots without it, its occurrences elsewhere, the rest), so
    ``f_x`` passed to :func:`analysis.stats.association` is the number of slots (the usual
    window adjustment; with ``window=(0, 1)`` and no segment ends after the node it is the node
    frequency, and the scores equal nltk's adjacent-bigram ``BigramAssocMeasures``).

    Parameters
    ----------
    tokens : pandas.DataFrame
        Token table of the text to search.
    node : str
        The node, interpreted as in :func:`kwic` with ``kind``.
    window : int or (left, right), default 5
        Words on each side (or left and right separately).
    min_freq : int, default 2
        Minimum co-occurrence frequency ``f_xy`` for a collocate to be listed.
    kind : {"word", "stem", "mwe", "regex"}, default "word"
        How ``node`` is matched.
    stopwords : bool, default False
        List stopword collocates too (they always count in the sample size).

    Returns
    -------
    pandas.DataFrame
        Indexed by ``collocate`` (norm), sorted by ``log_dice`` then ``f_xy`` descending:
        ``f_xy`` (int64, occurrences in window slots), ``left``/``right`` (int64, of which to the
        left / right of a node), ``f_y`` (int64, total frequency), ``f_x`` (int64, window slots),
        ``f_node`` (int64, node occurrences), ``n`` (int64, words), ``pmi``, ``t_score``,
        ``log_dice``, ``g2`` (float64).
    """
    _check(tokens)
    left_w, right_w = (window, window) if isinstance(window, int) else window
    if left_w < 0 or right_w < 0 or left_w + right_w == 0:
        raise AnalysisError(f"window={window!r}: give at least one word on one side.")
    words = tokens[~tokens["is_punct"].astype(bool)].reset_index(drop=True)
    firsts, lasts, _ = _matches(words, node, kind)
    n = len(words)
    seg = words["seg_id"].to_numpy(dtype=object)
    is_node = np.zeros(n, dtype=bool)
    for f, last in zip(firsts, lasts, strict=True):
        is_node[f : last + 1] = True
    side = np.zeros(n, dtype=np.int8)  # 1 = left slot, 2 = right slot, 3 = both
    for f, last in zip(firsts, lasts, strict=True):
        for j in range(max(0, f - left_w), f):
            if seg[j] == seg[f]:
                side[j] |= 1
        for j in range(last + 1, min(n, last + 1 + right_w)):
            if seg[j] == seg[last]:
                side[j] |= 2
    slot = (side > 0) & ~is_node
    norms = words["norm"].to_numpy(dtype=object)
    f_y = pd.Series(norms).value_counts()
    in_slot = pd.DataFrame(
        {"collocate": norms[slot], "left": (side[slot] & 1) > 0, "right": (side[slot] & 2) > 0}
    )
    grouped = in_slot.groupby("collocate")
    out = pd.DataFrame(
        {"f_xy": grouped.size(), "left": grouped["left"].sum(), "right": grouped["right"].sum()}
    )
    if not stopwords and "is_stop" in words.columns:
        stops = set(words.loc[words["is_stop"].astype(bool), "norm"])
        out = out[~out.index.isin(stops)]
    out = out[out["f_xy"] >= min_freq]
    out["f_y"] = f_y.reindex(out.index).to_numpy()
    out["f_x"] = int(slot.sum())
    out["f_node"] = len(firsts)
    out["n"] = n
    out = out.astype("int64")
    scores = association(
        out["f_xy"].to_numpy(float),
        out["f_x"].to_numpy(float),
        out["f_y"].to_numpy(float),
        out["n"].to_numpy(float),
    )
    for name, values in scores.items():
        out[name] = values
    out.index.name = "collocate"
    order = np.lexsort(
        (out.index.to_numpy(dtype=str), -out["f_xy"].to_numpy(), -out["log_dice"].to_numpy())
    )
    return out.iloc[order]
