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

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Literal

import numpy as np
import pandas as pd
from nltk.tokenize.punkt import PunktParameters, PunktSentenceTokenizer

from analysis.anchors import anchor, text_sha
from analysis.clean import CleanText, clean_document
from analysis.corpus import document_columns
from analysis.errors import SegmentationError

Kind = Literal[
    "heading",
    "dateline",
    "salutation",
    "body",
    "list_item",
    "closing",
    "signature",
    "byline",
    "navigation",
    "caption",
    "boilerplate",
]
KINDS: tuple[str, ...] = (
    "heading",
    "dateline",
    "salutation",
    "body",
    "list_item",
    "closing",
    "signature",
    "byline",
    "navigation",
    "caption",
    "boilerplate",
)
ANALYSIS_KINDS: tuple[str, ...] = ("body", "list_item")
LAYOUTS: tuple[str, ...] = ("auto", "blank-line", "line")
SEGMENT_COLUMNS = [
    "seg_id",
    "doc_id",
    "position",
    "kind",
    "label",
    "text",
    "start",
    "end",
    "text_sha",
    "n_chars",
    "rule",
    "flags",
    "layout",
    "anchor",
]
_KIND_PREFIX = {
    "heading": "h",
    "dateline": "d",
    "salutation": "s",
    "closing": "c",
    "signature": "g",
    "byline": "b",
    "navigation": "n",
    "caption": "f",
    "boilerplate": "x",
}
# Flags a unit can carry (space-separated in the ``flags`` column).
FLAG_UNFINISHED = "no-final-punctuation"
FLAG_DATELINE = "dateline-split-off"
FLAG_TITLE = "title-split-off"

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
_DATE_PATTERN = (
    rf"\b(?:\d{{1,2}}(?:\s*[-\u2013]\s*\d{{1,2}})?\s+(?:{_MONTHS})\.?,?\s+\d{{4}}"
    rf"|(?:{_MONTHS})\.?\s+\d{{1,2}}(?:\s*[-\u2013]\s*\d{{1,2}})?,?\s+\d{{4}}"
    rf"|\d{{4}}-\d{{2}}-\d{{2}}|\d{{1,2}}/\d{{1,2}}/\d{{4}})\b"
)
_DATE = re.compile(_DATE_PATTERN, re.IGNORECASE)
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
# A sentence boundary inside a block: end punctuation, a space, then a capital or a quote.
_INNER_SENTENCE = re.compile(
    r"[a-z0-9\)\]\"'\u2019\u201d][.!?][\"'\u2019\u201d)]*\s+[\"'\u2018\u201c(]?[A-Z]"
)
# How a list item may end without ending a sentence ("...; and", "...,").
_ITEM_END = re.compile(r"(?:[;,]|[;,]\s*(?:and|or))$", re.IGNORECASE)
# How much prose makes a block a paragraph even without a final full stop (a partial copy).
PROSE_MIN_WORDS = 25
# An agenda item or subject line: a label, a number or letter, a colon, then a title.
_HEADING_LABEL = re.compile(
    r"^(?:agenda item|item|subject|re|theme|topic|session|panel|part|section|chapter)"
    r"\s*[\w.]{0,6}\s*:",
    re.IGNORECASE,
)
# Who issues a statement (a signature block's first line), even when it ends with a colon.
_ISSUER = re.compile(
    r"^(?:issued|signed|released|endorsed|submitted|prepared|contact|media contact|"
    r"for (?:more|further) (?:information|details)|enquiries|inquiries|on behalf of)\b",
    re.IGNORECASE,
)
# Lines a web page puts around a statement, by kind, with the rule recorded for each.
_BYLINE = re.compile(
    r"^(?:by|written by|posted by|reported by|story by|words by|oleh)\s+[A-Z\u00c0-\u024f]"
    r"|^(?:author|writer|reporter|posted on)\s*:",
    re.IGNORECASE,
)
_IMAGE_FILE = re.compile(r"\S+\.(?:jpe?g|png|gif|webp|svg|tiff?|bmp|heic)$", re.IGNORECASE)
_CAPTION = re.compile(
    r"^(?:photo|pic|picture|image|photograph|file photo|illustration)s?\b\s*(?:[:\-\u2013|]|by\b|"
    r"credit)|[(\[](?:photo|pic|picture|image|file photo|photograph)s?\b[^()\[\]]*[)\]]\s*$|"
    r"^(?:photo|image) credit",
    re.IGNORECASE,
)
_BOILERPLATE = re.compile(
    r"^(?:read more|read also|continue reading|related(?: articles?| posts?| stories| news)?\s*:?"
    r"|see also|share(?: this| on| it)?\b|follow us|subscribe|sign up|print(?: this)?\s*$"
    r"|email this|click here|download(?: the)?\b.{0,60}$|tags?\s*:|topics?\s*:|keywords?\s*:"
    r"|categor(?:y|ies)\s*:|filed under|posted in|countr(?:y|ies)\s*:|regions?\s*:"
    r"|themes?\s*:|copyright|\u00a9|all rights reserved|advertisement|skip to)",
    re.IGNORECASE,
)
_SHARE_WORDS = re.compile(
    r"^(?:(?:facebook|twitter|x|whatsapp|telegram|linkedin|email|e-mail|print|copy link|"
    r"reddit|pinterest)\s*[|,/\u00b7]?\s*){2,}$",
    re.IGNORECASE,
)
_CRUMB_SEP = re.compile(r"\s+(?:>|\u00bb|\u203a|/|\||::|\\)\s+")
_MENU_START = re.compile(r"^(?:home|menu|main menu|you are here)\b", re.IGNORECASE)
# A dateline opening the first paragraph: "KUALA LUMPUR, Malaysia--", "KUALA LUMPUR (Reuters) -",
# "Kuala Lumpur (Malaysia), 17 December 2013 -", "Putrajaya, 2 February 2024:".
_DASH = r"(?:\s*(?:--|\u2014|\u2013)\s*|\s+-\s+|\s*:\s+)"
_DATELINE_CAPS = re.compile(
    r"^(?P<dl>[A-Z][A-Z.'\u2019-]+(?:\s+[A-Z][A-Z.'\u2019-]+){0,3}"
    r"(?:\s*\([^()\n]{1,40}\))?(?:,\s*[A-Z][A-Za-z.]+(?:\s+[A-Z][A-Za-z.]+){0,2})?"
    rf"(?:,?\s*{_DATE_PATTERN})?)(?P<sep>{_DASH})(?=[\"'\u2018\u201c]?[A-Z])"
)
_DATELINE_TITLE = re.compile(
    r"^(?P<dl>[A-Z][a-z]+(?:\s+[A-Z][a-z]+){0,3}(?:\s*\([^()\n]{1,40}\))?"
    rf"(?:,\s*[A-Z][a-z]+(?:\s+[A-Z][a-z]+){{0,2}})?,?\s*{_DATE_PATTERN})"
    rf"(?P<sep>{_DASH})(?=[\"'\u2018\u201c]?[A-Z])",
    re.IGNORECASE,
)
# A page title glued to a site name or to the text: "Title | Site", "Title - Site Name".
_PIPE = re.compile(r"\s+\|\s+")
_TITLE_DASH = re.compile(r"\s+[-\u2013\u2014]\s+")


