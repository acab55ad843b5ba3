"""The manifest: its columns, read and checked row by row (ids, paths inside the corpus folder,
dates, paragraph layouts), every problem named with its row and what to do."""

from __future__ import annotations

import csv
import datetime as dt
import os
import re
from pathlib import Path

import pandas as pd

from analysis import paths
from analysis.errors import CorpusError
from analysis.schema import MANIFEST_OPTIONAL, MANIFEST_REQUIRED

REQUIRED_COLUMNS = MANIFEST_REQUIRED
OPTIONAL_COLUMNS = MANIFEST_OPTIONAL
DEFAULT_MAX_BYTES = 20_000_000
_DOC_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
_DRIVE = re.compile(r"^[A-Za-z]:")
# C0 control bytes other than tab, newline and carriage return: a few in a text file are noise,
# many mean the file is binary.
CONTROL_BYTES = bytes([*range(0, 9), 11, 12, *range(14, 32)])


def read_manifest(
    manifest: str | Path | None = None, *, validate_rows: bool = True
) -> pd.DataFrame:
    """Read and validate a manifest CSV; return it with every cell a string.

    Parameters
    ----------
    manifest
        Path to the manifest; ``None`` means the project's ``seeds/manifest.csv``.
    validate_rows
        Raise on bad rows (empty required cells, bad ids, dates, hashes or layouts), listing
        every bad row at once; :func:`analysis.check.check_corpus` passes False and reports
        them itself.

    Returns
    -------
    DataFrame
        The manifest's columns as strings (optional columns missing from the file are added
        empty), plus ``manifest_row`` (int, the 1-based line number in the file),
        ``abs_path`` (the document's resolved path) and ``manifest_path`` (the manifest's path).
    """
    path = Path(manifest) if manifest is not None else paths.MANIFEST
    if path.is_dir():
        raise CorpusError(
            f"manifest {path} is a folder, not a file; pass the manifest CSV inside it "
            f"(for example {path / 'manifest.csv'})"
        )
    if not path.is_file():
        raise CorpusError(f"manifest {path} does not exist; pass the path of a manifest CSV")
    text = _decode_manifest(path.read_bytes(), path)
    rows = list(csv.reader(text.splitlines()))
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise CorpusError(
            f"manifest {path} is empty; it needs a header row and one row per document"
        )
    header = [h.strip() for h in rows[0]]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        for name, sep in (("semicolon", ";"), ("tab", "\t"), ("pipe", "|")):
            if len(header) == 1 and all(c in header[0] for c in ("doc_id", sep)):
                raise CorpusError(
                    f"manifest {path} looks {name}-separated ({sep!r} between the columns); "
                    "save it as a comma-separated CSV (in a spreadsheet: Save As, CSV UTF-8, "
                    "comma-delimited)"
                )
        raise CorpusError(
            f"manifest {path} lacks required column(s) {', '.join(missing)}; "
            f"required: {', '.join(REQUIRED_COLUMNS)}"
        )
    dupes = sorted({h for h in header if header.count(h) > 1})
    if dupes:
        raise CorpusError(f"manifest {path} repeats column(s) {', '.join(dupes)}")
    records = []
    for line_no, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue  # blank line
        if len(row) != len(header):
            raise CorpusError(
                f"manifest {path} row {line_no}: {len(row)} fields but the header has "
                f"{len(header)}; quote values that contain commas"
            )
        record: dict[str, str | int] = {
            h: cell.strip() for h, cell in zip(header, row, strict=True)
        }
        record["manifest_row"] = line_no
        records.append(record)
    if not records:
        raise CorpusError(
            f"manifest {path} has a header but no documents; add one row per document"
        )
    frame = pd.DataFrame.from_records(records)
    for col in OPTIONAL_COLUMNS:
        if col not in frame.columns:
            frame[col] = ""
    resolve = PathResolver(path.parent)
    frame["abs_path"] = [resolve(p) for p in frame["path"]]
    if validate_rows:
        _validate_rows(frame, path)
    frame["manifest_path"] = str(path)
    return frame


class PathResolver:
    """Resolve many document paths given relative to one folder, as ``Path.resolve()`` would
    (links followed, ``..`` applied), with each directory resolved once: a document then costs
    one ``lstat`` (is it a link?) instead of one per component of its path."""

    def __init__(self, folder: Path) -> None:
        self.folder = str(folder)
        self.dirs: dict[str, str] = {}

    def __call__(self, document: str) -> str:
        joined = os.path.join(self.folder, document)
        parent, name = os.path.split(joined)
        if name in ("", ".", ".."):
            return os.path.realpath(joined)
        real = self.dirs.get(parent)
        if real is None:
            real = self.dirs[parent] = os.path.realpath(parent)
        candidate = os.path.join(real, name)
        return os.path.realpath(candidate) if os.path.islink(candidate) else candidate


