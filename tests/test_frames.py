"""Tests for analysis.frames: lexicon loading, auditable cue matches, proposals, validation."""

from __future__ import annotations

import pandas as pd
import pytest
from sklearn.metrics import cohen_kappa_score

from analysis.errors import AnalysisError
from analysis.frames import (
    LEXICON_SOURCES,
    NO_MATCH,
    lexicon_confusion,
    lexicon_misses,
    lexicon_source_documents,
    load_lexicon,
    match_cues,
    propose_codes,
    proposed_frame_units,
    recall_ranking,
    validate_lexicon,
)


def toks(seg_id: str, words: list[str], *, mwe: dict[int, str] | None = None) -> pd.DataFrame:
    """Hand-made tokens table; offsets as if words were joined by single spaces."""
    from analysis.tokenise import normalise, stem

    rows, pos = [], 0
    for i, w in enumerate(words):
        norm = normalise(w)
        rows.append(
            {
                "seg_id": seg_id,
                "position": i,
                "token": w,
                "norm": norm,
                "stem": stem(norm),
                "start": pos,
                "end": pos + len(w),
                "is_punct": not any(ch.isalnum() for ch in w),
            }
        )
        pos += len(w) + 1
    return pd.DataFrame(rows)


def test_lexicon_keys_are_stems_or_norms() -> None:
    lex = load_lexicon()
    row = lex[(lex.cue == "law enforcement")].iloc[0]
    assert row["keys"] == ("law", "enforc") and row["n_parts"] == 2
    assert lex[lex.cue == "act"].iloc[0]["keys"] == ("act",)
    assert set(lex["dimension"]) == {"frame", "stance"}
    from analysis.coding import load_codebook

    assert set(lex[lex.dimension == "frame"]["category"]) <= set(
        load_codebook().dimension("frame").allowed
    )


def test_bad_lexicon_is_reported(tmp_path) -> None:
    from analysis.errors import AnalysisError

    path = tmp_path / "lex.csv"
    path.write_text("dimension,category,cue,match,note\nframe,x,crime,lemma,\n", encoding="utf-8")
    with pytest.raises(AnalysisError, match="line 2"):
        load_lexicon(path)


def test_matches_keep_offsets_and_prefer_longest_cue() -> None:
    t = toks("u1", ["Law", "enforcement", "ignored", "the", "victims", "."])
    m = match_cues(t)
    frame = m[m.dimension == "frame"]
    assert frame["cue"].tolist() == ["law enforcement", "ignored", "victims"]
    first = frame.iloc[0]
    assert (first.start, first.end, first.position_first, first.position_last) == (0, 15, 0, 1)
    assert first.matched == "Law enforcement"
    # the same word counts once per dimension but may count for frame and stance
    assert m[m.cue == "ignored"]["dimension"].tolist() == ["frame", "stance"]


def test_joined_mwe_token_is_split_back() -> None:
    t = toks("u1", ["law enforcement", "must", "act"])
    t.loc[0, "end"] = 15
    m = match_cues(t)
    assert m[m.dimension == "frame"]["cue"].tolist() == ["law enforcement", "act"]


def test_cues_do_not_span_punctuation_and_norm_cues_are_exact() -> None:
    m = match_cues(toks("u1", ["law", ",", "enforcement", "acting"]))
    assert m["cue"].tolist() == ["law", "enforcement"]  # no 'law enforcement', no 'act'


def test_proposals_and_ties() -> None:
    t = pd.concat(
        [
            toks("a", ["cooperation", "and", "intelligence"]),  # tie -> codebook order
            toks("b", ["woefully", "inadequate", "but", "positive"]),
            toks("c", ["nothing", "here"]),
        ],
        ignore_index=True,
    )
    p = propose_codes(t).set_index("seg_id")
    assert p.loc["a", "proposed_frame"] == "enforcement_security"
    assert p.loc["a", "frame_runner_up"] == "cooperation_partnership"
    assert p.loc["b", "proposed_stance"] == "mixed"
    assert (p.loc["b", "n_critical"], p.loc["b", "n_supportive"]) == (2, 1)
    assert p.loc["c", "proposed_frame"] == NO_MATCH and p.loc["c", "proposed_stance"] == "neutral"
    assert (
        "stance:positive@" not in p.loc["b", "cues"]
        and "supportive:positive@" in p.loc["b", "cues"]
    )


