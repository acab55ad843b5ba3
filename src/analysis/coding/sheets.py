"""Coding sheets read and written: XLSX (dropdowns, protected text, instructions) or CSV, every
cell a string exactly as typed; a file about to be replaced is kept beside it first."""

from __future__ import annotations

import csv
import io
import itertools
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.coding.cells import cell_text, csv_escape, csv_unescape, xlsx_escape
from analysis.coding.codebook import Codebook, load_codebook
from analysis.errors import CodingError

# --------------------------------------------------------------------------- reading


def _read_csv_rows(path: Path) -> pd.DataFrame:
    try:
        frame = pd.read_csv(
            path, dtype=str, keep_default_na=False, na_filter=False, encoding="utf-8-sig"
        )
    except UnicodeDecodeError:
        raise CodingError(f"{path}: not UTF-8; save the sheet as CSV UTF-8 and retry") from None
    except pd.errors.ParserError as exc:
        raise CodingError(f"{path}: not a readable CSV ({exc})") from None
    except pd.errors.EmptyDataError:
        raise CodingError(f"{path}: the file is empty; export a new sheet") from None
    frame.columns = [csv_unescape(str(c)) for c in frame.columns]
    return frame.map(csv_unescape) if len(frame) else frame


def _read_xlsx_table(path: Path, sheet: str) -> pd.DataFrame | None:
    import zipfile

    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=False)
    except (InvalidFileException, zipfile.BadZipFile, OSError, KeyError, ValueError) as exc:
        raise CodingError(f"{path}: not a readable XLSX workbook ({exc})") from None
    try:
        if sheet not in wb.sheetnames:
            return None
        rows = [[cell_text(v) for v in row] for row in wb[sheet].iter_rows(values_only=True)]
    finally:
        wb.close()
    if not rows:
        return pd.DataFrame(dtype=str)
    header = rows[0]
    while header and header[-1] == "":
        header = header[:-1]
    body = [r[: len(header)] + [""] * (len(header) - len(r)) for r in rows[1:]]
    body = [r for r in body if any(v != "" for v in r)]
    return pd.DataFrame(body, columns=header, dtype=str)


