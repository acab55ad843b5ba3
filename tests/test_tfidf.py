"""Tests of analysis.tfidf against scikit-learn and hand computation."""

from __future__ import annotations

import math
from pathlib import Path

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


def test_seed_contrast_and_similarity() -> None:
    from analysis.pipeline import build

    p = build()
    c = tfidf.tfidf_contrast(p.tokens, p.segments, target="government")
    s = tfidf.paragraph_similarity(p.tokens, p.segments)
    assert c.index[0] == "people smuggling"
    assert "human trafficking" in c.index[-3:]
    assert s.matrix.shape == (10, 13)
    assert len(s.closest) == 23


# --- the ends of a contrast and the highlights of a similarity (moved from notebook 05) -------


def _contrast(diffs: dict[str, float]) -> pd.DataFrame:
    table = pd.DataFrame({"diff": list(diffs.values())}, index=pd.Index(list(diffs), name="term"))
    table.attrs.update(target="ngo", reference="gov")
    return table


def test_contrast_extremes_hand_made() -> None:
    # b and c tie at +0.2 (alphabetical: b first); d is 0 and favours no side
    contrast = _contrast({"f": -0.4, "a": 0.3, "c": 0.2, "b": 0.2, "d": 0.0, "e": -0.1})
    before = contrast.copy()
    ends = tfidf.contrast_extremes(contrast, n=2)
    pd.testing.assert_frame_equal(contrast, before)
    assert list(ends.columns) == ["favours", "term", "diff"]
    assert ends.to_numpy().tolist() == [
        ["ngo", "a", 0.3],
        ["ngo", "b", 0.2],
        ["gov", "f", -0.4],
        ["gov", "e", -0.1],
    ]
    wide = tfidf.contrast_extremes(contrast, n=5)  # fewer terms than asked on each side
    assert wide["term"].tolist() == ["a", "b", "c", "f", "e"]
    one_sided = tfidf.contrast_extremes(_contrast({"a": 0.1, "b": 0.0}), n=4)
    assert one_sided["term"].tolist() == ["a"] and set(one_sided["favours"]) == {"ngo"}
    with pytest.raises(AnalysisError, match="at least one term"):
        tfidf.contrast_extremes(contrast, n=0)
    with pytest.raises(AnalysisError, match="attrs"):
        tfidf.contrast_extremes(pd.DataFrame({"diff": [0.1]}, index=["a"]))


def test_contrast_extremes_on_a_real_contrast(toy) -> None:
    tokens, segments = toy
    contrast = tfidf.tfidf_contrast(tokens, segments, target="ngo")
    ends = tfidf.contrast_extremes(contrast, n=3)
    top = contrast["diff"]
    assert ends["term"].tolist()[:3] == list(top.index[:3])
    assert ends["term"].tolist()[3:] == list(top.index[::-1][:3])
    assert ends["favours"].tolist() == ["ngo"] * 3 + ["gov"] * 3


def _similarity(rows: list[tuple[str, str | None, float]]) -> tfidf.Similarity:
    closest = pd.DataFrame(rows, columns=["seg_id", "closest_seg_id", "similarity"])
    return tfidf.Similarity(matrix=pd.DataFrame(), closest=closest)


def _words(rows: list[tuple[str, str, str]]) -> pd.DataFrame:
    """(seg_id, norm, kind) with kind one of content/stop/function/punct."""
    return pd.DataFrame(
        {
            "seg_id": [r[0] for r in rows],
            "norm": [r[1] for r in rows],
            "is_punct": [r[2] == "punct" for r in rows],
            "is_stop": [r[2] == "stop" for r in rows],
            "is_function": [r[2] == "function" for r in rows],
        }
    )


