"""Tests for analysis.dtm: one document-term matrix, built two ways, taken by every count."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import sparse
from sklearn.feature_extraction.text import CountVectorizer

from analysis import counts, dtm, pipeline, synthetic, tfidf
from analysis.errors import AnalysisError
from analysis.segment import ANALYSIS_KINDS
from analysis.tokenise import type_flags


@pytest.fixture(scope="module")
def seeds() -> pipeline.CorpusTables:
    return pipeline.build(cache=False)


@pytest.fixture(scope="module")
def many(tmp_path_factory) -> pipeline.CorpusTables:
    """Sixty web-like statements in three groups (bylines, share lines, list items)."""
    manifest = synthetic.write_corpus(tmp_path_factory.mktemp("many") / "corpus", 60, words=160)
    return pipeline.build(manifest, cache=False)


def _first_order(matrix: dtm.DocumentTermMatrix) -> list[list[int]]:
    """Each row's columns in order of first use (what ``first`` is for)."""
    out = []
    for r in range(matrix.counts.shape[0]):
        a, b = matrix.counts.indptr[r], matrix.counts.indptr[r + 1]
        cols = matrix.counts.indices[a:b]
        out.append(cols[np.argsort(matrix.first[a:b], kind="stable")].tolist())
    return out


def _same(a: dtm.DocumentTermMatrix, b: dtm.DocumentTermMatrix) -> None:
    assert a.shape == b.shape
    assert (a.counts != b.counts).nnz == 0 and a.counts.dtype == b.counts.dtype == np.int64
    assert np.array_equal(a.counts.indices, b.counts.indices)
    pd.testing.assert_frame_equal(a.terms, b.terms)
    common = [c for c in a.units.columns if c in b.units.columns]
    assert common[:8] == list(dtm.UNIT_COLUMNS)
    pd.testing.assert_frame_equal(a.units[common], b.units[common])
    assert _first_order(a) == _first_order(b)
    assert np.array_equal(a.first, b.first)
    assert (a.mwe, a.kinds) == (b.mwe, b.kinds)


@pytest.mark.parametrize("mwe", [True, False])
@pytest.mark.parametrize("which", ["seeds", "many"])
def test_counting_texts_equals_counting_the_token_table(which, mwe, request):
    """The map step (raw texts, no token table, no sentences) and a count of the token table
    give the same matrix: counts, column order, terms and units tables, order of first use.
    Without multiword expressions the table's joined tokens are split back into words."""
    built = request.getfixturevalue(which)
    from_texts = dtm.count_documents(built.corpus, built.segments, mwe=mwe)
    from_table = dtm.from_tokens(built.tokens, built.segments, mwe=mwe)
    _same(from_texts, from_table)
    assert from_texts.terms["is_mwe"].any() == (mwe and which == "seeds")


def test_counts_are_those_of_count_vectorizer(seeds):
    """Each unit's row holds the counts scikit-learn's CountVectorizer gives for the unit's
    words (punctuation left out); running words are the words, stopwords included."""
    matrix = seeds.dtm
    words = dtm.analysis_words(seeds.tokens, seeds.segments)
    per_unit = words.groupby("seg_id", sort=False)["norm"].agg(list)
    rows = matrix.units["seg_id"].map(per_unit).apply(lambda v: v if isinstance(v, list) else [])
    vectorizer = CountVectorizer(analyzer=lambda values: values, lowercase=False)
    expected = vectorizer.fit_transform(rows.tolist())
    order = [vectorizer.vocabulary_[t] for t in matrix.terms["term"]]
    assert (matrix.counts.toarray() == expected.toarray()[:, order]).all()
    running = words.groupby("seg_id", sort=False)["n_words"].sum()
    assert matrix.units.set_index("seg_id")["n_words"].reindex(running.index).equals(running)
    flags = type_flags(pd.Index(matrix.terms["term"]))
    for column in ("stem", "is_stop", "is_number", "function_class", "is_function"):
        assert matrix.terms[column].tolist() == flags[column].tolist(), column
    assert set(matrix.units["kind"]) <= set(ANALYSIS_KINDS)
    assert matrix.counts.has_sorted_indices


def test_traceable_to_raw_offsets(seeds):
    """Every unit row carries its raw offsets: the corpus text sliced there holds each of the
    row's counted terms."""
    matrix = seeds.dtm
    from analysis.tokenise import normalise

    texts = seeds.corpus.set_index("doc_id")["text"]
    terms = matrix.terms["term"].to_numpy()
    for r, unit in enumerate(matrix.units.itertuples()):
        raw = normalise(texts[unit.doc_id][unit.start : unit.end])
        a, b = matrix.counts.indptr[r], matrix.counts.indptr[r + 1]
        for term in terms[matrix.counts.indices[a:b]]:
            assert term.split(" ")[0] in raw, (unit.seg_id, term)


