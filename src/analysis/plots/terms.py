"""Figures of terms: the keyness chart (log ratio with its evidence), the frequency scatter of two
sides with its labels placed apart, and the TF-IDF contrast bars."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from analysis.errors import AnalysisError
from analysis.plots.style import (
    NEUTRAL_COLOUR,
    REFERENCE_COLOUR,
    TARGET_COLOUR,
    figure_style,
    listed_values,
    need_columns,
    new_figure,
)


def keyness_chart(
    keyness: pd.DataFrame,
    *,
    target: str = "target",
    reference: str = "reference",
    measure: str = "log_ratio",
    top: int = 15,
    alpha: float = 0.05,
) -> Figure:
    """Draw a diverging bar chart of the most key terms on both sides.

    Parameters
    ----------
    keyness : pandas.DataFrame
        A :func:`analysis.stats.keyness` table (indexed by term).
    target, reference : str
        Group names for the title and legend.
    measure : str, default "log_ratio"
        Effect-size column on the axis.
    top : int, default 15
        Terms per side, chosen by |g2|.
    alpha : float, default 0.05
        Bars with ``p < alpha`` are solid; others hatched and pale; rows flagged ``too_small``
        get a dagger after the term.

    Returns
    -------
    matplotlib.figure.Figure
    """
    need_columns(keyness, [measure, "g2", "p"], "keyness_chart")
    pos = keyness[keyness["g2"] > 0].sort_values("g2", ascending=False).head(top)
    neg = keyness[keyness["g2"] < 0].sort_values("g2").head(top)
    rows = pd.concat([pos, neg]).sort_values(measure)
    with figure_style():
        fig, ax = new_figure(7.0, max(3.0, 0.28 * len(rows) + 1.2))
        y = np.arange(len(rows))
        colours = np.where(rows["g2"] > 0, TARGET_COLOUR, REFERENCE_COLOUR)
        sig = rows["p"].to_numpy() < alpha
        ax.barh(y[sig], rows[measure].to_numpy()[sig], color=colours[sig])
        ax.barh(
            y[~sig],
            rows[measure].to_numpy()[~sig],
            color=colours[~sig],
            alpha=0.35,
            hatch="//",
            edgecolor=colours[~sig],
        )
        small = rows["too_small"].to_numpy() if "too_small" in rows else np.zeros(len(rows), bool)
        names = [f"{t}{' †' if s else ''}" for t, s in zip(rows.index, small, strict=True)]
        ax.set_yticks(y, names)
        ax.axvline(0, color="black", linewidth=0.8)
        ax.set_xlabel(f"{measure.replace('_', ' ')} (> 0: more in {target})")
        ax.set_title(
            f"Keyness, {target} vs {reference}: {measure.replace('_', ' ')}, "
            f"top {top} by G² each side"
        )
        from matplotlib.patches import Patch

        ax.legend(
            handles=[
                Patch(color=TARGET_COLOUR, label=f"key in {target}"),
                Patch(color=REFERENCE_COLOUR, label=f"key in {reference}"),
                Patch(
                    facecolor="white", edgecolor=NEUTRAL_COLOUR, hatch="//", label=f"p ≥ {alpha}"
                ),
                Patch(color="white", label="† expected < 5 or f < 3"),
            ],
            loc="lower right",
            fontsize=8,
            frameon=False,
        )
    fig.alt_text = (  # type: ignore[attr-defined]
        f"Bar chart of the {len(rows)} most key terms by {measure.replace('_', ' ')}: "
        f"{len(pos)} key in {target}, strongest {listed_values(pos[measure])}; {len(neg)} key in "
        f"{reference}, strongest {listed_values(neg[measure])}."
    )
    return fig


def frequency_scatter(
    counts: pd.DataFrame,
    *,
    by: str = "actor_type",
    x_group: str,
    y_group: str,
    label_top: int = 12,
) -> Figure:
    """Plot each term's per-1,000 rate in one group against another, labelling the extremes.

    Parameters
    ----------
    counts : pandas.DataFrame
        A :func:`analysis.counts.term_counts` table.
    by : str
        Its group column.
    x_group, y_group : str
        Groups on the x and y axes.
    label_top : int, default 12
        Terms labelled: the largest |difference| in rate.

    Returns
    -------
    matplotlib.figure.Figure
    """
    need_columns(counts, [by, "term", "per_1k"], "frequency_scatter")
    wide = counts.pivot_table(index="term", columns=by, values="per_1k", fill_value=0.0)
    for g in (x_group, y_group):
        if g not in wide.columns:
            raise AnalysisError(f"group {g!r} not in column {by!r}; have {list(wide.columns)}.")
    x, y = wide[x_group], wide[y_group]
    with figure_style():
        fig, ax = new_figure(6.5, 6.0)
        ax.scatter(x, y, s=14, color=NEUTRAL_COLOUR, alpha=0.7, linewidths=0, clip_on=False)
        top = (y - x).abs().sort_values(ascending=False, kind="stable").head(label_top).index
        # Terms with the same two rates sit on the same point: one label lists them all.
        labelled = pd.DataFrame({"x": x[top], "y": y[top], "term": top})
        points = (
            labelled.groupby(["x", "y"], sort=True)["term"]
            .agg(lambda terms: ", ".join(sorted(terms)))
            .reset_index()
        )
        lim = float(max(x.max(), y.max(), 1.0)) * 1.08
        ax.plot([0, lim], [0, lim], color="black", linewidth=0.6, linestyle="--")
        ax.set_xlim(0, lim)
        ax.set_ylim(0, lim)
        ax.set_xlabel(f"{x_group}: per 1,000 words")
        ax.set_ylabel(f"{y_group}: per 1,000 words")
        ax.set_title(f"Term frequency per 1,000 words, {y_group} vs {x_group}")
        labels = []
        for row in points.itertuples(index=False):
            colour = TARGET_COLOUR if row.y > row.x else REFERENCE_COLOUR
            ax.scatter([row.x], [row.y], s=20, color=colour, clip_on=False)
            labels.append((row.x, row.y, _wrap_terms(row.term), colour))
        _place_labels(fig, ax, labels)
    gap = (y - x)[top]
    fig.alt_text = (  # type: ignore[attr-defined]
        f"Scatter plot of {len(wide)} terms, rate per 1,000 words in {y_group} against "
        f"{x_group}. Furthest above the diagonal (more in {y_group}): "
        f"{listed_values(gap[gap > 0].sort_values(ascending=False))}; furthest below (more in "
        f"{x_group}): {listed_values(gap[gap < 0].sort_values())}."
    )
    return fig


def _wrap_terms(text: str, width: int = 36) -> str:
    """Break a comma-separated list of terms into lines of about ``width`` characters."""
    lines: list[str] = []
    for term in text.split(", "):
        if lines and len(lines[-1]) + len(term) + 2 <= width:
            lines[-1] += ", " + term
        else:
            lines.append(term)
    return ",\n".join(lines)


def _place_labels(fig: Figure, ax: Any, labels: list[tuple[float, float, str, str]]) -> None:
    """Annotate points so that no two labels touch, none covers a labelled point, all fit.

    Each label first goes just above and right of its point; where it would come within a few
    pixels of a label already placed or of another labelled point, or leave the axes, it is
    moved up (then down, then to the left) in steps of one line until it fits, with a thin line
    (an annotation without text) back to its point. Deterministic: labels are placed bottom to
    top, left to right.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.transforms import Bbox

    if not labels:
        return
    if not isinstance(fig.canvas, FigureCanvasAgg):
        FigureCanvasAgg(fig)
    fig.draw_without_rendering()  # fix the constrained layout before measuring in pixels
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    frame = ax.get_window_extent(renderer)
    pad = 4.0 * fig.dpi / 72  # clear space around a label, in pixels (4 points)
    step = 10
    tries = (
        [(3, 3)]
        + [(3, 3 + k * step) for k in range(1, 30)]
        + [(3, -3 - k * step) for k in range(1, 30)]
        + [(-3, 3 + k * step) for k in range(0, 30)]
    )

    def annotate(x: float, y: float, text: str, colour: str, dx: int, dy: int) -> Any:
        return ax.annotate(
            text,
            (x, y),
            xytext=(dx, dy),
            textcoords="offset points",
            fontsize=8,
            color=colour,
            ha="left" if dx > 0 else "right",
            va="bottom" if dy > 0 else "top",
        )

    def padded(box: Bbox) -> Bbox:
        return Bbox.from_extents(box.x0 - pad, box.y0 - pad / 2, box.x1 + pad, box.y1 + pad / 2)

    # The labelled points themselves are obstacles: a label must not cover another's marker.
    markers = {}
    for x, y, _, _ in labels:
        px, py = ax.transData.transform((x, y))
        markers[(x, y)] = Bbox.from_extents(px - 3, py - 3, px + 3, py + 3)
    placed: list[Bbox] = []
    for x, y, text, colour in sorted(labels, key=lambda item: (item[1], item[0])):
        obstacles = placed + [box for point, box in markers.items() if point != (x, y)]
        chosen = tries[0]  # where nothing is free, the label keeps its first place
        for dx, dy in tries:
            trial = annotate(x, y, text, colour, dx, dy)
            box = trial.get_window_extent(renderer)
            trial.remove()
            inside = (
                box.x0 >= frame.x0
                and box.x1 <= frame.x1 + 40
                and box.y0 >= frame.y0 - 2
                and box.y1 <= frame.y1
            )
            if inside and not any(padded(box).overlaps(other) for other in obstacles):
                chosen = (dx, dy)
                break
        ann = annotate(x, y, text, colour, *chosen)
        ann.set_in_layout(False)
        placed.append(padded(ann.get_window_extent(renderer)))
        if chosen != tries[0]:  # a moved label gets a thin line back to its point (no text)
            leader = ax.annotate(
                "",
                (x, y),
                xytext=(chosen[0], chosen[1] + (0 if chosen[1] > 0 else -2)),
                textcoords="offset points",
                arrowprops={
                    "arrowstyle": "-",
                    "color": colour,
                    "linewidth": 0.5,
                    "shrinkA": 0,
                    "shrinkB": 2,
                },
            )
            leader.set_in_layout(False)


