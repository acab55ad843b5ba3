"""Tests of analysis.counts on hand-made contract tables and on the two seed statements."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from toy_tables import TOY_STOPWORDS, TRACE_UNITS, tables_from_units

from analysis import counts, dtm, stats
from analysis.errors import AnalysisError
from analysis.segment import ANALYSIS_KINDS


def _row(table: pd.DataFrame, by: str, group: str, term: str) -> pd.Series:
    hit = table[(table[by] == group) & (table["term"] == term)]
    assert len(hit) == 1, (group, term)
    return hit.iloc[0]


def test_term_counts_hand_counts_and_denominator(toy) -> None:
    tokens, segments = toy
    before = tokens.copy()
    tc = counts.term_counts(tokens, segments)
    pd.testing.assert_frame_equal(tokens, before)  # input not mutated
    assert list(tc.columns) == [
        "actor_type",
        "term",
        "n",
        "per_1k",
        "rank",
        "n_segments",
        "total_tokens",
    ]
    # ngo body words: p01 = 4 + 5 (human trafficking counts 2 words) + ... see below
    # p01: we must protect victims | human trafficking(2) harms victims of trafficking -> 10
    # p02: they must listen and victims speak -> 6 ; heading excluded
    assert _row(tc, "actor_type", "ngo", "victims")["total_tokens"] == 16
    v = _row(tc, "actor_type", "ngo", "victims")
    assert (v["n"], v["n_segments"], v["rank"]) == (3, 2, 1)
    assert v["per_1k"] == pytest.approx(1000 * 3 / 16)
    assert _row(tc, "actor_type", "ngo", "human trafficking")["n"] == 1
    # stopwords out of the table but kept in the denominator
    assert not tc["term"].isin(TOY_STOPWORDS).any()
    # gov: malaysia will combat people smuggling(2) we will act | combat the smuggling of migrants
    assert _row(tc, "actor_type", "gov", "combat")["total_tokens"] == 13
    assert _row(tc, "actor_type", "gov", "will")["n"] == 2
    # the heading is not counted
    assert "report" not in set(tc["term"])


def test_term_counts_options(toy) -> None:
    tokens, segments = toy
    with_stop = counts.term_counts(tokens, segments, stopwords=True)
    assert _row(with_stop, "actor_type", "gov", "the")["n"] == 1
    split = counts.term_counts(tokens, segments, mwe=False)
    assert _row(split, "actor_type", "ngo", "trafficking")["n"] == 2
    assert _row(split, "actor_type", "gov", "smuggling")["n"] == 2
    assert "human trafficking" not in set(split["term"])
    # denominator unchanged by the mwe option
    assert set(split["total_tokens"]) == set(counts.term_counts(tokens, segments)["total_tokens"])
    every_kind = counts.term_counts(tokens, segments, kinds=("heading", "body", "list_item"))
    assert _row(every_kind, "actor_type", "ngo", "report")["n"] == 1


def test_term_counts_stem_is_labelled_by_a_word_form(toy) -> None:
    tokens, segments = toy
    tc = counts.term_counts(tokens, segments, unit="stem", mwe=False)
    assert "stem" in tc.columns
    row = tc[(tc["actor_type"] == "ngo") & (tc["stem"] == "traffick")].iloc[0]
    assert row["term"] == "trafficking" and row["n"] == 2
    assert "traffick" not in set(tc["term"])
    victims = tc[tc["stem"] == "victim"]
    assert set(victims["term"]) == {"victims"}


@pytest.mark.parametrize("by", ["doc_id", "seg_id", "actor_type", "genre"])
def test_term_counts_by_any_segment_column(toy, by) -> None:
    tokens, segments = toy
    tc = counts.term_counts(tokens, segments, by=by, stopwords=True)
    totals = counts.group_totals(tokens, segments, by)
    assert tc.groupby(by)["total_tokens"].first().to_dict() == totals.to_dict()
    # with stopwords kept, counts weighted by words sum to the denominator
    words = tc.assign(w=tc["term"].str.count(" ") + 1)
    summed = (words["n"] * words["w"]).groupby(words[by]).sum()
    assert summed.to_dict() == totals.to_dict()


def test_term_counts_bad_by_and_missing_columns(toy) -> None:
    tokens, segments = toy
    with pytest.raises(AnalysisError, match="not a segment column"):
        counts.term_counts(tokens, segments, by="colour")
    with pytest.raises(AnalysisError, match="lacks column"):
        counts.term_counts(tokens.drop(columns=["norm"]), segments)


def test_ngrams_respect_boundaries_and_stopword_rule(toy) -> None:
    tokens, segments = toy
    bi = counts.ngram_counts(tokens, segments, n=2, stopwords=True)
    terms = set(bi["term"])
    assert "protect victims" in terms
    assert "victims human trafficking" not in terms  # crosses a sentence boundary
    assert "listen and" not in terms  # crosses the comma
    assert "people smuggling we" not in terms
    assert "act combat" not in terms  # crosses a segment boundary
    no_stop = counts.ngram_counts(tokens, segments, n=2)
    assert "the smuggling" not in set(no_stop["term"])
    assert "combat the" not in set(no_stop["term"])
    tri = counts.ngram_counts(tokens, segments, n=3)
    assert "smuggling of migrants" in set(tri["term"])  # inner stopword kept
    assert "victims of trafficking" in set(tri["term"])
    tri_split = counts.ngram_counts(tokens, segments, n=3, mwe=False)
    assert "combat people smuggling" in set(tri_split["term"])
    assert "human trafficking harms" in set(tri_split["term"])
    with pytest.raises(AnalysisError, match="n >= 2"):
        counts.ngram_counts(tokens, segments, n=1)


def test_ngram_per_1k_uses_the_word_denominator(toy) -> None:
    tokens, segments = toy
    bi = counts.ngram_counts(tokens, segments, n=2)
    row = _row(bi, "actor_type", "gov", "will combat")
    assert row["per_1k"] == pytest.approx(1000 / 13)


def test_function_word_profile(toy) -> None:
    tokens, segments = toy
    fw = counts.function_word_profile(tokens, segments)
    ngo = fw[fw["actor_type"] == "ngo"].set_index("function_subclass")
    gov = fw[fw["actor_type"] == "gov"].set_index("function_subclass")
    assert ngo.loc["obligation", "n"] == 2 and ngo.loc["obligation", "words"] == "must 2"
    assert ngo.loc["commitment", "n"] == 0
    assert gov.loc["commitment", "n"] == 2
    assert gov.loc["first_plural", "per_1k"] == pytest.approx(1000 / 13)
    assert ngo.loc["third_plural", "n"] == 1
    # every class appears for every group
    assert len(ngo) == len(gov) == fw["function_subclass"].nunique()


def test_document_term_matrix(toy) -> None:
    tokens, segments = toy
    dtm = counts.document_term_matrix(tokens, segments)
    assert list(dtm.rows) == ["a-p01", "a-p02", "b-p01", "b-p01.i"]
    frame = dtm.to_frame()
    assert frame.loc["a-p01", "victims"] == 2
    assert list(dtm.sizes) == [10, 6, 8, 5]
    by_actor = counts.document_term_matrix(tokens, segments, by="actor_type")
    np.testing.assert_array_equal(
        by_actor.to_frame().loc["ngo"].to_numpy(), frame.loc[["a-p01", "a-p02"]].sum().to_numpy()
    )


def test_group_keyness_uses_running_word_totals(toy) -> None:
    tokens, segments = toy
    k = counts.group_keyness(tokens, segments, target="ngo", reference="gov")
    direct = stats.keyness({"victims": 3}, {"victims": 0}, target_total=16, reference_total=13)
    assert k.loc["victims", "g2"] == pytest.approx(direct.loc["victims", "g2"])
    assert k.loc["victims", "log_ratio"] > 0 > k.loc["combat", "log_ratio"]
    rest = counts.group_keyness(tokens, segments, by="doc_id")
    assert set(rest["group"]) == {"a", "b"}
    with pytest.raises(AnalysisError, match="not a value"):
        counts.group_keyness(tokens, segments, target="ngo", reference="army")


def test_permutation_keyness_and_dispersion(toy) -> None:
    tokens, segments = toy
    pk = counts.permutation_keyness(tokens, segments, ["victims", "combat"], target="ngo")
    assert list(pk.index) == ["victims", "combat"]
    assert bool(pk["exact"].all())  # 4 segments: C(4, 2) = 6 arrangements
    assert pk.loc["victims", "n_target"] == 3
    d = counts.term_dispersion(tokens, segments, by="doc_id")
    v = d[(d["doc_id"] == "a") & (d["term"] == "victims")].iloc[0]
    assert (v["dp"], v["dp_norm"]) == pytest.approx(stats.dispersion_dp([2, 1], [10, 6]))
    with pytest.raises(AnalysisError, match="do not occur"):
        counts.permutation_keyness(tokens, segments, ["zebra"], target="ngo")


# --- seg_ids: every row followed back to its segments -----------------------------------------


@pytest.fixture
def trace_toy() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Documents m, c, k, x in reading order; actor ngo on either side of gov; a third actor."""
    return tables_from_units(TRACE_UNITS)


