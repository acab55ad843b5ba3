"""Tests for analysis.coding: codebook, sheets out and back, checks, merging, results tables."""

from __future__ import annotations

import math
import shutil
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from scipy.stats import fisher_exact

from analysis import coding, paths
from analysis.coding import (
    DEFAULT_KINDS,
    association_test,
    blind_id,
    check_sheet,
    code_table,
    codebook_markdown,
    evidence_in_text,
    export_sheet,
    frame_sequence,
    load_codebook,
    merge_sheets,
    read_sheet,
    sheet_columns,
    sheets_for_corpus,
    text_sha,
)
from analysis.errors import CodingError

INJECTION = ["=1+1", "+SUM(A1)", "-2", "@cmd", "\tTab start", "\rCR start", "'quoted", "01"]


def make_segments(texts: list[str] | None = None) -> pd.DataFrame:
    """A hand-made segments table following the contract (two documents, three units)."""
    texts = texts or [
        "The authorities must protect victims.",
        "Malaysia commits to regional cooperation.",
        "We thank the chair.",
    ]
    rows = [
        ("aa-p01", "aa", 0, "body", "1", texts[0], "civil_society", "Org A"),
        ("bb-p01", "bb", 0, "body", "1", texts[1], "government", "Gov B"),
        ("bb-c01", "bb", 1, "closing", "c1", texts[2], "government", "Gov B"),
    ]
    frame = pd.DataFrame(
        rows,
        columns=[
            "seg_id",
            "doc_id",
            "position",
            "kind",
            "label",
            "text",
            "actor_type",
            "organisation",
        ],
    )
    frame["text_sha"] = [text_sha(t) for t in frame["text"]]
    return frame


def fill(sheet: pd.DataFrame, codes: dict[str, dict[str, str]]) -> pd.DataFrame:
    out = sheet.copy()
    for seg_id, values in codes.items():
        for col, value in values.items():
            out.loc[out["seg_id"] == seg_id, col] = value
    return out


GOOD = {
    "aa-p01": {
        "frame": "victim_protection_rights",
        "stance_toward_state": "critical",
        "agent": "state",
        "modality": "obligation",
        "confidence": "3",
        "evidence": "must protect victims",
    },
    "bb-p01": {
        "frame": "cooperation_partnership",
        "stance_toward_state": "supportive",
        "agent": "state",
        "modality": "commitment",
        "confidence": "2",
        "evidence": "regional cooperation",
    },
}


# ----------------------------------------------------------------- codebook


def test_codebook_dimensions_and_codes() -> None:
    cb = load_codebook()
    assert cb.names == [
        "frame",
        "frame_secondary",
        "stance_toward_state",
        "agent",
        "modality",
        "confidence",
        "evidence",
        "notes",
    ]
    assert cb.dimension("stance_toward_state").allowed == (
        "supportive",
        "critical",
        "mixed",
        "neutral",
    )
    assert cb.dimension("confidence").allowed == ("1", "2", "3")
    assert cb.dimension("confidence").level == "ordinal"
    assert cb.dimension("frame_secondary").allowed == cb.dimension("frame").allowed
    assert cb.dimension("frame_secondary").blank_means == "none"
    for d in cb.categorical:
        for code in d.codes:
            assert code.definition and code.example and code.label
        assert d.decision_rules
    assert "accountability" in cb.notes and "international" in cb.notes


def test_committed_codebook_markdown_is_up_to_date() -> None:
    committed = (paths.ROOT / "docs" / "codebook.md").read_text(encoding="utf-8")
    assert committed == codebook_markdown(), (
        "docs/codebook.md is stale: regenerate it with analysis.coding.codebook_markdown()"
    )


def test_codebook_examples_occur_in_the_seed_texts() -> None:
    from analysis.corpus import load_corpus
    from analysis.segment import segment_corpus

    texts = dict(zip(*segment_corpus(load_corpus())[["seg_id", "text"]].T.values, strict=True))
    for d in load_codebook().categorical:
        for code in d.codes:
            assert evidence_in_text(code.example, texts[code.example_seg]), (d.name, code.code)


def test_default_kinds_match_segmenter() -> None:
    from analysis.segment import ANALYSIS_KINDS

    assert DEFAULT_KINDS == ANALYSIS_KINDS


def test_bad_codebook_raises_coding_error(tmp_path: Path) -> None:
    bad = tmp_path / "cb.toml"
    bad.write_text(
        '[codebook]\nname="x"\nversion="1"\nunit="u"\n[[dimension]]\nname="f"\n'
        'label="F"\nkind="category"\ndefinition="d"\n',
        encoding="utf-8",
    )
    with pytest.raises(CodingError, match="lists no codes"):
        load_codebook(bad)
    bad.write_text("not toml [", encoding="utf-8")
    with pytest.raises(CodingError, match="TOML"):
        load_codebook(bad)


