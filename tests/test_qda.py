"""REFI-QDA: the codebook (.qdc) and project (.qdpx) out, coding done in QDA software back.

The REFI-QDA schemas cannot be fetched at test time, so the files are checked element by
element against the standard's structure (QDA-XML 1.0: element order, required attributes, GUID
form), and by a round trip: the reference coding exported, read back, and compared with the
spreadsheet path.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import pandas as pd
import pytest

from analysis import qda
from analysis.cli import main
from analysis.coding import check_sheet, load_codebook, merge_sheets, read_sheet, write_sheet
from analysis.corpus import load_corpus
from analysis.errors import CodingError
from analysis.paths import CODING
from analysis.segment import segment_corpus

GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
C = f"{{{qda.CODEBOOK_NS}}}"
P = f"{{{qda.PROJECT_NS}}}"
# QDA-XML 1.0: the order of a Project's children and of a TextSource's children
PROJECT_ORDER = [
    "Users",
    "CodeBook",
    "Variables",
    "Cases",
    "Sources",
    "Notes",
    "Links",
    "Sets",
    "Graphs",
    "Description",
    "NoteRef",
]
SOURCE_ORDER = [
    "Description",
    "PlainTextContent",
    "PlainTextSelection",
    "Coding",
    "NoteRef",
    "VariableValue",
]


def _local(tag: str) -> str:
    return tag.split("}", 1)[1]


def _in_order(element: ET.Element, order: list[str]) -> bool:
    seen = [order.index(_local(c.tag)) for c in element]
    return seen == sorted(seen)


@pytest.fixture(scope="module")
def seeds():
    corpus = load_corpus()
    return corpus, segment_corpus(corpus)


@pytest.fixture(scope="module")
def reference_long(seeds):
    return merge_sheets([CODING / "reference.csv"], seeds[1])


def test_codebook_qdc_structure() -> None:
    cb = load_codebook()
    data = qda.codebook_qdc(cb)
    assert data == qda.codebook_qdc(cb)  # byte-reproducible
    root = ET.fromstring(data)
    assert root.tag == f"{C}CodeBook" and root.get("origin")
    assert [_local(c.tag) for c in root] == ["Codes", "Sets"]
    tops = root.find(f"{C}Codes").findall(f"{C}Code")
    assert [t.get("name") for t in tops] == [d.name for d in cb.categorical]
    for top, dim in zip(tops, cb.categorical, strict=True):
        assert top.get("isCodable") == "false" and GUID.match(top.get("guid"))
        assert dim.definition in top.find(f"{C}Description").text
        children = top.findall(f"{C}Code")
        assert [c.get("name") for c in children] == list(dim.choices)
        for child, code in zip(children, dim.codes, strict=False):
            assert child.get("isCodable") == "true"
            assert child.get("guid") == qda.guid("code", dim.name, code.code)
            assert re.match(r"^#[0-9A-F]{6}$", child.get("color"))
            assert code.definition in child.find(f"{C}Description").text
    sets = root.find(f"{C}Sets").findall(f"{C}Set")
    assert [s.get("name") for s in sets] == [d.name for d in cb.categorical]
    members = {m.get("guid") for m in sets[0].findall(f"{C}MemberCode")}
    assert members == {c.get("guid") for c in tops[0].findall(f"{C}Code")}
    defined = [e.get("guid") for e in root.iter() if e.tag in (f"{C}Code", f"{C}Set")]
    assert len(defined) == len(set(defined))  # every code and set has its own GUID
    referenced = {m.get("guid") for m in root.iter(f"{C}MemberCode")}
    assert referenced <= set(defined)


def test_project_structure_offsets_and_stable_guids(tmp_path: Path, seeds, reference_long):
    corpus, segments = seeds
    first = qda.project_qdpx(tmp_path / "a.qdpx", corpus, segments, long=reference_long)
    again = qda.project_qdpx(tmp_path / "b.qdpx", corpus, segments, long=reference_long)
    assert first.read_bytes() == again.read_bytes()  # same GUIDs, no timestamps
    with zipfile.ZipFile(first) as archive:
        names = archive.namelist()
        root = ET.fromstring(archive.read("project.qde"))
        texts = {n: archive.read(n).decode("utf-8") for n in names if n.startswith("sources/")}
    assert names[0] == "project.qde" and len(texts) == len(corpus)
    assert root.tag == f"{P}Project" and root.get("name")
    assert _in_order(root, PROJECT_ORDER)
    users = root.find(f"{P}Users").findall(f"{P}User")
    assert [u.get("name") for u in users] == ["reference"]
    units = segments[segments["kind"].isin(["body", "list_item"])]
    selections = 0
    for source in root.find(f"{P}Sources").findall(f"{P}TextSource"):
        assert _in_order(source, SOURCE_ORDER)
        path = source.get("plainTextPath")
        assert path.startswith("internal://") and GUID.match(source.get("guid"))
        text = texts["sources/" + path.removeprefix("internal://")]
        doc = corpus.set_index("doc_id").loc[source.get("name")]
        assert text == doc["text"]
        mine = units[units["doc_id"] == source.get("name")]
        found = source.findall(f"{P}PlainTextSelection")
        assert [s.get("name") for s in found] == list(mine["seg_id"])
        for selection, unit in zip(found, mine.itertuples(), strict=True):
            start, end = int(selection.get("startPosition")), int(selection.get("endPosition"))
            assert (start, end) == (unit.start, unit.end)
            assert " ".join(text[start:end].split()) == " ".join(unit.text.split())
            for coding in selection.findall(f"{P}Coding"):
                assert GUID.match(coding.get("guid"))
                assert coding.get("creatingUser") == users[0].get("guid")
                assert GUID.match(coding.find(f"{P}CodeRef").get("targetGUID"))
        selections += len(found)
        values = {v.find(f"{P}TextValue").text for v in source.findall(f"{P}VariableValue")}
        assert doc["actor_type"] in values
    assert selections == len(units)


def test_round_trip_gives_the_codes_of_the_spreadsheet_path(
    tmp_path: Path, seeds, reference_long
) -> None:
    corpus, segments = seeds
    project = qda.project_qdpx(tmp_path / "p.qdpx", corpus, segments, long=reference_long)
    sheet, problems = qda.coding_from_qdpx(project, segments, coder="reference")
    assert problems.empty
    path = write_sheet(sheet, tmp_path / "from-qda.csv", coder="reference")
    assert check_sheet(read_sheet(path), segments).query("severity == 'error'").empty
    back = merge_sheets([path], segments)
    categorical = {d.name for d in load_codebook().categorical}
    key = ["seg_id", "dimension", "code"]

    def codes(long: pd.DataFrame) -> pd.DataFrame:
        rows = long[long["dimension"].isin(categorical) & (long["code"].astype(str) != "")]
        return rows[key].sort_values(key).reset_index(drop=True)

    expected = codes(reference_long)
    assert len(expected) > 50
    pd.testing.assert_frame_equal(codes(back), expected)


def _add_selection(
    root: ET.Element, doc_id: str, start: int, end: int, code_guid: str, user: str, name: str
) -> None:
    for source in root.iter(f"{P}TextSource"):
        if source.get("name") == doc_id:
            selection = ET.Element(
                f"{P}PlainTextSelection",
                {
                    "guid": qda.guid("test", name),
                    "name": name,
                    "startPosition": str(start),
                    "endPosition": str(end),
                },
            )
            coding = ET.SubElement(
                selection,
                f"{P}Coding",
                {"guid": qda.guid("test-coding", name), "creatingUser": user},
            )
            ET.SubElement(coding, f"{P}CodeRef", {"targetGUID": code_guid})
            last = source.findall(f"{P}PlainTextSelection")[-1]  # after the exported ones
            source.insert(list(source).index(last) + 1, selection)
            return
    raise AssertionError(doc_id)


def test_a_coder_working_in_qda_software(tmp_path: Path, seeds) -> None:
    """Selections made in the QDA program: inside a unit (coded), across two units (reported),
    an unknown code (reported), a second code for one dimension (reported), and a code the
    coder created under a dimension's name (mapped by name)."""
    corpus, segments = seeds
    project = qda.project_qdpx(tmp_path / "p.qdpx", corpus, segments)
    with zipfile.ZipFile(project) as archive:
        members = {n: archive.read(n) for n in archive.namelist()}
    root = ET.fromstring(members["project.qde"])
    users = ET.Element(f"{P}Users")
    ET.SubElement(users, f"{P}User", {"guid": qda.guid("user", "maya"), "name": "maya"})
    root.insert(0, users)
    # a code made in the QDA program under the 'frame' dimension, and one outside the codebook
    frame = next(c for c in root.iter(f"{P}Code") if c.get("name") == "frame")
    ET.SubElement(
        frame,
        f"{P}Code",
        {"guid": qda.guid("test", "new"), "name": "accountability", "isCodable": "true"},
    )
    book = root.find(f"{P}CodeBook/{P}Codes")
    ET.SubElement(
        book, f"{P}Code", {"guid": qda.guid("test", "odd"), "name": "my_theme", "isCodable": "true"}
    )
    units = segments[segments["kind"] == "body"].reset_index(drop=True)
    one, two = units.iloc[0], units.iloc[1]
    user = qda.guid("user", "maya")
    inside = qda.guid("code", "stance_toward_state", "critical")
    _add_selection(root, one.doc_id, one.start + 5, one.start + 40, inside, user, "inside")
    _add_selection(
        root, one.doc_id, one.start + 50, one.end - 2, qda.guid("test", "new"), user, "by-name"
    )
    _add_selection(
        root,
        one.doc_id,
        one.start + 10,
        two.start + 10,
        qda.guid("code", "frame", "accountability"),
        user,
        "spanning",
    )
    _add_selection(
        root, one.doc_id, one.start + 1, one.start + 9, qda.guid("test", "odd"), user, "unknown"
    )
    _add_selection(
        root,
        one.doc_id,
        one.start + 2,
        one.start + 8,
        qda.guid("code", "stance_toward_state", "supportive"),
        user,
        "second",
    )
    members["project.qde"] = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    edited = tmp_path / "edited.qdpx"
    with zipfile.ZipFile(edited, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)

    sheet, problems = qda.coding_from_qdpx(edited, segments, coder="maya")
    row = sheet.set_index("seg_id").loc[one.seg_id]
    assert row["stance_toward_state"] == "critical" and row["frame"] == "accountability"
    assert (
        (
            sheet.drop(index=sheet.index[sheet["seg_id"] == one.seg_id])[
                ["frame", "stance_toward_state"]
            ]
            == ""
        )
        .all()
        .all()
    )
    reported = dict(zip(problems["selection"], problems["problem"], strict=True))
    assert set(reported) == {qda.guid("test", n) for n in ("spanning", "unknown", "second")}
    assert one.seg_id in reported[qda.guid("test", "spanning")]
    assert two.seg_id in reported[qda.guid("test", "spanning")]
    assert "unknown code" in reported[qda.guid("test", "unknown")]
    assert "my_theme" in set(problems["code"])
    assert "second stance_toward_state code" in reported[qda.guid("test", "second")]
    path = write_sheet(sheet, tmp_path / "maya.csv", coder="maya")
    assert check_sheet(read_sheet(path), segments).query("severity == 'error'").empty


