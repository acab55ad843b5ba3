"""Run the foundation stages in one call: corpus, cleaning log, units, sentences, tokens.

Notebooks and the command line start here so that every view of a corpus is built the same way.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis import tablestore
from analysis.clean import cleaning_log
from analysis.corpus import describe_corpus, load_corpus
from analysis.segment import ANALYSIS_KINDS, segment_corpus, sentences
from analysis.tokenise import tokenise


@dataclass(frozen=True)
class Pipeline:
    """The tables of one corpus, each documented by the function that builds it.

    ``segments`` holds every unit; ``tokens`` only those of ``kinds`` (body paragraphs and list
    items by default), which is what analyses count.
    """

    corpus: pd.DataFrame
    cleaning_log: pd.DataFrame
    segments: pd.DataFrame
    sentences: pd.DataFrame
    tokens: pd.DataFrame

    def describe(self) -> pd.DataFrame:
        """Per-document summary (see :func:`analysis.corpus.describe_corpus`)."""
        return describe_corpus(self.corpus, self.segments, self.tokens)


def build(
    manifest: str | Path | None = None,
    *,
    mwe: bool | Iterable[str] = True,
    kinds: Iterable[str] = ANALYSIS_KINDS,
    cache: bool = True,
) -> Pipeline:
    """Load a corpus from its manifest and build every foundation table.

    The corpus is always read and checked; the tables built from it (cleaning log, units,
    sentences, tokens) are kept in an on-disk cache (:mod:`analysis.tablestore`, under
    ``$ANALYSIS_CACHE`` or ``.cache/tables``; ``ANALYSIS_CACHE=off`` switches it off), keyed by
    a SHA-256 of the corpus table (every text and metadata value), the package's code and data
    and the options. Any change to a text, the manifest, the code or an option gives a new key,
    so a cached table is the table this call would build; a report build computes them once and
    every notebook reads them.

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
    """
    corpus = load_corpus(manifest)
    kinds = tuple(kinds)
    root = tablestore.cache_root() if cache else None
    key = cache_key(corpus, mwe=mwe, kinds=kinds) if root is not None else ""
    if root is not None:
        stored = tablestore.read_entry(root, key, _CACHED)
        if stored is not None:
            return Pipeline(corpus=corpus, **stored)
    segments = segment_corpus(corpus)
    analysed = segments[segments["kind"].isin(kinds)]
    tables = {
        "cleaning_log": cleaning_log(corpus),
        "segments": segments,
        "sentences": sentences(analysed, corpus),
        "tokens": tokenise(analysed, corpus, mwe=mwe),
    }
    if root is not None:
        tablestore.write_entry(root, key, tables)
    return Pipeline(corpus=corpus, **tables)


_CACHED = ("cleaning_log", "segments", "sentences", "tokens")


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
