"""Tests of analysis.counts on hand-made contract tables and on the two seed statements."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest
from toy_tables import TOY_STOPWORDS

from analysis import counts, stats
from analysis.errors import AnalysisError


def _row(table: pd.DataFrame, by: str, group: str, term: str) -> pd.Series:
    hit = table[(table[by] == group) & (table["term"] == term)]
    assert len(hit) == 1, (group, term)
    return hit.iloc[0]


def test_term_counts_hand_counts_and_denominator(toy) -> None:
    tokens, segments = toy
    before = tokens.copy()
    tc = counts.term_counts(tokens, segments)
    pd.testing.assert_frame_equal(tokens, before)  # input not mutated
    assert list(tc.columns) == ["actor_type", "term", "n", "per_1k", "rank", "n_segments",
                                "total_tokens"]
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
    every_kind = counts.term_counts(
        tokens, segments, kinds=("heading", "body", "list_item")
    )
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
    direct = stats.keyness(
        {"victims": 3}, {"victims": 0}, target_total=16, reference_total=13
    )
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


# --- the seed statements -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def seeds() -> tuple[pd.DataFrame, pd.DataFrame]:
    from analysis.pipeline import build

    p = build()
    return p.tokens, p.segments


def test_seed_counts_are_fast_and_consistent(seeds) -> None:
    tokens, segments = seeds
    start = time.perf_counter()
    tc = counts.term_counts(tokens, segments)
    k = counts.group_keyness(tokens, segments, target="government", reference="civil_society")
    assert time.perf_counter() - start < 1.0
    totals = counts.group_totals(tokens, segments)
    words = tokens[~tokens["is_punct"]]
    assert totals.sum() == (words["norm"].str.count(" ") + 1).sum()
    gov = tc[tc["actor_type"] == "government"].set_index("term")
    assert gov.loc["people smuggling", "n"] == 13
    assert gov.loc["people smuggling", "per_1k"] == pytest.approx(
        1000 * 13 / totals["government"]
    )
    assert k.index[0] == "people smuggling" and k.loc["people smuggling", "g2"] > 10
    lfl = k.sort_values("g2")
    assert "human trafficking" in lfl.index[:3]
    assert k.loc["victims", "log_ratio"] < -3


def test_seed_function_words_and_permutation(seeds) -> None:
    tokens, segments = seeds
    fw = counts.function_word_profile(tokens, segments).set_index(
        ["actor_type", "function_subclass"]
    )
    assert fw.loc[("civil_society", "first_plural"), "per_1k"] > fw.loc[
        ("government", "first_plural"), "per_1k"
    ]
    start = time.perf_counter()
    pk = counts.permutation_keyness(
        tokens, segments, ["people smuggling", "human trafficking"], target="government"
    )
    assert time.perf_counter() - start < 1.0
    assert pk.loc["people smuggling", "p_perm"] < 0.05
    assert pk.loc["people smuggling", "ci_low"] > 0
