"""Normalise a document for reading and for counting, logging every change with raw offsets.

The raw text is never modified. Cleaning produces two derived texts, each with a map from its
characters back to raw offsets:

``display``
    What a reader and a coder see: Unicode NFC, Unicode spaces and tabs as plain spaces, runs of
    spaces collapsed, spaces trimmed at line ends, zero-width characters and markdown emphasis
    marks (``**bold**``, ``__bold__``, ``*em*``, ``_em_``) removed. Segment ``text`` comes from it.
``analysis``
    The display text plus changes made only for matching and counting: typographic quotes made
    straight (``’`` to ``'``), and editorial artefacts removed, detected by general rules: an
    immediately repeated word sequence ("in the in the" keeps one "in the"; single repeated words
    that English uses legitimately, such as "that that" or "had had", are left alone) and a
    bracketed placeholder left in by an editor ("(when)", "[name]", "(TBC)", "[insert date]").
    Tokens come from it.

Every change is one row of the cleaning log: ``doc_id``, ``kind``, ``scope`` (``display`` or
``analysis``), ``start``, ``end`` (raw offsets of the changed span), ``before``, ``after``.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from analysis.schema import LOG_COLUMNS

_QUOTES = {
    "\u2018": "'",  # left single quotation mark
    "\u2019": "'",  # right single quotation mark / apostrophe
    "\u201a": "'",
    "\u201b": "'",
    "\u2032": "'",  # prime
    "\u201c": '"',
    "\u201d": '"',
    "\u201e": '"',
    "\u201f": '"',
    "\u2033": '"',
    "\u00ab": '"',
    "\u00bb": '"',
}
_QUOTE_RE = re.compile("[" + "".join(_QUOTES) + "]")
_ZERO_WIDTH_RE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_ODD_SPACE_RE = re.compile("[\t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")
# Any character one of the three rules above acts on.
# (one character class of all three: a single class is scanned far faster than an alternation)
_RARE_CHAR_RE = re.compile(
    "[" + "".join(p.pattern[1:-1] for p in (_QUOTE_RE, _ZERO_WIDTH_RE, _ODD_SPACE_RE)) + "]"
)
_MULTI_SPACE_RE = re.compile(r"(?<=\S) {2,}(?=\S)")
_TRAILING_SPACE_RE = re.compile(r" +(?=\n|$)")
# Emphasis marks: opening mark followed by non-space, closing mark preceded by non-space, not
# across a blank line. Double marks first so "**x**" is not read as "*" + "*x*" + "*".
_NO_BLANK = r"(?:(?!\n[ \t]*\n).)"
_EMPHASIS_RES = [
    re.compile(rf"(\*\*|__)(?=\S){_NO_BLANK}+?(?<=\S)\1", re.DOTALL),
    re.compile(rf"(?<![\w*])(\*)(?=[^\s*]){_NO_BLANK}+?(?<=[^\s*])\*(?![\w*])", re.DOTALL),
    re.compile(rf"(?<![\w_])(_)(?=[^\s_]){_NO_BLANK}+?(?<=[^\s_])_(?![\w_])", re.DOTALL),
]
# A repeated run of 1 to 4 words: "in the in the", "the the".
_REPEAT_RE = re.compile(r"\b((?:[^\W\d_]+[ \t]+){0,3}[^\W\d_]+)[ \t]+\1\b", re.IGNORECASE)
# Single words English legitimately doubles ("that that", "had had", "is is" in quotations...).
_LEGIT_DOUBLES = frozenset({"that", "had", "is", "do", "can", "will", "bye", "very", "no", "so"})
_PLACEHOLDER_WORDS = (
    "when|where|who|whom|what|which|why|how|date|name|names|place|year|month|source|ref|"
    "reference|tbc|tbd|tba|xx+|\\?+|\\.\\.\\.|…|citation needed|sic|to be confirmed|"
    "insert[^()\\[\\]\\n]{0,40}"
)
_PLACEHOLDER_RE = re.compile(rf"(?:\((?i:{_PLACEHOLDER_WORDS})\)|\[(?i:{_PLACEHOLDER_WORDS})\])")


@dataclass(frozen=True)
class Edit:
    """One change to the raw text: replace ``raw[start:end]`` by ``after``."""

    kind: str
    scope: str
    start: int
    end: int
    before: str
    after: str


@dataclass(frozen=True)
class CleanText:
    """A derived text and, for each of its characters, the raw offset it came from.

    ``to_raw`` has ``len(text) + 1`` entries; the last is the raw offset just past the end, so a
    span ``[i, j)`` of ``text`` maps to ``[to_raw[i], to_raw[j - 1] + 1)`` of the raw text.
    """

    text: str
    to_raw: np.ndarray

    def raw_span(self, start: int, end: int) -> tuple[int, int]:
        """Map a non-empty span of this text to its span in the raw text."""
        return int(self.to_raw[start]), int(self.to_raw[end - 1]) + 1


@dataclass(frozen=True)
class CleanedDocument:
    """The two cleaned versions of one document and the edits that made them."""

    raw: str
    display: CleanText
    analysis: CleanText
    edits: tuple[Edit, ...]


def _nfc_edits(raw: str) -> list[Edit]:
    if unicodedata.is_normalized("NFC", raw):
        return []
    edits = []
    # A cluster is a character and the combining marks that follow it.
    for m in re.finditer(
        r".[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]*", raw, re.DOTALL
    ):
        cluster = m.group()
        nfc = unicodedata.normalize("NFC", cluster)
        if nfc != cluster:
            edits.append(Edit("unicode_nfc", "display", m.start(), m.end(), cluster, nfc))
    return edits


def _regex_edits(
    pattern: re.Pattern[str],
    raw: str,
    kind: str,
    scope: str,
    after: str | Callable[[re.Match[str]], str],
) -> list[Edit]:
    return [
        Edit(kind, scope, m.start(), m.end(), m.group(), after(m) if callable(after) else after)
        for m in pattern.finditer(raw)
    ]


def _emphasis_edits(raw: str) -> list[Edit]:
    edits: list[Edit] = []
    taken: list[tuple[int, int]] = []
    for pattern in _EMPHASIS_RES:
        for m in pattern.finditer(raw):
            if any(s < m.end() and m.start() < e for s, e in taken):
                continue
            mark = m.group(1)
            taken.append((m.start(), m.end()))
            edits.append(
                Edit("markdown_emphasis", "display", m.start(), m.start() + len(mark), mark, "")
            )
            edits.append(
                Edit("markdown_emphasis", "display", m.end() - len(mark), m.end(), mark, "")
            )
    return edits


# A letter as the repeat rule sees it: ``[^\W\d_]``, the same class as in _REPEAT_RE.
_LETTER_RE = re.compile(r"[^\W\d_]")


def code_points(text: str) -> np.ndarray:
    """Return the code points of ``text`` as a uint32 array, one per character."""
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


@lru_cache(maxsize=8)
def _ascii_table(char_re: re.Pattern[str]) -> np.ndarray:
    return np.array([bool(char_re.match(chr(c))) for c in range(128)])


def class_mask(codes: np.ndarray, char_re: re.Pattern[str]) -> np.ndarray:
    """For each code point, whether the one-character pattern ``char_re`` matches it.

    ASCII by a cached table; other characters by the pattern itself, once per distinct one, so
    the mask agrees with what the regular expression engine would decide.
    """
    low = codes < 128
    mask = np.zeros(len(codes), dtype=bool)
    mask[low] = _ascii_table(char_re)[codes[low]]
    if not low.all():
        other = np.flatnonzero(~low)
        distinct, inverse = np.unique(codes[other], return_inverse=True)
        matched = np.fromiter(
            (bool(char_re.match(chr(c))) for c in distinct.tolist()), bool, len(distinct)
        )
        mask[other] = matched[inverse]
    return mask


def _word_keys(raw: str) -> tuple[np.ndarray, np.ndarray] | None:
    """Start offset and a case-insensitive key of every word (maximal run of letters).

    Two words with the same case-folded spelling get the same key (mixed from the length, the
    sum of code points and a position-weighted sum, all from prefix sums), computed in numpy
    without a string per word. Different words can share a key; callers confirm with the exact
    rule. ``None`` when case folding changes the length (e.g. "ß" -> "ss"), so positions would
    not line up.
    """
    folded = raw.casefold()
    if len(folded) != len(raw):
        return None
    codes = code_points(folded)
    letter = class_mask(codes, _LETTER_RE)
    edges = np.diff(letter.astype(np.int8), prepend=np.int8(0), append=np.int8(0))
    starts = np.flatnonzero(edges == 1)
    ends = np.flatnonzero(edges == -1)
    values = codes.astype(np.int64)
    index = np.arange(len(values), dtype=np.int64)
    c1 = np.concatenate(([0], np.cumsum(values)))
    c2 = np.concatenate(([0], np.cumsum(values * index)))
    s1 = c1[ends] - c1[starts]
    s2 = (c2[ends] - c2[starts]) - starts * s1  # sum of (offset within word) x code point
    # One int64 per word; the products may wrap around, which keeps equal words equal.
    keys = (ends - starts) * np.int64(1_000_003) + s1 * np.int64(7_919) + s2
    return starts, keys


# A word and the non-word characters before it: consecutive matches tile the text, so word
# offsets follow from the lengths without a match object per word.
_GAP_WORD_RE = re.compile(r"([\W\d_]*)([^\W\d_]+)")


def _word_keys_slow(raw: str) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_word_keys` for texts whose case folding changes length: one string per word."""
    pairs = _GAP_WORD_RE.findall(raw)
    if not pairs:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    gaps, words = zip(*pairs, strict=True)
    keys = pd.factorize(pd.Index([w.casefold() for w in words], dtype=object))[0]
    word_len = np.fromiter(map(len, words), np.int64, len(words))
    starts = np.cumsum(np.fromiter(map(len, gaps), np.int64, len(words)) + word_len) - word_len
    return starts, keys.astype(np.int64)


