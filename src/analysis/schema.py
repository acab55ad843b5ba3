"""The columns of the tables every stage passes on, in one place.

Each table is built by one function, which documents what each column means; this module only
names the columns, in order, so that a reader sees the whole data flow's schema at once and a
stage can check what it was given. The modules that build the tables re-export their own
(``analysis.segment.SEGMENT_COLUMNS`` is :data:`SEGMENT_COLUMNS`). The columns of analysis
results (keyness, collocates, checks ...) stay with the functions that compute them.

manifest (:func:`analysis.corpus.read_manifest`)
    :data:`MANIFEST_REQUIRED`, then any of :data:`MANIFEST_OPTIONAL`.
cleaning log (:func:`analysis.clean.cleaning_log`)
    :data:`LOG_COLUMNS`.
segments (:func:`analysis.segment.segment_corpus`)
    :data:`SEGMENT_COLUMNS`, then the document's metadata.
tokens (:func:`analysis.tokenise.tokenise`)
    :data:`TOKEN_COLUMNS`.
document-term matrix (:class:`analysis.dtm.DocumentTermMatrix`)
    units: :data:`UNIT_COLUMNS`, then the document's metadata; terms: :data:`TERM_COLUMNS`.
coding (:func:`analysis.coding.merge_sheets`)
    the long table :data:`CODING_LONG_COLUMNS`.
"""

from __future__ import annotations

__all__ = [
    "CODING_LONG_COLUMNS",
    "LOG_COLUMNS",
    "MANIFEST_OPTIONAL",
    "MANIFEST_REQUIRED",
    "SEGMENT_COLUMNS",
    "TERM_COLUMNS",
    "TOKEN_COLUMNS",
    "UNIT_COLUMNS",
]

#: The columns every manifest must have.
MANIFEST_REQUIRED: tuple[str, ...] = ("doc_id", "path", "actor_type", "organisation", "date")
#: The columns a manifest may have.
MANIFEST_OPTIONAL: tuple[str, ...] = (
    "title",
    "speaker",
    "venue",
    "genre",
    "language",
    "source",
    "sha256",
    "paragraphs",
)
#: One row per change cleaning made, with raw offsets.
LOG_COLUMNS = ["doc_id", "kind", "scope", "start", "end", "before", "after"]
#: One row per unit (before the document's metadata).
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
#: One row per token.
TOKEN_COLUMNS = [
    "doc_id",
    "seg_id",
    "sentence",
    "position",
    "token",
    "norm",
    "stem",
    "start",
    "end",
    "is_punct",
    "is_stop",
    "is_number",
    "is_function",
    "function_class",
    "function_subclass",
    "is_mwe",
]
#: One row per row of a document-term matrix (before the document's metadata).
UNIT_COLUMNS = ("seg_id", "doc_id", "position", "kind", "label", "start", "end", "n_words")
#: One row per column of a document-term matrix.
TERM_COLUMNS = (
    "term",
    "stem",
    "is_stop",
    "is_number",
    "is_function",
    "function_class",
    "function_subclass",
    "is_mwe",
    "n_words",
)
#: The merged coding: one row per unit, coder and dimension.
CODING_LONG_COLUMNS: list[str] = ["seg_id", "coder", "dimension", "code"]
