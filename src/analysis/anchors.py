"""Content anchors: find the unit a coded row belongs to by its text, not its position.

A ``seg_id`` is readable but positional: delete a paragraph and every later id shifts. A coder's
work must stay on the text it codes, so rows of a coding sheet are matched to the current units
by content (:func:`match_rows`):

1. **Exact text.** A row whose normalised text (case folded, quotes straightened, white space
   collapsed) equals a current unit's is that unit: ``kept`` when its seg_id is unchanged,
   ``moved`` when the unit now has another id. Identical texts are paired by seg_id first, then
   by their neighbours' texts, then in reading order.
2. **Edited text.** Remaining rows are paired with remaining units of the same document whose
   text is similar (:data:`SIMILAR`, ``difflib`` ratio), best pairs first: ``edited``, kept but to
   be re-read.
3. What is left: rows are ``orphaned`` (their text is gone), units are ``new``.

:func:`anchor` gives each unit a short content anchor (its text and its neighbours' texts,
hashed) that the segment table carries beside ``seg_id``.
"""

from __future__ import annotations

import difflib
import hashlib
from collections import defaultdict
from collections.abc import Sequence

import pandas as pd

from analysis.clean import normalise_quotes

__all__ = [
    "MATCH_COLUMNS",
    "SIMILAR",
    "anchor",
    "content_key",
    "match_rows",
    "normalise",
    "text_sha",
]

#: How similar an edited text must be to its earlier version (difflib ratio); a row keeping its
#: seg_id needs only :data:`SIMILAR_SAME_ID`.
SIMILAR = 0.5
SIMILAR_SAME_ID = 0.2
MATCH_COLUMNS = ["row", "seg_id", "status", "similarity"]


def normalise(text: str) -> str:
    """Case-folded text with straight quotes and single spaces: what content matching compares.

    Examples
    --------
    >>> normalise("  The \u201cState\u201d  must\\nact. ")
    'the "state" must act.'
    """
    return " ".join(normalise_quotes(str(text)).casefold().split())


