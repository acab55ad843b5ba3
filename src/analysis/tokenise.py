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
from collections.abc import Iterable, Sequence
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from analysis.clean import class_mask, clean_document, code_points
from analysis.errors import AnalysisError
from analysis.schema import TOKEN_COLUMNS
from analysis.segment import sentence_spans

if TYPE_CHECKING:
    from nltk.stem.snowball import SnowballStemmer

_TOKEN_PATTERN = r"""
    [^\W\d_]+(?=[\s,;!?)\]"]|$)                     # fast path: a plain word before a space,
                                                   # comma ...; the same token the rules below
                                                   # would give, found without trying them
    | https?://[^\s<>"]+[^\s<>".,;:!?)\]}']          # URL
    | [\w.+-]+@[\w-]+(?:\.[\w-]+)+                  # e-mail address
    | (?:[A-Za-z]\.){2,}(?![A-Za-z])                # dotted acronym: U.N., e.g.
    | \d+(?:[.,:]\d+)*(?:[-\u2013]\d+(?:[.,:]\d+)*)*(?:st|nd|rd|th)?(?![\w-])  # number, range
    | [^\W_]+(?=n['\u2019]t\b)                       # "do" of "don't"
    | (?i:n['\u2019]t)\b                             # the clitic "n't"
    | (?<=\w)['\u2019](?i:s|re|ve|ll|d|m)\b          # clitics 's 're 've 'll 'd 'm
    | [^\W_](?:\w|[-\u2010\u2011](?=[^\W_]))*        # word, hyphenated compound kept whole
    | \.\.\.|\S                                     # punctuation: ellipsis, any other character
    """
_TOKEN_RE = re.compile(_TOKEN_PATTERN, re.VERBOSE)
_SPACE_RE = re.compile(r"\s")
_NUMBER_RE = re.compile(r"^\d[\d.,:\-\u2013]*(?:st|nd|rd|th)?$")
_PUNCT_RE = re.compile(r"^[^\w]+$")
_HYPHENS = str.maketrans(
    {"\u2010": "-", "\u2011": "-", "\u2013": "-", "\u2019": "'", "\u2018": "'"}
)


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
    # imported when first needed: a build and its normal-form analyses never stem, and NLTK
    # costs a process about 27 MB
    from nltk.stem.snowball import SnowballStemmer

    return SnowballStemmer("english")


def normalise(token: str) -> str:
    """Return the normal form of a token: case-folded, quotes and hyphens made plain."""
    return token.casefold().translate(_HYPHENS)


@lru_cache(maxsize=500_000)
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


@lru_cache(maxsize=8)
def _mwe_index_of(mwes: tuple[str, ...]) -> dict[str, list[tuple[str, ...]]]:
    """:func:`_mwe_index` once per list of expressions (every document uses the same one);
    callers only read it."""
    return _mwe_index(mwes)


def _join_mwes(
    codes: np.ndarray,
    types: list[str],
    index: dict[str, list[tuple[str, ...]]],
    units: np.ndarray,
) -> list[tuple[int, int]]:
    """Return ``(first, last)`` token index pairs of the longest MWE matches, left to right.

    ``codes`` holds each token's normal form as an index into ``types``. Matches never cross a
    unit (``units`` holds each token's unit number) nor punctuation, and so never a sentence end,
    since every punctuation mark is a token of its own and no expression contains one.
    """
    firsts = [i for i, t in enumerate(types) if t in index]
    if not firsts:
        return []
    spans = []
    taken_until = -1
    for i in np.flatnonzero(np.isin(codes, firsts)).tolist():
        if i <= taken_until:
            continue
        for parts in index[types[codes[i]]]:
            j = i + len(parts)
            if (
                j <= len(codes)
                and units[i] == units[j - 1]
                and tuple(types[c] for c in codes[i:j].tolist()) == parts
            ):
                spans.append((i, j - 1))
                taken_until = j - 1
                break
    return spans


