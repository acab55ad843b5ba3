"""The corpus check: every problem of every document at once; only the unanalysable is fatal."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from analysis.check import check_corpus, require_analysable
from analysis.cli import main
from analysis.errors import CorpusError, SegmentationError
from analysis.report import build_reports

WEB_MANIFEST = Path(__file__).parent / "fixtures" / "web_corpus" / "manifest.csv"
PROSE = (
    "The workers were held in the hostel for three months without pay or papers. "
    "They were released only after volunteers went to the police.\n"
)


def _corpus(folder: Path, files: dict[str, bytes], *, extra_rows=()) -> Path:
    rows = [["doc_id", "path", "actor_type", "organisation", "date"]]
    for k, (name, data) in enumerate(files.items()):
        (folder / f"{name}.txt").write_bytes(data)
        rows.append([name, f"{name}.txt", "ngo" if k % 2 else "gov", "Org", "2024-01-01"])
    rows.extend(extra_rows)
    manifest = folder / "manifest.csv"
    with manifest.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)
    return manifest


@pytest.fixture
def broken(tmp_path: Path) -> Path:
    return _corpus(
        tmp_path,
        {
            "good-a": PROSE.encode(),
            "empty": b"",
            "binary": b"\x00\x01\x02PK" * 50,
            "no-prose": b"Title\n\nSubtitle\n\nBy Jane Doe\n",
            "partial": (
                "Title\n\n" + " ".join(f"word{i}" for i in range(40)) + " unfinis"
            ).encode(),
            "latin": "The caf\u00e9 workers were held without pay for months on end.\n".encode(
                "cp1252"
            ),
            "good-b": PROSE.encode(),
        },
        extra_rows=[["missing", "missing.txt", "gov", "Org", "2024-01-01"]],
    )


def test_every_problem_is_listed_at_once(broken: Path) -> None:
    check = check_corpus(broken)
    fatal = check.fatal
    assert sorted(fatal["doc_id"]) == ["binary", "empty", "missing", "no-prose"]
    warned = check.warnings
    assert {"partial", "latin", "good-b"} <= set(warned["doc_id"])
    partial = warned[warned["doc_id"] == "partial"].iloc[0]
    assert partial["where"].startswith("unit partial-p01 (characters")
    assert "unfinis" in partial["problem"]
    assert "Windows-1252" in warned[warned["doc_id"] == "latin"]["problem"].iloc[0]
    assert "same bytes as good-a" in warned[warned["doc_id"] == "good-b"]["problem"].iloc[0]
    with pytest.raises(CorpusError) as info:
        require_analysable(check)
    message = str(info.value)
    for doc in ("binary", "empty", "missing", "no-prose"):
        assert doc in message
    assert "nothing was built" in message


def test_the_loader_and_segmenter_name_every_bad_document(broken: Path, tmp_path: Path) -> None:
    from analysis.corpus import load_corpus
    from analysis.segment import segment_corpus

    with pytest.raises(CorpusError) as info:
        load_corpus(broken)
    assert all(d in str(info.value) for d in ("'empty'", "'binary'", "'missing'"))
    two = _corpus(
        tmp_path / "two" if (tmp_path / "two").mkdir() is None else tmp_path,
        {"a": b"Heading\n\nAnother heading\n", "b": b"Title only\n", "c": PROSE.encode()},
    )
    with pytest.raises(SegmentationError) as info:
        segment_corpus(load_corpus(two))
    assert "2 documents cannot be segmented" in str(info.value)
    assert "'a'" in str(info.value) and "'b'" in str(info.value)


def test_every_bad_manifest_row_is_listed(tmp_path: Path) -> None:
    manifest = _corpus(
        tmp_path,
        {"a": PROSE.encode()},
        extra_rows=[
            ["a", "a.txt", "gov", "Org", "2024-13-01"],
            ["b c", "a.txt", "", "Org", "01/02/2024"],
        ],
    )
    check = check_corpus(manifest)
    problems = " | ".join(check.fatal["problem"])
    for expected in (
        "duplicate doc_id 'a'",
        "'2024-13-01' is not an ISO date",
        "'b c' is not a valid id",
        "column 'actor_type' is empty",
    ):
        assert expected in problems
    from analysis.corpus import read_manifest

    with pytest.raises(CorpusError, match="5 problems"):
        read_manifest(manifest)


def test_web_corpus_has_only_the_partial_copy_warning() -> None:
    check = check_corpus(WEB_MANIFEST)
    assert check.fatal.empty
    assert list(check.warnings["doc_id"]) == ["cso-sentinel-2024"]


def test_units_already_built_give_the_same_check(broken: Path) -> None:
    """With the corpus's unit table passed in, no document is segmented again and the check
    is the same: warnings of the units (a partial copy) and of the files alike; a document
    missing from the table (one that could not be built) is still checked from its file."""
    import pandas as pd

    from analysis import paths, pipeline

    web = paths.ROOT / "tests" / "fixtures" / "web_corpus" / "manifest.csv"
    alone = check_corpus(web)
    given = check_corpus(web, segments=pipeline.build(web, cache=False).segments)
    pd.testing.assert_frame_equal(alone.problems, given.problems)
    assert "does not end as a sentence" in " ".join(given.problems["problem"])
    empty = pipeline.build(cache=False).segments.iloc[0:0]
    pd.testing.assert_frame_equal(
        check_corpus(broken, segments=empty).problems, check_corpus(broken).problems
    )


def test_cli_prints_the_check_once_and_exits_1(broken: Path, capsys) -> None:
    assert main(["corpus", "--manifest", str(broken)]) == 1
    err = capsys.readouterr().err
    assert err.count("binary") >= 2  # in the check and in the one-line error
    assert "Traceback" not in err


def test_cli_units_view(capsys) -> None:
    assert main(["units", "--manifest", str(WEB_MANIFEST), "--doc", "gov-labour-2022"]) == 0
    out = capsys.readouterr().out
    assert "gov-labour-2022  (paragraphs: line (inferred))" in out
    assert "navigation" in out and "site name after a title separator" in out
    assert main(["units", "--manifest", str(WEB_MANIFEST), "--format", "csv"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "doc_id,seg_id,kind,label,start,end,layout,rule,flags,first_words"
    assert len(lines) == 1 + 71
    assert main(["units", "--manifest", str(WEB_MANIFEST), "--doc", "nope"]) == 1


def test_a_failed_check_leaves_previous_reports_untouched(broken: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / "reports").mkdir(parents=True)
    page = out / "reports" / "00-corpus.html"
    page.write_text("previous build", encoding="utf-8")
    with pytest.raises(CorpusError):
        from analysis.report import ReportParameters

        build_reports(out=out, parameters=ReportParameters(manifest=str(broken)))
    assert page.read_text(encoding="utf-8") == "previous build"
    assert sorted(p.name for p in out.rglob("*")) == ["00-corpus.html", "reports"]
