"""Segmentation of statements copied from web pages: the web-corpus fixture, unit by unit.

The fixture (tests/fixtures/web_corpus, written for these tests) carries the shapes real web
copies take: breadcrumbs, titles glued to site names, bylines, datelines opening a paragraph,
single-newline paragraphs, hard-wrapped lines, captions, share and tag lines, a capitals heading
ending with a colon and a partial last paragraph.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd
import pytest

from analysis.corpus import load_corpus
from analysis.errors import SegmentationError
from analysis.segment import (
    ANALYSIS_KINDS,
    infer_layout,
    reads_as_prose,
    segment_corpus,
    segment_document,
    sentences,
    split_sentences,
    web_kind,
)

WEB_MANIFEST = Path(__file__).parent / "fixtures" / "web_corpus" / "manifest.csv"

# (seg_id, kind, first four words, flags): every unit of every document, in reading order.
EXPECTED_UNITS = [
    ("cso-harbour-2023-n01", "navigation", "Home > News >", ""),
    ("cso-harbour-2023-h01", "heading", "Workers in sealed hostels", ""),
    ("cso-harbour-2023-n02", "navigation", "Harbour Rights Collective", ""),
    ("cso-harbour-2023-b01", "byline", "By Nadia Rahim", ""),
    ("cso-harbour-2023-d01", "dateline", "KUALA LUMPUR, Malaysia", ""),
    ("cso-harbour-2023-p01", "body", "Harbour Rights Collective is", "dateline-split-off"),
    ("cso-harbour-2023-p02", "body", "The authorities have described", ""),
    ("cso-harbour-2023-p03", "body", "We urge the Ministry", ""),
    ("cso-harbour-2023-p04", "body", "We also call on", ""),
    ("cso-harbour-2023-x01", "boilerplate", "Read more: Our 2022", ""),
    ("cso-harbour-2023-x02", "boilerplate", "Share this: Facebook |", ""),
    ("cso-harbour-2023-x03", "boilerplate", "Tags: forced labour, migrant", ""),
    ("cso-tenaga-2022-h01", "heading", "PRESS STATEMENT", ""),
    ("cso-tenaga-2022-h02", "heading", "Survivors must be heard,", ""),
    ("cso-tenaga-2022-d01", "dateline", "14 June 2022", ""),
    ("cso-tenaga-2022-p01", "body", "The Migrant Justice Forum", ""),
    ("cso-tenaga-2022-p02", "body", "Detention harms survivors. It", ""),
    ("cso-tenaga-2022-h03", "heading", "PRIORITISED RECOMMENDATIONS:", ""),
    ("cso-tenaga-2022-p03", "body", "End the detention of", ""),
    ("cso-tenaga-2022-p04", "body", "Fund civil society shelters", ""),
    ("cso-tenaga-2022-p05", "body", "Involve survivor-led groups in", ""),
    ("cso-tenaga-2022-g01", "signature", "Issued by:", ""),
    ("cso-tenaga-2022-g02", "signature", "Migrant Justice Forum", ""),
    ("cso-tenaga-2022-g03", "signature", "Secretariat", ""),
    ("cso-sentinel-2024-h01", "heading", "Forced labour in palm", ""),
    ("cso-sentinel-2024-f01", "caption", "shelter-visit-2024.jpg", ""),
    ("cso-sentinel-2024-f02", "caption", "Volunteers of Sentinel Watch", ""),
    ("cso-sentinel-2024-p01", "body", "Sentinel Watch has reviewed", ""),
    ("cso-sentinel-2024-p02", "body", "In our interviews with", ""),
    ("cso-sentinel-2024-p03", "body", "We therefore ask the", "no-final-punctuation"),
    ("cso-tidewater-2021-h01", "heading", "Statement: Tidewater Workers Alliance", ""),
    ("cso-tidewater-2021-d01", "dateline", "5 October 2021", ""),
    ("cso-tidewater-2021-p01", "body", "Tidewater Workers Alliance condemns", ""),
    ("cso-tidewater-2021-p02", "body", "Civil society groups have", ""),
    ("cso-tidewater-2021-p03", "body", "We call on the", ""),
    ("cso-tidewater-2021-g01", "signature", "Tidewater Workers Alliance", ""),
    ("gov-ministry-2023-h01", "heading", "Statement by the Delegation", ""),
    ("gov-ministry-2023-h02", "heading", "Regional Consultation on Trafficking", ""),
    ("gov-ministry-2023-d01", "dateline", "Bangkok, 8 March 2023", ""),
    ("gov-ministry-2023-s01", "salutation", "Mr. Chair,", ""),
    ("gov-ministry-2023-p01", "body", "Malaysia thanks the organisers", ""),
    ("gov-ministry-2023-p02", "body", "Malaysia has strengthened its", ""),
    ("gov-ministry-2023-p03", "body", "Malaysia continues to cooperate", ""),
    ("gov-ministry-2023-p04", "body", "Malaysia will continue to", ""),
    ("gov-putrajaya-2024-h01", "heading", "MEDIA STATEMENT", ""),
    ("gov-putrajaya-2024-h02", "heading", "Ministry of Home Affairs", ""),
    ("gov-putrajaya-2024-d01", "dateline", "Putrajaya, 2 February 2024", ""),
    ("gov-putrajaya-2024-p01", "body", "The Ministry of Home", "dateline-split-off"),
    ("gov-putrajaya-2024-p02", "body", "All foreign workers found", ""),
    ("gov-putrajaya-2024-p03", "body", "The Ministry reminds employers", ""),
    ("gov-putrajaya-2024-g01", "signature", "Issued by the Ministry", ""),
    ("gov-putrajaya-2024-d02", "dateline", "2 February 2024", ""),
    ("gov-labour-2022-h01", "heading", "Government sets out steps", ""),
    ("gov-labour-2022-n01", "navigation", "Labour Department Portal", ""),
    ("gov-labour-2022-p01", "body", "The Labour Department has", ""),
    ("gov-labour-2022-p02", "body", "Employers who hold the", ""),
    ("gov-labour-2022-p03", "body", "The Department will continue", ""),
    ("gov-labour-2022-p04", "body", "The Department welcomes complaints", ""),
    ("gov-labour-2022-x01", "boilerplate", "Read more", ""),
    ("igo-office-2021-d01", "dateline", "Kuala Lumpur (Malaysia), 17", ""),
    ("igo-office-2021-p01", "body", "The regional office of", "dateline-split-off"),
    ("igo-office-2021-p02", "body", "The Office stands ready", ""),
    ("igo-office-2021-p03", "body", "The Office also encourages", ""),
    ("igo-panel-2024-n01", "navigation", "Home / Media /", ""),
    ("igo-panel-2024-h01", "heading", "Regional panel calls for", ""),
    ("igo-panel-2024-d01", "dateline", "Jakarta, 9 September 2024", ""),
    ("igo-panel-2024-p01", "body", "A regional panel of", "dateline-split-off"),
    ("igo-panel-2024-p02", "body", "The panel found that", ""),
    ("igo-panel-2024-f01", "caption", "Panel members at the", ""),
    ("igo-panel-2024-p03", "body", "The panel also recommended", ""),
    ("igo-panel-2024-x01", "boilerplate", "Countries: Malaysia, Indonesia, Thailand,", ""),
]

EXPECTED_LAYOUT = {
    "cso-harbour-2023": "line (inferred)",
    "gov-labour-2022": "line (inferred)",
    "igo-office-2021": "blank-line (inferred)",
    "gov-ministry-2023": "blank-line (inferred)",
}


@pytest.fixture(scope="module")
def web():
    corpus = load_corpus(WEB_MANIFEST)
    return corpus, segment_corpus(corpus)


def test_every_unit_of_the_web_corpus(web) -> None:
    _, segments = web
    got = [(r.seg_id, r.kind, " ".join(r.text.split()[:4]), r.flags) for r in segments.itertuples()]
    for expected, actual in zip(EXPECTED_UNITS, got, strict=False):
        assert actual == expected
    assert len(got) == len(EXPECTED_UNITS)


def test_web_corpus_layouts_and_rules(web) -> None:
    _, segments = web
    layout = segments.groupby("doc_id")["layout"].first()
    for doc, expected in EXPECTED_LAYOUT.items():
        assert layout[doc] == expected
    assert segments["rule"].ne("").all()  # every unit says which rule placed it


def test_web_units_trace_back_to_the_raw_text(web) -> None:
    corpus, segments = web
    raw = dict(zip(corpus["doc_id"], corpus["text"], strict=True))
    for r in segments.itertuples():
        piece = raw[r.doc_id][r.start : r.end]
        assert " ".join(piece.split()) == r.text, r.seg_id
    # Units never overlap, and a dateline cut off a paragraph ends before the paragraph starts.
    for _, units in segments.groupby("doc_id"):
        assert (units["start"].to_numpy()[1:] >= units["end"].to_numpy()[:-1]).all()


def test_body_text_has_no_dateline_title_or_web_lines(web) -> None:
    _, segments = web
    body = segments[segments["kind"].isin(ANALYSIS_KINDS)]
    for marker in (
        "KUALA LUMPUR",
        "Putrajaya, 2",
        "Jakarta, 9",
        "Read more",
        "Share this",
        "Tags:",
        " | ",
        "Photo:",
        ".jpg",
        "Home >",
        "By Nadia",
    ):
        assert not body["text"].str.contains(marker, regex=False).any(), marker


def test_sentences_of_the_web_corpus(web) -> None:
    corpus, segments = web
    body = segments[segments["kind"].isin(ANALYSIS_KINDS)]
    sents = sentences(body, corpus)
    texts = sents["text"].tolist()
    # Kg., Sdn. Bhd., Jln., Art., para. and s. do not end a sentence.
    assert any(t.startswith("KUALA") is False and "Kg. Baru Hilir" in t for t in texts)
    assert any("Example Gloves Sdn. Bhd. in Jln. Perusahaan" in t for t in texts)
    assert any("Art. 6 of the Protocol and para. 4" in t for t in texts)
    assert any("under s. 44 of the" in t for t in texts)
    # A footnote marker ends its sentence.
    assert any(t.endswith("Global Report 2021.1") for t in texts)
    assert any(t.startswith("We have since trained") for t in texts)
    # No sentence is a bare number.
    assert not sents["text"].str.fullmatch(r"\W*\d+\W*").any()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Workers must be protected from detention.", True),
        ("Authorities should work with civil society", False),
        ("PRIORITISED RECOMMENDATIONS:", False),
        (" ".join(["word"] * 30), True),  # a long partial copy, no final punctuation
        ("The ministry acted. It said more would follow in the coming weeks -FMT", True),
        ("Agenda item 2: " + " ".join(["combating"] * 30), False),
    ],
)
def test_prose_is_decided_by_content(text: str, expected: bool) -> None:
    assert reads_as_prose(text) is expected


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        ("By Jane Doe", "byline"),
        ("Posted by admin", "byline"),
        ("Home > News > Statements", "navigation"),
        ("Home / Media / Press releases", "navigation"),
        ("Home About Us Campaigns Contact", "navigation"),
        ("factory-raid_2023.JPG", "caption"),
        ("Workers queue at a depot. (Photo: Example Agency)", "caption"),
        ("Photo: Example Agency", "caption"),
        ("Read more", "boilerplate"),
        ("Share this: Facebook | Twitter | WhatsApp", "boilerplate"),
        ("Facebook Twitter WhatsApp", "boilerplate"),
        ("Tags: forced labour, Malaysia", "boilerplate"),
        ("Countries: Malaysia, Thailand", "boilerplate"),
        ("By 2030 the law will protect every worker.", None),
        ("The ministry shared its plan with the press.", None),
    ],
)
def test_web_lines(line: str, kind: str | None) -> None:
    found = web_kind(line)
    assert (found[0] if found else None) == kind


def test_a_partial_copy_is_a_flagged_body_unit() -> None:
    # One long paragraph cut off mid-word: the whole document is one unfinished body unit.
    words = " ".join(f"word{i}" for i in range(331))
    units = segment_document(f"Title of the page\n\n{words[:-3]}", "partial")
    body = units[units["kind"] == "body"]
    assert len(body) == 1
    assert body["flags"].iloc[0] == "no-final-punctuation"


def test_a_megabyte_line_is_a_body_unit() -> None:
    line = ("Workers were not paid and their passports were kept " * 20_000).strip()
    units = segment_document(line + "\n", "big")
    assert list(units["kind"]) == ["body"]


def test_single_newline_paragraphs_are_split() -> None:
    text = "\n".join(
        f"Paragraph {k} says that the workers were held for months without pay." for k in "ABC"
    )
    units = segment_document(text, "web")
    assert list(units["kind"]) == ["body"] * 3
    assert units["layout"].iloc[0] == "line (inferred)"


def test_wrapped_lines_stay_one_paragraph() -> None:
    text = (
        "The authorities have described the case as a dispute over\n"
        "wages and said that the workers would be sent home soon.\n\n"
        "The workers said that they had been told nothing about\n"
        "their rights or about the investigation into the company.\n"
    )
    units = segment_document(text, "wrapped")
    assert list(units["kind"]) == ["body", "body"]
    assert infer_layout(text) == "blank-line"


def test_manifest_paragraphs_column_overrides_the_layout(tmp_path) -> None:
    text = (
        "The workers were held in the hostel for three months without pay.\n"
        "The company said that it had followed the law in every respect.\n"
    )
    rows = []
    for doc, layout in (("auto-doc", "auto"), ("joined", "blank-line"), ("lines", "line")):
        (tmp_path / f"{doc}.txt").write_text(text, encoding="utf-8")
        sha = hashlib.sha256(text.encode()).hexdigest()
        rows.append(f"{doc},{doc}.txt,ngo,Org,2024-01-01,{layout},{sha}")
    manifest = tmp_path / "manifest.csv"
    manifest.write_text(
        "doc_id,path,actor_type,organisation,date,paragraphs,sha256\n" + "\n".join(rows) + "\n",
        encoding="utf-8",
    )
    segments = segment_corpus(load_corpus(manifest))
    per_doc = segments.groupby("doc_id", sort=False).agg(
        units=("seg_id", "size"), layout=("layout", "first")
    )
    assert per_doc.loc["auto-doc"].tolist() == [2, "line (inferred)"]
    assert per_doc.loc["joined"].tolist() == [1, "blank-line (manifest)"]
    assert per_doc.loc["lines"].tolist() == [2, "line (manifest)"]


def test_an_unknown_layout_names_the_document() -> None:
    with pytest.raises(SegmentationError, match="'doc'.*paragraphs = 'lines'"):
        segment_document("A sentence of prose that is long enough.", "doc", layout="lines")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("See the Global Report 2021.1 We act.", ["See the Global Report 2021.1", "We act."]),
        ("They met in Kg. Baru and Jln. Ampang.", ["They met in Kg. Baru and Jln. Ampang."]),
        (
            "Dato' Seri Ahmad spoke. Example Sdn. Bhd. paid.",
            ["Dato' Seri Ahmad spoke.", "Example Sdn. Bhd. paid."],
        ),
        ("Victims.[3] The court agreed.", ["Victims.[3]", "The court agreed."]),
        (
            "Under s. 12 and Art. 6, see para. 4 and No. 5.",
            ["Under s. 12 and Art. 6, see para. 4 and No. 5."],
        ),
        ("Section 3.1 The parties agree.", ["Section 3.1 The parties agree."]),
    ],
)
def test_split_sentences(text: str, expected: list[str]) -> None:
    assert [text[s:e] for s, e in split_sentences(text)] == expected


def test_a_lone_number_is_not_a_sentence() -> None:
    text = "We ask for three things. 1. End detention now."
    got = [text[s:e] for s, e in split_sentences(text)]
    assert all(not g.strip(" .").isdigit() for g in got)
    assert "".join(got).replace(" ", "") == text.replace(" ", "")


def test_seed_units_are_unchanged() -> None:
    # The seeds keep their units (ids, kinds, offsets) under the content-based rules.
    segments = segment_corpus(load_corpus())
    assert segments["seg_id"].tolist()[:4] == [
        "lfl-2022-h01",
        "lfl-2022-h02",
        "lfl-2022-d01",
        "lfl-2022-p01",
    ]
    counts = segments.groupby(["doc_id", "kind"]).size()
    assert counts.to_dict() == {
        ("gov-2024", "body"): 8,
        ("gov-2024", "closing"): 1,
        ("gov-2024", "dateline"): 1,
        ("gov-2024", "heading"): 3,
        ("gov-2024", "list_item"): 5,
        ("gov-2024", "salutation"): 1,
        ("lfl-2022", "body"): 10,
        ("lfl-2022", "dateline"): 1,
        ("lfl-2022", "heading"): 2,
        ("lfl-2022", "signature"): 4,
    }
    assert isinstance(segments, pd.DataFrame)


def test_a_title_glued_to_the_text_on_one_line() -> None:
    text = (
        "Malaysia must stop deporting survivors | Harbour Rights Collective | KUALA LUMPUR - "
        "The workers who were found in the hostel must be screened as victims first.\n"
    )
    units = segment_document(text, "d")
    assert list(units["kind"]) == ["heading", "navigation", "dateline", "body"]
    assert units["text"].iloc[3].startswith("The workers")
    assert units["flags"].iloc[3] == "title-split-off dateline-split-off"


@pytest.mark.parametrize("heading", ["PRIORITIZED RECOMMENDATIONS:", "We ask the government to:"])
def test_items_under_a_section_heading_are_content_not_signatures(heading: str) -> None:
    text = (
        "PRESS STATEMENT\n\nWorkers in the hostel were held for months without pay and their "
        f"passports were kept by the employer.\n\n{heading}\n\nEnd detention\n\nFund shelters\n\n"
        "Issued by:\nMigrant Forum\n"
    )
    units = segment_document(text, "e")
    assert list(units["kind"]) == [
        "heading",
        "body",
        "heading",
        "body",
        "body",
        "signature",
        "signature",
    ]
    assert units["rule"].iloc[2] == "section heading (capitals or a final colon)"
    assert list(units["rule"].iloc[3:5]) == ["item under a section heading"] * 2
    assert (units["flags"] == "").all()


def test_prose_with_a_pipe_is_not_a_glued_title() -> None:
    text = (
        "Title of the page\n\n"
        "The workers said that they had been held for months and that nobody listened to them "
        "at all. The report | as published | says little about it and the ministry agrees.\n\n"
        "Another paragraph of prose follows here with enough words to read as one.\n\n"
        "A third paragraph of prose that comes later in the text, with a | pipe | in it and "
        "more words after it.\n"
    )
    units = segment_document(text, "p")
    assert list(units["kind"]) == ["heading", "body", "body", "body"]
    assert (units["flags"] == "").all()
