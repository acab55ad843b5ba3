"""Tests for analysis.pipeline: the foundation tables built together from a manifest."""

from __future__ import annotations

from analysis import pipeline
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


def test_parallel_build_gives_the_same_tables(tmp_path):
    """Shares of documents built in worker processes (or on any executor) and put back
    together give exactly the tables of one process: values, dtypes, order and index; also
    when one share has nothing in a table (clean texts: an empty cleaning log)."""
    from concurrent.futures import ThreadPoolExecutor

    import pandas as pd

    from analysis import pipeline, synthetic

    manifest = synthetic.write_corpus(tmp_path / "corpus", 80, words=120)
    table = pd.read_csv(manifest, dtype=str)
    for path in table["path"].iloc[:40]:  # the first shares: plain texts, nothing to clean
        (manifest.parent / path).write_text(
            "A plain statement.\n\n" + "It has paragraphs and no web furniture at all.\n\n" * 30,
            encoding="utf-8",
        )
    one = build(manifest, cache=False)
    assert len(one.cleaning_log) > 0
    shares = pipeline._shares(one.corpus, 3)
    assert len(shares) == 3 and sum(map(len, shares)) == 80
    assert pipeline._build_tables(shares[0], True, pipeline.ANALYSIS_KINDS)["cleaning_log"].empty
    waited: list[str] = []
    counted: list[tuple[int, int]] = []
    with ThreadPoolExecutor(2) as executor:
        others = [
            build(
                manifest,
                cache=False,
                jobs=2,
                while_waiting=lambda: waited.append("2"),
                progress=lambda done, total: counted.append((done, total)),
            ),
            build(manifest, cache=False, jobs=3),
            build(manifest, cache=False, executor=executor),
        ]
    assert waited == ["2"]  # called once, while the workers built
    # documents counted: from none to all, one report per share
    assert counted[0] == (0, 80) and counted[-1] == (80, 80) and len(counted) == 3
    assert [d for d, _ in counted] == sorted(d for d, _ in counted)
    build(cache=False, jobs=2, while_waiting=lambda: waited.append("seeds"))
    assert waited == ["2"]  # two documents: built in this process, nothing to wait for
    for other in others:
        for name in ("corpus", "cleaning_log", "segments", "sentences", "tokens"):
            pd.testing.assert_frame_equal(
                getattr(other, name), getattr(one, name), check_exact=True
            )
        for name, table in other.dtm.to_tables().items():
            pd.testing.assert_frame_equal(table, one.dtm.to_tables()[name], check_exact=True)


def test_small_corpora_are_built_in_one_process():
    from analysis import pipeline
    from analysis.corpus import load_corpus

    corpus = load_corpus()
    assert len(pipeline._shares(corpus, 8)) == 1


def test_free_memory_is_handed_back_where_the_c_library_can(monkeypatch):
    import sys

    pipeline.release_free_memory()  # never fails, whatever the C library
    if sys.platform.startswith("linux"):
        import ctypes

        try:
            glibc = hasattr(ctypes.CDLL(None), "malloc_trim")
        except OSError:
            glibc = False
        assert bool(pipeline._malloc_trim) == glibc
    calls = []
    monkeypatch.setattr(pipeline, "_malloc_trim", lambda pad: calls.append(pad))
    pipeline.build(cache=False)
    assert calls and set(calls) == {0}  # a build trims before and after putting tables together
