"""Cut documents into the units an analyst reads, and units into sentences, with raw offsets.

A unit is one of the kinds below. ``segment_corpus`` applies general layout rules to each
document's display text (see :mod:`analysis.clean`):

* Lines are grouped into blocks separated by blank lines. Inside a block, a line that opens with a
  paragraph number (``1.``, ``1)``, ``(1)``) or a list marker (``i.``, ``(a)``, ``- ii.``, ``-``,
  ``•``) starts a new unit; other lines continue the current unit.
* Numbered paragraphs and paragraphs that read as prose are ``body``. A marked item is a
  ``list_item`` whose label joins its parent paragraph's label and its own marker (``4.ii``).
* Before the first body paragraph (the front matter), each line is its own unit: a
  ``salutation`` ("Madam Chair,", "Dear ..."), a ``dateline`` (a short line with a date), or a
  ``heading`` (a title, a label such as "Press Statement:", an agenda item: any line that does not
  end as a sentence does).
* After the last body paragraph (the back matter), a courtesy line ("Thank you, ...",
  "Yours sincerely") is a ``closing``, short lines that do not read as sentences are
  ``signature`` lines, and a short line with a date is a ``dateline``.

Labels follow the document's numbering where it has one, else the position among body
paragraphs. ``seg_id`` is ``{doc_id}-p{label}`` for body paragraphs and list items (numeric parts
zero-padded to two digits: ``gov-2024-p04.ii``) and ``{doc_id}-{h|d|s|c|g}{nn}`` for headings,
datelines, salutations, closings and signatures, numbered in reading order within the kind.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Literal

import numpy as np
import pandas as pd
from nltk.tokenize.punkt import PunktParameters, PunktSentenceTokenizer

from analysis.clean import CleanText, clean_document
from analysis.corpus import document_columns
from analysis.errors import SegmentationError

Kind = Literal["heading", "dateline", "salutation", "body", "list_item", "closing", "signature"]
KINDS: tuple[str, ...] = (
    "heading",
    "dateline",
    "salutation",
    "body",
    "list_item",
    "closing",
    "signature",
)
ANALYSIS_KINDS: tuple[str, ...] = ("body", "list_item")
SEGMENT_COLUMNS = [
    "seg_id", "doc_id", "position", "kind", "label", "text", "start", "end", "text_sha",
    "n_chars",
]
_KIND_PREFIX = {
    "heading": "h",
    "dateline": "d",
    "salutation": "s",
    "closing": "c",
    "signature": "g",
}

_NUMBERED = re.compile(r"^[ \t]*(?:\(?(\d{1,3})[.)]|\((\d{1,3})\))[ \t]+(?=\S)")
_ROMAN = r"(?=[ivx])(?:x{0,3}(?:ix|iv|v?i{0,3}))"
_LIST_MARKED = re.compile(
    rf"^[ \t]*(?:[-\u2013\u2022*\u25aa\u25cf\u00b7][ \t]*)?"
    rf"(?:\(({_ROMAN}|[a-z])\)|({_ROMAN}|[a-z])[.)])[ \t]+(?=\S)",
    re.IGNORECASE,
)
_BULLET = re.compile(r"^[ \t]*[-\u2013\u2022*\u25aa\u25cf\u00b7][ \t]+(?=\S)")
_MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december|"
    "jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
)
_DATE = re.compile(
    rf"\b(?:\d{{1,2}}(?:\s*[-\u2013]\s*\d{{1,2}})?\s+(?:{_MONTHS})\.?,?\s+\d{{4}}"
    rf"|(?:{_MONTHS})\.?\s+\d{{1,2}}(?:\s*[-\u2013]\s*\d{{1,2}})?,?\s+\d{{4}}"
    rf"|\d{{4}}-\d{{2}}-\d{{2}}|\d{{1,2}}/\d{{1,2}}/\d{{4}})\b",
    re.IGNORECASE,
)
_SALUTATION = re.compile(
    r"^(?:dear\b|madam\b|mr\.?\s|mister\b|sir\b|excellenc|your excellenc|distinguished\b|"
    r"ladies and gentlemen|honou?rable\b|esteemed\b|co-chairs?\b|chairs?\b|mr\.? president|"
    r"madam president|colleagues\b|friends\b|to whom it may concern)",
    re.IGNORECASE,
)
_CLOSING = re.compile(
    r"^(?:thank you\b|thanks\b|i thank you\b|we thank you\b|sincerely\b|yours\b|regards\b|"
    r"best regards\b|kind regards\b|respectfully\b|with (?:best|warm) regards)",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"[.!?\u2026][\"')\]\u2019\u201d]*$")


@dataclass
class _Unit:
    kind: str
    start: int  # display-text offsets
    end: int
    label: str = ""
    marker: str = ""  # list marker as written ("ii") or "" for a bullet
    numbered: bool = False


def _lines(text: str) -> list[tuple[int, int]]:
    """Spans of the non-blank lines, stripped of surrounding spaces, with a blank-line flag."""
    spans = []
    pos = 0
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped:
            lead = len(line) - len(line.lstrip())
            spans.append((pos + lead, pos + lead + len(stripped)))
        else:
            spans.append((pos, pos))  # blank
        pos += len(line) + 1
    return spans


def _n_words(text: str) -> int:
    return len(text.split())


def _reads_as_prose(text: str) -> bool:
    """A paragraph of prose ends as a sentence does, or is a long lead-in ending with a colon."""
    text = text.strip()
    return bool(_SENTENCE_END.search(text)) or (text.endswith(":") and _n_words(text) > 8)


def _is_dateline(text: str) -> bool:
    return bool(_DATE.search(text)) and _n_words(text) <= 10 and not _SENTENCE_END.search(
        text.rstrip(".")
    )


def _front_kind(text: str) -> str:
    if _SALUTATION.match(text) and text.rstrip().endswith((",", ":")) and _n_words(text) <= 12:
        return "salutation"
    if _is_dateline(text):
        return "dateline"
    return "heading"


def _back_kind(text: str) -> str | None:
    """Kind of a trailing short line, or None if it reads as a body paragraph."""
    if _CLOSING.match(text) and _n_words(text) <= 15:
        return "closing"
    if _is_dateline(text):
        return "dateline"
    if _n_words(text) <= 8 and not _reads_as_prose(text):
        return "signature"
    return None


def _raw_units(display: str) -> list[_Unit]:
    """Split display text into units with provisional kinds (body or list_item or front/back)."""
    units: list[_Unit] = []
    current: _Unit | None = None
    for start, end in _lines(display):
        if start == end:  # blank line closes the current unit
            current = None
            continue
        line = display[start:end]
        numbered = _NUMBERED.match(line)
        marked = None if numbered else _LIST_MARKED.match(line)
        bullet = None if (numbered or marked) else _BULLET.match(line)
        if numbered:
            number = numbered.group(1) or numbered.group(2)
            current = _Unit("body", start + numbered.end(), end, label=str(int(number)),
                            numbered=True)
            units.append(current)
        elif marked or bullet:
            m = marked or bullet
            marker = (marked.group(1) or marked.group(2)).lower() if marked else ""
            current = _Unit("list_item", start + m.end(), end, marker=marker)
            units.append(current)
        elif current is not None:
            current.end = end  # continuation line of the same unit
        else:
            current = _Unit("block", start, end)
            units.append(current)
    return units


def _assign_kinds(units: list[_Unit], display: str) -> None:
    """Resolve provisional ``block`` units into front matter, body and back matter."""
    def text(u: _Unit) -> str:
        return display[u.start:u.end]

    body_like = [
        i for i, u in enumerate(units)
        if u.kind in ("body", "list_item") or (u.kind == "block" and _reads_as_prose(text(u))
                                               and _n_words(text(u)) >= 6)
    ]
    # Back matter: trailing units that are closings, datelines or signature-like short lines.
    back_start = len(units)
    for i in range(len(units) - 1, -1, -1):
        u = units[i]
        lines = [text(u)[s:e] for s, e in _lines(text(u)) if e > s]
        if u.kind != "block" or any(_back_kind(line) is None for line in lines):
            break
        back_start = i
    first_body = next((i for i in body_like if i < back_start), back_start)
    new: list[_Unit] = []
    for i, u in enumerate(units):
        if u.kind != "block":
            new.append(u)
        elif i < first_body or i >= back_start:
            # Front and back matter: one unit per line.
            for ls, le in _lines(display[u.start:u.end]):
                if ls == le:
                    continue
                line = display[u.start + ls:u.start + le]
                kind = _front_kind(line) if i < first_body else (_back_kind(line) or "signature")
                new.append(_Unit(kind, u.start + ls, u.start + le))
        elif "\n" not in text(u) and _n_words(text(u)) <= 12 and not _reads_as_prose(text(u)):
            u.kind = "heading"  # a section heading between paragraphs
            new.append(u)
        else:
            u.kind = "body"
            new.append(u)
    units[:] = new


def _assign_labels(units: list[_Unit]) -> None:
    numbered_doc = any(u.numbered for u in units)
    body_count = 0
    parent = ""
    items_under_parent = 0
    used: set[str] = set()
    last_number = 0
    suffix = 0
    for u in units:
        if u.kind == "body":
            body_count += 1
            if u.numbered:
                last_number = int(u.label)
                suffix = 0
            elif numbered_doc:
                suffix += 1  # an unnumbered paragraph inside a numbered document: "3a"
                u.label = f"{last_number}{chr(96 + min(suffix, 26))}"
            else:
                u.label = str(body_count)
            parent = u.label
            items_under_parent = 0
        elif u.kind == "list_item":
            items_under_parent += 1
            marker = u.marker or str(items_under_parent)
            u.label = f"{parent}.{marker}" if parent else marker
        else:
            continue
        base, k = u.label, 1
        while u.label in used:  # numbering that restarts: keep ids unique and stable
            k += 1
            u.label = f"{base}-{k}"
        used.add(u.label)


_LONE_DIGIT_RE = re.compile(r"(?<![\d])(\d)(?![\d])")
_LINE_BREAK_RE = re.compile(r"\s*\n\s*")


def _pad(label: str) -> str:
    return _LONE_DIGIT_RE.sub(r"0\1", label.split(".")[0]) + (
        "." + ".".join(label.split(".")[1:]) if "." in label else ""
    )


def _text_sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def segment_document(raw: str, doc_id: str) -> pd.DataFrame:
    """Segment one raw document; return its units (see :func:`segment_corpus` for columns)."""
    return pd.DataFrame(segment_rows(raw, doc_id), columns=SEGMENT_COLUMNS)


def segment_rows(raw: str, doc_id: str) -> list[tuple]:
    """Segment one raw document; return its units as tuples in :data:`SEGMENT_COLUMNS` order.

    The table-free form of :func:`segment_document`, for callers that stream many documents.
    """
    cleaned = clean_document(raw)
    display = cleaned.display
    units = _raw_units(display.text)
    _assign_kinds(units, display.text)
    _assign_labels(units)
    if not any(u.kind in ANALYSIS_KINDS for u in units):
        # A text of short sentences only (a test snippet, a one-line statement): its sentence-like
        # lines are its body.
        for u in units:
            if u.kind in ("heading", "signature", "dateline") and _reads_as_prose(
                    display.text[u.start:u.end]):
                u.kind = "body"
        _assign_labels(units)
    if not any(u.kind in ANALYSIS_KINDS for u in units):
        raise SegmentationError(
            f"document {doc_id!r} has no body paragraph: no line reads as prose. Check that the "
            "file holds the statement's text, with paragraphs separated by blank lines or numbers"
        )
    counters: dict[str, int] = {}
    rows = []
    for position, u in enumerate(units):
        text = display.text[u.start:u.end]
        # Units spanning lines read as one paragraph.
        if "\n" in text:
            text = _LINE_BREAK_RE.sub(" ", text)
        start, end = display.raw_span(u.start, u.end)
        if u.kind in ANALYSIS_KINDS:
            seg_id = f"{doc_id}-p{_pad(u.label)}"
        else:
            counters[u.kind] = counters.get(u.kind, 0) + 1
            seg_id = f"{doc_id}-{_KIND_PREFIX[u.kind]}{counters[u.kind]:02d}"
        rows.append((seg_id, doc_id, position, u.kind, u.label, text, start, end,
                     _text_sha(text), len(text)))
    return rows


def segment_corpus(corpus: pd.DataFrame) -> pd.DataFrame:
    """Cut every document of a corpus table into units with kinds, labels, ids and offsets.

    Parameters
    ----------
    corpus
        A table from :func:`analysis.corpus.load_corpus` (``doc_id``, ``text`` and metadata).

    Returns
    -------
    DataFrame
        One row per unit, documents in corpus order and units in reading order:
        ``seg_id`` (str, unique, stable), ``doc_id`` (str), ``position`` (int, 0-based within the
        document), ``kind`` (str, one of :data:`KINDS`), ``label`` (str, the document's numbering
        such as ``7`` or ``4.ii``, else the position among body paragraphs; empty for other
        kinds), ``text`` (str, the unit as written: display-cleaned, lines joined, numbering
        marker excluded), ``start``/``end`` (int, offsets into the raw text: the raw slice is the
        unit up to whitespace and markup marks), ``text_sha`` (str, sha256 of ``text``),
        ``n_chars`` (int), and the document's ``actor_type``, ``organisation``, ``date``,
        ``genre``, ``title``, ``venue`` where the corpus has them.
    """
    frames = [segment_document(raw, doc_id)
              for doc_id, raw in zip(corpus["doc_id"], corpus["text"], strict=True)]
    segments = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
        columns=SEGMENT_COLUMNS)
    meta = corpus[["doc_id", *document_columns(corpus)]]
    return segments.merge(meta, on="doc_id", how="left", validate="many_to_one")


@lru_cache(maxsize=1)
def abbreviations() -> frozenset[str]:
    """Return the package's abbreviation list (lowercase, no final full stop)."""
    text = (resources.files("analysis") / "data" / "abbreviations.txt").read_text("utf-8")
    return frozenset(w.strip() for w in text.splitlines() if w.strip() and not w.startswith("#"))


