"""Figures for the lexical comparison: one function per figure, each returning a Figure.

Functions never save or show; the report layer saves them (with ``metadata=None`` for SVG).
All share :data:`STYLE` (Okabe-Ito colour-blind-safe palette, report-size fonts, a fixed
``svg.hashsalt`` so SVG ids are byte-reproducible) through :func:`figure_style`.

The package, one module per kind of figure (every name re-exported here): ``style``,
``terms``, ``paragraphs`` and ``documents``.
"""

from __future__ import annotations

from analysis.plots.documents import dispersion_barcode, document_sizes, function_word_profiles
from analysis.plots.paragraphs import HEATMAP_INCHES, MAX_HEATMAP, similarity_heatmap
from analysis.plots.style import (
    NEUTRAL_COLOUR,
    OKABE_ITO,
    PAGE_DPI,
    PAGE_MAX_PIXELS,
    REFERENCE_COLOUR,
    STYLE,
    TARGET_COLOUR,
    DisplayFigure,
    figure_style,
    page_png,
)
from analysis.plots.terms import frequency_scatter, keyness_chart, tfidf_contrast_bars

__all__ = [
    "DisplayFigure",
    "HEATMAP_INCHES",
    "MAX_HEATMAP",
    "NEUTRAL_COLOUR",
    "OKABE_ITO",
    "PAGE_DPI",
    "PAGE_MAX_PIXELS",
    "REFERENCE_COLOUR",
    "STYLE",
    "TARGET_COLOUR",
    "dispersion_barcode",
    "document_sizes",
    "figure_style",
    "frequency_scatter",
    "function_word_profiles",
    "keyness_chart",
    "page_png",
    "similarity_heatmap",
    "tfidf_contrast_bars",
]
