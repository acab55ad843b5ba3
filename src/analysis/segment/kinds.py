"""The kinds of unit, the layouts, the segment table's columns and the flags a unit can carry."""

from __future__ import annotations

from typing import Literal

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
KIND_PREFIX = {
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
PROSE_MIN_WORDS = 25

WEB_KINDS: tuple[str, ...] = ("byline", "navigation", "caption", "boilerplate")
