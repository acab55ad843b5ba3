"""Tests of analysis.concordance: raw-text KWIC lines and window collocates (against nltk)."""

from __future__ import annotations

import pandas as pd
import pytest
from nltk.collocations import BigramCollocationFinder
from nltk.metrics.association import BigramAssocMeasures

from analysis import concordance
from analysis.errors import AnalysisError

RAW = "We protect victims.\n\nHuman trafficking harms victims of trafficking, we say."
STOP = {"of"}


def _tables() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    spans = [("d-p01", 0, 19), ("d-p02", 21, len(RAW))]
    mwe = {"Human trafficking"}
    rows = []
    import re

    for seg_id, lo, hi in spans:
        pos = 0
        text = RAW[lo:hi]
        pieces = list(re.finditer(r"Human trafficking|\w+|[^\w\s]", text))
        for m in pieces:
            tok = m.group()
            norm = tok.casefold()
            rows.append(
                {
                    "doc_id": "d",
                    "seg_id": seg_id,
                    "sentence": 0,
                    "position": pos,
                    "token": tok,
                    "norm": norm,
                    "stem": " ".join(p.rstrip("s") for p in norm.split(" ")),
                    "start": lo + m.start(),
                    "end": lo + m.end(),
                    "is_punct": not tok[0].isalnum(),
                    "is_stop": norm in STOP,
                    "is_mwe": tok in mwe,
                }
            )
            pos += 1
    tokens = pd.DataFrame(rows)
    segments = pd.DataFrame(
        {
            "seg_id": ["d-p01", "d-p02"],
            "label": ["1", "2"],
            "kind": ["body", "body"],
            "doc_id": ["d", "d"],
        }
    )
    corpus = pd.DataFrame({"doc_id": ["d"], "text": [RAW]})
    return tokens, segments, corpus


@pytest.fixture
def toy() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    return _tables()


def test_kwic_slices_raw_text_and_stays_in_segment(toy) -> None:
    tokens, segments, corpus = toy
    k = concordance.kwic(tokens, "victims", corpus=corpus, segments=segments, window=3)
    assert list(k.columns) == [
        "seg_id",
        "doc_id",
        "label",
        "left",
        "match",
        "right",
        "start",
        "end",
    ]
    assert list(k["seg_id"]) == ["d-p01", "d-p02"]
    first = k.iloc[0]
    assert (first["left"], first["match"], first["right"]) == ("We protect", "victims", ".")
    second = k.iloc[1]
    assert second["left"] == "Human trafficking harms"  # the multiword token counts as one word
    assert second["right"] == "of trafficking, we"
    for _, row in k.iterrows():
        assert RAW[row["start"] : row["end"]] == row["match"]
    assert list(k["label"]) == ["1", "2"]


def test_kwic_word_inside_multiword_token(toy) -> None:
    tokens, _, corpus = toy
    k = concordance.kwic(tokens, "Trafficking", corpus=corpus, window=2)
    assert list(k["match"]) == ["trafficking", "trafficking"]
    assert k.iloc[0]["left"] == "Human"
    assert RAW[k.iloc[0]["start"] : k.iloc[0]["end"]] == "trafficking"


@pytest.mark.parametrize(
    ("query", "kind", "expected"),
    [
        ("victim", "stem", ["victims", "victims"]),
        ("human trafficking", "mwe", ["Human trafficking"]),
        ("victims of trafficking", "mwe", ["victims of trafficking"]),
        (r"vict\w+|harms", "regex", ["victims", "harms", "victims"]),
        (r"traffick\w*", "regex", ["trafficking", "trafficking"]),
    ],
)
def test_kwic_query_kinds(toy, query, kind, expected) -> None:
    tokens, _, corpus = toy
    assert list(concordance.kwic(tokens, query, corpus=corpus, kind=kind)["match"]) == expected


def test_kwic_sorting_and_no_corpus(toy) -> None:
    tokens, _, corpus = toy
    left = concordance.kwic(tokens, "victims", corpus=corpus, window=1, sort="left")
    assert list(left["left"]) == ["harms", "protect"]
    right = concordance.kwic(tokens, "victims", corpus=corpus, window=1, sort="right")
    assert list(right["right"]) == [".", "of"]
    plain = concordance.kwic(tokens, "victims", window=1)
    assert list(plain["left"]) == ["protect", "harms"]


@pytest.mark.parametrize(
    ("query", "options", "match"),
    [
        ("two words", {"kind": "word"}, "several words"),
        ("(", {"kind": "regex"}, "regular expression"),
        ("   ", {}, "empty"),
        ("victims", {"window": -1}, "window"),
        ("victims", {"sort": "middle"}, "sort"),
    ],
)
def test_kwic_errors(toy, query, options, match) -> None:
    tokens, _, corpus = toy
    with pytest.raises(AnalysisError, match=match):
        concordance.kwic(tokens, query, corpus=corpus, **options)


def test_collocates_window_counts(toy) -> None:
    tokens, _, _ = toy
    c = concordance.collocates(tokens, "victims", window=2, min_freq=1, stopwords=True)
    # p01: we protect [victims]; p02: trafficking harms [victims] of trafficking
    assert c.loc["protect", "f_xy"] == 1 and c.loc["protect", "left"] == 1
    assert c.loc["of", "right"] == 1
    assert c.loc["human trafficking", "f_xy"] == 1
    assert (c["f_x"] == 6).all() and (c["f_node"] == 2).all()
    no_stop = concordance.collocates(tokens, "victims", window=2, min_freq=1)
    assert "of" not in no_stop.index
    assert concordance.collocates(tokens, "victims", window=2, min_freq=2).empty


def test_collocates_adjacent_equal_nltk_bigram_measures() -> None:
    words = "a b a c a b d b a b".split()
    tokens = pd.DataFrame(
        {
            "doc_id": "d",
            "seg_id": "s",
            "position": range(len(words)),
            "token": words,
            "norm": words,
            "stem": words,
            "start": 0,
            "end": 0,
            "is_punct": False,
            "is_stop": False,
        }
    )
    got = concordance.collocates(tokens, "a", window=(0, 1), min_freq=1)
    finder = BigramCollocationFinder.from_words(words)
    m = BigramAssocMeasures
    for name, measure in [("pmi", m.pmi), ("t_score", m.student_t), ("g2", m.likelihood_ratio)]:
        scores = dict(finder.score_ngrams(measure))
        for w2 in got.index:
            assert got.loc[w2, name] == pytest.approx(scores[("a", w2)], rel=1e-9), (name, w2)


def test_seed_kwic_and_collocates() -> None:
    from analysis.pipeline import build

    p = build()
    k = concordance.kwic(p.tokens, "trafficking", corpus=p.corpus, segments=p.segments)
    c = concordance.collocates(p.tokens, "people smuggling", kind="mwe", min_freq=2)
    raw = p.corpus.set_index("doc_id")["text"]
    assert all(
        raw[d][s:e].casefold() == "trafficking"
        for d, s, e in zip(k["doc_id"], k["start"], k["end"], strict=True)
    )
    assert len(k) == 9
    assert "combat" in c.index
