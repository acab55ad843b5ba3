"""Tables as a reader sees them: dashes and footnotes for undefined values, bounded rows."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis import present


def test_undefined_values_become_dashes_with_a_footnote() -> None:
    table = pd.DataFrame(
        {"term": ["a", "b"], "pct_diff": [12.34567, np.nan], "dp_norm": [np.inf, 0.5], "n": [1, 2]}
    )
    shown = present.for_display(table)
    assert shown["pct_diff"].tolist() == [12.346, present.DASH]
    assert shown["dp_norm"].tolist() == [present.DASH, 0.5]
    assert shown["n"].tolist() == [1, 2]
    note = present.footnote(table)
    assert "`pct_diff`: the percentage difference is undefined" in note and "`dp_norm`" in note
    assert present.footnote(table.drop(columns=["pct_diff", "dp_norm"])) == ""
    assert table["pct_diff"].isna().iloc[1]  # the input is not changed


def test_table_shows_the_top_rows_and_says_how_many(monkeypatch) -> None:
    shown: list[object] = []
    monkeypatch.setattr("IPython.display.display", lambda obj: shown.append(obj))
    present.table(pd.DataFrame({"x": range(120)}))
    frame, note = shown
    assert len(frame) == present.TOP_ROWS
    assert "The first 50 of 120 rows" in note.data
    shown.clear()
    present.table(pd.DataFrame({"x": range(3)}), top=None)
    assert len(shown) == 1 and len(shown[0]) == 3


def test_cite_names_a_few_and_counts_the_rest() -> None:
    from analysis.present import cite

    assert cite("a b c") == "`a`, `b`, `c`"
    assert cite([f"u{i}" for i in range(10)], limit=3) == "`u0`, `u1`, `u2` and 7 more"
    assert cite(list(range(1500)), limit=2, saved="`x.csv`") == (
        "`0`, `1` and 1,498 more (all in `x.csv`)"
    )
    assert cite(["*a* (1)", "*b* (2)"], code=False) == "*a* (1), *b* (2)"
    assert cite([]) == ""


def test_link_to_a_saved_table() -> None:
    from analysis import paths
    from analysis.present import link_to

    assert link_to("results/02-x/keyness.csv") == "[`keyness.csv`](../results/02-x/keyness.csv)"
    assert link_to(paths.RESULTS / "keyness.csv") == "[`keyness.csv`](../results/keyness.csv)"


def test_how_to_read_notes_show_once_per_kind(monkeypatch) -> None:
    from IPython.display import Markdown

    from analysis import present

    shown = []
    monkeypatch.setattr("IPython.display.display", lambda obj: shown.append(obj))
    monkeypatch.setattr(present, "_explained", set())
    present.how_to_read("keyness-chart")
    present.how_to_read("keyness-chart")
    present.how_to_read("concordance")
    assert len(shown) == 2 and all(isinstance(s, Markdown) for s in shown)
    assert shown[0].data.startswith("> **How to read this.** Bars to the right")
    with pytest.raises(KeyError, match="no reading note"):
        present.how_to_read("nonsense")
