"""``python -m analysis units``: show how each document was cut into units, and why."""

from __future__ import annotations

import argparse
import sys


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register the ``units`` command."""
    parser = subparsers.add_parser(
        "units",
        help="show each unit's kind, label, first words and the rule that placed it",
        description=(
            "Segment the corpus named by a manifest and print one line per unit: its seg_id, "
            "kind, label, flags, the rule that gave it its kind and its first words, so that "
            "the segmentation can be checked before it is trusted."
        ),
    )
    parser.add_argument("--manifest", metavar="PATH", help="manifest CSV (default: the seeds)")
    parser.add_argument("--doc", nargs="+", metavar="ID", help="only these doc_ids")
    parser.add_argument(
        "--format", choices=("table", "csv"), default="table", help="output format (default table)"
    )
    parser.add_argument("--out", metavar="PATH", help="write the units as CSV to this file")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Print or write the units; return 0."""
    from analysis.check import check_corpus, require_analysable
    from analysis.errors import CorpusError
    from analysis.segment import units_overview

    check = check_corpus(args.manifest)
    if not check.problems.empty:
        print(check.summary(), file=sys.stderr)
    require_analysable(check)
    units = units_overview(check.corpus)
    if args.doc:
        missing = sorted(set(args.doc) - set(units["doc_id"]))
        if missing:
            raise CorpusError(
                f"doc_id(s) {', '.join(missing)} not in the manifest; it has "
                f"{', '.join(dict.fromkeys(units['doc_id']))}"
            )
        units = units[units["doc_id"].isin(args.doc)]
    if args.out:
        units.to_csv(args.out, index=False, lineterminator="\n")
        print(f"wrote {len(units)} units to {args.out}", file=sys.stderr)
    elif args.format == "csv":
        print(units.to_csv(index=False, lineterminator="\n"), end="")
    else:
        for doc_id, rows in units.groupby("doc_id", sort=False):
            print(f"{doc_id}  (paragraphs: {rows['layout'].iloc[0]})")
            for r in rows.itertuples():
                flags = f" [{r.flags}]" if r.flags else ""
                print(
                    f"  {r.seg_id:<28} {r.kind:<11} {r.label:<6} {r.first_words}{flags}"
                    f"  <- {r.rule}"
                )
    return 0