# ----------------------------------------------------------------- export / read


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_export_reads_back_one_row_per_unit(tmp_path: Path, fmt: str) -> None:
    segs = make_segments()
    info = export_sheet(segs, tmp_path / f"s.{fmt}", coder="ann")
    sheet = read_sheet(info["path"])
    assert list(sheet.columns) == sheet_columns()
    assert list(sheet["seg_id"]) == ["aa-p01", "bb-p01"]  # closing not a coding unit
    assert (sheet["coder"] == "ann").all()
    assert list(sheet["text_sha"]) == list(segs["text_sha"][:2])
    assert (sheet["frame"] == "").all()
    assert all(isinstance(v, str) for v in sheet.to_numpy().ravel())


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_injection_texts_round_trip_exactly(tmp_path: Path, fmt: str) -> None:
    texts = INJECTION[:3]
    segs = make_segments(texts)
    segs = pd.concat([segs] * 1, ignore_index=True)
    path = tmp_path / f"inj.{fmt}"
    export_sheet(segs, path, coder="ann")
    sheet = read_sheet(path)
    assert list(sheet["text"]) == texts[:2]
    # every dangerous start, also in coder-typed columns, survives a write/read cycle
    rows = [
        {
            **{c: "" for c in sheet_columns()},
            "seg_id": f"x{i}",
            "coder": "ann",
            "text": t,
            "notes": t,
            "evidence": t,
        }
        for i, t in enumerate(INJECTION)
    ]
    from analysis.coding import write_sheet

    write_sheet(pd.DataFrame(rows), path)
    back = read_sheet(path)
    assert list(back["text"]) == INJECTION
    assert list(back["notes"]) == INJECTION


def test_xlsx_cells_are_strings_never_formulas(tmp_path: Path) -> None:
    segs = make_segments(['=HYPERLINK("http://x")', "@SUM(1)", "x"])
    path = tmp_path / "f.xlsx"
    export_sheet(segs, path, coder="ann")
    ws = openpyxl.load_workbook(path)["coding"]
    text_col = sheet_columns().index("text") + 1
    for r in (2, 3):
        cell = ws.cell(row=r, column=text_col)
        assert cell.data_type == "s" and cell.quotePrefix
    with zipfile.ZipFile(path) as z:
        sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/sheet")]
        xml = "".join(z.read(n).decode() for n in sheets)
    assert sheets and "=HYPERLINK" in xml.replace("&quot;", '"')
    assert "<f>" not in xml and "<f " not in xml


def test_csv_escape_is_documented_apostrophe(tmp_path: Path) -> None:
    segs = make_segments(["=1+1", "plain", "x"])
    path = tmp_path / "s.csv"
    export_sheet(segs, path, coder="ann")
    raw = path.read_text(encoding="utf-8-sig")
    assert '"\'=1+1"' in raw
    assert read_sheet(path)["text"][0] == "=1+1"


def test_xlsx_structure_dropdowns_protection_freeze(tmp_path: Path) -> None:
    path = tmp_path / "s.xlsx"
    export_sheet(make_segments(), path, coder="ann")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames[:3] == ["instructions", "coding", "codebook"]
    ws, lists = wb["coding"], wb["codebook"]
    assert lists.sheet_state == "hidden" and lists.protection.sheet
    assert ws.protection.sheet and ws.freeze_panes == "B2"
    formulas = sorted(dv.formula1 for dv in ws.data_validations.dataValidation)
    assert len(formulas) == len(load_codebook().categorical)
    assert all(f.startswith("=codebook!$") for f in formulas)
    columns = sheet_columns()
    text_cell = ws.cell(row=2, column=columns.index("text") + 1)
    frame_cell = ws.cell(row=2, column=columns.index("frame") + 1)
    assert text_cell.protection.locked and text_cell.alignment.wrap_text
    assert not frame_cell.protection.locked
    frame_list = [lists.cell(row=i, column=1).value for i in range(2, 9)]
    assert frame_list == list(load_codebook().dimension("frame").allowed)
    assert "victim_protection_rights" in "\n".join(str(c.value) for c in wb["instructions"]["A"])


def test_read_sheet_keeps_strings_as_typed(tmp_path: Path) -> None:
    path = tmp_path / "typed.csv"
    path.write_text(
        "seg_id,coder,confidence,notes\naa-p01,ann,01,NA\naa-p02,ann,,null\n", encoding="utf-8"
    )
    sheet = read_sheet(path)
    assert list(sheet["confidence"]) == ["01", ""]
    assert list(sheet["notes"]) == ["NA", "null"]
    xlsx = tmp_path / "typed.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "coding"
    ws.append(["seg_id", "confidence", "notes"])
    ws.append(["aa-p01", 2, 2.5])  # a coder typing numbers into a general-format cell
    wb.save(xlsx)
    assert read_sheet(xlsx).iloc[0].to_dict() == {
        "seg_id": "aa-p01",
        "confidence": "2",
        "notes": "2.5",
    }


def test_read_sheet_errors_are_coding_errors(tmp_path: Path) -> None:
    with pytest.raises(CodingError, match="no such file"):
        read_sheet(tmp_path / "missing.csv")
    with pytest.raises(CodingError, match=".xlsx or .csv"):
        read_sheet(tmp_path / "s.txt")
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a zip")
    with pytest.raises(CodingError, match="not a readable XLSX"):
        read_sheet(broken)


