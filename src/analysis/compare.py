"""One comparison design, chosen once, used by every notebook and every table.

A report compares the groups of one document column (``actor_type`` by default). With two
groups there is one comparison. With three or more the design is chosen once (a report option
and a notebook parameter, ``compare``):

``"one-vs-rest"`` (the default with three or more groups)
    each group against all the other compared groups pooled, the reference named ``"rest"``;
``"pairwise"``
    every pair of groups, in the order the groups are listed;
a list of pairs, e.g. ``[("civil_society", "government")]``
    only those comparisons (a pair may also be written ``"civil_society:government"``).

:func:`comparison_design` returns a :class:`Design` naming the compared groups, the comparisons
in order and any group of the corpus that is left out, so that a report can say so.

This is also the one home of group selection: the groups a notebook compares
(:func:`groups_to_compare`), each group's documents (:func:`documents_per_group`), and what
differs between groups besides the actor (:func:`separates_groups`, :func:`date_span_years`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Any, cast

import pandas as pd

from analysis.errors import AnalysisError, CorpusError, ReportError

__all__ = [
    "COMPARE_SCHEMES",
    "REST",
    "Design",
    "comparison_design",
    "date_span_years",
    "documents_per_group",
    "group_comparisons",
    "groups_to_compare",
    "parse_compare",
    "separates_groups",
]

#: The reference of a one-vs-rest comparison: every other compared group pooled.
REST = "rest"
#: The named designs; a list of pairs is the third way.
COMPARE_SCHEMES: tuple[str, ...] = ("one-vs-rest", "pairwise")


@dataclass(frozen=True)
class Design:
    """The comparisons of a report.

    Attributes
    ----------
    by : str
        The document column whose values are the groups.
    groups : tuple of str
        The compared groups, in order.
    pairs : tuple of (str, str)
        The comparisons in order, as ``(target, reference)``; a reference of :data:`REST` is
        every other compared group pooled.
    scheme : str
        ``"two groups"``, ``"one-vs-rest"``, ``"pairwise"`` or ``"named pairs"``.
    left_out : tuple of str
        Groups of the corpus that no comparison uses.
    """

    by: str
    groups: tuple[str, ...]
    pairs: tuple[tuple[str, str], ...]
    scheme: str
    left_out: tuple[str, ...] = ()

    @staticmethod
    def reference_arg(reference: str) -> str | None:
        """The ``reference`` argument of the counting functions: None for the pooled rest."""
        return None if reference == REST else reference

    def members(self, target: str, reference: str) -> tuple[str, ...]:
        """The groups a comparison covers (the target and the groups of its reference side)."""
        if reference == REST:
            return self.groups
        return (target, reference)

    def reference_groups(self, target: str, reference: str) -> tuple[str, ...]:
        """The groups that make up the reference side of a comparison."""
        return tuple(g for g in self.members(target, reference) if g != target)

    def label(self, target: str, reference: str) -> str:
        """A short name of a comparison, also used in file names: ``"ngo-vs-rest"``."""
        return f"{target}-vs-{reference}"

    def suffix(self, target: str, reference: str) -> str:
        """File-name suffix of a comparison's tables and figures: empty when there is one."""
        return "" if len(self.pairs) == 1 else f"-{self.label(target, reference)}"

    def describe(self) -> str:
        """One Markdown sentence naming the groups compared, the design and what is left out."""
        names = ", ".join(f"`{g}`" for g in self.groups)
        if not self.pairs:
            text = f"Only {names or 'no group'} is selected, so there is nothing to compare."
        elif self.scheme == "two groups":
            text = f"The comparison sets `{self.pairs[0][0]}` against `{self.pairs[0][1]}`."
        elif self.scheme == "one-vs-rest":
            text = (
                f"The {len(self.groups)} groups {names} are compared one against the rest: "
                "each group against all the other compared groups pooled (`rest`)."
            )
        elif self.scheme == "pairwise":
            text = (
                f"The {len(self.groups)} groups {names} are compared pairwise, "
                f"{len(self.pairs)} comparisons: "
                + "; ".join(f"`{t}` vs `{r}`" for t, r in self.pairs)
                + "."
            )
        else:
            text = (
                "The comparisons are the pairs named for this report: "
                + "; ".join(f"`{t}` vs `{r}`" for t, r in self.pairs)
                + "."
            )
        if self.left_out:
            text += (
                " Left out of every comparison: "
                + ", ".join(f"`{g}`" for g in self.left_out)
                + " (not among the groups selected for this report)."
            )
        return text