@lru_cache(maxsize=1)
def sentence_tokenizer() -> PunktSentenceTokenizer:
    """Return NLTK's Punkt sentence splitter with the package's abbreviations (no download)."""
    params = PunktParameters()
    params.abbrev_types = set(abbreviations())
    return PunktSentenceTokenizer(params)


def sentence_spans(text: CleanText, start: int, end: int) -> list[tuple[int, int]]:
    """Sentence spans, in raw offsets, of the part of ``text`` whose raw offsets fall in a range."""
    lo = int(np.searchsorted(text.to_raw, start, side="left"))
    hi = int(np.searchsorted(text.to_raw, end, side="left"))
    chunk = text.text[lo:hi]
    spans = []
    for s, e in sentence_tokenizer().span_tokenize(chunk):
        if e > s:
            spans.append(text.raw_span(lo + s, lo + e))
    return spans


def sentences(segments: pd.DataFrame, corpus: pd.DataFrame) -> pd.DataFrame:
    """Split units into sentences with Punkt and the package's abbreviation list.

    Returns
    -------
    DataFrame
        One row per sentence: ``seg_id``, ``doc_id`` (str), ``sentence`` (int, 0-based within the
        unit), ``start``, ``end`` (int, raw offsets) and ``text`` (str, the sentence as written,
        lines joined).
    """
    raw_by_doc = dict(zip(corpus["doc_id"], corpus["text"], strict=True))
    rows = []
    for seg in segments[["seg_id", "doc_id", "start", "end"]].itertuples(index=False):
        cleaned = clean_document(raw_by_doc[seg.doc_id])
        for i, (s, e) in enumerate(sentence_spans(cleaned.display, seg.start, seg.end)):
            lo = int(np.searchsorted(cleaned.display.to_raw, s))
            hi = int(np.searchsorted(cleaned.display.to_raw, e))
            text = _LINE_BREAK_RE.sub(" ", cleaned.display.text[lo:hi])
            rows.append((seg.seg_id, seg.doc_id, i, s, e, text))
    return pd.DataFrame(rows, columns=["seg_id", "doc_id", "sentence", "start", "end", "text"])
