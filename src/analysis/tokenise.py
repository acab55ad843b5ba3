"""Tokenise units into one row per token, each with raw offsets, normal form, stem and flags.

Tokens are found by one regular expression in the Treebank tradition, run over the analysis text
of each document (quotes straightened, editorial artefacts removed; see :mod:`analysis.clean`),
so every token maps back to the raw text: ``raw[start:end] == token``.

* Hyphenated compounds ("Anti-Trafficking", "non-governmental", "cross-border"), acronyms
  ("ATIPSOM", "U.N."), numbers and ranges ("2019-2021", "10\u201311", "1,000") stay whole; the
  clitics "'s", "'re", "n't" ... are split off as Treebank does ("country's" -> "country", "'s").
* ``norm`` is the case-folded form with quotes and hyphens normalised; ``stem`` is NLTK's
  Snowball (English) stem of it. Neither needs downloaded data.
* Multiword expressions from the package list (``data/mwe.txt``: "human trafficking", "people
  smuggling", "civil society" ...) are joined into one token when ``mwe`` is on: the longest match
  wins, matches never cross a sentence or punctuation, and ``is_mwe`` marks them.
* Stopwords (``data/stopwords.txt``) are flagged with ``is_stop``, never removed. Personal
  pronouns and modal verbs (``data/function_words.csv``) are *not* stopwords: they are flagged
  ``is_function`` with their class, because who says "we" and who "must" act is the point of a
  discourse comparison.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from importlib import resources

import numpy as np
import pandas as pd
from nltk.stem.snowball import SnowballStemmer

from analysis.clean import clean_document
from analysis.errors import AnalysisError
from analysis.segment import sentence_spans

TOKEN_COLUMNS = [
    "doc_id", "seg_id", "sentence", "position", "token", "norm", "stem", "start", "end",
    "is_punct", "is_stop", "is_number", "is_function", "function_class", "function_subclass",
    "is_mwe",
]

_TOKEN_RE = re.compile(
    r"""
    https?://[^\s<>"]+[^\s<>".,;:!?)\]}']          # URL
    | [\w.+-]+@[\w-]+(?:\.[\w-]+)+                  # e-mail address
    | (?:[A-Za-z]\.){2,}(?![A-Za-z])                # dotted acronym: U.N., e.g.
    | \d+(?:[.,:]\d+)*(?:[-\u2013]\d+(?:[.,:]\d+)*)*(?:st|nd|rd|th)?(?![\w-])  # number, range
    | [^\W_]+?(?=n['\u2019]t\b)                      # "do" of "don't"
    | (?i:n['\u2019]t)\b                             # the clitic "n't"
    | (?<=\w)['\u2019](?i:s|re|ve|ll|d|m)\b          # clitics 's 're 've 'll 'd 'm
    | [^\W_](?:\w|[-\u2010\u2011](?=[^\W_]))*        # word, hyphenated compound kept whole
    | \.\.\.|[^\w\s]                                 # punctuation: ellipsis or one character
    """,
    re.VERBOSE,
)
_NUMBER_RE = re.compile(r"^\d[\d.,:\-\u2013]*(?:st|nd|rd|th)?$")
_PUNCT_RE = re.compile(r"^[^\w]+$")
_HYPHENS = str.maketrans({"\u2010": "-", "\u2011": "-", "\u2013": "-", "\u2019": "'",
                          "\u2018": "'"})


def _data_lines(name: str) -> list[str]:
    text = (resources.files("analysis") / "data" / name).read_text("utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    """Return the package's stopword list (normalised forms)."""
    return frozenset(_data_lines("stopwords.txt"))


@lru_cache(maxsize=1)
def function_words() -> pd.DataFrame:
    """Return the function-word table: ``word``, ``function_class``, ``function_subclass``."""
    path = resources.files("analysis") / "data" / "function_words.csv"
    with path.open("r", encoding="utf-8") as fh:
        table = pd.read_csv(fh, dtype=str, keep_default_na=False)
    return table


@lru_cache(maxsize=1)
def default_mwes() -> tuple[str, ...]:
    """Return the package's multiword expressions (lowercase, space-separated)."""
    return tuple(_data_lines("mwe.txt"))


@lru_cache(maxsize=1)
def _stemmer() -> SnowballStemmer:
    return SnowballStemmer("english")


def normalise(token: str) -> str:
    """Return the normal form of a token: case-folded, quotes and hyphens made plain."""
    return token.casefold().translate(_HYPHENS)


def stem(norm: str) -> str:
    """Return the Snowball stem of a normalised word (multiword: each part stemmed)."""
    if not norm or _PUNCT_RE.match(norm) or _NUMBER_RE.match(norm):
        return norm
    return " ".join(_stemmer().stem(part) for part in norm.split(" "))


def _mwe_index(mwes: Iterable[str]) -> dict[str, list[tuple[str, ...]]]:
    index: dict[str, list[tuple[str, ...]]] = {}
    for expr in mwes:
        parts = tuple(normalise(p) for p in expr.split())
        if len(parts) < 2:
            raise AnalysisError(
                f"multiword expression {expr!r} has fewer than two words; list only phrases"
            )
        index.setdefault(parts[0], []).append(parts)
    for options in index.values():
        options.sort(key=len, reverse=True)
    return index


def _join_mwes(
    norms: list[str], sent: np.ndarray, index: dict[str, list[tuple[str, ...]]]
) -> list[tuple[int, int]]:
    """Return ``(first, last)`` token index pairs of the longest MWE matches, left to right."""
    spans = []
    i, n = 0, len(norms)
    while i < n:
        options = index.get(norms[i])
        if options:
            for parts in options:
                j = i + len(parts)
                if j <= n and tuple(norms[i:j]) == parts and sent[i] == sent[j - 1]:
                    spans.append((i, j - 1))
                    i = j
                    break
            else:
                i += 1
        else:
            i += 1
    return spans


def tokenise_text(
    raw: str,
    spans: list[tuple[str, int, int]],
    *,
    mwe: bool | Iterable[str] = True,
    with_sentences: bool = True,
) -> dict[str, list]:
    """Tokenise the units ``(seg_id, start, end)`` of one raw document into column lists.

    Used by :func:`tokenise`, and by callers that stream documents without building a table.
    """
    cleaned = clean_document(raw)
    text = cleaned.analysis
    to_raw = text.to_raw
    index = _mwe_index(default_mwes() if mwe is True else (mwe or ()))
    cols: dict[str, list] = {c: [] for c in ("seg_id", "sentence", "position", "token", "norm",
                                             "start", "end", "is_mwe")}
    for seg_id, seg_start, seg_end in spans:
        lo = int(np.searchsorted(to_raw, seg_start, side="left"))
        hi = int(np.searchsorted(to_raw, seg_end, side="left"))
        matches = list(_TOKEN_RE.finditer(text.text, lo, hi))
        if not matches:
            continue
        starts = to_raw[np.fromiter((m.start() for m in matches), np.int64, len(matches))]
        ends = to_raw[np.fromiter((m.end() - 1 for m in matches), np.int64, len(matches))] + 1
        if with_sentences:
            sent_bounds = np.array([s for s, _ in sentence_spans(cleaned.display, seg_start,
                                                                 seg_end)][1:], dtype=np.int64)
            sent = np.searchsorted(sent_bounds, starts, side="right")
        else:
            sent = np.zeros(len(matches), dtype=np.int64)
        norms = [normalise(m.group()) for m in matches]
        joined = _join_mwes(norms, sent, index) if index else []
        keep = np.ones(len(matches), dtype=bool)
        is_mwe = np.zeros(len(matches), dtype=bool)
        ends = ends.copy()
        for first, last in joined:
            norms[first] = " ".join(norms[first:last + 1])
            ends[first] = ends[last]
            keep[first + 1:last + 1] = False
            is_mwe[first] = True
        kept = np.flatnonzero(keep)
        cols["seg_id"].extend([seg_id] * len(kept))
        cols["sentence"].extend(sent[kept].tolist())
        cols["position"].extend(range(len(kept)))
        cols["start"].extend(starts[kept].tolist())
        cols["end"].extend(ends[kept].tolist())
        cols["token"].extend(raw[s:e] for s, e in zip(starts[kept], ends[kept], strict=True))
        cols["norm"].extend(norms[k] for k in kept)
        cols["is_mwe"].extend(is_mwe[kept].tolist())
    return cols


def _type_flags(norms: pd.Index) -> pd.DataFrame:
    """Stem and flags for each distinct normal form (computed once per type, not per token)."""
    fw = function_words().set_index("word")
    stops = stopwords()
    values = list(norms)
    flags = pd.DataFrame(
        {
            "stem": [stem(n) for n in values],
            "is_punct": [bool(_PUNCT_RE.match(n)) for n in values],
            "is_stop": [n in stops for n in values],
            "is_number": [bool(_NUMBER_RE.match(n)) for n in values],
            "function_class": fw["function_class"].reindex(values).fillna("").tolist(),
            "function_subclass": fw["function_subclass"].reindex(values).fillna("").tolist(),
        }
    )
    flags["is_function"] = flags["function_class"] != ""
    return flags


def tokenise(
    segments: pd.DataFrame,
    corpus: pd.DataFrame,
    *,
    mwe: bool | Iterable[str] = True,
    kinds: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Tokenise units into a token table with raw offsets.

    Parameters
    ----------
    segments
        Units from :func:`analysis.segment.segment_corpus` (every row is tokenised; filter it
        first, or pass ``kinds``).
    corpus
        The corpus table the units came from (for the raw texts).
    mwe
        ``True`` joins the package's multiword expressions, ``False`` none; an iterable of
        phrases joins those instead.
    kinds
        Unit kinds to keep (e.g. :data:`analysis.segment.ANALYSIS_KINDS`); ``None`` keeps all.

    Returns
    -------
    DataFrame
        One row per token in reading order: ``doc_id``, ``seg_id`` (str), ``sentence`` (int,
        0-based within the unit), ``position`` (int, 0-based within the unit), ``token`` (str, as
        written: ``raw[start:end]``), ``norm`` (str), ``stem`` (str), ``start``, ``end`` (int, raw
        offsets; a multiword token spans its whole expression), ``is_punct``, ``is_stop``,
        ``is_number``, ``is_function`` (bool), ``function_class`` (``pronoun``, ``modal`` or
        ``""``), ``function_subclass`` (``first_plural``, ``obligation`` ...; ``""`` otherwise)
        and ``is_mwe`` (bool).

    Examples
    --------
    >>> from analysis.corpus import load_corpus
    >>> from analysis.segment import segment_corpus
    >>> corpus = load_corpus()
    >>> tokens = tokenise(segment_corpus(corpus), corpus)
    >>> bool((tokens["token"] == [corpus.set_index("doc_id").text[d][s:e] for d, s, e in
    ...       zip(tokens.doc_id, tokens.start, tokens.end)]).all())
    True
    """
    if kinds is not None:
        segments = segments[segments["kind"].isin(list(kinds))]
    raw_by_doc = dict(zip(corpus["doc_id"], corpus["text"], strict=True))
    parts = []
    for doc_id, units in segments.groupby("doc_id", sort=False):
        if doc_id not in raw_by_doc:
            raise AnalysisError(f"segments name document {doc_id!r}, which is not in the corpus")
        spans = list(zip(units["seg_id"], units["start"], units["end"], strict=True))
        cols = tokenise_text(raw_by_doc[doc_id], spans, mwe=mwe)
        frame = pd.DataFrame(cols)
        frame.insert(0, "doc_id", doc_id)
        parts.append(frame)
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in TOKEN_COLUMNS})
    tokens = pd.concat(parts, ignore_index=True)
    codes, uniques = pd.factorize(tokens["norm"])
    flags = _type_flags(pd.Index(uniques)).take(codes).reset_index(drop=True)
    tokens = pd.concat([tokens, flags], axis=1)
    int_cols = {"sentence": "int64", "position": "int64", "start": "int64", "end": "int64"}
    return tokens.astype(int_cols)[TOKEN_COLUMNS]
