"""The rules that read a line: the patterns of numbering, bullets, datelines, bylines, captions,
share lines and other web-page furniture, whether a line reads as prose, and the layout of a
document (blank-line paragraphs or one per line)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from analysis.segment.kinds import PROSE_MIN_WORDS

NUMBERED = re.compile(r"^[ \t]*(?:\(?(\d{1,3})[.)]|\((\d{1,3})\))[ \t]+(?=\S)")
_ROMAN = r"(?=[ivx])(?:x{0,3}(?:ix|iv|v?i{0,3}))"
LIST_MARKED = re.compile(
    rf"^[ \t]*(?:[-\u2013\u2022*\u25aa\u25cf\u00b7][ \t]*)?"
    rf"(?:\(({_ROMAN}|[a-z])\)|({_ROMAN}|[a-z])[.)])[ \t]+(?=\S)",
    re.IGNORECASE,
)
BULLET = re.compile(r"^[ \t]*[-\u2013\u2022*\u25aa\u25cf\u00b7][ \t]+(?=\S)")
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
CLOSING = re.compile(
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
ITEM_END = re.compile(r"(?:[;,]|[;,]\s*(?:and|or))$", re.IGNORECASE)
# How much prose makes a block a paragraph even without a final full stop (a partial copy).
_HEADING_LABEL = re.compile(
    r"^(?:agenda item|item|subject|re|theme|topic|session|panel|part|section|chapter)"
    r"\s*[\w.]{0,6}\s*:",
    re.IGNORECASE,
)
# Who issues a statement (a signature block's first line), even when it ends with a colon.
ISSUER = re.compile(
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
DATELINE_CAPS = re.compile(
    r"^(?P<dl>[A-Z][A-Z.'\u2019-]+(?:\s+[A-Z][A-Z.'\u2019-]+){0,3}"
    r"(?:\s*\([^()\n]{1,40}\))?(?:,\s*[A-Z][A-Za-z.]+(?:\s+[A-Z][A-Za-z.]+){0,2})?"
    rf"(?:,?\s*{_DATE_PATTERN})?)(?P<sep>{_DASH})(?=[\"'\u2018\u201c]?[A-Z])"
)
DATELINE_TITLE = re.compile(
    r"^(?P<dl>[A-Z][a-z]+(?:\s+[A-Z][a-z]+){0,3}(?:\s*\([^()\n]{1,40}\))?"
    rf"(?:,\s*[A-Z][a-z]+(?:\s+[A-Z][a-z]+){{0,2}})?,?\s*{_DATE_PATTERN})"
    rf"(?P<sep>{_DASH})(?=[\"'\u2018\u201c]?[A-Z])",
    re.IGNORECASE,
)
# A page title glued to a site name or to the text: "Title | Site", "Title - Site Name".
PIPE = re.compile(r"\s+\|\s+")
TITLE_DASH = re.compile(r"\s+[-\u2013\u2014]\s+")


@dataclass
class RawUnit:
    kind: str
    start: int  # display-text offsets
    end: int
    label: str = ""
    marker: str = ""  # list marker as written ("ii") or "" for a bullet
    numbered: bool = False
    rule: str = ""
    flags: tuple[str, ...] = ()


def line_spans(text: str) -> list[tuple[int, int]]:
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


def n_words(text: str) -> int:
    return len(text.split())


def ends_sentence(text: str) -> bool:
    """Whether the text ends as a sentence does (``_SENTENCE_END``: end punctuation, then only
    closing quotes or brackets), read off its end rather than searched for through it."""
    return text.strip().rstrip(_CLOSERS).endswith(_END_MARKS)


_CLOSERS = "\"')]\u2019\u201d"
_END_MARKS = (".", "!", "?", "\u2026")


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
    words = n_words(text)
    if _HEADING_LABEL.match(text):
        return False
    if ends_sentence(text) and words >= 6:
        return True
    if text.endswith(":") and words > 8:
        return True
    if words >= 12 and _INNER_SENTENCE.search(text):
        return True
    return words >= PROSE_MIN_WORDS


def is_dateline(text: str) -> bool:
    return (
        bool(_DATE.search(text))
        and n_words(text) <= 10
        and not _SENTENCE_END.search(text.rstrip("."))
    )


def _is_breadcrumb(text: str) -> bool:
    parts = _CRUMB_SEP.split(text)
    return (
        len(parts) >= 3 and all(0 < n_words(p) <= 5 for p in parts) and not ends_sentence(text)
    ) or (bool(_MENU_START.match(text)) and n_words(text) <= 12 and not ends_sentence(text))


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
    words = n_words(text)
    if words > 40:
        return None
    if words <= 3 and _IMAGE_FILE.search(text):
        return "caption", "image file name"
    if words <= 12 and not ends_sentence(text) and _BYLINE.match(text):
        return "byline", 'byline: starts with "By" and a name'
    if words <= 25 and (_BOILERPLATE.match(text) or _SHARE_WORDS.match(text)):
        return "boilerplate", "read-more, share, tag or country line"
    if _is_breadcrumb(text):
        return "navigation", "breadcrumb or menu line"
    if _CAPTION.search(text) and (words <= 25 or not _INNER_SENTENCE.search(text)):
        return "caption", "photo caption or credit"
    return None


def front_kind(text: str) -> tuple[str, str]:
    web = web_kind(text)
    if web:
        return web
    if _SALUTATION.match(text) and text.rstrip().endswith((",", ":")) and n_words(text) <= 12:
        return "salutation", "salutation before the first paragraph"
    if is_dateline(text):
        return "dateline", "short line with a date"
    return "heading", "line before the first paragraph"


def back_kind(text: str) -> tuple[str, str] | None:
    """Kind and rule of a trailing short line, or None if it reads as a body paragraph."""
    web = web_kind(text)
    if web:
        return web
    if CLOSING.match(text) and n_words(text) <= 15:
        return "closing", "courtesy line after the last paragraph"
    if is_dateline(text):
        return "dateline", "short line with a date"
    if reads_as_prose(text) or ends_sentence(text):
        return None
    if text.rstrip().endswith(":") and not ISSUER.match(text):
        return "heading", "line ending with a colon"
    if n_words(text) <= 8:
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
    spans = line_spans(display)
    hard = soft = 0
    for (s1, e1), (s2, e2) in zip(spans, spans[1:], strict=False):
        if s1 == e1 or s2 == e2:
            continue
        first, second = display[s1:e1], display[s2:e2]
        if any(p.match(second) for p in (NUMBERED, LIST_MARKED, BULLET)):
            continue
        if ends_sentence(first) and n_words(first) >= 8 and n_words(second) >= 8:
            hard += 1
        elif not ends_sentence(first) and second[:1].islower():
            soft += 1
    return "line" if hard > soft else "blank-line"