def test_shares_put_together_equal_one_count(many):
    """Counts of consecutive shares of the documents, stacked, equal one count of them all."""
    whole = dtm.count_documents(many.corpus, many.segments)
    parts = []
    for share in pipeline._shares(many.corpus, 3):
        units = many.segments[many.segments["doc_id"].isin(share["doc_id"])]
        parts.append(dtm.count_documents(share, units))
    assert len(parts) == 2
    _same(dtm.concat(parts), whole)
    _same(
        dtm.DocumentTermMatrix.from_tables(whole.to_tables(), mwe=True, kinds=ANALYSIS_KINDS), whole
    )


def test_words_in_a_term_counted_at_once(many):
    """The words a term joins, counted on code points for all terms at once, are its spaces
    plus one (also for no terms, an empty term and a term holding a line break)."""
    from analysis.dtm.build import _words_in

    terms = many.dtm.terms["term"].tolist() + ["human trafficking", "a b c", ""]
    assert _words_in(terms).tolist() == [t.count(" ") + 1 for t in terms]
    assert _words_in([]).tolist() == [] and _words_in(["x\ny z", "a"]).tolist() == [2, 1]
    assert many.dtm.terms["n_words"].tolist() == [t.count(" ") + 1 for t in terms[:-3]]


def test_many_shares_and_repeated_vocabularies_put_together(many):
    """One share per document (most renumbered and re-sorted), and a share stacked on itself
    (its columns keep their numbers), give what one count and scipy's vstack give."""
    whole = dtm.count_documents(many.corpus, many.segments)
    parts = []
    for doc_id in many.corpus["doc_id"]:
        share = many.corpus[many.corpus["doc_id"] == doc_id]
        parts.append(dtm.count_documents(share, many.segments[many.segments["doc_id"] == doc_id]))
    assert len(parts) > 3
    _same(dtm.concat(parts), whole)
    twice = dtm.concat([parts[1], parts[1]])
    assert twice.term_table["term"].tolist() == parts[1].term_table["term"].tolist()
    stacked = sparse.vstack([parts[1].counts, parts[1].counts]).tocsr()
    assert (twice.counts != stacked).nnz == 0 and twice.counts.has_sorted_indices
    assert np.array_equal(twice.first, np.tile(parts[1].first, 2))
    assert twice.counts.indptr.tolist() == stacked.indptr.tolist()


def test_analyses_take_the_matrix_and_give_the_token_tables_numbers(many):
    """term_counts, group_keyness, document_keyness, the TF-IDF contrast and segment weights
    give the same tables, bit for bit, from the matrix as from the token and segment tables."""
    tokens, segments, matrix = many.tokens, many.segments, many.dtm
    for unit in ("norm", "stem"):
        pd.testing.assert_frame_equal(
            counts.term_counts(matrix, by="actor_type", unit=unit, trace=True),
            counts.term_counts(tokens, segments, "actor_type", unit=unit, trace=True),
            check_exact=True,
        )
    pd.testing.assert_frame_equal(
        counts.group_keyness(matrix, target="government", trace=True),
        counts.group_keyness(tokens, segments, target="government", trace=True),
        check_exact=True,
    )
    pd.testing.assert_frame_equal(
        counts.document_keyness(matrix, target="government"),
        counts.document_keyness(tokens, segments, target="government"),
        check_exact=True,
    )
    pd.testing.assert_frame_equal(
        tfidf.tfidf_contrast(matrix, by="actor_type"),
        tfidf.tfidf_contrast(tokens, segments, by="actor_type"),
        check_exact=True,
    )
    a = tfidf.segment_tfidf(matrix)
    b = tfidf.segment_tfidf(tokens, segments)
    assert np.array_equal(a.matrix.data, b.matrix.data)
    assert np.array_equal(a.matrix.indices, b.matrix.indices)
    pd.testing.assert_series_equal(
        counts.group_totals(matrix, by="doc_id"), counts.group_totals(tokens, segments, "doc_id")
    )


def test_checks_dispersion_and_similarity_take_the_matrix(many):
    """The permutation check, the document-level check, dispersion and paragraph similarity
    give the same numbers from the matrix as from the token and segment tables."""
    tokens, segments, matrix = many.tokens, many.segments, many.dtm
    terms = counts.group_keyness(matrix, target="government").index[:5].tolist()
    pd.testing.assert_frame_equal(
        counts.permutation_keyness(matrix, None, terms, target="government", n_resamples=199),
        counts.permutation_keyness(tokens, segments, terms, target="government", n_resamples=199),
        check_exact=True,
    )
    pd.testing.assert_frame_equal(
        counts.document_permutation(matrix, None, terms, target="government", n_resamples=199),
        counts.document_permutation(tokens, segments, terms, target="government", n_resamples=199),
        check_exact=True,
    )
    pd.testing.assert_frame_equal(
        counts.term_dispersion(matrix, by="actor_type"),
        counts.term_dispersion(tokens, segments, "actor_type"),
        check_exact=True,
    )
    groups = ("government", "civil_society")
    a = tfidf.paragraph_similarity(matrix, groups=groups)
    b = tfidf.paragraph_similarity(tokens, segments, groups=groups)
    pd.testing.assert_frame_equal(a.pairs, b.pairs, check_exact=True)


