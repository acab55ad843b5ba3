"""Check a whole corpus before any analysis: every problem of every document, listed at once.

:func:`check_corpus` reads the manifest, every document and its units, and returns one row per
problem found: ``severity`` (``fatal`` when the document cannot be analysed at all: missing,
unreadable, empty, binary, changed since registration, or without any prose; ``warning`` for
what the analysis can work with but a reader should check), ``doc_id``, ``where`` (the manifest
row, file or unit), ``problem`` and ``todo`` (what to do). The command line (``corpus``,
``units``, ``report``) and the notebooks run it once, before anything else, and print the
warnings once; :func:`require_analysable` turns the fatal rows into one error naming every
document.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis import paths
from analysis.corpus import (
    DEFAULT_MAX_BYTES,
    document_table,
    manifest_row_problems,
    read_documents,
    read_manifest,
)
from analysis.errors import CorpusError, SegmentationError
from analysis.segment import ANALYSIS_KINDS, FLAG_UNFINISHED, segment_document

CHECK_COLUMNS = ["severity", "doc_id", "where", "problem", "todo"]
# Below this many running words in its paragraphs, a document says little a rate can carry.
SHORT_DOCUMENT_WORDS = 50
# A document of one paragraph longer than this was probably pasted without paragraph breaks.
ONE_PARAGRAPH_WORDS = 300


@dataclass(frozen=True)
class CorpusCheck:
    """The outcome of :func:`check_corpus`: the problems table and the document table."""

    problems: pd.DataFrame
    corpus: pd.DataFrame | None

    @property
    def fatal(self) -> pd.DataFrame:
        """The rows that stop an analysis."""
        return self.problems[self.problems["severity"] == "fatal"]

    @property
    def warnings(self) -> pd.DataFrame:
        """The rows a reader should check."""
        return self.problems[self.problems["severity"] == "warning"]

    def summary(self) -> str:
        """One line per problem, fatal first, for a terminal."""
        if self.problems.empty:
            return "corpus check: no problems found"
        lines = [
            f"corpus check: {len(self.fatal)} fatal problem(s), {len(self.warnings)} warning(s)"
        ]
        for r in self.problems.itertuples():
            lines.append(f"  {r.severity}: {r.where}: {r.problem}; {r.todo}")
        return "\n".join(lines)


def _row(severity: str, doc_id: str, where: str, problem: str, todo: str) -> dict[str, str]:
    return dict(severity=severity, doc_id=doc_id, where=where, problem=problem, todo=todo)


def check_corpus(
    manifest: str | Path | None = None,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    segments: pd.DataFrame | None = None,
) -> CorpusCheck:
    """Check every document of a manifest; return every problem found, never only the first.

    Parameters
    ----------
    manifest
        Manifest CSV path; ``None`` checks the seed statements.
    max_bytes
        Size limit per document file.
    segments
        The unit table of this manifest's corpus when it is already built (for example
        ``pipeline.build(manifest).segments``): a document found in it is not segmented again.

    Returns
    -------
    CorpusCheck
        ``problems``: one row per problem (:data:`CHECK_COLUMNS`), in manifest order, fatal
        rows of a document before its warnings; ``corpus``: the document table of the readable
        documents (None when the manifest itself cannot be read).

    Raises
    ------
    CorpusError
        Only when the manifest itself cannot be read (missing, not a CSV, required columns
        missing): then nothing else can be checked.
    """
    path = Path(manifest) if manifest is not None else paths.MANIFEST
    frame = read_manifest(path, validate_rows=False)
    rows: list[dict[str, str]] = []
    for message in manifest_row_problems(frame, path):
        where, problem = message.split(": ", 1)
        rows.append(_row("fatal", "", where, problem, "correct the manifest row"))
    texts, encodings, shas, unreadable = read_documents(frame, max_bytes=max_bytes)
    readable: list[int] = []
    seen_sha: dict[str, str] = {}
    built: dict[str, pd.DataFrame] = (
        {} if segments is None else dict(tuple(segments.groupby("doc_id", sort=False)))
    )
    for k, (rec, text, encoding, sha) in enumerate(
        zip(frame.to_dict("records"), texts, encodings, shas, strict=True)
    ):
        doc_id = rec["doc_id"]
        where = f"{doc_id} ({rec['path']}, manifest row {rec['manifest_row']})"
        if doc_id in unreadable:
            problem = unreadable[doc_id].split(": ", 1)[-1]
            rows.append(
                _row(
                    "fatal",
                    doc_id,
                    where,
                    problem,
                    "fix or replace the file, or remove its row from the manifest",
                )
            )
            continue
        if encoding == "cp1252":
            rows.append(
                _row(
                    "warning",
                    doc_id,
                    where,
                    "the file is not UTF-8 and was read as Windows-1252",
                    "check its accented letters and quotes, and re-save it as UTF-8",
                )
            )
        if sha in seen_sha:
            rows.append(
                _row(
                    "warning",
                    doc_id,
                    where,
                    f"the file has the same bytes as {seen_sha[sha]}",
                    "remove one of the two rows unless the duplicate is intended",
                )
            )
        seen_sha.setdefault(sha, doc_id)
        try:
            units = built.get(doc_id)
            if units is None:
                units = segment_document(text, doc_id, layout=rec.get("paragraphs", "") or "auto")
        except SegmentationError as exc:
            rows.append(
                _row(
                    "fatal",
                    doc_id,
                    where,
                    str(exc).split(": ", 1)[-1],
                    "check that the file holds the statement's text",
                )
            )
            continue
        rows.extend(_unit_warnings(doc_id, units))
        readable.append(k)
    corpus = (
        document_table(
            frame.iloc[readable],
            *([column[k] for k in readable] for column in (texts, encodings, shas)),
        )
        if readable
        else None
    )
    if corpus is not None:
        rows.extend(_group_warnings(corpus))
    return CorpusCheck(pd.DataFrame(rows, columns=CHECK_COLUMNS), corpus)


def _unit_warnings(doc_id: str, units: pd.DataFrame) -> list[dict[str, str]]:
    rows = []
    is_analysed = units["kind"].isin(ANALYSIS_KINDS).to_numpy()
    texts = units["text"].to_numpy(dtype=object)[is_analysed]
    flags = units["flags"].to_numpy(dtype=object)[is_analysed]
    words = sum(len(text.split()) for text in texts)
    unfinished = [k for k, flag in enumerate(flags) if FLAG_UNFINISHED in str(flag)]
    seg_ids, starts, ends = (units[c].to_numpy()[is_analysed] for c in ("seg_id", "start", "end"))
    for k in unfinished:
        last = " ".join(texts[k].split()[-6:])
        rows.append(
            _row(
                "warning",
                doc_id,
                f"unit {seg_ids[k]} (characters {starts[k]}-{ends[k]})",
                f"the paragraph does not end as a sentence (\u2026{last})",
                "if the copy is partial, paste the rest of the paragraph; it is analysed as it is",
            )
        )
    if words < SHORT_DOCUMENT_WORDS:
        rows.append(
            _row(
                "warning",
                doc_id,
                doc_id,
                f"only {words} running words in its paragraphs",
                "check that the file holds the whole statement",
            )
        )
    if len(texts) == 1 and words > ONE_PARAGRAPH_WORDS:
        rows.append(
            _row(
                "warning",
                doc_id,
                doc_id,
                f"the whole text ({words} words) is one paragraph",
                "if it has paragraphs, separate them by blank lines, or set the manifest's "
                "paragraphs column to 'line' when each line is a paragraph",
            )
        )
    return rows


def _group_warnings(corpus: pd.DataFrame) -> list[dict[str, str]]:
    rows = []
    sizes = Counter(corpus["actor_type"])
    if len(sizes) < 2:
        rows.append(
            _row(
                "warning",
                "",
                "manifest",
                f"only one actor group ({', '.join(sizes)})",
                "add documents of another actor_type: the reports compare groups",
            )
        )
    return rows


def require_analysable(check: CorpusCheck) -> None:
    """Raise one :class:`CorpusError` naming every document that cannot be analysed."""
    fatal = check.fatal
    if fatal.empty:
        return
    lines = [f"{r.where}: {r.problem}; {r.todo}" for r in fatal.itertuples()]
    raise CorpusError(
        f"{len(fatal)} problem(s) stop the analysis; nothing was built\n"
        + "\n".join(f"  - {line}" for line in lines)
    )
