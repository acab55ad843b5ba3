"""Tests for analysis.pipeline: the foundation tables built together from a manifest."""

from __future__ import annotations

from analysis.pipeline import build


def test_build_seeds():
    p = build()
    assert set(p.tokens["seg_id"]) <= set(p.segments["seg_id"])
    assert set(p.tokens["seg_id"]) == set(p.segments.query("kind in ['body', 'list_item']").seg_id)
    assert set(p.sentences["seg_id"]) == set(p.tokens["seg_id"])
    summary = p.describe()
    assert summary.set_index("doc_id").loc["gov-2024", "units_list_item"] == 5
    assert len(p.cleaning_log) > 0


def test_build_without_mwes():
    with_mwe, without = build().tokens, build(mwe=False).tokens
    assert not without["is_mwe"].any()
    assert len(without) > len(with_mwe)
