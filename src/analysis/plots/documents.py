"""Figures of documents and groups: a term's barcode through the documents, function-word
profiles by group, and document sizes."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from analysis.errors import AnalysisError
from analysis.plots.paragraphs import HEATMAP_INCHES, MAX_HEATMAP
from analysis.plots.style import (
    OKABE_ITO,
    REFERENCE_COLOUR,
    TARGET_COLOUR,
    DisplayFigure,
    figure_style,
    need_columns,
    new_figure,
)


def dispersion_barcode(
    tokens: pd.DataFrame,
    term: str,
    *,
    by: str = "doc_id",
    column: str = "norm",
    max_rows: int = MAX_HEATMAP,
) -> Figure:
    """Mark every occurrence of a term along each statement (one row per ``by`` value).

    Parameters
    ----------
    tokens : pandas.DataFrame
        Token table (``seg_id``, ``norm`` and the ``by`` column, e.g. ``doc_id``).
    term : str
        The term, compared with ``column`` (``norm`` by default; a multiword norm such as
        "human trafficking" works).
    by : str, default "doc_id"
        One row per value.
    column : str, default "norm"
        Token column matched.
    max_rows : int, default :data:`MAX_HEATMAP`
        Most rows drawn; with more ``by`` values, those with the most occurrences (the title
        says how many of how many), so the figure's size is bounded whatever the corpus.

    Returns
    -------
    matplotlib.figure.Figure
        x = relative position in the statement (word index / words), with segment boundaries
        as faint lines.
    """
    need_columns(tokens, [by, "seg_id", column, "is_punct"], "dispersion_barcode")
    words = tokens[~tokens["is_punct"].astype(bool)]
    groups = list(pd.unique(words[by]))
    total = len(groups)
    if total > max_rows:  # bounded: the rows with the most occurrences, in their order
        hits_per = words[words[column] == term].groupby(by, sort=False).size()
        keep = set(
            hits_per.reindex(groups, fill_value=0)
            .sort_values(ascending=False, kind="stable")
            .index[:max_rows]
        )
        groups = [g for g in groups if g in keep]
    # one pass over the tokens: each row's positions, in reading order
    is_hit = (words[column] == term).to_numpy(dtype=bool)
    seg_all = words["seg_id"].to_numpy(dtype=object)
    rows_of = (
        pd.Series(np.arange(len(words)))
        .groupby(words[by].to_numpy(dtype=object), sort=False)
        .indices
    )
    with figure_style():
        fig, ax = new_figure(7.0, min(HEATMAP_INCHES[1], 0.7 * len(groups) + 1.3))
        for row, group in enumerate(groups):
            where = rows_of.get(group, np.zeros(0, dtype=np.int64))
            n = len(where)
            rel = np.arange(n) / max(n, 1)
            seg = seg_all[where]
            starts = rel[np.r_[True, seg[1:] != seg[:-1]]] if n else rel
            ax.vlines(starts, row - 0.4, row + 0.4, color="#DDDDDD", linewidth=0.6)
            hits = rel[is_hit[where]]
            ax.vlines(hits, row - 0.35, row + 0.35, color=TARGET_COLOUR, linewidth=1.6)
            ax.text(1.01, row, f"n = {hits.size}", va="center", fontsize=8)
        ax.set_yticks(np.arange(len(groups)), [str(g) for g in groups])
        ax.set_xlim(0, 1)
        ax.set_ylim(-0.6, len(groups) - 0.4)
        ax.set_xlabel("position in statement (share of words; grey = paragraph starts)")
        ax.set_title(
            f"Where “{term}” occurs, by {by}"
            + (
                f" ({len(groups)} of {total} with the most occurrences)"
                if total > len(groups)
                else ""
            )
        )
    counts = words[words[column] == term].groupby(by, sort=False).size()
    fig.alt_text = (  # type: ignore[attr-defined]
        f"Barcode of where '{term}' occurs along each {by} ({len(groups)} rows): "
        + (
            ", ".join(f"{g} {int(counts.get(g, 0))}" for g in groups[:6])
            + (" and more" if len(groups) > 6 else "")
        )
        + " occurrences."
    )
    return fig


def function_word_profiles(profile: pd.DataFrame, *, by: str = "actor_type") -> Figure:
    """Compare groups' pronoun and modal use per 1,000 words (grouped bars, two panels).

    Parameters
    ----------
    profile : pandas.DataFrame
        A :func:`analysis.counts.function_word_profile` table.
    by : str, default "actor_type"
        Its group column.

    Returns
    -------
    matplotlib.figure.Figure
    """
    need_columns(
        profile, [by, "function_class", "function_subclass", "per_1k"], "function_word_profiles"
    )
    groups = list(pd.unique(profile[by]))
    palette = [
        TARGET_COLOUR,
        REFERENCE_COLOUR,
        OKABE_ITO["green"],
        OKABE_ITO["orange"],
        OKABE_ITO["purple"],
        OKABE_ITO["sky_blue"],
    ]
    with figure_style():
        fig = DisplayFigure(figsize=(8.0, 3.8), layout="constrained")
        axes = fig.subplots(1, 2)
        for ax, cls in zip(axes, ["pronoun", "modal"], strict=True):
            sub = profile[profile["function_class"] == cls]
            cats = list(pd.unique(sub["function_subclass"]))
            width = 0.8 / max(len(groups), 1)
            for k, g in enumerate(groups):
                vals = sub[sub[by] == g].set_index("function_subclass")["per_1k"]
                ax.bar(
                    np.arange(len(cats)) + k * width - 0.4 + width / 2,
                    vals.reindex(cats, fill_value=0.0),
                    width,
                    color=palette[k % len(palette)],
                    label=str(g),
                )
            ax.set_xticks(
                np.arange(len(cats)), [c.replace("_", " ") for c in cats], rotation=30, ha="right"
            )
            ax.set_ylabel("per 1,000 words")
            ax.set_title(f"{cls.capitalize()}s")
        axes[0].legend(frameon=False, fontsize=8)
        fig.suptitle(f"Function words per 1,000 words by {by}")
    top = profile.sort_values("per_1k", ascending=False, kind="stable").head(3)
    fig.alt_text = (
        f"Grouped bar charts of pronoun and modal rates per 1,000 words for {len(groups)} "
        "groups; highest: "
        + "; ".join(
            f"{r.function_subclass.replace('_', ' ')} in {getattr(r, by)} {r.per_1k:.1f}"
            for r in top.itertuples()
        )
        + "."
    )
    return fig


def document_sizes(description: pd.DataFrame, *, max_rows: int = MAX_HEATMAP) -> Figure:
    """Draw each document's tokens and types as paired horizontal bars.

    Parameters
    ----------
    description : pandas.DataFrame
        One row per document with ``doc_id``, ``tokens`` and ``types`` (e.g.
        :meth:`analysis.pipeline.CorpusTables.describe`), in the order to draw.
    max_rows : int, default :data:`MAX_HEATMAP`
        Most documents drawn; with more, the ``max_rows`` longest in their order (the title says
        how many of how many), so the figure's size is bounded whatever the corpus.

    Returns
    -------
    matplotlib.figure.Figure
    """
    need_columns(description, ["doc_id", "tokens", "types"], "document_sizes")
    if description.empty:
        raise AnalysisError("document_sizes: the table has no documents.")
    shown = description.nlargest(max_rows, "tokens", keep="first").sort_index()
    positions = np.arange(len(shown))
    with figure_style():
        fig, ax = new_figure(7.0, 0.3 * len(shown) + 1.6)
        ax.barh(positions - 0.2, shown["tokens"], height=0.4, color=TARGET_COLOUR, label="tokens")
        ax.barh(
            positions + 0.2, shown["types"], height=0.4, color=OKABE_ITO["orange"], label="types"
        )
        ax.set_yticks(positions, shown["doc_id"].astype(str), fontsize=8)
        ax.invert_yaxis()
        ax.set_xlabel("count in body paragraphs and list items")
        ax.legend(loc="lower right", frameon=False)
        ax.set_title(
            "Tokens and types per document"
            + (
                f" (the {len(shown)} longest of {len(description)})"
                if len(shown) < len(description)
                else ""
            )
        )
    longest = shown.sort_values("tokens", ascending=False, kind="stable").head(3)
    fig.alt_text = (  # type: ignore[attr-defined]
        f"Bar chart of tokens and types in {len(shown)} of {len(description)} documents; "
        "longest: "
        + ", ".join(f"{r.doc_id} ({r.tokens:,} tokens)" for r in longest.itertuples())
        + "."
    )
    return fig