@dataclass
class _Unit:
    kind: str
    start: int  # display-text offsets
    end: int
    label: str = ""
    marker: str = ""  # list marker as written ("ii") or "" for a bullet
    numbered: bool = False
    rule: str = ""
    flags: tuple[str, ...] = ()


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


def _ends_sentence(text: str) -> bool:
    return bool(_SENTENCE_END.search(text.strip()))


def reads_as_prose(text: str) -> bool:
    """Tell whether a block of text is a paragraph of prose, from its content.

    A block is prose when it ends as a sentence does and has at least six words, when it is a
    lead-in of more than eight words ending with a colon, when it holds a sentence boundary and
    at least twelve words, or when it has at least :data:`PROSE_MIN_WORDS` words whatever its
    last character (a paragraph cut off by a partial copy, one ending with a URL or a credit).
    An agenda or subject line ("Agenda item 2: ...") is never prose.

    Examples
    --------
    >>> reads_as_prose("Workers must be protected from detention.")
    True
    >>> reads_as_prose("Authorities should work with civil society")
    False
    >>> reads_as_prose(" ".join(["word"] * 30))
    True
    """
    text = text.strip()
    words = _n_words(text)
    if _HEADING_LABEL.match(text):
        return False
    if _ends_sentence(text) and words >= 6:
        return True
    if text.endswith(":") and words > 8:
        return True
    if words >= 12 and _INNER_SENTENCE.search(text):
        return True
    return words >= PROSE_MIN_WORDS