def test_validation_against_coding() -> None:
    proposals = pd.DataFrame(
        {
            "seg_id": ["a", "b", "c", "d"],
            "proposed_frame": ["procedural", "accountability", NO_MATCH, "accountability"],
            "proposed_stance": ["neutral", "critical", "neutral", "critical"],
        }
    )
    coded = {
        "a": ("procedural", "neutral"),
        "b": ("accountability", "critical"),
        "c": ("accountability", "critical"),
        "d": ("law_policy_reform", "mixed"),
    }
    long = pd.DataFrame(
        [(s, "reference", "frame", f) for s, (f, _) in coded.items()]
        + [(s, "reference", "stance_toward_state", st) for s, (_, st) in coded.items()],
        columns=["seg_id", "coder", "dimension", "code"],
    )
    res = validate_lexicon(proposals, long)
    per = res["per_frame"].set_index("frame")
    assert per.loc["accountability", "precision"] == pytest.approx(0.5)
    assert per.loc["accountability", "recall"] == pytest.approx(0.5)
    assert per.loc["law_policy_reform", "recall"] == 0
    assert per.loc[NO_MATCH, "n_proposed"] == 1
    truth = [coded[s][0] for s in "abcd"]
    assert res["frame_kappa"] == pytest.approx(
        cohen_kappa_score(truth, proposals["proposed_frame"])
    )
    assert res["n_units"] == 4


def test_seed_statements_end_to_end() -> None:
    from analysis.coding import merge_sheets
    from analysis.paths import CODING
    from analysis.pipeline import build

    p = build()
    proposals = propose_codes(p.tokens)
    assert len(proposals) == 23
    long = merge_sheets([CODING / "reference.csv"], p.segments)
    res = validate_lexicon(proposals, long)
    assert res["n_units"] == 23
    assert -1 <= res["frame_kappa"] <= 1
    # every match is traceable: the raw text at its offsets contains the matched words
    raw = dict(zip(p.corpus["doc_id"], p.corpus["text"], strict=True))
    m = match_cues(p.tokens).merge(p.segments[["seg_id", "doc_id"]], on="seg_id")
    for r in m.itertuples():
        span = raw[r.doc_id][r.start : r.end]
        assert all(w in span for w in r.matched.split())


PAIRS = pd.DataFrame(
    {
        "seg_id": ["a", "b", "c", "d", "e"],
        "frame": [
            "procedural",
            "accountability",
            "accountability",
            "law_policy_reform",
            "accountability",
        ],
        "proposed_frame": [
            "procedural",
            "accountability",
            NO_MATCH,
            "accountability",
            "accountability",
        ],
        "stance_toward_state": ["neutral"] * 5,
        "proposed_stance": ["neutral"] * 5,
    }
)


def test_lexicon_confusion_counts_coded_against_proposed() -> None:
    confusion = lexicon_confusion(PAIRS, coder="ann")
    assert confusion.index.name == "ann frame"
    assert confusion.columns.name == "proposed frame"
    assert list(confusion.index) == ["accountability", "law_policy_reform", "procedural"]
    assert list(confusion.columns) == ["accountability", NO_MATCH, "procedural"]
    assert confusion.values.tolist() == [[2, 1, 0], [1, 0, 0], [0, 0, 1]]
    assert confusion.to_numpy().sum() == len(PAIRS)
    assert lexicon_confusion(PAIRS.iloc[:0]).empty


def test_lexicon_misses_lists_units_in_pair_order() -> None:
    misses = lexicon_misses(PAIRS)
    assert misses.values.tolist() == [
        ["c", "accountability", NO_MATCH],
        ["d", "law_policy_reform", "accountability"],
    ]
    none = lexicon_misses(PAIRS.iloc[[0, 1]])
    assert none.empty and list(none.columns) == ["seg_id", "frame", "proposed_frame"]