def parse_compare(values: Sequence[str] | str | None) -> str | list[tuple[str, str]] | None:
    """Read the ``--compare`` option: a scheme name or pairs written ``"target:reference"``.

    Examples
    --------
    >>> parse_compare(["pairwise"])
    'pairwise'
    >>> parse_compare(["ngo:gov", "igo:gov"])
    [('ngo', 'gov'), ('igo', 'gov')]
    """
    if values is None:
        return None
    if isinstance(values, str):
        values = [values]
    values = list(values)
    if len(values) == 1 and values[0] in COMPARE_SCHEMES:
        return values[0]
    pairs = []
    for value in values:
        target, sep, reference = value.partition(":")
        if not sep or not target or not reference:
            raise AnalysisError(
                f"compare value {value!r} is neither {' nor '.join(COMPARE_SCHEMES)} nor a pair "
                "written target:reference (e.g. civil_society:government)"
            )
        pairs.append((target, reference))
    return pairs


def _present(corpus: pd.DataFrame, by: str) -> list[str]:
    if by not in corpus.columns:
        raise AnalysisError(f"cannot group by {by!r}: the table has no such column")
    return list(dict.fromkeys(str(v) for v in corpus[by]))


def comparison_design(
    corpus: pd.DataFrame,
    groups: Sequence[str] | str | None = None,
    compare: str | Iterable[Any] | None = None,
    *,
    by: str = "actor_type",
) -> Design:
    """Decide the comparisons of a report from its ``groups`` and ``compare`` parameters.

    Parameters
    ----------
    corpus
        The document table (or any table with the ``by`` column).
    groups
        The groups to compare, in order; None means every group, in order of first appearance.
    compare
        ``"one-vs-rest"``, ``"pairwise"``, a list of ``(target, reference)`` pairs (or
        ``"target:reference"`` strings), or None: the one comparison of two groups, one-vs-rest
        with three or more.
    by
        The grouping column.

    Returns
    -------
    Design

    Raises
    ------
    AnalysisError
        A group that is not in the corpus, an unknown scheme, or a pair naming a group twice or
        a group outside ``groups``.

    Examples
    --------
    >>> corpus = pd.DataFrame({"actor_type": ["ngo", "gov", "igo", "ngo"]})
    >>> comparison_design(corpus).pairs
    (('ngo', 'rest'), ('gov', 'rest'), ('igo', 'rest'))
    >>> comparison_design(corpus, compare="pairwise").pairs
    (('ngo', 'gov'), ('ngo', 'igo'), ('gov', 'igo'))
    >>> two = comparison_design(corpus, ["gov", "ngo"])
    >>> two.pairs, two.left_out
    ((('gov', 'ngo'),), ('igo',))
    """
    present = _present(corpus, by)
    if groups is None:
        chosen = present
    else:
        wanted = [str(g) for g in ([groups] if isinstance(groups, str) else groups)]
        missing = [g for g in wanted if g not in present]
        if missing:
            raise AnalysisError(
                f"group(s) {', '.join(map(repr, missing))} not found in column {by!r}; "
                f"the corpus has {', '.join(map(repr, present))}"
            )
        chosen = list(dict.fromkeys(wanted))
    if isinstance(compare, str) and compare not in COMPARE_SCHEMES:
        compare = parse_compare([compare])
    pairs: list[tuple[str, str]]
    if compare is None:
        if len(chosen) == 2:
            pairs, scheme = [(chosen[0], chosen[1])], "two groups"
        else:
            pairs = [(g, REST) for g in chosen] if len(chosen) > 2 else []
            scheme = "one-vs-rest"
    elif compare == "one-vs-rest":
        pairs = [(g, REST) for g in chosen] if len(chosen) >= 2 else []
        scheme = "one-vs-rest" if len(chosen) > 2 else "two groups"
        if len(chosen) == 2:
            pairs = [(chosen[0], chosen[1])]
    elif compare == "pairwise":
        pairs = list(combinations(chosen, 2))
        scheme = "pairwise" if len(chosen) > 2 else "two groups"
    else:
        pairs = []
        for pair in compare:
            if isinstance(pair, str):
                parsed = parse_compare([pair])
                if not isinstance(parsed, list):
                    raise AnalysisError(f"compare: {pair!r} is not a pair written target:reference")
                target, reference = parsed[0]
            else:
                target, reference = pair
            for g in (target, reference):
                if g not in chosen:
                    raise AnalysisError(
                        f"comparison {target!r} vs {reference!r}: {g!r} is not a compared group; "
                        f"choose among {', '.join(map(repr, chosen))}"
                    )
            if target == reference:
                raise AnalysisError(f"comparison {target!r} vs itself: name two groups")
            pairs.append((str(target), str(reference)))
        pairs = list(dict.fromkeys(pairs))
        scheme = "named pairs"
        used = {g for p in pairs for g in p}
        chosen = [g for g in chosen if g in used]
    left_out = tuple(g for g in present if g not in chosen)
    return Design(by=by, groups=tuple(chosen), pairs=tuple(pairs), scheme=scheme, left_out=left_out)


