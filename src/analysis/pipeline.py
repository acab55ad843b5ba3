"""Run the foundation stages in one call: corpus, cleaning log, units, tokens (and sentences).

Notebooks and the command line start here so that every view of a corpus is built the same way.
"""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import json
import os
import sys
import tempfile
from collections.abc import Callable, Iterable
from concurrent.futures import Executor
from functools import cached_property
from pathlib import Path
from typing import Any, cast

import numpy as np
import pandas as pd

from analysis import dtm as dtm_module
from analysis import tablestore
from analysis.clean import cleaning_log
from analysis.corpus import describe_corpus, load_corpus
from analysis.dtm import DocumentTermMatrix
from analysis.segment import ANALYSIS_KINDS, segment_corpus
from analysis.segment import sentences as split_sentences
from analysis.tokenise import tokenise


class CorpusTables:
    """The tables of one corpus, each documented by the function that builds it.

    ``segments`` holds every unit; ``dtm`` (:class:`analysis.dtm.DocumentTermMatrix`) counts
    those of ``kinds`` (body paragraphs and list items by default), which is what every
    count-based analysis takes. The token table (``tokens``, with offsets, for the views that
    need word positions: concordances, collocates, the term explorer) and ``sentences`` are
    derived when first asked for; a build that has them in its cache reads them from there.
    """

    def __init__(
        self,
        corpus: pd.DataFrame,
        cleaning_log: pd.DataFrame,
        segments: pd.DataFrame,
        tokens: pd.DataFrame | None = None,
        *,
        kinds: Iterable[str] = ANALYSIS_KINDS,
        mwe: bool | Iterable[str] = True,
        dtm: DocumentTermMatrix | None = None,
        cache_key: str | None = None,
    ) -> None:
        self.corpus = corpus
        self.cleaning_log = cleaning_log
        self.segments = segments
        self.kinds = tuple(kinds)
        self.mwe = mwe if isinstance(mwe, bool) else tuple(mwe)
        self._tokens = tokens
        self._dtm = dtm
        self._cache_key = cache_key
        self._tokens_from: Callable[[], pd.DataFrame] | None = None

    def __repr__(self) -> str:
        return (
            f"CorpusTables({len(self.corpus):,} documents, {len(self.segments):,} units, "
            f"kinds={list(self.kinds)}, mwe={self.mwe!r})"
        )

    @property
    def dtm(self) -> DocumentTermMatrix:
        """Sparse unit x term counts of the units of ``kinds`` (counted from the token table
        when it is in hand, else straight from the texts)."""
        if self._dtm is None:
            if self._tokens is not None:
                self._dtm = dtm_module.for_tokens(
                    self._tokens, self.segments, mwe=bool(self.mwe), kinds=self.kinds
                )
            else:
                self._dtm = dtm_module.count_documents(
                    self.corpus, self.segments, mwe=self.mwe, kinds=self.kinds
                )
        return self._dtm

    @property
    def tokens(self) -> pd.DataFrame:
        """The token table of the units of ``kinds`` (see :func:`analysis.tokenise.tokenise`),
        built (or read from the cache) when first asked for."""
        if self._tokens is None and self._tokens_from is not None:
            self._tokens = self._tokens_from()
        if self._tokens is None:
            root = tablestore.cache_root() if self._cache_key else None
            stored = (
                tablestore.read_entry(root, _tokens_key(self._cache_key), ("tokens",))
                if root is not None and self._cache_key
                else None
            )
            if stored is not None:
                self._tokens = stored["tokens"]
            else:
                self._tokens = tokenise(self.analysed_units(), self.corpus, mwe=self.mwe)
                if root is not None and self._cache_key:
                    tablestore.write_entry(
                        root, _tokens_key(self._cache_key), {"tokens": self._tokens}
                    )
        return self._tokens

    def of_documents(self, doc_ids: Iterable[str]) -> CorpusTables:
        """The tables of some documents only: their rows of every table, and the matrix of
        their units (:meth:`DocumentTermMatrix.subset`). The token table is cut from this
        one's when it is asked for."""
        docs = set(doc_ids)
        corpus = self.corpus[self.corpus["doc_id"].isin(docs)].reset_index(drop=True)
        segments = self.segments[self.segments["doc_id"].isin(docs)].reset_index(drop=True)
        units = set(segments["seg_id"])
        part = CorpusTables(
            corpus,
            self.cleaning_log[self.cleaning_log["doc_id"].isin(docs)],
            segments,
            kinds=self.kinds,
            mwe=self.mwe,
            dtm=self.dtm.subset(units),
        )
        whole = self

        def tokens() -> pd.DataFrame:
            return whole.tokens[whole.tokens["seg_id"].isin(units)].reset_index(drop=True)

        part._tokens_from = tokens
        return part

    def with_segments(self, segments: pd.DataFrame) -> CorpusTables:
        """The same tables with another segment table holding the same units (for example with
        a column added to group them by); the matrix and token table are shared."""
        same = CorpusTables(
            self.corpus,
            self.cleaning_log,
            segments,
            self._tokens,
            kinds=self.kinds,
            mwe=self.mwe,
            dtm=self._dtm,
            cache_key=self._cache_key,
        )
        same._tokens_from = (lambda: self.tokens) if self._tokens is None else None
        return same

    def analysed_units(self) -> pd.DataFrame:
        """The rows of ``segments`` of the kinds analysed."""
        return self.segments[self.segments["kind"].isin(list(self.kinds))]

    def tokens_of(self, seg_ids: Iterable[str]) -> pd.DataFrame:
        """The token table of some units only (tokenised now unless the whole table is in
        hand): for a view of a few units of a large corpus."""
        wanted = set(seg_ids)
        if self._tokens is not None:
            return self._tokens[self._tokens["seg_id"].isin(wanted)].reset_index(drop=True)
        units = self.segments[self.segments["seg_id"].isin(wanted)]
        return tokenise(units, self.corpus, mwe=self.mwe)

    def tokens_using(self, terms: Iterable[str]) -> pd.DataFrame:
        """The token table of the units that use any of ``terms`` (normal forms, as in the
        matrix's terms table), located through the matrix: what a concordance of those terms
        needs, without tokenising the rest of the corpus."""
        return self.tokens_of(self.units_using(terms))

    def tokens_for(self, query: str, kind: str = "word") -> pd.DataFrame:
        """The token table of the units a concordance of ``query`` can find anything in
        (:func:`analysis.concordance.query_terms`, located through the matrix): ``kwic`` on it
        gives the lines ``kwic`` on the whole table gives, without tokenising the rest."""
        from analysis.concordance import query_terms

        return self.tokens_using(query_terms(self.dtm.terms, query, kind))  # type: ignore[arg-type]

    def units_using(self, terms: Iterable[str]) -> list[str]:
        """The seg_ids (reading order) of the analysed units that use any of ``terms``."""
        matrix = self.dtm
        columns = pd.Index(matrix.terms["term"]).get_indexer(list(terms))
        columns = columns[columns >= 0]
        if not len(columns):
            return []
        rows = np.flatnonzero(np.asarray(matrix.counts[:, columns].sum(axis=1)).ravel())
        return cast(list[str], matrix.units["seg_id"].to_numpy(dtype=object)[rows].tolist())

    @cached_property
    def sentences(self) -> pd.DataFrame:
        """The sentences of the units of ``kinds`` (see :func:`analysis.segment.sentences`)."""
        return split_sentences(self.analysed_units(), self.corpus)

    def describe(self) -> pd.DataFrame:
        """Per-document summary (see :func:`analysis.corpus.describe_corpus`)."""
        return describe_corpus(self.corpus, self.segments, self.tokens)


