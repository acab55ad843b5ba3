"""Term-level views for the notebooks: groups to compare, a term's rates, lines and dispersion.

The report notebooks compare groups of statements (``actor_type`` by default) and follow single
terms through the texts. This module holds what they share, so that no notebook defines code:

- :func:`compare_groups` restricts the tables to the groups a notebook compares and names the two
  sides of every two-sided test (the second group, or all other groups pooled as ``"rest"``);
- :func:`vocabulary_overlap` and :func:`shared_terms` describe what two sides have in common;
- :func:`term_rates`, :func:`query_rates` and :func:`group_collocates` count a query (a word, a
  stem, a multiword expression or a regular expression, matched as in
  :func:`analysis.concordance.kwic`, so a word inside a joined multiword expression is found too)
  per group, with its dispersion;
- :func:`term_summary` gathers a term's rates, concordance lines and dispersion barcode, and
  :func:`term_explorer` shows the same for any term picked in an ipywidgets picker.

The package (every name re-exported here): ``comparison`` (the compared groups and their
sides), ``vocabulary`` (shared vocabulary and similarity drivers), ``terms`` (a term's rates,
lines, collocates and summary) and ``widget`` (the interactive explorer).
"""

from __future__ import annotations

from analysis.explorer.comparison import SIDE, Comparison, compare_groups
from analysis.explorer.terms import (
    FRAMING_QUERIES,
    QueryKind,
    TermSummary,
    group_collocates,
    query_rates,
    term_rates,
    term_summary,
)
from analysis.explorer.vocabulary import (
    DRIVER_COLUMNS,
    overlap_summary,
    pair_drivers,
    shared_terms,
    vocabulary_overlap,
)
from analysis.explorer.widget import term_explorer

__all__ = [
    "Comparison",
    "DRIVER_COLUMNS",
    "FRAMING_QUERIES",
    "QueryKind",
    "SIDE",
    "TermSummary",
    "compare_groups",
    "group_collocates",
    "overlap_summary",
    "pair_drivers",
    "query_rates",
    "shared_terms",
    "term_explorer",
    "term_rates",
    "term_summary",
    "vocabulary_overlap",
]
