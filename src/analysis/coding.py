"""Stance and frame coding: the codebook, coder sheets out and back, checks, merging and results.

The codebook (``data/codebook.toml``) defines the coded dimensions. ``export_sheet`` writes one
row per coding unit to an XLSX (dropdowns, protected text, instructions) or CSV sheet, carrying a
coder's earlier codes over when a sheet is exported again; ``read_sheet`` reads a sheet back with
every cell a string exactly as typed; ``check_sheet`` lists every problem at once;
``merge_sheets`` stacks sheets into one long table (seg_id, coder, dimension, code). The results
helpers cross-tabulate codes by actor, list frames in reading order and their runs, profile each
group's coded units and test association with methods suited to counts this small; the codebook
helpers tabulate its dimensions, codes and decision rules; ``corpus_coding`` finds and merges
the sheets that cover a corpus.

Sheet columns, in order: ``seg_id``, ``coder``, ``label``, ``doc_id``, ``actor_type``,
``organisation`` (the last four left out when blind), ``text``, ``text_sha``, ``flag`` (set by a
re-export), then one column per codebook dimension.

Formula injection: a cell whose text begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return must never run as a formula. In XLSX every cell is written as a string cell with the
quote-prefix style, so Excel and LibreOffice show it as text. In CSV such a value (and any value
that itself begins with an apostrophe) is written with one extra leading apostrophe, the OWASP
convention; ``read_sheet`` removes exactly one leading apostrophe from every CSV cell, so the
round trip is exact. Characters XML cannot carry (carriage return, other control characters) are
written in XLSX as the OOXML escape ``_xHHHH_`` (and a literal ``_xHHHH_`` as ``_x005F_xHHHH_``),
which Excel decodes and ``read_sheet`` reverses.
"""

from __future__ import annotations

import csv
import hashlib
import io
import itertools
import math
import re
import shutil
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from analysis.anchors import match_rows
from analysis.errors import CodingError

SheetFormat = Literal["xlsx", "csv"]

# Mirrors analysis.segment.ANALYSIS_KINDS (tests check they agree) without importing the
# segmenter, so reading and checking sheets does not pull in NLTK.
DEFAULT_KINDS: tuple[str, ...] = ("body", "list_item")
ID_COLUMNS: tuple[str, ...] = ("seg_id", "coder")
SOURCE_COLUMNS: tuple[str, ...] = ("label", "doc_id", "actor_type", "organisation")
TEXT_COLUMNS: tuple[str, ...] = ("text", "text_sha", "flag")
LONG_COLUMNS: list[str] = ["seg_id", "coder", "dimension", "code"]
PROBLEM_COLUMNS: list[str] = ["severity", "seg_id", "column", "value", "problem", "allowed"]
BLIND_PREFIX = "u-"
_DANGEROUS_START = ("=", "+", "-", "@", "\t", "\r")
_OOXML_ESCAPE = re.compile(r"_x[0-9A-Fa-f]{4}_")
_XML_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f]")
_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})

__all__ = [
    "Code",
    "Codebook",
    "CorpusCoding",
    "Dimension",
    "association_test",
    "association_tests",
    "blind_id",
    "check_sheet",
    "code_summary",
    "code_table",
    "code_table_wide",
    "code_units",
    "codebook_codes",
    "codebook_decision_rules",
    "codebook_dimensions",
    "codebook_markdown",
    "coded_profile",
    "coded_table",
    "coding_units",
    "corpus_coding",
    "evidence_in_text",
    "export_sheet",
    "frame_runs",
    "frame_sequence",
    "load_codebook",
    "merge_sheets",
    "read_sheet",
    "sheet_columns",
    "sheets_for_corpus",
    "text_sha",
    "write_sheet",
]


# --------------------------------------------------------------------------- codebook


@dataclass(frozen=True)
class Code:
    """One code of a categorical dimension, with its definition and a quoted example."""

    code: str
    label: str
    definition: str
    example: str
    example_seg: str


@dataclass(frozen=True)
class Dimension:
    """One coded column: a category (codes listed), a quotation or free text.

    ``codes_from`` names the dimension whose codes this one borrows (its ``codes`` start with
    them), "" when it defines its own.
    """

    name: str
    label: str
    kind: Literal["category", "quotation", "text"]
    required: bool
    definition: str
    decision_rules: tuple[str, ...]
    codes: tuple[Code, ...] = ()
    level: str = "nominal"
    blank_means: str = ""
    codes_from: str = ""

    @property
    def allowed(self) -> tuple[str, ...]:
        """The codes a coder may enter (empty for quotation and text dimensions)."""
        return tuple(c.code for c in self.codes)

    @property
    def choices(self) -> tuple[str, ...]:
        """The codes offered in the dropdown: ``allowed`` plus ``blank_means`` if any."""
        return self.allowed + ((self.blank_means,) if self.blank_means else ())


@dataclass(frozen=True)
class Codebook:
    """The whole codebook: metadata, general rules, refinement notes and the dimensions."""

    name: str
    version: str
    unit: str
    general_rules: tuple[str, ...]
    notes: str
    dimensions: tuple[Dimension, ...] = field(default_factory=tuple)

    @property
    def names(self) -> list[str]:
        """Dimension names in sheet order."""
        return [d.name for d in self.dimensions]

    @property
    def categorical(self) -> list[Dimension]:
        """The dimensions coded from a list (those agreement is computed on)."""
        return [d for d in self.dimensions if d.kind == "category"]

    def dimension(self, name: str) -> Dimension:
        """Return the dimension called ``name``."""
        for d in self.dimensions:
            if d.name == name:
                return d
        raise KeyError(name)


def _need(table: dict[str, Any], key: str, where: str, path: str) -> Any:
    if key not in table:
        raise CodingError(f"{path}: {where} lacks the required key {key!r}; add it to the codebook")
    return table[key]


