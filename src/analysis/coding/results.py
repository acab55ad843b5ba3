"""Results of the coding: codes cross-tabulated by actor, frames in reading order and their runs,
each group's coded units profiled."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import pandas as pd

from analysis.coding.codebook import Codebook, load_codebook
from analysis.errors import CodingError

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


def coded_rows_by(
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
    rows = coded_rows_by(long, segments, dimension, by, coder)
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
