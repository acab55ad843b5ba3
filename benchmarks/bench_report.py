"""Time the report build against plain ``jupyter nbconvert --execute``, and a no-op rebuild.

Run: ``.venv/bin/python benchmarks/bench_report.py [--jobs N]``. In one run, on the notebooks in
notebooks/ and the seed corpus, it measures (wall clock, each command a fresh process):

1. ``jupyter nbconvert --to html --execute notebooks/*.ipynb`` into a temporary folder (baseline);
2. ``python -m analysis report --force`` into another temporary folder (a full build, run as
   ``make report`` runs it, with ``PYTHONHASHSEED=0``, so fresh in-process kernels are used);
3. ``python -m analysis report`` again on that folder (a no-op rebuild: every notebook skipped).

It prints a table and the two targets: full build at least 2x faster than the baseline, no-op
rebuild under 2 seconds. Outputs go to temporary folders, never to reports/ or results/; the
notebooks are copied to a temporary folder first (``--replicate K`` makes K copies of each).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from analysis import paths
from analysis.report import list_notebooks


def _timed(command: list[str], *, cwd: Path, env: dict[str, str] | None = None) -> float:
    start = time.perf_counter()
    done = subprocess.run(
        command, cwd=cwd, capture_output=True, text=True, check=False, env=env or dict(os.environ)
    )
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"failed ({done.returncode}): {' '.join(command)}\n{done.stderr[-3000:]}")
    return seconds


def main(argv: list[str] | None = None) -> int:
    """Run the three measurements and print them; return 0 if both targets are met, else 1."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=None, help="report --jobs (default: cores)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument(
        "--replicate",
        type=int,
        default=1,
        metavar="K",
        help="run K copies of each notebook (to measure a fuller set while notebooks are missing)",
    )
    args = parser.parse_args(argv)

    python = sys.executable
    jupyter = str(Path(python).with_name("jupyter"))
    jobs = ["--jobs", str(args.jobs)] if args.jobs else []
    with tempfile.TemporaryDirectory(prefix="bench-report-") as tmp:
        tmp_dir = Path(tmp)
        source = tmp_dir / "notebooks"
        source.mkdir()
        for number, original in enumerate(
            [p for p in list_notebooks() for _ in range(max(args.replicate, 1))]
        ):
            name = original.stem.split("-", 1)[1]
            shutil.copyfile(original, source / f"{number:02d}-{name}.ipynb")
        notebooks = [str(p) for p in list_notebooks(source)]
        baseline = _timed(
            [jupyter, "nbconvert", "--to", "html", "--execute", *notebooks]
            + ["--output-dir", str(tmp_dir / "nbconvert")],
            cwd=paths.NOTEBOOKS,
        )
        out = str(tmp_dir / "build")
        build = [
            python,
            "-m",
            "analysis",
            "report",
            "--notebooks",
            str(source),
            "--out",
            out,
            *jobs,
        ]
        # As `make report` runs it: with the hash seed fixed, which reproducible builds need.
        env = {**os.environ, "PYTHONHASHSEED": "0"}
        full = _timed([*build, "--force"], cwd=paths.ROOT, env=env)
        noop = _timed(build, cwd=paths.ROOT, env=env)
        built = sorted(p.stem for p in (Path(out) / "reports").glob("[0-9][0-9]-*.html"))
        if built != sorted(Path(n).stem for n in notebooks):
            sys.exit(f"the build did not produce every report: {built}")

    figures = {
        "notebooks": len(notebooks),
        "cores": os.cpu_count(),
        "jobs": args.jobs or os.cpu_count(),
        "nbconvert_execute_s": round(baseline, 2),
        "full_build_s": round(full, 2),
        "speedup": round(baseline / full, 2),
        "noop_rebuild_s": round(noop, 2),
        "target_speedup": 2.0,
        "target_noop_s": 2.0,
    }
    met = figures["speedup"] >= 2.0 and noop < 2.0
    if args.json:
        print(json.dumps(figures, indent=1))
    else:
        print(
            f"notebooks                          {figures['notebooks']} ({figures['cores']} cores)"
        )
        print(f"jupyter nbconvert --execute        {baseline:7.2f} s")
        print(
            f"python -m analysis report --force  {full:7.2f} s  ({figures['speedup']:.2f}x faster)"
        )
        print(f"no-op rebuild                      {noop:7.2f} s")
        print("targets: >= 2x faster, no-op < 2 s:", "met" if met else "NOT met")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
