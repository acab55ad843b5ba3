"""A coder's work stays on the text it codes: content anchors and re-export by content."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd
import pytest

from analysis import coding
from analysis.anchors import anchor, content_key, match_rows, normalise
from analysis.corpus import load_corpus
from analysis.segment import segment_corpus

PARAGRAPHS = {
    "P1": "The workers were locked inside the hostel for three months without their wages.",
    "P2": "Their passports were kept by the employer in a safe at the factory office.",
    "P3": "Volunteers of our network visited the hostel twice and spoke with twenty workers.",
    "P4": "The authorities described the case as a dispute over wages and closed the file.",
    "P5": "We call on the ministry to screen every worker as a possible victim of trafficking.",
    "P6": "We also ask the company to return every passport and to pay the wages in full.",
}
FRAMES = [
    "enforcement_security",
    "victim_protection_rights",
    "cooperation_partnership",
    "accountability",
    "victim_protection_rights",
    "enforcement_security",
]


def _corpus(folder: Path, order: list[str], texts: dict[str, str]) -> pd.DataFrame:
    folder.mkdir(parents=True, exist_ok=True)
    body = "PRESS STATEMENT\n\n" + "\n\n".join(texts[k] for k in order) + "\n"
    other = "Statement of the ministry\n\nThe ministry will continue to enforce the law firmly.\n"
    rows = ["doc_id,path,actor_type,organisation,date,sha256"]
    for doc, text, actor in (("ngo-a", body, "ngo"), ("gov-b", other, "gov")):
        (folder / f"{doc}.txt").write_text(text, encoding="utf-8")
        sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
        rows.append(f"{doc},{doc}.txt,{actor},Org,2024-01-01,{sha}")
    (folder / "manifest.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return segment_corpus(load_corpus(folder / "manifest.csv"))


def _fill(path: Path, segments: pd.DataFrame) -> None:
    """Code every unit of ngo-a as a coder would: a frame and a note naming the paragraph."""
    sheet = coding.read_sheet(path)
    for i, row in sheet.iterrows():
        key = next((k for k, t in PARAGRAPHS.items() if t == row["text"]), None)
        if key is None:
            continue
        sheet.loc[i, "frame"] = FRAMES[int(key[1]) - 1]
        sheet.loc[i, "notes"] = f"\r{key}: coded on its own words\r\n(second line)"
    coding.write_sheet(sheet, path, coder="ana")


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_reexport_keeps_codes_on_their_text(tmp_path: Path, suffix: str) -> None:
    before = _corpus(tmp_path / "v1", list(PARAGRAPHS), PARAGRAPHS)
    sheet_path = tmp_path / f"ana{suffix}"
    coding.export_sheet(before, sheet_path, coder="ana")
    _fill(sheet_path, before)

    # The statement is revised: a new first paragraph, P2 deleted, P4 edited, P5 and P6 swapped.
    edited = dict(PARAGRAPHS)
    edited["P4"] = PARAGRAPHS["P4"].replace("closed the file", "closed the file last week")
    edited["NEW"] = "A new opening paragraph now says when and where the raid took place."
    after = _corpus(tmp_path / "v2", ["NEW", "P1", "P3", "P4", "P6", "P5"], edited)
    info = coding.export_sheet(after, sheet_path, coder="ana")

    assert (
        info["n_kept"],
        info["n_moved"],
        info["n_flagged"],
        info["n_orphans"],
        info["n_new"],
    ) == (1, 3, 1, 1, 1)  # P3 keeps p03; P1, P5, P6 moved; NEW is new
    sheet = coding.read_sheet(sheet_path).set_index("text")
    for key in ("P1", "P3", "P5", "P6"):
        row = sheet.loc[PARAGRAPHS[key]]
        assert row["frame"] == FRAMES[int(key[1]) - 1], key
        assert row["notes"] == f"\r{key}: coded on its own words\r\n(second line)", key
        assert row["flag"] == "", key
    p4 = sheet.loc[edited["P4"]]
    assert p4["frame"] == FRAMES[3] and p4["notes"].startswith("\rP4")
    assert p4["flag"].startswith("text changed since coded") and PARAGRAPHS["P4"] in p4["flag"]
    new = sheet.loc[edited["NEW"]]
    assert new["frame"] == "" and new["notes"] == ""
    orphans = coding.read_sheet(sheet_path, sheet="orphans")
    assert list(orphans["text"]) == [PARAGRAPHS["P2"]]
    assert orphans["notes"].iloc[0].startswith("\rP2")
    assert orphans["frame"].iloc[0] == FRAMES[1]


def test_merge_lines_up_sheets_exported_before_and_after_an_edit(tmp_path: Path) -> None:
    before = _corpus(tmp_path / "v1", list(PARAGRAPHS), PARAGRAPHS)
    old_sheet = tmp_path / "ana.csv"
    coding.export_sheet(before, old_sheet, coder="ana")
    _fill(old_sheet, before)
    # A paragraph is inserted at the top: every later seg_id shifts by one.
    texts = {**PARAGRAPHS, "NEW": "A new opening paragraph now says when the raid took place."}
    after = _corpus(tmp_path / "v2", ["NEW", *PARAGRAPHS], texts)
    # the old sheet's rows resolve by text: no unknown or shifted unit, only the new one missing
    problems = coding.check_sheet(old_sheet, after)
    errors = problems[problems["severity"] == "error"]
    assert list(errors["problem"]) == ["missing unit: not in the sheet"]
    # merged as it is, beside a sheet made after the edit, its codes land on their texts
    late = tmp_path / "cat.csv"
    coding.export_sheet(after, late, coder="cat")
    stale = coding.merge_sheets([old_sheet, late], after)
    ana = stale[(stale["coder"] == "ana") & (stale["dimension"] == "frame") & (stale["code"] != "")]
    text_by_id = after.set_index("seg_id")["text"]
    assert {text_by_id[s] for s in ana["seg_id"]} == set(PARAGRAPHS.values())
    # re-exported, it lines up with a second coder's sheet made after the edit
    coding.export_sheet(after, old_sheet, coder="ana")
    second = tmp_path / "ben.csv"
    coding.export_sheet(after, second, coder="ben")
    long = coding.merge_sheets([old_sheet, second], after, check=False)
    frames = long[(long["dimension"] == "frame") & (long["coder"] == "ana")].set_index("seg_id")
    text_of = after.set_index("seg_id")["text"]
    for seg_id, code in frames["code"].items():
        key = next((k for k, t in texts.items() if t == text_of[seg_id]), None)
        if key in PARAGRAPHS:
            assert code == FRAMES[int(key[1]) - 1], seg_id
    assert set(long["seg_id"]) <= set(after["seg_id"])


def test_match_rows_statuses() -> None:
    units = pd.DataFrame(
        {
            "seg_id": ["d-p01", "d-p02", "d-p03", "d-p04"],
            "doc_id": "d",
            "text": [
                "Alpha beta gamma delta.",
                "Same text.",
                "Same text.",
                "Brand new words entirely here.",
            ],
        }
    )
    rows = pd.DataFrame(
        {
            "seg_id": ["d-p02", "d-p03", "d-p01", "d-p09", "d-p05"],
            "text": [
                "Same text.",
                "SAME  text.",
                "Alpha beta gamma delta!",
                "Nothing like anything.",
                "Same text.",
            ],
        }
    )
    table, new = match_rows(rows, units)
    assert table["status"].tolist() == ["kept", "kept", "edited", "orphaned", "orphaned"]
    assert table["seg_id"].tolist() == ["d-p02", "d-p03", "d-p01", "", ""]
    assert new == ["d-p04"]
    exact, _ = match_rows(rows, units, fuzzy=False)
    assert exact["status"].tolist()[2] == "orphaned"


def test_anchors_are_content_not_position() -> None:
    texts = ["One.", "Two.", "Three.", "Two."]
    first = anchor(texts)
    assert len(set(first)) == 4  # the two "Two." differ by their neighbours
    shifted = anchor(["Zero.", *texts])
    assert shifted[2:] == first[1:]  # an insertion changes only the neighbour's anchor
    assert content_key("The  \u201cState\u201d") == content_key('the "state"')
    assert normalise(" A\nB ") == "a b"


def test_anchors_of_a_document_at_once_equal_anchors_text_by_text() -> None:
    """The anchors of a document are worked out in one pass over its texts; they are the
    hashes of each text normalised on its own (final sigma, quotes, odd white space, a
    separator character inside a text)."""
    import hashlib

    def one_by_one(texts: list[str]) -> list[str]:
        keys = ["", *(content_key(t) for t in texts), ""]
        return [
            hashlib.sha256("|".join(keys[i : i + 3]).encode("ascii")).hexdigest()[:16]
            for i in range(len(texts))
        ]

    cases = [
        [
            "\u039f\u0394\u039f\u03a3 \u03a3\u0391\u03a3.",
            "The \u201cState\u201d\tmust\u00a0act.",
            "",
        ],
        ["Stra\u00dfe \u0130stanbul", " trailing  ", "\u2018quoted\u2019\nline"],
        ["a\0b", "c"],
        ["only one"],
    ]
    for texts in cases:
        assert anchor(texts) == one_by_one(texts)


def test_segments_carry_an_anchor(tmp_path: Path) -> None:
    segments = _corpus(tmp_path / "v1", list(PARAGRAPHS), PARAGRAPHS)
    assert segments["anchor"].str.fullmatch(r"[0-9a-f]{16}").all()
    assert segments["anchor"].is_unique
