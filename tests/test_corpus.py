"""Tests for analysis.corpus: manifest validation, safe decoding, hashes, the seeds."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis import paths
from analysis.corpus import (
    date_span_years,
    decode_bytes,
    describe_corpus,
    documents_per_group,
    group_comparisons,
    load_corpus,
    read_manifest,
    separates_groups,
)
from analysis.errors import CorpusError

SEED_SHA = {
    "lfl-2022": "faf36a0c9934e8604722e0c14a80ff930c8b73f55ed621513824bdecc1d0427e",
    "gov-2024": "4c0dfae1f328bf5dabfbc497c5004c6ede55b5d3ee997bff1fa6e5c65f64bd15",
}
HEADER = "doc_id,path,actor_type,organisation,date"


def write_corpus(
    tmp_path: Path, files: dict[str, bytes], rows: list[str] | None = None, header: str = HEADER
) -> Path:
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    if rows is None:
        rows = [f"d{i},{name},ngo,Org,2024-01-0{i + 1}" for i, name in enumerate(files)]
    manifest = tmp_path / "manifest.csv"
    manifest.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return manifest


def test_seeds_are_unchanged_copies_of_the_shared_statements():
    corpus = load_corpus()
    assert list(corpus["doc_id"]) == ["lfl-2022", "gov-2024"]
    for row in corpus.itertuples():
        data = (paths.SEEDS / row.path).read_bytes()
        assert hashlib.sha256(data).hexdigest() == SEED_SHA[row.doc_id]
        assert row.sha256 == SEED_SHA[row.doc_id]
    assert list(corpus["actor_type"]) == ["civil_society", "government"]
    assert set(corpus["encoding"]) == {"utf-8"}


def test_corpus_columns_and_text():
    corpus = load_corpus()
    for col in (
        "doc_id",
        "actor_type",
        "organisation",
        "date",
        "title",
        "venue",
        "genre",
        "sha256",
        "encoding",
        "n_chars",
        "text",
    ):
        assert col in corpus.columns
    assert corpus.loc[0, "text"].startswith("Press Statement:")
    assert corpus["n_chars"].tolist() == [len(t) for t in corpus["text"]]


def test_user_manifest_with_optional_columns_missing(tmp_path):
    manifest = write_corpus(tmp_path, {"a.txt": b"One paragraph of text here.\n"})
    corpus = load_corpus(manifest)
    assert corpus.loc[0, "title"] == ""
    assert corpus.loc[0, "text"] == "One paragraph of text here.\n"


@pytest.mark.parametrize(
    ("data", "text", "encoding"),
    [
        (b"plain ascii", "plain ascii", "utf-8"),
        ("caf\u00e9 \u2019quoted\u2019".encode(), "caf\u00e9 \u2019quoted\u2019", "utf-8"),
        (b"\xef\xbb\xbfwith BOM", "with BOM", "utf-8-sig"),
        ("caf\u00e9 \u2019q\u2019".encode("cp1252"), "caf\u00e9 \u2019q\u2019", "cp1252"),
        (b"line one\r\nline two\rline three", "line one\nline two\nline three", "utf-8"),
        ("utf16 text".encode("utf-16"), "utf16 text", "utf-16"),
        # a page break from pdftotext is one control byte in 198: under 1%, still text
        (b"page one\x0c" + b"x" * 189, "page one\x0c" + "x" * 189, "utf-8"),
    ],
)
def test_decode_policy(data, text, encoding):
    assert decode_bytes(data) == (text, encoding)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"   \n\n  ", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        (bytes(range(1, 8)) * 20 + b"text", "binary"),
        (b"\x0c\x0b" + b"x" * 98, "many control bytes"),  # 2 in 100: over 1%
        (b"bad \x81\x8d bytes \xff\xfe", "neither UTF-8"),
    ],
)
def test_decode_refuses(data, message):
    with pytest.raises(CorpusError, match=message):
        decode_bytes(data, source="x.txt")


def test_cp1252_fallback_recorded(tmp_path):
    manifest = write_corpus(tmp_path, {"a.txt": "Caf\u00e9 \u201cquoted\u201d.".encode("cp1252")})
    corpus = load_corpus(manifest)
    assert corpus.loc[0, "encoding"] == "cp1252"
    assert corpus.loc[0, "text"] == "Caf\u00e9 \u201cquoted\u201d."


def test_crlf_and_bom_file(tmp_path):
    manifest = write_corpus(tmp_path, {"a.txt": b"\xef\xbb\xbfPara one.\r\n\r\nPara two.\r\n"})
    corpus = load_corpus(manifest)
    assert corpus.loc[0, "text"] == "Para one.\n\nPara two.\n"
    assert corpus.loc[0, "encoding"] == "utf-8-sig"


@pytest.mark.parametrize(
    ("files", "rows", "pattern"),
    [
        ({"a.txt": b""}, None, r"a\.txt is empty"),
        ({"a.txt": b"\x00\x01binary"}, None, r"row 2 .*binary"),
        (
            {"a.txt": b"text."},
            ["d0,missing.txt,ngo,Org,2024-01-01"],
            r"missing\.txt does not exist",
        ),
        (
            {"a.txt": b"text.", "b.txt": b"more."},
            ["d0,a.txt,ngo,Org,2024-01-01", "d0,b.txt,ngo,Org,2024-01-02"],
            r"row 3: duplicate doc_id 'd0' \(also on row 2\)",
        ),
        ({"a.txt": b"text."}, ["d0,a.txt,ngo,Org,04/03/2022"], r"date '04/03/2022' is not an ISO"),
        ({"a.txt": b"text."}, ["d0,a.txt,ngo,Org,2022-02-30"], "not an ISO date"),
        ({"a.txt": b"text."}, ["d0,a.txt,,Org,2022-02-03"], "'actor_type' is empty"),
        ({"a.txt": b"text."}, ["bad id,a.txt,ngo,Org,2022-02-03"], "not a valid id"),
        ({"a.txt": b"text."}, ["d0,a.txt,ngo,Org"], "4 fields but the header has 5"),
        ({"a.txt": b"text."}, [], "no documents"),
    ],
)
def test_bad_input_names_the_file_or_row(tmp_path, files, rows, pattern):
    manifest = write_corpus(tmp_path, files, rows)
    with pytest.raises(CorpusError, match=pattern):
        load_corpus(manifest)


def test_hash_mismatch(tmp_path):
    good = hashlib.sha256(b"original.").hexdigest()
    manifest = write_corpus(
        tmp_path,
        {"a.txt": b"altered."},
        [f"d0,a.txt,ngo,Org,2024-01-01,{good}"],
        header=HEADER + ",sha256",
    )
    with pytest.raises(CorpusError, match=r"row 2 .*has changed since it was registered"):
        load_corpus(manifest)
    (tmp_path / "a.txt").write_bytes(b"original.")
    assert load_corpus(manifest).loc[0, "sha256"] == good


def test_missing_required_column(tmp_path):
    manifest = write_corpus(
        tmp_path,
        {"a.txt": b"x."},
        ["d0,a.txt,ngo,Org"],
        header="doc_id,path,actor_type,organisation",
    )
    with pytest.raises(CorpusError, match="lacks required column\\(s\\) date"):
        read_manifest(manifest)


def test_missing_and_empty_manifest(tmp_path):
    with pytest.raises(CorpusError, match="does not exist"):
        load_corpus(tmp_path / "none.csv")
    (tmp_path / "m.csv").write_bytes(b"")
    with pytest.raises(CorpusError, match="is empty"):
        load_corpus(tmp_path / "m.csv")


def test_size_limit(tmp_path):
    manifest = write_corpus(tmp_path, {"a.txt": b"word " * 100})
    with pytest.raises(CorpusError, match="over the limit"):
        load_corpus(manifest, max_bytes=100)


def test_corpus_error_is_value_error():
    assert issubclass(CorpusError, ValueError)


def test_describe_corpus_counts_by_hand():
    corpus = pd.DataFrame({"doc_id": ["a"], "actor_type": ["x"]})
    segments = pd.DataFrame(
        {"doc_id": ["a", "a"], "seg_id": ["a-p01", "a-h01"], "kind": ["body", "heading"]}
    )
    tokens = pd.DataFrame(
        {
            "doc_id": ["a"] * 5,
            "seg_id": ["a-p01"] * 5,
            "sentence": [0, 0, 0, 1, 1],
            "norm": ["we", "act", ".", "we", "."],
            "is_punct": [False, False, True, False, True],
        }
    )
    row = describe_corpus(corpus, segments, tokens).iloc[0]
    assert (row.units_body, row.units_heading, row.sentences, row.tokens, row.types) == (
        1,
        1,
        2,
        3,
        2,
    )
    assert row.ttr == pytest.approx(2 / 3, abs=1e-4)
    assert row.mean_sentence_length == 1.5


# --- documents by group, the comparisons, and what the groups confound (used by notebooks) ----

DOCS = pd.DataFrame(
    {
        "doc_id": ["m", "c", "k", "x"],
        "actor_type": ["ngo", "gov", "ngo", "un"],
        "genre": ["press", "speech", "letter", "speech"],
        "date": ["2021-05-12", "2022-06-20", "2023-10-03", "2024-02-29"],
    }
)


def test_documents_per_group_order_and_empty_groups():
    before = DOCS.copy()
    docs = documents_per_group(DOCS)
    pd.testing.assert_frame_equal(DOCS, before)
    assert docs.to_dict() == {"ngo": ["m", "k"], "gov": ["c"], "un": ["x"]}
    assert docs.index.name == "actor_type" and docs.name == "doc_ids"
    # the groups asked, in the order asked; a group without documents gets an empty list
    assert documents_per_group(DOCS, ["un", "ngo", "army"]).to_dict() == {
        "un": ["x"],
        "ngo": ["m", "k"],
        "army": [],
    }
    assert documents_per_group(DOCS, ["speech"], by="genre").to_dict() == {"speech": ["c", "x"]}
    assert documents_per_group(DOCS, []).empty
    with pytest.raises(CorpusError, match="no column 'organisation'"):
        documents_per_group(DOCS, by="organisation")


@pytest.mark.parametrize(
    ("groups", "expected"),
    [
        ([], []),
        (["ngo"], []),
        (["ngo", "gov"], [("ngo", "gov")]),
        (["gov", "ngo", "gov"], [("gov", "ngo")]),
        (["ngo", "gov", "un"], [("ngo", "rest"), ("gov", "rest"), ("un", "rest")]),
    ],
)
def test_group_comparisons(groups, expected):
    assert group_comparisons(groups) == expected


def test_separates_groups():
    # ngo: press, letter; gov: speech; un: speech -> gov and un share "speech"
    assert not separates_groups(DOCS, "genre")
    assert separates_groups(DOCS, "genre", groups=["ngo", "gov"])
    assert separates_groups(DOCS, "genre", groups=["ngo", "un"])
    assert not separates_groups(DOCS, "genre", groups=["gov", "un"])
    assert not separates_groups(DOCS, "genre", groups=["ngo"])  # one group: nothing to separate
    assert not separates_groups(DOCS, "genre", groups=["ngo", "ngo"])
    # an empty value is a value like another: two groups both without genre share it
    assert not separates_groups(DOCS.assign(genre=""), "genre", groups=["ngo", "gov"])
    with pytest.raises(CorpusError, match="no column 'venue'"):
        separates_groups(DOCS, "venue")


def test_date_span_years():
    # 2021-05-12 to 2024-02-29: 1023 days (2024 a leap year)
    assert date_span_years(DOCS) == pytest.approx(1023 / 365.25)
    assert date_span_years(DOCS, groups=["ngo"]) == pytest.approx(874 / 365.25)
    assert date_span_years(DOCS, groups=["gov"]) == 0.0
    assert np.isnan(date_span_years(DOCS, groups=["army"]))
    with pytest.raises(CorpusError, match="not an ISO date"):
        date_span_years(DOCS.assign(date=["2021-05-12", "May 2022", "", "x"]))


def test_seed_groups_documents_and_dates():
    corpus = load_corpus()
    assert documents_per_group(corpus).to_dict() == {
        "civil_society": ["lfl-2022"],
        "government": ["gov-2024"],
    }
    assert separates_groups(corpus, "genre")  # press statement vs diplomatic statement
    assert date_span_years(corpus) == pytest.approx(860 / 365.25)  # 4 Mar 2022 to 11 Jul 2024