def groups_to_compare(
    corpus: pd.DataFrame, groups: Sequence[str] | None = None, *, by: str = "actor_type"
) -> list[str]:
    """Return the groups a notebook compares: the ``groups`` parameter checked, or all of them.

    Parameters
    ----------
    corpus
        The document table (or any table with the ``by`` column).
    groups
        The notebook's ``groups`` parameter; ``None`` means every value of ``by`` in order of
        first appearance.
    by
        The grouping column.

    Returns
    -------
    list of str
        Group names, each present in ``corpus[by]``.
    """
    if by not in corpus.columns:
        raise ReportError(f"cannot group by {by!r}: the table has no such column")
    present = list(dict.fromkeys(str(v) for v in corpus[by]))
    if groups is None:
        return present
    if isinstance(groups, str):
        groups = [groups]
    wanted = [str(g) for g in groups]
    missing = [g for g in wanted if g not in present]
    if missing:
        raise ReportError(
            f"group(s) {', '.join(map(repr, missing))} not found in column {by!r}; "
            f"the corpus has {', '.join(map(repr, present))}"
        )
    return list(dict.fromkeys(wanted))


# ------------------------------------------------------------------ groups of documents


def _group_column(corpus: pd.DataFrame, by: str, column: str | None = None) -> None:
    """Check that the document table has the grouping column (and ``column``)."""
    for name in (by, column):
        if name is not None and name not in corpus.columns:
            raise CorpusError(
                f"the document table has no column {name!r}; its columns are "
                f"{list(corpus.columns)}. Add it to the manifest or choose another column."
            )


def documents_per_group(
    corpus: pd.DataFrame, groups: Iterable[str] | None = None, *, by: str = "actor_type"
) -> pd.Series:
    """List each group's documents.

    Parameters
    ----------
    corpus : DataFrame
        The document table (``doc_id`` and ``by``).
    groups : iterable of str, optional
        The groups wanted, in the order wanted (e.g. from
        :func:`analysis.report.groups_to_compare`); default every group in order of first
        appearance.
    by : str, default "actor_type"
        The grouping column.

    Returns
    -------
    pandas.Series
        Indexed by group (index named ``by``), named ``doc_ids``: for each group the list of its
        ``doc_id`` values in corpus order, an empty list for a group without documents.

    Examples
    --------
    >>> corpus = pd.DataFrame({"doc_id": ["x", "y", "z"], "actor_type": ["ngo", "gov", "ngo"]})
    >>> documents_per_group(corpus, ["gov", "ngo"]).to_dict()
    {'gov': ['y'], 'ngo': ['x', 'z']}
    """
    _group_column(corpus, by, "doc_id")
    values = corpus[by].to_numpy()
    groups = list(dict.fromkeys(values)) if groups is None else list(groups)
    ids = corpus["doc_id"].to_numpy()
    lists = [[str(d) for d in ids[values == g]] for g in groups]
    return pd.Series(
        lists, index=pd.Index(groups, name=by, dtype=object), name="doc_ids", dtype=object
    )