def _traced(table: pd.DataFrame, by: str, column: str = "seg_ids") -> dict:
    return {(g, t): ids for g, t, ids in zip(table[by], table["term"], table[column], strict=True)}


def test_term_counts_trace_lists_each_segment_once_in_reading_order(trace_toy) -> None:
    tokens, segments = trace_toy
    before_t, before_s = tokens.copy(), segments.copy()
    tc = counts.term_counts(tokens, segments, trace=True)
    pd.testing.assert_frame_equal(tokens, before_t)  # inputs not mutated
    pd.testing.assert_frame_equal(segments, before_s)
    assert list(tc.columns) == [
        "actor_type",
        "term",
        "n",
        "per_1k",
        "rank",
        "n_segments",
        "total_tokens",
        "seg_ids",
    ]
    expected = {
        ("ngo", "victims"): "m-p01 m-p02 k-p01",  # documents m and k, around gov's c
        ("ngo", "smuggling"): "m-p01 k-p01",  # the heading m-h01 is not analysed
        ("ngo", "speak"): "m-p02",
        ("gov", "smuggling"): "c-p01 c-p01.i",  # twice in c-p01, listed once
        ("gov", "victims"): "c-p01.i",
        ("un", "victims"): "x-p01",
        ("un", "speak"): "x-p01",
    }
    assert _traced(tc, "actor_type") == expected
    assert _row(tc, "actor_type", "gov", "smuggling")[["n", "n_segments"]].tolist() == [3, 2]
    # one group over every document: reading order, not alphabetical (c-, k-, m-, x-)
    genre = counts.term_counts(tokens, segments, "genre", trace=True)
    assert _traced(genre, "genre") == {
        ("statement", "victims"): "m-p01 m-p02 c-p01.i k-p01 x-p01",
        ("statement", "smuggling"): "m-p01 c-p01 c-p01.i k-p01",
        ("statement", "speak"): "m-p02 x-p01",
    }
    # the order is the segment table's, whatever the order of the token table
    shuffled = counts.term_counts(tokens.iloc[::-1], segments, trace=True)
    assert _traced(shuffled, "actor_type") == expected
    backwards = counts.term_counts(tokens, segments.iloc[::-1], trace=True)
    assert _traced(backwards, "actor_type")[("ngo", "victims")] == "k-p01 m-p02 m-p01"
    headings = counts.term_counts(
        tokens, segments, kinds=("heading", "body", "list_item"), trace=True
    )
    assert _row(headings, "actor_type", "ngo", "smuggling")["seg_ids"] == "m-h01 m-p01 k-p01"
    by_seg = counts.term_counts(tokens, segments, "seg_id", trace=True)
    assert (by_seg["seg_ids"] == by_seg["seg_id"]).all()


