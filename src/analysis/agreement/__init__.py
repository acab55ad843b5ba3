"""Intercoder agreement: percent agreement, Cohen's kappa, Krippendorff's alpha and its bootstrap.

Reliability data are a coders x units table (list of lists or DataFrame, one row per coder, one
column per unit) in which ``None``, NaN, ``pd.NA`` and ``""`` mean "this coder did not code this
unit". Cohen's kappa follows ``sklearn.metrics.cohen_kappa_score`` exactly; Krippendorff's alpha
is computed through the coincidence matrix as in Krippendorff (2011), "Computing Krippendorff's
Alpha-Reliability", whose worked 4-coder, 12-unit example the tests reproduce for all four levels.
The long-table helpers turn a merged coding table (seg_id, coder, dimension, code) into the
per-dimension summary and the list of disagreements for adjudication.

The package (every name re-exported here): ``alpha`` (Krippendorff's alpha and its verdict),
``pairwise`` (percent agreement, Cohen's kappa) and ``summary`` (bootstrap intervals,
disagreements, the per-dimension summary).
"""

from __future__ import annotations

from analysis.agreement.alpha import (
    ALPHA_RELIABLE,
    ALPHA_TENTATIVE,
    LEVELS,
    AlphaResult,
    Level,
    Verdict,
    Weights,
    alpha_details,
    alpha_verdict,
    coincidence_matrix,
    krippendorff_alpha,
    verdict_text,
)
from analysis.agreement.pairwise import cohen_kappa, percent_agreement
from analysis.agreement.summary import (
    BootstrapResult,
    agreement_summary,
    bootstrap_alpha,
    disagreements,
    reliability_matrix,
)

__all__ = [
    "ALPHA_RELIABLE",
    "ALPHA_TENTATIVE",
    "AlphaResult",
    "BootstrapResult",
    "LEVELS",
    "Level",
    "Verdict",
    "Weights",
    "agreement_summary",
    "alpha_details",
    "alpha_verdict",
    "bootstrap_alpha",
    "cohen_kappa",
    "coincidence_matrix",
    "disagreements",
    "krippendorff_alpha",
    "percent_agreement",
    "reliability_matrix",
    "verdict_text",
]