#: The former name of :class:`CorpusTables` (it is not a scikit-learn pipeline), kept so that
#: code written against it still runs.
Pipeline = CorpusTables


def _tokens_key(key: str) -> str:
    return f"{key}-tokens"


def build(
    manifest: str | Path | None = None,
    *,
    mwe: bool | Iterable[str] = True,
    kinds: Iterable[str] = ANALYSIS_KINDS,
    cache: bool = True,
    jobs: int | None = None,
    executor: Executor | None = None,
    while_waiting: Callable[[], object] | None = None,
    tokens: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> CorpusTables:
    """Load a corpus from its manifest and build its foundation tables and its matrix.

    The corpus is always read and checked. The tables built from it are a map over documents
    and a sum: each share of documents is cleaned, cut into units and counted (no token table,
    no sentence splitting), and the shares are put back together in corpus order. They are
    kept in an on-disk cache (:mod:`analysis.tablestore`, under ``$ANALYSIS_CACHE`` or
    ``.cache/tables``; ``ANALYSIS_CACHE=off`` switches it off), keyed by a SHA-256 of the corpus
    table (every text and metadata value), the package's code and data and the options. Any
    change to a text, the manifest, the code or an option gives a new key, so a cached table is
    the table this call would build; a report build computes them once and every notebook
    reads them.

    Parameters
    ----------
    manifest
        Manifest CSV path; ``None`` uses the project's seed statements.
    mwe
        Passed to :func:`analysis.tokenise.tokenise`.
    kinds
        Unit kinds to count (and tokenise).
    cache
        Read and write the cache (False: always build).
    jobs
        Worker processes that build the tables, each for a share of the documents (None or 1:
        in this process). The tables are the same whatever the number: each document's units
        and counts depend on that document alone, and the shares are put back together in
        corpus order.
    executor
        Any :class:`concurrent.futures.Executor` to run the shares on instead (for example a
        Dask cluster's ``Client(...).get_executor()``); ``jobs`` then sets how many shares
        (default: 4 per core of this machine).
    while_waiting
        Called in this process once the shares are handed to the workers, while they build (a
        report build imports the notebooks' libraries then); not called when the tables come
        from the cache or are built in this process.
    tokens
        Build the token table now as well, in the same map (a report build does, as its
        notebooks show concordances); by default it is built when first asked for
        (:attr:`CorpusTables.tokens`).
    progress
        Called with ``(documents done, documents in all)`` as shares finish.

    Returns
    -------
    CorpusTables
        ``corpus``, ``cleaning_log``, ``segments``, ``dtm`` and, on demand, ``tokens`` and
        ``sentences``.
    """
    corpus = load_corpus(manifest)
    kinds = tuple(kinds)
    root = tablestore.cache_root() if cache else None
    key = cache_key(corpus, mwe=mwe, kinds=kinds) if root is not None else None
    if root is not None and key is not None:
        stored = tablestore.read_entry(root, key, _CACHED)
        token_table = tablestore.read_entry(root, _tokens_key(key), ("tokens",)) if tokens else {}
        if stored is not None and token_table is not None:
            if progress is not None:
                progress(len(corpus), len(corpus))
            matrix = DocumentTermMatrix.from_tables(stored, mwe=mwe, kinds=kinds)
            return CorpusTables(
                corpus,
                stored["cleaning_log"],
                stored["segments"],
                token_table.get("tokens"),
                kinds=kinds,
                mwe=mwe,
                dtm=matrix,
                cache_key=key,
            )
    shares = _shares(corpus, jobs if executor is None else (jobs or 4 * (os.cpu_count() or 1)))
    if progress is not None:
        progress(0, len(corpus))
    if len(shares) == 1:
        tables = _build_tables(corpus, mwe, kinds, tokens, progress)
    elif executor is not None:
        tables = _gather(executor, shares, mwe, kinds, tokens, while_waiting, progress)
    else:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        # fork: the workers start with this process's imports and read no code from disk
        context = multiprocessing.get_context("fork")
        # the workers write their tables to files in a private folder (read_parcel: a pipe is
        # slow for a hundred megabytes), removed with whatever a failed build left in it
        with (
            tempfile.TemporaryDirectory(prefix="analysis-shares-") as folder,
            ProcessPoolExecutor(
                max_workers=min(len(shares), jobs or 1), mp_context=context
            ) as pool,
        ):
            tables = _gather(pool, shares, mwe, kinds, tokens, while_waiting, progress, folder)
    matrix = tables.pop("dtm")
    release_free_memory()  # what building took and let go of
    if root is not None and key is not None:
        matrix.terms  # noqa: B018 (the stems, worked out once here and cached for every reader)
        tablestore.write_entry(
            root,
            key,
            {
                "cleaning_log": tables["cleaning_log"],
                "segments": tables["segments"],
                **matrix.to_tables(),
            },
        )
        if tokens:
            tablestore.write_entry(root, _tokens_key(key), {"tokens": tables["tokens"]})
    return CorpusTables(
        corpus,
        tables["cleaning_log"],
        tables["segments"],
        tables.get("tokens"),
        kinds=kinds,
        mwe=mwe,
        dtm=matrix,
        cache_key=key,
    )


_DTM_TABLES = ("dtm_units", "dtm_terms", "dtm_counts")
_CACHED = ("cleaning_log", "segments", *_DTM_TABLES)

#: Fewest documents in a share of a parallel build (below it, one process is quicker).
MIN_SHARE_DOCUMENTS = 25


def _build_tables(
    corpus: pd.DataFrame,
    mwe: bool | Iterable[str],
    kinds: tuple[str, ...],
    tokens: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, pd.DataFrame]:
    """The foundation tables of some documents (all of them, or one share of a parallel
    build), built a few documents at a time: each document is cleaned once for its units, its
    cleaning log and its counts (:func:`analysis.clean.clean_document` keeps the last few
    hundred texts), and only a few documents' cleaned texts are held at once."""
    parts = []
    for start in range(0, max(len(corpus), 1), CHUNK_DOCUMENTS):
        chunk = corpus.iloc[start : start + CHUNK_DOCUMENTS]
        segments = segment_corpus(chunk)
        part = {
            "cleaning_log": cleaning_log(chunk),
            "segments": segments,
            "dtm": dtm_module.count_documents(chunk, segments, mwe=mwe, kinds=kinds, flags=False),
        }
        if tokens:
            part["tokens"] = tokenise(segments[segments["kind"].isin(kinds)], chunk, mwe=mwe)
        parts.append(part)
        if progress is not None:
            progress(min(start + CHUNK_DOCUMENTS, len(corpus)), len(corpus))
    release_free_memory()
    tables: dict[str, Any] = {}
    for name in ("cleaning_log", "segments", "tokens"):
        if name in parts[0]:
            # each table's pieces let go of once put together, before the next table's
            frames = [part.pop(name) for part in parts]
            filled = [f for f in frames if len(f)] or frames[:1]
            del frames
            tables[name] = filled[0] if len(filled) == 1 else pd.concat(filled, ignore_index=True)
            del filled
    tables["dtm"] = dtm_module.with_flags(dtm_module.concat([part.pop("dtm") for part in parts]))
    return tables


def release_free_memory() -> None:
    """Hand the C heap's free pages back to the system, where the C library can (glibc's
    ``malloc_trim``; elsewhere nothing happens).

    A build allocates and frees thousands of mid-sized arrays. glibc serves arrays below its
    mmap threshold (which rises to 32 MB as larger ones are freed) from the heap and keeps the
    freed pages, so a process would hold on to hundreds of megabytes it no longer uses (about
    0.2 GB after 10 million words), and the analyses' large arrays, mapped afresh, come on top.
    Dask trims its workers' memory the same way.
    """
    global _malloc_trim
    if _malloc_trim is None:
        _malloc_trim = False
        if sys.platform.startswith("linux"):
            try:
                _malloc_trim = ctypes.CDLL(None).malloc_trim
            except (OSError, AttributeError):  # not glibc (musl has no malloc_trim)
                pass
    if _malloc_trim:
        _malloc_trim(0)


_malloc_trim: Any = None


#: Documents cleaned, cut and counted together (well under the texts clean_document keeps).
CHUNK_DOCUMENTS = 64


Encoded = dict[str, tablestore.EncodedTable]
#: What a worker sends back: its share's encoded tables, or where it wrote them
#: (:func:`tablestore.write_parcel`) and the parcel's index.
Shipped = Encoded | tuple[str, dict[str, Any]]


def _build_share(
    corpus: pd.DataFrame,
    mwe: bool | Iterable[str],
    kinds: tuple[str, ...],
    tokens: bool = False,
    folder: str | None = None,
) -> Shipped:
    """The tables of one share, encoded as arrays and word lists (:func:`tablestore.encode_frame`):
    a token table's text columns sent as Python strings would cost the parent as much time to
    receive as the worker took to build them. With ``folder`` (a private folder of the parent,
    on this machine) they are written there as a parcel and only its index is sent back."""
    tables = _build_tables(corpus, mwe, kinds, tokens)
    tables.update(tables.pop("dtm").to_tables())
    encoded = {
        name: tablestore.encode_frame(table, name, distinct=_DISTINCT.get(name, ()))
        for name, table in tables.items()
    }
    if folder is None:
        return encoded
    del tables
    path = os.path.join(folder, f"share-{os.getpid()}-{corpus.index[0] if len(corpus) else 0}")
    try:
        return path, tablestore.write_parcel(Path(path), encoded)
    except OSError:  # no room in the temporary folder: through the pipe, slower but whole
        with contextlib.suppress(OSError):
            os.unlink(path)
        return encoded


#: Text columns with (nearly) one value per row: sent unfactorised (see tablestore.encode_frame).
_DISTINCT = {"segments": ("seg_id", "text", "text_sha", "anchor"), "dtm_units": ("seg_id",)}


def _received(shipped: Shipped) -> Encoded:
    """A worker's tables as it encoded them (read from its parcel, which is then removed)."""
    if isinstance(shipped, dict):
        return shipped
    path, parcel = shipped
    try:
        return tablestore.read_parcel(Path(path), parcel)
    finally:
        os.unlink(path)


def _gather(
    executor: Executor,
    shares: list[pd.DataFrame],
    mwe: bool | Iterable[str],
    kinds: tuple[str, ...],
    tokens: bool,
    while_waiting: Callable[[], object] | None,
    progress: Callable[[int, int], None] | None,
    folder: str | None = None,
) -> dict[str, pd.DataFrame]:
    """Hand every share to the executor, run ``while_waiting``, then put the tables together
    (``folder``: where workers on this machine leave their tables, see :func:`_build_share`)."""
    futures = [executor.submit(_build_share, share, mwe, kinds, tokens, folder) for share in shares]
    if while_waiting is not None:
        while_waiting()
    from concurrent.futures import as_completed

    # each share's tables read as soon as it is done (while the others are still building),
    # then put together in corpus order
    order = {future: i for i, future in enumerate(futures)}
    parts: list[Encoded | None] = [None] * len(futures)
    done, total = 0, sum(map(len, shares))
    for future in as_completed(futures):
        parts[order[future]] = _received(future.result())
        done += len(shares[order[future]])
        if progress is not None:
            progress(done, total)
    return _concat([part for part in parts if part is not None], mwe, kinds)


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


def _concat(
    parts: list[Encoded], mwe: bool | Iterable[str], kinds: tuple[str, ...]
) -> dict[str, pd.DataFrame]:
    """Put the shares' tables back together in corpus order, as one build would give them."""
    tables: dict[str, Any] = {}
    for name in ("cleaning_log", "segments", "tokens"):
        if name in parts[0]:
            # decoded once for every share (a share with nothing in a table gives it default
            # dtypes, so it is left out), and let go of
            tables[name] = tablestore.decode_frames([part.pop(name) for part in parts], name)
    matrices = []
    for part in parts:
        arrays, schema = part.pop("dtm_counts")
        # the counts as they came (four integer columns), not through a table
        columns: list[dict[str, Any]] = schema["columns"]
        entries = {column["name"]: arrays[f"c{i}"] for i, column in enumerate(columns)}
        matrices.append(
            DocumentTermMatrix.from_arrays(
                entries,
                tablestore.decode_frame(*part["dtm_units"], "dtm_units"),
                tablestore.decode_frame(*part["dtm_terms"], "dtm_terms"),
                mwe=mwe,
                kinds=kinds,
            )
        )
    tables["dtm"] = dtm_module.concat(matrices)
    return tables


def cache_key(corpus: pd.DataFrame, *, mwe: bool | Iterable[str], kinds: Iterable[str]) -> str:
    """The cache key of the tables built from ``corpus`` with these options (hex SHA-256)."""
    from analysis.report.inputs import package_digest

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