def test_term_counts_trace_with_stems_and_split_expressions(toy) -> None:
    tokens, segments = toy
    tc = counts.term_counts(tokens, segments, "doc_id", unit="stem", mwe=False, trace=True)
    assert list(tc.columns)[-2:] == ["stem", "seg_ids"]
    row = _row(tc, "doc_id", "a", "trafficking")  # "human trafficking" split + "trafficking"
    assert (row["n"], row["n_segments"], row["seg_ids"]) == (2, 1, "a-p01")
    assert _row(tc, "doc_id", "a", "victims")["seg_ids"] == "a-p01 a-p02"
    assert _row(tc, "doc_id", "b", "smuggling")["seg_ids"] == "b-p01 b-p01.i"
    assert _row(tc, "doc_id", "b", "people")["seg_ids"] == "b-p01"


@pytest.mark.parametrize("by", ["actor_type", "doc_id", "seg_id", "genre"])
@pytest.mark.parametrize(
    "options", [{}, {"stopwords": True}, {"unit": "stem", "mwe": False}], ids=repr
)
def test_trace_only_adds_the_seg_ids_column(toy, by, options) -> None:
    tokens, segments = toy
    for count in (counts.term_counts, counts.ngram_counts):
        plain = count(tokens, segments, by, **options)
        traced = count(tokens, segments, by, trace=True, **options)
        pd.testing.assert_frame_equal(traced.drop(columns="seg_ids"), plain)
        ids = traced["seg_ids"].str.split(" ")
        assert ids.str.len().tolist() == traced["n_segments"].tolist()


def test_ngram_counts_trace(trace_toy) -> None:
    tokens, segments = trace_toy
    tri = counts.ngram_counts(tokens, segments, n=3, trace=True)
    assert _traced(tri, "actor_type") == {
        ("ngo", "victims of smuggling"): "m-p01",
        ("gov", "smuggling and smuggling"): "c-p01",
        ("gov", "victims of smuggling"): "c-p01.i",
    }
    bi = counts.ngram_counts(tokens, segments, "genre", trace=True)
    assert _traced(bi, "genre") == {
        ("statement", "victims speak"): "m-p02 x-p01",
        ("statement", "smuggling victims"): "k-p01",
    }
    with_stop = counts.ngram_counts(tokens, segments, "genre", stopwords=True, trace=True)
    assert _row(with_stop, "genre", "statement", "victims of")["seg_ids"] == "m-p01 c-p01.i"


def test_group_keyness_trace_pair_and_pooled_rest(trace_toy) -> None:
    tokens, segments = trace_toy
    pair = counts.group_keyness(tokens, segments, target="ngo", reference="gov", trace=True)
    assert list(pair.columns[-2:]) == ["seg_ids_target", "seg_ids_reference"]
    assert pair.loc["smuggling", ["seg_ids_target", "seg_ids_reference"]].tolist() == [
        "m-p01 k-p01",
        "c-p01 c-p01.i",
    ]
    assert pair.loc["speak", ["seg_ids_target", "seg_ids_reference"]].tolist() == ["m-p02", ""]
    plain = counts.group_keyness(tokens, segments, target="ngo", reference="gov")
    pd.testing.assert_frame_equal(pair.drop(columns=["seg_ids_target", "seg_ids_reference"]), plain)
    # target alone: the reference is every other group pooled, in reading order
    un = counts.group_keyness(tokens, segments, target="un", trace=True)
    assert un.loc["smuggling", ["n_target", "n_reference"]].tolist() == [0, 5]
    assert un.loc["smuggling", "seg_ids_target"] == ""
    assert un.loc["smuggling", "seg_ids_reference"] == "m-p01 c-p01 c-p01.i k-p01"
    assert un.loc["victims", "seg_ids_reference"] == "m-p01 m-p02 c-p01.i k-p01"
    gov = counts.group_keyness(tokens, segments, target="gov", trace=True)
    assert gov.loc["speak", ["seg_ids_target", "seg_ids_reference"]].tolist() == ["", "m-p02 x-p01"]


def test_group_keyness_trace_leaves_out_segments_without_a_group(trace_toy) -> None:
    tokens, segments = trace_toy
    # x-p01 has no region: it is in neither side's counts, so in neither side's seg_ids
    regions = segments.assign(region=["n", "n", "n", "s", "s", "n", None])
    k = counts.group_keyness(tokens, regions, "region", target="s", trace=True)
    assert k.loc["victims", ["n_target", "n_reference"]].tolist() == [1, 3]
    assert k.loc["victims", "seg_ids_reference"] == "m-p01 m-p02 k-p01"
    assert k.loc["speak", ["n_reference", "seg_ids_reference"]].tolist() == [1, "m-p02"]


