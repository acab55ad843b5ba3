"""Time the everyday calls on the two seed statements against scikit-learn in the same run.

These were timed tests once (each under a second); wall-clock limits do not belong in a test
suite on a shared machine, so they are measured here instead, each the median of ``--repeat``
runs, beside scikit-learn's ``CountVectorizer`` + ``TfidfVectorizer`` fitted on the same
paragraphs: the obvious alternative for counting them. Usage::

    python benchmarks/bench_seeds.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable


def _median_seconds(call: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs of each call (median kept)")
    args = parser.parse_args(argv)

    from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer

    from analysis import concordance, counts, stats, tfidf
    from analysis.pipeline import build

    p = build(cache=False)
    paragraphs = p.analysed_units()["text"].tolist()
    tokens, segments = p.tokens, p.segments
    calls: dict[str, Callable[[], object]] = {
        "scikit-learn: CountVectorizer + TfidfVectorizer": lambda: (
            CountVectorizer().fit_transform(paragraphs),
            TfidfVectorizer().fit_transform(paragraphs),
        ),
        "build() of every foundation table, no cache": lambda: build(cache=False).tokens,
        "term counts + group keyness": lambda: (
            counts.term_counts(tokens, segments),
            counts.group_keyness(tokens, segments, target="government", reference="civil_society"),
        ),
        "permutation check of two terms (9,999 resamples)": lambda: counts.permutation_keyness(
            tokens, segments, ["people smuggling", "human trafficking"], target="government"
        ),
        "TF-IDF contrast + paragraph similarity": lambda: (
            tfidf.tfidf_contrast(tokens, segments, target="government"),
            tfidf.paragraph_similarity(tokens, segments),
        ),
        "KWIC + collocates": lambda: (
            concordance.kwic(tokens, "trafficking", corpus=p.corpus, segments=segments),
            concordance.collocates(tokens, "people smuggling", kind="mwe", min_freq=2),
        ),
    }
    baseline = None
    for name, call in calls.items():
        seconds = _median_seconds(call, args.repeat)
        baseline = baseline or seconds
        print(f"{name:<52} {seconds * 1000:8.1f} ms  {seconds / baseline:6.1f}x scikit-learn")
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(0)
    terms = [f"w{i}" for i in range(100_000)]
    t = pd.Series(rng.zipf(1.6, len(terms)).clip(max=10_000), index=terms)
    r = pd.Series(rng.zipf(1.6, len(terms)).clip(max=10_000), index=terms)
    seconds = _median_seconds(lambda: stats.keyness(t, r), args.repeat)
    print(f"{'keyness of a 100,000-term vocabulary':<52} {seconds * 1000:8.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
