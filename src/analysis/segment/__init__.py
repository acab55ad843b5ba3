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

The package, by stage (every name re-exported here): ``kinds`` (the kinds, layouts and columns),
``rules`` (what a line reads as), ``units`` (a document cut into units with kinds and labels),
``document`` (ids, offsets, hashes and anchors; whole corpora) and ``sentences`` (Punkt with the
package's abbreviations).
"""

from __future__ import annotations

from analysis.schema import SEGMENT_COLUMNS
from analysis.segment.document import (
    layout_summary,
    segment_corpus,
    segment_document,
    segment_rows,
    units_overview,
)
from analysis.segment.kinds import (
    ANALYSIS_KINDS,
    FLAG_DATELINE,
    FLAG_TITLE,
    FLAG_UNFINISHED,
    KINDS,
    LAYOUTS,
    PROSE_MIN_WORDS,
    WEB_KINDS,
    Kind,
)
from analysis.segment.rules import infer_layout, reads_as_prose, web_kind
from analysis.segment.sentences import (
    abbreviations,
    sentence_spans,
    sentence_tokenizer,
    sentences,
    split_sentences,
)

__all__ = [
    "ANALYSIS_KINDS",
    "FLAG_DATELINE",
    "FLAG_TITLE",
    "FLAG_UNFINISHED",
    "KINDS",
    "Kind",
    "LAYOUTS",
    "PROSE_MIN_WORDS",
    "SEGMENT_COLUMNS",
    "WEB_KINDS",
    "abbreviations",
    "infer_layout",
    "layout_summary",
    "reads_as_prose",
    "segment_corpus",
    "segment_document",
    "segment_rows",
    "sentence_spans",
    "sentence_tokenizer",
    "sentences",
    "split_sentences",
    "units_overview",
    "web_kind",
]
