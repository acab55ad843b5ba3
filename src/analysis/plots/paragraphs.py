"""The paragraph similarity heatmap, aggregated to documents when the matrix is too large."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from analysis.errors import AnalysisError
from analysis.plots.style import figure_style, new_figure

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
        fig, ax = new_figure(
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