def load_codebook(path: str | Path | None = None) -> Codebook:
    """Read and validate a codebook TOML file (default: the package's ``data/codebook.toml``).

    Parameters
    ----------
    path : str or Path, optional
        A codebook of the same structure, for a team's own dimensions.

    Returns
    -------
    Codebook

    Raises
    ------
    CodingError
        When the file is not valid TOML or a dimension or code lacks a required key, repeats a
        name, or refers to an unknown dimension in ``codes_from``.
    """
    if path is None:
        source = resources.files("analysis") / "data" / "codebook.toml"
        where = "analysis/data/codebook.toml"
        raw = source.read_bytes()
    else:
        where = str(path)
        try:
            raw = Path(path).read_bytes()
        except OSError as exc:
            raise CodingError(f"{where}: cannot read the codebook ({exc.strerror})") from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise CodingError(f"{where}: not a valid UTF-8 TOML codebook ({exc})") from None
    meta = _need(data, "codebook", "the file", where)
    dims: list[Dimension] = []
    by_name: dict[str, Dimension] = {}
    for i, d in enumerate(_need(data, "dimension", "the file", where), start=1):
        name = _need(d, "name", f"dimension #{i}", where)
        if name in by_name or name in ID_COLUMNS + SOURCE_COLUMNS + TEXT_COLUMNS:
            raise CodingError(f"{where}: dimension name {name!r} is repeated or reserved")
        kind = _need(d, "kind", f"dimension {name!r}", where)
        if kind not in ("category", "quotation", "text"):
            raise CodingError(
                f"{where}: dimension {name!r} has kind {kind!r}; use category, quotation or text"
            )
        codes: list[Code] = []
        if "codes_from" in d:
            if d["codes_from"] not in by_name:
                raise CodingError(
                    f"{where}: dimension {name!r} takes codes from unknown dimension "
                    f"{d['codes_from']!r}; define that dimension first"
                )
            codes = list(by_name[d["codes_from"]].codes)
        for j, c in enumerate(d.get("code", []), start=1):
            ctx = f"code #{j} of dimension {name!r}"
            codes.append(
                Code(
                    code=str(_need(c, "code", ctx, where)),
                    label=_need(c, "label", ctx, where),
                    definition=_need(c, "definition", ctx, where),
                    example=_need(c, "example", ctx, where),
                    example_seg=_need(c, "example_seg", ctx, where),
                )
            )
        if kind == "category" and not codes:
            raise CodingError(f"{where}: category dimension {name!r} lists no codes")
        seen = [c.code for c in codes]
        if len(set(seen)) != len(seen):
            raise CodingError(f"{where}: dimension {name!r} repeats a code: {seen}")
        dim = Dimension(
            name=name,
            label=_need(d, "label", f"dimension {name!r}", where),
            kind=kind,
            required=bool(d.get("required", False)),
            definition=_need(d, "definition", f"dimension {name!r}", where),
            decision_rules=tuple(d.get("decision_rules", ())),
            codes=tuple(codes),
            level=d.get("level", "nominal"),
            blank_means=d.get("blank_means", ""),
            codes_from=d.get("codes_from", ""),
        )
        dims.append(dim)
        by_name[name] = dim
    return Codebook(
        name=_need(meta, "name", "[codebook]", where),
        version=str(_need(meta, "version", "[codebook]", where)),
        unit=_need(meta, "unit", "[codebook]", where),
        general_rules=tuple(meta.get("general_rules", ())),
        notes=meta.get("notes", "").strip(),
        dimensions=tuple(dims),
    )


def codebook_markdown(codebook: Codebook | None = None) -> str:
    """Render the codebook as Markdown for coders (the committed ``docs/codebook.md``).

    Parameters
    ----------
    codebook : Codebook, optional
        Default: the package codebook.

    Returns
    -------
    str
        Markdown text ending in one newline.
    """
    cb = codebook or load_codebook()
    out = [
        f"# {cb.name}",
        "",
        f"Version {cb.version}. Generated from `src/analysis/data/codebook.toml` by",
        "`analysis.coding.codebook_markdown()`; edit the TOML, not this file.",
        "",
        "## Coding unit",
        "",
        cb.unit,
        "",
        "## General rules",
        "",
        *[f"- {r}" for r in cb.general_rules],
        "",
        "## Dimensions",
        "",
    ]
    for d in cb.dimensions:
        need = "required" if d.required else "optional"
        level = f", {d.level}" if d.kind == "category" else ""
        out += [f"### `{d.name}`: {d.label}", "", f"*{d.kind}, {need}{level}.* {d.definition}", ""]
        if d.blank_means:
            out += [f"A blank cell means `{d.blank_means}`.", ""]
        if d.decision_rules:
            out += ["Decision rules:", "", *[f"- {r}" for r in d.decision_rules], ""]
        if d.codes:
            out += ["| code | label | definition | example |", "|---|---|---|---|"]
            for c in d.codes:
                example = f"\u201c{c.example}\u201d ({c.example_seg})".replace("|", "\\|")
                out.append(
                    f"| `{c.code}` | {c.label} | {c.definition.replace('|', '/')} | {example} |"
                )
            out.append("")
    out += ["## Why these codes (refinement notes)", "", cb.notes, ""]
    return "\n".join(out)


DIMENSION_COLUMNS: list[str] = [
    "dimension",
    "label",
    "kind",
    "required",
    "level",
    "codes",
    "blank_means",
    "definition",
]
CODE_COLUMNS: list[str] = ["dimension", "code", "label", "definition", "example", "example_seg"]
RULE_COLUMNS: list[str] = ["dimension", "rule"]


def codebook_dimensions(codebook: Codebook | None = None) -> pd.DataFrame:
    """Tabulate the codebook's dimensions, one row each, in sheet order.

    Parameters
    ----------
    codebook : Codebook, optional
        Default: the package codebook.

    Returns
    -------
    DataFrame
        Columns ``dimension``, ``label``, ``kind`` (str), ``required`` (bool), ``level`` (str,
        the level of measurement of a category dimension, "" for quotation and text),
        ``codes`` (str, the allowed codes joined by ", "; "" when none), ``blank_means`` (str),
        ``definition`` (str).

    Examples
    --------
    >>> codebook_dimensions()["dimension"].tolist()[:3]
    ['frame', 'frame_secondary', 'stance_toward_state']
    """
    cb = codebook or load_codebook()
    records = [
        {
            "dimension": d.name,
            "label": d.label,
            "kind": d.kind,
            "required": d.required,
            "level": d.level if d.kind == "category" else "",
            "codes": ", ".join(d.allowed),
            "blank_means": d.blank_means,
            "definition": d.definition,
        }
        for d in cb.dimensions
    ]
    return pd.DataFrame(records, columns=DIMENSION_COLUMNS).astype({"required": bool})