def _is_dateline(text: str) -> bool:
    return (
        bool(_DATE.search(text))
        and _n_words(text) <= 10
        and not _SENTENCE_END.search(text.rstrip("."))
    )


def _is_breadcrumb(text: str) -> bool:
    parts = _CRUMB_SEP.split(text)
    return (
        len(parts) >= 3 and all(0 < _n_words(p) <= 5 for p in parts) and not _ends_sentence(text)
    ) or (bool(_MENU_START.match(text)) and _n_words(text) <= 12 and not _ends_sentence(text))


def web_kind(text: str) -> tuple[str, str] | None:
    """Kind and rule of a line a web page adds around a statement, or None.

    Bylines, breadcrumb and menu lines, photo captions and image file names, "Read more",
    share, tag and country lines. Only short lines are considered (at most 40 words).

    Examples
    --------
    >>> web_kind("By Jane Doe")
    ('byline', 'byline: starts with "By" and a name')
    >>> web_kind("Home > News > Statements")
    ('navigation', 'breadcrumb or menu line')
    >>> web_kind("The ministry said it would act.") is None
    True
    """
    text = text.strip()
    words = _n_words(text)
    if words > 40:
        return None
    if words <= 3 and _IMAGE_FILE.search(text):
        return "caption", "image file name"
    if words <= 12 and not _ends_sentence(text) and _BYLINE.match(text):
        return "byline", 'byline: starts with "By" and a name'
    if words <= 25 and (_BOILERPLATE.match(text) or _SHARE_WORDS.match(text)):
        return "boilerplate", "read-more, share, tag or country line"
    if _is_breadcrumb(text):
        return "navigation", "breadcrumb or menu line"
    if _CAPTION.search(text) and (words <= 25 or not _INNER_SENTENCE.search(text)):
        return "caption", "photo caption or credit"
    return None


def _front_kind(text: str) -> tuple[str, str]:
    web = web_kind(text)
    if web:
        return web
    if _SALUTATION.match(text) and text.rstrip().endswith((",", ":")) and _n_words(text) <= 12:
        return "salutation", "salutation before the first paragraph"
    if _is_dateline(text):
        return "dateline", "short line with a date"
    return "heading", "line before the first paragraph"


def _back_kind(text: str) -> tuple[str, str] | None:
    """Kind and rule of a trailing short line, or None if it reads as a body paragraph."""
    web = web_kind(text)
    if web:
        return web
    if _CLOSING.match(text) and _n_words(text) <= 15:
        return "closing", "courtesy line after the last paragraph"
    if _is_dateline(text):
        return "dateline", "short line with a date"
    if reads_as_prose(text) or _ends_sentence(text):
        return None
    if text.rstrip().endswith(":") and not _ISSUER.match(text):
        return "heading", "line ending with a colon"
    if _n_words(text) <= 8:
        return "signature", "short line after the last paragraph"
    return None


def infer_layout(display: str) -> str:
    """Infer how a document separates its paragraphs: ``"blank-line"`` or ``"line"``.

    Looks at every line break inside a block (between two non-blank lines, neither of them
    numbered or marked as a list item). A break after a line that ends as a sentence, between two
    lines of eight words or more, is a paragraph break (web copy puts one paragraph per line); a
    break after a line that does not end a sentence, before a line that starts in lower case, is
    a soft wrap inside a paragraph. More paragraph breaks than soft wraps give ``"line"``;
    otherwise paragraphs are separated by blank lines (``"blank-line"``).

    Examples
    --------
    >>> infer_layout("The first paragraph is one full sentence of words.\\n"
    ...              "The second paragraph is on the next line by itself.")
    'line'
    >>> infer_layout("A paragraph wrapped at a short width so that\\nthe sentence goes on.")
    'blank-line'
    """
    spans = _lines(display)
    hard = soft = 0
    for (s1, e1), (s2, e2) in zip(spans, spans[1:], strict=False):
        if s1 == e1 or s2 == e2:
            continue
        first, second = display[s1:e1], display[s2:e2]
        if any(p.match(second) for p in (_NUMBERED, _LIST_MARKED, _BULLET)):
            continue
        if _ends_sentence(first) and _n_words(first) >= 8 and _n_words(second) >= 8:
            hard += 1
        elif not _ends_sentence(first) and second[:1].islower():
            soft += 1
    return "line" if hard > soft else "blank-line"


