"""The comparison a report makes: the tables of the compared groups, the design, and each pair
of sides (a side column added, the units of other groups left out)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import pandas as pd

from analysis import report
from analysis.compare import REST, Design, comparison_design
from analysis.dtm import DocumentTermMatrix
from analysis.errors import AnalysisError
from analysis.pipeline import CorpusTables

#: Segment column added by :func:`compare_groups`: the side of the comparison of each segment.
SIDE = "side"


@dataclass(frozen=True)
class Comparison:
    """The tables of the compared groups, the comparison design and the sides of each test.

    Attributes
    ----------
    tables : CorpusTables
        The corpus, cleaning log, segments, sentences and tokens of the compared groups only;
        ``tables.segments`` has the extra column ``side`` (str): for the comparison
        ``(target, reference)`` this object stands for, the segment's group when it is the
        target, else the reference (a group, or ``"rest"``). Segments of groups outside this
        comparison (a pairwise design) have no side (None).
    groups : tuple of str
        The compared groups in order (the notebook's ``groups`` parameter, or all groups).
    by : str
        The grouping column (``actor_type``).
    target : str
        The target of this comparison (the design's first, unless :meth:`pair` chose another).
    reference : str
        Its reference: a group, or ``"rest"`` (all other compared groups pooled).
    design : Design
        Every comparison of the report (:func:`analysis.compare.comparison_design`).
    """

    tables: CorpusTables
    groups: tuple[str, ...]
    by: str
    target: str
    reference: str
    design: Design | None = None

    @property
    def one_vs_rest(self) -> bool:
        """True when this comparison's reference is the pooled rest of the compared groups."""
        return self.reference == REST

    @property
    def pairs(self) -> tuple[tuple[str, str], ...]:
        """Every comparison of the design, as ``(target, reference)``."""
        return self.design.pairs if self.design is not None else ((self.target, self.reference),)

    @property
    def tokens(self) -> pd.DataFrame:
        """Token table of the compared groups."""
        return self.tables.tokens

    @property
    def dtm(self) -> DocumentTermMatrix:
        """Document-term matrix of the compared groups' units."""
        return self.tables.dtm

    @property
    def segments(self) -> pd.DataFrame:
        """Segment table of the compared groups, with the ``side`` column."""
        return self.tables.segments

    def pair(self, target: str, reference: str) -> Comparison:
        """The same tables with the ``side`` column of another comparison of the design."""
        return replace(
            self,
            tables=_with_side(self.tables, self.by, target, reference, self.groups),
            target=target,
            reference=reference,
        )


def _with_side(
    tables: CorpusTables, by: str, target: str, reference: str, groups: Sequence[str]
) -> CorpusTables:
    members = set(groups) if reference == REST else {target, reference}
    values = tables.segments[by].astype(str)
    side = values.where(values == target, reference).where(values.isin(members), None)
    return tables.with_segments(tables.segments.assign(**{SIDE: side.to_numpy()}))


def restrict_groups(
    tables: CorpusTables, groups: Sequence[str] | None, by: str
) -> tuple[CorpusTables, list[str]]:
    """Return the tables of ``groups`` only (all groups when None) and the group list."""
    chosen = report.groups_to_compare(tables.corpus, groups, by=by)
    return _restrict_to(tables, chosen, by), chosen


def _restrict_to(tables: CorpusTables, chosen: Sequence[str], by: str) -> CorpusTables:
    """Return the tables of the ``chosen`` groups only."""
    corpus = tables.corpus[tables.corpus[by].astype(str).isin(chosen)]
    return tables.of_documents(corpus["doc_id"])


def compare_groups(
    tables: CorpusTables,
    groups: Sequence[str] | None = None,
    *,
    by: str = "actor_type",
    compare: str | Iterable[Any] | None = None,
) -> Comparison:
    """Restrict the tables to the compared groups and set out the comparisons.

    The design comes from :func:`analysis.compare.comparison_design`: two groups are compared
    with each other; with more, ``compare`` chooses one-vs-rest (the default: each group against
    the others pooled as ``"rest"``), pairwise, or named pairs. The returned object stands for
    the design's first comparison; :meth:`Comparison.pair` gives each of the others.

    Parameters
    ----------
    tables : CorpusTables
        From :func:`analysis.pipeline.build`.
    groups : sequence of str, optional
        The notebook's ``groups`` parameter; None means every group in order of appearance.
    by : str, default "actor_type"
        Document column defining the groups.
    compare : str or list of pairs, optional
        The notebook's ``compare`` parameter.

    Returns
    -------
    Comparison
        The restricted tables (segments with a ``side`` column), the groups and the design.
    """
    design = comparison_design(tables.corpus, groups, compare, by=by)
    if not design.pairs:
        raise AnalysisError(
            f"only the group(s) {list(design.groups)} of {by!r} are selected; a comparison needs "
            "two. Add documents of another group to the manifest or pass two groups."
        )
    restricted = _restrict_to(tables, design.groups, by)
    target, reference = design.pairs[0]
    return Comparison(
        tables=_with_side(restricted, by, target, reference, design.groups),
        groups=design.groups,
        by=by,
        target=target,
        reference=reference,
        design=design,
    )