def _decode_manifest(raw: bytes, path: Path) -> str:
    """Decode a manifest: UTF-8 (a BOM allowed), or UTF-16 with a BOM; else say what it is."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError:
            raise CorpusError(
                f"manifest {path} starts with a UTF-16 mark but is not valid UTF-16; save it as "
                "UTF-8 CSV"
            ) from None
    sample = raw[:4096]
    if sample and (
        sample[1::2].count(0) > len(sample) // 4 or sample[0::2].count(0) > len(sample) // 4
    ):
        order = "LE" if sample[1::2].count(0) > sample[0::2].count(0) else "BE"
        raise CorpusError(
            f"manifest {path} looks UTF-16 without a byte-order mark (every other byte is "
            f"0); save it as UTF-8 CSV (for example `iconv -f UTF-16{order} -t UTF-8 "
            f"{path.name} > manifest-utf8.csv`)"
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CorpusError(
            f"manifest {path} is not UTF-8 (byte {exc.start}); it is probably Windows-1252 or "
            f"Latin-1: save it as UTF-8 CSV (for example `iconv -f CP1252 -t UTF-8 {path.name} "
            "> manifest-utf8.csv`)"
        ) from None


def _validate_rows(frame: pd.DataFrame, path: Path) -> None:
    """Check every manifest row; raise one :class:`CorpusError` listing every bad row."""
    problems = manifest_row_problems(frame, path)
    if problems:
        raise CorpusError(listing(f"manifest {path}", problems))


def listing(what: str, problems: list[str]) -> str:
    if len(problems) == 1:
        return problems[0]
    return f"{what}: {len(problems)} problems\n" + "\n".join(f"  - {p}" for p in problems)


def path_problems(
    document: str,
    manifest: Path,
    where: str,
    *,
    folder: Path | None = None,
    resolved: str | None = None,
) -> list[str]:
    """A document must be a file inside the manifest's folder, after resolving links
    (``folder``: that folder already resolved, and ``resolved``: the document's path already
    resolved, for a caller checking many documents)."""
    if not document:
        return []
    folder = manifest.parent.resolve() if folder is None else folder
    if os.path.isabs(document) or document.startswith(("\\", "/")) or _DRIVE.match(document):
        return [
            f"{where}: path {document!r} is absolute; give it relative to the manifest's "
            f"folder and keep the file in that folder"
        ]
    if resolved is None:
        resolved = str((manifest.parent / document).resolve())
    inside = str(folder)
    if resolved != inside and not resolved.startswith(os.path.join(inside, "")):
        return [
            f"{where}: path {document!r} leads outside the manifest's folder (to "
            f"{resolved}); a manifest reads only files in its own folder, so copy the file "
            "there"
        ]
    return []


def manifest_row_problems(frame: pd.DataFrame, path: Path) -> list[str]:
    """Return one message per problem in the manifest's rows (empty list when all are valid)."""
    problems: list[str] = []
    seen: dict[str, int] = {}
    folder = path.parent.resolve()
    for rec in frame.to_dict("records"):
        where = f"manifest {path} row {rec['manifest_row']}"
        empty = [col for col in REQUIRED_COLUMNS if not rec[col]]
        for col in empty:
            problems.append(f"{where}: column {col!r} is empty; every document needs one")
        doc_id = rec["doc_id"]
        actor = rec["actor_type"]
        if actor and not _DOC_ID.fullmatch(actor):
            problems.append(
                f"{where}: actor_type {actor!r} is not a valid group name; use letters, digits, "
                "'-', '_' or '.', starting with a letter or digit (at most 64 characters): it "
                "becomes part of file names and page ids"
            )
        problems.extend(
            path_problems(
                rec.get("path", ""), path, where, folder=folder, resolved=rec.get("abs_path")
            )
        )
        if doc_id and not _DOC_ID.fullmatch(doc_id):
            problems.append(
                f"{where}: doc_id {doc_id!r} is not a valid id; use letters, digits, '-', '_' or "
                "'.', starting with a letter or digit (at most 64 characters)"
            )
        if doc_id in seen:
            problems.append(
                f"{where}: duplicate doc_id {doc_id!r} (also on row {seen[doc_id]}); "
                "doc_id must be unique"
            )
        elif doc_id:
            seen[doc_id] = rec["manifest_row"]
        if rec["date"]:
            try:
                if len(rec["date"]) != 10:
                    raise ValueError
                dt.date.fromisoformat(rec["date"])
            except ValueError:
                problems.append(
                    f"{where} (doc_id {doc_id!r}): date {rec['date']!r} is not an ISO date; "
                    "write it as YYYY-MM-DD"
                )
        sha = rec.get("sha256", "")
        if sha and not re.fullmatch(r"[0-9a-fA-F]{64}", sha):
            problems.append(
                f"{where} (doc_id {doc_id!r}): sha256 {sha!r} is not 64 hex digits; "
                "leave it empty or paste the output of `sha256sum FILE`"
            )
        layout = rec.get("paragraphs", "")
        if layout and layout.lower() not in ("auto", "blank-line", "line"):
            problems.append(
                f"{where} (doc_id {doc_id!r}): paragraphs {layout!r} is not a layout; use "
                "auto, blank-line (paragraphs separated by blank lines) or line (one per line)"
            )
    return problems