def _raw_units(display: str, layout: str) -> list[_Unit]:
    """Split display text into units with provisional kinds (body or list_item or block)."""
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
            current = _Unit(
                "body",
                start + numbered.end(),
                end,
                label=str(int(number)),
                numbered=True,
                rule="numbered paragraph",
            )
            units.append(current)
        elif marked or bullet:
            m = marked or bullet
            assert m is not None
            marker = (marked.group(1) or marked.group(2)).lower() if marked else ""
            current = _Unit(
                "list_item",
                start + m.end(),
                end,
                marker=marker,
                rule="lettered or roman item" if marked else "bulleted item",
            )
            units.append(current)
        elif (
            current is not None
            and layout == "blank-line"
            and not (web_kind(line) and current.kind == "block")
        ):
            current.end = end  # continuation line of the same unit
        else:
            current = _Unit("block", start, end)
            units.append(current)
    return units


def _split_glued_title(unit: _Unit, display: str) -> list[_Unit]:
    """Split a page title glued to a site name or to the text ("Title | Site | Text ...")."""
    text = display[unit.start : unit.end]
    if web_kind(text):
        return [unit]
    pieces = []
    pos = 0
    for m in _PIPE.finditer(text):
        pieces.append((pos, m.start()))
        pos = m.end()
    pieces.append((pos, len(text)))
    if len(pieces) == 1:
        dashes = list(_TITLE_DASH.finditer(text))
        dash = dashes[-1] if dashes else None  # the last " - " of a one-line title
        if dash is None or "\n" in text or reads_as_prose(text):
            return [unit]
        site = text[dash.end() :]
        if not (1 <= _n_words(site) <= 6 and site[:1].isupper() and not _ends_sentence(site)):
            return [unit]
        if _n_words(text[: dash.start()]) < 3:
            return [unit]
        pieces = [(0, dash.start()), (dash.end(), len(text))]
    if any(not text[s:e].strip() for s, e in pieces):
        return [unit]
    title = text[pieces[0][0] : pieces[0][1]]
    if _n_words(title) > 20 or reads_as_prose(title):
        return [unit]  # prose with a "|" in it, not a title
    out: list[_Unit] = []
    for k, (s, e) in enumerate(pieces):
        piece = text[s:e]
        last = k == len(pieces) - 1
        if last and reads_as_prose(piece):
            out.append(_Unit("block", unit.start + s, unit.start + e, flags=(FLAG_TITLE,)))
        elif k == 0:
            out.append(
                _Unit(
                    "heading",
                    unit.start + s,
                    unit.start + e,
                    rule="page title glued to a site name or the text",
                )
            )
        elif _n_words(piece) <= 8 and not _ends_sentence(piece):
            out.append(
                _Unit(
                    "navigation",
                    unit.start + s,
                    unit.start + e,
                    rule="site name after a title separator",
                )
            )
        else:
            return [unit]
    return out


def _split_front_lines(units: list[_Unit], display: str) -> list[_Unit]:
    """In the first block, peel off web lines (breadcrumbs, titles, bylines) before the text."""
    out: list[_Unit] = []
    for idx, u in enumerate(units):
        if u.kind != "block" or idx > 3 or "\n" not in display[u.start : u.end]:
            out.append(u)
            continue
        lines = [(u.start + s, u.start + e) for s, e in _lines(display[u.start : u.end]) if e > s]
        k = 0
        while k < len(lines) - 1:
            line = display[lines[k][0] : lines[k][1]]
            if web_kind(line) or _PIPE.search(line) or _is_dateline(line):
                k += 1
            else:
                break
        for s, e in lines[:k]:
            out.append(_Unit("block", s, e))
        out.append(_Unit("block", lines[k][0], u.end))
    return out


def _split_dateline(unit: _Unit, display: str) -> list[_Unit]:
    """Split a dateline off the start of a paragraph ("KUALA LUMPUR, Malaysia--The ...")."""
    text = display[unit.start : unit.end]
    for pattern, rule in (
        (_DATELINE_CAPS, "dateline in capitals opening the first paragraph"),
        (_DATELINE_TITLE, "place and date opening the first paragraph"),
    ):
        m = pattern.match(text)
        if m and _n_words(m.group("dl")) <= 12 and reads_as_prose(text[m.end() :]):
            if pattern is _DATELINE_CAPS and not any(
                len(w) >= 2 and w.isupper() for w in m.group("dl").split()[:1]
            ):
                continue
            dateline = _Unit("dateline", unit.start, unit.start + m.end("dl"), rule=rule)
            body = _Unit(
                unit.kind,
                unit.start + m.end(),
                unit.end,
                label=unit.label,
                marker=unit.marker,
                numbered=unit.numbered,
                rule=unit.rule,
                flags=(*unit.flags, FLAG_DATELINE),
            )
            return [dateline, body]
    return [unit]