def test_a_matrix_keeps_its_options():
    """Counting options are fixed when a matrix is built: asking for others says so, and
    views that need word positions ask for the token table."""
    built = pipeline.build(cache=False, mwe=False)
    with pytest.raises(AnalysisError, match="mwe=False, not mwe=True"):
        counts.term_counts(built.dtm, mwe=True)
    assert not counts.term_counts(built.dtm)["term"].str.contains(" ").any()
    with pytest.raises(AnalysisError, match="kinds"):
        counts.term_counts(built.dtm, kinds=["body"])
    with pytest.raises(AnalysisError, match="needs word positions.*token table"):
        counts.ngram_counts(built.dtm)
    with pytest.raises(AnalysisError, match="needs its segment table"):
        counts.term_counts(built.tokens)


def test_tokens_on_demand_and_only_where_needed(seeds, tmp_path, monkeypatch):
    """A build makes no token table until one is asked for; the units using a term are found
    through the matrix, and only they are tokenised for a view of that term."""
    monkeypatch.setenv("ANALYSIS_CACHE", str(tmp_path / "cache"))
    built = pipeline.build()
    assert built._tokens is None
    units = built.units_using(["people smuggling", "smuggling of migrants", "not a word"])
    assert units and set(units) < set(built.dtm.units["seg_id"])
    few = built.tokens_using(["people smuggling"])
    assert len(few) and set(few["seg_id"]) <= set(units)
    assert "people smuggling" in set(few["norm"])
    whole = built.tokens
    expected = whole[whole["seg_id"].isin(set(few["seg_id"]))].reset_index(drop=True)
    pd.testing.assert_frame_equal(few, expected)
    # a later build reads the token table from the cache
    again = pipeline.build()
    assert again._tokens is None
    pd.testing.assert_frame_equal(again.tokens, whole)


@pytest.mark.parametrize("layout", ["", "line"])
def test_web_copies_count_alike_both_ways(layout, web_manifest):
    """Web copies (single-newline paragraphs, datelines, page furniture), read with the layout
    the manifest's ``paragraphs`` column names: the map step counts what the token table
    holds."""
    from analysis.corpus import load_corpus
    from analysis.segment import segment_corpus
    from analysis.tokenise import tokenise

    corpus = load_corpus(web_manifest).assign(paragraphs=layout)
    segments = segment_corpus(corpus)
    tokens = tokenise(segments, corpus, kinds=ANALYSIS_KINDS)
    _same(dtm.count_documents(corpus, segments), dtm.from_tokens(tokens, segments))


def test_a_subset_is_the_matrix_of_those_units_alone(many):
    """The matrix of some documents cut from the whole equals the one counted from their
    tables alone: rows, terms renumbered by first use among them, counts and positions."""
    docs = many.corpus["doc_id"].iloc[1::3].tolist()
    part = many.of_documents(docs)
    units = part.segments
    alone = dtm.from_tokens(many.tokens[many.tokens["doc_id"].isin(docs)], units)
    _same(part.dtm, alone)
    assert set(part.dtm.units["doc_id"]) == set(docs)
    # the token table is cut from the whole one only when asked for
    pd.testing.assert_frame_equal(
        part.tokens, many.tokens[many.tokens["doc_id"].isin(docs)].reset_index(drop=True)
    )


@pytest.mark.parametrize(
    "query, kind",
    [
        ("trafficking", "word"),
        ("smuggling", "word"),
        ("migrant", "stem"),
        ("people smuggling", "mwe"),
        ("work with", "mwe"),
        (r"traffick\w*", "regex"),
        ("zebracrossings", "word"),
    ],
)
def test_a_concordance_needs_only_the_units_the_matrix_points_to(seeds, query, kind):
    """KWIC on the tokens of the units located through the matrix gives exactly the lines KWIC
    on the whole token table gives."""
    from analysis.concordance import kwic

    few = seeds.tokens_for(query, kind)
    everything = kwic(seeds.tokens, query, corpus=seeds.corpus, segments=seeds.segments, kind=kind)
    found = kwic(few, query, corpus=seeds.corpus, segments=seeds.segments, kind=kind)
    pd.testing.assert_frame_equal(found, everything)
    assert set(few["seg_id"]) >= set(everything["seg_id"])
    if kind != "mwe" and query != "zebracrossings":
        assert few["seg_id"].nunique() < seeds.tokens["seg_id"].nunique()