def read_sheet(path: str | Path, *, sheet: str = "coding") -> pd.DataFrame:
    """Read a coder's sheet (XLSX or CSV) with every cell a string exactly as typed.

    Parameters
    ----------
    path : str or Path
        ``.xlsx`` or ``.csv`` file.
    sheet : str
        Worksheet to read from an XLSX (``"coding"``, or ``"orphans"``); for CSV the orphans
        live in ``NAME.orphans.csv`` and ``sheet="orphans"`` reads that file.

    Returns
    -------
    DataFrame
        The sheet's columns as in the file, all ``str`` (object) values, ``""`` for an empty
        cell: no ``"01"`` turned into 1, no ``"NA"`` into NaN. Excel numbers that a coder typed
        into a cell not formatted as text come back as their shortest decimal form (``2``).

    Raises
    ------
    CodingError
        When the file is missing, of an unknown type, unreadable or lacks the sheet.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        raise CodingError(f"{path}: a coding sheet must be .xlsx or .csv")
    if sheet != "coding" and suffix == ".csv":
        path = orphans_path(path)
        if not path.is_file():
            return pd.DataFrame(dtype=str)
    if not path.is_file():
        raise CodingError(f"{path}: no such file; check the path or export a sheet first")
    if suffix == ".csv":
        return _read_csv_rows(path)
    table = _read_xlsx_table(path, sheet)
    if table is None:
        if sheet == "coding":
            raise CodingError(
                f"{path}: no worksheet named 'coding'; is this a sheet exported by "
                "`python -m analysis sheet export`?"
            )
        return pd.DataFrame(dtype=str)
    return table


# --------------------------------------------------------------------------- writing


def orphans_path(path: Path) -> Path:
    return path.with_name(f"{path.stem}.orphans.csv")


def backup_path(path: Path) -> Path:
    """The first free ``NAME.bakN.EXT`` beside ``path``, where a file about to be replaced is
    kept."""
    for n in itertools.count(1):
        candidate = path.with_name(f"{path.stem}.bak{n}{path.suffix}")
        if not candidate.exists():
            return candidate
    raise AssertionError("unreachable")


def _write_csv(frame: pd.DataFrame, path: Path) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writerow([csv_escape(str(c)) for c in frame.columns])
    for row in frame.itertuples(index=False):
        writer.writerow([csv_escape(str(v)) for v in row])
    path.write_bytes(buffer.getvalue().encode("utf-8-sig"))


def _instructions_lines(cb: Codebook, *, coder: str, blind: bool) -> list[str]:
    lines = [
        cb.name,
        f"Codebook version {cb.version}. Coder: {coder}." + (" Blind sheet." if blind else ""),
        "",
        "How to code: fill the coloured columns of the 'coding' sheet; choose codes from the",
        "dropdowns; copy the evidence quotation from the unit's text; leave nothing in the grey",
        "columns changed. Save and return the file; check it: `python -m analysis sheet check`.",
        "A unit flagged in the 'flag' column changed since you coded it: re-read it and confirm.",
        "",
        "Coding unit: " + cb.unit,
        "",
        "General rules:",
        *[f"  - {r}" for r in cb.general_rules],
        "",
    ]
    for d in cb.dimensions:
        need = "required" if d.required else "optional"
        lines += [f"{d.name} ({d.label}; {need}): {d.definition}"]
        if d.blank_means:
            lines.append(f"  A blank cell means '{d.blank_means}'.")
        lines += [f"  Rule: {r}" for r in d.decision_rules]
        for c in d.codes:
            lines.append(f'  {c.code} = {c.label}: {c.definition} Example: "{c.example}"')
        lines.append("")
    return lines


def _write_xlsx(
    frame: pd.DataFrame,
    orphans: pd.DataFrame,
    path: Path,
    *,
    cb: Codebook,
    coder: str,
    blind: bool,
) -> None:
    import openpyxl
    from openpyxl.styles import Alignment, Font, PatternFill, Protection
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "coding"
    coded = set(cb.names)
    header_font = Font(bold=True)
    code_fill = PatternFill("solid", fgColor="FFF2CC")
    fixed_fill = PatternFill("solid", fgColor="EDEDED")

    def put(sheet: Any, row: int, col: int, value: str, *, locked: bool = True) -> Any:
        cell = sheet.cell(row=row, column=col)
        cell.value = xlsx_escape(value)
        cell.data_type = "s"  # never a formula, whatever the text starts with
        cell.quotePrefix = True
        cell.number_format = "@"
        cell.protection = Protection(locked=locked)
        return cell

    columns = list(frame.columns)
    for j, name in enumerate(columns, start=1):
        put(ws, 1, j, name).font = header_font
    for i, row in enumerate(frame.itertuples(index=False), start=2):
        for j, (name, value) in enumerate(zip(columns, row, strict=True), start=1):
            cell = put(ws, i, j, str(value), locked=name not in coded)
            cell.fill = code_fill if name in coded else fixed_fill
            if name in ("text", "evidence", "notes"):
                cell.alignment = Alignment(wrap_text=True, vertical="top")
            else:
                cell.alignment = Alignment(vertical="top")
    last = max(len(frame) + 1, 2)
    widths = {"text": 80, "evidence": 40, "notes": 40, "text_sha": 12, "seg_id": 18}
    for j, name in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(j)].width = widths.get(name, 16)
    ws.freeze_panes = "B2"

    lists = wb.create_sheet("codebook")
    for j, d in enumerate(cb.categorical, start=1):
        put(lists, 1, j, d.name).font = header_font
        for i, code in enumerate(d.choices, start=2):
            put(lists, i, j, code)
        letter = get_column_letter(j)
        ref = f"codebook!${letter}$2:${letter}${len(d.choices) + 1}"
        validation = DataValidation(
            type="list", formula1=f"={ref}", allow_blank=True, showDropDown=False
        )
        validation.error = f"Choose one of the {d.name} codes from the list."
        validation.errorTitle = f"Not a {d.name} code"
        validation.showErrorMessage = True
        target = get_column_letter(columns.index(d.name) + 1)
        validation.add(f"{target}2:{target}{last}")
        ws.add_data_validation(validation)
    lists.protection.sheet = True
    lists.sheet_state = "hidden"

    info = wb.create_sheet("instructions", 0)
    for i, line in enumerate(_instructions_lines(cb, coder=coder, blind=blind), start=1):
        put(info, i, 1, line).alignment = Alignment(wrap_text=False)
    info.column_dimensions["A"].width = 120
    info.protection.sheet = True

    if len(orphans):
        orphan_ws = wb.create_sheet("orphans")
        for j, name in enumerate(orphans.columns, start=1):
            put(orphan_ws, 1, j, str(name)).font = header_font
        for i, row in enumerate(orphans.itertuples(index=False), start=2):
            for j, value in enumerate(row, start=1):
                put(orphan_ws, i, j, str(value))
        orphan_ws.protection.sheet = True

    # protect the coding sheet: only the code columns (unlocked above) can be edited; column
    # widths, row heights and filters stay adjustable
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    ws.protection.formatRows = False
    ws.protection.autoFilter = False
    wb.active = wb.sheetnames.index("coding")
    buffer = io.BytesIO()
    wb.save(buffer)
    path.write_bytes(buffer.getvalue())


def write_sheet(
    frame: pd.DataFrame,
    path: str | Path,
    *,
    orphans: pd.DataFrame | None = None,
    codebook: Codebook | None = None,
    coder: str = "",
    blind: bool = False,
) -> Path:
    """Write a sheet table to XLSX or CSV with the injection-safe encoding; never mutates input.

    This is the writer behind :func:`export_sheet`; it overwrites ``path`` (callers that must
    keep a coder's work use ``export_sheet``, which backs the old file up first).

    Parameters
    ----------
    frame : DataFrame
        All-string table (columns as :func:`sheet_columns`).
    path : str or Path
        ``.xlsx`` or ``.csv``.
    orphans : DataFrame, optional
        Rows for the ``orphans`` sheet (XLSX) or ``NAME.orphans.csv`` (CSV).
    codebook : Codebook, optional
        For the dropdown lists and instructions (XLSX).
    coder : str
        Shown on the instructions sheet.
    blind : bool
        Shown on the instructions sheet.

    Returns
    -------
    Path
        The written file.
    """
    path = Path(path)
    cb = codebook or load_codebook()
    orphans = orphans if orphans is not None else pd.DataFrame()
    frame = frame.astype(str)
    if path.suffix.lower() == ".xlsx":
        _write_xlsx(frame, orphans.astype(str), path, cb=cb, coder=coder, blind=blind)
    elif path.suffix.lower() == ".csv":
        _write_csv(frame, path)
        if len(orphans):
            _write_csv(orphans.astype(str), orphans_path(path))
    else:
        raise CodingError(f"{path}: the output must end in .xlsx or .csv")
    return path
