"""Build every report on synthetic corpora of growing size and check the scale targets.

Run: ``.venv/bin/python benchmarks/bench_scale.py [--statements 100 500 2000] [--jobs N]``.

In one run it builds the seed reports (the baseline), then for each size a synthetic corpus of
that many statements in three actor groups (:mod:`analysis.synthetic`, written once under
``benchmarks/_data/``, gitignored) and measures, for each build (``python -m analysis report
--force``, as ``make report`` runs it, each a fresh process):

* wall-clock time, and its ratio to the seed build of the same run (each build with an empty
  table cache, so it builds its foundation tables once, as a first build does);
* the peak resident memory of the largest single process of the build (the command, its
  workers and kernels), read from ``getrusage(RUSAGE_CHILDREN)`` of a wrapper process;
* the largest HTML page, and whether every notebook was built.

Targets (issue "reports at scale"): every report builds, no process above 2 GB, no page above
2 MB, the 500-statement build at most 3x the seed build. Exit status 0 when all hold.
Outputs go to temporary folders, never to reports/ or results/.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from analysis import paths, synthetic
from analysis.report import list_notebooks

DATA = Path(__file__).resolve().parent / "_data"
GB = 1024**3
MB = 1024**2

# Runs one command and prints its wall time and the peak RSS of its largest descendant.
_WRAPPER = """
import json, resource, subprocess, sys, time
start = time.perf_counter()
done = subprocess.run(sys.argv[1:], capture_output=True, text=True)
seconds = time.perf_counter() - start
peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"seconds": seconds, "peak_kb": peak_kb, "rc": done.returncode,
                  "stderr": done.stderr[-4000:]}))
"""


def corpus(statements: int) -> Path:
    """The manifest of the synthetic corpus of ``statements`` statements (written once)."""
    folder = DATA / f"statements-{statements}"
    manifest = folder / "manifest.csv"
    if not manifest.is_file():
        synthetic.write_corpus(folder, statements)
    return manifest


def measure(manifest: Path | None, out: Path, jobs: int | None) -> dict[str, object]:
    """Build every report of ``manifest`` (None: the seeds) into ``out``; return the figures."""
    command = [sys.executable, "-m", "analysis", "report", "--force", "--out", str(out)]
    if manifest is not None:
        command += ["--manifest", str(manifest)]
    if jobs:
        command += ["--jobs", str(jobs)]
    # a cold table cache: each build segments and tokenises its corpus once, as a first build does
    env = dict(os.environ, PYTHONHASHSEED="0", ANALYSIS_CACHE=str(out.parent / f"cache-{out.name}"))
    done = subprocess.run(
        [sys.executable, "-c", _WRAPPER, *command],
        capture_output=True,
        text=True,
        check=True,
        env=env,
        cwd=paths.ROOT,
    )
    figures = json.loads(done.stdout)
    pages = sorted((out / "reports").glob("*.html"))
    expected = {p.stem for p in list_notebooks()}
    built = {p.stem for p in pages} & expected
    figures.update(
        largest_page=max((p.stat().st_size for p in pages), default=0),
        largest_page_name=max(pages, key=lambda p: p.stat().st_size).name if pages else "",
        all_built=figures["rc"] == 0 and built == expected,
    )
    if manifest is not None:
        figures["words"] = sum(
            len(p.read_text(encoding="utf-8").split()) for p in manifest.parent.glob("*.txt")
        )
    return figures


def main(argv: list[str] | None = None) -> int:
    """Run the builds, print a table and the targets; return 0 when every target holds."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--statements", type=int, nargs="+", default=[100, 500, 2000])
    parser.add_argument("--jobs", type=int, default=None, help="report --jobs (default: cores)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)

    results: dict[str, dict[str, object]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as tmp:
        results["seeds"] = measure(None, Path(tmp) / "seeds", args.jobs)
        for n in args.statements:
            manifest = corpus(n)
            results[str(n)] = measure(manifest, Path(tmp) / f"s{n}", args.jobs)
    seed_seconds = float(results["seeds"]["seconds"])  # type: ignore[arg-type]
    ok = True
    print(
        f"{'corpus':>8} {'words':>10} {'time s':>8} {'x seeds':>8} {'peak GB':>8} "
        f"{'page MB':>8}  built"
    )
    for name, r in results.items():
        ratio = float(r["seconds"]) / seed_seconds  # type: ignore[arg-type]
        peak = int(r["peak_kb"]) * 1024 / GB  # type: ignore[call-overload]
        page = int(r["largest_page"]) / MB  # type: ignore[call-overload]
        print(
            f"{name:>8} {r.get('words', ''):>10} {float(r['seconds']):8.1f} {ratio:8.2f} "  # type: ignore[arg-type]
            f"{peak:8.2f} {page:8.2f}  {'all' if r['all_built'] else 'NO'} "
            f"(largest page {r['largest_page_name']})"
        )
        ok &= bool(r["all_built"]) and peak < 2 and page < 2
        if name == "500":
            ok &= ratio <= 3
        if not r["all_built"]:
            print(str(r["stderr"]), file=sys.stderr)
    print(
        "targets: every report builds, no process > 2 GB, no page > 2 MB, "
        f"500 statements <= 3x the seed build: {'met' if ok else 'NOT met'}"
    )
    if args.json:
        print(json.dumps(results, indent=2, default=str))
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
