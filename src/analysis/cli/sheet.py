"""``python -m analysis sheet export|check|merge|import``: coder sheets (and REFI-QDA files for
QDA software) out, checked, merged, and coding done in QDA software read back."""

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
    export.add_argument("--coder", help="coder id written on every row (xlsx, csv)")
    export.add_argument(
        "--out",
        required=True,
        metavar="PATH",
        help="file to write (.xlsx/.csv sheet, .qdc codebook, .qdpx project)",
    )
    export.add_argument(
        "--format",
        choices=("xlsx", "csv", "qdc", "qdpx"),
        help="default: from the suffix; qdc: the codebook for QDA software "
        "(REFI-QDA); qdpx: a REFI-QDA project of the statements and units",
    )
    export.add_argument(
        "--coding",
        nargs="+",
        metavar="SHEET",
        help="qdpx: coder sheets whose coding the project carries",
    )
    export.add_argument("--manifest", metavar="PATH", help="manifest CSV (default: the seeds)")
    export.add_argument("--blind", action="store_true", help="hide source and actor")
    export.add_argument("--seed", type=int, default=None, help="shuffle rows with this seed")
    export.set_defaults(func=run_export)

    check = actions.add_parser("check", help="list every problem in a returned sheet")
    check.add_argument("path", metavar="PATH", help="the sheet (.xlsx or .csv)")
    check.add_argument("--manifest", metavar="PATH", help="manifest CSV (default: the seeds)")
    check.set_defaults(func=run_check)

    imported = actions.add_parser(
        "import", help="read coding done in QDA software (.qdpx) back as a coder sheet"
    )
    imported.add_argument("project", metavar="PROJECT", help="the REFI-QDA project (.qdpx)")
    imported.add_argument("--coder", required=True, help="the coder (a user of the project)")
    imported.add_argument(
        "--out",
        required=True,
        metavar="PATH",
        help="coder sheet to write (.xlsx/.csv); an existing file is backed up",
    )
    imported.add_argument("--manifest", metavar="PATH", help="manifest CSV (default: the seeds)")
    imported.set_defaults(func=run_import)

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
    """Export a sheet, a REFI-QDA codebook or project; report what was written."""
    from analysis.coding import export_sheet
    from analysis.errors import CodingError

    out = Path(args.out)
    if args.format and out.suffix == "":
        out = out.with_suffix(f".{args.format}")
    kind = args.format or out.suffix.lower().lstrip(".")
    if kind in ("qdc", "qdpx"):
        return _export_qda(args, out, kind)
    if not args.coder:
        raise CodingError("sheet export: --coder is required for a coding sheet (xlsx, csv)")
    info = export_sheet(
        _segments(args.manifest),
        out,
        coder=args.coder,
        format=args.format,
        blind=args.blind,
        seed=args.seed,
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


def _export_qda(args: argparse.Namespace, out: Path, kind: str) -> int:
    from analysis import qda
    from analysis.coding import load_codebook, merge_sheets

    if kind == "qdc":
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(qda.codebook_qdc())
        dims = load_codebook().categorical
        print(
            f"wrote {out}: {len(dims)} dimensions, "
            f"{sum(len(d.codes) for d in dims)} codes (REFI-QDA codebook)"
        )
        return 0
    from analysis.coding import coding_units
    from analysis.corpus import load_corpus
    from analysis.segment import segment_corpus

    corpus = load_corpus(args.manifest)
    segments = segment_corpus(corpus)
    long = merge_sheets(args.coding, segments) if args.coding else None
    qda.project_qdpx(out, corpus, segments, long=long)
    coded = 0 if long is None else long["seg_id"].nunique()
    print(
        f"wrote {out}: {len(corpus)} statements, "
        f"{len(coding_units(segments))} units as selections, {coded} coded unit(s) "
        "(REFI-QDA project)"
    )
    return 0


def run_import(args: argparse.Namespace) -> int:
    """Read a .qdpx project's coding into a coder sheet; print what could not be carried."""
    from analysis import qda
    from analysis.coding import backup_path, write_sheet

    out = Path(args.out)
    sheet, problems = qda.coding_from_qdpx(args.project, _segments(args.manifest), coder=args.coder)
    backup = None
    if out.exists():  # never overwrite a coder's work
        backup = backup_path(out)
        out.replace(backup)
    write_sheet(sheet, out, coder=args.coder)
    for row in problems.itertuples(index=False):
        print(
            f"{row.severity}: {args.project}: selection {row.selection} in {row.doc_id or '?'}"
            f" [{row.start}-{row.end}] code {row.code or '?'}: {row.problem}",
            file=sys.stderr,
        )
    if len(problems):
        report = out.with_name(out.stem + ".not-imported.csv")
        problems.to_csv(report, index=False)
        print(
            f"{len(problems)} coding(s) not carried into the sheet; listed in {report}",
            file=sys.stderr,
        )
    coded = int(
        (sheet[[c for c in sheet.columns if c not in qda.SHEET_FIXED]] != "").any(axis=1).sum()
    )
    print(
        f"wrote {out}: {len(sheet)} units, {coded} coded by {args.coder}"
        + (f"; the previous file is kept as {backup}" if backup else "")
    )
    return 1 if len(problems) else 0
