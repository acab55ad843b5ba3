"""Tests for analysis.segment: unit kinds, labels, ids and offsets, on seeds and made-up texts."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from analysis.corpus import load_corpus
from analysis.errors import SegmentationError
from analysis.segment import (
    ANALYSIS_KINDS,
    KINDS,
    segment_corpus,
    segment_document,
    sentences,
)


@pytest.fixture(scope="module")
def seeds():
    corpus = load_corpus()
    return corpus, segment_corpus(corpus)


def units(raw: str) -> list[tuple[str, str, str]]:
    seg = segment_document(raw, "t")
    return list(zip(seg["kind"], seg["label"], seg["text"], strict=True))


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("**", "")).strip()


def test_government_statement(seeds):
    _, seg = seeds
    gov = seg[seg.doc_id == "gov-2024"]
    body = gov[gov.kind == "body"]
    assert body["label"].tolist() == [str(i) for i in range(1, 9)]
    assert body["seg_id"].tolist() == [f"gov-2024-p{i:02d}" for i in range(1, 9)]
    items = gov[gov.kind == "list_item"]
    assert items["label"].tolist() == ["4.i", "4.ii", "4.iii", "4.iv", "4.v"]
    assert items["seg_id"].tolist()[1] == "gov-2024-p04.ii"
    front = gov[~gov.kind.isin(ANALYSIS_KINDS)]
    assert front["kind"].tolist() == [
        "heading",
        "heading",
        "dateline",
        "heading",
        "salutation",
        "closing",
    ]
    assert front["text"].tolist()[0] == "Statement by Malaysia"
    assert front["text"].tolist()[3].startswith("Agenda Item 2:")
    assert front["text"].tolist()[4] == "Madam and Mr. Co-Chairs,"
    assert body.iloc[0]["text"].startswith("Transnational crimes")  # number marker excluded


def test_civil_society_statement(seeds):
    _, seg = seeds
    lfl = seg[seg.doc_id == "lfl-2022"]
    body = lfl[lfl.kind == "body"]
    assert len(body) == 10
    assert body["label"].tolist() == [str(i) for i in range(1, 11)]
    other = lfl[lfl.kind != "body"]
    assert list(zip(other.kind, other.text, strict=True)) == [
        ("heading", "Press Statement:"),
        ("heading", "Authorities should work with civil society to combat human trafficking"),
        ("dateline", "4 March 2022"),
        ("signature", "Issued by:"),
        ("signature", "Zaid Malek"),
        ("signature", "Chief Coordinator"),
        ("signature", "Lawyers for Liberty"),
    ]


def test_offsets_give_back_the_unit(seeds):
    corpus, seg = seeds
    raw = dict(zip(corpus.doc_id, corpus.text, strict=True))
    for row in seg.itertuples():
        assert squash(raw[row.doc_id][row.start : row.end]) == row.text
    assert seg["seg_id"].is_unique
    assert set(seg["kind"]) <= set(KINDS)
    assert (seg.groupby("doc_id")["position"].apply(lambda p: list(p) == list(range(len(p))))).all()


def test_document_columns_carried(seeds):
    _, seg = seeds
    assert set(seg.loc[seg.doc_id == "gov-2024", "actor_type"]) == {"government"}
    assert {"organisation", "date", "genre", "text_sha"} <= set(seg.columns)


def test_ids_are_stable_across_runs(seeds):
    corpus, seg = seeds
    pd.testing.assert_frame_equal(seg, segment_corpus(corpus))


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # numbered paragraphs without blank lines, stray leading spaces, ")" markers
        (
            "1. First point is made here.\n 2) Second point is made here.\n3. Third one.",
            [
                ("body", "1", "First point is made here."),
                ("body", "2", "Second point is made here."),
                ("body", "3", "Third one."),
            ],
        ),
        # blank-line paragraphs, unnumbered
        (
            "Title Of The Piece\n\nFirst paragraph of prose text here, long enough.\n\n"
            "Second paragraph of prose follows\nacross two lines in the file.",
            [
                ("heading", "", "Title Of The Piece"),
                ("body", "1", "First paragraph of prose text here, long enough."),
                ("body", "2", "Second paragraph of prose follows across two lines in the file."),
            ],
        ),
        # roman, lettered, dashed and bulleted items under their parent paragraph
        (
            "1. We will do the following things, namely:\n - i. one thing;\n- ii. two things;\n"
            "2. Then these, among others:\n(a) alpha item\n(b) beta item\n"
            "3. And finally these:\n- dash item\n\u2022 bullet item",
            [
                ("body", "1", "We will do the following things, namely:"),
                ("list_item", "1.i", "one thing;"),
                ("list_item", "1.ii", "two things;"),
                ("body", "2", "Then these, among others:"),
                ("list_item", "2.a", "alpha item"),
                ("list_item", "2.b", "beta item"),
                ("body", "3", "And finally these:"),
                ("list_item", "3.1", "dash item"),
                ("list_item", "3.2", "bullet item"),
            ],
        ),
        # title block, salutation, sign-off
        (
            "MINISTRY OF EXAMPLES\nStatement on migration\nGeneva, 3 May 2021\n\n"
            "Dear colleagues,\n\n"
            "We thank everyone for coming to this meeting today.\n\nThank you.\n\n"
            "Jane Doe\nMinister",
            [
                ("heading", "", "MINISTRY OF EXAMPLES"),
                ("heading", "", "Statement on migration"),
                ("dateline", "", "Geneva, 3 May 2021"),
                ("salutation", "", "Dear colleagues,"),
                ("body", "1", "We thank everyone for coming to this meeting today."),
                ("closing", "", "Thank you."),
                ("signature", "", "Jane Doe"),
                ("signature", "", "Minister"),
            ],
        ),
        # an unnumbered paragraph and a section heading inside a numbered document
        (
            "1. The first numbered paragraph of the text.\n\nBackground\n\n"
            "An unnumbered paragraph in between the numbered ones.\n\n2. The second one.",
            [
                ("body", "1", "The first numbered paragraph of the text."),
                ("heading", "", "Background"),
                ("body", "1a", "An unnumbered paragraph in between the numbered ones."),
                ("body", "2", "The second one."),
            ],
        ),
        # numbering that restarts keeps ids unique
        (
            "1. One paragraph here.\n2. Two paragraph here.\n1. Restarted paragraph.",
            [
                ("body", "1", "One paragraph here."),
                ("body", "2", "Two paragraph here."),
                ("body", "1-2", "Restarted paragraph."),
            ],
        ),
    ],
)
def test_layout_rules(raw, expected):
    assert units(raw) == expected


def test_seg_ids_for_made_up_text():
    seg = segment_document("Title\n\n1. Para one is here.\n - i. item\n\nThanks.", "doc")
    assert seg["seg_id"].tolist() == ["doc-h01", "doc-p01", "doc-p01.i", "doc-c01"]


def test_document_without_prose_is_refused():
    with pytest.raises(SegmentationError, match="'t' has no body paragraph"):
        segment_document("Just A Title\n\nAnother Title", "t")


def test_sentences_with_abbreviations():
    raw = "Mr. Smith met Dr. Jones on 3 Jan. 2020 at the U.N. office. They agreed. Next step?"
    corpus = pd.DataFrame({"doc_id": ["t"], "text": [raw], "actor_type": ["x"]})
    seg = segment_corpus(corpus)
    sent = sentences(seg, corpus)
    assert sent["text"].tolist() == [
        "Mr. Smith met Dr. Jones on 3 Jan. 2020 at the U.N. office.",
        "They agreed.",
        "Next step?",
    ]
    for row in sent.itertuples():
        assert raw[row.start : row.end] == row.text


def test_seed_sentences(seeds):
    corpus, seg = seeds
    body = seg[seg.kind.isin(ANALYSIS_KINDS)]
    sent = sentences(body, corpus)
    counts = sent.groupby("seg_id").size()
    assert counts["gov-2024-p08"] == 5
    assert counts["lfl-2022-p03"] == 2
    # "Mr. Co-Chairs" style abbreviations do not split; every unit has at least one sentence
    assert set(counts.index) == set(body.seg_id)


def test_sentence_end_read_off_the_end_equals_the_pattern():
    from pathlib import Path

    from analysis.segment.rules import _SENTENCE_END, ends_sentence

    folders = Path(__file__).parent / "fixtures"
    lines = [
        line for p in sorted(folders.rglob("*.txt")) for line in p.read_text("utf-8").split("\n")
    ]
    lines += ["", " ", ".", '."', "end.)\u201d ", "x\u2026", "what?!", "no", "(a)", "e.g. x", "]"]
    lines += ["done.\n", "done. \n\n", "\u201cquoted\u201d.", "x.\"')]\u2019\u201d", "a.b", "?x"]
    assert len(lines) > 150
    for line in lines:
        assert ends_sentence(line) == bool(_SENTENCE_END.search(line.strip())), repr(line)
