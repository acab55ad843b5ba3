"""Tests for analysis.plots_coding: each figure draws exactly the numbers it is given."""

from __future__ import annotations

import pandas as pd
import pytest
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from analysis.errors import AnalysisError
from analysis.plots import NEUTRAL_COLOUR, OKABE_ITO
from analysis.plots_coding import (
    STANCE_MARKS,
    code_colours,
    code_share_chart,
    frame_sequence_chart,
    lexicon_validation_chart,
)

CODES = ["enforcement_security", "victim_protection_rights", "cooperation_partnership"]


def share_table() -> pd.DataFrame:
    """A code_table-shaped table: group a codes 3 x enforcement, 1 x cooperation; b 2 x victim."""
    rows = [
        ("a", "enforcement_security", 3, 0.75, 4),
        ("a", "victim_protection_rights", 0, 0.0, 4),
        ("a", "cooperation_partnership", 1, 0.25, 4),
        ("b", "enforcement_security", 0, 0.0, 2),
        ("b", "victim_protection_rights", 2, 1.0, 2),
        ("b", "cooperation_partnership", 0, 0.0, 2),
    ]
    return pd.DataFrame(rows, columns=["actor_type", "code", "n", "share", "n_group"])


def bars(fig: Figure) -> list[Rectangle]:
    return [p for p in fig.axes[0].patches if isinstance(p, Rectangle)]


def test_code_colours_are_stable_and_skip_empty_codes() -> None:
    colours = code_colours(["none", *CODES, "none"])
    assert colours["none"] == "#DDDDDD"
    assert colours["enforcement_security"] == OKABE_ITO["blue"]
    assert colours["cooperation_partnership"] == OKABE_ITO["green"]
    many = code_colours([f"c{i}" for i in range(9)])
    assert many["c7"] == many["c8"] == NEUTRAL_COLOUR
    assert len(set(list(many.values())[:7])) == 7


def test_code_share_chart_draws_the_shares() -> None:
    fig = code_share_chart(share_table())
    assert isinstance(fig, Figure)
    drawn = bars(fig)
    # one bar segment per non-zero cell, widths equal to shares, stacked from 0
    assert [round(b.get_width(), 6) for b in drawn] == [0.75, 0.25, 1.0]
    assert [round(b.get_x(), 6) for b in drawn] == [0.0, 0.75, 0.0]
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert labels == ["a (n = 4)", "b (n = 2)"]
    texts = sorted(t.get_text() for t in fig.axes[0].texts)
    assert texts == ["1", "2", "3"]
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert legend == ["enforcement security", "victim protection rights", "cooperation partnership"]
    assert fig.alt_text.endswith(
        "largest code: a: enforcement security 75% of 4 units; "
        "b: victim protection rights 100% of 2 units."
    )


def test_code_share_chart_rejects_bad_input() -> None:
    with pytest.raises(AnalysisError, match="lacks column"):
        code_share_chart(share_table().drop(columns=["share"]))
    with pytest.raises(AnalysisError, match="empty"):
        code_share_chart(share_table().iloc[0:0])


def sequence() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "doc_id": ["d1", "d1", "d2"],
            "seg_id": ["d1-p01", "d1-p02", "d2-p01"],
            "label": ["1", "2", "1"],
            "order": [0, 1, 0],
            "frame": ["cooperation_partnership", "enforcement_security", "cooperation_partnership"],
            "stance_toward_state": ["critical", "supportive", "neutral"],
        }
    )


