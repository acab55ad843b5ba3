"""Segment-level TF-IDF: group contrasts, each paragraph's distinctive terms, paragraph similarity.

The documents are the analysed segments (paragraphs and list items), so IDF means "how many
paragraphs use the term". Weights are scikit-learn's ``TfidfVectorizer`` weighting (smooth idf
``ln((1+n)/(1+df)) + 1``, raw term counts, l2 row norm): its ``TfidfTransformer`` applied to the
project's own counts (:func:`analysis.counts.unit_term_counts`, ``norm`` or stem label,
multiword expressions joined, one column per term in sorted order, as ``CountVectorizer`` would
give them), so nothing is tokenised or lower-cased a second time.

The package (every name re-exported here): ``weights`` (TF-IDF, contrasts, distinctive terms)
and ``similarity`` (paragraph similarity and its highlights).
"""

from __future__ import annotations

from analysis.tfidf.similarity import (
    BLOCK_CELLS,
    MAX_SIMILARITY_CELLS,
    TOP_PAIRS,
    Similarity,
    SimilarityHighlights,
    paragraph_similarity,
    similarity_highlights,
    similarity_tables,
)
from analysis.tfidf.weights import (
    SegmentTfidf,
    contrast_extremes,
    contrast_table,
    distinctive_terms,
    segment_tfidf,
    tfidf_contrast,
)

__all__ = [
    "BLOCK_CELLS",
    "MAX_SIMILARITY_CELLS",
    "SegmentTfidf",
    "Similarity",
    "SimilarityHighlights",
    "TOP_PAIRS",
    "contrast_extremes",
    "contrast_table",
    "distinctive_terms",
    "paragraph_similarity",
    "segment_tfidf",
    "similarity_highlights",
    "similarity_tables",
    "tfidf_contrast",
]
