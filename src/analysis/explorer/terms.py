"""A term followed through the corpus: its rates and lines by group, the framing queries, the
collocates of a query by group, and a static summary with its barcode figure."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from analysis import concordance, counts, plots, stats
from analysis.errors import AnalysisError
from analysis.explorer.comparison import restrict_groups
from analysis.pipeline import CorpusTables

QueryKind = Literal["auto", "word", "stem", "mwe", "regex"]
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
    restricted, chosen = restrict_groups(tables, groups, by)
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
    restricted, chosen = restrict_groups(tables, groups, by)
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
    restricted, chosen = restrict_groups(tables, groups, by)
    lines = _lines(restricted, term, kind, by, window)
    rates = _rates_from_lines(restricted, lines, chosen, by)
    figure = _barcode(restricted, lines, term, by)
    return TermSummary(term, _resolve_kind(term, kind), rates, lines, figure)


def figure_png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100, metadata={"Software": None})
    return buffer.getvalue()