def text_sha(text: str) -> str:
    """The SHA-256 (hex) of a unit's text exactly as shown: the ``text_sha`` of the segment
    table and of coding sheets, which tells a coder's row that its text has changed."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def content_key(text: str) -> str:
    """A 16-hex-digit hash of the normalised text."""
    return _hash(normalise(text))


def _hash(normalised: str) -> str:
    return hashlib.sha256(normalised.encode("utf-8")).hexdigest()[:16]


def anchor(texts: Sequence[str]) -> list[str]:
    """Content anchors of a document's units in reading order: own text plus neighbours', hashed.

    Two units with the same text get different anchors when their neighbours differ; an anchor
    changes only when the unit or a neighbour is edited, never when units elsewhere move.
    """
    joined = "\0".join(map(str, texts))
    if joined.count("\0") == len(texts) - 1:
        # one pass of quote straightening and case folding for the whole document
        folded = normalise_quotes(joined).casefold().split("\0")
        keys = [_hash(" ".join(t.split())) for t in folded]
    else:  # a text holding the separator itself
        keys = [content_key(t) for t in texts]
    padded = ["", *keys, ""]
    return [
        hashlib.sha256("|".join(padded[i : i + 3]).encode("ascii")).hexdigest()[:16]
        for i in range(len(keys))
    ]


def _doc_of(seg_id: str, docs: Sequence[str]) -> str:
    best = ""
    for doc in docs:
        if seg_id.startswith(f"{doc}-") and len(doc) > len(best):
            best = doc
    return best


def match_rows(
    rows: pd.DataFrame, units: pd.DataFrame, *, fuzzy: bool = True
) -> tuple[pd.DataFrame, list[str]]:
    """Match coded rows to the current units by content.

    Parameters
    ----------
    rows : DataFrame
        The rows of a coding sheet: ``seg_id`` (the real seg_id the row was exported with, or
        ``""``) and ``text`` (the unit's text when exported); ``doc_id`` is used when present.
    units : DataFrame
        The current units in reading order: ``seg_id``, ``doc_id``, ``text``.
    fuzzy : bool, default True
        Also pair edited texts (step 2); False matches exact texts only.

    Returns
    -------
    (DataFrame, list of str)
        One row per input row, in input order: ``row`` (int, the row's position), ``seg_id``
        (str, the current unit, ``""`` when orphaned), ``status`` (``kept``, ``moved``,
        ``edited`` or ``orphaned``) and ``similarity`` (float, 1.0 for exact matches, the difflib
        ratio for edited ones, 0.0 for orphans); and the seg_ids of the current units no row
        matched (``new``), in reading order.
    """
    unit_ids = [str(s) for s in units["seg_id"]]
    unit_norm = [normalise(t) for t in units["text"]]
    unit_doc = [str(d) for d in units["doc_id"]]
    row_ids = [str(s) for s in rows["seg_id"]]
    row_norm = [normalise(t) for t in rows["text"]]
    docs = sorted(set(unit_doc))
    row_doc = (
        [str(d) for d in rows["doc_id"]]
        if "doc_id" in rows.columns
        else [_doc_of(s, docs) for s in row_ids]
    )
    result: list[tuple[str, str, float] | None] = [None] * len(row_ids)
    taken: set[int] = set()

    def context(texts: list[str], i: int) -> tuple[str, str]:
        return (texts[i - 1] if i > 0 else "", texts[i + 1] if i + 1 < len(texts) else "")

    by_text: dict[str, list[int]] = defaultdict(list)
    for j, text in enumerate(unit_norm):
        by_text[text].append(j)
    rows_by_text: dict[str, list[int]] = defaultdict(list)
    for i, text in enumerate(row_norm):
        rows_by_text[text].append(i)
    for text, candidates in rows_by_text.items():
        free = [j for j in by_text.get(text, []) if j not in taken]
        if not free:
            continue
        # seg_id first, then neighbours' texts, then reading order
        for key in ("id", "context", "order"):
            for i in candidates:
                if result[i] is not None or not free:
                    continue
                if key == "id":
                    pick = next((j for j in free if unit_ids[j] == row_ids[i]), None)
                elif key == "context":
                    pick = next(
                        (j for j in free if context(unit_norm, j) == context(row_norm, i)), None
                    )
                else:
                    pick = free[0]
                if pick is None:
                    continue
                free.remove(pick)
                taken.add(pick)
                status = "kept" if unit_ids[pick] == row_ids[i] else "moved"
                result[i] = (unit_ids[pick], status, 1.0)
    if fuzzy:
        pairs = []
        open_units = [j for j in range(len(unit_ids)) if j not in taken]
        for i, text in enumerate(row_norm):
            if result[i] is not None or not text:
                continue
            for j in open_units:
                if row_doc[i] and unit_doc[j] != row_doc[i]:
                    continue
                matcher = difflib.SequenceMatcher(None, text, unit_norm[j], autojunk=False)
                if matcher.real_quick_ratio() < SIMILAR_SAME_ID:
                    continue
                ratio = matcher.ratio()
                same = unit_ids[j] == row_ids[i]
                if ratio >= SIMILAR or (same and ratio >= SIMILAR_SAME_ID):
                    pairs.append((ratio + (0.25 if same else 0.0), ratio, i, j))
        for _, ratio, i, j in sorted(pairs, key=lambda p: (-p[0], p[2], p[3])):
            if result[i] is None and j not in taken:
                taken.add(j)
                result[i] = (unit_ids[j], "edited", round(ratio, 4))
    table = pd.DataFrame(
        [(i, *(r if r is not None else ("", "orphaned", 0.0))) for i, r in enumerate(result)],
        columns=MATCH_COLUMNS,
    )
    new = [unit_ids[j] for j in range(len(unit_ids)) if j not in taken]
    return table, new
