"""Dictionary baseline for frames and stance: lexicon cues matched on tokens, with every match kept.

The frame lexicon (``data/frame_lexicon.csv``) lists cues per frame and per stance direction;
each cue is a word or a multiword expression, matched on the tokens table's ``stem`` column
(Snowball stems, so "amendment" also finds "amendments") or, where stemming would over-reach,
on the ``norm`` column ("act" must not find "action"). ``match_cues`` returns one row per match
with its token positions and raw character offsets, so every score can be audited;
``propose_codes`` turns the counts into a proposed frame and stance per unit;
``validate_lexicon`` compares the proposals with a human coding (precision, recall, kappa), and
the helpers after it tabulate that comparison (confusion table, misses, recall ranking) and the
proposals themselves.

This is a validity check of the lexicon against one analyst's reading, not intercoder
reliability: the lexicon was written by the same analyst after reading the same texts, so its
agreement with the reference coding overstates how it would do on new statements. General verbs
used for every frame in these texts ("combat", "fight") are deliberately not cues.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from analysis.agreement import cohen_kappa
from analysis.errors import AnalysisError

NO_MATCH = "no_match"
#: The documents the lexicon was written from (the seed statements), by doc_id with the sha256 of
#: the file as ``seeds/manifest.csv`` records it. A corpus document with one of these hashes is
#: in-sample for the lexicon, whatever its doc_id: checking the lexicon on it flatters it.
LEXICON_SOURCES: dict[str, str] = {
    "lfl-2022": "faf36a0c9934e8604722e0c14a80ff930c8b73f55ed621513824bdecc1d0427e",
    "gov-2024": "4c0dfae1f328bf5dabfbc497c5004c6ede55b5d3ee997bff1fa6e5c65f64bd15",
}
MATCH_COLUMNS = [
    "seg_id",
    "dimension",
    "category",
    "cue",
    "match",
    "position_first",
    "position_last",
    "start",
    "end",
    "matched",
]

__all__ = [
    "LEXICON_SOURCES",
    "NO_MATCH",
    "lexicon_confusion",
    "lexicon_misses",
    "lexicon_source_documents",
    "load_lexicon",
    "match_cues",
    "propose_codes",
    "proposed_frame_units",
    "recall_ranking",
    "score_units",
    "validate_lexicon",
]


def load_lexicon(path: str | Path | None = None) -> pd.DataFrame:
    """Read the frame lexicon and compute each cue's match keys.

    Parameters
    ----------
    path : str or Path, optional
        A CSV with columns ``dimension`` (``frame`` or ``stance``), ``category`` (a frame code,
        or ``supportive``/``critical``), ``cue`` (words as written), ``match`` (``stem`` or
        ``norm``), ``note``. Default: the package's ``data/frame_lexicon.csv``.

    Returns
    -------
    DataFrame
        The file's columns (str) plus ``keys`` (tuple of str: the cue's parts normalised and, for
        ``match == "stem"``, stemmed exactly as :mod:`analysis.tokenise` does) and ``n_parts``
        (int).

    Raises
    ------
    AnalysisError
        When a column is missing, a ``match`` value is unknown, or a cue repeats.
    """
    from analysis.tokenise import normalise, stem

    if path is None:
        text = (resources.files("analysis") / "data" / "frame_lexicon.csv").read_text("utf-8")
        where = "analysis/data/frame_lexicon.csv"
    else:
        where = str(path)
        try:
            text = Path(path).read_text("utf-8")
        except OSError as exc:
            raise AnalysisError(f"{where}: cannot read the lexicon ({exc.strerror})") from None
    lex = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    missing = {"dimension", "category", "cue", "match"} - set(lex.columns)
    if missing:
        raise AnalysisError(f"{where}: lexicon lacks columns {sorted(missing)}")
    bad = lex[~lex["match"].isin(["stem", "norm"])]
    if len(bad):
        row = bad.index[0] + 2
        raise AnalysisError(
            f"{where}, line {row}: match {bad.iloc[0]['match']!r} is not 'stem' or 'norm'"
        )
    dup = lex[lex.duplicated(["dimension", "category", "cue"])]
    if len(dup):
        raise AnalysisError(f"{where}: cue {dup.iloc[0]['cue']!r} is listed twice")
    keys = []
    for cue, how in zip(lex["cue"], lex["match"], strict=True):
        parts = [normalise(p) for p in cue.split()]
        keys.append(tuple(stem(p) if how == "stem" else p for p in parts))
    lex = lex.assign(keys=keys, n_parts=[len(k) for k in keys])
    return lex.astype({"n_parts": "int64"})


def _expand(
    rows: Iterable[tuple[int, str, str, str, int, int, bool]],
) -> list[tuple[str, str, int, int, int, str]]:
    """One entry per word part: (stem, norm, position, start, end, token); MWE tokens split."""
    out = []
    for pos, token, norm, st, start, end, punct in rows:
        if punct:
            out.append(("\x00", "\x00", pos, start, end, token))  # a cue never spans punctuation
            continue
        norms, stems = norm.split(" "), st.split(" ")
        if len(norms) != len(stems):
            stems = [st] * len(norms)
        for n, s in zip(norms, stems, strict=True):
            out.append((s, n, pos, start, end, token))
    return out


def match_cues(tokens: pd.DataFrame, lexicon: pd.DataFrame | None = None) -> pd.DataFrame:
    """Find every lexicon cue in every unit, longest cue first, without overlaps per dimension.

    Parameters
    ----------
    tokens : DataFrame
        Tokens table (:func:`analysis.tokenise.tokenise`): ``seg_id``, ``position``, ``token``,
        ``norm``, ``stem``, ``start``, ``end``, ``is_punct``. A joined multiword token (norm
        "law enforcement") is split back into its parts, so cues match whether or not the
        tokeniser joined the expression.
    lexicon : DataFrame, optional
        From :func:`load_lexicon`; default the package lexicon.

    Returns
    -------
    DataFrame
        One row per match: ``seg_id``, ``dimension``, ``category``, ``cue`` (str),
        ``match`` ("stem"/"norm"), ``position_first``, ``position_last`` (int, token positions in
        the unit), ``start``, ``end`` (int, raw offsets into the document text),
        ``matched`` (str, the tokens as written). Within one dimension a word belongs to at most
        one cue (the longest, then the first listed); a word may count for a frame cue and a
        stance cue.
    """
    lex = load_lexicon() if lexicon is None else lexicon
    ordered = list(
        lex.sort_values("n_parts", ascending=False, kind="stable")[
            ["dimension", "category", "cue", "match", "keys"]
        ].itertuples(index=False, name=None)
    )
    columns = ["seg_id", "position", "token", "norm", "stem", "start", "end", "is_punct"]
    table = tokens[columns]
    # units in order of first appearance, each unit's rows by position (stable)
    unit_order = {u: i for i, u in enumerate(dict.fromkeys(table["seg_id"]))}
    rank = table["seg_id"].map(unit_order).to_numpy()
    order = np.lexsort((table["position"].to_numpy(), rank))
    values = {c: table[c].to_numpy()[order].tolist() for c in columns}
    values["is_punct"] = [bool(v) for v in values["is_punct"]]
    bounds = np.flatnonzero(np.diff(rank[order], prepend=-1, append=-1)).tolist()
    records: list[dict[str, Any]] = []
    for a, b in zip(bounds[:-1], bounds[1:], strict=True):
        seg_id = values["seg_id"][a]
        parts = _expand(zip(*(values[c][a:b] for c in columns[1:]), strict=True))
        by_key = {"stem": [p[0] for p in parts], "norm": [p[1] for p in parts]}
        # where each word occurs: a cue is tried only where its first word is
        starts: dict[str, dict[str, list[int]]] = {"stem": {}, "norm": {}}
        for how, seq in by_key.items():
            for i, word in enumerate(seq):
                starts[how].setdefault(word, []).append(i)
        used: dict[str, set[int]] = {}
        for dim, cat, cue, how, keys in ordered:
            where = starts[how].get(keys[0]) if keys else None
            if not where:
                continue
            seq = by_key[how]
            taken = used.setdefault(dim, set())
            n = len(keys)
            for i in where:
                if (
                    i + n > len(seq)
                    or tuple(seq[i : i + n]) != keys
                    or taken.intersection(range(i, i + n))
                ):
                    continue
                taken.update(range(i, i + n))
                first, last = parts[i], parts[i + n - 1]
                words = list(dict.fromkeys((p[2], p[5]) for p in parts[i : i + n]))
                records.append(
                    {
                        "seg_id": seg_id,
                        "dimension": dim,
                        "category": cat,
                        "cue": cue,
                        "match": how,
                        "position_first": first[2],
                        "position_last": last[2],
                        "start": first[3],
                        "end": last[4],
                        "matched": " ".join(w for _, w in words),
                    }
                )
    out = pd.DataFrame(records, columns=MATCH_COLUMNS)
    out = out.sort_values(["seg_id", "start", "dimension"], kind="stable")
    out = out.iloc[out["seg_id"].map(unit_order).argsort(kind="stable")].reset_index(drop=True)
    return out.astype({c: "int64" for c in ("position_first", "position_last", "start", "end")})


def score_units(
    matches: pd.DataFrame, seg_ids: Iterable[str], lexicon: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Count matched cues per unit and category.

    Parameters
    ----------
    matches : DataFrame
        From :func:`match_cues`.
    seg_ids : iterable of str
        Units to score, in order (units without any match get zeros).
    lexicon : DataFrame, optional
        Supplies the categories (columns) in lexicon order.

    Returns
    -------
    DataFrame
        Index ``seg_id``; one int64 column per ``dimension:category`` (e.g.
        ``frame:accountability``, ``stance:critical``).
    """
    lex = load_lexicon() if lexicon is None else lexicon
    columns = list(dict.fromkeys(lex["dimension"] + ":" + lex["category"]))
    keys = matches["dimension"] + ":" + matches["category"]
    counts = pd.crosstab(matches["seg_id"], keys) if len(matches) else pd.DataFrame()
    out = counts.reindex(index=list(seg_ids), columns=columns, fill_value=0).fillna(0)
    out.index.name = "seg_id"
    out.columns.name = None
    return out.astype("int64")