def test_similarity_highlights_hand_made() -> None:
    # x1 and y1 tie at 0.5: the first row (x1, a paragraph of the first group) wins
    sim = _similarity([("x1", "y1", 0.5), ("x2", None, 0.0), ("y1", "x1", 0.5), ("y2", "x1", 0.2)])
    tokens = _words(
        [
            ("x1", "victims", "content"),
            ("x1", "we", "function"),
            ("x1", "the", "stop"),
            ("x1", ",", "punct"),
            ("x1", "rights", "content"),
            ("x1", "law", "content"),
            ("y1", "rights", "content"),
            ("y1", "we", "function"),
            ("y1", "the", "stop"),
            ("y1", ",", "punct"),
            ("y1", "victims", "content"),
            ("y2", "law", "content"),
        ]
    )
    before = sim.closest.copy()
    got = tfidf.similarity_highlights(sim, tokens)
    pd.testing.assert_frame_equal(sim.closest, before)
    assert (got.seg_id, got.closest_seg_id, got.similarity) == ("x1", "y1", 0.5)
    assert got.shared_words == ("rights", "victims")  # not "we", "the" or ","; "law" is in y2
    assert got.median_similarity == pytest.approx(0.35)  # median of 0, 0.2, 0.5, 0.5
    assert got.unmatched == ("x2",) and got.n_paragraphs == 4


def test_similarity_highlights_edges(toy) -> None:
    # toy: a-p01 and b-p01 share only "we", a function word: a cosine but no content word
    tokens, segments = toy
    got = tfidf.similarity_highlights(tfidf.paragraph_similarity(tokens, segments), tokens)
    assert (got.seg_id, got.closest_seg_id) == ("a-p01", "b-p01")
    assert got.similarity > 0 and got.shared_words == ()
    assert got.unmatched == ("a-p02", "b-p01.i")
    assert got.median_similarity == pytest.approx(got.similarity / 2)
    nothing = tfidf.similarity_highlights(
        _similarity([("x1", None, 0.0), ("y1", None, 0.0)]), _words([("x1", "a", "content")])
    )
    assert nothing.closest_seg_id is None and nothing.shared_words == ()
    assert nothing.unmatched == ("x1", "y1")
    with pytest.raises(AnalysisError, match="no paragraphs"):
        tfidf.similarity_highlights(_similarity([]), tokens)
    with pytest.raises(AnalysisError, match="is_function"):
        tfidf.similarity_highlights(
            _similarity([("x1", None, 0.0)]), tokens.drop(columns=["is_function"])
        )


def test_seed_similarity_highlights() -> None:
    from analysis.pipeline import build

    p = build()
    s = tfidf.paragraph_similarity(p.tokens, p.segments)
    got = tfidf.similarity_highlights(s, p.tokens)
    best = s.closest["similarity"].max()
    assert got.similarity == best and got.n_paragraphs == 23
    rows = s.matrix.index.get_level_values("seg_id")
    cols = s.matrix.columns.get_level_values("seg_id")
    pair = {got.seg_id, got.closest_seg_id}
    cell = s.matrix.to_numpy()[np.ix_(rows.isin(pair), cols.isin(pair))]
    assert cell.shape == (1, 1) and cell.item() == got.similarity
    words = p.tokens[~p.tokens["is_punct"] & ~p.tokens["is_stop"] & ~p.tokens["is_function"]]
    for w in got.shared_words:
        assert {got.seg_id, got.closest_seg_id} <= set(words.loc[words["norm"] == w, "seg_id"])


@pytest.fixture(scope="module")
def synthetic_tables(tmp_path_factory):
    from analysis import synthetic
    from analysis.pipeline import build

    folder = tmp_path_factory.mktemp("synthetic")
    manifest = synthetic.write_corpus(folder, 9, words=250, vocabulary=800, seed=3)
    return build(manifest)