def test_group_keyness_trace_every_group(trace_toy) -> None:
    tokens, segments = trace_toy
    rest = counts.group_keyness(tokens, segments, trace=True)
    assert set(rest["reference"]) == {"rest"}
    assert _traced(rest, "group", "seg_ids_reference") == {
        ("ngo", "smuggling"): "c-p01 c-p01.i",
        ("ngo", "speak"): "x-p01",
        ("ngo", "victims"): "c-p01.i x-p01",
        ("gov", "smuggling"): "m-p01 k-p01",
        ("gov", "speak"): "m-p02 x-p01",
        ("gov", "victims"): "m-p01 m-p02 k-p01 x-p01",
        ("un", "smuggling"): "m-p01 c-p01 c-p01.i k-p01",
        ("un", "speak"): "m-p02",
        ("un", "victims"): "m-p01 m-p02 c-p01.i k-p01",
    }
    assert _traced(rest, "group", "seg_ids_target")[("ngo", "victims")] == "m-p01 m-p02 k-p01"
    assert _traced(rest, "group", "seg_ids_target")[("un", "smuggling")] == ""
    pairwise = counts.group_keyness(tokens, segments, comparison="pairwise", trace=True)
    sides = {
        (g, r, t): (a, b)
        for g, r, t, a, b in pairwise[
            ["group", "reference", "term", "seg_ids_target", "seg_ids_reference"]
        ].itertuples(index=False)
    }
    assert sides[("gov", "ngo", "victims")] == ("c-p01.i", "m-p01 m-p02 k-p01")
    assert sides[("un", "gov", "smuggling")] == ("", "c-p01 c-p01.i")
    assert sides[("ngo", "un", "speak")] == ("m-p02", "x-p01")
    for comparison, table in (("one_vs_rest", rest), ("pairwise", pairwise)):
        plain = counts.group_keyness(tokens, segments, comparison=comparison)
        pd.testing.assert_frame_equal(
            table.drop(columns=["seg_ids_target", "seg_ids_reference"]), plain
        )


# --- the seed statements -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def seeds() -> tuple[pd.DataFrame, pd.DataFrame]:
    from analysis.pipeline import build

    p = build()
    return p.tokens, p.segments


def test_seed_counts_are_consistent(seeds) -> None:
    tokens, segments = seeds
    tc = counts.term_counts(tokens, segments)
    k = counts.group_keyness(tokens, segments, target="government", reference="civil_society")
    totals = counts.group_totals(tokens, segments)
    words = tokens[~tokens["is_punct"]]
    assert totals.sum() == (words["norm"].str.count(" ") + 1).sum()
    gov = tc[tc["actor_type"] == "government"].set_index("term")
    assert gov.loc["people smuggling", "n"] == 13
    assert gov.loc["people smuggling", "per_1k"] == pytest.approx(1000 * 13 / totals["government"])
    assert k.index[0] == "people smuggling" and k.loc["people smuggling", "g2"] > 10
    lfl = k.sort_values("g2")
    assert "human trafficking" in lfl.index[:3]
    assert k.loc["victims", "log_ratio"] < -3


def test_seed_function_words_and_permutation(seeds) -> None:
    tokens, segments = seeds
    fw = counts.function_word_profile(tokens, segments).set_index(
        ["actor_type", "function_subclass"]
    )
    assert (
        fw.loc[("civil_society", "first_plural"), "per_1k"]
        > fw.loc[("government", "first_plural"), "per_1k"]
    )
    pk = counts.permutation_keyness(
        tokens, segments, ["people smuggling", "human trafficking"], target="government"
    )
    assert pk.loc["people smuggling", "p_perm"] < 0.05
    assert pk.loc["people smuggling", "ci_low"] > 0


# --- seg_ids on the seeds, checked against the token table ------------------------------------


def _occurrences(tokens: pd.DataFrame, segments: pd.DataFrame) -> pd.Series:
    """Count each word form in each analysed segment, straight from the token table."""
    analysed = segments.loc[segments["kind"].isin(ANALYSIS_KINDS), "seg_id"]
    words = tokens[~tokens["is_punct"].astype(bool) & tokens["seg_id"].isin(analysed)]
    return words.groupby(["seg_id", "norm"]).size()


def _assert_traced(
    ids: pd.Series,
    terms: pd.Series,
    n: pd.Series,
    found: pd.Series,
    segments: pd.DataFrame,
    *,
    owner: pd.Series,
    group_of: pd.Series,
    pooled: bool = False,
) -> None:
    """Check that ``ids`` lists, for each row, exactly the segments behind its count ``n``.

    Every listed segment belongs to the row's side (``owner`` the row's group; with ``pooled``
    any other group), appears once, in reading order, and uses the term (``found``: the term's
    count per (seg_id, term)); and the counts in the listed segments add up to ``n``, so no
    segment of that side using the term is missing.
    """
    assert ((ids != "") == (n > 0)).all()
    rows = (
        pd.DataFrame(
            {
                "row": np.arange(len(ids)),
                "term": terms.to_numpy(),
                "owner": owner.to_numpy(),
                "seg_id": ids.str.split().to_numpy(),
            }
        )
        .explode("seg_id")
        .dropna(subset=["seg_id"])
    )
    side = rows["seg_id"].map(group_of)
    assert side.notna().all()
    assert (side != rows["owner"]).all() if pooled else (side == rows["owner"]).all()
    reading = pd.Series(np.arange(len(segments)), index=segments["seg_id"])
    step = rows["seg_id"].map(reading).groupby(rows["row"]).diff().dropna()
    assert (step > 0).all()  # strictly increasing: reading order, each segment once
    uses = found.reindex(pd.MultiIndex.from_arrays([rows["seg_id"], rows["term"]])).to_numpy()
    assert (uses > 0).all()  # NaN (the term is not in that segment) fails too
    total = pd.Series(uses, index=rows["row"].to_numpy()).groupby(level=0).sum()
    np.testing.assert_array_equal(total.reindex(range(len(ids)), fill_value=0), n.to_numpy())


