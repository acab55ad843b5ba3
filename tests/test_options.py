"""Tests for analysis.options: the counting options as one object, taken by every count."""

from __future__ import annotations

import inspect

import pandas as pd
import pytest

from analysis import counts, pipeline, tfidf
from analysis.errors import AnalysisError
from analysis.options import COUNT_OPTION_NAMES, CountOptions


@pytest.fixture(scope="module")
def seeds() -> pipeline.CorpusTables:
    return pipeline.build(cache=False)


SIDES = {"target": "civil_society", "reference": "government"}


STEMS = {"unit": "stem", "stopwords": True}


@pytest.mark.parametrize(
    "call, keywords",
    [
        (lambda d, **o: counts.term_counts(d, **o), STEMS),
        (lambda d, **o: counts.group_keyness(d, **SIDES, **o), STEMS),
        (lambda d, **o: counts.document_term_matrix(d, **o).to_frame(), STEMS),
        (lambda d, **o: counts.term_dispersion(d, by="doc_id", **o), STEMS),
        (lambda d, **o: tfidf.tfidf_contrast(d, by="actor_type", **SIDES, **o), STEMS),
        (lambda d, **o: counts.group_totals(d, **o).to_frame(), {}),  # has kinds only
    ],
    ids=["term_counts", "group_keyness", "matrix", "dispersion", "tfidf_contrast", "totals"],
)
def test_options_give_what_the_keywords_give(seeds, call, keywords):
    given = call(seeds.dtm, options=CountOptions(unit="stem", stopwords=True))
    pd.testing.assert_frame_equal(given, call(seeds.dtm, **keywords))
    if keywords:  # and they do change the table
        assert not given.equals(call(seeds.dtm))


def test_a_keyword_beside_the_options_overrides_that_field(seeds):
    stems = CountOptions(unit="stem", stopwords=True)
    mixed = counts.term_counts(seeds.dtm, options=stems, unit="norm")
    plain = counts.term_counts(seeds.dtm, stopwords=True)
    pd.testing.assert_frame_equal(mixed, plain)


def test_fields_a_function_lacks_are_left_out(seeds):
    profile = counts.function_word_profile(seeds.tokens, seeds.segments)
    with_options = counts.function_word_profile(
        seeds.tokens, seeds.segments, options=CountOptions(unit="stem", stopwords=True)
    )
    pd.testing.assert_frame_equal(profile, with_options)


def test_a_matrix_still_refuses_options_it_was_not_built_with(seeds):
    with pytest.raises(AnalysisError, match="mwe=True, not mwe=False"):
        counts.term_counts(seeds.dtm, options=CountOptions(mwe=False))


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"unit": "lemma"}, "unit must be 'norm' or 'stem'"),
        ({"mwe": "yes"}, "mwe must be True, False or None"),
        ({"stopwords": 1}, "stopwords must be True or False"),
        ({"kinds": "body"}, "kinds must be a sequence of kind names"),
        ({"kinds": ()}, "kinds is empty"),
    ],
)
def test_options_are_checked_when_made(fields, message):
    with pytest.raises(AnalysisError, match=message):
        CountOptions(**fields)


def test_options_are_one_frozen_object_with_the_four_fields(seeds):
    options = CountOptions(kinds=["body"])
    assert options.kinds == ("body",) and hash(options) == hash(CountOptions(kinds=("body",)))
    assert tuple(options.keywords()) == COUNT_OPTION_NAMES
    assert options.keywords(["unit", "by"]) == {"unit": "norm"}
    assert options.replace(unit="stem").unit == "stem" and options.unit == "norm"
    with pytest.raises(AnalysisError, match="must be an analysis.options.CountOptions"):
        counts.term_counts(seeds.dtm, options={"unit": "stem"})
    for function in (counts.term_counts, counts.group_keyness, tfidf.segment_tfidf):
        parameters = inspect.signature(function).parameters
        assert parameters["options"].kind is inspect.Parameter.KEYWORD_ONLY
        assert {"unit", "mwe", "stopwords"} <= set(parameters)
