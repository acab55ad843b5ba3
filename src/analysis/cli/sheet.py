"""``python -m analysis sheet export|check|merge``: coder sheets out, checked, and merged back."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any


def add_parser(subparsers: Any) -> None:
    """Register the ``sheet`` command and its ``export``, ``check`` and ``merge`` actions."""
    parser = subparsers.add_parser(
        "sheet",
        help="export a coder's sheet, check a returned sheet, merge sheets",
        description="Coding sheets for stance and frame coding (see docs/codebook.md).",
    )
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")

    export = actions.add_parser(
        "export",
        help="write a coding sheet for one coder (keeps earlier work, backs the old file up)",
    )
    export.add_argument("--coder", required=True, help="coder id written on every row")
    export.add_argument("--out", required=True, metavar="PATH", help="sheet to write (.xlsx/.csv)")
    export.add_argument("--format", choices=("xlsx", "csv"), help="default: from the suffix")
    export.add_argument("--manifest", metavar="PATH", help="manifest CSV (default: the seeds)")
    export.add_argument("--blind", action="store_true", help="hide source and actor")
    export.add_argument("--seed", type=int, default=None, help="shuffle rows with this seed")
    export.set_defaults(func=run_export)

    check = actions.add_parser("check", help="list every problem in a returned sheet")
    check.add_argument("path", metavar="PATH", help="the sheet (.xlsx or .csv)")
    check.add_argument("--manifest", metavar="PATH", help="manifest CSV (default: the seeds)")
    check.set_defaults(func=run_check)

    merge = actions.add_parser("merge", help="stack sheets into one long table of codes")
    merge.add_argument("sheets", nargs="+", metavar="SHEET", help="one sheet per coder")
    merge.add_argument("--out", required=True, metavar="PATH", help="long table to write (.csv)")
    merge.add_argument("--manifest", metavar="PATH", help="manifest CSV (default: the seeds)")
    merge.set_defaults(func=run_merge)


def _segments(manifest: str | None) -> Any:
    from analysis.corpus import load_corpus
    from analysis.segment import segment_corpus

    return segment_corpus(load_corpus(manifest))


def run_export(args: argparse.Namespace) -> int:
    """Export a sheet; report what was carried over."""
    from analysis.coding import export_sheet

    out = Path(args.out)
    if args.format and out.suffix == "":
        out = out.with_suffix(f".{args.format}")
    info = export_sheet(
        _segments(args.manifest), out, coder=args.coder, format=args.format,
        blind=args.blind, seed=args.seed,
    )
    print(f"wrote {info['path']}: {info['n_units']} units for coder {args.coder}")
    if info["backup"] is not None:
        print(
            f"kept the previous sheet as {info['backup']}; codes matched by text: "
            f"{info['n_kept']} kept, {info['n_moved']} moved (same text, new seg_id), "
            f"{info['n_flagged']} flagged (text edited: re-read), {info['n_orphans']} orphaned "
            f"rows kept (text gone), {info['n_new']} new units uncoded"
        )
    return 0


def run_check(args: argparse.Namespace) -> int:
    """Print every problem; exit 1 when any is an error."""
    from analysis.coding import check_sheet, read_sheet

    sheet = read_sheet(args.path)
    problems = check_sheet(sheet, _segments(args.manifest))
    errors = problems[problems["severity"] == "error"]
    warnings = problems[problems["severity"] == "warning"]
    for row in problems.itertuples(index=False):
        stream = sys.stderr if row.severity == "error" else sys.stdout
        value = row.value if len(row.value) <= 60 else row.value[:57] + "..."
        print(
            f"{row.severity}: {args.path}: {row.seg_id or '-'} [{row.column}] {value!r}: "
            f"{row.problem}; allowed: {row.allowed or '-'}",
            file=stream,
        )
    print(
        f"{args.path}: {len(sheet)} rows, {len(errors)} error(s), {len(warnings)} warning(s)",
        file=sys.stderr if len(errors) else sys.stdout,
    )
    return 1 if len(errors) else 0


def run_merge(args: argparse.Namespace) -> int:
    """Merge sheets into a long CSV table."""
    from analysis.coding import merge_sheets, write_sheet
    from analysis.errors import CodingError

    out = Path(args.out)
    if out.suffix.lower() != ".csv":
        raise CodingError(f"{out}: the merged table is written as CSV; use a .csv name")
    long = merge_sheets(args.sheets, _segments(args.manifest))
    write_sheet(long, out)
    print(f"wrote {out}: {len(long)} codes from {long['coder'].nunique()} coder(s)")
    return 0