@pytest.mark.parametrize("by", ["actor_type", "doc_id", "seg_id"])
@pytest.mark.parametrize("stopwords", [False, True])
def test_seed_term_counts_trace_every_row(seeds, by, stopwords) -> None:
    tokens, segments = seeds
    tc = counts.term_counts(tokens, segments, by, stopwords=stopwords, trace=True)
    assert (tc["seg_ids"].str.split(" ").str.len() == tc["n_segments"]).all()
    _assert_traced(
        tc["seg_ids"],
        tc["term"],
        tc["n"],
        _occurrences(tokens, segments),
        segments,
        owner=tc[by],
        group_of=segments.set_index("seg_id", drop=False)[by],
    )
    plain = counts.term_counts(tokens, segments, by, stopwords=stopwords)
    pd.testing.assert_frame_equal(tc.drop(columns="seg_ids"), plain)


@pytest.mark.parametrize("n", [2, 3])
def test_seed_ngram_counts_trace_every_row(seeds, n) -> None:
    tokens, segments = seeds
    grams = counts.ngram_counts(tokens, segments, "actor_type", n=n, trace=True)
    assert (grams["seg_ids"].str.split(" ").str.len() == grams["n_segments"]).all()
    per_segment = counts.ngram_counts(tokens, segments, "seg_id", n=n)
    found = per_segment.set_index(["seg_id", "term"])["n"]
    _assert_traced(
        grams["seg_ids"],
        grams["term"],
        grams["n"],
        found,
        segments,
        owner=grams["actor_type"],
        group_of=segments.set_index("seg_id", drop=False)["actor_type"],
    )
    # and each listed segment's words really contain the n-gram
    words = tokens[~tokens["is_punct"].astype(bool)]
    text = " " + words.groupby("seg_id")["norm"].agg(" ".join) + " "
    listed = grams.assign(seg_id=grams["seg_ids"].str.split(" ")).explode("seg_id")
    assert all(f" {t} " in text[s] for t, s in zip(listed["term"], listed["seg_id"], strict=True))


def test_seed_keyness_trace_pair(seeds) -> None:
    tokens, segments = seeds
    k = counts.group_keyness(
        tokens, segments, target="government", reference="civil_society", trace=True
    )
    found = _occurrences(tokens, segments)
    group_of = segments.set_index("seg_id", drop=False)["actor_type"]
    terms = pd.Series(k.index, index=k.index)
    for side, group in (("target", "government"), ("reference", "civil_society")):
        _assert_traced(
            k[f"seg_ids_{side}"],
            terms,
            k[f"n_{side}"],
            found,
            segments,
            owner=pd.Series(group, index=k.index),
            group_of=group_of,
        )
    # "people smuggling": its paragraphs, read off the token table, are all government ones
    analysed = segments.loc[segments["kind"].isin(ANALYSIS_KINDS), "seg_id"]
    hits = set(
        tokens.loc[
            (tokens["norm"] == "people smuggling") & tokens["seg_id"].isin(analysed), "seg_id"
        ]
    )
    expected = [s for s in segments["seg_id"] if s in hits]
    assert len(expected) == 9 and "gov-2024-p04.ii" in expected
    assert all(s.startswith("gov-2024-") for s in expected)
    row = k.loc["people smuggling"]
    assert (row["n_target"], row["n_reference"]) == (13, 0)
    assert (row["seg_ids_target"], row["seg_ids_reference"]) == (" ".join(expected), "")
    human = k.loc["human trafficking"]
    assert human["seg_ids_reference"].split()[0].startswith("lfl-2022-")


def test_seed_keyness_trace_every_paragraph_against_the_rest(seeds) -> None:
    # by seg_id: each paragraph against all the others pooled (dozens of groups)
    tokens, segments = seeds
    found = _occurrences(tokens, segments)
    group_of = segments.set_index("seg_id", drop=False)["seg_id"]
    rest = counts.group_keyness(tokens, segments, "seg_id", trace=True)
    assert rest["group"].nunique() > 20
    _assert_traced(
        rest["seg_ids_target"],
        rest["term"],
        rest["n_target"],
        found,
        segments,
        owner=rest["group"],
        group_of=group_of,
    )
    _assert_traced(
        rest["seg_ids_reference"],
        rest["term"],
        rest["n_reference"],
        found,
        segments,
        owner=rest["group"],
        group_of=group_of,
        pooled=True,
    )


@pytest.fixture(scope="module")
def mini(mini_manifest) -> tuple[pd.DataFrame, pd.DataFrame]:
    from analysis.pipeline import build

    p = build(mini_manifest)
    return p.tokens, p.segments


