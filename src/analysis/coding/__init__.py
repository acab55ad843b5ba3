"""Stance and frame coding: the codebook, coder sheets out and back, checks, merging and results.

The codebook (``data/codebook.toml``) defines the coded dimensions. ``export_sheet`` writes one
row per coding unit to an XLSX (dropdowns, protected text, instructions) or CSV sheet, carrying a
coder's earlier codes over when a sheet is exported again; ``read_sheet`` reads a sheet back with
every cell a string exactly as typed; ``check_sheet`` lists every problem at once;
``merge_sheets`` stacks sheets into one long table (seg_id, coder, dimension, code). The results
helpers cross-tabulate codes by actor, list frames in reading order and their runs, profile each
group's coded units and test association with methods suited to counts this small; the codebook
helpers tabulate its dimensions, codes and decision rules; ``corpus_coding`` finds and merges
the sheets that cover a corpus.

The package, by stage (each module re-exported here, so ``analysis.coding.export_sheet`` and the
other names of the design keep working):

``schema``
    The columns every part shares (sheet layout, long table, problems).
``codebook``
    The codebook: dimensions, codes, decision rules; loaded, checked, tabulated.
``units``
    Coding units, blind ids, sheet rows resolved to the current units.
``cells``
    Cell text in and out of sheets, proof against formula injection.
``sheets``
    Reading and writing XLSX and CSV sheets.
``export``
    A coder's sheet exported, earlier codes carried over.
``check``
    A filled-in sheet checked against the codebook and the corpus.
``merge``
    Coders' sheets merged; the sheets that cover a corpus found.
``results``
    Codes by actor, frame sequences and runs, coded profiles.
``association``
    Actor-code association tested for small counts.

Sheet columns, in order: ``seg_id``, ``coder``, ``label``, ``doc_id``, ``actor_type``,
``organisation`` (the last four left out when blind), ``text``, ``text_sha``, ``flag`` (set by a
re-export), then one column per codebook dimension.

Formula injection: a cell whose text begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return must never run as a formula. In XLSX every cell is written as a string cell with the
quote-prefix style, so Excel and LibreOffice show it as text. In CSV such a value (and any value
that itself begins with an apostrophe) is written with one extra leading apostrophe, the OWASP
convention; ``read_sheet`` removes exactly one leading apostrophe from every CSV cell, so the
round trip is exact. Characters XML cannot carry (carriage return, other control characters) are
written in XLSX as the OOXML escape ``_xHHHH_`` (and a literal ``_xHHHH_`` as ``_x005F_xHHHH_``),
which Excel decodes and ``read_sheet`` reverses.
"""

from __future__ import annotations

from analysis.anchors import text_sha
from analysis.coding.association import (
    ASSOCIATION_CAVEAT,
    ASSOCIATION_COLUMNS,
    association_test,
    association_tests,
)
from analysis.coding.cells import cell_text, csv_escape, csv_unescape, xlsx_escape, xlsx_unescape
from analysis.coding.check import check_sheet, evidence_in_text
from analysis.coding.codebook import (
    CODE_COLUMNS,
    DIMENSION_COLUMNS,
    RULE_COLUMNS,
    Code,
    Codebook,
    Dimension,
    cited_units,
    codebook_codes,
    codebook_decision_rules,
    codebook_dimensions,
    codebook_examples,
    codebook_markdown,
    load_codebook,
    notes_cite_this_corpus,
)
from analysis.coding.export import export_sheet
from analysis.coding.merge import (
    SHEET_COLUMNS,
    CorpusCoding,
    corpus_coding,
    merge_sheets,
    sheets_for_corpus,
)
from analysis.coding.results import (
    RUN_COLUMNS,
    SUMMARY_COLUMNS,
    code_summary,
    code_table,
    code_table_wide,
    code_units,
    coded_profile,
    coded_rows_by,
    coded_table,
    frame_runs,
    frame_sequence,
)
from analysis.coding.schema import (
    BLIND_PREFIX,
    DEFAULT_KINDS,
    ID_COLUMNS,
    LONG_COLUMNS,
    PROBLEM_COLUMNS,
    SOURCE_COLUMNS,
    TEXT_COLUMNS,
    SheetFormat,
)
from analysis.coding.sheets import backup_path, orphans_path, read_sheet, write_sheet
from analysis.coding.units import (
    blind_id,
    coding_units,
    resolve_ids,
    resolve_rows,
    sheet_columns,
)

__all__ = [
    "ASSOCIATION_CAVEAT",
    "ASSOCIATION_COLUMNS",
    "BLIND_PREFIX",
    "CODE_COLUMNS",
    "Code",
    "Codebook",
    "CorpusCoding",
    "DEFAULT_KINDS",
    "DIMENSION_COLUMNS",
    "Dimension",
    "ID_COLUMNS",
    "LONG_COLUMNS",
    "PROBLEM_COLUMNS",
    "RULE_COLUMNS",
    "RUN_COLUMNS",
    "SHEET_COLUMNS",
    "SOURCE_COLUMNS",
    "SUMMARY_COLUMNS",
    "SheetFormat",
    "TEXT_COLUMNS",
    "association_test",
    "association_tests",
    "backup_path",
    "blind_id",
    "cell_text",
    "check_sheet",
    "cited_units",
    "code_summary",
    "code_table",
    "code_table_wide",
    "code_units",
    "codebook_codes",
    "codebook_decision_rules",
    "codebook_dimensions",
    "codebook_examples",
    "codebook_markdown",
    "coded_profile",
    "coded_rows_by",
    "coded_table",
    "coding_units",
    "corpus_coding",
    "csv_escape",
    "csv_unescape",
    "evidence_in_text",
    "export_sheet",
    "frame_runs",
    "frame_sequence",
    "load_codebook",
    "merge_sheets",
    "notes_cite_this_corpus",
    "orphans_path",
    "read_sheet",
    "resolve_ids",
    "resolve_rows",
    "sheet_columns",
    "sheets_for_corpus",
    "text_sha",
    "write_sheet",
    "xlsx_escape",
    "xlsx_unescape",
]
