"""Tests for ``python -m analysis sheet export|check|merge`` and ``agreement``."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from analysis.cli import main
from analysis.coding import read_sheet, write_sheet
from analysis.paths import CODING

REFERENCE = CODING / "reference.csv"


def test_export_check_blank_sheet_warns_but_passes(tmp_path: Path, capsys) -> None:
    out = tmp_path / "ann.xlsx"
    assert (
        main(["sheet", "export", "--coder", "ann", "--out", str(out), "--blind", "--seed", "4"])
        == 0
    )
    assert "23 units" in capsys.readouterr().out
    assert main(["sheet", "check", str(out)]) == 0
    captured = capsys.readouterr()
    assert "0 error(s)" in captured.out and "warning:" in captured.out


def test_reference_sheet_checks_clean(capsys) -> None:
    assert main(["sheet", "check", str(REFERENCE)]) == 0
    assert "0 error(s), 0 warning(s)" in capsys.readouterr().out


def test_check_errors_exit_1_without_traceback(tmp_path: Path) -> None:
    bad = read_sheet(REFERENCE)
    bad.loc[0, "frame"] = "security"
    bad.loc[1, "evidence"] = "words that are not there"
    path = tmp_path / "bad.csv"
    write_sheet(bad, path)
    proc = subprocess.run(
        [sys.executable, "-m", "analysis", "sheet", "check", str(path)],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert "lfl-2022-p01 [frame] 'security': code not in the codebook" in proc.stderr
    assert "lfl-2022-p02 [evidence]" in proc.stderr and "2 error(s)" in proc.stderr
    missing = subprocess.run(
        [sys.executable, "-m", "analysis", "sheet", "check", str(tmp_path / "none.xlsx")],
        capture_output=True,
        text=True,
    )
    assert missing.returncode == 1 and missing.stderr.startswith("error:")
    assert "Traceback" not in missing.stderr


def test_merge_and_agreement(tmp_path: Path, capsys) -> None:
    second = read_sheet(REFERENCE)
    second["coder"] = "second"
    second.loc[second.seg_id == "lfl-2022-p01", "frame"] = "accountability"
    path = tmp_path / "second.csv"
    write_sheet(second, path)
    out = tmp_path / "long.csv"
    assert main(["sheet", "merge", str(REFERENCE), str(path), "--out", str(out)]) == 0
    long = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert list(long.columns) == ["seg_id", "coder", "dimension", "code"]
    assert set(long["coder"]) == {"reference", "second"}
    capsys.readouterr()
    assert main(["agreement", str(REFERENCE), str(path), "--n-boot", "200"]) == 0
    text = capsys.readouterr().out
    frame_line = next(line for line in text.splitlines() if line.startswith("frame "))
    assert "23" in frame_line and "0.957" in frame_line  # 22 of 23 units agree
    assert "lfl-2022-p01" in text and "reference=reputation_economic" in text
    assert "disagreements for adjudication: 1" in text


def test_merge_refuses_non_csv_out(tmp_path: Path, capsys) -> None:
    assert main(["sheet", "merge", str(REFERENCE), "--out", str(tmp_path / "x.xlsx")]) == 1
    assert "use a .csv name" in capsys.readouterr().err


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_reexport_via_cli_keeps_backup(tmp_path: Path, fmt: str, capsys) -> None:
    out = tmp_path / f"ann.{fmt}"
    args = ["sheet", "export", "--coder", "ann", "--out", str(out), "--format", fmt]
    assert main(args) == 0
    assert main(args) == 0
    assert (tmp_path / f"ann.bak1.{fmt}").exists()
    assert "kept the previous sheet" in capsys.readouterr().out
