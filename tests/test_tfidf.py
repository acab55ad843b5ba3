"""Tests of analysis.tfidf against scikit-learn and hand computation."""

from __future__ import annotations

import math
import time

import numpy as np
import pandas as pd
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics.pairwise import cosine_similarity

from analysis import tfidf
from analysis.errors import AnalysisError


def _docs(tokens: pd.DataFrame, seg_ids: list[str]) -> list[str]:
    words = tokens[~tokens["is_punct"] & ~tokens["is_stop"]]
    # a multiword term becomes one sklearn token by joining with "_"
    joined = words["norm"].str.replace(" ", "_")
    return [" ".join(joined[words["seg_id"] == s]) for s in seg_ids]


def test_weights_equal_sklearn_on_the_same_texts(toy) -> None:
    tokens, segments = toy
    w = tfidf.segment_tfidf(tokens, segments)
    seg_ids = list(w.segments["seg_id"])
    assert seg_ids == ["a-p01", "a-p02", "b-p01", "b-p01.i"]
    ref = TfidfVectorizer(token_pattern=r"\S+")
    expected = ref.fit_transform(_docs(tokens, seg_ids)).toarray()
    names = [t.replace("_", " ") for t in ref.get_feature_names_out()]
    got = pd.DataFrame(w.matrix.toarray(), columns=w.terms)[names].to_numpy()
    np.testing.assert_allclose(got, expected)


def test_idf_is_smooth_and_hand_computed(toy) -> None:
    tokens, segments = toy
    w = tfidf.segment_tfidf(tokens, segments)
    idf = pd.Series(w.idf, index=w.terms)
    # "victims" is in 2 of 4 paragraphs, "combat" in 2, "migrants" in 1
    assert idf["victims"] == pytest.approx(math.log(5 / 3) + 1)
    assert idf["migrants"] == pytest.approx(math.log(5 / 2) + 1)
    np.testing.assert_allclose(np.linalg.norm(w.matrix.toarray(), axis=1), 1.0)


def test_no_second_tokenisation_keeps_case_and_multiwords(toy) -> None:
    tokens, segments = toy
    w = tfidf.segment_tfidf(tokens, segments)
    assert "human trafficking" in w.terms and "people smuggling" in w.terms
    split = tfidf.segment_tfidf(tokens, segments, mwe=False)
    assert "human trafficking" not in split.terms and "trafficking" in split.terms


def test_contrast_is_difference_of_group_means(toy) -> None:
    tokens, segments = toy
    c = tfidf.tfidf_contrast(tokens, segments)
    assert c.attrs == {"target": "ngo", "reference": "gov"}
    assert list(c.columns) == ["mean_ngo", "mean_gov", "diff", "df_ngo", "df_gov", "idf"]
    w = tfidf.segment_tfidf(tokens, segments)
    frame = pd.DataFrame(w.matrix.toarray(), columns=w.terms)
    ngo = frame.iloc[:2].mean()
    gov = frame.iloc[2:].mean()
    assert c.loc["victims", "mean_ngo"] == pytest.approx(ngo["victims"])
    assert c.loc["combat", "diff"] == pytest.approx(ngo["combat"] - gov["combat"])
    assert c.loc["victims", "df_ngo"] == 2 and c.loc["victims", "df_gov"] == 0
    assert c["diff"].is_monotonic_decreasing
    swapped = tfidf.tfidf_contrast(tokens, segments, target="gov", reference="ngo")
    assert swapped.loc["victims", "diff"] == pytest.approx(-c.loc["victims", "diff"])
    with pytest.raises(AnalysisError, match="not a value"):
        tfidf.tfidf_contrast(tokens, segments, target="army")


def test_distinctive_terms(toy) -> None:
    tokens, segments = toy
    w = tfidf.segment_tfidf(tokens, segments)
    top = tfidf.distinctive_terms(w, top=2)
    assert list(top.columns) == ["seg_id", "doc_id", "label", "rank", "term", "tfidf"]
    assert top.groupby("seg_id").size().max() == 2
    first = top[top["seg_id"] == "a-p01"].iloc[0]
    row = pd.Series(w.matrix.toarray()[0], index=w.terms)
    assert first["tfidf"] == pytest.approx(row.max())
    with pytest.raises(AnalysisError):
        tfidf.distinctive_terms(w, top=0)


def test_similarity_equals_sklearn_cosine(toy) -> None:
    tokens, segments = toy
    s = tfidf.paragraph_similarity(tokens, segments)
    w = tfidf.segment_tfidf(tokens, segments)
    dense = w.matrix.toarray()
    expected = cosine_similarity(dense[:2], dense[2:])
    np.testing.assert_allclose(s.matrix.to_numpy(), expected, atol=1e-12)
    assert list(s.matrix.index.get_level_values("seg_id")) == ["a-p01", "a-p02"]
    assert s.matrix.columns.names == ["seg_id", "label"]
    row = s.closest.set_index("seg_id").loc["a-p01"]
    assert row["similarity"] == pytest.approx(expected[0].max())
    # a-p02 shares no term with gov: no counterpart
    assert s.closest.set_index("seg_id").loc["a-p02", "closest_seg_id"] is None
    assert set(s.closest["group"]) == {"ngo", "gov"}


def test_seed_contrast_and_similarity_are_fast() -> None:
    from analysis.pipeline import build

    p = build()
    start = time.perf_counter()
    c = tfidf.tfidf_contrast(p.tokens, p.segments, target="government")
    s = tfidf.paragraph_similarity(p.tokens, p.segments)
    assert time.perf_counter() - start < 1.0
    assert c.index[0] == "people smuggling"
    assert "human trafficking" in c.index[-3:]
    assert s.matrix.shape == (10, 13)
    assert len(s.closest) == 23
