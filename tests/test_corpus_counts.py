"""count_corpus (map over documents, sum of sparse counts) equals the token-table pipeline."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from analysis import corpus_counts
from analysis.corpus import load_corpus
from analysis.corpus_counts import count_corpus
from analysis.counts import term_counts
from analysis.segment import segment_corpus
from analysis.tfidf import tfidf_contrast
from analysis.tokenise import tokenise


@pytest.fixture(scope="module")
def seeds():
    corpus = load_corpus()
    segments = segment_corpus(corpus)
    return corpus, segments, tokenise(segments, corpus)


@pytest.mark.parametrize("by", ["actor_type", "doc_id", "seg_id"])
@pytest.mark.parametrize("stopwords", [False, True])
def test_group_counts_equal_term_counts(seeds, by, stopwords):
    corpus, segments, tokens = seeds
    expected = term_counts(tokens, segments, by, stopwords=stopwords)
    got = count_corpus(corpus).group_counts(by, stopwords=stopwords)
    key = [by, "term"]
    pd.testing.assert_frame_equal(
        got.sort_values(key).reset_index(drop=True),
        expected.sort_values(key).reset_index(drop=True),
        check_dtype=False,
    )


@pytest.mark.parametrize("by", ["actor_type", "seg_id"])
def test_sparse_group_sums_equal_dense(seeds, by, monkeypatch):
    counts = count_corpus(seeds[0])
    dense = counts.group_counts(by)
    monkeypatch.setattr(corpus_counts, "_DENSE_GROUPS", 0)  # force the indicator product
    pd.testing.assert_frame_equal(counts.group_counts(by), dense)


@pytest.mark.parametrize("path", ["dense", "sparse"])
@pytest.mark.parametrize("by", ["actor_type", "doc_id", "seg_id"])
def test_traced_group_counts_equal_term_counts(seeds, by, path, monkeypatch):
    corpus, segments, tokens = seeds
    counts = count_corpus(corpus)
    plain = counts.group_counts(by)
    if path == "sparse":
        monkeypatch.setattr(corpus_counts, "_DENSE_GROUPS", 0)  # force the indicator product
    expected = term_counts(tokens, segments, by, trace=True)
    got = counts.group_counts(by, trace=True)
    assert list(got.columns) == list(expected.columns)
    assert (got["seg_ids"].str.split(" ").str.len() == got["n_segments"]).all()
    key = [by, "term"]
    pd.testing.assert_frame_equal(
        got.sort_values(key).reset_index(drop=True),
        expected.sort_values(key).reset_index(drop=True),
        check_dtype=False,
    )
    pd.testing.assert_frame_equal(got.drop(columns="seg_ids"), plain)


@pytest.mark.parametrize("path", ["dense", "sparse"])
@pytest.mark.parametrize("by", ["actor_type", "genre"])
def test_traced_group_counts_follow_reading_order_across_documents(
    mini_manifest, by, path, monkeypatch
):
    # the mini corpus: civil-society documents before and after the government one, doc_ids
    # not in alphabetical order, so a group's seg_ids run across documents in reading order
    corpus = load_corpus(mini_manifest)
    segments = segment_corpus(corpus)
    tokens = tokenise(segments, corpus)
    if path == "sparse":
        monkeypatch.setattr(corpus_counts, "_DENSE_GROUPS", 0)
    got = count_corpus(corpus).group_counts(by, trace=True, stopwords=True)
    expected = term_counts(tokens, segments, by, trace=True, stopwords=True)
    key = [by, "term"]
    pd.testing.assert_frame_equal(
        got.sort_values(key).reset_index(drop=True),
        expected.sort_values(key).reset_index(drop=True),
        check_dtype=False,
    )
    doc_of = segments.set_index("seg_id")["doc_id"]
    position = {doc_id: i for i, doc_id in enumerate(corpus["doc_id"])}
    docs = [[position[doc_of[s]] for s in ids.split(" ")] for ids in got["seg_ids"]]
    assert all(order == sorted(order) for order in docs)
    assert any(len(set(order)) > 1 for order in docs)


def test_tfidf_contrast_equals_table_pipeline(seeds):
    corpus, segments, tokens = seeds
    expected = tfidf_contrast(tokens, segments)
    got = count_corpus(corpus).tfidf_contrast()
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)


def test_parallel_equals_serial(seeds, monkeypatch):
    corpus = pd.concat([seeds[0]] * 3, ignore_index=True)
    corpus["doc_id"] = [f"d{i}" for i in range(len(corpus))]
    serial = count_corpus(corpus, jobs=1, chunk_docs=2)
    monkeypatch.setattr(corpus_counts, "_PARALLEL_STEMS", 0)  # stems worked out by the workers
    parallel = count_corpus(corpus, jobs=2, chunk_docs=2)
    pd.testing.assert_frame_equal(serial.segments, parallel.segments)
    pd.testing.assert_frame_equal(serial.terms, parallel.terms)
    assert (serial.matrix != parallel.matrix).nnz == 0


def test_rows_trace_back_to_raw_text(seeds):
    corpus = seeds[0]
    counts = count_corpus(corpus)
    raw = dict(zip(corpus.doc_id, corpus.text, strict=True))
    row = counts.segments.set_index("seg_id").loc["gov-2024-p04.ii"]
    assert raw["gov-2024"][row.start:row.end].startswith("Coordinate the responses")
    col = int(np.flatnonzero(counts.terms["term"] == "people smuggling")[0])
    assert counts.matrix[counts.segments.index[counts.segments.seg_id == "gov-2024-p04.ii"][0],
                         col] == 1


@pytest.mark.parametrize("dense", [True, False])
def test_segments_without_a_group_count_nowhere(seeds, dense, monkeypatch):
    # A segment with no value in `by` is left out of every group, as term_counts leaves it out;
    # it must not raise nor be counted in some other group.
    corpus, segments, tokens = seeds
    blank = segments["seg_id"].isin(["gov-2024-p01", "lfl-2022-p03"])
    segments = segments.assign(genre=segments["genre"].mask(blank))
    counted = count_corpus(corpus)
    rows = counted.segments["seg_id"].isin(["gov-2024-p01", "lfl-2022-p03"])
    counted = dataclasses.replace(
        counted, segments=counted.segments.assign(genre=counted.segments["genre"].mask(rows)))
    if not dense:
        monkeypatch.setattr(corpus_counts, "_DENSE_GROUPS", 0)
    expected = term_counts(tokens, segments, "genre", trace=True)
    got = counted.group_counts("genre", trace=True)
    key = ["genre", "term"]
    pd.testing.assert_frame_equal(
        got.sort_values(key).reset_index(drop=True),
        expected.sort_values(key).reset_index(drop=True),
        check_dtype=False,
    )
    assert not got["seg_ids"].str.contains("gov-2024-p01|lfl-2022-p03").any()


@pytest.mark.parametrize("layout", ["", "line"])
def test_web_corpus_counts_equal_term_counts_with_layouts(layout, web_manifest):
    # web copies: single-newline paragraphs, datelines, web-page lines; the manifest's
    # paragraphs column reaches the map step too
    corpus = load_corpus(web_manifest).assign(paragraphs=layout)
    segments = segment_corpus(corpus)
    tokens = tokenise(segments, corpus)
    for by in ("actor_type", "seg_id"):
        expected = term_counts(tokens, segments, by)
        got = count_corpus(corpus, jobs=1).group_counts(by)
        key = [by, "term"]
        pd.testing.assert_frame_equal(
            got.sort_values(key).reset_index(drop=True),
            expected.sort_values(key).reset_index(drop=True),
            check_dtype=False,
        )
