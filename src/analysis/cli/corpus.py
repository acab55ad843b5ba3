"""``python -m analysis corpus``: print a per-document summary of a corpus."""

from __future__ import annotations

import argparse


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register the ``corpus`` command."""
    parser = subparsers.add_parser(
        "corpus",
        help="summarise each document: units by kind, sentences, tokens, types, TTR",
        description="Load the corpus named by a manifest and print one summary row per document.",
    )
    parser.add_argument("--manifest", metavar="PATH", help="manifest CSV (default: the seeds)")
    parser.add_argument(
        "--format", choices=("table", "csv"), default="table", help="output format (default table)"
    )
    parser.add_argument(
        "--jobs",
        type=int,
        metavar="N",
        default=None,
        help="worker processes that segment and tokenise the documents (default: the cores)",
    )
    parser.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="Dask scheduler (tcp://host:8786) whose workers do it instead (needs the scale extra)",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Print the summary; return 0."""
    import os
    import sys
    import time

    import pandas as pd

    from analysis.check import check_corpus, require_analysable
    from analysis.cluster import scheduler_executor
    from analysis.pipeline import build
    from analysis.progress import BuildProgress

    check = check_corpus(args.manifest)  # every problem of every document, printed once
    if not check.problems.empty:
        print(check.summary(), file=sys.stderr)
    require_analysable(check)
    step = "segment and count"
    with (
        scheduler_executor(args.scheduler) as executor,
        BuildProgress([step], interactive=None if sys.stderr.isatty() else False) as progress,
    ):
        jobs = args.jobs if executor is not None else (args.jobs or os.cpu_count())
        if progress.interactive:
            progress(step, "started", 0.0)
        start = time.perf_counter()
        built = build(
            args.manifest,
            jobs=jobs,
            executor=executor,
            tokens=True,
            progress=progress.documents if progress.interactive else None,
        )
        if progress.interactive:
            progress(step, "done", time.perf_counter() - start)
    summary = built.describe()
    if args.format == "csv":
        print(summary.to_csv(index=False), end="")
    else:
        with pd.option_context("display.width", 200, "display.max_columns", 50):
            print(summary.set_index("doc_id").T.to_string())
    return 0
