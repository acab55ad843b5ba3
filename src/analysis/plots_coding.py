"""Figures for stance and frame coding: code shares by group, frame sequences, lexicon validity.

One function per figure, each returning a matplotlib ``Figure`` and never saving or showing it
(the report layer saves). They share the house style of :mod:`analysis.plots` (Okabe-Ito
colour-blind-safe palette, report-size fonts) through :func:`analysis.plots.figure_style`; every
code keeps one colour in every figure (:func:`code_colours`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch, Rectangle

from analysis.errors import AnalysisError
from analysis.plots import MAX_HEATMAP, NEUTRAL_COLOUR, OKABE_ITO, DisplayFigure, figure_style

# Most documents (rows) and units per document (cells) a frame-sequence chart draws.
MAX_SEQUENCE_DOCUMENTS = MAX_HEATMAP
MAX_SEQUENCE_UNITS = 60

__all__ = [
    "STANCE_MARKS",
    "code_colours",
    "code_share_chart",
    "frame_sequence_chart",
    "lexicon_validation_chart",
]

#: Fill colours given to codes in the order they are listed (codebook order); black is kept for
#: text, so at most seven codes get a palette colour and any further code is grey.
_PALETTE: tuple[str, ...] = (
    OKABE_ITO["blue"],
    OKABE_ITO["orange"],
    OKABE_ITO["green"],
    OKABE_ITO["sky_blue"],
    OKABE_ITO["vermillion"],
    OKABE_ITO["purple"],
    OKABE_ITO["yellow"],
)
#: Codes that mean "nothing coded here" are drawn in a light grey.
_EMPTY_CODES: frozenset[str] = frozenset({"none", "no_match", ""})
#: Symbols printed on a unit of the frame-sequence chart for its stance toward the state.
STANCE_MARKS: dict[str, str] = {"supportive": "+", "critical": "−", "mixed": "±", "neutral": "0"}


def _need(table: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise AnalysisError(f"{what}: table lacks column(s) {missing}; got {list(table.columns)}.")


def code_colours(codes: Sequence[str]) -> dict[str, str]:
    """Give each code a fixed colour: palette colours in the order given, grey for the rest.

    Parameters
    ----------
    codes : sequence of str
        Codes in a stable order (the codebook's), so a code has the same colour in every figure.

    Returns
    -------
    dict
        Code -> hex colour. ``none``, ``no_match`` and ``""`` are light grey and do not use up a
        palette colour; codes beyond the palette are :data:`analysis.plots.NEUTRAL_COLOUR`.
    """
    colours: dict[str, str] = {}
    k = 0
    for code in dict.fromkeys(codes):
        if code in _EMPTY_CODES:
            colours[code] = "#DDDDDD"
        else:
            colours[code] = _PALETTE[k] if k < len(_PALETTE) else NEUTRAL_COLOUR
            k += 1
    return colours


def code_share_chart(
    table: pd.DataFrame, *, by: str = "actor_type", title: str | None = None
) -> Figure:
    """Draw each group's codes as one stacked bar of shares, with the unit counts printed.

    Parameters
    ----------
    table : pandas.DataFrame
        A :func:`analysis.coding.code_table` table: ``<by>``, ``code``, ``n``, ``share``,
        ``n_group``; codes in codebook order.
    by : str, default "actor_type"
        The group column.
    title : str, optional
        Figure title; default names the measure and the grouping.

    Returns
    -------
    matplotlib.figure.Figure
        One horizontal bar per group (first group on top), segments in the table's code order,
        each labelled with its number of units when wide enough; the legend lists only codes used.
    """
    _need(table, [by, "code", "n", "share", "n_group"], "code_share_chart")
    if table.empty:
        raise AnalysisError("code_share_chart: the table is empty; nothing was coded.")
    codes = list(dict.fromkeys(table["code"].astype(str)))
    colours = code_colours(codes)
    groups = list(dict.fromkeys(table[by].astype(str)))
    used = [c for c in codes if table.loc[table["code"].astype(str) == c, "n"].sum() > 0]
    with figure_style():
        fig = DisplayFigure(figsize=(8.0, 0.55 * len(groups) + 2.2), layout="constrained")
        ax = fig.add_subplot()
        keyed = table.assign(_g=table[by].astype(str), _c=table["code"].astype(str))
        sizes = keyed.drop_duplicates("_g").set_index("_g")["n_group"]
        for row, group in enumerate(groups):
            sub = keyed[keyed["_g"] == group].set_index("_c")
            left = 0.0
            for code in codes:
                n = int(sub.loc[code, "n"]) if code in sub.index else 0
                share = float(sub.loc[code, "share"]) if n else 0.0
                if not n or np.isnan(share):
                    continue
                ax.barh(row, share, left=left, color=colours[code], edgecolor="white", height=0.7)
                if share >= 0.06:
                    ax.text(
                        left + share / 2,
                        row,
                        str(n),
                        ha="center",
                        va="center",
                        fontsize=9,
                        color="black",
                    )
                left += share
        ax.set_yticks(np.arange(len(groups)), [f"{g} (n = {int(sizes.loc[g])})" for g in groups])
        ax.invert_yaxis()
        ax.set_xlim(0, 1)
        ax.set_xlabel("share of the group's coded units (numbers: units)")
        ax.legend(
            handles=[Patch(color=colours[c], label=c.replace("_", " ")) for c in used],
            loc="upper center",
            bbox_to_anchor=(0.5, -0.25 if len(groups) < 4 else -0.12),
            ncol=min(4, max(len(used), 1)),
            fontsize=8,
            frameon=False,
        )
        ax.set_title(title or f"Share of coded units per code, by {by}")
    largest = keyed[keyed["n"] > 0].sort_values(["_g", "share"], ascending=[True, False])
    tops = largest.drop_duplicates("_g").set_index("_g")
    fig.alt_text = (
        f"Stacked bars of the share of coded units per code for {len(groups)} group(s); "
        "largest code: "
        + "; ".join(
            f"{g}: {tops.loc[g, '_c'].replace('_', ' ')} "
            f"{float(tops.loc[g, 'share']):.0%} of {int(sizes.loc[g])} units"
            for g in groups
            if g in tops.index
        )
        + "."
    )
    return fig


def frame_sequence_chart(
    sequence: pd.DataFrame,
    *,
    frame: str = "frame",
    stance: str | None = "stance_toward_state",
    codes: Sequence[str] | None = None,
    max_documents: int = MAX_SEQUENCE_DOCUMENTS,
    max_units: int = MAX_SEQUENCE_UNITS,
) -> Figure:
    """Draw the primary frame of every unit in reading order, one row per document.

    The figure's size is bounded: at most ``max_documents`` documents (the first, in the
    sequence's order) and the first ``max_units`` units of each are drawn, and the title says
    how many there are; the full sequence belongs in the results table.

    Parameters
    ----------
    sequence : pandas.DataFrame
        A :func:`analysis.coding.frame_sequence` table: ``doc_id``, ``label``, ``order`` and the
        ``frame`` column (and ``stance`` when given).
    frame : str, default "frame"
        Column giving each cell's colour.
    stance : str or None, default "stance_toward_state"
        Column printed in each cell as a symbol (:data:`STANCE_MARKS`: + supportive,
        − critical, ± mixed, 0 neutral); None prints nothing.
    codes : sequence of str, optional
        All codes in codebook order, so colours match :func:`code_share_chart`; default the
        codes present in order of first appearance.
    max_documents, max_units : int
        Most documents (rows) and units per document (cells) drawn.

    Returns
    -------
    matplotlib.figure.Figure
        x = position among the document's coded units (cells labelled with the unit's label),
        y = document.
    """
    columns = ["doc_id", "label", "order", frame] + ([stance] if stance else [])
    _need(sequence, columns, "frame_sequence_chart")
    if sequence.empty:
        raise AnalysisError("frame_sequence_chart: the sequence is empty; nothing was coded.")
    present = list(dict.fromkeys(sequence[frame].astype(str)))
    ordered = list(codes) if codes is not None else present
    colours = code_colours(ordered + [c for c in present if c not in ordered])
    all_docs = list(dict.fromkeys(sequence["doc_id"].astype(str)))
    docs = all_docs[:max_documents]
    longest = int(sequence["order"].max()) + 1
    width = min(longest, max_units)
    sequence = sequence[
        sequence["doc_id"].astype(str).isin(docs) & (sequence["order"].astype(int) < width)
    ]
    with figure_style():
        fig = DisplayFigure(
            figsize=(max(6.0, 0.55 * width + 2.5), 0.75 * len(docs) + 2.3), layout="constrained"
        )
        ax = fig.add_subplot()
        for row, doc in enumerate(docs):
            sub = sequence[sequence["doc_id"].astype(str) == doc]
            for _, unit in sub.iterrows():
                x = int(unit["order"])
                ax.add_patch(
                    Rectangle(
                        (x - 0.45, row - 0.4),
                        0.9,
                        0.8,
                        facecolor=colours[str(unit[frame])],
                        edgecolor="white",
                    )
                )
                ax.text(
                    x,
                    row + 0.55,
                    str(unit["label"]),
                    ha="center",
                    va="center",
                    fontsize=7,
                    rotation=90 if len(str(unit["label"])) > 4 else 0,
                )
                if stance:
                    mark = STANCE_MARKS.get(str(unit[stance]), "?" if unit[stance] else "")
                    ax.text(
                        x,
                        row,
                        mark,
                        ha="center",
                        va="center",
                        fontsize=11,
                        fontweight="bold",
                        color="black",
                    )
        ax.set_xlim(-0.6, width - 0.4)
        ax.set_ylim(len(docs) - 0.3, -0.6)
        ax.set_yticks(np.arange(len(docs)), docs)
        ax.set_xticks([])
        ax.set_xlabel("units in reading order (unit label under each cell)")
        ax.spines[:].set_visible(False)
        handles = [
            Patch(color=colours[c], label=c.replace("_", " ")) for c in colours if c in present
        ]
        if stance:
            handles.append(
                Patch(color="white", label="stance: + supportive, − critical, ± mixed, 0 neutral")
            )
        ax.legend(
            handles=handles,
            loc="upper center",
            bbox_to_anchor=(0.5, -0.12),
            ncol=min(3, len(handles)),
            fontsize=8,
            frameon=False,
        )
        shown = []
        if len(docs) < len(all_docs):
            shown.append(f"first {len(docs)} of {len(all_docs)} documents")
        if width < longest:
            shown.append(f"first {width} of up to {longest} units each")
        ax.set_title(
            f"Primary {frame.replace('_', ' ')} of each unit in reading order"
            + (f"\n({'; '.join(shown)})" if shown else "")
        )
    counts = sequence[frame].astype(str).value_counts()
    fig.alt_text = (
        f"Grid of {len(sequence)} coded units of {len(docs)} document(s) in reading order, "
        f"coloured by {frame.replace('_', ' ')}"
        + (f" (of {len(all_docs)} documents)" if len(docs) < len(all_docs) else "")
        + ". Most frequent: "
        + "; ".join(f"{c.replace('_', ' ')} {n}" for c, n in counts.head(3).items())
        + "."
    )
    return fig


def lexicon_validation_chart(per_frame: pd.DataFrame) -> Figure:
    """Draw the dictionary baseline's precision and recall per frame against a human coding.

    Parameters
    ----------
    per_frame : pandas.DataFrame
        ``per_frame`` of :func:`analysis.frames.validate_lexicon`: ``frame``, ``n_coded``,
        ``precision``, ``recall``.

    Returns
    -------
    matplotlib.figure.Figure
        Paired horizontal bars per frame (a missing bar: undefined, the denominator is 0), with
        the number of units the coder gave the frame in the tick label.
    """
    _need(per_frame, ["frame", "n_coded", "precision", "recall"], "lexicon_validation_chart")
    if per_frame.empty:
        raise AnalysisError("lexicon_validation_chart: no frames to show.")
    rows = per_frame.reset_index(drop=True)
    y = np.arange(len(rows))
    with figure_style():
        fig = DisplayFigure(figsize=(7.0, 0.45 * len(rows) + 1.8), layout="constrained")
        ax = fig.add_subplot()
        ax.barh(
            y - 0.2,
            rows["precision"].fillna(0.0),
            0.4,
            color=OKABE_ITO["blue"],
            label="precision (proposed and coded / proposed)",
        )
        ax.barh(
            y + 0.2,
            rows["recall"].fillna(0.0),
            0.4,
            color=OKABE_ITO["orange"],
            label="recall (proposed and coded / coded)",
        )
        ax.set_yticks(
            y,
            [
                f"{f.replace('_', ' ')} (coded {int(n)})"
                for f, n in zip(rows["frame"], rows["n_coded"], strict=True)
            ],
        )
        ax.invert_yaxis()
        ax.set_xlim(0, 1)
        ax.set_xlabel("share")
        ax.legend(
            loc="upper center", bbox_to_anchor=(0.5, -0.18), ncol=1, fontsize=8, frameon=False
        )
        fig.suptitle("Dictionary baseline vs human coding: precision and recall per primary frame")
    fig.alt_text = (
        f"Paired bars of precision and recall for {len(rows)} frame(s). "
        + "; ".join(
            f"{f.replace('_', ' ')}: precision "
            + ("undefined" if pd.isna(pr) else f"{pr:.2f}")
            + ", recall "
            + ("undefined" if pd.isna(rc) else f"{rc:.2f}")
            for f, pr, rc in zip(
                rows["frame"].head(5),
                rows["precision"].head(5),
                rows["recall"].head(5),
                strict=True,
            )
        )
        + ("; and more" if len(rows) > 5 else "")
        + "."
    )
    return fig
