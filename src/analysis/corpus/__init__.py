"""Load a corpus from its manifest: validate metadata, verify hashes, decode each file safely.

``load_corpus`` returns one row per document with the manifest's columns plus ``encoding``,
``n_chars``, ``sha256`` and ``text`` (the raw decoded text). The files themselves are never
modified; every problem raises :class:`analysis.errors.CorpusError` naming the manifest row or
file and what to do about it.

Decoding policy
---------------
* UTF-8 strictly; a UTF-8 byte-order mark is accepted and dropped (``encoding == "utf-8-sig"``).
* A UTF-16 file with a byte-order mark is decoded as such (``"utf-16"``).
* Otherwise, bytes that are not valid UTF-8 are decoded as Windows-1252 (``"cp1252"``) and the
  fallback is recorded, never silent: check such files, since a wrong guess changes characters.
* Line endings CRLF and CR become LF. Offsets everywhere in the package index this decoded,
  LF-normalised text, which is what ``text`` holds.
* Refused: empty files (or only whitespace), binary files (NUL or many control bytes), files over
  ``max_bytes``.

The package (every name re-exported here): ``manifest`` (read and checked) and ``documents``
(decoded, read, tabulated, summarised). The helpers that select and compare groups of
documents live with the comparison design in :mod:`analysis.compare` and are re-exported here.
"""

from __future__ import annotations

from analysis.compare import (
    date_span_years,
    documents_per_group,
    group_comparisons,
    separates_groups,
)
from analysis.corpus.documents import (
    decode_bytes,
    describe_corpus,
    document_columns,
    document_table,
    load_corpus,
    read_document,
    read_documents,
)
from analysis.corpus.manifest import (
    DEFAULT_MAX_BYTES,
    OPTIONAL_COLUMNS,
    REQUIRED_COLUMNS,
    manifest_row_problems,
    read_manifest,
)

__all__ = [
    "DEFAULT_MAX_BYTES",
    "OPTIONAL_COLUMNS",
    "REQUIRED_COLUMNS",
    "date_span_years",
    "decode_bytes",
    "describe_corpus",
    "document_columns",
    "document_table",
    "documents_per_group",
    "group_comparisons",
    "load_corpus",
    "manifest_row_problems",
    "read_document",
    "read_documents",
    "read_manifest",
    "separates_groups",
]
