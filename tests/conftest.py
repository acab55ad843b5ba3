"""Shared fixtures: the project's folders, the mini corpus, and one report build per session."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

import pytest

# Tests write only to temporary folders: the table cache of pipeline.build (and of every
# notebook kernel and command the tests start, which inherit the environment) goes to one
# folder per test session, removed at exit. xdist workers each get their own.
if "ANALYSIS_CACHE" not in os.environ:
    _CACHE = tempfile.mkdtemp(prefix="analysis-cache-")
    os.environ["ANALYSIS_CACHE"] = _CACHE
    atexit.register(shutil.rmtree, _CACHE, ignore_errors=True)

MINI_MANIFEST = Path(__file__).parent / "fixtures" / "mini_corpus" / "manifest.csv"


@pytest.fixture(scope="session")
def mini_manifest() -> Path:
    """The hand-made three-document, two-group corpus (tests/fixtures/mini_corpus)."""
    return MINI_MANIFEST


@pytest.fixture(scope="session")
def built_reports(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build every notebook in notebooks/ on the seed corpus once; return the output folder.

    Shared by the report, browser and byte-identity tests so the notebooks run once per session.
    """
    from analysis.report import build_reports

    out = tmp_path_factory.mktemp("reports-seeds")
    build_reports(out=out, force=True)
    return out


@pytest.fixture(scope="session")
def built_mini_reports(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build every notebook on the mini corpus through the command line; return the output."""
    out = tmp_path_factory.mktemp("reports-mini")
    _build_with_cli(MINI_MANIFEST, out)
    return out


def _build_with_cli(manifest: Path, out: Path) -> str:
    """Run ``python -m analysis report`` on a manifest; return what it printed on stderr."""
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "analysis", "report", "--manifest", str(manifest)]
        + ["--out", str(out)],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stderr


@pytest.fixture
def toy():
    """The hand-counted toy token and segment tables of tests/toy_tables.py (fresh copies)."""
    from toy_tables import toy_tables

    return toy_tables()


WEB_MANIFEST = Path(__file__).parent / "fixtures" / "web_corpus" / "manifest.csv"


@pytest.fixture(scope="session")
def web_manifest() -> Path:
    """The nine-statement, three-group web-copy corpus (tests/fixtures/web_corpus)."""
    return WEB_MANIFEST


@pytest.fixture(scope="session")
def built_web_reports(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """Build every notebook on the web corpus through the command line; return the output
    folder and what the build printed on stderr."""
    out = tmp_path_factory.mktemp("reports-web")
    return out, _build_with_cli(WEB_MANIFEST, out)
