"""Documents cut into units with ids, offsets, texts, hashes and anchors: one document
(:func:`segment_rows`), a corpus (:func:`segment_corpus`), and summaries of the units and
layouts found."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from analysis.anchors import anchor, text_sha
from analysis.clean import clean_document
from analysis.corpus import document_columns
from analysis.errors import SegmentationError
from analysis.schema import SEGMENT_COLUMNS
from analysis.segment.kinds import (
    ANALYSIS_KINDS,
    KIND_PREFIX,
    LAYOUTS,
    PROSE_MIN_WORDS,
    WEB_KINDS,
)
from analysis.segment.rules import ends_sentence, infer_layout
from analysis.segment.units import LINE_BREAK_RE, assign_kinds, assign_labels, pad_label, raw_units


def segment_document(raw: str, doc_id: str, *, layout: str = "auto") -> pd.DataFrame:
    """Segment one raw document; return its units (see :func:`segment_corpus` for columns)."""
    return pd.DataFrame(segment_rows(raw, doc_id, layout=layout), columns=SEGMENT_COLUMNS)


def _check_layout(layout: str, doc_id: str) -> str:
    layout = (layout or "auto").strip().lower()
    if layout not in LAYOUTS:
        raise SegmentationError(
            f"document {doc_id!r}: paragraphs = {layout!r} is not a layout; use one of "
            f"{', '.join(LAYOUTS)} in the manifest's paragraphs column"
        )
    return layout


def segment_rows(raw: str, doc_id: str, *, layout: str = "auto") -> list[tuple[Any, ...]]:
    """Segment one raw document; return its units as tuples in :data:`SEGMENT_COLUMNS` order.

    The table-free form of :func:`segment_document`, for callers that stream many documents.
    ``layout`` is ``"auto"`` (inferred per document by :func:`infer_layout`), ``"blank-line"``
    (paragraphs separated by blank lines; single line breaks wrap a paragraph) or ``"line"``
    (every line is a paragraph).
    """
    cleaned = clean_document(raw)
    display = cleaned.display
    layout = _check_layout(layout, doc_id)
    used = infer_layout(display.text) if layout == "auto" else layout
    layout_note = f"{used} (inferred)" if layout == "auto" else f"{used} (manifest)"
    units = raw_units(display.text, used)
    assign_kinds(units, display.text)
    assign_labels(units)
    if not any(u.kind in ANALYSIS_KINDS for u in units):
        # A text of short sentences only (a test snippet, a one-line statement): its sentence-like
        # lines are its body.
        for u in units:
            if u.kind in ("heading", "signature", "dateline") and ends_sentence(
                display.text[u.start : u.end]
            ):
                u.kind, u.rule = "body", "sentence in a text without paragraphs"
        assign_labels(units)
    if not any(u.kind in ANALYSIS_KINDS for u in units):
        raise SegmentationError(
            f"document {doc_id!r} has no body paragraph: no line reads as prose (a sentence, or "
            f"{PROSE_MIN_WORDS} words or more). Check that the file holds the statement's text"
        )
    counters: dict[str, int] = {}
    rows = []
    # raw offsets of every unit at once (what CleanText.raw_span gives for one)
    to_raw = display.to_raw
    raw_starts = to_raw[np.fromiter((u.start for u in units), np.int64, len(units))].tolist()
    raw_ends = (to_raw[np.fromiter((u.end - 1 for u in units), np.int64, len(units))] + 1).tolist()
    for position, u in enumerate(units):
        text = display.text[u.start : u.end]
        # Units spanning lines read as one paragraph.
        if "\n" in text:
            text = LINE_BREAK_RE.sub(" ", text)
        start, end = raw_starts[position], raw_ends[position]
        if u.kind in ANALYSIS_KINDS:
            seg_id = f"{doc_id}-p{pad_label(u.label)}"
        else:
            counters[u.kind] = counters.get(u.kind, 0) + 1
            seg_id = f"{doc_id}-{KIND_PREFIX[u.kind]}{counters[u.kind]:02d}"
        rows.append(
            (
                seg_id,
                doc_id,
                position,
                u.kind,
                u.label,
                text,
                start,
                end,
                text_sha(text),
                len(text),
                u.rule,
                " ".join(u.flags),
                layout_note,
            )
        )
    anchors = anchor([row[5] for row in rows])
    return [(*row, a) for row, a in zip(rows, anchors, strict=True)]


def segment_corpus(corpus: pd.DataFrame) -> pd.DataFrame:
    """Cut every document of a corpus table into units with kinds, labels, ids and offsets.

    Parameters
    ----------
    corpus
        A table from :func:`analysis.corpus.load_corpus` (``doc_id``, ``text`` and metadata).

    Returns
    -------
    DataFrame
        One row per unit, documents in corpus order and units in reading order:
        ``seg_id`` (str, unique, stable), ``doc_id`` (str), ``position`` (int, 0-based within the
        document), ``kind`` (str, one of :data:`KINDS`), ``label`` (str, the document's numbering
        such as ``7`` or ``4.ii``, else the position among body paragraphs; empty for other
        kinds), ``text`` (str, the unit as written: display-cleaned, lines joined, numbering
        marker excluded), ``start``/``end`` (int, offsets into the raw text: the raw slice is the
        unit up to whitespace and markup marks), ``text_sha`` (str, sha256 of ``text``),
        ``n_chars`` (int), ``rule`` (str, the layout rule that gave the unit its kind),
        ``flags`` (str, space-separated: ``no-final-punctuation`` for a paragraph that does not
        end as a sentence, ``dateline-split-off`` and ``title-split-off`` when a dateline or a
        page title was cut off its start), ``layout`` (str, how the document's paragraphs were
        found: ``blank-line`` or ``line``, ``(inferred)`` or ``(manifest)``, from the optional
        manifest column ``paragraphs``), ``anchor`` (str, a content anchor: the unit's and its
        neighbours' normalised texts hashed, :func:`analysis.anchors.anchor`; unlike
        ``seg_id`` it does not shift when a paragraph is added or removed elsewhere), and the
        document's ``actor_type``, ``organisation``,
        ``date``, ``genre``, ``title``, ``venue`` where the corpus has them.
    """
    layouts = corpus["paragraphs"] if "paragraphs" in corpus.columns else ["auto"] * len(corpus)
    rows: list[tuple[Any, ...]] = []
    problems = []
    for doc_id, raw, layout in zip(corpus["doc_id"], corpus["text"], layouts, strict=True):
        try:
            rows.extend(segment_rows(raw, doc_id, layout=str(layout or "auto")))
        except SegmentationError as exc:
            problems.append(str(exc))  # every document that fails is named, not only the first
    if problems:
        raise SegmentationError(
            problems[0]
            if len(problems) == 1
            else f"{len(problems)} documents cannot be "
            "segmented\n" + "\n".join(f"  - {p}" for p in problems)
        )
    # one table for every document's rows (a table per document costs more than its rows)
    segments = pd.DataFrame(rows, columns=SEGMENT_COLUMNS)
    meta = corpus[["doc_id", *document_columns(corpus)]]
    return segments.merge(meta, on="doc_id", how="left", validate="many_to_one")


def units_overview(corpus: pd.DataFrame, *, words: int = 8) -> pd.DataFrame:
    """Return the segmentation of a corpus as a reader checks it: one row per unit.

    Columns: ``doc_id``, ``seg_id``, ``kind``, ``label``, ``start``, ``end``, ``layout`` (how
    the document's paragraphs were found), ``rule`` (why the unit has its kind), ``flags`` and
    ``first_words`` (the unit's first ``words`` words, with an ellipsis when it goes on).
    """
    segments = segment_corpus(corpus)
    split = segments["text"].str.split()
    first = [" ".join(w[:words]) + (" \u2026" if len(w) > words else "") for w in split]
    return (
        segments[["doc_id", "seg_id", "kind", "label", "start", "end", "layout", "rule", "flags"]]
        .assign(first_words=first)
        .reset_index(drop=True)
    )


def layout_summary(segments: pd.DataFrame) -> pd.DataFrame:
    """Per document: how its paragraphs were found and what a reader should check.

    Returns
    -------
    DataFrame
        Indexed by ``doc_id`` (documents in order): ``layout`` (str), ``units`` and ``body``
        (int64: all units, and body paragraphs and list items), ``web_lines`` (int64: bylines,
        navigation, captions and boilerplate kept out of the analysis) and ``flagged`` (int64:
        units with a flag).
    """
    frame = segments.assign(
        _web=segments["kind"].isin(WEB_KINDS),
        _flagged=segments["flags"].ne(""),
        _body=segments["kind"].isin(ANALYSIS_KINDS),
    )
    out = frame.groupby("doc_id", sort=False).agg(
        layout=("layout", "first"),
        units=("seg_id", "size"),
        body=("_body", "sum"),
        web_lines=("_web", "sum"),
        flagged=("_flagged", "sum"),
    )
    return out.astype({c: "int64" for c in ("units", "body", "web_lines", "flagged")})
