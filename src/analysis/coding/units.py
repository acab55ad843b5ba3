"""Coding units and their ids: the units a sheet has one row for, blind ids, and a sheet's rows
resolved to the current units (by id, or by text where the id has moved)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

import pandas as pd

from analysis.anchors import match_rows, text_sha
from analysis.coding.codebook import Codebook, load_codebook
from analysis.coding.schema import (
    BLIND_PREFIX,
    DEFAULT_KINDS,
    ID_COLUMNS,
    SOURCE_COLUMNS,
    TEXT_COLUMNS,
)
from analysis.errors import CodingError

# --------------------------------------------------------------------------- units and ids


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


def resolve_ids(sheet: pd.DataFrame, seg_ids: Iterable[str]) -> pd.Series:
    """Map a sheet's seg_id column (real or blind ids) to real seg_ids ('' when unknown)."""
    known = set(seg_ids)
    reverse = {blind_id(s): s for s in known}
    return sheet["seg_id"].map(lambda v: v if v in known else reverse.get(v, ""))


def resolve_rows(sheet: pd.DataFrame, units: pd.DataFrame) -> pd.Series:
    """Map a sheet's rows to current seg_ids by id, and by text where the id has moved.

    A row whose text is still in the corpus under another seg_id (a paragraph was added or
    removed before it) is that unit (:func:`analysis.anchors.match_rows`, exact texts only);
    other rows keep what their id resolves to, so the checks can say what changed.
    """
    direct = resolve_ids(sheet, units["seg_id"])
    if "text" not in sheet.columns or sheet.empty:
        return direct
    matched, _ = match_rows(
        pd.DataFrame({"seg_id": direct, "text": sheet["text"]}), units, fuzzy=False
    )
    by_text = pd.Series(matched["seg_id"].to_numpy(), index=sheet.index)
    return by_text.where(matched["status"].isin(["kept", "moved"]).to_numpy(), direct)