_CITED_UNIT = re.compile(r"\b[a-z0-9][a-z0-9_.-]*?-[pdhscgbnfx]\d{2}(?:\.[a-z0-9]+)?\b")


def cited_units(text: str) -> list[str]:
    """The seg_ids a codebook text cites (``lfl-2022-p02``, ``gov-2024-p04.iv``), in order.

    Examples
    --------
    >>> cited_units("(lfl-2022-p02, 'a positive indicator') and gov-2024-p04.iv")
    ['lfl-2022-p02', 'gov-2024-p04.iv']
    """
    return list(dict.fromkeys(_CITED_UNIT.findall(text)))


def notes_cite_this_corpus(codebook: Codebook, segments: pd.DataFrame) -> bool:
    """Tell whether every unit the codebook's refinement notes cite is a unit of this corpus.

    The notes explain the codebook from the statements it was written on; a report on another
    corpus points to ``docs/codebook.md`` instead of quoting units the reader cannot see.
    """
    cited = cited_units(codebook.notes)
    return bool(cited) and set(cited) <= set(segments["seg_id"])


def codebook_examples(
    codes: pd.DataFrame,
    segments: pd.DataFrame,
    long: pd.DataFrame | None = None,
    *,
    words: int = 14,
) -> pd.DataFrame:
    """Give each code an example from the corpus in hand, or none.

    A code keeps its codebook example when the unit it is quoted from is in ``segments``.
    Otherwise, where the coding in use (``long``: ``seg_id``, ``dimension``, ``code``) has a unit
    coded with it, the example is the first such unit in reading order (its first ``words``
    words); otherwise the example is left empty, so that a report on another corpus never quotes
    a statement it does not contain.

    Returns
    -------
    DataFrame
        ``codes`` with ``example`` and ``example_seg`` replaced where needed and a column
        ``example_from`` (``codebook``, ``coding`` or ``""``).
    """
    seg_ids = list(segments["seg_id"])
    order = {s: i for i, s in enumerate(seg_ids)}
    text = dict(zip(segments["seg_id"], segments["text"], strict=True))
    out = codes.copy()
    out["example_from"] = ""
    for i, row in out.iterrows():
        if row["example_seg"] in order:
            out.at[i, "example_from"] = "codebook"
            continue
        found = []
        if long is not None and len(long):
            hits = long[(long["dimension"] == row["dimension"]) & (long["code"] == row["code"])]
            found = sorted((s for s in hits["seg_id"] if s in order), key=order.__getitem__)
        if found:
            first = text[found[0]].split()
            out.at[i, "example"] = " ".join(first[:words]) + (
                " \u2026" if len(first) > words else ""
            )
            out.at[i, "example_seg"] = found[0]
            out.at[i, "example_from"] = "coding"
        else:
            out.at[i, "example"] = ""
            out.at[i, "example_seg"] = ""
    return out


def codebook_codes(codebook: Codebook | None = None) -> pd.DataFrame:
    """Tabulate the codes of the categorical dimensions, each code under the dimension defining it.

    A dimension that takes its codes from another (``codes_from``, as ``frame_secondary`` takes
    those of ``frame``) lists only the codes it adds, so no definition is shown twice.

    Parameters
    ----------
    codebook : Codebook, optional
        Default: the package codebook.

    Returns
    -------
    DataFrame
        One row per code, dimensions in sheet order and codes in codebook order: ``dimension``,
        ``code``, ``label``, ``definition``, ``example`` (a quotation from a seed statement) and
        ``example_seg`` (the seg_id it is quoted from), all str.
    """
    cb = codebook or load_codebook()
    records = []
    for d in cb.categorical:
        borrowed = set(cb.dimension(d.codes_from).codes) if d.codes_from else set()
        records += [
            {
                "dimension": d.name,
                "code": c.code,
                "label": c.label,
                "definition": c.definition,
                "example": c.example,
                "example_seg": c.example_seg,
            }
            for c in d.codes
            if c not in borrowed
        ]
    return pd.DataFrame(records, columns=CODE_COLUMNS)


def codebook_decision_rules(codebook: Codebook | None = None) -> pd.DataFrame:
    """Tabulate the decision rules for hard cases, one row per rule.

    Parameters
    ----------
    codebook : Codebook, optional
        Default: the package codebook.

    Returns
    -------
    DataFrame
        Columns ``dimension`` and ``rule`` (str), dimensions in sheet order and each
        dimension's rules in codebook order; a dimension without rules has no row.
    """
    cb = codebook or load_codebook()
    records = [{"dimension": d.name, "rule": r} for d in cb.dimensions for r in d.decision_rules]
    return pd.DataFrame(records, columns=RULE_COLUMNS)


# --------------------------------------------------------------------------- units and ids


