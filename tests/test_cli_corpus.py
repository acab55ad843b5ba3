"""Tests for ``python -m analysis corpus`` and the CLI's handling of user mistakes."""

from __future__ import annotations

import subprocess
import sys

import pytest

from analysis.cli import main


def test_corpus_summary(capsys):
    assert main(["corpus"]) == 0
    out = capsys.readouterr().out
    assert "lfl-2022" in out and "gov-2024" in out
    for row in (
        "units_body",
        "units_list_item",
        "sentences",
        "tokens",
        "types",
        "ttr",
        "mean_sentence_length",
    ):
        assert row in out


def test_corpus_csv(capsys):
    assert main(["corpus", "--format", "csv"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("doc_id,actor_type")
    assert len(lines) == 3


def test_user_mistake_is_one_line_exit_1(tmp_path):
    bad = tmp_path / "m.csv"
    bad.write_text("doc_id,path\n", encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "analysis", "corpus", "--manifest", str(bad)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 1
    assert proc.stdout == ""
    assert proc.stderr.count("\n") == 1
    assert proc.stderr.startswith("error: manifest") and "Traceback" not in proc.stderr


@pytest.mark.parametrize(
    "argv",
    [
        ["no-such-command"],
        ["sheet", "export"],
        ["report", "--compare"],
        ["units", "--bogus"],
        ["corpus", "--format", "xml"],
    ],
)
def test_usage_error_is_one_line_exit_1(argv, capsys):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1 and "--help" in err
