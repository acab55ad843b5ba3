"""Check a filled-in sheet against the codebook and the corpus, listing every problem at once."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from analysis.anchors import text_sha
from analysis.coding.codebook import Codebook, Dimension, load_codebook
from analysis.coding.schema import DEFAULT_KINDS, PROBLEM_COLUMNS
from analysis.coding.sheets import read_sheet
from analysis.coding.units import coding_units, resolve_rows

_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})
# --------------------------------------------------------------------------- checking


def _norm_quote(text: str) -> str:
    return " ".join(text.translate(_QUOTES).split())


def evidence_in_text(evidence: str, text: str) -> bool:
    """Tell whether a quotation occurs in a unit's text.

    The comparison ignores differences in whitespace (runs of spaces, line breaks) and in the
    style of quotation marks (curly or straight); everything else, including case, must match.
    """
    needle = _norm_quote(evidence)
    return bool(needle) and needle in _norm_quote(text)


def check_sheet(
    sheet: pd.DataFrame | str | Path,
    segments: pd.DataFrame,
    *,
    codebook: Codebook | None = None,
    kinds: Iterable[str] = DEFAULT_KINDS,
) -> pd.DataFrame:
    """List every problem in a coding sheet at once.

    Parameters
    ----------
    sheet : DataFrame, str or Path
        A sheet as returned by :func:`read_sheet`, or its path.
    segments : DataFrame
        The current segments table the sheet was exported from.
    codebook : Codebook, optional
        Default: the package codebook.
    kinds : iterable of str
        Unit kinds the sheet should cover.

    Returns
    -------
    DataFrame
        One row per problem: ``severity`` ("error" or "warning"), ``seg_id`` (as in the sheet,
        or the expected unit for a missing one), ``column``, ``value`` (the cell as typed),
        ``problem`` (what is wrong), ``allowed`` (what the cell may hold). Empty when the sheet is
        clean. Errors: missing columns, unknown/duplicate/missing units, codes outside the
        codebook, a secondary frame equal to the primary one, evidence not found in the unit,
        text edited in the sheet or changed since export, a missing or mixed coder id.
        Warnings: blank required cells, units flagged at re-export.
    """
    cb = codebook or load_codebook()
    if not isinstance(sheet, pd.DataFrame):
        sheet = read_sheet(sheet)
    units = coding_units(segments, kinds=kinds)
    problems: list[dict[str, str]] = []

    def add(sev: str, seg: str, col: str, value: str, problem: str, allowed: str = "") -> None:
        problems.append(
            {
                "severity": sev,
                "seg_id": seg,
                "column": col,
                "value": value,
                "problem": problem,
                "allowed": allowed,
            }
        )

    needed = ["seg_id", "coder", "text", "text_sha", *[d.name for d in cb.dimensions]]
    absent = [c for c in needed if c not in sheet.columns]
    for col in absent:
        add(
            "error",
            "",
            col,
            "",
            "column missing from the sheet",
            "export a fresh sheet and copy the codes over",
        )
    if "seg_id" in absent:
        return pd.DataFrame(problems, columns=PROBLEM_COLUMNS)

    current = units.set_index("seg_id")
    real = resolve_rows(sheet, units)
    coders = sorted(set(sheet["coder"]) - {""}) if "coder" in sheet.columns else []
    if "coder" in sheet.columns:
        if len(coders) > 1:
            add(
                "error",
                "",
                "coder",
                ", ".join(coders),
                "more than one coder id in one sheet",
                "one coder per sheet",
            )
        for shown in sheet.loc[sheet["coder"] == "", "seg_id"]:
            add("error", shown, "coder", "", "coder id is blank", "the coder's id")
    seen: set[str] = set()
    for idx, row in sheet.iterrows():
        shown, seg = row["seg_id"], real[idx]
        if not seg:
            add(
                "error",
                shown,
                "seg_id",
                shown,
                "unknown unit: not in the current corpus",
                "a seg_id exported for this corpus",
            )
            continue
        if seg in seen:
            add(
                "error",
                shown,
                "seg_id",
                shown,
                "duplicate unit: this seg_id appears twice",
                "each unit once",
            )
            continue
        seen.add(seg)
        unit = current.loc[seg]
        if "text_sha" in sheet.columns:
            if "text" in sheet.columns and text_sha(row["text"]) != row["text_sha"]:
                add(
                    "error",
                    shown,
                    "text",
                    row["text"][:60],
                    "text edited in the sheet (does not match its text_sha)",
                    "leave text unchanged",
                )
            if row["text_sha"] != unit["text_sha"]:
                add(
                    "error",
                    shown,
                    "text_sha",
                    row["text_sha"][:12],
                    "text changed since export: the unit now reads differently",
                    "re-export the sheet (codes carry over) and re-read the unit",
                )
        if row.get("flag", ""):
            add(
                "warning",
                shown,
                "flag",
                row["flag"],
                "flagged at re-export",
                "confirm the codes, then clear the flag",
            )
        for d in cb.dimensions:
            if d.name not in sheet.columns:
                continue
            value = row[d.name]
            if value.strip() == "":
                if d.required:
                    add("warning", shown, d.name, value, "blank", _allowed_text(d))
                continue
            if d.kind == "category" and value.strip() not in d.choices:
                add("error", shown, d.name, value, "code not in the codebook", _allowed_text(d))
            elif d.kind == "quotation" and not evidence_in_text(value, unit["text"]):
                add(
                    "error",
                    shown,
                    d.name,
                    value,
                    "evidence not found in the unit's text",
                    "a contiguous quotation from the unit (spaces and quote style may differ)",
                )
        if {"frame", "frame_secondary"} <= set(sheet.columns):
            if (
                row["frame_secondary"].strip()
                and row["frame_secondary"].strip() == row["frame"].strip()
            ):
                add(
                    "error",
                    shown,
                    "frame_secondary",
                    row["frame_secondary"],
                    "secondary frame repeats the primary frame",
                    "a different frame, or blank for none",
                )
    for seg in units["seg_id"]:
        if seg not in seen:
            add(
                "error",
                seg,
                "seg_id",
                "",
                "missing unit: not in the sheet",
                "every exported unit; re-export to restore it",
            )
    return pd.DataFrame(problems, columns=PROBLEM_COLUMNS)


def _allowed_text(d: Dimension) -> str:
    if d.kind == "category":
        extra = " or blank" if not d.required else ""
        return ", ".join(d.choices) + extra
    if d.kind == "quotation":
        return "a quotation from the unit"
    return "free text"
