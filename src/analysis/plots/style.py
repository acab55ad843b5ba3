"""The house style of every figure: the Okabe-Ito palette, the matplotlib settings, a figure
that shows itself in a notebook at page size, and the PNG a report page embeds."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import matplotlib as mpl
import pandas as pd
from cycler import cycler
from matplotlib.figure import Figure

from analysis.errors import AnalysisError

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


def listed_values(values: pd.Series, n: int = 3, fmt: str = "{:+.2f}") -> str:
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


def new_figure(width: float, height: float) -> tuple[Figure, Any]:
    fig = DisplayFigure(figsize=(width, height), layout="constrained")
    return fig, fig.add_subplot()


def need_columns(table: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise AnalysisError(f"{what}: table lacks column(s) {missing}; got {list(table.columns)}.")