@pytest.mark.parametrize("comparison", ["one_vs_rest", "pairwise"])
def test_mini_keyness_trace_three_documents(mini, comparison) -> None:
    # three documents, the civil-society ones on either side of the government one
    tokens, segments = mini
    assert segments["doc_id"].unique().tolist() == ["ngo-a-2021", "gov-c-2022", "ngo-b-2023"]
    k = counts.group_keyness(tokens, segments, "doc_id", comparison=comparison, trace=True)
    found = _occurrences(tokens, segments)
    group_of = segments.set_index("seg_id", drop=False)["doc_id"]
    _assert_traced(
        k["seg_ids_target"],
        k["term"],
        k["n_target"],
        found,
        segments,
        owner=k["group"],
        group_of=group_of,
    )
    pooled = comparison == "one_vs_rest"
    _assert_traced(
        k["seg_ids_reference"],
        k["term"],
        k["n_reference"],
        found,
        segments,
        owner=k["group"] if pooled else k["reference"],
        group_of=group_of,
        pooled=pooled,
    )
    if pooled:  # some pooled reference side spans the documents before and after the target
        spans = k.loc[k["group"] == "gov-c-2022", "seg_ids_reference"].str.split()
        assert any(
            ids[0].startswith("ngo-a-") and ids[-1].startswith("ngo-b-") for ids in spans if ids
        )


# --- key terms of a comparison, function-word rates (moved from notebook 05) -------------------


def test_top_key_terms_hand_order_sides_and_check(toy) -> None:
    # ngo (16 running words): victims 3, must 2, harms/human trafficking/listen/protect/speak/
    # they/trafficking 1 each, we 1; gov (13): combat 2, will 2, act/malaysia/migrants/
    # people smuggling/smuggling 1 each, we 1. Top: victims (3-0), must (2-0), then the 1-0 tie
    # alphabetically: harms. Bottom of the keyness table: ... smuggling (0-1), combat, will
    # (0-2, alphabetical), read from the bottom up: will, combat, smuggling.
    tokens, segments = toy
    k = counts.group_keyness(tokens, segments, target="ngo", reference="gov")
    before = (k.copy(), tokens.copy(), segments.copy())
    top = counts.top_key_terms(
        k,
        tokens,
        segments,
        target="ngo",
        reference="gov",
        top=3,
        n_resamples=99,
        seed=3,
        spread=False,
    )
    pd.testing.assert_frame_equal(k, before[0])  # inputs not mutated
    pd.testing.assert_frame_equal(tokens, before[1])
    pd.testing.assert_frame_equal(segments, before[2])
    assert list(top.columns) == [
        "term",
        "key_in",
        "n_target",
        "n_reference",
        "log_ratio",
        "g2",
        "p",
        "bic",
        "too_small",
        "docs",
        "segments",
        "docs_in_side",
        "p_perm",
        "ci_low",
        "ci_high",
        "p_perm_docs",
        "check",
        "p_check",
        "target",
        "reference",
    ]
    assert top["term"].tolist() == ["victims", "must", "harms", "will", "combat", "smuggling"]
    assert top["key_in"].tolist() == ["ngo"] * 3 + ["gov"] * 3
    assert top["n_target"].tolist() == [3, 2, 1, 0, 0, 0]
    assert top["n_reference"].tolist() == [0, 0, 0, 2, 2, 1]
    assert set(top["target"]) == {"ngo"} and set(top["reference"]) == {"gov"}
    # the paragraph-level columns are permutation_keyness's, same resamples and seed
    check = counts.permutation_keyness(
        tokens,
        segments,
        top["term"].tolist(),
        target="ngo",
        reference="gov",
        n_resamples=99,
        seed=3,
    )
    for column in ("p_perm", "ci_low", "ci_high"):
        np.testing.assert_array_equal(top[column].to_numpy(), check[column].to_numpy())
    # the keyness columns are the keyness table's rows
    np.testing.assert_array_equal(top["g2"].to_numpy(), k.loc[top["term"], "g2"].to_numpy())


def test_top_key_terms_rest_trace_order_and_size(toy) -> None:
    tokens, segments = toy
    k = counts.group_keyness(tokens, segments, target="ngo", trace=True)
    top = counts.top_key_terms(
        k, tokens, segments, target="ngo", top=2, n_resamples=99, spread=False
    )
    assert top["key_in"].tolist() == ["ngo", "ngo", "rest", "rest"]
    assert set(top["reference"]) == {"rest"}
    assert top["seg_ids_target"].tolist() == ["a-p01 a-p02", "a-p01 a-p02", "", ""]
    assert top["seg_ids_reference"].tolist() == ["", "", "b-p01", "b-p01 b-p01.i"]
    assert top.columns.get_loc("seg_ids_target") < top.columns.get_loc("p_perm")
    # the keyness table's own order is used, whatever order it is passed in
    shuffled = k.sample(frac=1.0, random_state=1)
    pd.testing.assert_frame_equal(
        counts.top_key_terms(
            shuffled, tokens, segments, target="ngo", top=2, n_resamples=99, spread=False
        ),
        top,
    )
    # more asked than there are: every term with g2 != 0, 9 on the ngo side and 8 on gov's
    every = counts.top_key_terms(
        k, tokens, segments, target="ngo", top=50, n_resamples=99, spread=False
    )
    assert (every["key_in"] == "ngo").sum() == 9 and (every["key_in"] == "rest").sum() == 8
    assert every["term"].iloc[-1] == "we"  # the weakest gov term comes last