def text_sha(text: str) -> str:
    """Return the SHA-256 hex digest of a unit's text (UTF-8), as in the segments table."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def blind_id(seg_id: str) -> str:
    """Return the opaque unit id shown to a blind coder instead of ``seg_id``.

    The id is derived from the seg_id alone, so it is stable across re-exports and can be
    mapped back by anyone holding the segments table; it hides the source from a coder reading
    the sheet, which is what blind coding asks, not from a determined reader.
    """
    return BLIND_PREFIX + hashlib.sha256(seg_id.encode("utf-8")).hexdigest()[:10]


def coding_units(segments: pd.DataFrame, *, kinds: Iterable[str] = DEFAULT_KINDS) -> pd.DataFrame:
    """Select the coding units from a segments table, in reading order.

    Parameters
    ----------
    segments : DataFrame
        The segments table (``analysis.segment.segment_corpus``); needs ``seg_id``, ``doc_id``,
        ``kind``, ``label``, ``text``; ``text_sha``, ``actor_type``, ``organisation`` and
        ``position`` are used when present.
    kinds : iterable of str
        Unit kinds to code.

    Returns
    -------
    DataFrame
        A copy with the selected rows and a ``text_sha`` column (computed if absent).
    """
    missing = {"seg_id", "doc_id", "kind", "label", "text"} - set(segments.columns)
    if missing:
        raise CodingError(f"segments table lacks columns {sorted(missing)}")
    units = segments[segments["kind"].isin(tuple(kinds))].copy()
    if "text_sha" not in units.columns:
        units["text_sha"] = [text_sha(t) for t in units["text"]]
    for col in ("actor_type", "organisation"):
        if col not in units.columns:
            units[col] = ""
    return units.reset_index(drop=True)


def sheet_columns(codebook: Codebook | None = None, *, blind: bool = False) -> list[str]:
    """Return the column names of a coding sheet, in order."""
    cb = codebook or load_codebook()
    source = [] if blind else list(SOURCE_COLUMNS)
    return [*ID_COLUMNS, *source, *TEXT_COLUMNS, *cb.names]


# --------------------------------------------------------------------------- cell escaping


def _csv_escape(value: str) -> str:
    if value.startswith(_DANGEROUS_START) or value.startswith("'"):
        return "'" + value
    return value


def _csv_unescape(value: str) -> str:
    return value[1:] if value.startswith("'") else value


def _xlsx_escape(value: str) -> str:
    value = _OOXML_ESCAPE.sub(lambda m: "_x005F" + m.group(0), value)
    value = value.replace("\r", "_x000D_")
    return _XML_UNSAFE.sub(lambda m: f"_x{ord(m.group(0)):04X}_", value)


def _xlsx_unescape(value: str) -> str:
    return _OOXML_ESCAPE.sub(lambda m: chr(int(m.group(0)[2:6], 16)), value)


def _cell_to_str(value: Any) -> str:
    """Convert an openpyxl cell value to the string the coder typed (or saw)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return _xlsx_unescape(value)
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if hasattr(value, "isoformat"):
        text = value.isoformat()
        return text[:-9] if text.endswith("T00:00:00") else text
    return str(value)


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
    frame.columns = [_csv_unescape(str(c)) for c in frame.columns]
    return frame.map(_csv_unescape) if len(frame) else frame


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
        rows = [[_cell_to_str(v) for v in row] for row in wb[sheet].iter_rows(values_only=True)]
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
        path = _orphans_csv(path)
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


def _orphans_csv(path: Path) -> Path:
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
    writer.writerow([_csv_escape(str(c)) for c in frame.columns])
    for row in frame.itertuples(index=False):
        writer.writerow([_csv_escape(str(v)) for v in row])
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
        cell.value = _xlsx_escape(value)
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
            _write_csv(orphans.astype(str), _orphans_csv(path))
    else:
        raise CodingError(f"{path}: the output must end in .xlsx or .csv")
    return path


def _resolve_ids(sheet: pd.DataFrame, seg_ids: Iterable[str]) -> pd.Series:
    """Map a sheet's seg_id column (real or blind ids) to real seg_ids ('' when unknown)."""
    known = set(seg_ids)
    reverse = {blind_id(s): s for s in known}
    return sheet["seg_id"].map(lambda v: v if v in known else reverse.get(v, ""))


def _resolve_rows(sheet: pd.DataFrame, units: pd.DataFrame) -> pd.Series:
    """Map a sheet's rows to current seg_ids by id, and by text where the id has moved.

    A row whose text is still in the corpus under another seg_id (a paragraph was added or
    removed before it) is that unit (:func:`analysis.anchors.match_rows`, exact texts only);
    other rows keep what their id resolves to, so the checks can say what changed.
    """
    direct = _resolve_ids(sheet, units["seg_id"])
    if "text" not in sheet.columns or sheet.empty:
        return direct
    matched, _ = match_rows(
        pd.DataFrame({"seg_id": direct, "text": sheet["text"]}), units, fuzzy=False
    )
    by_text = pd.Series(matched["seg_id"].to_numpy(), index=sheet.index)
    return by_text.where(matched["status"].isin(["kept", "moved"]).to_numpy(), direct)


