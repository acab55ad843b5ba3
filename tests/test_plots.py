"""Tests of analysis.plots: each function returns a titled Figure and draws what it is given."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")

import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from analysis import counts, plots, stats, tfidf  # noqa: E402
from analysis.errors import AnalysisError  # noqa: E402


@pytest.fixture(scope="module")
def seeds():
    from analysis.pipeline import build

    p = build()
    return p.tokens, p.segments


def _svg(fig: Figure) -> bytes:
    buf = io.BytesIO()
    with plots.figure_style():
        fig.savefig(buf, format="svg", metadata={"Date": None})
    return buf.getvalue()


def test_keyness_chart_marks_both_sides() -> None:
    k = stats.keyness({"a": 30, "b": 2, "c": 10}, {"a": 5, "b": 20, "c": 9})
    fig = plots.keyness_chart(k, target="ngo", reference="gov", top=5)
    ax = fig.axes[0]
    assert "ngo vs gov" in ax.get_title() and "log ratio" in ax.get_title()
    labels = [t.get_text().rstrip(" †") for t in ax.get_yticklabels()]
    assert set(labels) == {"a", "b", "c"}
    assert len(ax.patches) == 3


def test_frequency_scatter_labels_terms(seeds) -> None:
    tokens, segments = seeds
    tc = counts.term_counts(tokens, segments)
    fig = plots.frequency_scatter(tc, x_group="civil_society", y_group="government", label_top=5)
    ax = fig.axes[0]
    texts = {t.get_text() for t in ax.texts}
    assert "people smuggling" in texts and len(texts) == 5
    assert "per 1,000" in ax.get_xlabel()
    with pytest.raises(AnalysisError, match="not in column"):
        plots.frequency_scatter(tc, x_group="nobody", y_group="government")


@pytest.mark.parametrize(
    ("x_group", "y_group"), [("civil_society", "government"), ("government", "civil_society")]
)
def test_frequency_scatter_labels_do_not_overlap(seeds, x_group, y_group) -> None:
    # In the seeds several terms share a point (e.g. rates 8.5 vs 0 per 1,000): one label lists
    # them, and no two labels cover each other once the figure is drawn.
    tokens, segments = seeds
    tc = counts.term_counts(tokens, segments)
    fig = plots.frequency_scatter(tc, x_group=x_group, y_group=y_group, label_top=12)
    fig.savefig(io.BytesIO(), format="png")  # the final layout
    ax = fig.axes[0]
    renderer = fig.canvas.get_renderer()
    labels = [t for t in ax.texts if t.get_text()]  # leader lines are annotations without text
    boxes = [t.get_window_extent(renderer) for t in labels]
    assert len(boxes) < 12  # tied terms were merged into shared labels
    for i, a in enumerate(boxes):
        assert a.x0 >= 0 and a.y0 >= 0 and a.x1 <= fig.bbox.x1 and a.y1 <= fig.bbox.y1
        for b in boxes[i + 1 :]:  # apart by a few pixels, so two labels never read as one
            assert not a.padded(4).overlaps(b)
    wide = tc.pivot_table(index="term", columns="actor_type", values="per_1k", fill_value=0)
    gap = (wide["government"] - wide["civil_society"]).abs()
    expected = set(gap.sort_values(ascending=False, kind="stable").head(12).index)
    shown = {term for t in labels for term in t.get_text().replace(",\n", ", ").split(", ")}
    assert shown == expected


def test_tfidf_bars_and_heatmap(seeds) -> None:
    tokens, segments = seeds
    c = tfidf.tfidf_contrast(tokens, segments)
    fig = plots.tfidf_contrast_bars(c, top=4)
    assert len(fig.axes[0].patches) == 8
    assert "civil_society minus government" in fig.axes[0].get_title()
    sim = tfidf.paragraph_similarity(tokens, segments)
    heat = plots.similarity_heatmap(sim.matrix)
    assert len(heat.axes[0].get_yticklabels()) == sim.matrix.shape[0]
    assert heat.axes[0].get_yticklabels()[0].get_text() == "lfl-2022-p01"


def test_barcode_and_function_words(seeds) -> None:
    tokens, segments = seeds
    fig = plots.dispersion_barcode(tokens, "people smuggling")
    assert "people smuggling" in fig.axes[0].get_title()
    counts_text = [t.get_text() for t in fig.axes[0].texts]
    assert counts_text == ["n = 0", "n = 13"]
    prof = counts.function_word_profile(tokens, segments)
    fw = plots.function_word_profiles(prof)
    assert [a.get_title() for a in fw.axes[:2]] == ["Pronouns", "Modals"]


def test_svg_is_byte_reproducible() -> None:
    k = stats.keyness({"a": 30, "b": 2}, {"a": 5, "b": 20})
    one = _svg(plots.keyness_chart(k))
    two = _svg(plots.keyness_chart(k))
    assert one == two
    assert b"<dc:date>" not in one


def test_figures_show_as_png_without_inline_support():
    from IPython.core.formatters import PNGFormatter

    fig = plots.function_word_profiles(
        pd.DataFrame(
            {
                "actor_type": ["a", "b"],
                "function_class": ["pronoun", "pronoun"],
                "function_subclass": ["first_plural", "first_plural"],
                "n": [2, 1],
                "per_1k": [20.0, 10.0],
                "total_tokens": [100, 100],
                "words": ["we 2", "we 1"],
            }
        )
    )
    png = PNGFormatter()(fig)  # a formatter with no printer registered for Figure
    assert png is not None and png[:8] == b"\x89PNG\r\n\x1a\n"


def test_similarity_heatmap_is_bounded_for_large_corpora() -> None:
    import numpy as np
    import pandas as pd

    from analysis.plots import HEATMAP_INCHES, MAX_HEATMAP, similarity_heatmap

    rng = np.random.default_rng(0)
    rows = pd.MultiIndex.from_tuples(
        [(f"ngo-{i // 7:03d}-p{i % 7 + 1:02d}", str(i % 7 + 1)) for i in range(700)]
    )
    cols = pd.MultiIndex.from_tuples(
        [(f"gov-{i // 5:03d}-p{i % 5 + 1:02d}", str(i % 5 + 1)) for i in range(900)]
    )
    matrix = pd.DataFrame(rng.random((700, 900)) * 0.3, index=rows, columns=cols)
    matrix.iloc[3, 7] = 0.99  # the strongest pair: ngo-000 and gov-001
    figure = similarity_heatmap(matrix)
    ax = figure.axes[0]
    assert len(ax.get_yticks()) == MAX_HEATMAP and len(ax.get_xticks()) == MAX_HEATMAP
    assert "documents shown of 700 x 900 paragraphs" in ax.get_title()
    assert "ngo-000" in [t.get_text() for t in ax.get_yticklabels()]
    width, height = figure.get_size_inches()
    assert (width, height) == HEATMAP_INCHES
    small = similarity_heatmap(matrix.iloc[:6, :8])
    assert small.axes[0].get_title().startswith("Paragraph similarity")


def test_dispersion_barcode_is_bounded() -> None:
    import pandas as pd

    from analysis.plots import dispersion_barcode

    rows = []
    for d in range(120):
        for k in range(20):
            norm = "victims" if (k == 3 and d % 3 == 0) or (d == 7 and k < 9) else "word"
            rows.append(
                {
                    "doc_id": f"doc-{d:03d}",
                    "seg_id": f"doc-{d:03d}-p01",
                    "norm": norm,
                    "is_punct": False,
                }
            )
    figure = dispersion_barcode(pd.DataFrame(rows), "victims", max_rows=40)
    ax = figure.axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert len(labels) == 40 and labels[0] == "doc-000" and "doc-007" in labels
    assert "(40 of 120 with the most occurrences)" in ax.get_title()


def test_every_figure_describes_its_data_in_words(seeds) -> None:
    """The text alternative of each figure says what it shows and names its largest values,
    computed from the data drawn (checked against the tables here)."""
    tokens, segments = seeds
    k = stats.keyness({"a": 30, "b": 2, "c": 10}, {"a": 5, "b": 20, "c": 9})
    alt = plots.keyness_chart(k, target="ngo", reference="gov", top=5).alt_text
    assert alt.startswith("Bar chart of the 3 most key terms by log ratio")
    strongest_gov = k[k["g2"] < 0].sort_values("g2").iloc[0]
    assert f"b ({strongest_gov['log_ratio']:+.2f})" in alt and "key in gov" in alt

    c = tfidf.tfidf_contrast(tokens, segments)
    alt = plots.tfidf_contrast_bars(c, top=4).alt_text
    top_term = c["diff"].idxmax()
    assert f"{top_term} ({c['diff'].max():+.3f})" in alt

    sim = tfidf.paragraph_similarity(tokens, segments)
    alt = plots.similarity_heatmap(sim).alt_text
    m = sim.matrix.droplevel("label").droplevel("label", axis=1)
    row, col = m.stack().idxmax()
    assert f"Highest: {row} and {col} at {m.to_numpy().max():.2f}" in alt

    alt = plots.dispersion_barcode(tokens, "people smuggling").alt_text
    assert "lfl-2022 0, gov-2024 13 occurrences" in alt

    prof = counts.function_word_profile(tokens, segments)
    alt = plots.function_word_profiles(prof).alt_text
    best = prof.sort_values("per_1k", ascending=False, kind="stable").iloc[0]
    assert f"in {best['actor_type']} {best['per_1k']:.1f}" in alt

    terms = counts.term_counts(tokens, segments, "actor_type")
    alt = plots.frequency_scatter(terms, x_group="government", y_group="civil_society").alt_text
    assert alt.startswith("Scatter plot of") and "more in civil_society" in alt
