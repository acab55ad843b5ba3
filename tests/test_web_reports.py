"""The reports on a research team's own corpus: nine web-copied statements in three groups.

Built once per session through the command line (``built_web_reports``); the pages are read as a
reader reads them (code cells left out) and the saved tables are checked against the rules the
reports state.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from report_text import reader_text

from analysis.report import list_notebooks

GROUPS = ("civil_society", "government", "intergovernmental")
pytestmark = pytest.mark.slow


def _pages(out: Path) -> dict[str, str]:
    return {p.stem: p.read_text(encoding="utf-8") for p in sorted((out / "reports").glob("*.html"))}


def test_every_notebook_builds_and_names_every_group(built_web_reports) -> None:
    out, _ = built_web_reports
    pages = _pages(out)
    assert set(pages) >= {p.stem for p in list_notebooks()} | {"index"}
    for name, page in pages.items():
        if name == "index":
            continue
        text = reader_text(page)
        for group in GROUPS:
            assert group in text, f"{name} never names {group}"


def test_no_undefined_number_and_no_seed_text_reaches_a_reader(built_web_reports) -> None:
    out, _ = built_web_reports
    for name, page in _pages(out).items():
        text = reader_text(page)
        for word in ("nan", "NaN", "inf", "-inf", "None"):
            hits = [
                text[max(0, m.start() - 60) : m.end() + 20]
                for m in re.finditer(rf"(?<![\w-]){re.escape(word)}(?![\w-])", text)
            ]
            if word == "None":  # the codebook's "none" code is labelled "None"
                hits = [h for h in hits if "none None" not in h]
            assert not hits, f"{name}: {word!r} reaches the reader: {hits[:3]}"
        for seed_text in (
            "lfl-2022",
            "gov-2024",
            "Lawyers for Liberty",
            "Vienna",
            "Working Group on the Smuggling",
        ):
            assert seed_text not in page, f"{name} carries seed text {seed_text!r}"


def test_every_reported_key_term_meets_the_spread_rule(built_web_reports) -> None:
    out, _ = built_web_reports
    tables = [
        out / "results" / "05-findings" / "key-terms.csv",
        *sorted((out / "results" / "02-keyness-and-tfidf").glob("permutation-check*.csv")),
    ]
    assert len(tables) == 4  # 05's table and one check per one-vs-rest comparison in 02
    for path in tables:
        key = pd.read_csv(path, keep_default_na=False)
        assert len(key), path.name
        assert (key["segments"] > 1).all(), path.name
        assert ((key["docs"] >= 2) | (key["docs_in_side"] < 2)).all(), path.name
        assert set(key["check"]) == {"documents"}, path.name
        for term in ("premises", "department", "g"):
            assert term not in set(key["term"]), (path.name, term)
    findings = reader_text((out / "reports" / "05-findings.html").read_text(encoding="utf-8"))
    assert "premises (" not in findings


def test_one_vs_rest_everywhere(built_web_reports) -> None:
    out, _ = built_web_reports
    for name in ("01-term-frequencies", "02-keyness-and-tfidf", "05-findings"):
        text = reader_text((out / "reports" / f"{name}.html").read_text(encoding="utf-8"))
        assert "compared one against the rest" in text, name
    similarity = sorted(
        (out / "results" / "02-keyness-and-tfidf").glob("paragraph-similarity-*.csv")
    )
    assert [p.stem for p in similarity] == [f"paragraph-similarity-{g}-vs-rest" for g in GROUPS]


def test_the_corpus_check_is_printed_once_and_shown(built_web_reports) -> None:
    out, stderr = built_web_reports
    assert stderr.count("corpus check:") == 1
    assert "cso-sentinel-2024-p03" in stderr
    corpus = reader_text((out / "reports" / "00-corpus.html").read_text(encoding="utf-8"))
    assert "cso-sentinel-2024-p03" in corpus and "line (inferred)" in corpus
    units = pd.read_csv(out / "results" / "00-corpus" / "units.csv", keep_default_na=False)
    assert {"byline", "navigation", "caption", "boilerplate", "dateline"} <= set(units["kind"])


def test_a_corpus_that_cannot_be_analysed_stops_before_any_report(tmp_path: Path) -> None:
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "a.txt").write_text("Heading only\n", encoding="utf-8")
    (folder / "b.txt").write_bytes(b"\x00\x01binary")
    (folder / "c.txt").write_text(
        "A statement of prose that is long enough to be read as a paragraph here.\n",
        encoding="utf-8",
    )
    (folder / "manifest.csv").write_text(
        "doc_id,path,actor_type,organisation,date\n"
        "a,a.txt,ngo,Org,2024-01-01\nb,b.txt,gov,Org,2024-01-01\nc,c.txt,gov,Org,2024-01-01\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "analysis",
            "report",
            "--manifest",
            str(folder / "manifest.csv"),
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert done.stderr.count("error:") == 1
    assert "a (a.txt" in done.stderr and "b (b.txt" in done.stderr
    assert not out.exists()  # nothing half-written