def _first_line(unit: _Unit, display: str) -> str:
    spans = [(s, e) for s, e in _lines(display[unit.start : unit.end]) if e > s]
    return display[unit.start + spans[0][0] : unit.start + spans[0][1]] if spans else ""


def _items_under_heading(units: list[_Unit], back_start: int, display: str) -> int:
    """Move the start of the back matter past items listed under a section heading.

    "RECOMMENDATIONS:" followed by short unpunctuated lines is content, not a signature block:
    the back matter then starts at the first issuer, closing, date or web-page line after it.
    """
    for i in range(back_start, len(units)):
        line = _first_line(units[i], display)
        if units[i].kind != "block" or not line.endswith(":") or _ISSUER.match(line):
            continue
        for j in range(i + 1, len(units)):
            first = _first_line(units[j], display)
            if (
                units[j].kind != "block"
                or _ISSUER.match(first)
                or _CLOSING.match(first)
                or _is_dateline(first)
                or web_kind(first)
                or first.endswith(":")
            ):
                return j if j > i + 1 else back_start
        return len(units)
    return back_start


def _assign_kinds(units: list[_Unit], display: str) -> None:
    """Resolve provisional ``block`` units into front matter, body and back matter."""

    def text(u: _Unit) -> str:
        return display[u.start : u.end]

    expanded: list[_Unit] = []
    top = True  # a page title is glued to its site name or the text only above the text
    for u in _split_front_lines(units, display):
        pieces = _split_glued_title(u, display) if u.kind == "block" and top else [u]
        expanded.extend(pieces)
        if any(
            p.kind in ANALYSIS_KINDS
            or (p.kind == "block" and reads_as_prose(display[p.start : p.end]))
            for p in pieces
        ):
            top = False
    units[:] = expanded
    body_like = [
        i
        for i, u in enumerate(units)
        if u.kind in ("body", "list_item") or (u.kind == "block" and reads_as_prose(text(u)))
    ]
    # Back matter: trailing units that are closings, datelines or signature-like short lines.
    back_start = len(units)
    for i in range(len(units) - 1, -1, -1):
        u = units[i]
        lines = [text(u)[s:e] for s, e in _lines(text(u)) if e > s]
        if u.kind not in ("block", "heading", "navigation") or any(
            _back_kind(line) is None for line in lines
        ):
            break
        back_start = i
    back_start = _items_under_heading(units, back_start, display)
    first_body = next((i for i in body_like if i < back_start), back_start)
    new: list[_Unit] = []
    under_heading = False
    for i, u in enumerate(units):
        if u.kind == "block" and first_body <= i < back_start:
            short_item = under_heading and not web_kind(text(u)) and not text(u).endswith(":")
            under_heading = (
                text(u).endswith(":")
                and not reads_as_prose(text(u))
                or (under_heading and short_item)
            )
            if short_item and not reads_as_prose(text(u)) and not _ends_sentence(text(u)):
                u.kind, u.rule = "body", "item under a section heading"
                new.append(u)
                continue
        if u.kind != "block":
            new.append(u)
        elif i < first_body or i >= back_start:
            # Front and back matter: one unit per line.
            for ls, le in _lines(display[u.start : u.end]):
                if ls == le:
                    continue
                line = display[u.start + ls : u.start + le]
                if i < first_body:
                    kind, rule = _front_kind(line)
                else:
                    kind, rule = _back_kind(line) or ("signature", "line after the last paragraph")
                new.append(_Unit(kind, u.start + ls, u.start + le, rule=rule))
        elif web := web_kind(text(u)):
            u.kind, u.rule = web
            new.append(u)
        elif reads_as_prose(text(u)) or _ends_sentence(text(u)):
            u.kind = "body"
            u.rule = u.rule or "block of prose"
            new.append(u)
        elif text(u).endswith(":") or (text(u).isupper() and _n_words(text(u)) <= 12):
            u.kind, u.rule = "heading", "section heading (capitals or a final colon)"
            new.append(u)
        elif _n_words(text(u)) <= 12:
            u.kind, u.rule = "heading", "short line between paragraphs"
            new.append(u)
        else:
            u.kind, u.rule = "body", "block of text between paragraphs"
            new.append(u)
    # A dateline at the start of the first paragraph is kept out of the body by offsets.
    first = next((k for k, u in enumerate(new) if u.kind in ANALYSIS_KINDS), None)
    if first is not None:
        new[first : first + 1] = _split_dateline(new[first], display)
    for u in new:
        if (
            u.kind in ANALYSIS_KINDS
            and u.rule != "item under a section heading"
            and not (
                _ends_sentence(text(u))
                or text(u).endswith(":")
                or (u.kind == "list_item" and _ITEM_END.search(text(u)))
            )
        ):
            u.flags = (*u.flags, FLAG_UNFINISHED)
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


