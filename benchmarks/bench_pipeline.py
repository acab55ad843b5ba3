"""Time the notebooks' counting path against scikit-learn on a deterministic synthetic corpus.

Generates (once, under ``benchmarks/_data/``, gitignored) a corpus of documents with a
Zipf-distributed vocabulary, numbered paragraphs and a manifest, then measures in one run, each
in a fresh process (so that each peak memory is its own):

* scikit-learn: ``CountVectorizer`` (group counts) + ``TfidfVectorizer`` (paragraph TF-IDF) on the
  same paragraph texts, in one process (its vectorisers are single-threaded);
* the project, as the notebooks run it: ``pipeline.build(manifest, jobs=N)`` (load, clean,
  segment and count into the document-term matrix, a map over documents), then
  ``counts.group_keyness(p.dtm, ...)`` and ``tfidf.tfidf_contrast(p.dtm, ...)``; with one
  worker process and with two.

Prints words/s of each, the ratios project / scikit-learn (targets: >= 1.0 on one core, >= 1.8
on two) and the peak resident memory of the largest process (target < 1 GB). On a shared,
noisy machine, ``--repeat N`` runs the whole round N times, interleaved, and reports each
side's fastest run (the usual estimate of what the code costs, as ``timeit`` takes) beside
every round's ratio. Usage::

    python benchmarks/bench_pipeline.py --tokens 1e6 --tokens 1e7 --repeat 3
"""

from __future__ import annotations

import argparse
import csv
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from tqdm import tqdm

DATA = Path(__file__).resolve().parent / "_data"


def generate(n_tokens: int, *, seed: int = 20240711, words_per_doc: int = 2500) -> Path:
    """Write the synthetic corpus for ``n_tokens`` words; return its manifest path."""
    folder = DATA / f"zipf-{n_tokens}"
    manifest = folder / "manifest.csv"
    if manifest.is_file():
        return manifest
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    vocab_size = 50_000
    letters = np.array(list("abcdefghijklmnopqrstuvwxyz"))
    lengths = rng.integers(2, 11, vocab_size)
    vocab = np.array(["".join(rng.choice(letters, n)) for n in lengths])
    ranks = np.arange(1, vocab_size + 1)
    probs = 1.0 / ranks**1.07
    probs /= probs.sum()
    n_docs = max(2, n_tokens // words_per_doc)
    rows = []
    for d in tqdm(range(n_docs), desc="generate", unit="doc"):
        words = vocab[rng.choice(vocab_size, words_per_doc, p=probs)]
        paras, i, k = [], 0, 1
        while i < len(words):
            n = int(rng.integers(40, 120))
            chunk = words[i : i + n]
            sents = [
                " ".join(chunk[j : j + 15]).capitalize() + "." for j in range(0, len(chunk), 15)
            ]
            paras.append(f"{k}. " + " ".join(sents))
            i, k = i + n, k + 1
        name = f"doc{d:05d}.txt"
        (folder / name).write_text(f"Statement {d}\n\n" + "\n\n".join(paras) + "\n", "utf-8")
        actor = "government" if d % 2 else "civil_society"
        rows.append([f"doc-{d:05d}", name, actor, f"Org {d % 7}", "2024-01-01"])
    with manifest.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["doc_id", "path", "actor_type", "organisation", "date"])
        writer.writerows(rows)
    return manifest


def run_project(manifest: Path, jobs: int) -> dict:
    """The notebooks' path: build the matrix, then group keyness and the TF-IDF contrast."""
    from analysis import counts, pipeline, tfidf

    timings: dict[str, float] = {}
    start = t = time.perf_counter()
    built = pipeline.build(manifest, cache=False, jobs=jobs)
    timings["build (load, clean, segment, count)"] = time.perf_counter() - t
    t = time.perf_counter()
    counts.group_keyness(built.dtm, target="civil_society", reference="government")
    timings["group keyness"] = time.perf_counter() - t
    t = time.perf_counter()
    tfidf.tfidf_contrast(built.dtm, by="actor_type", target="civil_society", reference="government")
    timings["tfidf contrast"] = time.perf_counter() - t
    return {
        "seconds": time.perf_counter() - start,
        "timings": timings,
        "words": int(built.dtm.units["n_words"].sum()),
    }


