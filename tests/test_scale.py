"""Every report builds on a generated corpus of a few hundred statements, with bounded pages.

One build through the command line on 300 synthetic statements in three groups
(:mod:`analysis.synthetic`, about 150,000 words): every notebook finishes, no page reaches the
2 MB bound, figures are compact, cited unit lists and tables are cut with a count and a link to
the full table, and every link of a page resolves to a file of the build. The larger corpora
(500 and 2,000 statements, with time and memory targets) belong to benchmarks/bench_scale.py.
"""

from __future__ import annotations

import base64
import re
from pathlib import Path
from urllib.parse import unquote

import pytest

from analysis import synthetic
from analysis.report import list_notebooks

pytestmark = pytest.mark.slow

STATEMENTS = 300
MAX_PAGE = 2 * 1024 * 1024
MAX_FIGURE = 200 * 1024


@pytest.fixture(scope="module")
def built_large(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    from conftest import _build_with_cli

    corpus = tmp_path_factory.mktemp("large-corpus")
    manifest = synthetic.write_corpus(corpus, STATEMENTS, words=500, seed=11)
    out = tmp_path_factory.mktemp("large-reports")
    return out, _build_with_cli(manifest, out)


def test_every_notebook_finishes(built_large) -> None:
    out, log = built_large
    expected = {p.stem for p in list_notebooks()}
    pages = {p.stem for p in (out / "reports").glob("*.html")}
    assert expected <= pages, f"missing pages {expected - pages}\n{log}"
    for name in expected:
        assert f"done    {name}" in log
    assert "done    foundation tables" in log  # computed once, before the notebooks


def test_pages_and_figures_are_bounded(built_large) -> None:
    out, _ = built_large
    for page in (out / "reports").glob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert page.stat().st_size < MAX_PAGE, f"{page.name}: {page.stat().st_size:,} bytes"
        for data in re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', html):
            assert len(base64.b64decode(data)) < MAX_FIGURE, page.name
        # no sentence cites hundreds of units: a long list ends with "and N more"
        for run in re.findall(r"(?:<code>[^<]+</code>, ){12,}", html):
            pytest.fail(f"{page.name}: an uncut list of units: {run[:200]}")


def test_figures_have_text_alternatives(built_large) -> None:
    out, _ = built_large
    for page in (out / "reports").glob("*.html"):
        html = page.read_text(encoding="utf-8")
        for tag in re.findall(r"<img [^>]*>", html):
            alt = re.search(r'alt="([^"]*)"', tag)
            assert alt and alt.group(1).strip(), f"{page.name}: image without alt text"


def test_long_tables_say_how_many_rows_and_link_the_full_table(built_large) -> None:
    out, _ = built_large
    html = (out / "reports" / "02-keyness-and-tfidf.html").read_text(encoding="utf-8")
    cut = re.findall(r"The first (\d+) of ([\d,]+) rows; <a href=\"([^\"]+)\"", html)
    assert cut, "no long table says it is cut"
    for shown, total, _ in cut:
        assert int(shown) < int(total.replace(",", ""))


def test_every_local_link_resolves_to_a_file_of_the_build(built_large) -> None:
    out, _ = built_large
    reports = out / "reports"
    checked = 0
    for page in reports.glob("*.html"):
        html = page.read_text(encoding="utf-8")
        for href in re.findall(r'href="([^"#][^"]*)"', html):
            if href.startswith(("http:", "https:", "mailto:")):
                continue
            target = (reports / unquote(href.split("#")[0])).resolve()
            assert target.is_file(), f"{page.name}: {href} does not resolve"
            assert out.resolve() in target.parents
            checked += 1
    assert checked > 20


def test_similarity_is_kept_sparse_above_the_bound(built_large) -> None:
    """300 statements give more paragraph pairs than the full-matrix bound: the results hold
    the closest counterparts, top pairs and the document matrix, not the paragraph matrix."""
    out, _ = built_large
    folder = out / "results" / "02-keyness-and-tfidf"
    assert list(folder.glob("similar-pairs-*.csv"))
    assert list(folder.glob("document-similarity-*.csv"))
    assert not list(folder.glob("paragraph-similarity-*.csv"))
