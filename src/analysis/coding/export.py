"""Export a coder's sheet: one row per coding unit, earlier codes carried over and flagged when
their text has changed, nothing a coder typed ever lost."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from analysis.anchors import match_rows
from analysis.coding.codebook import Codebook, load_codebook
from analysis.coding.schema import DEFAULT_KINDS, SOURCE_COLUMNS, SheetFormat
from analysis.coding.sheets import backup_path, orphans_path, read_sheet, write_sheet
from analysis.coding.units import blind_id, coding_units, resolve_ids, sheet_columns
from analysis.errors import CodingError


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
        old = old.assign(_real=resolve_ids(old, real_ids))
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
        if path.suffix.lower() == ".csv" and orphans_path(path).exists():
            shutil.copy2(orphans_path(path), orphans_path(backup))

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
