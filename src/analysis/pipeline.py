"""Run the foundation stages in one call: corpus, cleaning log, units, tokens (and sentences).

Notebooks and the command line start here so that every view of a corpus is built the same way.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterable
from concurrent.futures import Executor
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

from analysis import tablestore
from analysis.clean import cleaning_log
from analysis.corpus import describe_corpus, load_corpus
from analysis.segment import ANALYSIS_KINDS, segment_corpus
from analysis.segment import sentences as split_sentences
from analysis.tokenise import tokenise


@dataclass(frozen=True)
class Pipeline:
    """The tables of one corpus, each documented by the function that builds it.

    ``segments`` holds every unit; ``tokens`` only those of ``kinds`` (body paragraphs and list
    items by default), which is what analyses count. ``sentences`` is derived when first asked
    for (no count needs it: each token already carries its sentence number).
    """

    corpus: pd.DataFrame
    cleaning_log: pd.DataFrame
    segments: pd.DataFrame
    tokens: pd.DataFrame
    kinds: tuple[str, ...] = ANALYSIS_KINDS

    @cached_property
    def sentences(self) -> pd.DataFrame:
        """The sentences of the units of ``kinds`` (see :func:`analysis.segment.sentences`)."""
        analysed = self.segments[self.segments["kind"].isin(list(self.kinds))]
        return split_sentences(analysed, self.corpus)

    def describe(self) -> pd.DataFrame:
        """Per-document summary (see :func:`analysis.corpus.describe_corpus`)."""
        return describe_corpus(self.corpus, self.segments, self.tokens)


def build(
    manifest: str | Path | None = None,
    *,
    mwe: bool | Iterable[str] = True,
    kinds: Iterable[str] = ANALYSIS_KINDS,
    cache: bool = True,
    jobs: int | None = None,
    executor: Executor | None = None,
    while_waiting: Callable[[], object] | None = None,
) -> Pipeline:
    """Load a corpus from its manifest and build every foundation table.

    The corpus is always read and checked; the tables built from it (cleaning log, units,
    tokens; sentences are derived on demand) are kept in an on-disk cache
    (:mod:`analysis.tablestore`, under ``$ANALYSIS_CACHE`` or ``.cache/tables``;
    ``ANALYSIS_CACHE=off`` switches it off), keyed by a SHA-256 of the corpus table (every text
    and metadata value), the package's code and data and the options. Any change to a text, the
    manifest, the code or an option gives a new key, so a cached table is the table this call
    would build; a report build computes them once and every notebook reads them.

    Parameters
    ----------
    manifest
        Manifest CSV path; ``None`` uses the project's seed statements.
    mwe
        Passed to :func:`analysis.tokenise.tokenise`.
    kinds
        Unit kinds to tokenise.
    cache
        Read and write the cache (False: always build).
    jobs
        Worker processes that build the tables, each for a share of the documents (None or 1:
        in this process). The tables are the same whatever the number: each document's units
        and tokens depend on that document alone, and the shares are put back
        together in corpus order.
    executor
        Any :class:`concurrent.futures.Executor` to run the shares on instead (for example a
        Dask cluster's ``Client(...).get_executor()``); ``jobs`` then sets how many shares
        (default: 4 per core of this machine).
    while_waiting
        Called in this process once the shares are handed to the workers, while they build (a
        report build imports the notebooks' libraries then); not called when the tables come
        from the cache or are built in this process.
    """
    corpus = load_corpus(manifest)
    kinds = tuple(kinds)
    root = tablestore.cache_root() if cache else None
    key = cache_key(corpus, mwe=mwe, kinds=kinds) if root is not None else ""
    if root is not None:
        stored = tablestore.read_entry(root, key, _CACHED)
        if stored is not None:
            return Pipeline(corpus=corpus, kinds=kinds, **stored)
    shares = _shares(corpus, jobs if executor is None else (jobs or 4 * (os.cpu_count() or 1)))
    if len(shares) == 1:
        tables = _build_tables(corpus, mwe, kinds)
    elif executor is not None:
        tables = _gather(executor, shares, mwe, kinds, while_waiting)
    else:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        # fork: the workers start with this process's imports and read no code from disk
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=min(len(shares), jobs or 1),
                                 mp_context=context) as pool:
            tables = _gather(pool, shares, mwe, kinds, while_waiting)
    if root is not None:
        tablestore.write_entry(root, key, tables)
    return Pipeline(corpus=corpus, kinds=kinds, **tables)


_CACHED = ("cleaning_log", "segments", "tokens")

#: Fewest documents in a share of a parallel build (below it, one process is quicker).
MIN_SHARE_DOCUMENTS = 25


def _build_tables(corpus: pd.DataFrame, mwe: bool | Iterable[str],
                  kinds: tuple[str, ...]) -> dict[str, pd.DataFrame]:
    """The foundation tables of some documents (all of them, or one share of a parallel
    build)."""
    segments = segment_corpus(corpus)
    analysed = segments[segments["kind"].isin(kinds)]
    return {
        "cleaning_log": cleaning_log(corpus),
        "segments": segments,
        "tokens": tokenise(analysed, corpus, mwe=mwe),
    }


Encoded = dict[str, tuple[dict[str, np.ndarray], dict[str, object]]]


def _build_share(corpus: pd.DataFrame, mwe: bool | Iterable[str],
                 kinds: tuple[str, ...]) -> Encoded:
    """The tables of one share, encoded as arrays and word lists (:func:`tablestore.encode_frame`):
    a token table's text columns sent as Python strings would cost the parent as much time to
    receive as the worker took to build them."""
    return {name: tablestore.encode_frame(table, name)
            for name, table in _build_tables(corpus, mwe, kinds).items()}


def _gather(executor: Executor, shares: list[pd.DataFrame], mwe: bool | Iterable[str],
            kinds: tuple[str, ...], while_waiting: Callable[[], object] | None
            ) -> dict[str, pd.DataFrame]:
    """Hand every share to the executor, run ``while_waiting``, then put the tables together."""
    futures = [executor.submit(_build_share, share, mwe, kinds) for share in shares]
    if while_waiting is not None:
        while_waiting()
    return _concat([future.result() for future in futures])


def _shares(corpus: pd.DataFrame, jobs: int | None) -> list[pd.DataFrame]:
    """The corpus cut into at most ``jobs`` runs of consecutive documents of similar length
    (one share when ``jobs`` is 1 or the corpus is small)."""
    n_docs = len(corpus)
    count = min(jobs or 1, n_docs // MIN_SHARE_DOCUMENTS)
    if count <= 1:
        return [corpus]
    lengths = corpus["text"].str.len().to_numpy().cumsum()
    bounds = np.searchsorted(lengths, lengths[-1] * np.arange(1, count) / count, side="right")
    edges = [0, *sorted(set(int(b) for b in bounds if 0 < b < n_docs)), n_docs]
    return [corpus.iloc[a:b] for a, b in zip(edges[:-1], edges[1:], strict=False)]


def _concat(parts: list[Encoded]) -> dict[str, pd.DataFrame]:
    """Put the shares' tables back together in corpus order, as one build would give them."""
    tables = {}
    for name in _CACHED:
        frames = [tablestore.decode_frame(*part[name], name) for part in parts]
        # a share with nothing in a table gives it default dtypes; the others carry the real
        filled = [f for f in frames if len(f)] or frames[:1]
        tables[name] = pd.concat(filled, ignore_index=True)
    return tables


def cache_key(corpus: pd.DataFrame, *, mwe: bool | Iterable[str], kinds: Iterable[str]) -> str:
    """The cache key of the tables built from ``corpus`` with these options (hex SHA-256)."""
    from analysis.report import package_digest

    digest = hashlib.sha256()
    options = {
        "mwe": mwe if isinstance(mwe, bool) else sorted(mwe),
        "kinds": list(kinds),
        "pandas": pd.__version__,
        "package": package_digest(),
        "columns": list(map(str, corpus.columns)),
    }
    digest.update(json.dumps(options, sort_keys=True).encode())
    for row in corpus.itertuples(index=False):
        for value in row:
            digest.update(b"\0" + str(value).encode("utf-8", "surrogatepass"))
        digest.update(b"\n")
    return digest.hexdigest()