def test_frame_sequence_chart_one_cell_per_unit_with_stance_marks() -> None:
    fig = frame_sequence_chart(sequence(), codes=CODES)
    cells = bars(fig)
    assert len(cells) == 3
    colours = code_colours(CODES)
    from matplotlib.colors import to_hex

    assert [to_hex(c.get_facecolor()) for c in cells] == [
        colours["cooperation_partnership"].lower(),
        colours["enforcement_security"].lower(),
        colours["cooperation_partnership"].lower(),
    ]
    texts = [t.get_text() for t in fig.axes[0].texts]
    for mark in (STANCE_MARKS["critical"], STANCE_MARKS["supportive"], STANCE_MARKS["neutral"]):
        assert mark in texts
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["d1", "d2"]
    plain = frame_sequence_chart(sequence(), stance=None)
    assert not any(t.get_text() in STANCE_MARKS.values() for t in plain.axes[0].texts)


def test_frame_sequence_chart_is_bounded_and_described() -> None:
    """Hundreds of coded documents draw at most MAX_SEQUENCE_DOCUMENTS rows of at most
    MAX_SEQUENCE_UNITS cells, and the title and alt text say how many there are."""
    from analysis.plots_coding import MAX_SEQUENCE_DOCUMENTS, MAX_SEQUENCE_UNITS

    n_docs, n_units = 300, 80
    frames = ["cooperation_partnership", "enforcement_security", "victim_protection"]
    big = pd.DataFrame(
        {
            "doc_id": [f"d{d:03d}" for d in range(n_docs) for _ in range(n_units)],
            "seg_id": [f"d{d:03d}-p{u:02d}" for d in range(n_docs) for u in range(n_units)],
            "label": [str(u + 1) for _ in range(n_docs) for u in range(n_units)],
            "order": [u for _ in range(n_docs) for u in range(n_units)],
            "frame": [frames[(d + u) % 3] for d in range(n_docs) for u in range(n_units)],
            "stance_toward_state": ["neutral"] * (n_docs * n_units),
        }
    )
    fig = frame_sequence_chart(big, codes=CODES)
    assert len(bars(fig)) == MAX_SEQUENCE_DOCUMENTS * MAX_SEQUENCE_UNITS
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert labels == [f"d{d:03d}" for d in range(MAX_SEQUENCE_DOCUMENTS)]
    title = fig.axes[0].get_title()
    assert f"first {MAX_SEQUENCE_DOCUMENTS} of {n_docs} documents" in title
    assert f"first {MAX_SEQUENCE_UNITS} of up to {n_units} units" in title
    width, height = fig.get_size_inches()
    assert width < 40 and height < 35
    assert f"of {n_docs} documents" in fig.alt_text
    small = frame_sequence_chart(sequence(), codes=CODES)
    assert "first" not in small.axes[0].get_title()
    assert small.alt_text.startswith("Grid of 3 coded units of 2 document(s)")
    assert "cooperation partnership 2" in small.alt_text


def test_frame_sequence_chart_rejects_bad_input() -> None:
    with pytest.raises(AnalysisError, match="lacks column"):
        frame_sequence_chart(sequence().drop(columns=["order"]))
    with pytest.raises(AnalysisError, match="empty"):
        frame_sequence_chart(sequence().iloc[0:0])


def test_lexicon_validation_chart_draws_precision_and_recall() -> None:
    per_frame = pd.DataFrame(
        {
            "frame": ["accountability", "cooperation_partnership"],
            "n_coded": [4, 0],
            "n_proposed": [2, 1],
            "true_positive": [1, 0],
            "precision": [0.5, 0.0],
            "recall": [0.25, float("nan")],
        }
    )
    fig = lexicon_validation_chart(per_frame)
    widths = [round(b.get_width(), 6) for b in bars(fig)]
    assert widths == [0.5, 0.0, 0.25, 0.0]  # precision bars, then recall (NaN drawn as 0)
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert labels == ["accountability (coded 4)", "cooperation partnership (coded 0)"]
    assert fig.alt_text == (
        "Paired bars of precision and recall for 2 frame(s). accountability: precision 0.50, "
        "recall 0.25; cooperation partnership: precision 0.00, recall undefined."
    )
    with pytest.raises(AnalysisError, match="no frames"):
        lexicon_validation_chart(per_frame.iloc[0:0])
