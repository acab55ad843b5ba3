"""Tests for ``python -m analysis agreement``: its reading of alpha is the package's."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis import agreement
from analysis.cli import main
from analysis.coding import read_sheet, write_sheet
from analysis.paths import CODING

REFERENCE = CODING / "reference.csv"


def _second_coder(tmp_path: Path, changes: dict[str, dict[str, str]]) -> Path:
    """The reference sheet recoded as coder ``second`` with ``changes`` {seg_id: {column: code}}."""
    sheet = read_sheet(REFERENCE)
    sheet["coder"] = "second"
    for seg_id, codes in changes.items():
        for column, code in codes.items():
            sheet.loc[sheet["seg_id"] == seg_id, column] = code
    path = tmp_path / "second.csv"
    write_sheet(sheet, path)
    return path


def _rows(text: str) -> dict[str, str]:
    """Map each dimension to its line of the agreement table."""
    dims = (
        "frame ",
        "frame_secondary ",
        "stance_toward_state ",
        "agent ",
        "modality ",
        "confidence ",
    )
    return {line.split()[0]: line for line in text.splitlines() if line.startswith(dims)}


def test_each_dimension_gets_the_package_verdict(tmp_path: Path, capsys) -> None:
    units = read_sheet(REFERENCE)["seg_id"].tolist()
    # frame disagrees on one unit (alpha about 0.94: reliable), stance on eight (not reliable)
    changes: dict[str, dict[str, str]] = {units[0]: {"frame": "accountability"}}
    for seg_id in units[1:9]:
        changes.setdefault(seg_id, {})["stance_toward_state"] = "neutral"
    path = _second_coder(tmp_path, changes)
    assert main(["agreement", str(REFERENCE), str(path), "--n-boot", "50"]) == 0
    text = capsys.readouterr().out
    rows = _rows(text)
    assert set(rows) == {
        "frame",
        "frame_secondary",
        "stance_toward_state",
        "agent",
        "modality",
        "confidence",
    }
    for dim, line in rows.items():
        alpha = float(line.split()[6])
        verdict = agreement.alpha_verdict(alpha)
        # the word printed right after alpha is analysis.agreement.alpha_verdict's
        assert line.split(maxsplit=7)[7].startswith(verdict), (dim, line)
    assert rows["frame"].split()[7] == "reliable"
    assert rows["stance_toward_state"].split(maxsplit=7)[7].startswith("not reliable")
    assert "reading" in text.splitlines()[1]


def test_legend_uses_the_package_thresholds(capsys, monkeypatch) -> None:
    assert main(["agreement", str(REFERENCE), "--n-boot", "20"]) == 0
    text = capsys.readouterr().out
    assert (
        f"reliable >= {agreement.ALPHA_RELIABLE}; tentative >= {agreement.ALPHA_TENTATIVE}" in text
    )
    assert "0.800" not in text
    # one coder: every alpha is undefined, with the reason
    assert all(
        " undefined " in line and "(no pairable values" in line for line in _rows(text).values()
    )
    # the CLI reads the constants at run time, so it can never drift from the reports
    monkeypatch.setattr(agreement.alpha, "ALPHA_RELIABLE", 0.9)
    assert main(["agreement", str(REFERENCE), "--n-boot", "20"]) == 0
    assert "reliable >= 0.9;" in capsys.readouterr().out


@pytest.mark.parametrize("n_boot", ["0", "-3"])
def test_bad_n_boot_is_a_user_error(n_boot: str, capsys) -> None:
    assert main(["agreement", str(REFERENCE), "--n-boot", n_boot]) == 1
    assert "--n-boot must be positive" in capsys.readouterr().err
