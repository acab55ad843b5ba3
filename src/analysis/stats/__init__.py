"""Keyness, effect sizes, dispersion and collocation measures: pure, vectorised numeric functions.

Every function takes counts (dicts, Series or arrays) and returns numbers or a DataFrame computed
over the whole vocabulary at once with numpy/scipy; none loops over terms in Python. Definitions
and their sources are in ``docs/measures.md``; the tests check each against scipy, nltk or a
published worked example.

Notation: for a term, ``a`` is its frequency in the target group, ``b`` in the reference group,
``c`` and ``d`` the token totals of the two groups and ``N = c + d``.

The package, by measure (every name re-exported here): ``keyness_measures``, ``dispersion``,
``collocation`` and ``permutation``.
"""

from __future__ import annotations

from analysis.stats.collocation import association
from analysis.stats.dispersion import dispersion_dp
from analysis.stats.keyness_measures import (
    KEYNESS_COLUMNS,
    ZERO_SUBSTITUTE,
    CountsLike,
    benjamini_hochberg,
    keyness,
    keyness_one_vs_rest,
    keyness_pairwise,
    logodds_dirichlet,
)
from analysis.stats.permutation import RESAMPLE_BLOCK_CELLS, permutation_log_ratio

__all__ = [
    "CountsLike",
    "KEYNESS_COLUMNS",
    "RESAMPLE_BLOCK_CELLS",
    "ZERO_SUBSTITUTE",
    "association",
    "benjamini_hochberg",
    "dispersion_dp",
    "keyness",
    "keyness_one_vs_rest",
    "keyness_pairwise",
    "logodds_dirichlet",
    "permutation_log_ratio",
]