def test_top_key_terms_empty_and_errors(toy) -> None:
    tokens, segments = toy
    k = counts.group_keyness(tokens, segments, target="ngo", reference="gov")
    empty = counts.top_key_terms(k.iloc[:0], tokens, segments, target="ngo", reference="gov")
    assert empty.empty and "p_perm" in empty.columns and "key_in" in empty.columns
    with pytest.raises(AnalysisError, match="at least one term"):
        counts.top_key_terms(k, tokens, segments, target="ngo", top=0)
    with pytest.raises(AnalysisError, match="several comparisons"):
        counts.top_key_terms(counts.group_keyness(tokens, segments), tokens, segments, target="ngo")
    with pytest.raises(AnalysisError, match="lacks column"):
        counts.top_key_terms(k.drop(columns=["bic"]), tokens, segments, target="ngo")


def test_key_term_tally_hand_counts() -> None:
    table = pd.DataFrame(
        {
            "term": ["a", "b", "c", "d", "e"],
            "n_target": [3, 0, 1, 2, 4],
            "n_reference": [0, 2, 1, 0, 5],
            "too_small": [True, False, True, False, False],
            "p_perm": [0.01, 0.05, 0.2, np.nan, 0.049],
            "target": "ngo",
            "reference": "gov",
        }
    )
    before = table.copy()
    tally = counts.key_term_tally(table)
    pd.testing.assert_frame_equal(table, before)
    # held: 0.01 and 0.049 (0.05 is not < 0.05, NaN never); one side: a, b, d
    assert tally.to_dict() == {"n_terms": 5, "n_held": 2, "n_one_side": 3, "n_too_small": 2}
    assert tally.dtype == np.int64
    assert counts.key_term_tally(table, alpha=0.1)["n_held"] == 3
    assert counts.key_term_tally(table.iloc[:0]).to_dict() == {
        "n_terms": 0,
        "n_held": 0,
        "n_one_side": 0,
        "n_too_small": 0,
    }
    two = pd.concat([table, table.assign(target="gov", reference="rest")])
    with pytest.raises(AnalysisError, match="2 comparisons"):
        counts.key_term_tally(two)
    with pytest.raises(AnalysisError, match="lacks column"):
        counts.key_term_tally(table.drop(columns=["p_perm"]))


def test_function_word_rates_on_toy(toy) -> None:
    # ngo (16 running words): we 1, must 2; gov (13): we 1, will 2
    tokens, segments = toy
    profile = counts.function_word_profile(tokens, segments)
    before = profile.copy()
    rates = counts.function_word_rates(profile)
    pd.testing.assert_frame_equal(profile, before)
    assert list(rates.columns) == [
        "function_subclass",
        "actor_type",
        "n",
        "per_1k",
        "words",
        "highest",
        "n_max",
    ]
    assert list(zip(rates["function_subclass"], rates["actor_type"], strict=True)) == [
        ("first_plural", "ngo"),
        ("first_plural", "gov"),
        ("obligation", "ngo"),
        ("obligation", "gov"),
        ("commitment", "ngo"),
        ("commitment", "gov"),
    ]
    assert rates["n"].tolist() == [1, 1, 2, 0, 0, 2]
    np.testing.assert_allclose(rates["per_1k"], [1000 / 16, 1000 / 13, 2000 / 16, 0, 0, 2000 / 13])
    assert rates["words"].tolist() == ["we 1", "we 1", "must 2", "", "", "will 2"]
    # we: 1 of 13 beats 1 of 16, so gov has the higher rate on the same count
    assert rates["highest"].tolist() == ["gov", "gov", "ngo", "ngo", "gov", "gov"]
    assert rates["n_max"].tolist() == [1, 1, 2, 2, 2, 2]
    only = counts.function_word_rates(profile, subclasses=["obligation"], groups=["gov"])
    assert only[["actor_type", "n", "highest"]].to_numpy().tolist() == [["gov", 0, ""]]


def test_function_word_rates_ties_unused_and_errors() -> None:
    profile = pd.DataFrame(
        {
            "actor_type": ["a", "a", "b", "b"],
            "function_subclass": ["obligation", "hypothetical"] * 2,
            "n": [2, 0, 4, 0],
            "per_1k": [10.0, 0.0, 10.0, 0.0],  # a tie on obligation
            "words": ["must 2", "", "must 4", ""],
        }
    )
    rates = counts.function_word_rates(profile, subclasses=["obligation", "hypothetical"])
    assert rates["highest"].tolist() == ["a", "a", "", ""]  # tie: the first group asked
    assert rates["n_max"].tolist() == [4, 4, 0, 0]
    flipped = counts.function_word_rates(profile, subclasses=["obligation"], groups=["b", "a"])
    assert flipped["actor_type"].tolist() == ["b", "a"] and set(flipped["highest"]) == {"b"}
    with pytest.raises(AnalysisError, match="not in the profile"):
        counts.function_word_rates(profile, subclasses=["obligation"], groups=["c"])
    with pytest.raises(AnalysisError, match="listed once"):
        counts.function_word_rates(profile, subclasses=["first_plural"])
    with pytest.raises(AnalysisError, match="listed once"):
        counts.function_word_rates(profile, subclasses=["obligation", "obligation"])
    with pytest.raises(AnalysisError, match="lacks column"):
        counts.function_word_rates(profile.drop(columns=["words"]))
    assert counts.STANCE_SUBCLASSES == ("first_plural", "obligation", "commitment")