@pytest.mark.parametrize(
    ("member", "content", "message"),
    [
        (None, "not a zip", "not a .qdpx project"),
        ("other.txt", "x", "no project.qde"),
        ("project.qde", "<Other/>", "not a REFI-QDA Project"),
        ("project.qde", "<Project", "not well-formed"),
    ],
    ids=["not-a-zip", "no-project", "other-xml", "broken-xml"],
)
def test_bad_projects_get_clear_errors(tmp_path: Path, seeds, member, content, message) -> None:
    path = tmp_path / "bad.qdpx"
    if member is None:
        path.write_text(content, encoding="utf-8")
    else:
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr(member, content)
    with pytest.raises(CodingError, match=message) as caught:
        qda.coding_from_qdpx(path, seeds[1], coder="x")
    assert str(path) in str(caught.value)  # the message names the file


def test_command_line_export_and_import(tmp_path: Path, capsys) -> None:
    assert main(["sheet", "export", "--format", "qdc", "--out", str(tmp_path / "cb")]) == 0
    assert ET.fromstring((tmp_path / "cb.qdc").read_bytes()).tag == f"{C}CodeBook"
    project = tmp_path / "p.qdpx"
    assert (
        main(["sheet", "export", "--out", str(project), "--coding", str(CODING / "reference.csv")])
        == 0
    )
    out = tmp_path / "reference.csv"
    out.write_text("a coder's earlier work", encoding="utf-8")
    assert main(["sheet", "import", str(project), "--coder", "reference", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "coded by reference" in printed and "reference.bak1.csv" in printed
    assert (tmp_path / "reference.bak1.csv").read_text(encoding="utf-8") == (
        "a coder's earlier work"
    )
    assert main(["sheet", "check", str(out)]) == 0
    assert main(["sheet", "export", "--out", str(tmp_path / "s.csv")]) == 1  # no --coder
