"""Tests of analysis.explorer: comparisons, overlap, per-term rates, summaries and the widget."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from analysis import counts, explorer, pipeline, stats, tfidf  # noqa: E402
from analysis.errors import AnalysisError  # noqa: E402

TINY_TEXTS = {
    "ngo-x": "We say victims need shelters, not cells.\n\nWe support victims and people smuggling "
    "survivors.\n",
    "gov-y": "We fight people smuggling at sea.\n\nCooperation stops smuggling of migrants.\n",
    "ngo-z": "Survivors need rights and homes.\n",
}
TINY_GROUPS = {"ngo-x": "ngo", "gov-y": "gov", "ngo-z": "ngo"}


def _tiny_manifest(folder, groups=TINY_GROUPS):
    import hashlib

    rows = []
    for doc, text in TINY_TEXTS.items():
        path = folder / f"{doc}.txt"
        path.write_text(f"Statement of {doc}\n\n{text}", encoding="utf-8")
        rows.append(
            {
                "doc_id": doc,
                "path": path.name,
                "actor_type": groups[doc],
                "organisation": doc,
                "date": "2024-01-01",
                "title": doc,
                "speaker": "x",
                "venue": "x",
                "genre": "statement",
                "language": "en",
                "source": "test",
                "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
            }
        )
    manifest = folder / "manifest.csv"
    pd.DataFrame(rows).to_csv(manifest, index=False)
    return manifest


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    return pipeline.build(_tiny_manifest(tmp_path_factory.mktemp("tiny")))


@pytest.fixture(scope="module")
def three(tmp_path_factory):
    groups = {"ngo-x": "ngo", "gov-y": "gov", "ngo-z": "survivors"}
    return pipeline.build(_tiny_manifest(tmp_path_factory.mktemp("three"), groups))


@pytest.fixture(scope="module")
def seeds():
    return pipeline.build()


def test_tiny_corpus_is_what_the_tests_assume(tiny) -> None:
    analysed = tiny.segments[tiny.segments["kind"] == "body"]
    assert list(analysed["seg_id"]) == [
        "ngo-x-p01",
        "ngo-x-p02",
        "gov-y-p01",
        "gov-y-p02",
        "ngo-z-p01",
    ]
    assert len(tiny.segments) == len(analysed) + 3  # one title heading per document
    totals = counts.group_totals(tiny.tokens, tiny.segments)
    # ngo: 7 + 7 (people smuggling = 2 words) + 5; gov: 6 + 5
    assert totals.to_dict() == {"ngo": 19, "gov": 11}


def test_compare_groups_two_and_more(tiny, three) -> None:
    c = explorer.compare_groups(tiny)
    assert (c.target, c.reference, c.groups, c.one_vs_rest) == ("ngo", "gov", ("ngo", "gov"), False)
    assert set(c.segments[explorer.SIDE]) == {"ngo", "gov"}
    c3 = explorer.compare_groups(three)
    assert (c3.target, c3.reference, c3.one_vs_rest) == ("ngo", "rest", True)
    body = c3.segments[c3.segments["kind"] == "body"]
    assert body.set_index("seg_id")[explorer.SIDE].to_dict() == {
        "ngo-x-p01": "ngo",
        "ngo-x-p02": "ngo",
        "gov-y-p01": "rest",
        "gov-y-p02": "rest",
        "ngo-z-p01": "rest",
    }
    picked = explorer.compare_groups(three, ["survivors", "gov"])
    assert picked.target == "survivors" and picked.reference == "gov"
    assert set(picked.tokens["doc_id"]) == {"gov-y", "ngo-z"}
    assert set(picked.tables.corpus["doc_id"]) == {"gov-y", "ngo-z"}
    with pytest.raises(AnalysisError, match="needs two"):
        explorer.compare_groups(three, ["gov"])
    with pytest.raises(AnalysisError, match="not found"):
        explorer.compare_groups(three, ["nobody", "gov"])


def test_term_rates_count_words_inside_multiword_expressions(tiny) -> None:
    rates = explorer.term_rates(tiny, "smuggling").set_index("actor_type")
    # "people smuggling" once in ngo-x-p02; "people smuggling" + "smuggling of migrants" in gov
    assert rates["n"].to_dict() == {"ngo": 1, "gov": 2}
    assert rates.loc["gov", "per_1k"] == pytest.approx(1000 * 2 / 11)
    assert rates.loc["ngo", "seg_ids"] == "ngo-x-p02"
    assert rates.loc["gov", "seg_ids"] == "gov-y-p01 gov-y-p02"
    assert rates.loc["ngo", "parts"] == 3 and rates.loc["gov", "parts"] == 2
    # DP by hand for ngo: parts of 7, 7, 5 words; one hit, in the second part:
    # 0.5 * (7/19 + 12/19 + 5/19) = 12/19
    dp, dpn = stats.dispersion_dp([0, 1, 0], [7, 7, 5])
    assert rates.loc["ngo", "dp"] == pytest.approx(dp) and dp == pytest.approx(12 / 19)
    assert rates.loc["ngo", "dp_norm"] == pytest.approx(dpn)
    regex = explorer.term_rates(tiny, r"victims?|survivors?", kind="regex").set_index("actor_type")
    assert regex["n"].to_dict() == {"ngo": 4, "gov": 0}
    assert np.isnan(regex.loc["gov", "dp"])


def test_query_rates_and_framing_queries(seeds) -> None:
    table = explorer.query_rates(seeds)
    assert list(table.columns[:4]) == ["label", "query", "kind", "actor_type"]
    assert len(table) == 2 * len(explorer.FRAMING_QUERIES)
    n = table.set_index(["label", "actor_type"])["n"]
    # smuggling: anti-smuggling x2 in lfl; 13 "people smuggling" + 1 "smuggling of migrants"
    assert n[("smuggling", "civil_society")] == 2 and n[("smuggling", "government")] == 14
    assert n[("trafficking", "government")] == 0
    with pytest.raises(AnalysisError, match="no queries"):
        explorer.query_rates(seeds, [])


def test_vocabulary_overlap(tiny) -> None:
    table = counts.term_counts(tiny.tokens, tiny.segments)
    overlap = explorer.vocabulary_overlap(table, by="actor_type", target="ngo", reference="gov")
    status = overlap.set_index("term")["status"]
    assert status["people smuggling"] == "shared" and status["victims"] == "target only"
    assert status["cooperation"] == "reference only"
    assert overlap.iloc[0]["status"] == "shared"
    row = overlap.set_index("term").loc["people smuggling"]
    assert (row["n_target"], row["n_reference"]) == (1, 1)
    assert row["per_1k_reference"] == pytest.approx(1000 / 11)
    with pytest.raises(AnalysisError, match="not a value"):
        explorer.vocabulary_overlap(table, by="actor_type", target="ngo", reference="x")


def test_shared_terms_sum_to_the_cosine(seeds) -> None:
    weights = tfidf.segment_tfidf(seeds.tokens, seeds.segments)
    sim = tfidf.paragraph_similarity(seeds.tokens, seeds.segments)
    cosine = sim.matrix.loc[("lfl-2022-p04", "4"), ("gov-2024-p01", "1")]
    shared = explorer.shared_terms(weights, "lfl-2022-p04", "gov-2024-p01", top=50)
    assert shared["contribution"].sum() == pytest.approx(cosine)
    assert shared["share"].sum() == pytest.approx(1.0)
    assert shared["contribution"].is_monotonic_decreasing
    assert explorer.shared_terms(weights, "lfl-2022-p08", "gov-2024-p01").empty
    with pytest.raises(AnalysisError, match="seg_id"):
        explorer.shared_terms(weights, "nope", "gov-2024-p01")


def test_group_collocates_per_group(seeds) -> None:
    found = explorer.group_collocates(seeds, r".*traffick.*", kind="regex")
    assert set(found["actor_type"]) == {"civil_society"}  # no trafficking word in gov-2024
    row = found.set_index("collocate").loc["victims"]
    assert row["f_xy"] == 3 and row["left"] == 3
    none = explorer.group_collocates(seeds, "nonexistentword")
    assert none.empty and "collocate" in none.columns


def test_term_summary_tiny(tiny) -> None:
    s = explorer.term_summary(tiny, "people smuggling")
    assert s.kind == "mwe"
    assert list(s.lines["seg_id"]) == ["ngo-x-p02", "gov-y-p01"]
    assert list(s.lines["actor_type"]) == ["ngo", "gov"]
    assert list(s.lines["match"]) == ["people smuggling", "people smuggling"]
    assert s.rates.set_index("actor_type")["n"].to_dict() == {"ngo": 1, "gov": 1}
    assert isinstance(s.figure, Figure)
    ax = s.figure.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == [
        "ngo-x (ngo)",
        "gov-y (gov)",
        "ngo-z (ngo)",
    ]
    counts_shown = sorted(t.get_text() for t in ax.texts)
    assert counts_shown == ["n = 0", "n = 1", "n = 1"]
    with pytest.raises(AnalysisError, match="empty"):
        explorer.term_summary(tiny, "  ")


def test_term_summary_seeds_matches_counts(seeds) -> None:
    s = explorer.term_summary(seeds, "victims")
    assert set(s.lines["seg_id"]) == {"lfl-2022-p05", "lfl-2022-p06", "lfl-2022-p07"}
    tc = counts.term_counts(seeds.tokens, seeds.segments)
    expected = tc[tc["term"] == "victims"].set_index("actor_type")["per_1k"]
    rates = s.rates.set_index("actor_type")
    assert rates.loc["civil_society", "per_1k"] == pytest.approx(expected["civil_society"])
    assert rates.loc["government", "n"] == 0
    # the raw text at the offsets is the match, as written
    text = seeds.corpus.set_index("doc_id").loc["lfl-2022", "text"]
    line = s.lines.iloc[0]
    assert text[line["start"] : line["end"]] == line["match"] == "victims"
    only_gov = explorer.term_summary(seeds, "people smuggling", groups=["government"])
    assert list(only_gov.rates["actor_type"]) == ["government"]
    assert only_gov.rates["n"].iloc[0] == 13


def _texts(widget) -> str:
    parts = []
    for output in widget.output.outputs:
        data = output.get("data", {})
        parts.append(data.get("text/markdown", "") + data.get("text/plain", ""))
    return "\n".join(parts)


def test_explorer_builds_and_updates(tiny) -> None:
    import ipywidgets

    w = explorer.term_explorer(tiny, value="victims")
    assert isinstance(w, ipywidgets.VBox)
    assert "victims" in w.picker.options and "smuggling" in w.picker.options
    first = _texts(w)
    assert "**victims** (matched as word): 2 occurrence(s)" in first
    assert any("image/png" in o["data"] for o in w.output.outputs)
    w.picker.value = "cooperation"
    second = _texts(w)
    assert "**cooperation** (matched as word): 1 occurrence(s)" in second
    assert "victims" not in second.split("\n")[0]
    w.match_as.value = "regex"
    w.picker.value = "surviv.*"
    assert "matched as regex): 2 occurrence(s)" in _texts(w)
    w.picker.value = "(unclosed"
    assert "not a valid regular expression" in _texts(w)
    assert repr(w).startswith("Term explorer (interactive, in JupyterLab)")


def test_explorer_on_the_seeds(seeds) -> None:
    w = explorer.term_explorer(seeds, groups=["civil_society", "government"])
    assert w.picker.value == w.picker.options[0]
    assert "people smuggling" in w.picker.options and "human trafficking" in w.picker.options
    w.picker.value = "human trafficking"
    text = _texts(w)
    assert "(matched as mwe): 5 occurrence(s)" in text
    with pytest.raises(AnalysisError, match="needs two|not found"):
        explorer.term_explorer(seeds, groups=["nobody"])