def test_seed_top_key_terms_and_rates(seeds) -> None:
    # the key terms of the findings report: civil society vs government, 5 a side
    tokens, segments = seeds
    k = counts.group_keyness(tokens, segments, target="civil_society", reference="government")
    top = counts.top_key_terms(
        k,
        tokens,
        segments,
        target="civil_society",
        reference="government",
        top=5,
        n_resamples=1999,
        seed=0,
    )
    assert top["term"].tolist() == [
        "human trafficking",
        "atipsom",
        "problem",
        "activists",
        "trafficking",
        "people smuggling",
        "asean",
        "work programme",
        "somtc",
        "som",
    ]
    assert top.loc[
        top["term"] == "people smuggling", ["n_target", "n_reference"]
    ].to_numpy().tolist() == [[0, 13]]
    # the paragraph-level statistic is the target's share of the term's uses (it was a log
    # ratio that rewarded the words a shuffled group got: p 0.005 here before)
    assert top.loc[0, "p_perm"] == pytest.approx(0.048)
    tally = counts.key_term_tally(top)
    # 4 of these 10 terms keep p < 0.05: human trafficking, atipsom, people smuggling, asean
    assert tally.to_dict() == {"n_terms": 10, "n_held": 4, "n_one_side": 10, "n_too_small": 9}
    rates = counts.function_word_rates(counts.function_word_profile(tokens, segments))
    first = rates[rates["function_subclass"] == "first_plural"]
    assert set(first["highest"]) == {"civil_society"}


def test_term_dispersion_for_some_terms_equals_the_filtered_table() -> None:
    from analysis.pipeline import build

    p = build()
    full = counts.term_dispersion(p.tokens, p.segments, by="doc_id")
    terms = ["trafficking", "smuggling", "we", "no-such-term"]
    some = counts.term_dispersion(p.tokens, p.segments, by="doc_id", terms=terms)
    expected = full[full["term"].isin(terms)].reset_index(drop=True)
    pd.testing.assert_frame_equal(some.reset_index(drop=True), expected)
    assert len(expected) > 0


def test_unit_term_counts_match_scikit_learn(seeds) -> None:
    """The counting core: each unit's counts of its analysed words equal scikit-learn's
    CountVectorizer over the same words, and its running words equal the group totals."""
    from sklearn.feature_extraction.text import CountVectorizer

    tokens, segments = seeds
    for unit, stopwords in [("norm", False), ("norm", True), ("stem", False)]:
        counted = counts.unit_term_counts(tokens, segments, unit=unit, stopwords=stopwords)
        words = dtm.analysis_words(tokens, segments)
        if not stopwords:
            words = words[~words["is_stop"]]
        per_unit = words.groupby("seg_id", sort=False)[unit].agg(list)
        vectorizer = CountVectorizer(analyzer=lambda values: values, lowercase=False)
        expected = vectorizer.fit_transform(per_unit.reindex(counted.seg_ids).tolist())
        columns = [vectorizer.vocabulary_[k] for k in counted.keys]
        assert (counted.counts.toarray() == expected.toarray()[:, columns]).all()
        assert counted.counts.dtype == np.int64
    totals = counts.group_totals(tokens, segments, "doc_id")
    counted = counts.unit_term_counts(tokens, segments)
    docs = segments.set_index("seg_id").loc[counted.seg_ids, "doc_id"].to_numpy()
    assert pd.Series(counted.running).groupby(docs, sort=False).sum().to_dict() == (
        totals.to_dict()
    )


def test_unit_term_counts_are_counted_once_per_token_table(seeds) -> None:
    """Counting the same token table with the same options again reuses the counts; another
    table (even an equal copy), other options or other analysed units count afresh."""
    tokens, segments = seeds
    first = counts.unit_term_counts(tokens, segments)
    assert counts.unit_term_counts(tokens, segments) is first
    assert counts.unit_term_counts(tokens, segments.copy()) is first  # same units
    copy = tokens.copy()
    assert counts.unit_term_counts(copy, segments) is not first
    assert counts.unit_term_counts(tokens, segments, stopwords=True) is not first
    fewer = segments[segments["seg_id"] != first.seg_ids[0]]
    other = counts.unit_term_counts(tokens, fewer)
    assert other is not first and first.seg_ids[0] not in set(other.seg_ids)
    # the counts and tables built from them do not depend on the reuse
    dtm.forget_counts()
    fresh = counts.term_counts(tokens, segments, "doc_id", trace=True)
    again = counts.term_counts(tokens, segments, "doc_id", trace=True)
    pd.testing.assert_frame_equal(fresh, again)


def test_set_aside_terms_are_a_list_copied_cheaply(seeds) -> None:
    """key_candidates' attrs["set_aside"] reads as a list; a copy of the table (pandas deep
    copies attrs) copies it without sharing it."""
    import copy

    tokens, segments = seeds
    keyness = counts.group_keyness(tokens, segments, target="government", reference="civil_society")
    candidates = counts.key_candidates(
        keyness, tokens, segments, target="government", reference="civil_society"
    )
    aside = candidates.attrs["set_aside"]
    assert isinstance(aside, list) and aside == list(aside)
    copied = candidates.head(3).attrs["set_aside"]
    assert copied == aside and copied is not aside
    deep = copy.deepcopy(aside)
    assert deep == aside and deep is not aside and isinstance(deep, counts.TermList)
