"""Merge coders' sheets into one long table (seg_id, coder, dimension, code), and find and merge
the sheets that cover a corpus."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.coding.check import check_sheet
from analysis.coding.codebook import Codebook, load_codebook
from analysis.coding.schema import DEFAULT_KINDS, LONG_COLUMNS
from analysis.coding.sheets import read_sheet
from analysis.coding.units import coding_units, resolve_rows
from analysis.errors import CodingError

# --------------------------------------------------------------------------- merging


def merge_sheets(
    sheets: Sequence[pd.DataFrame | str | Path],
    segments: pd.DataFrame,
    *,
    codebook: Codebook | None = None,
    kinds: Iterable[str] = DEFAULT_KINDS,
    check: bool = True,
) -> pd.DataFrame:
    """Stack coders' sheets into one long table of codes.

    Parameters
    ----------
    sheets : sequence of DataFrame, str or Path
        Sheets (tables from :func:`read_sheet`, or paths), one coder each.
    segments : DataFrame
        The current segments table.
    codebook : Codebook, optional
        Default: the package codebook.
    kinds : iterable of str
        Unit kinds the sheets cover.
    check : bool
        Run :func:`check_sheet` first and refuse sheets with errors.

    Returns
    -------
    DataFrame
        Columns ``seg_id``, ``coder``, ``dimension``, ``code`` (all str), one row per unit, coder
        and dimension, sorted by coder, reading order, codebook order. A blank cell is ``""``
        except in a dimension with ``blank_means`` (``frame_secondary``: ``"none"``). Blind ids
        are mapped back to seg_ids.

    Raises
    ------
    CodingError
        When a sheet has errors (with ``check``), or two sheets carry the same coder id.
    """
    cb = codebook or load_codebook()
    units = coding_units(segments, kinds=kinds)
    order = {s: i for i, s in enumerate(units["seg_id"])}
    frames = []
    coders_seen: dict[str, str] = {}
    for item in sheets:
        name = str(item) if not isinstance(item, pd.DataFrame) else "<table>"
        table = item if isinstance(item, pd.DataFrame) else read_sheet(item)
        if check:
            problems = check_sheet(table, segments, codebook=cb, kinds=kinds)
            # a unit added after the sheet was exported has no codes from this coder yet: its
            # codes are missing (agreement allows that), the sheet's other rows still count
            errors = problems[
                (problems["severity"] == "error")
                & ~problems["problem"].str.startswith("missing unit")
            ]
            if len(errors):
                first = errors.iloc[0]
                raise CodingError(
                    f"{name}: {len(errors)} error(s), first: {first['seg_id']} "
                    f"{first['column']}={first['value']!r}: {first['problem']}; run "
                    f"`python -m analysis sheet check {name}` for the full list"
                )
        if "seg_id" not in table.columns or "coder" not in table.columns:
            raise CodingError(f"{name}: not a coding sheet (needs seg_id and coder columns)")
        coder = next((c for c in table["coder"] if c), "")
        if coder in coders_seen:
            raise CodingError(
                f"{name}: coder {coder!r} also coded {coders_seen[coder]}; "
                "merge one sheet per coder"
            )
        coders_seen[coder] = name
        real = resolve_rows(table, units)
        for d in cb.dimensions:
            if d.name not in table.columns:
                continue
            codes = table[d.name].str.strip() if d.kind == "category" else table[d.name]
            if d.blank_means:
                codes = codes.where(codes != "", d.blank_means)
            frames.append(
                pd.DataFrame(
                    {"seg_id": real, "coder": table["coder"], "dimension": d.name, "code": codes}
                )
            )
    if not frames:
        return pd.DataFrame(columns=LONG_COLUMNS, dtype=str)
    long = pd.concat(frames, ignore_index=True)
    long = long[long["seg_id"] != ""]
    dim_order = {n: i for i, n in enumerate(cb.names)}
    long = long.assign(
        _o=long["seg_id"].map(order), _d=long["dimension"].map(dim_order)
    ).sort_values(["coder", "_o", "_d"], kind="stable")
    return long[LONG_COLUMNS].reset_index(drop=True).astype(str)


SHEET_COLUMNS: list[str] = [
    "path",
    "coder",
    "n_rows",
    "n_units",
    "n_matched",
    "n_errors",
    "usable",
    "reason",
]
_NOT_A_SHEET = re.compile(r"\.(bak\d+|orphans|not-imported)$")


def sheets_for_corpus(
    segments: pd.DataFrame,
    files: Iterable[str | Path] | None = None,
    *,
    folder: str | Path | None = None,
    kinds: Iterable[str] = DEFAULT_KINDS,
    codebook: Codebook | None = None,
) -> pd.DataFrame:
    """Find the coding sheets that cover a corpus's coding units, and say why the others do not.

    A sheet is usable for a corpus when it has exactly one row for every coding unit of the
    corpus and no other row (blind ids are mapped back) and :func:`check_sheet` finds no error
    in it. Sheets coded on another corpus (no unit in common), on part of it, or with errors are
    listed with the reason they are left out, so a report can say which coding it used.

    Parameters
    ----------
    segments : DataFrame
        The current segments table (see :func:`coding_units`).
    files : iterable of str or Path, optional
        The sheets to consider. Default: every ``.csv`` and ``.xlsx`` file directly in
        ``folder``, sorted by name, except re-export backups (``NAME.bakN.EXT``) and orphans
        files (``NAME.orphans.csv``).
    folder : str or Path, optional
        Folder searched when ``files`` is None; default the project's ``coding/``.
    kinds : iterable of str
        Unit kinds the sheets should cover.
    codebook : Codebook, optional
        Default: the package codebook.

    Returns
    -------
    DataFrame
        One row per sheet considered, in the order given (or by name): ``path`` (str),
        ``coder`` (str, the first non-blank coder id, "" if none), ``n_rows`` (int64, rows in
        the sheet), ``n_units`` (int64, coding units of the corpus), ``n_matched`` (int64, rows
        naming a unit of the corpus), ``n_errors`` (int64, errors found by :func:`check_sheet`),
        ``usable`` (bool), ``reason`` (str, why the sheet is left out; "" when usable).

    Raises
    ------
    CodingError
        When a file given in ``files`` does not exist, or ``folder`` is not a folder.
    """
    from analysis import paths

    cb = codebook or load_codebook()
    kinds = tuple(kinds)
    units = coding_units(segments, kinds=kinds)
    if files is None:
        where = Path(folder) if folder is not None else paths.CODING
        if folder is not None and not where.is_dir():
            raise CodingError(f"{where}: not a folder of coding sheets")
        found = sorted(where.iterdir(), key=lambda p: p.name) if where.is_dir() else []
        candidates = [
            p
            for p in found
            if p.is_file()
            and p.suffix.lower() in (".csv", ".xlsx")
            and not p.name.startswith(".")
            and not _NOT_A_SHEET.search(p.stem)
        ]
    else:
        candidates = [Path(f) for f in files]
        missing = [str(p) for p in candidates if not p.is_file()]
        if missing:
            raise CodingError(
                f"coding sheet(s) {', '.join(missing)} do not exist; check the coding_files paths"
            )
    records = []
    for path in candidates:
        record: dict[str, Any] = {
            "path": str(path),
            "coder": "",
            "n_rows": 0,
            "n_units": len(units),
            "n_matched": 0,
            "n_errors": 0,
            "usable": False,
            "reason": "",
        }
        try:
            sheet = read_sheet(path)
        except CodingError as exc:
            records.append(record | {"reason": f"not readable as a coding sheet: {exc}"})
            continue
        if "seg_id" not in sheet.columns or "coder" not in sheet.columns:
            records.append(
                record
                | {
                    "n_rows": len(sheet),
                    "reason": "not a coding sheet (no seg_id and coder columns)",
                }
            )
            continue
        real = resolve_rows(sheet, units)
        matched = int((real != "").sum())
        record |= {
            "coder": next((c for c in sheet["coder"] if c), ""),
            "n_rows": len(sheet),
            "n_matched": matched,
        }
        if matched == 0:
            record["reason"] = "codes another corpus: no row names a unit of this corpus"
        elif matched < len(sheet) or set(real) - {""} != set(units["seg_id"]):
            covered = len(set(real) - {""})
            other = len(sheet) - matched
            record["reason"] = (
                f"covers {covered} of this corpus's {len(units)} units"
                + (f" and has {other} row(s) naming units of another corpus" if other else "")
                + "; export a sheet for this corpus (`python -m analysis sheet export`)"
            )
        else:
            problems = check_sheet(sheet, segments, codebook=cb, kinds=kinds)
            errors = problems[problems["severity"] == "error"]
            record["n_errors"] = len(errors)
            if len(errors):
                first = errors.iloc[0]
                record["reason"] = (
                    f"{len(errors)} error(s), first: {first['seg_id']} {first['column']}: "
                    f"{first['problem']}; run `python -m analysis sheet check {path}`"
                )
            else:
                record["usable"] = True
        records.append(record)
    out = pd.DataFrame(records, columns=SHEET_COLUMNS)
    return out.astype({c: "int64" for c in ("n_rows", "n_units", "n_matched", "n_errors")}).astype(
        {"usable": bool}
    )


@dataclass(frozen=True, eq=False)  # holds DataFrames, which have no single truth value
class CorpusCoding:
    """The coding sheets found for a corpus and the codes of those that cover it.

    Attributes
    ----------
    sheets : DataFrame
        Every sheet considered, as :func:`sheets_for_corpus` lists it but with ``sheet`` (the
        file name, without its folder) as first column in place of ``path``.
    long : DataFrame
        The usable sheets merged by :func:`merge_sheets` (columns :data:`LONG_COLUMNS`, str);
        empty with those columns when no sheet covers the corpus.
    coders : tuple of str
        The coder ids in ``long``, sorted.
    coder : str or None
        The coding the results tables use: the preferred coder when present, else the first
        coder, None without coders.
    """

    sheets: pd.DataFrame
    long: pd.DataFrame
    coders: tuple[str, ...]
    coder: str | None


def corpus_coding(
    segments: pd.DataFrame,
    files: Iterable[str | Path] | None = None,
    *,
    folder: str | Path | None = None,
    kinds: Iterable[str] = DEFAULT_KINDS,
    codebook: Codebook | None = None,
    prefer: str = "reference",
) -> CorpusCoding:
    """Find the sheets that cover a corpus, merge them, and choose the coding to report.

    Parameters
    ----------
    segments : DataFrame
        The current segments table (see :func:`coding_units`).
    files : iterable of str or Path, optional
        The sheets to consider; default the sheets in ``folder`` (see :func:`sheets_for_corpus`).
    folder : str or Path, optional
        Folder searched when ``files`` is None; default the project's ``coding/``.
    kinds : iterable of str
        Unit kinds the sheets should cover.
    codebook : Codebook, optional
        Default: the package codebook.
    prefer : str
        Coder whose coding the results use when several coded the corpus (default the
        project's reference coding).

    Returns
    -------
    CorpusCoding

    Raises
    ------
    CodingError
        As :func:`sheets_for_corpus` (a file given does not exist, a folder is not one).
    """
    cb = codebook or load_codebook()
    kinds = tuple(kinds)
    found = sheets_for_corpus(segments, files, folder=folder, kinds=kinds, codebook=cb)
    # the file name, whichever separator the path was written with
    names = found["path"].str.replace("\\", "/").str.rsplit("/", n=1).str[-1]
    sheets = found.assign(sheet=names)
    sheets = sheets[["sheet", *[c for c in sheets.columns if c not in ("sheet", "path")]]]
    usable = list(found.loc[found["usable"], "path"])
    long = (
        merge_sheets(usable, segments, codebook=cb, kinds=kinds)
        if usable
        else pd.DataFrame(columns=LONG_COLUMNS, dtype=str)
    )
    coders = tuple(sorted(str(c) for c in long["coder"].unique()))
    coder = prefer if prefer in coders else (coders[0] if coders else None)
    return CorpusCoding(sheets=sheets, long=long, coders=coders, coder=coder)