@lru_cache(maxsize=4096)
def _pad(label: str) -> str:
    return _LONE_DIGIT_RE.sub(r"0\1", label.split(".")[0]) + (
        "." + ".".join(label.split(".")[1:]) if "." in label else ""
    )


def segment_document(raw: str, doc_id: str, *, layout: str = "auto") -> pd.DataFrame:
    """Segment one raw document; return its units (see :func:`segment_corpus` for columns)."""
    return pd.DataFrame(segment_rows(raw, doc_id, layout=layout), columns=SEGMENT_COLUMNS)


def _check_layout(layout: str, doc_id: str) -> str:
    layout = (layout or "auto").strip().lower()
    if layout not in LAYOUTS:
        raise SegmentationError(
            f"document {doc_id!r}: paragraphs = {layout!r} is not a layout; use one of "
            f"{', '.join(LAYOUTS)} in the manifest's paragraphs column"
        )
    return layout


def segment_rows(raw: str, doc_id: str, *, layout: str = "auto") -> list[tuple]:
    """Segment one raw document; return its units as tuples in :data:`SEGMENT_COLUMNS` order.

    The table-free form of :func:`segment_document`, for callers that stream many documents.
    ``layout`` is ``"auto"`` (inferred per document by :func:`infer_layout`), ``"blank-line"``
    (paragraphs separated by blank lines; single line breaks wrap a paragraph) or ``"line"``
    (every line is a paragraph).
    """
    cleaned = clean_document(raw)
    display = cleaned.display
    layout = _check_layout(layout, doc_id)
    used = infer_layout(display.text) if layout == "auto" else layout
    layout_note = f"{used} (inferred)" if layout == "auto" else f"{used} (manifest)"
    units = _raw_units(display.text, used)
    _assign_kinds(units, display.text)
    _assign_labels(units)
    if not any(u.kind in ANALYSIS_KINDS for u in units):
        # A text of short sentences only (a test snippet, a one-line statement): its sentence-like
        # lines are its body.
        for u in units:
            if u.kind in ("heading", "signature", "dateline") and _ends_sentence(
                display.text[u.start : u.end]
            ):
                u.kind, u.rule = "body", "sentence in a text without paragraphs"
        _assign_labels(units)
    if not any(u.kind in ANALYSIS_KINDS for u in units):
        raise SegmentationError(
            f"document {doc_id!r} has no body paragraph: no line reads as prose (a sentence, or "
            f"{PROSE_MIN_WORDS} words or more). Check that the file holds the statement's text"
        )
    counters: dict[str, int] = {}
    rows = []
    # raw offsets of every unit at once (what CleanText.raw_span gives for one)
    to_raw = display.to_raw
    raw_starts = to_raw[np.fromiter((u.start for u in units), np.int64, len(units))].tolist()
    raw_ends = (to_raw[np.fromiter((u.end - 1 for u in units), np.int64, len(units))] + 1).tolist()
    for position, u in enumerate(units):
        text = display.text[u.start : u.end]
        # Units spanning lines read as one paragraph.
        if "\n" in text:
            text = _LINE_BREAK_RE.sub(" ", text)
        start, end = raw_starts[position], raw_ends[position]
        if u.kind in ANALYSIS_KINDS:
            seg_id = f"{doc_id}-p{_pad(u.label)}"
        else:
            counters[u.kind] = counters.get(u.kind, 0) + 1
            seg_id = f"{doc_id}-{_KIND_PREFIX[u.kind]}{counters[u.kind]:02d}"
        rows.append(
            (
                seg_id,
                doc_id,
                position,
                u.kind,
                u.label,
                text,
                start,
                end,
                text_sha(text),
                len(text),
                u.rule,
                " ".join(u.flags),
                layout_note,
            )
        )
    anchors = anchor([row[5] for row in rows])
    return [(*row, a) for row, a in zip(rows, anchors, strict=True)]


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
        ``n_chars`` (int), ``rule`` (str, the layout rule that gave the unit its kind),
        ``flags`` (str, space-separated: ``no-final-punctuation`` for a paragraph that does not
        end as a sentence, ``dateline-split-off`` and ``title-split-off`` when a dateline or a
        page title was cut off its start), ``layout`` (str, how the document's paragraphs were
        found: ``blank-line`` or ``line``, ``(inferred)`` or ``(manifest)``, from the optional
        manifest column ``paragraphs``), ``anchor`` (str, a content anchor: the unit's and its
        neighbours' normalised texts hashed, :func:`analysis.anchors.anchor`; unlike
        ``seg_id`` it does not shift when a paragraph is added or removed elsewhere), and the
        document's ``actor_type``, ``organisation``,
        ``date``, ``genre``, ``title``, ``venue`` where the corpus has them.
    """
    layouts = corpus["paragraphs"] if "paragraphs" in corpus.columns else ["auto"] * len(corpus)
    rows: list[tuple] = []
    problems = []
    for doc_id, raw, layout in zip(corpus["doc_id"], corpus["text"], layouts, strict=True):
        try:
            rows.extend(segment_rows(raw, doc_id, layout=str(layout or "auto")))
        except SegmentationError as exc:
            problems.append(str(exc))  # every document that fails is named, not only the first
    if problems:
        raise SegmentationError(
            problems[0]
            if len(problems) == 1
            else f"{len(problems)} documents cannot be "
            "segmented\n" + "\n".join(f"  - {p}" for p in problems)
        )
    # one table for every document's rows (a table per document costs more than its rows)
    segments = pd.DataFrame(rows, columns=SEGMENT_COLUMNS)
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
            text = _LINE_BREAK_RE.sub(" ", cleaned.display.text[lo:hi])
            rows.append((seg.seg_id, seg.doc_id, i, s, e, text))
    return pd.DataFrame(rows, columns=["seg_id", "doc_id", "sentence", "start", "end", "text"])


def units_overview(corpus: pd.DataFrame, *, words: int = 8) -> pd.DataFrame:
    """Return the segmentation of a corpus as a reader checks it: one row per unit.

    Columns: ``doc_id``, ``seg_id``, ``kind``, ``label``, ``start``, ``end``, ``layout`` (how
    the document's paragraphs were found), ``rule`` (why the unit has its kind), ``flags`` and
    ``first_words`` (the unit's first ``words`` words, with an ellipsis when it goes on).
    """
    segments = segment_corpus(corpus)
    split = segments["text"].str.split()
    first = [" ".join(w[:words]) + (" \u2026" if len(w) > words else "") for w in split]
    return (
        segments[["doc_id", "seg_id", "kind", "label", "start", "end", "layout", "rule", "flags"]]
        .assign(first_words=first)
        .reset_index(drop=True)
    )


WEB_KINDS: tuple[str, ...] = ("byline", "navigation", "caption", "boilerplate")


def layout_summary(segments: pd.DataFrame) -> pd.DataFrame:
    """Per document: how its paragraphs were found and what a reader should check.

    Returns
    -------
    DataFrame
        Indexed by ``doc_id`` (documents in order): ``layout`` (str), ``units`` and ``body``
        (int64: all units, and body paragraphs and list items), ``web_lines`` (int64: bylines,
        navigation, captions and boilerplate kept out of the analysis) and ``flagged`` (int64:
        units with a flag).
    """
    frame = segments.assign(
        _web=segments["kind"].isin(WEB_KINDS),
        _flagged=segments["flags"].ne(""),
        _body=segments["kind"].isin(ANALYSIS_KINDS),
    )
    out = frame.groupby("doc_id", sort=False).agg(
        layout=("layout", "first"),
        units=("seg_id", "size"),
        body=("_body", "sum"),
        web_lines=("_web", "sum"),
        flagged=("_flagged", "sum"),
    )
    return out.astype({c: "int64" for c in ("units", "body", "web_lines", "flagged")})
