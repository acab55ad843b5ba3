"""The files notebooks save (tables, figures) and the figures they show, written with pinned
metadata and formats so that two builds give the same bytes."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from analysis import paths
from analysis.errors import ReportError

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure


CSV_FLOAT_FORMAT = "%.10g"
SVG_HASHSALT = "analysis-report"
_OUTPUT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,99}")


def resolve_results_dir(results_dir: str | os.PathLike[str] | None = None) -> Path:
    """Return the folder a notebook saves into, creating it; ``None`` means ``results/``.

    A relative path is taken from the kernel's working directory, which the report build sets to
    its output folder.
    """
    folder = Path(results_dir) if results_dir is not None else paths.RESULTS
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _output_path(name: str, suffix: str, results_dir: str | os.PathLike[str] | None) -> Path:
    if not isinstance(name, str) or not _OUTPUT_NAME.fullmatch(name) or name.endswith(suffix):
        raise ReportError(
            f"output name {name!r} is not usable; give a short name of letters, digits, '-', '_' "
            f"or '.', without a folder or the {suffix} extension (e.g. 'corpus-description')"
        )
    return resolve_results_dir(results_dir) / f"{name}{suffix}"


def save_table(
    table: pd.DataFrame, name: str, *, results_dir: str | os.PathLike[str] | None = None
) -> Path:
    """Write a table to ``<results_dir>/<name>.csv`` byte-reproducibly and return the path.

    Parameters
    ----------
    table
        The table behind a figure or a reported number. Its index is written only when it is
        named (e.g. ``term`` for a keyness table); a plain row number is left out.
    name
        File name without extension: letters, digits, ``-``, ``_``, ``.``.
    results_dir
        The notebook's ``results_dir`` parameter; ``None`` means the project's ``results/``.

    Returns
    -------
    Path
        The CSV written: UTF-8, ``\\n`` line endings, floats as ``%.10g``, missing values empty.

    Examples
    --------
    >>> save_table(stats, "corpus-description", results_dir=results_dir)  # doctest: +SKIP
    """
    path = _output_path(name, ".csv", results_dir)
    write_index = any(level is not None for level in table.index.names)
    table.to_csv(
        path,
        index=write_index,
        float_format=CSV_FLOAT_FORMAT,
        lineterminator="\n",
        encoding="utf-8",
    )
    return path


def save_figure(
    figure: Figure,
    name: str,
    *,
    results_dir: str | os.PathLike[str] | None = None,
    dpi: int = 150,
) -> tuple[Path, Path]:
    """Write a figure as ``<name>.png`` (Agg) and ``<name>.svg`` byte-reproducibly.

    The PNG carries no ``Software`` text chunk, the SVG no date, and SVG element ids come from a
    fixed hash salt, so the same figure always gives the same bytes. The figure is not changed.

    Parameters
    ----------
    figure
        A matplotlib figure (e.g. from :mod:`analysis.plots`).
    name
        File name without extension: letters, digits, ``-``, ``_``, ``.``.
    results_dir
        The notebook's ``results_dir`` parameter; ``None`` means the project's ``results/``.
    dpi
        Resolution of the PNG.

    Returns
    -------
    tuple of Path
        The PNG and SVG paths.
    """
    import matplotlib

    png = _output_path(name, ".png", results_dir)
    svg = png.with_suffix(".svg")
    with matplotlib.rc_context({"svg.hashsalt": SVG_HASHSALT, "svg.fonttype": "path"}):
        figure.savefig(png, format="png", backend="agg", dpi=dpi, metadata={"Software": None})
        figure.savefig(svg, format="svg", metadata={"Date": None})
    return png, svg


def show_figure(
    figure: Figure,
    name: str,
    *,
    results_dir: str | os.PathLike[str] | None = None,
    alt: str | None = None,
    caption: str | None = None,
    explain: str | None = None,
) -> Any:
    """Save a figure to ``results/`` (PNG and SVG, full quality) and return its page image.

    The returned object displays in a notebook as a compact PNG (:func:`analysis.plots.page_png`),
    so a page's size stays bounded however many comparisons it shows; the files in
    ``results/`` are the ones to print or publish. In a report the image is a numbered
    ``<figure>`` whose ``<figcaption>`` gives the caption and links the PNG and SVG files.

    Parameters
    ----------
    figure
        A matplotlib figure (e.g. from :mod:`analysis.plots`).
    name
        File name without extension, as in :func:`save_figure`.
    results_dir
        The notebook's ``results_dir`` parameter.
    alt
        Text alternative of the image; defaults to the figure's title followed by what the
        drawing function wrote from the data (``figure.alt_text``: what it shows and its
        largest values).
    caption
        The caption under the figure; defaults to the figure's title.
    explain
        A reading note (:data:`analysis.present.READING`) shown above the first figure of
        that kind on the page.

    Returns
    -------
    IPython.display.Image
    """
    from IPython.display import Image

    from analysis.plots import page_png
    from analysis.present import how_to_read, href_to

    if explain is not None:
        how_to_read(explain)
    png, svg = save_figure(figure, name, results_dir=results_dir)
    titles = [ax.get_title() for ax in figure.get_axes() if ax.get_title()]
    # a title set on two lines reads as one sentence with a semicolon in a caption or alt text
    title = re.sub(r"\s*\n\s*", "; ", " ".join([figure.get_suptitle(), *titles]).strip()) or name
    if alt is None:
        described = getattr(figure, "alt_text", "")
        alt = f"{title}. {described}" if described else title
    _figures_shown.append(name)
    # addressed as the notebook gave its folder (relative in a report build)
    shown = [f if results_dir is None else Path(results_dir) / f.name for f in (png, svg)]
    caption = (caption or title).strip()
    metadata = {
        "caption": caption if caption.endswith((".", "?", "!")) else caption + ".",
        "number": len(_figures_shown),
        "files": [href_to(f) for f in shown],
    }
    return Image(data=page_png(figure), format="png", alt=alt, metadata=metadata)


# Figures shown in this kernel, to number their captions (a report runs each notebook in a fresh
# kernel, so the numbers start at 1 on every page).
_figures_shown: list[str] = []


def write_text_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8", newline="\n")
    os.replace(tmp, path)