def _repeat_edits(raw: str) -> list[Edit]:
    """Immediately repeated runs of 1 to 4 words, found by comparing word keys (vectorised)."""
    found = _word_keys(raw)
    word_start, keys = found if found is not None else _word_keys_slow(raw)
    n = len(word_start)
    hits = np.zeros(n, dtype=bool)
    for k in range(1, 5):
        if n < 2 * k:
            break
        same = keys[k:] == keys[:-k]  # same[i]: word i+k looks like word i
        # the k words starting at i are repeated right after them: same[i..i+k-1] all true
        width = len(same) - k + 1
        run = same[:width].copy()
        for j in range(1, k):
            run &= same[j : j + width]
        hits[:width] |= run
    candidates = np.flatnonzero(hits)
    edits = []
    last_end = -1
    for pos in word_start[candidates].tolist():
        if pos < last_end:
            continue
        # Confirm with the exact rule: same words, separated by spaces or tabs only.
        m = _REPEAT_RE.match(raw, pos)
        if m and (" " in m.group(1).strip() or m.group(1).lower() not in _LEGIT_DOUBLES):
            phrase = m.group(1)
            # Keep the first occurrence; remove the separator and the second occurrence.
            start = m.start(1) + len(phrase)
            edits.append(
                Edit("repeated_sequence", "analysis", start, m.end(), raw[start : m.end()], "")
            )
            last_end = m.end()
    return edits