def test_blind_and_seeded_order(tmp_path: Path) -> None:
    units = [f"Unit number {i}." for i in range(8)]
    segs = pd.DataFrame(
        {
            "seg_id": [f"d-p{i:02d}" for i in range(8)],
            "doc_id": "d",
            "position": range(8),
            "kind": "body",
            "label": [str(i) for i in range(8)],
            "text": units,
            "actor_type": "government",
            "organisation": "G",
        }
    )
    a = export_sheet(segs, tmp_path / "a.csv", coder="ann", blind=True, seed=3)
    b = export_sheet(segs, tmp_path / "b.csv", coder="ann", blind=True, seed=3)
    sa, sb = read_sheet(a["path"]), read_sheet(b["path"])
    assert list(sa["seg_id"]) == list(sb["seg_id"])
    assert set(sa["seg_id"]) == {blind_id(s) for s in segs["seg_id"]}
    assert list(sa["text"]) != units  # shuffled
    assert not {"doc_id", "actor_type", "organisation", "label"} & set(sa.columns)
    assert check_sheet(sa, segs)["severity"].eq("warning").all()


# ----------------------------------------------------------------- re-export keeps work


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_reexport_carries_codes_flags_changes_and_keeps_orphans(tmp_path: Path, fmt: str) -> None:
    from analysis.coding import write_sheet

    path = tmp_path / f"ann.{fmt}"
    segs = make_segments()
    export_sheet(segs, path, coder="ann")
    write_sheet(fill(read_sheet(path), GOOD), path)
    changed = make_segments(["The authorities must protect all victims.", "x", "y"])
    changed = changed[changed["seg_id"] != "bb-p01"]
    extra = changed.iloc[[0]].assign(
        seg_id="aa-p02", text="New unit.", text_sha=text_sha("New unit.")
    )
    changed = pd.concat([changed, extra], ignore_index=True)
    info = export_sheet(changed, path, coder="ann")
    assert info["backup"] == tmp_path / f"ann.bak1.{fmt}"
    assert read_sheet(info["backup"])["frame"].tolist() == [
        "victim_protection_rights",
        "cooperation_partnership",
    ]
    assert (info["n_carried"], info["n_flagged"], info["n_orphans"]) == (1, 1, 1)
    sheet = read_sheet(path).set_index("seg_id")
    assert sheet.loc["aa-p01", "frame"] == "victim_protection_rights"
    assert sheet.loc["aa-p01", "flag"].startswith("text changed")
    assert sheet.loc["aa-p02", "frame"] == ""
    orphans = read_sheet(path, sheet="orphans")
    assert orphans["seg_id"].tolist() == ["bb-p01"]
    assert orphans["evidence"].tolist() == ["regional cooperation"]
    # a second re-export keeps the orphans and makes a second numbered backup
    info2 = export_sheet(changed, path, coder="ann")
    assert info2["backup"] == tmp_path / f"ann.bak2.{fmt}"
    assert read_sheet(path, sheet="orphans")["seg_id"].tolist() == ["bb-p01"]