def propose_codes(
    tokens: pd.DataFrame,
    *,
    lexicon: pd.DataFrame | None = None,
    frame_order: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Propose a primary frame and a stance for every unit from its lexicon matches.

    The proposed frame is the frame with most matched cues (ties go to the frame listed first
    in ``frame_order``, default the codebook's order), ``no_match`` when no frame cue occurs. The
    proposed stance is ``supportive`` or ``critical`` when only cues of that direction occur,
    ``mixed`` when both do, ``neutral`` when neither does.

    Parameters
    ----------
    tokens : DataFrame
        Tokens table of the units to code.
    lexicon : DataFrame, optional
        Default the package lexicon.
    frame_order : iterable of str, optional
        Tie-break order of frames.

    Returns
    -------
    DataFrame
        One row per unit in token order: ``seg_id`` (str), ``proposed_frame`` (str),
        ``frame_score`` (int, cues of that frame), ``frame_runner_up`` (str, "" if none),
        ``proposed_stance`` (str), ``n_supportive``, ``n_critical`` (int), ``cues`` (str, every
        match as ``category:cue@start-end``, for audit).
    """
    lex = load_lexicon() if lexicon is None else lexicon
    if frame_order is None:
        from analysis.coding import load_codebook

        frame_order = load_codebook().dimension("frame").allowed
    order = list(frame_order)
    seg_ids = list(dict.fromkeys(tokens["seg_id"]))
    matches = match_cues(tokens, lex)
    scores = score_units(matches, seg_ids, lex)
    frames = [f for f in order if f"frame:{f}" in scores.columns]
    # every unit's matches as one audit string, built in one pass (not one filter per unit)
    audit: dict[str, list[str]] = {}
    for seg, c, q, st, en in matches[["seg_id", "category", "cue", "start", "end"]].itertuples(
        index=False
    ):
        audit.setdefault(seg, []).append(f"{c}:{q}@{st}-{en}")
    frame_scores = scores.reindex(seg_ids)[[f"frame:{f}" for f in frames]].to_numpy()
    support = scores.reindex(seg_ids).get("stance:supportive")
    critical = scores.reindex(seg_ids).get("stance:critical")
    records = []
    for i, seg_id in enumerate(seg_ids):
        values = frame_scores[i] if frames else []
        # most cues first, ties in frame order (frames are listed in that order)
        ranked = sorted(range(len(frames)), key=lambda k: (-values[k], k))
        best = frames[ranked[0]] if ranked and values[ranked[0]] > 0 else NO_MATCH
        runner = frames[ranked[1]] if len(ranked) > 1 and values[ranked[1]] > 0 else ""
        sup = int(support.iloc[i]) if support is not None else 0
        crit = int(critical.iloc[i]) if critical is not None else 0
        stance = (
            "mixed" if sup and crit else "supportive" if sup else "critical" if crit else "neutral"
        )
        records.append(
            {
                "seg_id": seg_id,
                "proposed_frame": best,
                "frame_score": int(values[ranked[0]]) if best != NO_MATCH else 0,
                "frame_runner_up": runner,
                "proposed_stance": stance,
                "n_supportive": sup,
                "n_critical": crit,
                "cues": "; ".join(audit.get(seg_id, [])),
            }
        )
    return pd.DataFrame(records)


def validate_lexicon(
    proposals: pd.DataFrame, long: pd.DataFrame, *, coder: str = "reference"
) -> dict[str, Any]:
    """Compare dictionary proposals with a human coding of the same units.

    Parameters
    ----------
    proposals : DataFrame
        From :func:`propose_codes`.
    long : DataFrame
        Long coding table (``analysis.coding.merge_sheets``) holding ``coder``.
    coder : str
        The human coding to compare with (default the project's reference coding).

    Returns
    -------
    dict
        ``per_frame`` (DataFrame: ``frame``, ``n_coded`` (units the coder gave that frame),
        ``n_proposed``, ``true_positive`` (int), ``precision``, ``recall`` (float, NaN when the
        denominator is 0)), ``frame_kappa`` and ``stance_kappa`` (Cohen's kappa, with
        ``no_match`` kept as a category so unmatched units count as misses), ``frame_accuracy``,
        ``stance_accuracy`` (float), ``n_units`` (int), ``pairs`` (DataFrame: ``seg_id``,
        ``frame``, ``proposed_frame``, ``stance_toward_state``, ``proposed_stance``).
    """
    rows = long[long["coder"] == coder]
    if rows.empty:
        raise AnalysisError(f"no codes by coder {coder!r} in the coding table")
    wide = rows.pivot(index="seg_id", columns="dimension", values="code")
    pairs = proposals.merge(
        wide[["frame", "stance_toward_state"]], left_on="seg_id", right_index=True, how="inner"
    )
    pairs = pairs[pairs["frame"] != ""]
    frames = list(dict.fromkeys([*sorted(pairs["frame"].unique())]))
    records = []
    for f in frames:
        coded = pairs["frame"] == f
        proposed = pairs["proposed_frame"] == f
        tp = int((coded & proposed).sum())
        records.append(
            {
                "frame": f,
                "n_coded": int(coded.sum()),
                "n_proposed": int(proposed.sum()),
                "true_positive": tp,
                "precision": tp / proposed.sum() if proposed.sum() else float("nan"),
                "recall": tp / coded.sum() if coded.sum() else float("nan"),
            }
        )
    extra = sorted(set(pairs["proposed_frame"]) - set(frames))
    for f in extra:  # frames the lexicon proposed but the coder never used
        records.append(
            {
                "frame": f,
                "n_coded": 0,
                "n_proposed": int((pairs["proposed_frame"] == f).sum()),
                "true_positive": 0,
                "precision": 0.0,
                "recall": float("nan"),
            }
        )
    return {
        "per_frame": pd.DataFrame(records),
        "frame_kappa": cohen_kappa(list(pairs["frame"]), list(pairs["proposed_frame"])),
        "stance_kappa": cohen_kappa(
            list(pairs["stance_toward_state"]), list(pairs["proposed_stance"])
        ),
        "frame_accuracy": float((pairs["frame"] == pairs["proposed_frame"]).mean()),
        "stance_accuracy": float((pairs["stance_toward_state"] == pairs["proposed_stance"]).mean()),
        "n_units": int(len(pairs)),
        "pairs": pairs[
            ["seg_id", "frame", "proposed_frame", "stance_toward_state", "proposed_stance"]
        ].reset_index(drop=True),
    }


def lexicon_confusion(pairs: pd.DataFrame, *, coder: str = "reference") -> pd.DataFrame:
    """Cross-tabulate the coder's primary frame against the frame the lexicon proposed.

    Parameters
    ----------
    pairs : DataFrame
        The ``pairs`` of :func:`validate_lexicon` (``frame``, ``proposed_frame``).
    coder : str
        The coder the frames come from, named in the row axis.

    Returns
    -------
    DataFrame
        Units per (coded, proposed) pair, int64: rows the coded frames (axis named
        ``"<coder> frame"``), columns the proposed frames (axis named ``"proposed frame"``), both
        sorted; only frames that occur are listed.
    """
    return pd.crosstab(
        pairs["frame"],
        pairs["proposed_frame"],
        rownames=[f"{coder} frame"],
        colnames=["proposed frame"],
    )


def lexicon_misses(pairs: pd.DataFrame) -> pd.DataFrame:
    """List the units whose proposed frame differs from the coder's primary frame.

    Parameters
    ----------
    pairs : DataFrame
        The ``pairs`` of :func:`validate_lexicon`.

    Returns
    -------
    DataFrame
        ``seg_id``, ``frame`` (coded), ``proposed_frame`` (str), in the order of ``pairs``; a
        unit the lexicon left unmatched (``no_match``) counts as a miss.
    """
    misses = pairs[pairs["frame"] != pairs["proposed_frame"]]
    return misses[["seg_id", "frame", "proposed_frame"]].reset_index(drop=True)


def recall_ranking(per_frame: pd.DataFrame) -> pd.Series:
    """Rank frames by the lexicon's recall, highest first.

    Parameters
    ----------
    per_frame : DataFrame
        The ``per_frame`` table of :func:`validate_lexicon` (``frame``, ``recall``).

    Returns
    -------
    Series
        Recall (float) indexed by ``frame``, highest first (ties in table order); frames the
        coder never used (recall NaN) are left out.
    """
    recall = per_frame.set_index("frame")["recall"].dropna()
    return recall.sort_values(ascending=False, kind="stable")


def proposed_frame_units(
    proposals: pd.DataFrame, *, order: Literal["frequency", "name"] = "frequency"
) -> pd.DataFrame:
    """Tally the units for which the lexicon proposes each frame, with their ids.

    Parameters
    ----------
    proposals : DataFrame
        From :func:`propose_codes` (``seg_id``, ``proposed_frame``).
    order : {"frequency", "name"}
        Most proposed frame first (ties in order of first appearance), or frames sorted by name.

    Returns
    -------
    DataFrame
        One row per proposed frame (``no_match`` included when it occurs): ``proposed_frame``
        (str), ``n_units`` (int64), ``seg_ids`` (list of str, in the order of ``proposals``).
    """
    if order not in ("frequency", "name"):
        raise AnalysisError(f"order must be 'frequency' or 'name', got {order!r}")
    counts = proposals["proposed_frame"].value_counts()
    frames = list(counts.index) if order == "frequency" else sorted(counts.index)
    records = [
        {
            "proposed_frame": str(f),
            "n_units": int(counts[f]),
            "seg_ids": list(proposals.loc[proposals["proposed_frame"] == f, "seg_id"]),
        }
        for f in frames
    ]
    out = pd.DataFrame(records, columns=["proposed_frame", "n_units", "seg_ids"])
    return out.astype({"n_units": "int64"})


def lexicon_source_documents(corpus: pd.DataFrame) -> list[str]:
    """Return the documents of a corpus that the lexicon was written from.

    A document counts when its file is one of :data:`LEXICON_SOURCES`, recognised by the sha256
    of its bytes (the corpus table's ``sha256`` column), so a seed statement listed under another
    doc_id is still found and another text listed under a seed's doc_id is not. On such documents
    the lexicon's agreement with a human coding overstates how it would do on new texts.

    Parameters
    ----------
    corpus : DataFrame
        The document table of :func:`analysis.corpus.load_corpus` (``doc_id``, ``sha256``).

    Returns
    -------
    list of str
        Their doc_ids in corpus order; empty when the check on this corpus is out of sample.

    Raises
    ------
    AnalysisError
        When the table lacks ``doc_id`` or ``sha256``.
    """
    missing = [c for c in ("doc_id", "sha256") if c not in corpus.columns]
    if missing:
        raise AnalysisError(
            f"the document table lacks column(s) {missing}; load it with "
            "analysis.corpus.load_corpus(), which records each file's sha256."
        )
    sources = set(LEXICON_SOURCES.values())
    found = corpus["sha256"].astype(str).str.lower().isin(sources)
    return [str(d) for d in corpus.loc[found, "doc_id"]]