def test_stems_are_worked_out_when_first_asked_for(many, monkeypatch):
    """A count leaves the stems for later; the first read of ``terms`` fills them (once), the
    same stems a token table has, and a matrix sent without them reads back whole."""
    from analysis import tokenise

    fresh = dtm.count_documents(many.corpus, many.segments)
    assert "stem" not in fresh.term_table.columns
    assert list(fresh.term_table.columns) == [c for c in dtm.TERM_COLUMNS if c != "stem"]
    sent = dtm.DocumentTermMatrix.from_tables(fresh.to_tables(), mwe=True, kinds=fresh.kinds)
    assert "stem" not in sent.term_table.columns
    # the normal-form counts never need them
    counts.group_keyness(fresh, by="actor_type", target="civil_society", reference="government")
    assert "stem" not in fresh.term_table.columns
    terms = fresh.terms
    assert list(terms.columns) == list(dtm.TERM_COLUMNS)
    assert terms["stem"].tolist() == [tokenise.stem(t) for t in terms["term"]]
    from_tokens = dtm.from_tokens(many.tokens, many.segments)
    pd.testing.assert_frame_equal(fresh.terms, from_tokens.terms)
    calls = []
    monkeypatch.setattr(dtm.matrix, "stem", lambda t: calls.append(t) or t)
    assert fresh.terms is fresh.terms and not calls  # filled once
    # a matrix read back without stems works them out through the same function
    assert sent.terms["stem"].tolist() == terms["term"].tolist()  # the stand-in's "stems"
    assert len(calls) == len(terms)
    pd.testing.assert_frame_equal(sent.terms.drop(columns="stem"), terms.drop(columns="stem"))
    # once worked out, they travel with the matrix
    kept = dtm.DocumentTermMatrix.from_tables(fresh.to_tables(), mwe=True, kinds=fresh.kinds)
    assert "stem" in kept.term_table.columns


@pytest.mark.parametrize("dtype", [np.int32, np.int64])
def test_rows_then_orders_without_touching_its_inputs(dtype):
    row = np.array([0, 0, 0, 1, 1, 3], dtype=dtype)
    key = np.array([5, 1, 3, 2, 0, 7], dtype=dtype)
    kept = key.copy()
    order = dtm.rows_then(row, key, 4)
    assert order.tolist() == np.lexsort((key, row)).tolist() == [1, 2, 0, 4, 3, 5]
    assert np.array_equal(key, kept)  # scipy sorts its own copy


def test_positions_of_first_use_are_int32_and_views_share_no_array(many):
    matrix = many.dtm
    assert matrix.first.dtype == np.int32
    view = matrix.unit_counts("norm")
    before = view.first.copy()
    tfidf.segment_tfidf(matrix)
    assert np.array_equal(view.first, before)  # the memo is not reordered by a reader


@pytest.mark.parametrize("wordless", [False, True])
@pytest.mark.parametrize("stopwords", [False, True])
def test_normal_form_view_equals_selecting_rows_and_columns(many, stopwords, wordless):
    """The view picked by one mask over the entries equals scipy's row and column selection,
    with each entry's position of first use carried along; a view that keeps every entry
    shares the matrix's arrays read-only."""
    matrix = many.dtm
    if wordless:  # rows the view leaves out (as units without running words)
        units = matrix.units.copy()
        units.loc[units.index[::5], "n_words"] = 0
        matrix = dtm.DocumentTermMatrix(
            matrix.counts, matrix.first, units, matrix.term_table, matrix.mwe, matrix.kinds
        )
    view = matrix.unit_counts("norm", stopwords=stopwords)
    rows = np.flatnonzero(matrix.units["n_words"].to_numpy() > 0)
    columns = np.arange(matrix.shape[1])
    if not stopwords:
        columns = np.flatnonzero(~matrix.terms["is_stop"].to_numpy(dtype=bool))
    positions = matrix.counts.copy()
    positions.data = np.arange(1, positions.nnz + 1)
    picked = positions[rows][:, columns]
    picked.sort_indices()
    expected = matrix.counts[rows][:, columns]
    expected.sort_indices()
    assert np.array_equal(view.counts.indptr, expected.indptr)
    assert np.array_equal(view.counts.indices, expected.indices)
    assert np.array_equal(view.counts.data, expected.data)
    assert np.array_equal(view.first, matrix.first[picked.data - 1])
    assert list(view.keys) == matrix.terms["term"].to_numpy()[columns].tolist()
    if stopwords and len(rows) == matrix.shape[0]:
        assert np.shares_memory(view.counts.data, matrix.counts.data)
        with pytest.raises(ValueError):
            view.counts.data[0] = 0