def tfidf_contrast_bars(contrast: pd.DataFrame, *, top: int = 12) -> Figure:
    """Draw the terms with the largest mean TF-IDF difference for each side.

    Parameters
    ----------
    contrast : pandas.DataFrame
        A :func:`analysis.tfidf.tfidf_contrast` table (``diff`` column, group names in
        ``attrs``).
    top : int, default 12
        Terms per side.

    Returns
    -------
    matplotlib.figure.Figure
    """
    need_columns(contrast, ["diff"], "tfidf_contrast_bars")
    target = contrast.attrs.get("target", "target")
    reference = contrast.attrs.get("reference", "reference")
    ordered = contrast.sort_values("diff")
    rows = pd.concat(
        [
            ordered.head(top)[ordered.head(top)["diff"] < 0],
            ordered.tail(top)[ordered.tail(top)["diff"] > 0],
        ]
    )
    with figure_style():
        fig, ax = new_figure(6.5, max(3.0, 0.28 * len(rows) + 1.2))
        y = np.arange(len(rows))
        colours = np.where(rows["diff"] > 0, TARGET_COLOUR, REFERENCE_COLOUR)
        ax.barh(y, rows["diff"], color=colours)
        ax.set_yticks(y, list(rows.index))
        ax.axvline(0, color="black", linewidth=0.8)
        ax.set_xlabel(f"mean TF-IDF difference (> 0: {target})")
        ax.set_title(f"Mean paragraph TF-IDF, {target} minus {reference}")
    diffs = rows["diff"]
    highest = diffs[diffs > 0].sort_values(ascending=False)
    fig.alt_text = (  # type: ignore[attr-defined]
        f"Bar chart of mean paragraph TF-IDF differences, {target} minus {reference}: highest "
        f"for {target} {listed_values(highest, fmt='{:+.3f}')}; "
        f"for {reference} {listed_values(diffs[diffs < 0], fmt='{:+.3f}')}."
    )
    return fig