@pytest.mark.parametrize("block_cells", [7, 50, 10**7])
def test_blocked_similarity_equals_the_dense_cosine(synthetic_tables, monkeypatch, block_cells):
    """Every paragraph's closest counterpart, its top pairs, the document maxima and the summary
    are exact whatever the block size, and equal scikit-learn's dense cosine matrix."""
    p = synthetic_tables
    monkeypatch.setattr(tfidf.similarity, "BLOCK_CELLS", block_cells)
    groups = ("civil_society", "government")
    kept = tfidf.paragraph_similarity(p.tokens, p.segments, groups=groups, top=3)
    w = tfidf.segment_tfidf(p.tokens, p.segments)
    rows = (w.segments["actor_type"] == groups[0]).to_numpy()
    cols = (w.segments["actor_type"] == groups[1]).to_numpy()
    dense = np.clip(cosine_similarity(w.matrix[rows], w.matrix[cols]), 0, 1)
    np.testing.assert_allclose(kept.matrix.to_numpy(), dense, atol=1e-12)
    sparse_only = tfidf.paragraph_similarity(
        p.tokens, p.segments, groups=groups, top=3, max_cells=10
    )
    assert sparse_only.matrix is None and sparse_only.summary["level"] == "document"
    for result in (kept, sparse_only):
        closest = result.closest.set_index("seg_id")
        row_ids = w.segments["seg_id"].to_numpy()[rows]
        col_ids = w.segments["seg_id"].to_numpy()[cols]
        for i, seg in enumerate(row_ids):
            assert closest.loc[seg, "similarity"] == pytest.approx(dense[i].max(), abs=1e-12)
            assert closest.loc[seg, "closest_seg_id"] == col_ids[dense[i].argmax()]
        for j, seg in enumerate(col_ids):
            assert closest.loc[seg, "similarity"] == pytest.approx(dense[:, j].max(), abs=1e-12)
            assert closest.loc[seg, "closest_seg_id"] == row_ids[dense[:, j].argmax()]
        # each paragraph's three strongest pairs are among the pairs, with their cosines
        got = {
            (a, b): c
            for a, b, c in result.pairs[["seg_a", "seg_b", "cosine"]].itertuples(index=False)
        }
        for i, seg in enumerate(row_ids):
            third = np.sort(dense[i])[-3]
            for j in np.flatnonzero(dense[i] > max(third, 0) + 1e-9):
                assert got[(seg, col_ids[j])] == pytest.approx(dense[i, j], abs=1e-12)
        assert list(result.pairs["cosine"]) == sorted(result.pairs["cosine"], reverse=True)
        assert (result.pairs["cosine"] > 0).all()
        # documents: the highest paragraph cosine of each pair of documents
        doc_rows = w.segments["doc_id"].to_numpy()[rows]
        doc_cols = w.segments["doc_id"].to_numpy()[cols]
        for da in result.documents.index:
            for db in result.documents.columns:
                expected = dense[np.ix_(doc_rows == da, doc_cols == db)].max()
                assert result.documents.loc[da, db] == pytest.approx(expected, abs=1e-12)
        summary = result.summary
        assert summary["pairs"] == dense.size
        assert summary["zero_pairs"] == int((dense <= 0).sum())
        assert summary["max"] == pytest.approx(dense.max(), abs=1e-12)
        assert summary["median"] == pytest.approx(np.median(dense), abs=1e-5)


