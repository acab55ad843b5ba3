"""Figures for the lexical comparison: one function per figure, each returning a Figure.

Functions never save or show; the report layer saves them (with ``metadata=None`` for SVG).
All share :data:`STYLE` (Okabe-Ito colour-blind-safe palette, report-size fonts, a fixed
``svg.hashsalt`` so SVG ids are byte-reproducible) through :func:`figure_style`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import matplotlib as mpl
import numpy as np
import pandas as pd
from cycler import cycler
from matplotlib.figure import Figure

from analysis.errors import AnalysisError

__all__ = [
    "document_sizes",
    "PAGE_DPI",
    "PAGE_MAX_PIXELS",
    "page_png",
    "OKABE_ITO",
    "STYLE",
    "dispersion_barcode",
    "figure_style",
    "frequency_scatter",
    "function_word_profiles",
    "keyness_chart",
    "similarity_heatmap",
    "tfidf_contrast_bars",
]

#: Okabe & Ito (2008) palette.
OKABE_ITO = {
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
    "black": "#000000",
}
TARGET_COLOUR = OKABE_ITO["blue"]
REFERENCE_COLOUR = OKABE_ITO["vermillion"]
NEUTRAL_COLOUR = "#999999"

STYLE: dict[str, Any] = {
    "figure.dpi": 100,
    "savefig.dpi": 150,
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.labelsize": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.prop_cycle": cycler(color=list(OKABE_ITO.values())),
    "svg.hashsalt": "analysis",
    "svg.fonttype": "path",
    "pdf.fonttype": 42,
}


@contextmanager
def figure_style() -> Iterator[None]:
    """Apply :data:`STYLE` for the figures built inside the block."""
    with mpl.rc_context(STYLE):  # type: ignore[arg-type]
        yield


class DisplayFigure(Figure):
    """A matplotlib Figure that shows itself as a PNG wherever IPython displays it.

    Figures are built without pyplot (so nothing is drawn or kept in a global state), which
    means a plain ``Figure`` returned from a notebook cell shows as text unless the kernel has
    matplotlib's inline support switched on. This one carries its own PNG representation, so
    ``display(figure)`` works in JupyterLab and in headless runs alike; where the inline
    support is on, IPython uses that instead.
    """

    #: What the figure shows in words, with its largest values (the text alternative of the
    #: image on a page); set by the function that draws it.
    alt_text: str = ""

    def _repr_png_(self) -> bytes:
        return page_png(self)


def _terms(values: pd.Series, n: int = 3, fmt: str = "{:+.2f}") -> str:
    """The first ``n`` entries of a term -> value series as "a (+1.20), b (+0.90)"."""
    return ", ".join(f"{t} ({fmt.format(v)})" for t, v in values.head(n).items()) or "none"


#: Resolution of the figures shown in notebooks and report pages (the PNG and SVG written to
#: ``results/`` keep full quality), and the longest side a page figure may have, in pixels.
PAGE_DPI = 100
PAGE_MAX_PIXELS = 1600


def page_png(figure: Figure, *, dpi: int = PAGE_DPI, max_pixels: int = PAGE_MAX_PIXELS) -> bytes:
    """Render a figure as a compact PNG for a page: at most ``max_pixels`` on its longest side,
    reduced to a palette of at most 256 colours (the figures use a handful), byte-reproducibly.

    A page holds several figures per comparison, so their bytes bound the page's size: this
    keeps a figure near 20-80 kB where a full-colour 150 dpi PNG takes 100-300 kB.
    """
    from io import BytesIO

    from PIL import Image

    width, height = figure.get_size_inches()
    dpi = min(dpi, int(max_pixels / max(width, height, 1e-9)))
    buffer = BytesIO()
    figure.savefig(buffer, format="png", dpi=max(dpi, 30), metadata={"Software": None})
    buffer.seek(0)
    with Image.open(buffer) as image:
        rgb = image.convert("RGB")
    palette = rgb.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    out = BytesIO()
    palette.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _new_figure(width: float, height: float) -> tuple[Figure, Any]:
    fig = DisplayFigure(figsize=(width, height), layout="constrained")
    return fig, fig.add_subplot()


def _need(table: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise AnalysisError(f"{what}: table lacks column(s) {missing}; got {list(table.columns)}.")


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
    _need(keyness, [measure, "g2", "p"], "keyness_chart")
    pos = keyness[keyness["g2"] > 0].sort_values("g2", ascending=False).head(top)
    neg = keyness[keyness["g2"] < 0].sort_values("g2").head(top)
    rows = pd.concat([pos, neg]).sort_values(measure)
    with figure_style():
        fig, ax = _new_figure(7.0, max(3.0, 0.28 * len(rows) + 1.2))
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
        f"{len(pos)} key in {target}, strongest {_terms(pos[measure])}; {len(neg)} key in "
        f"{reference}, strongest {_terms(neg[measure])}."
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
    _need(counts, [by, "term", "per_1k"], "frequency_scatter")
    wide = counts.pivot_table(index="term", columns=by, values="per_1k", fill_value=0.0)
    for g in (x_group, y_group):
        if g not in wide.columns:
            raise AnalysisError(f"group {g!r} not in column {by!r}; have {list(wide.columns)}.")
    x, y = wide[x_group], wide[y_group]
    with figure_style():
        fig, ax = _new_figure(6.5, 6.0)
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
        f"{_terms(gap[gap > 0].sort_values(ascending=False))}; furthest below (more in "
        f"{x_group}): {_terms(gap[gap < 0].sort_values())}."
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
    _need(contrast, ["diff"], "tfidf_contrast_bars")
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
        fig, ax = _new_figure(6.5, max(3.0, 0.28 * len(rows) + 1.2))
        y = np.arange(len(rows))
        colours = np.where(rows["diff"] > 0, TARGET_COLOUR, REFERENCE_COLOUR)
        ax.barh(y, rows["diff"], color=colours)
        ax.set_yticks(y, list(rows.index))
        ax.axvline(0, color="black", linewidth=0.8)
        ax.set_xlabel(f"mean TF-IDF difference (> 0: {target})")
        ax.set_title(f"Mean paragraph TF-IDF, {target} minus {reference}")
    diffs = rows["diff"]
    fig.alt_text = (  # type: ignore[attr-defined]
        f"Bar chart of mean paragraph TF-IDF differences, {target} minus {reference}: highest "
        f"for {target} {_terms(diffs[diffs > 0].sort_values(ascending=False), fmt='{:+.3f}')}; "
        f"for {reference} {_terms(diffs[diffs < 0], fmt='{:+.3f}')}."
    )
    return fig


#: Most rows or columns a similarity heatmap draws; larger matrices are aggregated.
MAX_HEATMAP = 40
# Largest heatmap drawn, in inches (width, height): 40 labelled rows still read at 8 pt.
HEATMAP_INCHES = (12.0, 10.0)


def _seg_names(index: pd.Index) -> list[str]:
    return [str(v[0]) if isinstance(v, tuple) else str(v) for v in index]


def _document_of(seg_id: str) -> str:
    head, sep, _ = seg_id.rpartition("-p")
    return head if sep else seg_id


def _bounded_similarity(matrix: pd.DataFrame, limit: int) -> tuple[pd.DataFrame, str]:
    """The matrix to draw: paragraphs when small enough, else documents (the highest paragraph
    cosine of each pair of documents), keeping the ``limit`` rows and columns with the highest
    values when there are still too many."""
    frame = pd.DataFrame(
        matrix.to_numpy(dtype=float),
        index=_seg_names(matrix.index),
        columns=_seg_names(matrix.columns),
    )
    if frame.shape[0] <= limit and frame.shape[1] <= limit:
        return frame, "paragraph"
    frame = frame.T.groupby([_document_of(c) for c in frame.columns], sort=False).max().T
    frame = frame.groupby([_document_of(r) for r in frame.index], sort=False).max()
    return _top_documents(frame, limit), "document"


def _top_documents(frame: pd.DataFrame, limit: int) -> pd.DataFrame:
    """The ``limit`` rows and columns of a document matrix with the highest values."""
    if frame.shape[0] > limit:
        frame = frame.loc[
            frame.max(axis=1).sort_values(ascending=False, kind="stable").index[:limit]
        ]
    if frame.shape[1] > limit:
        frame = frame[frame.max(axis=0).sort_values(ascending=False, kind="stable").index[:limit]]
    return frame


def similarity_heatmap(similarity: Any, *, max_cells: int = MAX_HEATMAP) -> Figure:
    """Draw the paragraph cosine-similarity matrix with each row's closest column marked.

    The figure's size is bounded whatever the corpus: with more than ``max_cells`` paragraphs on
    a side (or when the similarity kept no paragraph matrix, above
    :data:`analysis.tfidf.MAX_SIMILARITY_CELLS` pairs), it shows documents instead (each cell the
    highest cosine between a paragraph of one document and a paragraph of the other), and of
    those the ``max_cells`` with the highest values; the title says which. The full matrix
    belongs in the results table.

    Parameters
    ----------
    similarity : Similarity or pandas.DataFrame
        From :func:`analysis.tfidf.paragraph_similarity`, or its paragraph ``matrix``.
    max_cells : int, default :data:`MAX_HEATMAP`
        Most rows or columns drawn.

    Returns
    -------
    matplotlib.figure.Figure
    """
    if isinstance(similarity, pd.DataFrame):
        matrix, documents = similarity, None
    else:
        matrix, documents = similarity.matrix, similarity.documents
    if matrix is not None:
        if matrix.empty:
            raise AnalysisError("similarity_heatmap: the matrix is empty.")
        shown, level = _bounded_similarity(matrix, max_cells)
        size = f"{matrix.shape[0]} x {matrix.shape[1]} paragraphs"
    else:
        if documents is None or documents.empty:
            raise AnalysisError("similarity_heatmap: the similarity has no documents.")
        shown, level = _top_documents(documents.astype(float), max_cells), "document"
        size = f"{documents.shape[0]} x {documents.shape[1]} documents"
    values = shown.to_numpy(dtype=float)
    rows, cols = list(shown.index), list(shown.columns)
    with figure_style():
        fig, ax = _new_figure(
            min(HEATMAP_INCHES[0], max(5.0, 0.45 * len(cols) + 2.5)),
            min(HEATMAP_INCHES[1], max(4.0, 0.4 * len(rows) + 1.8)),
        )
        image = ax.imshow(
            values, cmap="cividis", vmin=0.0, vmax=max(values.max(), 1e-9), aspect="auto"
        )
        ax.set_xticks(np.arange(len(cols)), cols, rotation=60, ha="right", fontsize=8)
        ax.set_yticks(np.arange(len(rows)), rows, fontsize=8)
        best = values.argmax(axis=1)
        for i, j in enumerate(best):
            if values[i, j] > 0:
                ax.scatter(j, i, marker="o", s=30, facecolors="none", edgecolors="white")
        fig.colorbar(image, ax=ax, label="cosine similarity (TF-IDF)")
        if level == "paragraph":
            ax.set_title("Paragraph similarity (TF-IDF cosine); circle = closest counterpart")
        else:
            ax.set_title(
                f"Document similarity: highest paragraph cosine (TF-IDF) of each pair\n"
                f"{len(rows)} x {len(cols)} documents shown of {size}; circle = closest "
                "counterpart",
                fontsize=9,
            )
        ax.spines[:].set_visible(False)
    i, j = (int(v) for v in np.unravel_index(int(values.argmax()), values.shape))
    fig.alt_text = (  # type: ignore[attr-defined]
        f"Heatmap of TF-IDF cosine similarity, {len(rows)} rows by {len(cols)} columns "
        f"({level}s; of {size}). Highest: {rows[i]} and {cols[j]} at {values[i, j]:.2f}; "
        f"median of the cells shown {float(np.median(values)):.2f}."
    )
    return fig


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
    _need(tokens, [by, "seg_id", column, "is_punct"], "dispersion_barcode")
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
        fig, ax = _new_figure(7.0, min(HEATMAP_INCHES[1], 0.7 * len(groups) + 1.3))
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
    _need(profile, [by, "function_class", "function_subclass", "per_1k"], "function_word_profiles")
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
    _need(description, ["doc_id", "tokens", "types"], "document_sizes")
    if description.empty:
        raise AnalysisError("document_sizes: the table has no documents.")
    shown = description.nlargest(max_rows, "tokens", keep="first").sort_index()
    positions = np.arange(len(shown))
    with figure_style():
        fig, ax = _new_figure(7.0, 0.3 * len(shown) + 1.6)
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