def export_sheet(
    segments: pd.DataFrame,
    path: str | Path,
    *,
    coder: str,
    format: SheetFormat | None = None,
    blind: bool = False,
    seed: int | None = None,
    kinds: Iterable[str] = DEFAULT_KINDS,
    codebook: Codebook | None = None,
) -> dict[str, Any]:
    """Write a coding sheet for one coder, keeping any work already in an existing sheet.

    If ``path`` exists, it is first copied to ``NAME.bakN.EXT`` (the lowest unused N) and its
    codes are carried over by content, not position (:func:`analysis.anchors.match_rows`): a
    unit whose text is unchanged keeps its codes and notes wherever it moved; a unit whose text
    was edited keeps them and gets a ``flag`` ("text changed since coded ...: re-read and
    confirm; it read: ...", with the earlier text); codes of text that no longer exists go to the
    orphans sheet (XLSX) or ``NAME.orphans.csv`` (CSV), together with any orphans from before;
    new text arrives uncoded. A flag the coder has not cleared stays. Nothing a coder typed is
    dropped.

    Parameters
    ----------
    segments : DataFrame
        Segments table (see :func:`coding_units`).
    path : str or Path
        Output file; its suffix decides the format unless ``format`` is given.
    coder : str
        Coder id written on every row (letters, digits, ``_``, ``-``, ``.``).
    format : {"xlsx", "csv"}, optional
        Must agree with the suffix when given.
    blind : bool
        Hide the source: seg_id replaced by :func:`blind_id`, and label, doc_id, actor_type,
        organisation left out.
    seed : int, optional
        Shuffle the rows with this seed (reading order when None).
    kinds : iterable of str
        Unit kinds to code.
    codebook : Codebook, optional
        Default: the package codebook.

    Returns
    -------
    dict
        ``path``, ``backup`` (Path or None), ``n_units``, ``n_carried`` (units with earlier
        codes: kept + moved + flagged), ``n_kept`` (same text, same seg_id), ``n_moved`` (same
        text, another seg_id), ``n_flagged`` (edited text), ``n_orphans`` (rows of codes whose
        text is gone, earlier orphans included) and ``n_new`` (units no earlier row matched).
    """
    path = Path(path)
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}", coder or ""):
        raise CodingError(
            f"coder id {coder!r} is not usable; use letters, digits, '_', '-' or '.' (max 64)"
        )
    suffix = path.suffix.lower().lstrip(".")
    if suffix not in ("xlsx", "csv"):
        raise CodingError(f"{path}: the output must end in .xlsx or .csv")
    if format is not None and format != suffix:
        raise CodingError(f"{path}: --format {format} does not match the file's suffix .{suffix}")
    cb = codebook or load_codebook()
    units = coding_units(segments, kinds=kinds)
    if units.empty:
        raise CodingError("no coding units of the requested kinds; check --kinds and the corpus")
    columns = sheet_columns(cb, blind=blind)
    sheet = pd.DataFrame({c: [""] * len(units) for c in columns}, dtype=object)
    sheet["seg_id"] = [blind_id(s) for s in units["seg_id"]] if blind else units["seg_id"]
    sheet["coder"] = coder
    for col in columns:
        if col in SOURCE_COLUMNS or col in ("text", "text_sha"):
            sheet[col] = units[col].astype(str).to_numpy()
    real_ids = units["seg_id"].to_list()

    backup: Path | None = None
    counts = {"n_kept": 0, "n_moved": 0, "n_edited": 0, "n_new": len(real_ids)}
    orphans = pd.DataFrame()
    if path.exists():
        old = read_sheet(path)
        if "seg_id" not in old.columns:
            raise CodingError(
                f"{path}: exists but is not a coding sheet (no seg_id column); "
                "choose another --out or move the file"
            )
        old_coders = set(old.get("coder", pd.Series(dtype=str))) - {""}
        if old_coders and old_coders != {coder}:
            raise CodingError(
                f"{path}: belongs to coder {sorted(old_coders)}, not {coder!r}; "
                "use another --out for a different coder"
            )
        old = old.assign(_real=_resolve_ids(old, real_ids))
        dims = [d for d in cb.names if d in old.columns]
        rows = pd.DataFrame({"seg_id": old["_real"], "text": old.get("text", "")})
        if "doc_id" in old.columns:
            rows["doc_id"] = old["doc_id"]
        matched, new_ids = match_rows(rows, units)
        position = {s: i for i, s in enumerate(real_ids)}
        counts["n_new"] = len(new_ids)
        for (_, previous), (_, m) in zip(old.iterrows(), matched.iterrows(), strict=True):
            typed = {d: previous[d] for d in dims if previous[d] != ""}
            if m["status"] == "orphaned" or not typed:
                continue
            i = position[m["seg_id"]]
            for d, v in typed.items():
                sheet.loc[i, d] = v
            counts[f"n_{m['status']}"] += 1
            earlier_flag = previous.get("flag", "")
            if m["status"] == "edited":
                before = " ".join(str(previous.get("text", "")).split())
                shown = before if len(before) <= 200 else before[:199] + "\u2026"
                sheet.loc[i, "flag"] = (
                    f"text changed since coded (similarity {m['similarity']:.2f}): re-read and "
                    f"confirm; it read: \u201c{shown}\u201d"
                )
            elif earlier_flag:
                sheet.loc[i, "flag"] = earlier_flag  # a flag the coder has not cleared stays
        lost = matched["status"].eq("orphaned").to_numpy()
        gone = old[lost].drop(columns="_real")
        gone = gone[[c for c in gone.columns if c in dims or c in ("seg_id", "text", "text_sha")]]
        gone = gone[gone[[d for d in dims if d in gone.columns]].ne("").any(axis=1)]
        orphans = pd.concat([read_sheet(path, sheet="orphans"), gone], ignore_index=True)
        orphans = orphans.fillna("").drop_duplicates()
        backup = backup_path(path)
        shutil.copy2(path, backup)
        if path.suffix.lower() == ".csv" and _orphans_csv(path).exists():
            shutil.copy2(_orphans_csv(path), _orphans_csv(backup))

    if seed is not None:
        order = np.random.default_rng(seed).permutation(len(sheet))
        sheet = sheet.iloc[order].reset_index(drop=True)
    write_sheet(sheet, path, orphans=orphans, codebook=cb, coder=coder, blind=blind)
    return {
        "path": path,
        "backup": backup,
        "n_units": len(sheet),
        "n_carried": counts["n_kept"] + counts["n_moved"] + counts["n_edited"],
        "n_kept": counts["n_kept"],
        "n_moved": counts["n_moved"],
        "n_flagged": counts["n_edited"],
        "n_orphans": len(orphans),
        "n_new": counts["n_new"],
    }


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
    real = _resolve_rows(sheet, units)
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
        real = _resolve_rows(table, units)
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
        real = _resolve_rows(sheet, units)
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


# --------------------------------------------------------------------------- results


def _one_coder(long: pd.DataFrame, coder: str | None) -> pd.DataFrame:
    coders = sorted(long["coder"].unique())
    if coder is None:
        if len(coders) != 1:
            raise CodingError(f"the table holds coders {coders}; pass coder= to choose one")
        coder = coders[0]
    if coder not in coders:
        raise CodingError(f"coder {coder!r} not in the table; coders present: {coders}")
    return long[long["coder"] == coder]


def _units_with(
    long: pd.DataFrame, segments: pd.DataFrame, dimension: str, by: str, coder: str | None
) -> pd.DataFrame:
    rows = _one_coder(long, coder)
    rows = rows[(rows["dimension"] == dimension) & (rows["code"] != "")]
    if by not in segments.columns:
        raise CodingError(f"segments table has no column {by!r} to group by")
    meta = segments[["seg_id", by]].drop_duplicates("seg_id")
    return rows.merge(meta, on="seg_id", how="left", validate="many_to_one")