def _placeholder_edits(raw: str) -> list[Edit]:
    edits: list[Edit] = []
    if "(" not in raw and "[" not in raw:  # every placeholder is bracketed
        return edits
    for m in _PLACEHOLDER_RE.finditer(raw):
        # Take one space or tab before the bracket with it, so no double space is left.
        start = m.start() - 1 if m.start() and raw[m.start() - 1] in " \t" else m.start()
        edits.append(Edit("placeholder", "analysis", start, m.end(), raw[start : m.end()], ""))
    return edits


def _disjoint(spans: np.ndarray) -> bool:
    """Whether no two of the non-empty ``(start, end)`` spans overlap."""
    spans = spans[np.argsort(spans[:, 0], kind="stable")]
    return bool((spans[1:, 0] >= np.maximum.accumulate(spans[:-1, 1])).all())


def find_edits(raw: str) -> list[Edit]:
    """Return every cleaning edit for a raw text, sorted by offset, without overlaps.

    Where two rules claim overlapping spans, the earlier rule in this order wins: NFC, zero-width
    characters, odd spaces, emphasis marks, placeholders, repeated sequences, quotes, space runs,
    trailing spaces.
    """
    # one scan instead of three, usually empty; none of those characters is ASCII but the tab
    rare = (not raw.isascii() or "\t" in raw) and _RARE_CHAR_RE.search(raw) is not None
    candidates = (
        _nfc_edits(raw)
        + (_regex_edits(_ZERO_WIDTH_RE, raw, "zero_width", "display", "") if rare else [])
        + (_regex_edits(_ODD_SPACE_RE, raw, "whitespace", "display", " ") if rare else [])
        + (_emphasis_edits(raw) if ("*" in raw or "_" in raw) else [])
        + _placeholder_edits(raw)
        + _repeat_edits(raw)
        + (
            _regex_edits(_QUOTE_RE, raw, "quote", "analysis", lambda m: _QUOTES[m.group()])
            if rare
            else []
        )
        + (_regex_edits(_MULTI_SPACE_RE, raw, "whitespace", "display", " ") if "  " in raw else [])
        + (
            _regex_edits(_TRAILING_SPACE_RE, raw, "whitespace", "display", "")
            if (" \n" in raw or raw.endswith(" "))
            else []
        )
    )
    spans = np.array([(e.start, e.end) for e in candidates if e.end > e.start], dtype=np.int64)
    if len(spans) < 2 or _disjoint(spans):  # the usual case: no two rules claim one span
        return sorted(candidates, key=lambda e: (e.start, e.end))
    chosen: list[Edit] = []
    occupied = np.zeros(len(raw) + 1, dtype=bool)
    for edit in candidates:
        if edit.end > edit.start and occupied[edit.start : edit.end].any():
            continue
        occupied[edit.start : edit.end] = True
        chosen.append(edit)
    chosen.sort(key=lambda e: (e.start, e.end))
    return chosen


