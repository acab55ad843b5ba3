"""Statistics fit for groups of several documents: text-dispersion keyness, the document-level
permutation check and the spread rule, on the web-corpus fixture (three groups, 2-4 documents
each) and against scipy."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scipy.stats import chi2_contingency

from analysis import counts, pipeline

WEB_MANIFEST = Path(__file__).parent / "fixtures" / "web_corpus" / "manifest.csv"
GROUPS = ("civil_society", "government", "intergovernmental")


@pytest.fixture(scope="module")
def web():
    tables = pipeline.build(WEB_MANIFEST)
    return tables.tokens, tables.segments


def test_document_keyness_is_g2_on_document_counts(web) -> None:
    tokens, segments = web
    table = counts.document_keyness(tokens, segments, target="government")
    assert set(table["n_docs_target"]) == {3} and set(table["n_docs_reference"]) == {6}
    for term in ("state", "survivors", "workers"):
        row = table.loc[term]
        a, b = int(row["docs_target"]), int(row["docs_reference"])
        observed = np.array([[a, b], [3 - a, 6 - b]])
        g2, p, _, _ = chi2_contingency(observed, correction=False, lambda_="log-likelihood")
        assert abs(row["g2_docs"]) == pytest.approx(g2)
        assert row["p_docs"] == pytest.approx(p)
        ta, tb = (a or 0.5) / 3, (b or 0.5) / 6
        assert row["log_ratio_docs"] == pytest.approx(np.log2(ta / tb))
    # "premises": five uses, one paragraph of one document -> a range of 1 of 3
    assert table.loc["premises", ["docs_target", "docs_reference"]].tolist() == [1, 0]


def test_term_range(web) -> None:
    tokens, segments = web
    rng = counts.term_range(
        tokens, segments, ["premises", "workers", "nothing-here"], side="government"
    )
    assert rng.loc["premises"].tolist() == [1, 1, 3]
    assert rng.loc["nothing-here"].tolist() == [0, 0, 3]
    rest = counts.term_range(tokens, segments, ["workers"], side=None, exclude="government")
    assert rest.loc["workers", "docs_in_side"] == 6


@pytest.mark.parametrize("target", GROUPS)
def test_every_key_term_meets_the_spread_rule(web, target: str) -> None:
    tokens, segments = web
    k = counts.group_keyness(tokens, segments, target=target)
    top = counts.top_key_terms(k, tokens, segments, target=target, top=8, n_resamples=199)
    assert len(top)
    assert (top["segments"] > 1).all()
    assert ((top["docs"] >= 2) | (top["docs_in_side"] < 2)).all()
    assert not counts.is_letter_or_number(top["term"]).any()
    # every group has two or more documents, so the document-level check backs each term
    assert set(top["check"]) == {"documents"}
    np.testing.assert_array_equal(top["p_check"], top["p_perm_docs"])
    for term in ("premises", "department", "g"):
        assert term not in set(top["term"])


def test_the_terms_the_rule_keeps_out_would_rank_first(web) -> None:
    tokens, segments = web
    k = counts.group_keyness(tokens, segments, target="government")
    loose = counts.top_key_terms(
        k,
        tokens,
        segments,
        target="government",
        top=3,
        n_resamples=199,
        spread=False,
        letters_and_numbers=True,
    )
    assert loose["term"].tolist()[:3] == ["premises", "department", "g"]
    # a term confined to one paragraph cannot reach p below the target's share of paragraphs
    analysed = segments[segments["kind"].isin(["body", "list_item"])]
    share = (analysed["actor_type"] == "government").mean()
    premises = loose.set_index("term").loc["premises"]
    assert premises["p_perm"] >= share
    assert premises["p_perm_docs"] >= 3 / 9


def test_one_document_per_group_uses_the_paragraph_check() -> None:
    tables = pipeline.build()
    k = counts.group_keyness(
        tables.tokens, tables.segments, target="civil_society", reference="government"
    )
    top = counts.top_key_terms(
        k,
        tables.tokens,
        tables.segments,
        target="civil_society",
        reference="government",
        top=3,
        n_resamples=199,
    )
    assert set(top["check"]) == {"paragraphs"}
    assert top["p_perm_docs"].isna().all()
    np.testing.assert_array_equal(top["p_check"], top["p_perm"])


def test_letters_and_numbers() -> None:
    got = counts.is_letter_or_number(["g", "2021", "1.5", "10%", "un", "g20", "x-ray"])
    assert got.tolist() == [True, True, True, True, False, False, False]


def test_key_candidates_set_aside_what_the_rules_exclude(web) -> None:
    tokens, segments = web
    k = counts.group_keyness(tokens, segments, target="government")
    cand = counts.key_candidates(k, tokens, segments, target="government")
    assert {"premises", "department", "g"} <= set(cand.attrs["set_aside"])
    assert cand.attrs["set_aside"][:3] == ["premises", "department", "g"]
    assert not set(cand.index) & set(cand.attrs["set_aside"])
    assert len(cand) + len(cand.attrs["set_aside"]) == int((k["g2"] != 0).sum())
    # keyness order is kept
    assert (np.diff(cand["g2"].to_numpy()) <= 1e-12).all()


def test_checks_are_adjusted_across_comparisons(web) -> None:
    from analysis.stats import benjamini_hochberg

    tokens, segments = web
    tables = []
    for target in GROUPS:
        k = counts.group_keyness(tokens, segments, target=target)
        tables.append(
            counts.top_key_terms(k, tokens, segments, target=target, top=3, n_resamples=199)
        )
    import pandas as pd

    together = counts.adjust_checks(pd.concat(tables, ignore_index=True))
    np.testing.assert_allclose(
        together["p_check_adj"], benjamini_hochberg(together["p_check"].to_numpy())
    )
    assert (together["p_check_adj"] >= together["p_check"] - 1e-12).all()
    tally = counts.key_term_tally(together[together["target"] == "government"])
    assert list(tally.index) == [
        "n_terms",
        "n_held",
        "n_held_adjusted",
        "n_one_side",
        "n_too_small",
    ]


def test_top_key_terms_takes_precomputed_candidates(web) -> None:
    tokens, segments = web
    k = counts.group_keyness(tokens, segments, target="government")
    cand = counts.key_candidates(k, tokens, segments, target="government")
    fresh = counts.top_key_terms(k, tokens, segments, target="government", n_resamples=99)
    given = counts.top_key_terms(
        k, tokens, segments, target="government", n_resamples=99, candidates=cand
    )
    import pandas as pd

    pd.testing.assert_frame_equal(fresh, given)