def scan_tokens(text: str) -> list[str]:
    """The tokens of ``text`` in order, without offsets.

    As the pattern's last alternative takes any non-space character and no token contains white
    space, the tokens tile the non-space characters of the text in order: offsets follow from
    the token lengths and the positions of the non-space characters, without a match object
    per token. And as no alternative (nor any look-around) reaches across white space, the
    pattern gives the same tokens run over each white-space-delimited chunk on its own; a chunk
    of letters only (most words of prose) is one token without running it at all.

    Examples
    --------
    >>> scan_tokens("The State's “anti-trafficking” plan (2019–2021) isn't done...")[:9]
    ['The', 'State', "'s", '“', 'anti-trafficking', '”', 'plan', '(', '2019–2021']
    """
    tokens: list[str] = []
    keep, more, find = tokens.append, tokens.extend, _TOKEN_RE.findall
    for chunk in text.split():
        if chunk.isalpha():
            keep(chunk)
        else:
            more(find(chunk))
    return tokens


def _norm_codes(tokens: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """Normal form of each token as ``(codes, types)``: token ``i`` has ``types[codes[i]]``.

    Each distinct surface form is normalised once; as tokens hold no white space and
    normalising works character by character, the distinct forms are normalised as one
    newline-joined string. Forms that normalise alike ("The", "the") are listed once each, so a
    normal form may appear more than once in ``types``.
    """
    codes, surfaces = pd.factorize(tokens)
    types = normalise("\n".join(surfaces.tolist())).split("\n")
    return codes, types


def _join_codes(
    codes: np.ndarray, types: list[str], joined: list[tuple[int, int]], is_mwe: np.ndarray
) -> tuple[list[str], np.ndarray]:
    """Join the token runs ``joined`` (from :func:`_join_mwes`) in place: each run's first token
    takes the phrase's code (the phrase added to a copy of ``types``) and ``is_mwe``. Returns
    the types and which tokens remain (the rest of each run is dropped)."""
    kept = np.ones(len(codes), dtype=bool)
    types = list(types)
    phrase_codes: dict[str, int] = {}
    for first, last in joined:
        phrase = " ".join(types[c] for c in codes[first : last + 1].tolist())
        code = phrase_codes.setdefault(phrase, len(types))
        if code == len(types):
            types.append(phrase)
        codes[first] = code
        kept[first + 1 : last + 1] = False
        is_mwe[first] = True
    return types, kept


def _unit_bounds(
    spans: list[tuple[str, int, int]], to_raw: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Where each unit ``(seg_id, start, end)`` begins and ends in a cleaned text whose map to
    raw offsets is ``to_raw``; the units must not overlap and must be in reading order."""
    raw_lo = np.fromiter((s for _, s, _ in spans), np.int64, len(spans))
    raw_hi = np.fromiter((e for _, _, e in spans), np.int64, len(spans))
    if (np.diff(raw_lo) < 0).any() or (raw_lo[1:] < raw_hi[:-1]).any():
        raise AnalysisError("units to tokenise overlap or are out of reading order")
    return (
        np.searchsorted(to_raw, raw_lo, side="left"),
        np.searchsorted(to_raw, raw_hi, side="left"),
    )


def unit_texts(raw: str, spans: list[tuple[str, int, int]]) -> list[str] | None:
    """The analysis text of each unit ``(seg_id, start, end)`` of one raw document, or ``None``
    when a unit does not start and end at white space (a token could straddle its edge: then
    only :func:`tokenise_text`, which decides by offsets, gives the right tokens)."""
    text = clean_document(raw).analysis
    content = text.text
    bounds = _unit_bounds(spans, text.to_raw)
    lo, hi = bounds[0].tolist(), bounds[1].tolist()
    n = len(content)
    for a, b in zip(lo, hi, strict=True):
        if (a > 0 and not content[a - 1].isspace()) or (b < n and not content[b].isspace()):
            return None
    return [content[a:b] for a, b in zip(lo, hi, strict=True)]


def scan_units(
    texts: Sequence[str], *, mwe: bool | Iterable[str] = True
) -> tuple[np.ndarray, np.ndarray, list[str], np.ndarray]:
    """The tokens of unit texts that start and end at white space (:func:`unit_texts`, of one
    document or of several in a row), for counting: ``(unit, code, types, is_mwe)`` arrays in
    reading order (token ``i`` is in unit ``unit[i]``, an index into ``texts``, and has the
    normal form ``types[code[i]]``), as :func:`tokenise_text` gives them, without offsets.

    The texts are cut at white space into chunks, and the pattern runs once per *distinct*
    chunk (a chunk of letters is one token without running it; see :func:`scan_tokens`): a
    corpus repeats its chunks, so most of the work is a hash factorisation in C.
    """
    chunks: list[str] = []
    lengths: list[int] = []
    for text in texts:
        found = text.split()
        chunks += found
        lengths.append(len(found))
    if not chunks:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty.copy(), [], np.zeros(0, dtype=bool)
    chunk_code, distinct = pd.factorize(np.asarray(chunks, dtype=object))
    del chunks
    pieces: list[str] = []
    per_distinct = np.ones(len(distinct), dtype=np.int64)
    keep, more, find = pieces.append, pieces.extend, _TOKEN_RE.findall
    for i, chunk in enumerate(distinct.tolist()):
        if chunk.isalpha():
            keep(chunk)
        else:
            found = find(chunk)
            more(found)
            per_distinct[i] = len(found)
    # each normal form once per distinct piece (as in _norm_codes: one joined string)
    types = normalise("\n".join(pieces)).split("\n")
    first_piece = np.cumsum(per_distinct) - per_distinct
    chunk_unit = np.repeat(np.arange(len(texts), dtype=np.int64), lengths)
    if (per_distinct == 1).all():
        seg, codes = chunk_unit, first_piece[chunk_code]
    else:
        per_chunk = per_distinct[chunk_code]
        seg = np.repeat(chunk_unit, per_chunk)
        before = np.cumsum(per_chunk) - per_chunk
        codes = np.repeat(first_piece[chunk_code] - before, per_chunk) + np.arange(
            int(per_chunk.sum()), dtype=np.int64
        )
    is_mwe = np.zeros(len(codes), dtype=bool)
    index = _mwe_index_of(default_mwes() if mwe is True else tuple(mwe or ()))
    joined = _join_mwes(codes, types, index, seg) if index else []
    if joined:
        types, kept = _join_codes(codes, types, joined, is_mwe)
        sel = np.flatnonzero(kept)
        seg, codes, is_mwe = seg[sel], codes[sel], is_mwe[sel]
    return seg, codes, types, is_mwe


def unit_codes(
    raw: str, spans: list[tuple[str, int, int]], *, mwe: bool | Iterable[str] = True
) -> tuple[np.ndarray, np.ndarray, list[str], np.ndarray] | None:
    """The tokens of the units ``(seg_id, start, end)`` of one raw document, for counting
    (:func:`scan_units` of its :func:`unit_texts`); ``None`` when a unit edge falls inside a
    token."""
    texts = unit_texts(raw, spans)
    return None if texts is None else scan_units(texts, mwe=mwe)


def _empty_columns() -> dict[str, Any]:
    cols: dict[str, Any] = {c: [] for c in ("seg_id", "token", "norm", "norm_types")}
    cols["norm_code"] = np.zeros(0, dtype=np.int64)
    cols.update(
        {
            c: np.zeros(0, dtype=np.int64)
            for c in ("seg_index", "sentence", "position", "start", "end")
        }
    )
    cols["is_mwe"] = np.zeros(0, dtype=bool)
    return cols


def tokenise_text(
    raw: str,
    spans: list[tuple[str, int, int]],
    *,
    mwe: bool | Iterable[str] = True,
    with_sentences: bool = True,
    with_tokens: bool = True,
) -> dict[str, Any]:
    """Tokenise the units ``(seg_id, start, end)`` of one raw document into column lists.

    The units must be in reading order and must not overlap (as :func:`segment_document` gives
    them). The analysis text is scanned once from the first unit's start to the last unit's end;
    tokens outside every unit (headings between paragraphs, numbering marks) are dropped. Unit
    boundaries sit at white space, so no token straddles one.

    Used by :func:`tokenise`, and by callers that stream documents without building a table
    (:func:`analysis.dtm.count_documents`): ``with_sentences=False`` skips sentence
    splitting (every ``sentence`` is 0) and ``with_tokens=False`` leaves out the ``token``,
    ``seg_id`` and ``norm`` lists; counting needs none of them. Returns ``seg_index`` (each
    token's unit, an index into ``spans``), ``sentence``, ``position``, ``start``, ``end``,
    ``is_mwe`` and ``norm_code`` as numpy arrays, ``norm_types`` (token ``i`` has the normal
    form ``norm_types[norm_code[i]]``; a form may be listed more than once) and, with tokens,
    ``norm``, ``seg_id`` and ``token`` as lists.
    """
    cols = _empty_columns()
    if not spans:
        return cols
    cleaned = clean_document(raw)
    text = cleaned.analysis
    to_raw = text.to_raw
    index = _mwe_index_of(default_mwes() if mwe is True else tuple(mwe or ()))
    seg_ids = [s for s, _, _ in spans]
    lo, hi = _unit_bounds(spans, to_raw)
    scan_lo, scan_hi = int(lo[0]), int(hi[-1])
    all_toks = scan_tokens(text.text[scan_lo:scan_hi])
    if not all_toks:
        return cols
    tok_len = np.fromiter(map(len, all_toks), np.int64, len(all_toks))
    cum_len = np.cumsum(tok_len)
    solid = scan_lo + np.flatnonzero(
        ~class_mask(code_points(text.text[scan_lo:scan_hi]), _SPACE_RE)
    )
    if cum_len[-1] != len(solid):  # the tiling invariant the offsets rest on
        raise AnalysisError("internal: tokens do not tile the text; please report this text")
    starts_a = solid[cum_len - tok_len]
    ends_a = solid[cum_len - 1] + 1
    seg = np.searchsorted(lo, starts_a, side="right") - 1
    inside = (seg >= 0) & (ends_a <= hi[np.maximum(seg, 0)])
    keep = np.flatnonzero(inside)
    seg = seg[keep]
    toks = np.asarray(all_toks, dtype=object)[keep]
    starts = to_raw[starts_a[keep]]
    ends = to_raw[ends_a[keep] - 1] + 1
    codes, types = _norm_codes(toks)
    if with_sentences:
        sent_starts, sent_seg = [], []
        for i, (_, seg_start, seg_end) in enumerate(spans):
            for s, _ in sentence_spans(cleaned.display, seg_start, seg_end):
                sent_starts.append(s)
                sent_seg.append(i)
        sent_starts_a = np.asarray(sent_starts, dtype=np.int64)
        first_sent = np.searchsorted(np.asarray(sent_seg, dtype=np.int64), np.arange(len(spans)))
        k = np.searchsorted(sent_starts_a, starts, side="right") - 1
        sent = np.maximum(k - first_sent[seg], 0)
    else:
        sent = np.zeros(len(toks), dtype=np.int64)
    is_mwe = np.zeros(len(toks), dtype=bool)
    joined = _join_mwes(codes, types, index, seg) if index else []
    if joined:
        types, kept = _join_codes(codes, types, joined, is_mwe)
        for first, last in joined:
            ends[first] = ends[last]
        sel = np.flatnonzero(kept)
        starts, ends, sent, is_mwe, seg = starts[sel], ends[sel], sent[sel], is_mwe[sel], seg[sel]
        codes = codes[sel]
    position = np.arange(len(seg)) - np.searchsorted(seg, seg, side="left")
    cols["seg_index"] = seg
    if with_tokens:
        cols["seg_id"] = [seg_ids[i] for i in seg.tolist()]
        cols["token"] = [raw[s:e] for s, e in zip(starts.tolist(), ends.tolist(), strict=True)]
    cols["sentence"] = sent
    cols["position"] = position
    cols["start"] = starts
    cols["end"] = ends
    cols["norm_code"] = codes
    cols["norm_types"] = types
    if with_tokens:
        cols["norm"] = np.asarray(types, dtype=object)[codes].tolist()
    cols["is_mwe"] = is_mwe
    return cols


_WORD_CHAR_RE = re.compile(r"\w")
_DIGIT_RE = re.compile(r"\d")


def _char_runs(norms: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The code points of the normal forms put end to end, and where each begins and ends."""
    lengths = np.fromiter(map(len, norms), dtype=np.int64, count=len(norms))
    ends = np.cumsum(lengths)
    return code_points("".join(norms)), ends - lengths, ends


def is_punctuation(norms: Sequence[str]) -> np.ndarray:
    r"""Whether each normal form is punctuation (the token table's ``is_punct``): not empty, and
    no character a word character (``^[^\w]+$``), decided for all forms at once."""
    codes, starts, ends = _char_runs(norms)
    word = np.concatenate(([0], np.cumsum(class_mask(codes, _WORD_CHAR_RE))))
    flags: np.ndarray = (ends > starts) & (word[ends] == word[starts])
    return flags


def is_number(norms: Sequence[str]) -> np.ndarray:
    """Whether each normal form is a number or range (the token table's ``is_number``); the
    pattern runs only on forms that begin with a digit."""
    codes, starts, ends = _char_runs(norms)
    flags = np.zeros(len(norms), dtype=bool)
    begins = starts[ends > starts]
    digit_first = np.flatnonzero(ends > starts)[class_mask(codes[begins], _DIGIT_RE)]
    for i in digit_first.tolist():
        flags[i] = _NUMBER_RE.match(norms[i]) is not None
    return flags


def type_flags(norms: pd.Index, *, stems: list[str] | None = None) -> pd.DataFrame:
    """Stem and flags for each distinct normal form (computed once per type, not per token):
    ``stem``, ``is_punct``, ``is_stop``, ``is_number``, ``function_class``,
    ``function_subclass``, ``is_function``.

    ``stems`` gives the stems when the caller has them already (worked out in parallel).
    """
    fw = function_words().set_index("word")
    stops = stopwords()
    values = list(norms)
    flags = pd.DataFrame(
        {
            "stem": [stem(n) for n in values] if stems is None else list(stems),
            "is_punct": is_punctuation(values),
            "is_stop": pd.Index(values, dtype=object).isin(list(stops)),
            "is_number": is_number(values),
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
    strings: dict[str, list[Any]] = {"doc_id": [], "seg_id": [], "token": [], "norm": []}
    arrays: dict[str, list[Any]] = {
        c: [] for c in ("sentence", "position", "start", "end", "is_mwe")
    }
    for doc_id, units in segments.groupby("doc_id", sort=False):
        if doc_id not in raw_by_doc:
            raise AnalysisError(f"segments name document {doc_id!r}, which is not in the corpus")
        spans = list(zip(units["seg_id"], units["start"], units["end"], strict=True))
        cols = tokenise_text(raw_by_doc[doc_id], spans, mwe=mwe)
        if not cols["norm"]:
            continue
        strings["doc_id"].extend([doc_id] * len(cols["norm"]))
        for name in ("seg_id", "token", "norm"):
            strings[name].extend(cols[name])
        for name in arrays:
            arrays[name].append(cols[name])
    if not strings["doc_id"]:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in TOKEN_COLUMNS})
    tokens = pd.DataFrame({**strings, **{k: np.concatenate(v) for k, v in arrays.items()}})
    codes, uniques = pd.factorize(tokens["norm"])
    flags = type_flags(pd.Index(uniques)).take(codes).reset_index(drop=True)
    tokens = pd.concat([tokens, flags], axis=1)
    # An all-capital word of two or more letters is an acronym, not a pronoun or a modal: "US"
    # in "the US State Department" is not "us". (A heading in capitals is not counted anyway.)
    surface = tokens["token"]
    acronym = tokens["is_function"] & surface.str.isupper() & (surface.str.len() > 1)
    if acronym.any():
        tokens.loc[acronym, "is_function"] = False
        tokens.loc[acronym, ["function_class", "function_subclass"]] = ""
    int_cols = {"sentence": "int64", "position": "int64", "start": "int64", "end": "int64"}
    return tokens.astype(int_cols)[TOKEN_COLUMNS]
