"""The reports' sentences that depend on numbers, built from the tables of a run.

Each function takes the tables a notebook has just computed (and the names of the sides being
compared) and returns Markdown: a sentence, a bullet or a paragraph, never a number typed by
hand. Corpus text inside a sentence goes through :func:`analysis.present.quote_text`, so a term
can never turn into markup; paragraphs behind a finding are cited with
:func:`analysis.present.cite`. The notebooks only call these, so the prose of a report is tested
like the numbers it reports (``tests/test_narrative.py``, one toy table per sentence).

One module per report, each re-exported here (``narrative.keyness_evidence`` ...):
``corpus`` (00), ``frequencies`` (01), ``keyness`` (02), ``concordance`` (03), ``coding``
(04) and ``findings`` (05).
"""

from __future__ import annotations

from analysis.narrative.coding import (
    agreement_pending,
    agreement_results,
    association_results,
    baseline_interpretation,
    coders_found,
    coding_interpretation,
    coding_units_line,
    frame_and_stance_profile,
    frame_runs_text,
    lexicon_check,
    lexicon_proposals,
    no_association,
)
from analysis.narrative.concordance import (
    FRAMING_READING,
    dispersion_extremes,
    first_lines,
    framing_interpretation,
    framing_rates,
    strongest_collocates,
)
from analysis.narrative.corpus import corpus_check_summary, document_extremes
from analysis.narrative.findings import (
    NO_CODING,
    STANCE_LABELS,
    coding_findings,
    contrast_line,
    findings_interpretation,
    function_word_lines,
    key_terms_found,
    kwic_bullets,
    kwic_heading,
    limits,
    marked_by,
    statements_compared,
)
from analysis.narrative.frequencies import (
    PROFILE_LABELS,
    VOICE_LABELS,
    frequency_interpretation,
    most_frequent_terms,
    multiword_use,
    outside_counted,
    pronouns_and_modals,
    vocabulary_overlap_line,
)
from analysis.narrative.keyness import (
    TFIDF_AGAINST_KEYNESS,
    check_summary,
    documents_per_group_line,
    keyness_evidence,
    keyness_interpretation,
    pair_sizes,
    set_aside,
    similarity_summary,
    tfidf_agreement,
    too_few_documents,
    widest_terms,
)

__all__ = [
    "FRAMING_READING",
    "NO_CODING",
    "PROFILE_LABELS",
    "STANCE_LABELS",
    "TFIDF_AGAINST_KEYNESS",
    "VOICE_LABELS",
    "agreement_pending",
    "agreement_results",
    "association_results",
    "baseline_interpretation",
    "check_summary",
    "coders_found",
    "coding_findings",
    "coding_interpretation",
    "coding_units_line",
    "contrast_line",
    "corpus_check_summary",
    "dispersion_extremes",
    "document_extremes",
    "documents_per_group_line",
    "findings_interpretation",
    "first_lines",
    "frame_and_stance_profile",
    "frame_runs_text",
    "framing_interpretation",
    "framing_rates",
    "frequency_interpretation",
    "function_word_lines",
    "key_terms_found",
    "keyness_evidence",
    "keyness_interpretation",
    "kwic_bullets",
    "kwic_heading",
    "lexicon_check",
    "lexicon_proposals",
    "limits",
    "marked_by",
    "most_frequent_terms",
    "multiword_use",
    "no_association",
    "outside_counted",
    "pair_sizes",
    "pronouns_and_modals",
    "set_aside",
    "similarity_summary",
    "statements_compared",
    "strongest_collocates",
    "tfidf_agreement",
    "too_few_documents",
    "vocabulary_overlap_line",
    "widest_terms",
]