def run_sklearn(manifest: Path) -> dict:
    """Group counts with CountVectorizer and paragraph TF-IDF with TfidfVectorizer."""
    from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer

    start = time.perf_counter()
    meta = pd.read_csv(manifest, dtype=str)
    paras, groups = [], []
    for path, actor in zip(meta["path"], meta["actor_type"], strict=True):
        text = (manifest.parent / path).read_text("utf-8")
        for block in text.split("\n\n")[1:]:
            paras.append(block)
            groups.append(actor)
    g = np.array(groups)
    cv = CountVectorizer()
    x = cv.fit_transform(paras)
    _ = np.asarray(x[g == "civil_society"].sum(axis=0)), np.asarray(x[g == "government"].sum(0))
    tv = TfidfVectorizer()
    w = tv.fit_transform(paras)
    _ = np.asarray(w[g == "civil_society"].mean(axis=0)) - np.asarray(w[g == "government"].mean(0))
    return {"seconds": time.perf_counter() - start}


def _peak_mb() -> float:
    return (
        max(
            resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
            resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
        )
        / 1024
    )


def _measure(what: str, manifest: Path, jobs: int) -> dict:
    """Run one measurement in a fresh process; return its figures and peak memory."""
    out = subprocess.run(
        [sys.executable, __file__, "--one", what, "--manifest", str(manifest), "--jobs", str(jobs)],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--tokens",
        type=float,
        action="append",
        help="corpus size in words (repeatable; default 1e6 and 1e7)",
    )
    parser.add_argument(
        "--jobs",
        type=int,
        action="append",
        help="worker processes of the project's runs (repeatable; default 1 and 2)",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="rounds, interleaved; the fastest run of each side is reported (default 1)",
    )
    parser.add_argument("--one", choices=("sklearn", "project"), help=argparse.SUPPRESS)
    parser.add_argument("--manifest", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        jobs = (args.jobs or [1])[0]
        result = (
            run_sklearn(args.manifest)
            if args.one == "sklearn"
            else run_project(args.manifest, jobs)
        )
        result["peak_mb"] = _peak_mb()
        print(json.dumps(result))
        return 0
    for size in args.tokens or [1e6, 1e7]:
        manifest = generate(int(size))
        rounds: list[tuple[dict, dict[int, dict]]] = []
        for r in range(max(args.repeat, 1)):
            sk = _measure("sklearn", manifest, 1)
            runs = {jobs: _measure("project", manifest, jobs) for jobs in args.jobs or [1, 2]}
            rounds.append((sk, runs))
            if args.repeat > 1:
                ratios = ", ".join(
                    f"{jobs} worker(s) {sk['seconds'] / pr['seconds']:.2f}x"
                    for jobs, pr in runs.items()
                )
                print(f"round {r + 1}: scikit-learn {sk['seconds']:.2f} s; {ratios}")
        sk = min((sk for sk, _ in rounds), key=lambda x: x["seconds"])
        print(
            f"\n{int(size):,} words requested; scikit-learn: {sk['seconds']:.2f} s, "
            f"peak {sk['peak_mb']:,.0f} MB"
        )
        for jobs in args.jobs or [1, 2]:
            pr = min((runs[jobs] for _, runs in rounds), key=lambda x: x["seconds"])
            stages = ", ".join(f"{k} {v:.2f}" for k, v in pr["timings"].items())
            print(
                f"project, {jobs} worker(s): {pr['seconds']:.2f} s "
                f"({pr['words'] / pr['seconds']:,.0f} words/s; {stages}); "
                f"ratio {sk['seconds'] / pr['seconds']:.2f}x scikit-learn; "
                f"peak {pr['peak_mb']:,.0f} MB"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