def group_comparisons(groups: Iterable[str]) -> list[tuple[str, str]]:
    """Return the comparisons a report draws between the compared groups.

    Two groups are compared with each other; with more than two, each group in turn is compared
    with all the others pooled, named ``"rest"`` (unlike
    :func:`analysis.explorer.compare_groups`, which compares only the first group with the
    rest); one group or none gives nothing to compare. A group listed twice counts once.

    Parameters
    ----------
    groups
        The compared groups in order (from :func:`groups_to_compare`).

    Returns
    -------
    list of (str, str)
        ``(target, reference)`` pairs; a reference of ``"rest"`` means the other groups pooled
        (pass ``reference=None`` to the counting functions for it).

    Examples
    --------
    >>> group_comparisons(["ngo", "gov"])
    [('ngo', 'gov')]
    >>> group_comparisons(["ngo", "gov", "un"])
    [('ngo', 'rest'), ('gov', 'rest'), ('un', 'rest')]
    """
    groups = list(dict.fromkeys(groups))
    if len(groups) == 2:
        return [(groups[0], groups[1])]
    if len(groups) > 2:
        return [(g, "rest") for g in groups]
    return []


def separates_groups(
    corpus: pd.DataFrame,
    column: str,
    *,
    groups: Iterable[str] | None = None,
    by: str = "actor_type",
) -> bool:
    """Tell whether no value of ``column`` is shared by two groups.

    When it holds (e.g. every civil-society document is a press statement and every government
    document a diplomatic statement), the column and the group cannot be told apart: every
    difference between the groups is also a difference of ``column``.

    Parameters
    ----------
    corpus : DataFrame
        The document table (``by`` and ``column``).
    column : str
        The document column to check (``genre``, ``venue``, ``language`` ...). An empty value
        counts as a value like any other.
    groups : iterable of str, optional
        The groups compared; default every group of ``by``. Documents of other groups are
        ignored.
    by : str, default "actor_type"
        The grouping column.

    Returns
    -------
    bool
        True when there are at least two groups and each value of ``column`` occurs in one group
        only; False with fewer than two groups (nothing to separate).

    Examples
    --------
    >>> corpus = pd.DataFrame({"actor_type": ["ngo", "gov", "ngo"],
    ...                        "genre": ["press", "speech", "press"]})
    >>> separates_groups(corpus, "genre"), separates_groups(corpus.assign(genre="press"), "genre")
    (True, False)
    """
    _group_column(corpus, by, column)
    values = corpus[by].to_numpy()
    groups = list(dict.fromkeys(values)) if groups is None else list(dict.fromkeys(groups))
    if len(groups) < 2:
        return False
    chosen = corpus[corpus[by].isin(groups)]
    groups_per_value = chosen.groupby(column, sort=False)[by].nunique()
    return bool((groups_per_value <= 1).all())


def date_span_years(
    corpus: pd.DataFrame, *, groups: Iterable[str] | None = None, by: str = "actor_type"
) -> float:
    """Return the years between the earliest and the latest document of some groups.

    Parameters
    ----------
    corpus : DataFrame
        The document table (``date`` as an ISO date string, and ``by``).
    groups : iterable of str, optional
        The groups whose documents count; default all documents.
    by : str, default "actor_type"
        The grouping column.

    Returns
    -------
    float
        Days between the earliest and the latest ``date`` divided by 365.25; 0.0 for one
        document, NaN for none.

    Examples
    --------
    >>> corpus = pd.DataFrame({"actor_type": ["ngo", "gov"],
    ...                        "date": ["2022-03-04", "2024-07-11"]})
    >>> round(date_span_years(corpus), 2)
    2.35
    """
    _group_column(corpus, by, "date")
    chosen = corpus if groups is None else corpus[corpus[by].isin(list(groups))]
    if chosen.empty:
        return float("nan")
    try:
        dates = pd.to_datetime(chosen["date"], format="ISO8601")
    except (ValueError, TypeError) as exc:
        raise CorpusError(
            f"the document table's date column holds a value that is not an ISO date ({exc}); "
            "fix it in the manifest (YYYY-MM-DD)."
        ) from None
    return cast(float, (dates.max() - dates.min()).days / 365.25)