@pytest.mark.parametrize("block", [7, None])
@pytest.mark.parametrize(("unit", "stopwords"), [("norm", False), ("stem", False), ("norm", True)])
def test_segment_tfidf_is_tfidfvectorizer_to_the_last_bit(
    unit, stopwords, block, monkeypatch
) -> None:
    """The weights built from the counting core are exactly scikit-learn's TfidfVectorizer
    fitted on each segment's terms in reading order: same columns, same stored entries in the
    same order, same floats (so every table and tie built on them is unchanged), however many
    entries are weighted at a time."""
    from analysis import pipeline
    from analysis.tfidf import weights as weights_module

    if block is not None:
        monkeypatch.setattr(weights_module, "WEIGH_BLOCK", block)
    from analysis.counts.core import _stem_labels
    from analysis.dtm import analysis_words

    tables = pipeline.build()
    weights = tfidf.segment_tfidf(tables.tokens, tables.segments, unit=unit, stopwords=stopwords)
    words = analysis_words(tables.tokens, tables.segments)
    if not stopwords:
        words = words[~words["is_stop"]]
    keys = (
        words["stem"].map(_stem_labels(words["stem"], words["norm"]))
        if unit == "stem"
        else words["norm"]
    )
    lists = keys.groupby(words["seg_id"].to_numpy(), sort=False).agg(list)
    corpus = [lists.get(seg, []) for seg in weights.segments["seg_id"]]
    vectorizer = TfidfVectorizer(analyzer=lambda terms: terms, lowercase=False)
    expected = vectorizer.fit_transform(corpus).tocsr()
    assert list(weights.terms) == list(vectorizer.get_feature_names_out())
    assert np.array_equal(weights.matrix.indptr, expected.indptr)
    assert np.array_equal(weights.matrix.indices, expected.indices)
    assert np.array_equal(weights.matrix.data, expected.data)  # bit for bit
    assert np.array_equal(weights.idf, vectorizer.idf_)


@pytest.mark.parametrize("unit", ["norm", "stem"])
@pytest.mark.parametrize("stopwords", [False, True])
def test_counts_in_vectorizer_order_by_the_shortcut_equal_the_general_way(
    unit, stopwords, monkeypatch, tmp_path
):
    """The shortcut (the counts' own storage, converted) gives the general way's matrix to the
    last bit and in the same storage order: on the seeds, the web fixture, a synthetic corpus
    of three groups and a subset of it."""
    from analysis import pipeline, synthetic
    from analysis.tfidf import weights
    from analysis.tfidf.weights import vectorizer_counts

    sorts = []
    general = weights.rows_then
    monkeypatch.setattr(weights, "rows_then", lambda *a: sorts.append(1) or general(*a))

    web = Path(__file__).parent / "fixtures" / "web_corpus" / "manifest.csv"
    many = pipeline.build(synthetic.write_corpus(tmp_path / "c", 30, words=120), cache=False)
    matrices = [pipeline.build(cache=False).dtm, pipeline.build(web, cache=False).dtm, many.dtm]
    matrices.append(many.of_documents(many.corpus["doc_id"].iloc[::2]).dtm)
    for matrix in matrices:
        counted = matrix.unit_counts(unit, stopwords=stopwords)
        in_order = matrix.units["seg_id"].to_numpy(dtype=object)
        for seg_ids, shortcut in ((in_order, True), (counted.seg_ids[::-1], False)):
            sorts.clear()
            fast, names = vectorizer_counts(counted, seg_ids)
            assert sorts == ([] if shortcut else [1])  # the shortcut taken, or not
            slow, names_slow = vectorizer_counts(counted, seg_ids, shortcut=False)
            assert np.array_equal(names, names_slow)
            for a, b in ((fast.data, slow.data), (fast.indices, slow.indices)):
                assert a.dtype == b.dtype and np.array_equal(a, b)
            assert np.array_equal(fast.indptr, slow.indptr)
            assert fast.has_sorted_indices == slow.has_sorted_indices


@pytest.mark.parametrize("block", [3, 1 << 20])
def test_column_frequencies_by_blocks_equal_one_count(block, monkeypatch):
    from scipy import sparse

    from analysis.tfidf import weights as weights_module

    monkeypatch.setattr(weights_module, "WEIGH_BLOCK", block)
    rng = np.random.default_rng(7)
    matrix = sparse.random(40, 25, density=0.3, format="csr", random_state=rng)
    entries = rng.random(matrix.nnz) < 0.5
    dense = matrix.toarray() != 0
    assert weights_module.column_frequencies(matrix).tolist() == dense.sum(axis=0).tolist()
    picked = matrix.copy()
    picked.data = entries.astype(float)
    expected = (picked.toarray() != 0).sum(axis=0)
    assert weights_module.column_frequencies(matrix, entries).tolist() == expected.tolist()
