"""``python -m analysis report``: execute the notebooks into HTML reports, results and an index."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any


def add_parser(subparsers: Any) -> None:
    """Register the ``report`` command."""
    parser = subparsers.add_parser(
        "report",
        help="execute the notebooks headless into reports/*.html and results/",
        description=(
            "Execute every notebooks/NN-name.ipynb from a fresh kernel (in parallel), write "
            "reports/NN-name.html, reports/index.html and the tables and figures under results/. "
            "Notebooks whose inputs are unchanged since the last build are skipped."
        ),
    )
    parser.add_argument("--force", action="store_true", help="rebuild every notebook")
    parser.add_argument(
        "--manifest", metavar="PATH", help="manifest CSV of the corpus (default: the seeds)"
    )
    parser.add_argument(
        "--out",
        metavar="DIR",
        help="folder receiving reports/ and results/ (default: the project root)",
    )
    parser.add_argument(
        "--jobs",
        type=int,
        metavar="N",
        default=None,
        help=f"notebooks run at once (default: the number of cores, {os.cpu_count()})",
    )
    parser.add_argument(
        "--only", nargs="+", metavar="NAME", help="build only these notebooks (e.g. 00-corpus)"
    )
    parser.add_argument(
        "--groups",
        nargs="+",
        metavar="GROUP",
        help="actor_type values to compare (default: every group in the manifest)",
    )
    parser.add_argument(
        "--compare",
        nargs="+",
        metavar="DESIGN",
        help="how groups are compared: one-vs-rest (the default with three or more groups), "
        "pairwise, or pairs written target:reference",
    )
    parser.add_argument(
        "--coding",
        nargs="+",
        metavar="PATH",
        help="coding sheets to read (default: the files in coding/)",
    )
    parser.add_argument(
        "--notebooks",
        metavar="DIR",
        help="folder of the notebooks (default: the project's notebooks/)",
    )
    parser.add_argument(
        "--timeout", type=int, default=600, metavar="S", help="seconds a cell may run (600)"
    )
    parser.add_argument(
        "--engine",
        choices=("auto", "inprocess", "subprocess"),
        default="auto",
        help="inprocess: fresh in-process kernels forked from a warm parent (fast; needs "
        "PYTHONHASHSEED=0, which the command sets for itself); subprocess: a Jupyter kernel "
        "process per "
        "notebook, as nbconvert does (default: auto, inprocess when possible)",
    )
    parser.add_argument(
        "--memory-limit",
        type=float,
        metavar="GIB",
        default=None,
        help="address space each notebook may use, in GiB (default: three quarters of the "
        "machine's memory shared among the notebooks run at once; 0: no limit)",
    )
    parser.add_argument(
        "--code",
        choices=("hide", "fold", "show"),
        default="fold",
        help="how the pages show the code cells: fold (closed, one click away; the default), "
        "hide, or show in full",
    )
    parser.add_argument(
        "--alpha",
        type=float,
        default=0.05,
        metavar="LEVEL",
        help="significance level every report reads its p-values against (default 0.05)",
    )
    parser.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="Dask scheduler (tcp://host:8786) whose workers segment and tokenise the corpus "
        '(needs the scale extra; see the README\'s "Beyond one machine")',
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Build the reports; print one line per notebook on stdout."""
    from analysis.errors import ReportError
    from analysis.progress import BuildProgress
    from analysis.report import (
        ReportParameters,
        list_notebooks,
        select_notebooks,
        summarise_build,
    )

    parameters = ReportParameters(
        manifest=args.manifest,
        groups=tuple(args.groups) if args.groups else None,
        compare=_compare(args.compare),
        coding_files=tuple(args.coding) if args.coding else None,
        alpha=args.alpha,
    )
    try:
        steps: list[str] | None = [
            nb.stem for nb in select_notebooks(list_notebooks(args.notebooks), args.only)
        ]
    except ReportError:
        steps = None  # build_reports names the problem
    with BuildProgress(steps) as progress:
        result = _build(args, parameters, progress)
    print(summarise_build(result), file=sys.stdout)
    return 0


def _build(args: argparse.Namespace, parameters: Any, progress: Any) -> Any:
    from analysis.report import build_reports

    return build_reports(
        notebooks_dir=args.notebooks,
        out=args.out,
        parameters=parameters,
        jobs=args.jobs,
        only=args.only,
        force=args.force,
        timeout=args.timeout,
        engine=args.engine,
        on_check=_print_check,
        memory_limit=args.memory_limit,
        progress=progress,
        code=args.code,
        scheduler=args.scheduler,
    )


def _compare(values: list[str] | None) -> str | tuple[str, ...] | None:
    """The --compare option, checked: a scheme name or target:reference pairs."""
    from analysis.compare import parse_compare

    parsed = parse_compare(values)
    if parsed is None or isinstance(parsed, str):
        return parsed
    return tuple(f"{t}:{r}" for t, r in parsed)


def _print_check(check: Any) -> None:
    """Print the corpus check once, before any notebook starts, when it found something."""
    if not check.problems.empty:
        print(check.summary(), file=sys.stderr, flush=True)
