"""Sentences within units, by NLTK's Punkt with the package's own abbreviation list (no
downloaded data), with offsets into the raw text."""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from analysis.clean import CleanText, clean_document
from analysis.segment.units import LINE_BREAK_RE

if TYPE_CHECKING:
    from nltk.tokenize.punkt import PunktSentenceTokenizer


@lru_cache(maxsize=1)
def abbreviations() -> frozenset[str]:
    """Return the package's abbreviation list (lowercase, no final full stop)."""
    text = (resources.files("analysis") / "data" / "abbreviations.txt").read_text("utf-8")
    return frozenset(w.strip() for w in text.splitlines() if w.strip() and not w.startswith("#"))


@lru_cache(maxsize=1)
def sentence_tokenizer() -> PunktSentenceTokenizer:
    """Return NLTK's Punkt sentence splitter with the package's abbreviations (no download)."""
    # imported when first needed: counting never splits sentences
    from nltk.tokenize.punkt import PunktParameters, PunktSentenceTokenizer

    params = PunktParameters()
    params.abbrev_types = set(abbreviations())
    return PunktSentenceTokenizer(params)


def sentence_spans(text: CleanText, start: int, end: int) -> list[tuple[int, int]]:
    """Sentence spans, in raw offsets, of the part of ``text`` whose raw offsets fall in a range."""
    lo = int(np.searchsorted(text.to_raw, start, side="left"))
    hi = int(np.searchsorted(text.to_raw, end, side="left"))
    chunk = text.text[lo:hi]
    return [text.raw_span(lo + s, lo + e) for s, e in split_sentences(chunk)]


# An inline footnote marker after a sentence's full stop: "Report 2021.1 We", "victims.[3] The".
_FOOTNOTE_BREAK = re.compile(
    r"(?:(?<=[^\W\d_])|(?<=[)\]\"'\u2019\u201d])|(?<=\b\d{4}))[.!?][\"'\u2019\u201d)]*"
    r"(?:\d{1,3}|\[\d{1,3}\])(?=\s+[\"'\u2018\u201c]?[A-Z])"
)
_LEADING_MARK = re.compile(r"\[\d{1,3}\](?=\s)")
_LONE_NUMBER = re.compile(r"^\W*(?:\d{1,4}|[ivxlc]{1,5})[.)]?\W*$", re.IGNORECASE)


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans of a text: NLTK's Punkt with the package's abbreviations, then two fixes.

    A sentence is also ended after an inline footnote marker ("... the Global Report 2021.1 We
    have ...", "... victims.[3] The ..."), which Punkt reads as a decimal number; and a lone
    number or numeral ("2.", "iv)") is never a sentence of its own: it joins the sentence after
    it (or before it, at the end of the text).

    Examples
    --------
    >>> text = "See the Global Report 2021.1 We act. They met in Kg. Baru on 2 May."
    >>> [text[s:e] for s, e in split_sentences(text)]
    ['See the Global Report 2021.1', 'We act.', 'They met in Kg. Baru on 2 May.']
    """
    spans: list[list[int]] = []
    for s, e in sentence_tokenizer().span_tokenize(text):
        if e <= s:
            continue
        lead = _LEADING_MARK.match(text, s)
        if lead and spans and lead.end() < e:  # "victims.[3] The": the marker ends the last one
            spans[-1][1] = lead.end()
            s = lead.end() + len(text[lead.end() : e]) - len(text[lead.end() : e].lstrip())
        cut = s
        for m in _FOOTNOTE_BREAK.finditer(text, s, e):
            stop = m.end()
            nxt = stop + len(text[stop:e]) - len(text[stop:e].lstrip())
            if nxt < e:
                spans.append([cut, stop])
                cut = nxt
        spans.append([cut, e])
    merged: list[list[int]] = []
    pending: int | None = None
    for s, e in spans:
        if _LONE_NUMBER.match(text[s:e]):
            if pending is None:
                pending = s
            continue
        merged.append([pending if pending is not None else s, e])
        pending = None
    if pending is not None:
        if merged:
            merged[-1][1] = spans[-1][1]
        else:
            merged.append([pending, spans[-1][1]])
    return [(s, e) for s, e in merged]


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
            text = LINE_BREAK_RE.sub(" ", cleaned.display.text[lo:hi])
            rows.append((seg.seg_id, seg.doc_id, i, s, e, text))
    return pd.DataFrame(rows, columns=["seg_id", "doc_id", "sentence", "start", "end", "text"])