def apply_edits(raw: str, edits: list[Edit] | tuple[Edit, ...]) -> CleanText:
    """Apply non-overlapping edits to ``raw``; return the text and its map to raw offsets.

    Characters of a replacement map to the replaced span proportionally (a one-for-one
    replacement such as a quote maps exactly).
    """
    pieces: list[str] = []
    # The map is built from runs: output run i maps to raw offsets bases[i], bases[i] + 1, ...
    bases: list[int] = []
    lengths: list[int] = []
    pos = 0
    for e in edits:
        if e.start > pos:
            pieces.append(raw[pos : e.start])
            bases.append(pos)
            lengths.append(e.start - pos)
        if e.after:
            pieces.append(e.after)
            n, width, last = len(e.after), max(e.end - e.start, 1), max(e.end - 1, e.start)
            for j in range(n):
                bases.append(min(e.start + (j * width) // n, last))
                lengths.append(1)
        pos = e.end
    pieces.append(raw[pos:])
    bases += [pos, len(raw)]
    lengths += [len(raw) - pos, 1]
    base = np.asarray(bases, dtype=np.int64)
    length = np.asarray(lengths, dtype=np.int64)
    out_start = np.cumsum(length) - length
    to_raw = np.repeat(base - out_start, length) + np.arange(int(length.sum()), dtype=np.int64)
    return CleanText("".join(pieces), to_raw)


#: Characters of raw text whose cleaned versions are kept for reuse, the most recently used
#: first (a document is cleaned once for its units, its cleaning log and its counts, and again
#: for its concordance lines). A cleaned character costs about 18 bytes (two texts and two
#: offset maps), so the default holds about 36 MB, bounded however long the documents are.
CLEANED_CHARS = 2_000_000

_CLEANED: OrderedDict[str, CleanedDocument] = OrderedDict()
_CLEANED_LOCK = threading.Lock()
_cleaned_chars = 0


def clean_document(raw: str) -> CleanedDocument:
    """Clean one raw text into its display and analysis versions (the most recently cleaned
    texts are kept, up to :data:`CLEANED_CHARS` characters, and never fewer than one)."""
    with _CLEANED_LOCK:
        found = _CLEANED.get(raw)
        if found is not None:
            _CLEANED.move_to_end(raw)
            return found
    edits = tuple(find_edits(raw))
    display = apply_edits(raw, [e for e in edits if e.scope == "display"])
    analysis = apply_edits(raw, edits)
    cleaned = CleanedDocument(raw, display, analysis, edits)
    global _cleaned_chars
    with _CLEANED_LOCK:
        if raw not in _CLEANED:
            _CLEANED[raw] = cleaned
            _cleaned_chars += len(raw)
        while _cleaned_chars > CLEANED_CHARS and len(_CLEANED) > 1:
            _cleaned_chars -= len(_CLEANED.popitem(last=False)[0])
    return cleaned


def cleaning_log(corpus: pd.DataFrame) -> pd.DataFrame:
    """Return the cleaning log of every document in a corpus table.

    Returns
    -------
    DataFrame
        One row per change with ``doc_id`` (str), ``kind`` (``unicode_nfc``, ``zero_width``,
        ``whitespace``, ``markdown_emphasis``, ``placeholder``, ``repeated_sequence``, ``quote``),
        ``scope`` (``display`` or ``analysis``), ``start``, ``end`` (int, raw offsets),
        ``before`` and ``after`` (str), in document and offset order.
    """
    rows = [
        (doc_id, e.kind, e.scope, e.start, e.end, e.before, e.after)
        for doc_id, raw in zip(corpus["doc_id"], corpus["text"], strict=True)
        for e in clean_document(raw).edits
    ]
    log = pd.DataFrame(rows, columns=LOG_COLUMNS)
    return log.astype({"start": "int64", "end": "int64"})


def normalise_quotes(text: str) -> str:
    """Replace typographic quotes and primes by straight ones (for matching queries)."""
    if text.isascii():  # no typographic quote is ASCII
        return text
    return _QUOTE_RE.sub(lambda m: _QUOTES[m.group()], text)
