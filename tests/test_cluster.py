"""Tests for analysis.cluster: the map over documents on a Dask cluster (the scale extra)."""

from __future__ import annotations

import sys

import pandas as pd
import pytest

from analysis import pipeline, synthetic
from analysis.cluster import scheduler_executor
from analysis.errors import AnalysisError


def test_no_address_means_no_cluster():
    with scheduler_executor(None) as executor:
        assert executor is None


def test_missing_dask_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)  # import fails as if not installed
    with pytest.raises(AnalysisError, match=r"tcp://somewhere:8786.*scale extra"):
        with scheduler_executor("tcp://somewhere:8786"):
            pass


def test_unreachable_scheduler_says_what_to_do():
    pytest.importorskip("distributed")
    with pytest.raises(AnalysisError, match=r"could not reach .*tcp://127.0.0.1:9.*dask scheduler"):
        with scheduler_executor("tcp://127.0.0.1:9", timeout="1s"):
            pass


@pytest.mark.slow
def test_local_cluster_builds_the_tables_of_one_process(tmp_path, capsys, monkeypatch):
    """Two Dask worker processes, reached through the scheduler's address as the CLI reaches
    them, build exactly the tables of one process; so does ``corpus --scheduler``."""
    from analysis.cli import main

    distributed = pytest.importorskip("distributed")
    manifest = synthetic.write_corpus(tmp_path / "corpus", 60, words=150)
    one = pipeline.build(manifest, cache=False)
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        with scheduler_executor(cluster.scheduler_address) as executor:
            assert executor is not None
            spread = pipeline.build(manifest, cache=False, executor=executor, jobs=4, tokens=True)
            workers = executor._client.run(lambda: 1)  # type: ignore[attr-defined]
        monkeypatch.setenv("ANALYSIS_CACHE", "off")
        assert (
            main(
                [
                    "corpus",
                    "--manifest",
                    str(manifest),
                    "--format",
                    "csv",
                    "--scheduler",
                    cluster.scheduler_address,
                ]
            )
            == 0
        )
        on_cluster = capsys.readouterr().out
    assert len(workers) == 2
    for name in ("corpus", "cleaning_log", "segments", "tokens"):
        pd.testing.assert_frame_equal(getattr(spread, name), getattr(one, name), check_exact=True)
    for name, table in spread.dtm.to_tables().items():  # the matrix, entry for entry
        pd.testing.assert_frame_equal(table, one.dtm.to_tables()[name], check_exact=True)
    assert main(["corpus", "--manifest", str(manifest), "--format", "csv", "--jobs", "1"]) == 0
    assert capsys.readouterr().out == on_cluster
    assert on_cluster.count("\n") == 61
