"""Frequency tables, n-grams, function-word profiles and document-term matrices by any grouping.

Every table here is computed from the token table of :func:`analysis.tokenise.tokenise` and the
segment table of :func:`analysis.segment.segment_corpus`; ``by`` may be any segment column
(``doc_id``, ``seg_id``, ``actor_type``, ``genre``, ``organisation`` ...).

The denominator of every ``per_1k`` rate is the group's **running words**: the tokens of the
analysed segments (``kinds``) that are not punctuation, *stopwords included* (even when the table
leaves them out) and with a multiword expression counted as the number of words it joins. The
denominator therefore does not change with ``unit``, ``mwe`` or ``stopwords``, and a rate means
"occurrences per 1,000 words of running text of that group". It is reported as ``total_tokens``.

The package, by stage (every name re-exported here, so ``analysis.counts.group_keyness`` and the
other names of the design keep working): ``core`` (the counts of a document-term matrix by unit,
the decorator that lets every function take the matrix or a token table, group totals),
``groups`` (group x term matrices), ``frequencies`` (term and n-gram counts, function words,
dispersion), ``keyness`` (token and document keyness, term ranges) and ``checks`` (permutation
checks, the spread rule, top key terms and their adjustment).
"""

from __future__ import annotations

from analysis.counts.checks import (
    TermList,
    adjust_checks,
    document_permutation,
    key_candidates,
    key_term_tally,
    permutation_keyness,
    top_key_terms,
)
from analysis.counts.core import (
    SPREAD_RULE,
    STANCE_SUBCLASSES,
    KeynessScheme,
    group_totals,
    takes_matrix,
    unit_term_counts,
)
from analysis.counts.frequencies import (
    function_word_profile,
    function_word_rates,
    ngram_counts,
    term_counts,
    term_dispersion,
)
from analysis.counts.groups import GroupTermMatrix, document_term_matrix
from analysis.counts.keyness import document_keyness, group_keyness, is_letter_or_number, term_range
from analysis.dtm import TermForm

__all__ = [
    "KeynessScheme",
    "TermList",
    "TermForm",
    "SPREAD_RULE",
    "adjust_checks",
    "STANCE_SUBCLASSES",
    "document_keyness",
    "document_permutation",
    "is_letter_or_number",
    "key_candidates",
    "term_range",
    "DocumentTermMatrix",
    "GroupTermMatrix",
    "UnitTermCounts",
    "analysis_words",
    "takes_matrix",
    "unit_term_counts",
    "document_term_matrix",
    "function_word_profile",
    "function_word_rates",
    "group_keyness",
    "group_totals",
    "key_term_tally",
    "ngram_counts",
    "permutation_keyness",
    "term_counts",
    "term_dispersion",
    "top_key_terms",
]