def code_table(
    long: pd.DataFrame,
    segments: pd.DataFrame,
    *,
    dimension: str = "frame",
    by: str = "actor_type",
    coder: str | None = None,
    codebook: Codebook | None = None,
) -> pd.DataFrame:
    """Cross-tabulate one coder's codes of a dimension by a segment grouping column.

    Parameters
    ----------
    long : DataFrame
        Long coding table (:func:`merge_sheets`).
    segments : DataFrame
        Segments table holding ``seg_id`` and the ``by`` column.
    dimension : str
        Coded dimension (e.g. ``"frame"``, ``"stance_toward_state"``).
    by : str
        Grouping column of the segments table (``actor_type``, ``doc_id``, ...).
    coder : str, optional
        Coder to tabulate; required when the table holds several.
    codebook : Codebook, optional
        Supplies the code order and unused codes (shown with n = 0).

    Returns
    -------
    DataFrame
        Columns: the ``by`` column (str), ``code`` (str), ``n`` (int64, units), ``share``
        (float, n over the group's coded units), ``n_group`` (int64). Every code of the
        codebook appears for every group, in codebook order.
    """
    cb = codebook or load_codebook()
    rows = _units_with(long, segments, dimension, by, coder)
    try:
        codes = list(cb.dimension(dimension).allowed)
        if cb.dimension(dimension).blank_means:
            codes.append(cb.dimension(dimension).blank_means)
    except KeyError:
        codes = []
    codes += [c for c in sorted(rows["code"].unique()) if c not in codes]
    groups = list(dict.fromkeys(segments[by].astype(str)))
    counts = rows.groupby([rows[by].astype(str), "code"]).size()
    records = []
    for g in groups:
        n_group = int(sum(counts.get((g, c), 0) for c in codes))
        for c in codes:
            n = int(counts.get((g, c), 0))
            share = n / n_group if n_group else math.nan
            records.append({by: g, "code": c, "n": n, "share": share, "n_group": n_group})
    return pd.DataFrame(records, columns=[by, "code", "n", "share", "n_group"]).astype(
        {"n": "int64", "n_group": "int64"}
    )


def frame_sequence(
    long: pd.DataFrame,
    segments: pd.DataFrame,
    *,
    coder: str | None = None,
    dimensions: Sequence[str] = ("frame", "frame_secondary", "stance_toward_state"),
) -> pd.DataFrame:
    """List one coder's codes unit by unit in each statement's reading order.

    Returns
    -------
    DataFrame
        Columns ``doc_id``, ``seg_id``, ``label`` (str), ``order`` (int, 0-based among the
        document's coded units), then one str column per dimension ("" when not coded), and
        ``frame_change`` (bool, primary frame differs from the previous unit's; False first).
    """
    rows = _one_coder(long, coder)
    wide = rows[rows["dimension"].isin(dimensions)].pivot(
        index="seg_id", columns="dimension", values="code"
    )
    base = segments[segments["seg_id"].isin(wide.index)][["doc_id", "seg_id", "label"]]
    out = base.merge(wide, left_on="seg_id", right_index=True, how="left").reset_index(drop=True)
    for d in dimensions:
        out[d] = out[d].fillna("").astype(str) if d in out.columns else ""
    out.insert(3, "order", out.groupby("doc_id", sort=False).cumcount().astype("int64"))
    if "frame" in out.columns:
        previous = out.groupby("doc_id", sort=False)["frame"].shift()
        out["frame_change"] = previous.notna() & (out["frame"] != previous)
    return out


def coded_table(
    long: pd.DataFrame,
    segments: pd.DataFrame,
    *,
    coder: str | None = None,
    by: str = "actor_type",
    codebook: Codebook | None = None,
) -> pd.DataFrame:
    """Spread one coder's codes into a wide table, one row per coded unit in reading order.

    Parameters
    ----------
    long : DataFrame
        Long coding table (:func:`merge_sheets`).
    segments : DataFrame
        Segments (or coding units) table in reading order, holding ``seg_id`` and ``by``.
    coder : str, optional
        Coder to show; required when the table holds several.
    by : str
        Segment column placed beside ``seg_id`` (the actor group by default).
    codebook : Codebook, optional
        Supplies the column order; default the package codebook.

    Returns
    -------
    DataFrame
        ``seg_id`` (str), the ``by`` column, then one str column per dimension the coder coded,
        in codebook order (dimensions the codebook lacks follow, sorted); the column index is
        named ``dimension``. Rows follow ``segments``; units the coder coded that are not in
        ``segments`` are left out.

    Raises
    ------
    CodingError
        When ``coder`` is not in the table (or is needed and not given), or ``segments`` lacks
        ``by``.
    """
    cb = codebook or load_codebook()
    rows = _one_coder(long, coder)
    if by not in segments.columns:
        raise CodingError(f"segments table has no column {by!r} to show beside the codes")
    coded_ids = set(rows["seg_id"])
    present = set(rows["dimension"])
    columns = [d for d in cb.names if d in present] + sorted(present - set(cb.names))
    wide = (
        rows.pivot(index="seg_id", columns="dimension", values="code")
        .reindex(index=[s for s in segments["seg_id"] if s in coded_ids])
        .reindex(columns=columns)
        .reset_index()
    )
    group_of = segments.drop_duplicates("seg_id").set_index("seg_id")[by]
    wide.insert(1, by, wide["seg_id"].map(group_of))
    return wide


def code_units(
    coded: pd.DataFrame, *, dimension: str, codebook: Codebook | None = None
) -> pd.DataFrame:
    """Count the units given each code of one dimension in a wide coded table, with their ids.

    Parameters
    ----------
    coded : DataFrame
        Wide coded table (:func:`coded_table`) with ``seg_id`` and a ``dimension`` column.
    dimension : str
        The dimension to tally (e.g. ``"confidence"``).
    codebook : Codebook, optional
        Supplies the codes (listed with n = 0 when unused) and their order.

    Returns
    -------
    DataFrame
        One row per code: every code of the codebook in codebook order (and its ``blank_means``
        code), then codes the codebook lacks, sorted; blank cells are not counted. Columns
        ``code`` (str), ``n`` (int64, units), ``seg_ids`` (list of str, in table order).

    Raises
    ------
    CodingError
        When the table has no column ``dimension`` or no ``seg_id``.
    """
    missing = {"seg_id", dimension} - set(coded.columns)
    if missing:
        raise CodingError(f"coded table lacks columns {sorted(missing)}")
    cb = codebook or load_codebook()
    try:
        dim = cb.dimension(dimension)
        codes = [*dim.allowed, *((dim.blank_means,) if dim.blank_means else ())]
    except KeyError:
        codes = []
    values = coded[dimension].fillna("").astype(str)
    codes += sorted(set(values) - set(codes) - {""})
    records = [
        {
            "code": c,
            "n": int((values == c).sum()),
            "seg_ids": list(coded.loc[values == c, "seg_id"]),
        }
        for c in codes
    ]
    return pd.DataFrame(records, columns=["code", "n", "seg_ids"]).astype({"n": "int64"})


