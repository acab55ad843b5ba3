"""The columns and names every part of the coding package shares (sheets, long table, problems)."""

from __future__ import annotations

from typing import Literal

from analysis.schema import CODING_LONG_COLUMNS

SheetFormat = Literal["xlsx", "csv"]

# Mirrors analysis.segment.ANALYSIS_KINDS (tests check they agree) without importing the
# segmenter, so reading and checking sheets does not pull in NLTK.
DEFAULT_KINDS: tuple[str, ...] = ("body", "list_item")
ID_COLUMNS: tuple[str, ...] = ("seg_id", "coder")
SOURCE_COLUMNS: tuple[str, ...] = ("label", "doc_id", "actor_type", "organisation")
TEXT_COLUMNS: tuple[str, ...] = ("text", "text_sha", "flag")
LONG_COLUMNS = CODING_LONG_COLUMNS
PROBLEM_COLUMNS: list[str] = ["severity", "seg_id", "column", "value", "problem", "allowed"]
BLIND_PREFIX = "u-"
