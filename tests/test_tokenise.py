"""Tests for analysis.tokenise: offsets, compounds, clitics, MWEs, stems and flags."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from analysis.corpus import load_corpus
from analysis.errors import AnalysisError
from analysis.segment import ANALYSIS_KINDS, segment_corpus
from analysis.tokenise import TOKEN_COLUMNS, default_mwes, normalise, stopwords, tokenise


def tok(raw: str, **options) -> pd.DataFrame:
    corpus = pd.DataFrame({"doc_id": ["t"], "text": [raw], "actor_type": ["x"]})
    return tokenise(segment_corpus(corpus), corpus, **options)


@pytest.fixture(scope="module")
def seeds():
    corpus = load_corpus()
    segments = segment_corpus(corpus)
    return corpus, segments, tokenise(segments, corpus, kinds=ANALYSIS_KINDS)


@pytest.mark.parametrize(
    ("raw", "tokens"),
    [
        (
            "The Anti-Trafficking Act and non-governmental bodies.",
            ["The", "Anti-Trafficking", "Act", "and", "non-governmental", "bodies", "."],
        ),
        (
            "ATIPSOM, SOMTC and the MMEA met the U.N. team.",
            ["ATIPSOM", ",", "SOMTC", "and", "the", "MMEA", "met", "the", "U.N.", "team", "."],
        ),
        (
            "In 2019-2021 and on 10\u201311 December, 1,000.5 people (24th SOMTC).",
            [
                "In",
                "2019-2021",
                "and",
                "on",
                "10\u201311",
                "December",
                ",",
                "1,000.5",
                "people",
                "(",
                "24th",
                "SOMTC",
                ")",
                ".",
            ],
        ),
        (
            "The country's waters don't matter; they're fine.",
            [
                "The",
                "country",
                "'s",
                "waters",
                "do",
                "n't",
                "matter",
                ";",
                "they",
                "'re",
                "fine",
                ".",
            ],
        ),
        (
            "Nicknamed \u2018Operation Redback\u2019 here.",
            ["Nicknamed", "\u2018", "Operation", "Redback", "\u2019", "here", "."],
        ),
    ],
)
def test_tokens_as_written(raw, tokens):
    assert tok(raw, mwe=False)["token"].tolist() == tokens


def test_offsets_slice_the_raw_text(seeds):
    corpus, _, tokens = seeds
    raw = dict(zip(corpus.doc_id, corpus.text, strict=True))
    assert all(
        raw[d][s:e] == t
        for d, s, e, t in zip(tokens.doc_id, tokens.start, tokens.end, tokens.token, strict=True)
    )
    assert list(tokens.columns) == TOKEN_COLUMNS


def test_norm_and_stem():
    t = tok("Victims \u2018TRAFFICKED\u2019 and trafficking.", mwe=False).set_index("token")
    assert t.loc["Victims", "norm"] == "victims"
    assert t.loc["Victims", "stem"] == "victim"
    assert t.loc["TRAFFICKED", "stem"] == t.loc["trafficking", "stem"] == "traffick"
    assert t.loc["\u2018", "norm"] == "'"


def test_mwes_joined_longest_first():
    t = tok("Civil society organisations fight human trafficking and people smuggling.")
    joined = t[t.is_mwe]
    assert joined["norm"].tolist() == [
        "civil society organisations",
        "human trafficking",
        "people smuggling",
    ]
    assert joined["token"].tolist() == [
        "Civil society organisations",
        "human trafficking",
        "people smuggling",
    ]
    assert joined["stem"].tolist()[1] == "human traffick"
    assert t["position"].tolist() == list(range(len(t)))


def test_mwes_do_not_cross_sentences_or_punctuation():
    t = tok("They fight for human. Trafficking is bad, human, trafficking too.")
    assert not t["is_mwe"].any()


def test_mwes_configurable():
    assert not tok("Stop human trafficking.", mwe=False)["is_mwe"].any()
    t = tok("Top Glove case and human trafficking.", mwe=["top glove"])
    assert t[t.is_mwe]["norm"].tolist() == ["top glove"]
    with pytest.raises(AnalysisError, match="fewer than two words"):
        tok("x y.", mwe=["single"])
    assert "human trafficking" in default_mwes()


def test_flags():
    t = tok("We must act and they will see 3 cases.", mwe=False).set_index("norm")
    assert t.loc["we", "is_function"] and t.loc["we", "function_class"] == "pronoun"
    assert t.loc["we", "function_subclass"] == "first_plural"
    assert t.loc["must", "function_subclass"] == "obligation"
    assert t.loc["will", "function_subclass"] == "commitment"
    assert not t.loc["we", "is_stop"]  # function words are never stopwords
    assert t.loc["and", "is_stop"] and not t.loc["act", "is_stop"]
    assert t.loc["3", "is_number"] and t.loc[".", "is_punct"]
    assert not (set(stopwords()) & {"we", "our", "they", "must", "should", "will"})


def test_sentence_index():
    t = tok("First one here. Second one here.", mwe=False)
    assert t.groupby("sentence")["token"].first().tolist() == ["First", "Second"]


def test_editorial_artefacts_are_not_counted(seeds):
    _, _, tokens = seeds
    p03 = tokens[tokens.seg_id == "lfl-2022-p03"]["norm"].tolist()
    i = p03.index("demonstrated")
    assert p03[i : i + 4] == ["demonstrated", "in", "the", "top"]
    p01 = tokens[tokens.seg_id == "lfl-2022-p01"]["norm"].tolist()
    assert "when" not in p01


def test_seed_counts(seeds):
    _, _, tokens = seeds
    by_doc = tokens[~tokens.is_punct].groupby("doc_id").size()
    assert by_doc["lfl-2022"] == 340 and by_doc["gov-2024"] == 504
    gov = tokens[tokens.doc_id == "gov-2024"]
    assert (gov["norm"] == "people smuggling").sum() == 13
    lfl = tokens[tokens.doc_id == "lfl-2022"]
    assert (lfl["norm"] == "human trafficking").sum() == 5  # a 6th is in the title
    assert {"atipsom", "anti-trafficking", "non-governmental organisations"} <= set(lfl["norm"])
    assert {"somtc", "mmea", "cross-border"} <= set(gov["norm"])


def test_inputs_not_mutated(seeds):
    corpus, segments, _ = seeds
    before = segments.copy()
    tokenise(segments, corpus)
    pd.testing.assert_frame_equal(before, segments)


def test_unknown_document():
    corpus = pd.DataFrame({"doc_id": ["a"], "text": ["Some text here."]})
    seg = pd.DataFrame(
        {"doc_id": ["b"], "seg_id": ["b-p01"], "start": [0], "end": [4], "kind": ["body"]}
    )
    with pytest.raises(AnalysisError, match="'b'"):
        tokenise(seg, corpus)


@pytest.mark.parametrize(
    "raw",
    [
        "Odd _under_score_ and caf\u0065\u0301 text \U0001f600 here.",
        "Tabs\tand\u00a0spaces, e-mail a.b@example.org and https://example.org/x?y=1 here.",
        "Quotes \u201clike this\u201d and \u2018that\u2019 \u2026 done... ok.",
        # white space that only Unicode knows: line/paragraph separators, NEL, ideographic space,
        # the information separators \x1c-\x1f; offsets come from where the non-space characters are
        "Line\u2028sep\u2029para\x85nel\u3000wide\x1cfs\x1fus and \U0001f600\u200aend.",
    ],
)
def test_every_character_is_covered_and_offsets_hold(raw):
    t = tok(raw, mwe=False)
    assert all(raw[s:e] == w for s, e, w in zip(t.start, t.end, t.token, strict=True))
    covered = "".join(raw[s:e] for s, e in zip(t.start, t.end, strict=True))
    assert covered == "".join(ch for ch in raw if not ch.isspace()) or "\u0301" in raw


def test_one_scan_per_document_equals_one_scan_per_unit(seeds):
    corpus, segments, tokens = seeds
    units = segments[segments.kind.isin(ANALYSIS_KINDS)]
    one_by_one = pd.concat(
        [tokenise(units.iloc[[i]], corpus) for i in range(len(units))], ignore_index=True
    )
    pd.testing.assert_frame_equal(one_by_one, tokens)
    messy = (
        "Title Line\n\n1. First para don't stop.\n - i. item U.N. e.g. x@y.org\n"
        "- ii. https://a.org/b end\n2) Last human\ntrafficking para (when) here."
    )
    corpus = pd.DataFrame({"doc_id": ["m"], "text": [messy], "actor_type": ["x"]})
    seg = segment_corpus(corpus)
    whole = tokenise(seg, corpus)
    single = pd.concat(
        [tokenise(seg.iloc[[i]], corpus) for i in range(len(seg))], ignore_index=True
    )
    pd.testing.assert_frame_equal(single, whole)
    assert "human trafficking" in set(whole["norm"])  # a unit may span lines


def test_acronym_is_not_a_pronoun():
    t = tok("Let us ask the US State Department; I will.", mwe=False).set_index("token")
    assert t.loc["us", "function_subclass"] == "first_plural"
    assert not t.loc["US", "is_function"] and t.loc["US", "function_class"] == ""
    assert t.loc["I", "function_class"] == "pronoun"


WHOLE_TEXT_CASES = [
    "Odd _under_score_ and caf\u0065\u0301 text \U0001f600 here.",
    "Tabs\tand\u00a0spaces, e-mail a.b@example.org and https://example.org/x?y=1 here.",
    "Line\u2028sep\u2029para\x85nel\u3000wide\x1cfs\x1fus and \U0001f600\u200aend.",
    "The State's \u201canti-trafficking\u201d plan (2019\u20132021, 10\u201311 May) isn't done...",
    "U.N. e.g. 1,000.5 3rd x@y.org don't won\u2019t 'quoted' [sic] (when) \u2014dash\u2014 ok",
]


@pytest.mark.parametrize("text", WHOLE_TEXT_CASES)
def test_scan_by_chunks_equals_one_pattern_over_the_text(text):
    from analysis.tokenise import _TOKEN_RE, scan_tokens

    assert scan_tokens(text) == _TOKEN_RE.findall(text)


def test_scan_by_chunks_equals_one_pattern_over_every_fixture():
    from analysis.tokenise import _TOKEN_RE, scan_tokens

    folders = Path(__file__).parent / "fixtures"
    texts = [p.read_text("utf-8") for p in sorted(folders.rglob("*.txt"))]
    texts += list(load_corpus()["text"])
    assert len(texts) > 10
    for text in texts:
        assert scan_tokens(text) == _TOKEN_RE.findall(text)


def _codes_as_norms(found):
    unit, code, types, is_mwe = found
    return list(unit), [types[c] for c in code], list(is_mwe)


def test_unit_codes_equal_tokenise_text_or_decline():
    """The counting scan (one per unit, no offsets) gives what the offset scan gives, and
    declines a unit whose edge falls inside a token."""
    from analysis.tokenise import tokenise_text, unit_codes

    folders = Path(__file__).parent / "fixtures"
    declined = compared = 0
    for manifest in sorted(folders.glob("*/manifest.csv")):
        corpus = load_corpus(manifest)
        units = segment_corpus(corpus)
        units = units[units.kind.isin(ANALYSIS_KINDS)]
        for doc_id, raw in zip(corpus.doc_id, corpus.text, strict=True):
            mine = units[units.doc_id == doc_id]
            spans = list(zip(mine.seg_id, mine.start, mine.end, strict=True))
            for mwe in (True, False):
                found = unit_codes(raw, spans, mwe=mwe)
                if found is None:
                    declined += 1
                    continue
                cols = tokenise_text(raw, spans, mwe=mwe, with_sentences=False, with_tokens=False)
                expected = tuple(
                    cols[c] for c in ("seg_index", "norm_code", "norm_types", "is_mwe")
                )
                assert _codes_as_norms(found) == _codes_as_norms(expected), doc_id
                compared += 1
    assert compared > 20
    raw = "Human trafficking harms.\n\nStateless workers"
    assert unit_codes(raw, [("d-p01", 0, 3)]) is None  # "Hum|an": inside a token
    found = unit_codes(raw, [("d-p01", 0, 24), ("d-p02", 26, 43)])
    assert _codes_as_norms(found) == (
        [0, 0, 0, 1, 1],
        ["human trafficking", "harms", ".", "stateless", "workers"],
        [True, False, False, False, False],
    )


def test_units_out_of_order_or_overlapping_are_refused_by_both_scans():
    from analysis.tokenise import tokenise_text, unit_codes

    raw = "Human trafficking harms.\n\nStateless workers"
    for spans in ([("d-p02", 26, 43), ("d-p01", 0, 24)], [("d-p01", 0, 30), ("d-p02", 26, 43)]):
        with pytest.raises(AnalysisError, match="overlap or are out of reading order"):
            unit_codes(raw, spans)
        with pytest.raises(AnalysisError, match="overlap or are out of reading order"):
            tokenise_text(raw, spans)


def test_scanning_documents_together_equals_scanning_each():
    """A run of documents scanned at once (their chunks factorised together) gives each
    document's tokens as scanning it alone does, units numbered on across documents."""
    from analysis.tokenise import scan_units, unit_texts

    folders = Path(__file__).parent / "fixtures"
    for manifest in sorted(folders.glob("*/manifest.csv")):
        corpus = load_corpus(manifest)
        units = segment_corpus(corpus)
        units = units[units.kind.isin(ANALYSIS_KINDS)]
        run: list[str] = []
        expected: tuple[list, list, list] = ([], [], [])
        for doc_id, raw in zip(corpus.doc_id, corpus.text, strict=True):
            mine = units[units.doc_id == doc_id]
            texts = unit_texts(raw, list(zip(mine.seg_id, mine.start, mine.end, strict=True)))
            if texts is None:
                continue
            unit, norms, is_mwe = _codes_as_norms(scan_units(texts))
            expected[0].extend(u + len(run) for u in unit)
            expected[1].extend(norms)
            expected[2].extend(is_mwe)
            run += texts
        assert len(run) > 5, manifest
        assert _codes_as_norms(scan_units(run)) == expected, manifest
    assert _codes_as_norms(scan_units(["", "  "])) == ([], [], [])


def test_flags_decided_at_once_equal_the_patterns():
    """is_punctuation and is_number, decided on code points for all forms at once, agree with
    their patterns form by form: on every form of the fixtures and on edge cases."""
    from analysis.tokenise import _NUMBER_RE, _PUNCT_RE, _TOKEN_RE, is_number, is_punctuation

    folders = Path(__file__).parent / "fixtures"
    texts = [p.read_text("utf-8") for p in sorted(folders.rglob("*.txt"))]
    forms = sorted({normalise(t) for text in texts for t in _TOKEN_RE.findall(text)})
    forms += ["", "\n", "!\n", "a\n", "²", "٣", "١٢th", "3rd", "3-4", "1,000", "_", "…", "—", "x²"]
    forms += ["\U0001f600", "\ud800", "2019–2021", "12th-century", "e.g.", "’s", "1.", "."]
    assert len(forms) > 500
    assert is_punctuation(forms).tolist() == [bool(_PUNCT_RE.match(f)) for f in forms]
    assert is_number(forms).tolist() == [bool(_NUMBER_RE.match(f)) for f in forms]
    assert is_punctuation([]).shape == (0,) and is_number([]).shape == (0,)