def test_recall_ranking_highest_first_without_unused_frames() -> None:
    per_frame = pd.DataFrame(
        {
            "frame": ["accountability", "procedural", NO_MATCH, "law"],
            "recall": [0.5, 1.0, float("nan"), 0.5],
        }
    )
    ranking = recall_ranking(per_frame)
    assert list(ranking.items()) == [("procedural", 1.0), ("accountability", 0.5), ("law", 0.5)]
    res = validate_lexicon(
        PAIRS[["seg_id", "proposed_frame", "proposed_stance"]],
        pd.DataFrame(
            [(s, "reference", "frame", f) for s, f in zip(PAIRS.seg_id, PAIRS.frame, strict=True)]
            + [(s, "reference", "stance_toward_state", "neutral") for s in PAIRS.seg_id],
            columns=["seg_id", "coder", "dimension", "code"],
        ),
    )
    # accountability: 2 of 3 found; procedural 1 of 1; law_policy_reform 0 of 1
    assert recall_ranking(res["per_frame"]).round(3).to_dict() == {
        "procedural": 1.0,
        "accountability": 0.667,
        "law_policy_reform": 0.0,
    }
    assert recall_ranking(per_frame.iloc[[2]]).empty


def test_proposed_frame_units_by_frequency_or_name() -> None:
    proposals = pd.DataFrame(
        {
            "seg_id": ["u1", "u2", "u3", "u4"],
            "proposed_frame": ["procedural", "accountability", "procedural", NO_MATCH],
        }
    )
    by_count = proposed_frame_units(proposals)
    # procedural twice; accountability and no_match tie, in order of first appearance
    assert by_count.values.tolist() == [
        ["procedural", 2, ["u1", "u3"]],
        ["accountability", 1, ["u2"]],
        [NO_MATCH, 1, ["u4"]],
    ]
    by_name = proposed_frame_units(proposals, order="name")
    assert by_name["proposed_frame"].tolist() == ["accountability", NO_MATCH, "procedural"]
    assert by_name["n_units"].dtype == "int64"
    empty = proposed_frame_units(proposals.iloc[:0])
    assert empty.empty and list(empty.columns) == ["proposed_frame", "n_units", "seg_ids"]
    with pytest.raises(AnalysisError, match="order must be"):
        proposed_frame_units(proposals, order="size")  # type: ignore[arg-type]


def test_lexicon_sources_are_the_seed_files() -> None:
    from analysis.corpus import read_manifest

    seeds = read_manifest()
    assert LEXICON_SOURCES == dict(zip(seeds["doc_id"], seeds["sha256"], strict=True))


def test_lexicon_source_documents_by_file_hash_not_doc_id() -> None:
    gov, lfl = LEXICON_SOURCES["gov-2024"], LEXICON_SOURCES["lfl-2022"]
    corpus = pd.DataFrame(
        {
            "doc_id": ["new-1", "renamed", "lfl-2022", "also"],
            # a seed under another id counts; another text under a seed's id does not
            "sha256": ["0" * 64, gov, "1" * 64, lfl.upper()],
        }
    )
    before = corpus.copy()
    assert lexicon_source_documents(corpus) == ["renamed", "also"]
    pd.testing.assert_frame_equal(corpus, before)
    assert lexicon_source_documents(corpus.iloc[[0, 2]]) == []
    assert lexicon_source_documents(corpus.iloc[:0]) == []
    with pytest.raises(AnalysisError, match="sha256"):
        lexicon_source_documents(corpus.drop(columns=["sha256"]))


def test_lexicon_source_documents_seeds_and_mini_corpus(mini_manifest) -> None:
    from analysis.corpus import load_corpus

    assert lexicon_source_documents(load_corpus()) == ["lfl-2022", "gov-2024"]
    assert lexicon_source_documents(load_corpus(mini_manifest)) == []