def code_table_wide(table: pd.DataFrame, *, by: str = "actor_type") -> pd.DataFrame:
    """Lay a :func:`code_table` out with one row per code and the groups side by side.

    Parameters
    ----------
    table : DataFrame
        From :func:`code_table` (``by``, ``code``, ``n``, ``share``).
    by : str
        The grouping column of ``table``.

    Returns
    -------
    DataFrame
        Index ``code`` in the order of ``table``; columns a two-level index (``n`` or ``share``,
        then each group, sorted).
    """
    return table.pivot(index="code", columns=by, values=["n", "share"]).reindex(
        list(dict.fromkeys(table["code"]))
    )


SUMMARY_COLUMNS: list[str] = [
    "n_group",
    "top_code",
    "n_top",
    "share_top",
    "n_codes_used",
    "code_counts",
]


def code_summary(table: pd.DataFrame, *, by: str = "actor_type") -> pd.DataFrame:
    """Summarise a :func:`code_table` per group: its most frequent code and the codes it used.

    Parameters
    ----------
    table : DataFrame
        From :func:`code_table` (``by``, ``code``, ``n``, ``share``, ``n_group``), codes in
        codebook order.
    by : str
        The grouping column of ``table``.

    Returns
    -------
    DataFrame
        One row per group in table order: ``by``, ``n_group`` (int64, coded units),
        ``top_code`` (str, the code with most units, ties to the first in table order; "" for a
        group without coded units), ``n_top`` (int64), ``share_top`` (float, NaN without coded
        units), ``n_codes_used`` (int64, codes given to at least one unit), ``code_counts``
        (dict of code to units, the used codes in table order).
    """
    records = []
    for group in dict.fromkeys(table[by]):
        rows = table[table[by] == group]
        used = rows[rows["n"] > 0]
        record: dict[str, Any] = {
            by: group,
            "n_group": int(rows["n_group"].iloc[0]),
            "top_code": "",
            "n_top": 0,
            "share_top": math.nan,
            "n_codes_used": len(used),
            "code_counts": {str(c): int(n) for c, n in zip(used["code"], used["n"], strict=True)},
        }
        if len(used):
            top = used.sort_values("n", ascending=False, kind="stable").iloc[0]
            record |= {
                "top_code": str(top["code"]),
                "n_top": int(top["n"]),
                "share_top": float(top["share"]),
            }
        records.append(record)
    out = pd.DataFrame(records, columns=[by, *SUMMARY_COLUMNS])
    return out.astype({"n_group": "int64", "n_top": "int64", "n_codes_used": "int64"})


def coded_profile(
    coded: pd.DataFrame,
    *,
    groups: Sequence[str] | None = None,
    by: str = "actor_type",
    frame: str = "frame",
    stance: str = "stance_toward_state",
    stance_codes: Sequence[str] = ("critical", "supportive"),
) -> pd.DataFrame:
    """Profile each group's coded units: its most frequent frame, its stances, and the units.

    Parameters
    ----------
    coded : DataFrame
        Wide coded table (:func:`coded_table`): ``seg_id``, ``by``, ``frame`` and ``stance``
        columns, units in reading order.
    groups : sequence of str, optional
        Groups to profile, in this order; default every group of ``coded`` in table order.
        Groups without a coded unit get no row.
    by : str
        The grouping column.
    frame, stance : str
        The dimensions read as primary frame and stance.
    stance_codes : sequence of str
        Stance codes whose units and share are given their own columns.

    Returns
    -------
    DataFrame
        One row per group with coded units: ``by``, ``n_units`` (int64), ``top_frame`` (str,
        the most frequent frame; ties to the first met in reading order), ``n_top_frame``
        (int64), ``top_frame_units`` (list of str, seg_ids in reading order),
        ``stance_counts`` (dict of stance to units, most frequent first, ties in order of first
        appearance), then for each code of ``stance_codes``: ``<code>_units`` (list of str)
        and ``share_<code>`` (float, of the group's coded units).

    Raises
    ------
    CodingError
        When ``coded`` lacks ``seg_id``, ``by``, ``frame`` or ``stance``.
    """
    missing = {"seg_id", by, frame, stance} - set(coded.columns)
    if missing:
        raise CodingError(f"coded table lacks columns {sorted(missing)}")
    columns = [by, "n_units", "top_frame", "n_top_frame", "top_frame_units", "stance_counts"]
    for code in stance_codes:
        columns += [f"{code}_units", f"share_{code}"]
    records = []
    for group in dict.fromkeys(coded[by]) if groups is None else groups:
        units = coded[coded[by] == group]
        if units.empty:
            continue
        frame_counts = units[frame].value_counts()
        top = frame_counts.index[0]
        record: dict[str, Any] = {
            by: group,
            "n_units": len(units),
            "top_frame": str(top),
            "n_top_frame": int(frame_counts.iloc[0]),
            "top_frame_units": list(units.loc[units[frame] == top, "seg_id"]),
            "stance_counts": {str(s): int(n) for s, n in units[stance].value_counts().items()},
        }
        for code in stance_codes:
            chosen = units[stance] == code
            record[f"{code}_units"] = list(units.loc[chosen, "seg_id"])
            record[f"share_{code}"] = float(chosen.mean())
        records.append(record)
    out = pd.DataFrame(records, columns=columns)
    return out.astype({"n_units": "int64", "n_top_frame": "int64"})


RUN_COLUMNS: list[str] = [
    "doc_id",
    "run",
    "frame",
    "first_label",
    "last_label",
    "first_seg_id",
    "last_seg_id",
    "n_units",
]


def frame_runs(sequence: pd.DataFrame) -> pd.DataFrame:
    """Collapse a frame sequence into runs of consecutive units with the same primary frame.

    Parameters
    ----------
    sequence : DataFrame
        Units in reading order with ``doc_id``, ``seg_id``, ``label`` and ``frame`` (as from
        :func:`frame_sequence`); a document's units are contiguous.

    Returns
    -------
    DataFrame
        One row per run, documents and runs in reading order: ``doc_id`` (str), ``run``
        (int64, 0-based within the document), ``frame`` (str), ``first_label``,
        ``last_label``, ``first_seg_id``, ``last_seg_id`` (str, the run's first and last
        units), ``n_units`` (int64). A run never crosses a document boundary.

    Examples
    --------
    Frames A A B A in one document make three runs: A (units 1-2), B (3), A (4).
    """
    missing = {"doc_id", "seg_id", "label", "frame"} - set(sequence.columns)
    if missing:
        raise CodingError(f"frame sequence lacks columns {sorted(missing)}")
    if sequence.empty:
        return pd.DataFrame(columns=RUN_COLUMNS).astype({"run": "int64", "n_units": "int64"})
    previous = sequence.groupby("doc_id", sort=False)["frame"].shift()
    starts = previous.isna() | (sequence["frame"] != previous)
    run = starts.groupby(sequence["doc_id"], sort=False).cumsum() - 1
    runs = (
        sequence.assign(run=run)
        .groupby(["doc_id", "run"], sort=False)
        .agg(
            frame=("frame", "first"),
            first_label=("label", "first"),
            last_label=("label", "last"),
            first_seg_id=("seg_id", "first"),
            last_seg_id=("seg_id", "last"),
            n_units=("seg_id", "size"),
        )
        .reset_index()
    )
    return runs[RUN_COLUMNS].astype({"run": "int64", "n_units": "int64"})