def test_reexport_refuses_another_coders_sheet(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    export_sheet(make_segments(), path, coder="ann")
    with pytest.raises(CodingError, match="belongs to coder"):
        export_sheet(make_segments(), path, coder="bob")
    with pytest.raises(CodingError, match="coder id"):
        export_sheet(make_segments(), tmp_path / "t.csv", coder="bad name")
    with pytest.raises(CodingError, match="does not match"):
        export_sheet(make_segments(), tmp_path / "t.csv", coder="ann", format="xlsx")


# ----------------------------------------------------------------- check


def test_check_reports_every_problem_at_once(tmp_path: Path) -> None:
    segs = make_segments()
    path = tmp_path / "s.csv"
    export_sheet(segs, path, coder="ann")
    sheet = fill(read_sheet(path), GOOD)
    sheet.loc[0, "frame"] = "Victim"  # outside the codebook
    sheet.loc[0, "evidence"] = "not in the text"
    sheet.loc[0, "frame_secondary"] = "Victim"
    sheet.loc[1, "confidence"] = "4"
    sheet.loc[1, "stance_toward_state"] = ""  # blank -> warning
    dup = sheet.iloc[[1]]
    unknown = sheet.iloc[[1]].assign(seg_id="zz-p09")
    sheet = pd.concat([sheet, dup, unknown], ignore_index=True)
    changed = segs.copy()
    changed.loc[1, "text_sha"] = text_sha("different")
    problems = check_sheet(sheet, changed)
    errors = problems[problems["severity"] == "error"]
    got = set(zip(errors["seg_id"], errors["column"], errors["problem"].str[:12], strict=True))
    assert ("aa-p01", "frame", "code not in ") in got
    assert ("aa-p01", "evidence", "evidence not") in got
    assert ("bb-p01", "confidence", "code not in ") in got
    assert ("bb-p01", "seg_id", "duplicate un") in got
    assert ("zz-p09", "seg_id", "unknown unit") in got
    assert ("bb-p01", "text_sha", "text changed") in got
    allowed = errors[(errors["seg_id"] == "bb-p01") & (errors["column"] == "confidence")]
    assert allowed["allowed"].iloc[0] == "1, 2, 3"
    warnings = problems[problems["severity"] == "warning"]
    assert ("bb-p01", "stance_toward_state") in set(
        zip(warnings["seg_id"], warnings["column"], strict=True)
    )


def test_check_missing_unit_and_clean_sheet() -> None:
    segs = make_segments()
    sheet = pd.DataFrame(
        [
            {
                **{c: "" for c in sheet_columns()},
                "seg_id": "aa-p01",
                "coder": "ann",
                "text": segs.loc[0, "text"],
                "text_sha": segs.loc[0, "text_sha"],
                **GOOD["aa-p01"],
            }
        ]
    )
    problems = check_sheet(sheet, segs)
    assert problems[["seg_id", "problem"]].values.tolist() == [
        ["bb-p01", "missing unit: not in the sheet"]
    ]


def test_evidence_matching_ignores_spacing_and_quote_style() -> None:
    text = "the Council (\u2018MAPO\u2019) that was\ntasked"
    assert evidence_in_text("('MAPO') that was tasked", text)
    assert not evidence_in_text("the council", text)
    assert not evidence_in_text("   ", text)


# ----------------------------------------------------------------- merge and results


def two_coders(tmp_path: Path) -> tuple[pd.DataFrame, list[Path]]:
    from analysis.coding import write_sheet

    segs = make_segments()
    paths_ = []
    for coder, override in (("ann", {}), ("bob", {"bb-p01": {"frame": "law_policy_reform"}})):
        path = tmp_path / f"{coder}.csv"
        export_sheet(segs, path, coder=coder)
        write_sheet(fill(fill(read_sheet(path), GOOD), override), path)
        paths_.append(path)
    return segs, paths_


def test_merge_long_table(tmp_path: Path) -> None:
    segs, sheets = two_coders(tmp_path)
    long = merge_sheets(sheets, segs)
    assert list(long.columns) == ["seg_id", "coder", "dimension", "code"]
    assert len(long) == 2 * 2 * len(load_codebook().dimensions)
    row = long[(long.coder == "bob") & (long.seg_id == "bb-p01") & (long.dimension == "frame")]
    assert row["code"].tolist() == ["law_policy_reform"]
    secondary = long[long.dimension == "frame_secondary"]["code"].unique().tolist()
    assert secondary == ["none"]
    with pytest.raises(CodingError, match="also coded"):
        merge_sheets([sheets[0], sheets[0]], segs)


def test_merge_refuses_sheet_with_errors(tmp_path: Path) -> None:
    segs, sheets = two_coders(tmp_path)
    bad = read_sheet(sheets[1])
    bad.loc[0, "agent"] = "police"
    with pytest.raises(CodingError, match="error"):
        merge_sheets([sheets[0], bad], segs)


def test_results_tables_and_fisher(tmp_path: Path) -> None:
    segs, sheets = two_coders(tmp_path)
    long = merge_sheets(sheets, segs)
    table = code_table(long, segs, dimension="frame", coder="ann")
    assert set(table.columns) == {"actor_type", "code", "n", "share", "n_group"}
    gov = table[table.actor_type == "government"].set_index("code")
    assert gov.loc["cooperation_partnership", "n"] == 1
    assert gov["share"].sum() == pytest.approx(1.0)
    with pytest.raises(CodingError, match="pass coder"):
        code_table(long, segs)
    seq = frame_sequence(long, segs, coder="ann")
    assert seq["seg_id"].tolist() == ["aa-p01", "bb-p01"]
    assert seq["order"].tolist() == [0, 0]
    test = association_test(long, segs, dimension="frame", coder="ann")
    assert test["method"] == "fisher_exact"
    assert test["p_value"] == pytest.approx(fisher_exact([[0, 1], [1, 0]]).pvalue)
    assert "not independent" in test["caveat"]


def test_permutation_test_on_reference_coding() -> None:
    from scipy.stats import chi2_contingency

    from analysis.corpus import load_corpus
    from analysis.segment import segment_corpus

    segs = segment_corpus(load_corpus())
    long = merge_sheets([paths.CODING / "reference.csv"], segs)
    res = association_test(long, segs, dimension="frame", n_perm=999, seed=1)
    assert res["method"] == "permutation chi-square"
    expected = chi2_contingency(res["table"].to_numpy(), correction=False).statistic
    assert res["statistic"] == pytest.approx(expected)
    assert 0 < res["p_value"] <= 1
    again = association_test(long, segs, dimension="frame", n_perm=999, seed=1)
    assert again["p_value"] == res["p_value"]


def test_reference_coding_is_complete_and_passes_check() -> None:
    from analysis.corpus import load_corpus
    from analysis.segment import segment_corpus

    segs = segment_corpus(load_corpus())
    sheet = read_sheet(paths.CODING / "reference.csv")
    assert len(sheet) == 23 and set(sheet["coder"]) == {"reference"}
    assert check_sheet(sheet, segs).empty
    cb = load_codebook()
    required = [d.name for d in cb.dimensions if d.required] + ["notes"]
    assert (sheet[required] != "").all().all()


# ----------------------------------------------------------------- sheets for a corpus


def test_sheets_for_corpus_picks_full_clean_sheets_and_explains_the_rest(tmp_path: Path) -> None:
    segs = make_segments()
    good, blind = tmp_path / "ann.csv", tmp_path / "bob.xlsx"
    export_sheet(segs, good, coder="ann")
    export_sheet(segs, blind, coder="bob", blind=True, seed=3)
    # a second export of ann's sheet leaves a backup, which is not a sheet to read
    export_sheet(segs, good, coder="ann")
    assert (tmp_path / "ann.bak1.csv").is_file()
    fill(read_sheet(good), {**GOOD, "aa-p01": {**GOOD["aa-p01"], "frame": "Victim"}}).to_csv(
        tmp_path / "bad.csv", index=False
    )
    read_sheet(good).iloc[[0]].to_csv(tmp_path / "part.csv", index=False)
    # another corpus: other ids and other texts (same texts under other ids would be this
    # corpus's units, found by their text)
    read_sheet(good).assign(
        seg_id=["zz-p01", "zz-p02"], text=["A text of another corpus.", "And another one."]
    ).to_csv(tmp_path / "other.csv", index=False)
    (tmp_path / "README.md").write_text("not a sheet")
    (tmp_path / "notes.csv").write_text("a,b\n1,2\n")
    found = sheets_for_corpus(segs, folder=tmp_path)
    assert list(found.columns) == [
        "path",
        "coder",
        "n_rows",
        "n_units",
        "n_matched",
        "n_errors",
        "usable",
        "reason",
    ]
    names = [Path(p).name for p in found["path"]]
    assert names == ["ann.csv", "bad.csv", "bob.xlsx", "notes.csv", "other.csv", "part.csv"]
    by = found.assign(name=names).set_index("name")
    assert by.loc["ann.csv", "usable"] and by.loc["bob.xlsx", "usable"]
    assert by.loc["bob.xlsx", "n_matched"] == 2 and by.loc["bob.xlsx", "coder"] == "bob"
    assert not by.loc["bad.csv", "usable"] and by.loc["bad.csv", "n_errors"] >= 1
    assert "sheet check" in by.loc["bad.csv", "reason"]
    assert by.loc["other.csv", "n_matched"] == 0
    assert "another corpus" in by.loc["other.csv", "reason"]
    assert by.loc["part.csv", "reason"].startswith("covers 1 of this corpus's 2 units")
    assert "not a coding sheet" in by.loc["notes.csv", "reason"]
    assert set(by.loc[by["usable"], "reason"]) == {""}
    assert (found["n_units"] == 2).all()


def test_sheets_for_corpus_explicit_files_and_errors(tmp_path: Path) -> None:
    segs = make_segments()
    path = tmp_path / "ann.csv"
    export_sheet(segs, path, coder="ann")
    found = sheets_for_corpus(segs, [path])
    assert found["usable"].tolist() == [True]
    with pytest.raises(CodingError, match="do not exist"):
        sheets_for_corpus(segs, [tmp_path / "nobody.csv"])
    with pytest.raises(CodingError, match="not a folder"):
        sheets_for_corpus(segs, folder=tmp_path / "missing")
    empty = sheets_for_corpus(segs, folder=tmp_path / "..", files=[])
    assert empty.empty and list(empty.columns)[0] == "path"


def test_sheets_for_corpus_default_folder_matches_the_seeds_only() -> None:
    from analysis.corpus import load_corpus
    from analysis.segment import segment_corpus

    seeds = sheets_for_corpus(segment_corpus(load_corpus()))
    reference = seeds[seeds["path"].str.endswith("reference.csv")]
    assert reference["usable"].tolist() == [True] and reference["n_matched"].tolist() == [23]
    mini = segment_corpus(
        load_corpus(Path(__file__).parent / "fixtures" / "mini_corpus" / "manifest.csv")
    )
    other = sheets_for_corpus(mini)
    assert not other["usable"].any()


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) not installed")
def test_libreoffice_reads_formula_like_text_as_text(tmp_path):
    """LibreOffice itself opens an exported sheet: formula-like text stays text, as typed."""
    texts = ["=1+1", "+SUM(A1:A2)", "-2+3", "@SUM(1,2)", '=cmd|" /C calc"!A0', "01", "NA"]
    seg = pd.DataFrame(
        {
            "seg_id": [f"t-p{i:02d}" for i in range(len(texts))],
            "doc_id": "t",
            "kind": "body",
            "label": [str(i) for i in range(len(texts))],
            "text": texts,
            "start": 0,
            "end": 1,
            "text_sha": [coding.text_sha(t) for t in texts],
            "actor_type": "x",
            "organisation": "o",
        }
    )
    sheet = tmp_path / "inj.xlsx"
    coding.export_sheet(seg, sheet, coder="lo")
    filter_options = "44,34,76,1,,0,false,true,false,false,false,-1"  # every sheet, as shown
    subprocess.run(
        [
            "soffice",
            "--headless",
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--convert-to",
            f"csv:Text - txt - csv (StarCalc):{filter_options}",
            "--outdir",
            str(tmp_path),
            str(sheet),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    shown = pd.read_csv(tmp_path / "inj-coding.csv", dtype=str, keep_default_na=False)
    assert shown["text"].tolist() == texts


# ----------------------------------------------------------------- tables for the reports

SMALL_CODEBOOK = """
[codebook]
name = "small"
version = "1"
unit = "one paragraph"

[[dimension]]
name = "frame"
label = "Frame"
kind = "category"
required = true
definition = "What the problem is."
decision_rules = ["Code the main clause.", "When in doubt, code the first frame."]

[[dimension.code]]
code = "a"
label = "A"
definition = "Frame A."
example = "an a"
example_seg = "x-p01"

[[dimension.code]]
code = "b"
label = "B"
definition = "Frame B."
example = "a b"
example_seg = "x-p02"

[[dimension]]
name = "second"
label = "Second frame"
kind = "category"
codes_from = "frame"
blank_means = "none"
definition = "A second frame."

[[dimension.code]]
code = "c"
label = "C"
definition = "Only as a second frame."
example = "a c"
example_seg = "x-p03"

[[dimension]]
name = "evidence"
label = "Evidence"
kind = "quotation"
required = true
definition = "A quotation."
"""


def small_codebook(tmp_path: Path, text: str = SMALL_CODEBOOK) -> coding.Codebook:
    path = tmp_path / "small.toml"
    path.write_text(text, encoding="utf-8")
    return load_codebook(path)


def test_codebook_tables_of_a_hand_made_codebook(tmp_path: Path) -> None:
    cb = small_codebook(tmp_path)
    assert cb.dimension("second").codes_from == "frame"
    assert cb.dimension("second").allowed == ("a", "b", "c")
    dims = coding.codebook_dimensions(cb)
    assert list(dims.columns) == [
        "dimension",
        "label",
        "kind",
        "required",
        "level",
        "codes",
        "blank_means",
        "definition",
    ]
    assert dims.values.tolist() == [
        ["frame", "Frame", "category", True, "nominal", "a, b", "", "What the problem is."],
        [
            "second",
            "Second frame",
            "category",
            False,
            "nominal",
            "a, b, c",
            "none",
            "A second frame.",
        ],
        ["evidence", "Evidence", "quotation", True, "", "", "", "A quotation."],
    ]
    codes = coding.codebook_codes(cb)
    # the borrowed codes a and b are listed once, under frame; second adds only c
    assert codes[["dimension", "code", "example_seg"]].values.tolist() == [
        ["frame", "a", "x-p01"],
        ["frame", "b", "x-p02"],
        ["second", "c", "x-p03"],
    ]
    assert codes.loc[2, "definition"] == "Only as a second frame."
    rules = coding.codebook_decision_rules(cb)
    assert rules.values.tolist() == [
        ["frame", "Code the main clause."],
        ["frame", "When in doubt, code the first frame."],
    ]


def test_codebook_tables_edge_cases(tmp_path: Path) -> None:
    no_rules = small_codebook(
        tmp_path,
        SMALL_CODEBOOK.replace(
            'decision_rules = ["Code the main clause.", "When in doubt, code the first frame."]', ""
        ),
    )
    rules = coding.codebook_decision_rules(no_rules)
    assert rules.empty and list(rules.columns) == ["dimension", "rule"]
    only_text = small_codebook(
        tmp_path,
        SMALL_CODEBOOK.split("[[dimension]]")[0]
        + "[[dimension]]"
        + SMALL_CODEBOOK.split("[[dimension]]")[3],
    )
    codes = coding.codebook_codes(only_text)
    assert codes.empty and list(codes.columns)[:2] == ["dimension", "code"]
    assert coding.codebook_dimensions(only_text)["dimension"].tolist() == ["evidence"]


def test_codebook_tables_of_the_package_codebook() -> None:
    cb = load_codebook()
    codes = coding.codebook_codes()
    assert "frame_secondary" not in set(codes["dimension"])
    assert len(codes) == sum(len(d.codes) for d in cb.categorical if d.name != "frame_secondary")
    assert not codes.duplicated(["dimension", "code"]).any()
    dims = coding.codebook_dimensions()
    assert dims["dimension"].tolist() == cb.names
    assert dims.set_index("dimension").loc["confidence", "level"] == "ordinal"
    assert len(coding.codebook_decision_rules()) == sum(
        len(d.decision_rules) for d in cb.dimensions
    )


def test_corpus_coding_merges_usable_sheets_and_chooses_the_coding(tmp_path: Path) -> None:
    from analysis.coding import write_sheet

    segs = make_segments()
    for coder in ("zoe", "reference"):
        path = tmp_path / f"{coder}.csv"
        export_sheet(segs, path, coder=coder)
        write_sheet(fill(read_sheet(path), GOOD), path)
    read_sheet(tmp_path / "zoe.csv").iloc[[0]].to_csv(tmp_path / "part.csv", index=False)
    found = coding.corpus_coding(segs, folder=tmp_path)
    assert found.sheets["sheet"].tolist() == ["part.csv", "reference.csv", "zoe.csv"]
    assert list(found.sheets.columns)[:2] == ["sheet", "coder"]
    assert "path" not in found.sheets.columns
    assert found.sheets["usable"].tolist() == [False, True, True]
    assert found.coders == ("reference", "zoe") and found.coder == "reference"
    assert set(found.long["coder"]) == {"reference", "zoe"}
    assert list(found.long.columns) == coding.LONG_COLUMNS
    # without the preferred coder, the first coder in sorted order
    assert coding.corpus_coding(segs, [tmp_path / "zoe.csv"]).coder == "zoe"
    assert coding.corpus_coding(segs, folder=tmp_path, prefer="zoe").coder == "zoe"
    # no usable sheet: an empty long table, no coders, no coder
    none = coding.corpus_coding(segs, [tmp_path / "part.csv"])
    assert none.long.empty and list(none.long.columns) == coding.LONG_COLUMNS
    assert none.coders == () and none.coder is None
    assert len(none.sheets) == 1


def long_rows(rows: list[tuple[str, str, str, str]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=coding.LONG_COLUMNS)


def test_coded_table_one_row_per_unit_in_reading_order() -> None:
    # reading order is not alphabetical: b-p02 comes first
    segs = pd.DataFrame(
        {"seg_id": ["b-p02", "a-p01", "b-p01"], "actor_type": ["gov", "ngo", "gov"]}
    )
    long = long_rows(
        [
            ("a-p01", "ann", "confidence", "3"),
            ("a-p01", "ann", "frame", "x"),
            ("a-p01", "ann", "zeta", "z1"),
            ("b-p02", "ann", "frame", "y"),
            ("b-p02", "ann", "confidence", "1"),
            ("b-p02", "ann", "zeta", "z2"),
            ("b-p01", "bob", "frame", "w"),
            ("zz-p09", "ann", "frame", "v"),  # not in the segments: left out
        ]
    )
    wide = coding.coded_table(long, segs, coder="ann")
    assert list(wide.columns) == ["seg_id", "actor_type", "frame", "confidence", "zeta"]
    assert wide.columns.name == "dimension"
    assert wide.values.tolist() == [
        ["b-p02", "gov", "y", "1", "z2"],
        ["a-p01", "ngo", "x", "3", "z1"],
    ]
    one = coding.coded_table(long, segs, coder="bob")
    assert one.values.tolist() == [["b-p01", "gov", "w"]]
    with pytest.raises(CodingError, match="pass coder"):
        coding.coded_table(long, segs)
    with pytest.raises(CodingError, match="not in the table"):
        coding.coded_table(long, segs, coder="cy")
    with pytest.raises(CodingError, match="pass coder"):
        coding.coded_table(long.iloc[:0], segs)
    with pytest.raises(CodingError, match="no column 'genre'"):
        coding.coded_table(long, segs, coder="ann", by="genre")


def test_code_units_tallies_every_code_with_its_units() -> None:
    coded = pd.DataFrame(
        {"seg_id": ["u1", "u2", "u3", "u4", "u5"], "confidence": ["3", "1", "3", "", "9"]}
    )
    tally = coding.code_units(coded, dimension="confidence")
    # every codebook code in codebook order, unused ones with 0, then unknown codes; no blank
    assert tally.values.tolist() == [
        ["1", 1, ["u2"]],
        ["2", 0, []],
        ["3", 2, ["u1", "u3"]],
        ["9", 1, ["u5"]],
    ]
    assert tally["n"].dtype == "int64"
    empty = coding.code_units(coded.iloc[:0], dimension="confidence")
    assert empty["code"].tolist() == ["1", "2", "3"] and empty["n"].sum() == 0
    second = coding.code_units(
        pd.DataFrame({"seg_id": ["u1"], "frame_secondary": ["none"]}), dimension="frame_secondary"
    )
    assert second.set_index("code").loc["none", "n"] == 1  # the blank_means code is listed
    with pytest.raises(CodingError, match="lacks columns"):
        coding.code_units(coded, dimension="frame")


def hand_code_table() -> pd.DataFrame:
    """A code_table as code_table returns it: codes in codebook order (b before a)."""
    rows = [
        ("ngo", "b", 3, 0.75, 4),
        ("ngo", "a", 1, 0.25, 4),
        ("ngo", "c", 0, 0.0, 4),
        ("gov", "b", 1, 0.5, 2),
        ("gov", "a", 1, 0.5, 2),
        ("gov", "c", 0, 0.0, 2),
        ("idle", "b", 0, math.nan, 0),
        ("idle", "a", 0, math.nan, 0),
        ("idle", "c", 0, math.nan, 0),
    ]
    return pd.DataFrame(rows, columns=["actor_type", "code", "n", "share", "n_group"])


def test_code_table_wide_keeps_code_order() -> None:
    wide = coding.code_table_wide(hand_code_table())
    assert list(wide.index) == ["b", "a", "c"]
    assert list(wide.columns) == [
        ("n", "gov"),
        ("n", "idle"),
        ("n", "ngo"),
        ("share", "gov"),
        ("share", "idle"),
        ("share", "ngo"),
    ]
    assert wide.loc["b", ("n", "ngo")] == 3 and wide.loc["a", ("share", "gov")] == 0.5
    assert coding.code_table_wide(hand_code_table().iloc[:0]).empty


def test_code_summary_top_code_ties_and_empty_groups() -> None:
    summary = coding.code_summary(hand_code_table()).set_index("actor_type")
    assert list(summary.index) == ["ngo", "gov", "idle"]
    ngo, gov, idle = summary.loc["ngo"], summary.loc["gov"], summary.loc["idle"]
    assert (ngo["top_code"], ngo["n_top"], ngo["share_top"]) == ("b", 3, 0.75)
    assert ngo["n_group"] == 4 and ngo["n_codes_used"] == 2
    assert ngo["code_counts"] == {"b": 3, "a": 1}  # used codes only, in table order
    assert gov["top_code"] == "b"  # a tie goes to the code listed first
    assert (idle["top_code"], idle["n_top"], idle["n_codes_used"]) == ("", 0, 0)
    assert math.isnan(idle["share_top"]) and idle["code_counts"] == {}
    empty = coding.code_summary(hand_code_table().iloc[:0])
    assert empty.empty and "top_code" in empty.columns


def test_coded_profile_per_group() -> None:
    coded = pd.DataFrame(
        [
            ("n1", "ngo", "acc", "critical"),
            ("n2", "ngo", "vic", "supportive"),
            ("g1", "gov", "coop", "supportive"),
            ("n3", "ngo", "acc", "critical"),
            ("n4", "ngo", "vic", "neutral"),
            ("g2", "gov", "coop", "supportive"),
        ],
        columns=["seg_id", "actor_type", "frame", "stance_toward_state"],
    )
    profile = coding.coded_profile(coded, groups=["gov", "ngo", "nobody"])
    assert profile["actor_type"].tolist() == ["gov", "ngo"]  # no row without coded units
    assert list(profile.columns) == [
        "actor_type",
        "n_units",
        "top_frame",
        "n_top_frame",
        "top_frame_units",
        "stance_counts",
        "critical_units",
        "share_critical",
        "supportive_units",
        "share_supportive",
    ]
    gov, ngo = profile.iloc[0], profile.iloc[1]
    assert (gov["n_units"], gov["top_frame"], gov["n_top_frame"]) == (2, "coop", 2)
    assert gov["critical_units"] == [] and gov["share_critical"] == 0.0
    assert gov["share_supportive"] == 1.0 and gov["stance_counts"] == {"supportive": 2}
    # acc and vic tie at 2: the frame met first in reading order wins
    assert (ngo["n_units"], ngo["top_frame"], ngo["top_frame_units"]) == (4, "acc", ["n1", "n3"])
    assert list(ngo["stance_counts"].items()) == [
        ("critical", 2),
        ("supportive", 1),
        ("neutral", 1),
    ]
    assert ngo["critical_units"] == ["n1", "n3"] and ngo["share_critical"] == 0.5
    assert ngo["supportive_units"] == ["n2"] and ngo["share_supportive"] == 0.25
    default = coding.coded_profile(coded, stance_codes=("mixed",))
    assert default["actor_type"].tolist() == ["ngo", "gov"]  # table order
    assert default["share_mixed"].tolist() == [0.0, 0.0] and "critical_units" not in default
    empty = coding.coded_profile(coded.iloc[:0])
    assert empty.empty and "share_critical" in empty.columns
    with pytest.raises(CodingError, match="lacks columns"):
        coding.coded_profile(coded.drop(columns="frame"))


def test_frame_runs_split_at_changes_and_documents() -> None:
    sequence = pd.DataFrame(
        [
            ("d1", "d1-p01", "1", "A"),
            ("d1", "d1-p02", "2", "A"),
            ("d1", "d1-p03", "3", "B"),
            ("d1", "d1-p04", "4", "A"),
            ("d2", "d2-p01", "1", "A"),
        ],
        columns=["doc_id", "seg_id", "label", "frame"],
    )
    runs = coding.frame_runs(sequence)
    assert list(runs.columns) == [
        "doc_id",
        "run",
        "frame",
        "first_label",
        "last_label",
        "first_seg_id",
        "last_seg_id",
        "n_units",
    ]
    assert runs[
        ["doc_id", "run", "frame", "first_label", "last_label", "n_units"]
    ].values.tolist() == [
        ["d1", 0, "A", "1", "2", 2],
        ["d1", 1, "B", "3", "3", 1],
        ["d1", 2, "A", "4", "4", 1],
        ["d2", 0, "A", "1", "1", 1],  # same frame as d1's last unit, but a new document
    ]
    assert runs.loc[0, "last_seg_id"] == "d1-p02"
    one = coding.frame_runs(sequence.iloc[[2]])
    assert one[["run", "frame", "n_units"]].values.tolist() == [[0, "B", 1]]
    empty = coding.frame_runs(sequence.iloc[:0])
    assert empty.empty and list(empty.columns) == list(runs.columns)
    with pytest.raises(CodingError, match="lacks columns"):
        coding.frame_runs(sequence.drop(columns="label"))


def test_frame_runs_agree_with_frame_changes_on_the_reference_coding() -> None:
    from analysis.corpus import load_corpus
    from analysis.segment import segment_corpus

    segs = segment_corpus(load_corpus())
    long = merge_sheets([paths.CODING / "reference.csv"], segs)
    sequence = frame_sequence(long, segs)
    runs = coding.frame_runs(sequence)
    for doc, units in sequence.groupby("doc_id"):
        doc_runs = runs[runs["doc_id"] == doc]
        assert len(doc_runs) == 1 + int(units["frame_change"].sum())
        assert doc_runs["n_units"].sum() == len(units)
        assert (
            doc_runs["frame"].iloc[1:].to_numpy() != doc_runs["frame"].iloc[:-1].to_numpy()
        ).all()


def test_association_tests_one_row_per_dimension(tmp_path: Path) -> None:
    segs, sheets = two_coders(tmp_path)
    long = merge_sheets(sheets, segs)
    summary, tables = coding.association_tests(long, segs, coder="ann", n_perm=99, seed=3)
    assert list(summary.columns) == [
        "dimension",
        "n_units",
        "seed",
        "caveat",
        "method",
        "statistic",
        "p_value",
        "n_perm",
    ]
    assert summary["dimension"].tolist() == ["frame", "stance_toward_state"]
    assert list(tables) == ["frame", "stance_toward_state"]
    for row in summary.itertuples():
        single = association_test(
            long, segs, dimension=row.dimension, coder="ann", n_perm=99, seed=3
        )
        assert (row.method, row.p_value, row.n_units) == (
            single["method"],
            single["p_value"],
            single["n_units"],
        )
        assert tables[row.dimension].equals(single["table"])
    # frame: aa-p01 victim_protection_rights (civil_society), bb-p01 cooperation (government)
    assert summary.loc[0, "p_value"] == pytest.approx(fisher_exact([[0, 1], [1, 0]]).pvalue)
    none, no_tables = coding.association_tests(long, segs, coder="ann", dimensions=())
    assert none.empty and list(none.columns) == list(summary.columns) and no_tables == {}
