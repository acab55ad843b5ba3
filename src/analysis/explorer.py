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
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from analysis import concordance, counts, plots, report, stats
from analysis.compare import REST, Design, comparison_design
from analysis.dtm import DocumentTermMatrix
from analysis.errors import AnalysisError
from analysis.pipeline import CorpusTables

__all__ = [
    "DRIVER_COLUMNS",
    "FRAMING_QUERIES",
    "SIDE",
    "Comparison",
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

QueryKind = Literal["auto", "word", "stem", "mwe", "regex"]

#: Segment column added by :func:`compare_groups`: the side of the comparison of each segment.
SIDE = "side"

#: Framing terms followed through the statements: (label, query, kind). Regular expressions
#: match a whole word or one word of a joined multiword expression (``re.fullmatch``), so
#: ``.*smuggl.*`` finds "people smuggling", "smuggling of migrants" and "anti-smuggling".
FRAMING_QUERIES: tuple[tuple[str, str, QueryKind], ...] = (
    ("trafficking", r".*traffick.*", "regex"),
    ("smuggling", r".*smuggl.*", "regex"),
    ("victims / survivors", r"victims?|survivors?", "regex"),
    ("migrants", r"migrants?", "regex"),
    ("rights", r"rights?", "regex"),
    ("enforcement", r"enforce.*", "regex"),
    ("prosecution / punishment", r"prosecut.*|punish.*|detention", "regex"),
    ("cooperation / collaboration", r"cooperat.*|collaborat.*", "regex"),
    ("civil society / CSOs / NGOs", r"civil|csos?|ngos?|non-governmental|activists?", "regex"),
)


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


def _restrict(
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


def vocabulary_overlap(
    term_table: pd.DataFrame, *, by: str, target: str, reference: str
) -> pd.DataFrame:
    """Sort the terms of two groups into shared and exclusive vocabulary.

    Parameters
    ----------
    term_table : pandas.DataFrame
        A :func:`analysis.counts.term_counts` table with the ``by`` column.
    by : str
        Its group column.
    target, reference : str
        The two groups.

    Returns
    -------
    pandas.DataFrame
        One row per term used by either group: ``term`` (str), ``n_target``, ``n_reference``
        (int64), ``per_1k_target``, ``per_1k_reference`` (float64), ``status`` (str:
        ``"shared"``, ``"target only"`` or ``"reference only"``). Sorted by status in that order,
        then by the smaller of the two rates (shared) or the count (exclusive), descending, then
        term. ``attrs`` names the ``target`` and ``reference``.
    """
    for column in (by, "term", "n", "per_1k"):
        if column not in term_table.columns:
            raise AnalysisError(
                f"term table lacks column {column!r}; build it with counts.term_counts(by={by!r})."
            )
    present = set(term_table[by].astype(str))
    for name, group in (("target", target), ("reference", reference)):
        if group not in present:
            raise AnalysisError(
                f"{name}={group!r} is not a value of {by!r}; have {sorted(present)}."
            )
    table = term_table.assign(**{by: term_table[by].astype(str)})
    wide_n = table.pivot_table(index="term", columns=by, values="n", aggfunc="sum", fill_value=0)
    wide_r = table.pivot_table(
        index="term", columns=by, values="per_1k", aggfunc="sum", fill_value=0.0
    )
    out = pd.DataFrame(
        {
            "n_target": wide_n[target].astype("int64"),
            "n_reference": wide_n[reference].astype("int64"),
            "per_1k_target": wide_r[target].astype(float),
            "per_1k_reference": wide_r[reference].astype(float),
        }
    )
    out = out[(out["n_target"] > 0) | (out["n_reference"] > 0)]
    status = np.where(
        (out["n_target"] > 0) & (out["n_reference"] > 0),
        "shared",
        np.where(out["n_target"] > 0, "target only", "reference only"),
    )
    out["status"] = status
    rank = out["status"].map({"shared": 0, "target only": 1, "reference only": 2})
    weight = np.where(
        out["status"] == "shared",
        np.minimum(out["per_1k_target"], out["per_1k_reference"]),
        out["n_target"] + out["n_reference"],
    )
    out = out.assign(_rank=rank, _weight=weight).reset_index()
    out = out.sort_values(["_rank", "_weight", "term"], ascending=[True, False, True])
    out = out.drop(columns=["_rank", "_weight"]).reset_index(drop=True)
    out.attrs["target"], out.attrs["reference"] = target, reference
    return out


def shared_terms(weights: Any, seg_a: str, seg_b: str, *, top: int = 5) -> pd.DataFrame:
    """Explain the TF-IDF cosine of two segments by the terms they share.

    The cosine of two l2-normalised rows is the sum over terms of the product of their weights;
    each shared term's product is its contribution.

    Parameters
    ----------
    weights : analysis.tfidf.SegmentTfidf
        From :func:`analysis.tfidf.segment_tfidf`.
    seg_a, seg_b : str
        The two ``seg_id`` values.
    top : int, default 5
        Terms returned (the largest contributions).

    Returns
    -------
    pandas.DataFrame
        ``term`` (str), ``tfidf_a``, ``tfidf_b``, ``contribution`` (float64, their product),
        ``share`` (float64, contribution / cosine); sorted by contribution descending, then term.
        Empty when the segments share no term.
    """
    ids = list(weights.segments["seg_id"])
    for seg in (seg_a, seg_b):
        if seg not in ids:
            raise AnalysisError(f"seg_id {seg!r} is not among the weighted segments.")
    a = weights.matrix[ids.index(seg_a)].toarray().ravel()
    b = weights.matrix[ids.index(seg_b)].toarray().ravel()
    product = a * b
    both = np.flatnonzero(product > 0)
    cosine = float(product.sum())
    out = pd.DataFrame(
        {
            "term": weights.terms.to_numpy()[both].astype(str),
            "tfidf_a": a[both],
            "tfidf_b": b[both],
            "contribution": product[both],
            "share": product[both] / cosine if cosine > 0 else product[both],
        }
    )
    out = out.sort_values(["contribution", "term"], ascending=[False, True], kind="stable")
    return out.head(top).reset_index(drop=True)


def overlap_summary(overlap: pd.DataFrame) -> pd.DataFrame:
    """Distinct terms and occurrences on each side by ``status`` of a
    :func:`vocabulary_overlap` table (``shared``, then each side's own): ``types``,
    ``tokens_target``, ``tokens_reference``."""
    return overlap.groupby("status", sort=False).agg(
        types=("term", "size"),
        tokens_target=("n_target", "sum"),
        tokens_reference=("n_reference", "sum"),
    )


#: The columns a report shows of :func:`pair_drivers`, in reading order.
DRIVER_COLUMNS = ["seg_a", "seg_b", "cosine", "term", "tfidf_a", "tfidf_b", "share"]


def pair_drivers(weights: Any, pairs: pd.DataFrame, *, top: int = 5) -> pd.DataFrame:
    """What drives the similarity of some paragraph pairs: :func:`shared_terms` of each pair
    (``seg_a``, ``seg_b``, ``cosine`` rows, e.g. the strongest of
    :attr:`analysis.tfidf.Similarity.pairs`), stacked with the pair's ids and cosine after the
    term columns. Empty (with :data:`DRIVER_COLUMNS`) when there is no pair."""
    found = [
        shared_terms(weights, a, b, top=top).assign(seg_a=a, seg_b=b, cosine=c)
        for a, b, c in pairs[["seg_a", "seg_b", "cosine"]].itertuples(index=False)
    ]
    return pd.concat(found, ignore_index=True) if found else pd.DataFrame(columns=DRIVER_COLUMNS)


def _resolve_kind(term: str, kind: QueryKind) -> Literal["word", "stem", "mwe", "regex"]:
    if kind == "auto":
        return "mwe" if len(term.split()) > 1 else "word"
    if kind not in ("word", "stem", "mwe", "regex"):
        raise AnalysisError(f"kind={kind!r}: use 'auto', 'word', 'stem', 'mwe' or 'regex'.")
    return kind


def _lines(tables: CorpusTables, term: str, kind: QueryKind, by: str, window: int) -> pd.DataFrame:
    """KWIC lines of ``term`` with the group of each line as a column after ``doc_id``."""
    if not str(term).strip():
        raise AnalysisError("the term is empty; type a word, a phrase or a pattern.")
    lines = concordance.kwic(
        tables.tokens,
        term,
        window=window,
        corpus=tables.corpus,
        segments=tables.segments,
        kind=_resolve_kind(term, kind),
    )
    group = lines["seg_id"].map(tables.segments.set_index("seg_id")[by]).astype(str)
    lines.insert(2, by, group.to_numpy())
    return lines


def _rates_from_lines(
    tables: CorpusTables, lines: pd.DataFrame, groups: list[str], by: str
) -> pd.DataFrame:
    totals = counts.group_totals(tables.tokens, tables.segments, by)
    totals.index = totals.index.astype(str)
    seg_sizes = counts.group_totals(tables.tokens, tables.segments, "seg_id")
    seg_group = tables.segments.set_index("seg_id")[by].astype(str).reindex(seg_sizes.index)
    per_seg = lines["seg_id"].value_counts().reindex(seg_sizes.index, fill_value=0)
    rows = []
    for group in groups:
        in_group = (seg_group == group).to_numpy()
        hits = per_seg.to_numpy()[in_group]
        n = int(hits.sum())
        dp, dp_norm = (
            stats.dispersion_dp(hits, seg_sizes.to_numpy()[in_group])
            if n > 0 and in_group.any()
            else (np.nan, np.nan)
        )
        total = int(totals.get(group, 0))
        rows.append(
            {
                by: group,
                "n": n,
                "total_tokens": total,
                "per_1k": 1000.0 * n / total if total else np.nan,
                "n_segments": int((hits > 0).sum()),
                "parts": int(in_group.sum()),
                "dp": dp,
                "dp_norm": dp_norm,
                "seg_ids": " ".join(per_seg.index[in_group][hits > 0]),
            }
        )
    return pd.DataFrame(rows).astype(
        {"n": "int64", "total_tokens": "int64", "n_segments": "int64", "parts": "int64"}
    )


def term_rates(
    tables: CorpusTables,
    term: str,
    *,
    kind: QueryKind = "auto",
    by: str = "actor_type",
    groups: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Count a term (or query) per group, per 1,000 running words, with its dispersion.

    Every match of :func:`analysis.concordance.kwic` counts once, so a word is also counted
    inside a joined multiword expression ("smuggling" in "people smuggling"), unlike
    :func:`analysis.counts.term_counts`, which counts whole terms.

    Parameters
    ----------
    tables : CorpusTables
        From :func:`analysis.pipeline.build` (or ``Comparison.tables``).
    term : str
        A word, stem, phrase or regular expression (see ``kind``).
    kind : {"auto", "word", "stem", "mwe", "regex"}, default "auto"
        As in :func:`analysis.concordance.kwic`; ``"auto"``: ``"mwe"`` for several words, else
        ``"word"``.
    by : str, default "actor_type"
        Group column.
    groups : sequence of str, optional
        Groups to report (default all, in order of appearance).

    Returns
    -------
    pandas.DataFrame
        One row per group: ``<by>`` (str), ``n`` (int64, matches), ``total_tokens`` (int64,
        running words, the denominator of :mod:`analysis.counts`), ``per_1k`` (float64),
        ``n_segments`` (int64, segments with a match), ``parts`` (int64, the group's analysed
        segments), ``dp`` and ``dp_norm`` (float64, Gries's DP over the group's segments, NaN
        when the term is absent), ``seg_ids`` (str, the segments with a match, space-separated,
        in reading order).
    """
    restricted, chosen = _restrict(tables, groups, by)
    lines = _lines(restricted, term, kind, by, 0)
    return _rates_from_lines(restricted, lines, chosen, by)


def query_rates(
    tables: CorpusTables,
    queries: Iterable[tuple[str, str, QueryKind]] = FRAMING_QUERIES,
    *,
    by: str = "actor_type",
    groups: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Run :func:`term_rates` for several labelled queries.

    Parameters
    ----------
    queries : iterable of (label, query, kind), default :data:`FRAMING_QUERIES`
        Each query with a readable label.
    tables, by, groups
        As in :func:`term_rates`.

    Returns
    -------
    pandas.DataFrame
        ``label``, ``query``, ``kind`` (str), then the :func:`term_rates` columns; one row per
        query and group, queries in the given order.
    """
    frames = []
    for label, query, kind in queries:
        rates = term_rates(tables, query, kind=kind, by=by, groups=groups)
        rates.insert(0, "kind", kind)
        rates.insert(0, "query", query)
        rates.insert(0, "label", label)
        frames.append(rates)
    if not frames:
        raise AnalysisError("no queries given; pass (label, query, kind) tuples.")
    return pd.concat(frames, ignore_index=True)


def group_collocates(
    tables: CorpusTables,
    node: str,
    *,
    kind: QueryKind = "auto",
    by: str = "actor_type",
    groups: Sequence[str] | None = None,
    window: int = 5,
    min_freq: int = 2,
) -> pd.DataFrame:
    """Find a node's collocates separately in each group (:func:`analysis.concordance.collocates`).

    Returns
    -------
    pandas.DataFrame
        ``<by>`` (str), ``collocate`` (str), then the :func:`analysis.concordance.collocates`
        columns, each group's rows in its own order (``log_dice`` descending). A group where the
        node does not occur, or no collocate reaches ``min_freq``, has no rows.
    """
    restricted, chosen = _restrict(tables, groups, by)
    seg_group = restricted.segments.set_index("seg_id")[by].astype(str)
    token_group = restricted.tokens["seg_id"].map(seg_group)
    frames = []
    for group in chosen:
        part = restricted.tokens[(token_group == group).to_numpy()]
        found = concordance.collocates(
            part, node, window=window, min_freq=min_freq, kind=_resolve_kind(node, kind)
        )
        if len(found) and int(found["f_node"].iloc[0]) > 0:
            frames.append(found.reset_index().assign(**{by: group}))
    if not frames:
        return pd.DataFrame(
            columns=[
                by,
                "collocate",
                "f_xy",
                "left",
                "right",
                "f_y",
                "f_x",
                "f_node",
                "n",
                "pmi",
                "t_score",
                "log_dice",
                "g2",
            ]
        )
    out = pd.concat(frames, ignore_index=True)
    return out[[by, *[c for c in out.columns if c != by]]]


@dataclass(frozen=True)
class TermSummary:
    """What :func:`term_summary` finds for one term.

    Attributes
    ----------
    term : str
        The query as given.
    kind : str
        How it was matched (``word``, ``stem``, ``mwe`` or ``regex``).
    rates : pandas.DataFrame
        The :func:`term_rates` table (one row per group).
    lines : pandas.DataFrame
        KWIC lines in reading order: the :func:`analysis.concordance.kwic` columns with the group
        column after ``doc_id``.
    figure : matplotlib.figure.Figure
        Dispersion barcode: one row per statement (``doc_id (group)``), a mark per match.
    """

    term: str
    kind: str
    rates: pd.DataFrame
    lines: pd.DataFrame
    figure: Figure


def _barcode(tables: CorpusTables, lines: pd.DataFrame, term: str, by: str) -> Figure:
    """Mark the token of each KWIC match and draw :func:`analysis.plots.dispersion_barcode`."""
    tokens = tables.tokens
    seg_group = tables.segments.set_index("seg_id")[by].astype(str)
    statement = tokens["doc_id"].astype(str) + " (" + tokens["seg_id"].map(seg_group) + ")"
    # A match starts inside exactly one token of its segment (inside a multiword token for a
    # word of a joined expression).
    spans = tokens[["seg_id", "start", "end"]].reset_index().rename(columns={"index": "row"})
    starts = lines[["seg_id", "start"]].rename(columns={"start": "m_start"})
    found = starts.merge(spans, on="seg_id")
    found = found[(found["start"] <= found["m_start"]) & (found["m_start"] < found["end"])]
    hit = np.zeros(len(tokens), dtype=bool)
    hit[found["row"].to_numpy(dtype=int)] = True
    marked = tokens.assign(statement=statement.to_numpy(), match=np.where(hit, term, ""))
    return plots.dispersion_barcode(marked, term, by="statement", column="match")


def term_summary(
    tables: CorpusTables,
    term: str,
    *,
    groups: Sequence[str] | None = None,
    by: str = "actor_type",
    kind: QueryKind = "auto",
    window: int = 6,
) -> TermSummary:
    """Gather one term's rates per group, concordance lines and dispersion barcode.

    The static counterpart of :func:`term_explorer`, for reports.

    Parameters
    ----------
    tables : CorpusTables
        From :func:`analysis.pipeline.build`.
    term : str
        A word, stem, phrase or regular expression.
    groups : sequence of str, optional
        Groups shown (default all).
    by : str, default "actor_type"
        Group column.
    kind : {"auto", "word", "stem", "mwe", "regex"}, default "auto"
        How ``term`` is matched (see :func:`term_rates`).
    window : int, default 6
        Context words on each side of a KWIC line.

    Returns
    -------
    TermSummary
        ``rates``, ``lines`` and ``figure``.
    """
    restricted, chosen = _restrict(tables, groups, by)
    lines = _lines(restricted, term, kind, by, window)
    rates = _rates_from_lines(restricted, lines, chosen, by)
    figure = _barcode(restricted, lines, term, by)
    return TermSummary(term, _resolve_kind(term, kind), rates, lines, figure)


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100, metadata={"Software": None})
    return buffer.getvalue()


def _term_options(tables: CorpusTables) -> list[str]:
    """Analysed terms, most frequent first: whole terms, then words inside multiword terms."""
    joined = counts.term_counts(tables.tokens, tables.segments, "doc_id")
    split = counts.term_counts(tables.tokens, tables.segments, "doc_id", mwe=False)
    both = pd.concat([joined, split])
    totals = both.groupby("term")["n"].max().reset_index()
    totals = totals.sort_values(["n", "term"], ascending=[False, True])
    return list(dict.fromkeys(totals["term"]))


def term_explorer(
    tables: CorpusTables,
    *,
    groups: Sequence[str] | None = None,
    by: str = "actor_type",
    terms: Sequence[str] | None = None,
    value: str | None = None,
    window: int = 6,
    max_lines: int = 25,
) -> Any:
    """Build an interactive explorer: pick a term, see its rates, lines and dispersion.

    A combobox offers the analysed terms (any word, phrase or pattern may be typed; the
    "match as" menu says how it is matched); below it, for the chosen term, the
    :func:`term_summary` tables and barcode. In a static HTML report only the widget's text
    representation remains; show :func:`term_summary` next to it.

    Parameters
    ----------
    tables : CorpusTables
        From :func:`analysis.pipeline.build`.
    groups : sequence of str, optional
        Groups shown (default all).
    by : str, default "actor_type"
        Group column.
    terms : sequence of str, optional
        Picker options; default every analysed term and every word of a multiword term, most
        frequent first.
    value : str, optional
        Term shown first; default the first option.
    window : int, default 6
        Context words of the KWIC lines.
    max_lines : int, default 25
        KWIC lines shown (the count above the table says how many there are).

    Returns
    -------
    TermExplorer
        An ``ipywidgets.VBox`` with attributes ``picker`` (Combobox), ``match_as`` (Dropdown)
        and ``output`` (Output); changing either control redraws the output.
    """
    restricted, chosen = _restrict(tables, groups, by)
    options = list(terms) if terms is not None else _term_options(restricted)
    if not options:
        raise AnalysisError("no terms to explore: the analysed segments contain no words.")
    return _explorer_class()(
        restricted,
        options=options,
        value=options[0] if value is None else value,
        groups=chosen,
        by=by,
        window=window,
        max_lines=max_lines,
    )


def _explorer_class() -> type:
    """Define the widget class on first use, so importing this module does not need ipywidgets."""
    global _TERM_EXPLORER
    if _TERM_EXPLORER is not None:
        return _TERM_EXPLORER
    import ipywidgets as widgets
    from IPython.display import Image, Markdown

    class TermExplorer(widgets.VBox):
        """Term picker and its output (see :func:`term_explorer`)."""

        def __init__(
            self,
            tables: CorpusTables,
            *,
            options: list[str],
            value: str,
            groups: list[str],
            by: str,
            window: int,
            max_lines: int,
        ) -> None:
            self._tables, self._groups, self._by = tables, groups, by
            self._window, self._max_lines = window, max_lines
            self.picker = widgets.Combobox(
                options=options,
                value=value,
                ensure_option=False,
                continuous_update=False,
                placeholder="type or pick a term",
                description="Term",
            )
            self.match_as = widgets.Dropdown(
                options=["auto", "word", "stem", "mwe", "regex"],
                value="auto",
                description="Match as",
            )
            self.output = widgets.Output()
            super().__init__([widgets.HBox([self.picker, self.match_as]), self.output])
            self.picker.observe(self._refresh, names="value")
            self.match_as.observe(self._refresh, names="value")
            self._refresh()

        def _refresh(self, change: Any = None) -> None:
            term, kind = self.picker.value, self.match_as.value
            # Reset the synced trait rather than clear_output(), which needs a running kernel.
            self.output.outputs = ()
            show = self.output.append_display_data
            try:
                summary = term_summary(
                    self._tables,
                    term,
                    groups=self._groups,
                    by=self._by,
                    kind=kind,
                    window=self._window,
                )
            except AnalysisError as exc:
                show(Markdown(f"**{report.quote_text(term)}**: {report.quote_text(str(exc))}"))
                return
            n = len(summary.lines)
            show(
                Markdown(
                    f"**{report.quote_text(term)}** (matched as {summary.kind}): "
                    f"{n} occurrence(s). Rates per 1,000 running words and dispersion "
                    "(DP: 0 = even, 1 = in one paragraph) by group:"
                )
            )
            show(summary.rates)
            if n:
                shown = f"first {self._max_lines} of {n}" if n > self._max_lines else f"all {n}"
                show(Markdown(f"Concordance lines ({shown}), in reading order:"))
                show(summary.lines.drop(columns=["start", "end"]).head(self._max_lines))
            show(Image(data=_png(summary.figure), format="png"))

        def __repr__(self) -> str:
            return (
                f"Term explorer (interactive, in JupyterLab): "
                f"{len(self.picker.options)} terms, showing {self.picker.value!r}"
            )

    _TERM_EXPLORER = TermExplorer
    return TermExplorer


_TERM_EXPLORER: type | None = None
