"""Time the lexical pipeline against scikit-learn on a deterministic synthetic corpus.

Generates (once, under ``benchmarks/_data/``, gitignored) a corpus of documents with a
Zipf-distributed vocabulary, numbered paragraphs and a manifest, then times in one run:

* project: load -> segment -> tokenise -> term counts -> keyness -> TF-IDF contrast, as a map over
  chunks of documents in worker processes with a sum of sparse segment x term counts
  (``analysis.corpus_counts.count_corpus``), so no full token table is ever held;
* scikit-learn: ``CountVectorizer`` (group counts) + ``TfidfVectorizer`` (paragraph TF-IDF) on the
  same paragraph texts.

Prints tokens/s of both, their ratio (project / sklearn; target >= 1.0) and the peak resident
memory of the process. Usage::

    python benchmarks/bench_pipeline.py --tokens 1e6
"""

from __future__ import annotations

import argparse
import csv
import resource
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


def run_project(
    manifest: Path, chunk_docs: int | None, jobs: int | None
) -> tuple[float, int, dict]:
    """Run load -> segment -> tokenise -> counts -> keyness -> TF-IDF contrast.

    Segmenting, tokenising and counting run as a map over chunks of documents in worker
    processes with a sum of sparse counts (:func:`analysis.corpus_counts.count_corpus`); the same
    functions as the table pipeline, without holding a token table.
    """
    from analysis import stats
    from analysis.corpus import load_corpus
    from analysis.corpus_counts import count_corpus

    timings: dict[str, float] = {}
    start = time.perf_counter()
    t = time.perf_counter()
    corpus = load_corpus(manifest)
    timings["load"] = time.perf_counter() - t
    t = time.perf_counter()
    counted = count_corpus(corpus, mwe=False, jobs=jobs, chunk_docs=chunk_docs, progress=True)
    timings["segment+tokenise+count"] = time.perf_counter() - t
    t = time.perf_counter()
    table = counted.group_counts("actor_type")
    wide = table.pivot_table(index="term", columns="actor_type", values="n", fill_value=0)
    totals = table.drop_duplicates("actor_type").set_index("actor_type")["total_tokens"]
    timings["group counts"] = time.perf_counter() - t
    t = time.perf_counter()
    stats.keyness(wide["civil_society"], wide["government"],
                  target_total=totals["civil_society"], reference_total=totals["government"])
    timings["keyness"] = time.perf_counter() - t
    t = time.perf_counter()
    counted.tfidf_contrast("actor_type", target="civil_society", reference="government")
    timings["tfidf"] = time.perf_counter() - t
    n_words = int(counted.segments["n_words"].sum())
    return time.perf_counter() - start, n_words, timings


def run_sklearn(manifest: Path) -> float:
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
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tokens", type=float, default=1e7, help="corpus size in words")
    parser.add_argument("--chunk-docs", type=int, default=None,
                        help="documents per map step (default: count_corpus chooses)")
    parser.add_argument("--jobs", type=int, default=None, help="worker processes (default: cores)")
    args = parser.parse_args(argv)
    manifest = generate(int(args.tokens))
    sk = run_sklearn(manifest)
    proj, n_words, timings = run_project(manifest, args.chunk_docs, args.jobs)
    peak_mb = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                  resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024
    print(f"words: {n_words:,}")
    print(f"sklearn: {sk:.2f} s, {n_words / sk:,.0f} words/s")
    print(f"project: {proj:.2f} s, {n_words / proj:,.0f} words/s")
    print("project stages (s): " + ", ".join(f"{k} {v:.2f}" for k, v in timings.items()))
    print(f"throughput ratio project/sklearn: {sk / proj:.3f} (target >= 1.0)")
    print(f"peak memory (largest process): {peak_mb:,.0f} MB (target < 2048)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
