"""Run the foundation stages in one call: corpus, cleaning log, units, sentences, tokens.

Notebooks and the command line start here so that every view of a corpus is built the same way.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

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
) -> Pipeline:
    """Load a corpus from its manifest and build every foundation table.

    Parameters
    ----------
    manifest
        Manifest CSV path; ``None`` uses the project's seed statements.
    mwe
        Passed to :func:`analysis.tokenise.tokenise`.
    kinds
        Unit kinds to tokenise.
    """
    corpus = load_corpus(manifest)
    segments = segment_corpus(corpus)
    kinds = tuple(kinds)
    analysed = segments[segments["kind"].isin(kinds)]
    return Pipeline(
        corpus=corpus,
        cleaning_log=cleaning_log(corpus),
        segments=segments,
        sentences=sentences(analysed, corpus),
        tokens=tokenise(analysed, corpus, mwe=mwe),
    )