ASSOCIATION_CAVEAT = (
    "Units are paragraphs of one statement per actor, so they are not independent samples and "
    "the actor is confounded with the document, its genre and its occasion: the test asks only "
    "whether codes are distributed across the actor's paragraphs differently from a random "
    "relabelling, and with a few dozen units it has little power. Read it as a description of "
    "these two texts, not as evidence about actors in general."
)


def _chi2_stat(table: np.ndarray) -> np.ndarray:
    """Pearson chi-square of one table or a stack of tables with the same margins."""
    rows = table.sum(axis=-1, keepdims=True)
    cols = table.sum(axis=-2, keepdims=True)
    total = table.sum(axis=(-2, -1), keepdims=True)
    expected = rows * cols / total
    return ((table - expected) ** 2 / expected).sum(axis=(-2, -1))


def association_test(
    long: pd.DataFrame,
    segments: pd.DataFrame,
    *,
    dimension: str = "frame",
    by: str = "actor_type",
    coder: str | None = None,
    n_perm: int = 9999,
    seed: int = 0,
) -> dict[str, Any]:
    """Test whether one coder's codes are associated with a grouping, with small-count methods.

    A 2 x 2 table (after dropping codes no unit received) uses Fisher's exact test
    (``scipy.stats.fisher_exact``, two-sided). A larger table uses a permutation test of the
    Pearson chi-square statistic: the group labels are shuffled across units ``n_perm`` times
    with a seeded generator and p = (1 + #{chi2_perm >= chi2_obs}) / (n_perm + 1), which needs no
    minimum expected count.

    Returns
    -------
    dict
        ``method`` (str), ``table`` (DataFrame, codes x groups counts), ``statistic`` (float:
        odds ratio for Fisher, chi-square otherwise), ``p_value`` (float), ``n_units`` (int),
        ``n_perm`` (int, 0 for Fisher), ``seed`` (int), ``caveat`` (str).
    """
    from scipy.stats import fisher_exact

    rows = _units_with(long, segments, dimension, by, coder)
    table = pd.crosstab(rows["code"], rows[by].astype(str))
    result: dict[str, Any] = {
        "table": table,
        "n_units": int(len(rows)),
        "seed": seed,
        "caveat": ASSOCIATION_CAVEAT,
    }
    if table.shape[0] < 2 or table.shape[1] < 2:
        return result | {
            "method": "none (a single code or group)",
            "statistic": math.nan,
            "p_value": math.nan,
            "n_perm": 0,
        }
    if table.shape == (2, 2):
        res = fisher_exact(table.to_numpy())
        return result | {
            "method": "fisher_exact",
            "statistic": float(res.statistic),
            "p_value": float(res.pvalue),
            "n_perm": 0,
        }
    codes = pd.Categorical(rows["code"], categories=table.index)
    groups = pd.Categorical(rows[by].astype(str), categories=table.columns)
    code_hot = np.eye(len(table.index))[codes.codes]
    rng = np.random.default_rng(seed)
    group_idx = np.stack([rng.permutation(groups.codes) for _ in range(n_perm)])
    group_hot = np.eye(len(table.columns))[group_idx]  # perm x units x groups
    perm_tables = np.einsum("uc,pug->pcg", code_hot, group_hot)
    observed = float(_chi2_stat(table.to_numpy().astype(float)))
    stats = _chi2_stat(perm_tables)
    p = (1 + int((stats >= observed - 1e-12).sum())) / (n_perm + 1)
    return result | {
        "method": "permutation chi-square",
        "statistic": observed,
        "p_value": p,
        "n_perm": n_perm,
    }


ASSOCIATION_COLUMNS: list[str] = [
    "dimension",
    "n_units",
    "seed",
    "caveat",
    "method",
    "statistic",
    "p_value",
    "n_perm",
]


def association_tests(
    long: pd.DataFrame,
    segments: pd.DataFrame,
    *,
    dimensions: Sequence[str] = ("frame", "stance_toward_state"),
    by: str = "actor_type",
    coder: str | None = None,
    n_perm: int = 9999,
    seed: int = 0,
) -> tuple[pd.DataFrame, dict[str, pd.DataFrame]]:
    """Run :func:`association_test` on several dimensions and tabulate the results.

    Parameters
    ----------
    long, segments, by, coder, n_perm, seed
        As in :func:`association_test`; every dimension is tested with the same seed.
    dimensions : sequence of str
        The coded dimensions to test, in the order of the result.

    Returns
    -------
    tuple of (DataFrame, dict)
        The results, one row per dimension: ``dimension`` (str), ``n_units`` (int64),
        ``seed`` (int64), ``caveat`` (str), ``method`` (str), ``statistic``, ``p_value``
        (float), ``n_perm`` (int64); and each dimension's codes x groups count table.
    """
    records = []
    tables: dict[str, pd.DataFrame] = {}
    for dimension in dimensions:
        result = association_test(
            long, segments, dimension=dimension, by=by, coder=coder, n_perm=n_perm, seed=seed
        )
        tables[dimension] = result["table"]
        records.append({"dimension": dimension} | {k: result[k] for k in ASSOCIATION_COLUMNS[1:]})
    summary = pd.DataFrame(records, columns=ASSOCIATION_COLUMNS).astype(
        {
            "n_units": "int64",
            "seed": "int64",
            "n_perm": "int64",
            "statistic": float,
            "p_value": float,
        }
    )
    return summary, tables
