"""Tests for analysis.report and ``python -m analysis report``: build, cache, safety, identity."""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlparse

import nbformat
import pandas as pd
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from analysis import paths, report
from analysis.errors import ReportError

# ----------------------------------------------------------------------------------------------
# Helpers
# ----------------------------------------------------------------------------------------------


def _notebook(*cells: nbformat.NotebookNode) -> nbformat.NotebookNode:
    nb = new_notebook(
        cells=list(cells),
        metadata={
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
        },
    )
    for i, cell in enumerate(nb.cells):
        cell.id = f"cell-{i}"
    return nb


def _parameters_cell() -> nbformat.NotebookNode:
    return new_code_cell(
        "manifest = None\nresults_dir = None\ngroups = None\ncoding_files = None",
        metadata={"tags": ["parameters"]},
    )


def _write_tiny_notebooks(folder: Path) -> Path:
    """Two quick notebooks that use the parameters and save a table (no corpus processing)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, title in [("00-alpha", "Alpha report"), ("01-beta", "Beta report")]:
        nb = _notebook(
            new_markdown_cell(f"# {title}\n\nWhat {name} shows, in one paragraph."),
            _parameters_cell(),
            new_code_cell(
                "import pandas as pd\nfrom analysis import report\n"
                "table = pd.DataFrame({'x': [1.5, 2.25], 'manifest': [str(manifest)] * 2})\n"
                "report.save_table(table, 'numbers', results_dir=results_dir)\ntable"
            ),
        )
        nbformat.write(nb, folder / f"{name}.ipynb")
    return folder


class _Collector(HTMLParser):
    """Collect tags with their attributes and the text of an HTML page."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def _tags(page: Path) -> list[tuple[str, dict[str, str | None]]]:
    collector = _Collector()
    collector.feed(page.read_text(encoding="utf-8"))
    return collector.tags


def _files(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


# ----------------------------------------------------------------------------------------------
# Parameters, sanitising, saving: fast unit tests
# ----------------------------------------------------------------------------------------------


def test_inject_parameters_adds_a_cell_after_the_parameters_cell() -> None:
    nb = _notebook(new_markdown_cell("# T"), _parameters_cell(), new_code_cell("x = 1"))
    out = report.inject_parameters(nb, {"results_dir": "results/00-t", "groups": ["a", "b"]})
    assert [c.id for c in out.cells] == ["cell-0", "cell-1", "injected-parameters", "cell-2"]
    injected = out.cells[2]
    assert injected.metadata["tags"] == ["injected-parameters"]
    namespace: dict[str, object] = {}
    exec(injected.source, namespace)  # noqa: S102 - the literal source we just generated
    assert namespace["results_dir"] == "results/00-t" and namespace["groups"] == ["a", "b"]
    assert len(nb.cells) == 3, "the input notebook must not be modified"
    again = report.inject_parameters(out, {"groups": None})
    assert sum(c.id == "injected-parameters" for c in again.cells) == 1
    assert "groups = None" in again.cells[2].source


def test_inject_parameters_without_a_tagged_cell_goes_first() -> None:
    nb = _notebook(new_code_cell("x = 1"))
    assert report.inject_parameters(nb, {"a": 1}).cells[0].id == "injected-parameters"


@pytest.mark.parametrize("value", [{"a": 1}, object(), {1, 2}])
def test_inject_parameters_rejects_non_literals(value: object) -> None:
    with pytest.raises(ReportError, match="not a literal"):
        report.inject_parameters(_notebook(_parameters_cell()), {"groups": value})


@pytest.mark.parametrize(
    ("fragment", "absent", "present"),
    [
        ("<p>hi<script>alert(1)</script></p>", ["<script", "alert(1)"], ["<p>hi</p>"]),
        ('<img src="x" onerror="alert(1)">', ["onerror"], ["<img"]),
        ('<a href="javascript:alert(1)">x</a>', ["javascript:"], [">x</a>"]),
        ('<a href="data:text/html,<b>x</b>">y</a>', ["data:text"], [">y</a>"]),
        ("<iframe src='https://example.org'></iframe>", ["<iframe"], ["&lt;iframe"]),
        ("<style>body{display:none}</style><h1 id='t'>T</h1>", ["<style", "display:none"], ["<h1"]),
        ('<div style="position:fixed;color:red">x</div>', ["position"], ["color:red"]),
        ("<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>", ["<script"], ["&lt;script&gt;"]),
    ],
)
def test_sanitize_html_removes_active_content(
    fragment: str, absent: list[str], present: list[str]
) -> None:
    cleaned = report.sanitize_html(fragment)
    for text in absent:
        assert text not in cleaned
    for text in present:
        assert text in cleaned


def test_sanitize_html_keeps_dataframes_headings_and_inline_images() -> None:
    frame = pd.DataFrame({"term": ["<b>victims</b>"], "n": [3]}).set_index("term")
    png = "data:image/png;base64,iVBORw0KGgo="
    fragment = f"<h2 id='x'>Head</h2><p>para</p>{frame.to_html()}<img src='{png}' alt='fig'>"
    cleaned = report.sanitize_html(fragment)
    for tag in ("<h2", "<p>", "<table", "<thead>", "<th>", "<td>", f'src="{png}"'):
        assert tag in cleaned
    assert "&lt;b&gt;victims&lt;/b&gt;" in cleaned and "<b>victims" not in cleaned


def test_save_table_writes_reproducible_csv(tmp_path: Path) -> None:
    table = pd.DataFrame({"term": ["a", "b"], "ratio": [1 / 3, 2.0], "n": [1, 2]})
    path = report.save_table(table, "ratios", results_dir=tmp_path)
    assert path == tmp_path / "ratios.csv"
    assert path.read_bytes() == b"term,ratio,n\na,0.3333333333,1\nb,2,2\n"
    named = report.save_table(table.set_index("term"), "indexed", results_dir=tmp_path)
    assert named.read_text(encoding="utf-8").splitlines()[0] == "term,ratio,n"


@pytest.mark.parametrize("name", ["../escape", "a/b", "", "table.csv", "-x", "a b"])
def test_save_table_rejects_unsafe_names(tmp_path: Path, name: str) -> None:
    with pytest.raises(ReportError, match="output name"):
        report.save_table(pd.DataFrame({"a": [1]}), name, results_dir=tmp_path)


def test_save_figure_is_byte_reproducible(tmp_path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    ax.plot([0, 1, 2], [2, 0, 1], label="line")
    ax.legend()
    png1, svg1 = report.save_figure(fig, "fig", results_dir=tmp_path / "one")
    png2, svg2 = report.save_figure(fig, "fig", results_dir=tmp_path / "two")
    plt.close(fig)
    assert png1.read_bytes() == png2.read_bytes() and svg1.read_bytes() == svg2.read_bytes()
    assert png1.read_bytes().startswith(b"\x89PNG") and b"Software" not in png1.read_bytes()
    svg = svg1.read_text(encoding="utf-8")
    assert svg.lstrip().startswith("<?xml") and "<dc:date>" not in svg


def test_groups_to_compare() -> None:
    corpus = pd.DataFrame({"actor_type": ["ngo", "gov", "ngo"]})
    assert report.groups_to_compare(corpus) == ["ngo", "gov"]
    assert report.groups_to_compare(corpus, ["gov", "ngo"]) == ["gov", "ngo"]
    with pytest.raises(ReportError, match="'press' not found"):
        report.groups_to_compare(corpus, ["press"])


def test_list_notebooks_sorted_and_filtered(tmp_path: Path) -> None:
    for name in ["10-b.ipynb", "02-a.ipynb", "scratch.ipynb", "00-z.ipynb", "01-x.txt"]:
        (tmp_path / name).write_text("{}", encoding="utf-8")
    assert [p.name for p in report.list_notebooks(tmp_path)] == [
        "00-z.ipynb",
        "02-a.ipynb",
        "10-b.ipynb",
    ]
    with pytest.raises(ReportError, match="does not exist"):
        report.list_notebooks(tmp_path / "missing")


def test_notebook_summary(tmp_path: Path) -> None:
    nb = _notebook(
        new_markdown_cell("# The **corpus**\n\nWhat the [statements](x.html) are.\nSecond line."),
        new_markdown_cell("More."),
    )
    nbformat.write(nb, tmp_path / "00-x.ipynb")
    assert report.notebook_summary(tmp_path / "00-x.ipynb") == (
        "The corpus",
        "What the statements are. Second line.",
    )


def test_strip_volatile_drops_timings_and_widgets() -> None:
    cell = new_code_cell("w")
    cell.metadata["execution"] = {"iopub.status.busy": "2024-01-01T00:00:00Z"}
    cell.outputs = [
        nbformat.v4.new_output(
            "display_data",
            data={
                "application/vnd.jupyter.widget-view+json": {"model_id": "abc"},
                "text/plain": "W",
            },
        ),
        nbformat.v4.new_output("display_data", data={"application/javascript": "alert(1)"}),
    ]
    nb = _notebook(cell)
    nb.metadata["widgets"] = {"state": {}}
    out = report.strip_volatile(nb)
    assert "widgets" not in out.metadata and "execution" not in out.cells[0].metadata
    assert [o["data"] for o in out.cells[0].outputs] == [{"text/plain": "W"}]
    assert "execution" in nb.cells[0].metadata, "the input notebook must not be modified"


# ----------------------------------------------------------------------------------------------
# Building tiny notebooks: failures, skipping, --force, --only
# ----------------------------------------------------------------------------------------------


@pytest.fixture
def frozen_package(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Pin the package-source hash, so colleagues saving modules mid-test do not force rebuilds.

    Returns a one-item list; changing its value changes the hash the next build sees.
    """
    digest = ["package-v1"]
    monkeypatch.setattr(report.inputs, "package_digest", lambda: digest[0])
    return digest


NO_CODING = report.ReportParameters(coding_files=())


@pytest.mark.slow
def test_failing_cell_names_notebook_cell_and_exception(tmp_path: Path) -> None:
    folder = _write_tiny_notebooks(tmp_path / "nbs")
    bad = _notebook(
        new_markdown_cell("# Broken"),
        _parameters_cell(),
        new_code_cell("x = 1"),
        new_code_cell("values = [1, 2]\nvalues[5]"),
        new_code_cell("never = True"),
    )
    nbformat.write(bad, folder / "02-broken.ipynb")
    out = tmp_path / "out"
    with pytest.raises(ReportError) as caught:
        report.build_reports(notebooks_dir=folder, out=out, jobs=2)
    message = str(caught.value)
    assert "notebook 02-broken" in message
    assert "cell 3 ('values = [1, 2]')" in message
    assert "IndexError: list index out of range" in message
    # The good notebooks are still built and indexed; the broken one has no page.
    assert (out / "reports" / "00-alpha.html").is_file()
    assert not (out / "reports" / "02-broken.html").exists()
    assert "02-broken" not in report.read_stamp(out)["notebooks"]

    # A notebook that worked before and fails now leaves its previous page and tables alone.
    fixed = _notebook(new_markdown_cell("# Fixed"), _parameters_cell(), new_code_cell("x = 1"))
    nbformat.write(fixed, folder / "02-broken.ipynb")
    report.build_reports(notebooks_dir=folder, out=out, jobs=2, only=["02-broken"])
    page = (out / "reports" / "02-broken.html").read_bytes()
    (out / "results" / "02-broken" / "kept.csv").write_text("a\n1\n", encoding="utf-8")
    entry = report.read_stamp(out)["notebooks"]["02-broken"]
    nbformat.write(bad, folder / "02-broken.ipynb")
    with pytest.raises(ReportError, match="notebook 02-broken"):
        report.build_reports(notebooks_dir=folder, out=out, jobs=2, only=["02-broken"])
    assert (out / "reports" / "02-broken.html").read_bytes() == page
    assert (out / "results" / "02-broken" / "kept.csv").read_text(encoding="utf-8") == "a\n1\n"
    assert report.read_stamp(out)["notebooks"]["02-broken"] == entry
    assert not list((out / "results").glob(".*previous"))

    done = subprocess.run(
        [sys.executable, "-m", "analysis", "report", "--notebooks", str(folder)]
        + ["--out", str(tmp_path / "cli"), "--only", "02-broken"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 1
    # progress lines (the foundation tables first, built once for every notebook), then the
    # one-line error
    lines = [line for line in done.stderr.splitlines() if "foundation tables" not in line]
    assert lines[0] == "  started 02-broken", done.stderr
    assert lines[1].startswith("  failed  02-broken ("), done.stderr
    assert (
        done.stderr.splitlines()[-1].startswith("error: notebook 02-broken: cell 3")
        and "Traceback" not in done.stderr
    )


@pytest.mark.slow
def test_skip_unchanged_force_and_only(
    tmp_path: Path, mini_manifest: Path, frozen_package: list[str]
) -> None:
    folder = _write_tiny_notebooks(tmp_path / "nbs")
    out = tmp_path / "out"

    def build(**options: object) -> report.BuildResult:
        options.setdefault("parameters", NO_CODING)
        return report.build_reports(notebooks_dir=folder, out=out, **options)  # type: ignore[arg-type]

    first = build(jobs=2)
    assert first.built == ["00-alpha", "01-beta"] and first.skipped == []
    assert (
        (out / "results" / "00-alpha" / "numbers.csv").read_bytes().startswith(b"x,manifest\n1.5,")
    )
    pages = _files(out / "reports")

    second = build()
    assert second.built == [] and second.skipped == ["00-alpha", "01-beta"]
    assert _files(out / "reports") == pages

    # Editing one notebook rebuilds that one only; the progress says which ran and which not.
    nb = nbformat.read(folder / "01-beta.ipynb", as_version=4)
    nb.cells.append(new_code_cell("y = 2"))
    nbformat.write(nb, folder / "01-beta.ipynb")
    events: list[tuple[str, str]] = []
    third = build(progress=lambda name, event, seconds: events.append((name, event)))
    assert third.built == ["01-beta"] and third.skipped == ["00-alpha"]
    assert events[0] == ("00-alpha", "skipped")
    assert ("01-beta", "started") in events and events[-1] == ("01-beta", "done")

    # A missing output means a rebuild; --only restricts; --force rebuilds even when unchanged.
    (out / "results" / "00-alpha" / "numbers.csv").unlink()
    assert build(only=["00"]).built == ["00-alpha"]
    forced = build(force=True, only=["01-beta"])
    assert forced.built == ["01-beta"] and forced.skipped == []
    with pytest.raises(ReportError, match="no notebook called '07'"):
        build(only=["07"])

    # Another manifest (another corpus) is another input: everything rebuilds.
    mini = report.ReportParameters(manifest=str(mini_manifest), coding_files=())
    assert build(parameters=mini).built == ["00-alpha", "01-beta"]
    assert build(parameters=mini).built == []
    # So is the package source (its code and data files).
    frozen_package[0] = "package-v2"
    assert build(parameters=mini).built == ["00-alpha", "01-beta"]


@pytest.mark.slow
def test_changed_document_triggers_rebuild(
    tmp_path: Path, mini_manifest: Path, frozen_package: list[str]
) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(mini_manifest.parent, corpus)
    manifest = corpus / "manifest.csv"
    folder = _write_tiny_notebooks(tmp_path / "nbs")
    params = report.ReportParameters(manifest=str(manifest), coding_files=())
    out = tmp_path / "out"
    report.build_reports(notebooks_dir=folder, out=out, parameters=params, only=["00"])
    assert report.build_reports(
        notebooks_dir=folder, out=out, parameters=params, only=["00"]
    ).skipped == ["00-alpha"]
    doc = corpus / "gov-c-2022.txt"
    doc.write_text(doc.read_text(encoding="utf-8") + "\nAdded.\n", encoding="utf-8")
    frame = pd.read_csv(manifest, dtype=str, keep_default_na=False)
    frame.loc[frame["doc_id"] == "gov-c-2022", "sha256"] = hashlib.sha256(
        doc.read_bytes()
    ).hexdigest()
    frame.to_csv(manifest, index=False, lineterminator="\n")
    rebuilt = report.build_reports(notebooks_dir=folder, out=out, parameters=params, only=["00"])
    assert rebuilt.built == ["00-alpha"]


def test_missing_manifest_is_a_clear_error(tmp_path: Path) -> None:
    folder = _write_tiny_notebooks(tmp_path / "nbs")
    done = subprocess.run(
        [sys.executable, "-m", "analysis", "report", "--notebooks", str(folder)]
        + ["--out", str(tmp_path / "o"), "--manifest", str(tmp_path / "nope.csv")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1
    assert done.stderr.startswith("error: manifest") and "nope.csv" in done.stderr
    assert "Traceback" not in done.stderr


# ----------------------------------------------------------------------------------------------
# The real notebooks on the seeds and on the mini corpus
# ----------------------------------------------------------------------------------------------


def test_committed_notebooks_have_no_outputs_and_a_parameters_cell() -> None:
    notebooks = report.list_notebooks()
    assert notebooks, "notebooks/ holds no NN-name.ipynb"
    for path in notebooks:
        nb = nbformat.read(path, as_version=4)
        nbformat.validate(nb)
        code = [c for c in nb.cells if c.cell_type == "code"]
        assert all(not c.outputs and c.execution_count is None for c in code), path.name
        tagged = [c for c in code if "parameters" in c.metadata.get("tags", [])]
        assert len(tagged) == 1, f"{path.name} needs exactly one cell tagged 'parameters'"
        for name in ("manifest", "results_dir", "groups", "coding_files"):
            assert re.search(rf"^{name} = None\b", tagged[0].source, re.M), (path.name, name)
        # one significance level, defined in the parameters cell and set by the build
        assert re.search(rf"^alpha = {report.ALPHA}\b", tagged[0].source, re.M), path.name
        body = "\n".join(c.source for c in code if c is not tagged[0])
        assert not re.search(r"\b0\.05\b", body), f"{path.name}: use alpha, not 0.05"
        source = "\n".join(c.source for c in code)
        assert not re.search(r"^\s*(def|class) |pip install|sys\.path|\.\./", source, re.M), (
            path.name
        )


def _report_pages(out: Path) -> list[Path]:
    return sorted((out / "reports").glob("*.html"))


@pytest.mark.slow
def test_every_notebook_builds_without_errors_or_stderr(built_reports: Path) -> None:
    names = [p.stem for p in report.list_notebooks()]
    assert sorted(p.stem for p in _report_pages(built_reports)) == sorted(names + ["index"])
    for page in _report_pages(built_reports):
        text = page.read_text(encoding="utf-8")
        assert 'data-mime-type="application/vnd.jupyter.stderr"' not in text, page.name
        assert "Traceback (most recent call last)" not in text, page.name


@pytest.mark.slow
@pytest.mark.parametrize("fixture", ["built_reports", "built_mini_reports"])
def test_reports_have_no_scripts_and_all_links_resolve(
    fixture: str, request: pytest.FixtureRequest
) -> None:
    out: Path = request.getfixturevalue(fixture)
    for page in _report_pages(out):
        tags = _tags(page)
        assert not [t for t in tags if t[0] == "script"], f"{page.name} holds a <script>"
        ids = {a["id"] for _, a in tags if a.get("id")}
        for tag, attrs in tags:
            target = attrs.get("href") if tag == "a" else attrs.get("src") if tag == "img" else None
            if not target or target.startswith(("http://", "https://", "mailto:")):
                continue
            if target.startswith("data:"):
                header, _, payload = target.partition(",")
                assert header.startswith("data:image/") and base64.b64decode(payload), page.name
                continue
            parsed = urlparse(target)
            if parsed.path:
                resolved = (page.parent / unquote(parsed.path)).resolve()
                assert resolved.is_file(), f"{page.name}: broken link {target}"
                assert out.resolve() in resolved.parents, (
                    f"{page.name}: link leaves the build {target}"
                )
            elif parsed.fragment:
                # As browsers resolve it (HTML: the fragment as written, then percent-decoded).
                found = parsed.fragment in ids or unquote(parsed.fragment) in ids
                assert found, f"{page.name}: no anchor {target}"


@pytest.mark.slow
def test_index_summarises_reports_with_provenance(built_reports: Path) -> None:
    index = (built_reports / "reports" / "index.html").read_text(encoding="utf-8")
    for path in report.list_notebooks():
        heading, paragraph = report.notebook_summary(path)
        assert f'href="{path.stem}.html"' in index
        assert html.escape(heading) in index and html.escape(paragraph) in index
    for _, row in pd.read_csv(paths.MANIFEST, dtype=str).iterrows():
        assert row["doc_id"] in index and row["sha256"] in index
    commit = report.git_commit()
    if commit:
        assert commit in index
    # (Not compared with package_digest() now: colleagues may have saved a module since the build.)
    assert re.search(r"package source sha256</th><td><code>[0-9a-f]{64}</code>", index)
    assert f"<code>{sys.version.split()[0]}</code>" in index
    assert not re.search(r"\b20\d\d-\d\d-\d\dT\d\d:", index), "the index must carry no timestamp"
    figures = sorted((built_reports / "results").rglob("*.png"))
    assert figures, "the notebooks should save at least one figure"
    for png in figures:
        assert png.with_suffix(".svg").is_file()
        assert f'href="../{png.relative_to(built_reports).as_posix()}"' in index


@pytest.mark.slow
def test_rebuild_is_byte_identical(built_reports: Path, tmp_path: Path) -> None:
    second = tmp_path / "second"
    report.build_reports(out=second, force=True)
    first_files, second_files = _files(built_reports), _files(second)
    assert sorted(first_files) == sorted(second_files)
    differing = [name for name in first_files if first_files[name] != second_files[name]]
    assert differing == []
    assert any(n.endswith(".svg") for n in first_files) and any(
        n.endswith(".csv") for n in first_files
    )


@pytest.mark.slow
def test_mini_corpus_build_escapes_corpus_text(
    built_mini_reports: Path, mini_manifest: Path
) -> None:
    page = (built_mini_reports / "reports" / "00-corpus.html").read_text(encoding="utf-8")
    assert "Listen to survivors &lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script" not in page.lower()
    for doc_id in ("ngo-a-2021", "ngo-b-2023", "gov-c-2022"):
        assert doc_id in page
    index = (built_mini_reports / "reports" / "index.html").read_text(encoding="utf-8")
    assert "ngo-b-2023" in index and "gov-2024" not in index
    stamp = json.loads((built_mini_reports / "reports" / "build-stamp.json").read_text())
    assert set(stamp["notebooks"]) == {p.stem for p in report.list_notebooks()}
    units = pd.read_csv(built_mini_reports / "results" / "00-corpus" / "units.csv", dtype=str)
    assert set(units["doc_id"]) == {"ngo-a-2021", "ngo-b-2023", "gov-c-2022"}


def test_quote_text_neutralises_html_and_markdown():
    from IPython.display import Markdown

    from analysis.report import quote_text, sanitize_html

    quoted = quote_text("<script>alert(1)</script> *em* [link](http://x) 4.ii")
    assert "<script>" not in quoted and "&lt;script&gt;" in quoted
    assert "\\*em\\*" in quoted and "\\[link\\]\\(http://x\\)" in quoted
    html_out = sanitize_html(Markdown(quoted)._repr_markdown_())
    assert "<script" not in html_out


@pytest.mark.slow
@pytest.mark.skipif(sys.flags.hash_randomization != 0, reason="needs PYTHONHASHSEED=0 (make test)")
def test_inprocess_and_subprocess_kernels_give_identical_reports(
    tmp_path: Path,
) -> None:
    fast, slow = tmp_path / "inprocess", tmp_path / "subprocess"
    report.build_reports(out=fast, force=True, engine="inprocess", only=["00-corpus"])
    report.build_reports(out=slow, force=True, engine="subprocess", only=["00-corpus"])
    fast_files, slow_files = _files(fast), _files(slow)
    assert sorted(fast_files) == sorted(slow_files)
    assert [n for n in fast_files if fast_files[n] != slow_files[n]] == []


@pytest.mark.slow
@pytest.mark.skipif(sys.flags.hash_randomization != 0, reason="needs PYTHONHASHSEED=0 (make test)")
def test_inprocess_kernels_are_fresh_per_notebook(tmp_path: Path) -> None:
    folder = tmp_path / "nbs"
    folder.mkdir()
    for name in ("00-first", "01-second"):
        nb = _notebook(
            new_markdown_cell(f"# {name}"),
            _parameters_cell(),
            # A fresh kernel in a fresh process: no variable, history or module state left by
            # the other notebook.
            new_code_cell(
                "import analysis\n"
                "assert 'leftover' not in globals() and len(In) == 4, (list(globals()), In)\n"
                "assert not hasattr(analysis, 'touched_by_a_notebook')\n"
                "analysis.touched_by_a_notebook = leftover = True"
            ),
        )
        nbformat.write(nb, folder / f"{name}.ipynb")
    result = report.build_reports(
        notebooks_dir=folder, out=tmp_path / "out", jobs=1, engine="inprocess"
    )
    assert [r.status for r in result.notebooks] == ["built", "built"]


@pytest.mark.slow
@pytest.mark.skipif(sys.flags.hash_randomization != 0, reason="needs PYTHONHASHSEED=0 (make test)")
def test_inprocess_build_works_when_the_parent_has_an_ipython_shell(tmp_path: Path) -> None:
    from IPython.core.interactiveshell import InteractiveShell

    created = not InteractiveShell.initialized()
    InteractiveShell.instance()  # as inside a notebook or after a test that used IPython
    try:
        folder = _write_tiny_notebooks(tmp_path / "nbs")
        result = report.build_reports(
            notebooks_dir=folder, out=tmp_path / "out", jobs=2, engine="inprocess"
        )
        assert result.built == ["00-alpha", "01-beta"]
    finally:
        if created:
            InteractiveShell.clear_instance()


def test_package_digest_covers_every_module_of_every_subpackage() -> None:
    """A change to any module (report.build, coding.sheets, tokenise ...) or data file
    changes the package digest, so it rebuilds every report."""
    import pkgutil

    import analysis

    root = paths.ROOT / "src" / "analysis"
    hashed = {p.relative_to(root).as_posix() for p in report.inputs._package_files()}
    for found in pkgutil.walk_packages(analysis.__path__, "analysis."):
        module = found.name.split(".", 1)[1].replace(".", "/")
        assert (f"{module}/__init__.py" if found.ispkg else f"{module}.py") in hashed, found.name
    assert "data/codebook.toml" in hashed and "report/build.py" in hashed


def test_input_hashes_do_not_depend_on_where_the_clone_lives() -> None:
    inputs = report.gather_inputs(report.ReportParameters().resolved())
    assert "coding/reference.csv" in inputs.coding_hashes
    assert not any(key.startswith("/") for key in inputs.coding_hashes)


# ----------------------------------------------------------------------------------------------
# The side-by-side findings table (notebook 05)
# ----------------------------------------------------------------------------------------------


def _side_inputs() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Hand-made description, function-word rates, key terms and coded profile of ngo and gov."""
    description = pd.DataFrame(
        {
            "doc_id": ["a", "b", "c"],
            "actor_type": ["ngo", "gov", "ngo"],
            "tokens": [100, 250, 60],
            "types": [70, 120, 50],
        }
    )
    rates = pd.DataFrame(
        {
            "actor_type": ["ngo", "ngo", "ngo", "ngo", "gov", "gov", "gov", "gov"],
            "function_class": ["pronoun", "modal", "modal", "pronoun"] * 2,
            "function_subclass": ["first_plural", "obligation", "commitment", "second"] * 2,
            "per_1k": [12.3456, 6.25, 0.0, 99.0, 1.004, 0.0, 4.1, 99.0],
        }
    )
    key_terms = pd.DataFrame(
        {
            "term": ["victims", "detention", "survivors", "shelter", "cooperation", "asean"],
            "key_in": ["ngo", "ngo", "ngo", "ngo", "gov", "gov"],
            "log_ratio": [3.0, 2.5, 2.0, 1.5, -2.0, -1.0],
            "target": ["ngo"] * 6,
            "reference": ["gov"] * 6,
        }
    )
    coding_profile = pd.DataFrame(
        {
            "actor_type": ["gov", "ngo"],
            "n_units": [13, 10],
            "top_frame": ["cooperation_partnership", "accountability"],
            "share_critical": [0.0, 0.5],
            "share_supportive": [12 / 13, 0.2],
        }
    )
    return description, rates, key_terms, coding_profile


def _index(groups: list[str]) -> pd.Index:
    return pd.Index(groups, name="actor_type")


def test_findings_side_by_side_two_groups_with_coding() -> None:
    description, rates, key_terms, coding_profile = _side_inputs()
    given = [t.copy() for t in (description, rates, key_terms, coding_profile)]
    side = report.findings_side_by_side(
        ["ngo", "gov"],
        description,
        rates=rates,
        key_terms=key_terms,
        coding_profile=coding_profile,
    )
    expected = pd.DataFrame(
        {
            "documents": [2, 1],
            "tokens": [160, 250],
            "first_plural_per_1k": [12.35, 1.0],
            "obligation_per_1k": [6.25, 0.0],
            "commitment_per_1k": [0.0, 4.1],
            "top_key_terms": ["victims, detention, survivors", "cooperation, asean"],
            "top_frame": ["accountability", "cooperation_partnership"],
            "share_critical": [0.5, 0.0],
            "share_supportive": [0.2, 0.923],
        },
        index=_index(["ngo", "gov"]),
    )
    pd.testing.assert_frame_equal(side, expected)
    for before, after in zip(given, (description, rates, key_terms, coding_profile), strict=True):
        pd.testing.assert_frame_equal(before, after)


def test_findings_side_by_side_rows_follow_groups_and_n_terms() -> None:
    description, rates, key_terms, _ = _side_inputs()
    side = report.findings_side_by_side(
        ["gov", "ngo"], description, rates=rates, key_terms=key_terms, n_terms=1
    )
    assert list(side.index) == ["gov", "ngo"]
    assert list(side.columns) == [
        "documents",
        "tokens",
        "first_plural_per_1k",
        "obligation_per_1k",
        "commitment_per_1k",
        "top_key_terms",
    ]
    assert side["top_key_terms"].tolist() == ["cooperation", "victims"]


def test_findings_side_by_side_gaps_are_missing_values() -> None:
    description, rates, key_terms, coding_profile = _side_inputs()
    # gov: no rates, no key terms, no coded units; "un" has no document at all
    side = report.findings_side_by_side(
        ["ngo", "gov", "un"],
        description,
        rates=rates[rates["actor_type"] != "gov"],
        key_terms=key_terms[key_terms["key_in"] != "gov"],
        coding_profile=coding_profile[coding_profile["actor_type"] != "gov"],
    )
    assert side["documents"].tolist() == [2, 1, 0]
    assert side["tokens"].tolist() == [160, 250, 0]
    assert side.loc["ngo", "top_key_terms"] == "victims, detention, survivors"
    assert side.loc[["gov", "un"], "top_key_terms"].isna().all()
    assert side.loc[["gov", "un"], "first_plural_per_1k"].isna().all()
    assert side.loc[["gov", "un"], "top_frame"].isna().all()
    assert side.loc["ngo", "top_frame"] == "accountability"


@pytest.mark.parametrize("which", ["empty table", "no rows", "only the pooled rest"])
def test_findings_side_by_side_without_key_terms_has_no_key_terms_column(which: str) -> None:
    description, rates, key_terms, _ = _side_inputs()
    no_terms = {
        "empty table": pd.DataFrame(),
        "no rows": key_terms.iloc[0:0],
        "only the pooled rest": key_terms.assign(key_in="rest"),
    }[which]
    side = report.findings_side_by_side(
        ["ngo", "gov"], description, rates=rates, key_terms=no_terms
    )
    expected = pd.DataFrame(
        {
            "documents": [2, 1],
            "tokens": [160, 250],
            "first_plural_per_1k": [12.35, 1.0],
            "obligation_per_1k": [6.25, 0.0],
            "commitment_per_1k": [0.0, 4.1],
        },
        index=_index(["ngo", "gov"]),
    )
    pd.testing.assert_frame_equal(side, expected)


def test_findings_side_by_side_one_group() -> None:
    description, rates, _, coding_profile = _side_inputs()
    side = report.findings_side_by_side(
        ["gov"],
        description,
        rates=rates,
        key_terms=pd.DataFrame(),
        coding_profile=coding_profile,
    )
    expected = pd.DataFrame(
        {
            "documents": [1],
            "tokens": [250],
            "first_plural_per_1k": [1.0],
            "obligation_per_1k": [0.0],
            "commitment_per_1k": [4.1],
            "top_frame": ["cooperation_partnership"],
            "share_critical": [0.0],
            "share_supportive": [0.923],
        },
        index=_index(["gov"]),
    )
    pd.testing.assert_frame_equal(side, expected)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"n_terms": 0}, "n_terms=0"),
        ({"rates": "no per_1k"}, "rates lacks column.*'per_1k'"),
        ({"rates": "twice"}, "several rows for one group"),
        ({"key_terms": "no key_in"}, "key_terms lacks column.*'key_in'"),
        ({"coding_profile": "no top_frame"}, "coding_profile lacks column.*'top_frame'"),
    ],
)
def test_findings_side_by_side_rejects_unusable_tables(
    change: dict[str, object], message: str
) -> None:
    description, rates, key_terms, coding_profile = _side_inputs()
    options: dict[str, object] = {
        "rates": rates,
        "key_terms": key_terms,
        "coding_profile": coding_profile,
        "n_terms": 3,
    }
    broken = {
        "no per_1k": rates.drop(columns="per_1k"),
        "twice": pd.concat([rates, rates]),
        "no key_in": key_terms.drop(columns="key_in"),
        "no top_frame": coding_profile.drop(columns="top_frame"),
    }
    options.update({k: broken.get(v, v) if isinstance(v, str) else v for k, v in change.items()})
    with pytest.raises(ReportError, match=message):
        report.findings_side_by_side(["ngo", "gov"], description, **options)


def _executed_tiny_page(code: str) -> str:
    nb = _notebook(
        new_markdown_cell("# Heading\n\nThe narrative."),
        new_code_cell("secret_marker = 40 + 2\nsecret_marker"),
    )
    nb.cells[1].execution_count = 1
    nb.cells[1].outputs = [
        nbformat.v4.new_output("execute_result", {"text/plain": "42"}, execution_count=1)
    ]
    return report.export_html(nb, title="tiny", code=code)  # type: ignore[arg-type]


def test_code_is_folded_hidden_or_shown() -> None:
    """fold: each code cell in a closed <details> (no JavaScript needed); hide: no code at
    all; show: the code in full. The narrative and the outputs are on the page in all three."""
    folded, hidden, shown = (_executed_tiny_page(c) for c in ("fold", "hide", "show"))
    for page in (folded, hidden, shown):
        assert "The narrative." in page and "42" in page
    assert re.search(
        r'<details class="code-fold"><summary>Code</summary>.*?secret_marker', folded, re.S
    )
    assert "<details open" not in folded
    assert "secret_marker" not in hidden and "<details" not in hidden
    assert "secret_marker" in shown and "<details" not in shown
    with pytest.raises(ReportError, match="choose one of"):
        report.export_html(_notebook(), title="x", code="collapse")  # type: ignore[arg-type]


def test_changing_the_code_mode_rebuilds_the_pages(
    tmp_path: Path, frozen_package: list[str]
) -> None:
    folder = _write_tiny_notebooks(tmp_path / "nbs")
    out = tmp_path / "out"
    first = report.build_reports(notebooks_dir=folder, out=out, parameters=NO_CODING)
    assert '<details class="code-fold">' in (out / "reports" / "00-alpha.html").read_text(
        encoding="utf-8"
    )
    again = report.build_reports(notebooks_dir=folder, out=out, parameters=NO_CODING)
    assert again.skipped == first.built
    hidden = report.build_reports(notebooks_dir=folder, out=out, parameters=NO_CODING, code="hide")
    assert hidden.built == first.built
    page = (out / "reports" / "00-alpha.html").read_text(encoding="utf-8")
    assert "<details" not in page and "save_table" not in page


def test_pages_get_a_table_of_contents() -> None:
    nb = _notebook(
        new_markdown_cell("# Title\n\nWhat this page answers."),
        new_markdown_cell("## First section\n\ntext"),
        new_code_cell("1 + 1"),
        new_markdown_cell("## Second & last\n\ntext"),
    )
    page = report.export_html(nb, title="toc")
    nav = re.search(r'<nav class="toc"[^>]*>.*?</nav>', page, re.S)
    assert nav is not None
    links = re.findall(r'<a href="#([^"]+)">([^<]*)</a>', nav.group(0))
    assert [text for _, text in links] == ["First section", "Second &amp; last"]
    for ident, _ in links:
        assert f'id="{ident}"' in page
    # after the title's cell, before the first section
    assert page.index("What this page answers.") < nav.start() < page.index(">First section")
    one = report.export_html(_notebook(new_markdown_cell("# Only\n\n## One")), title="x")
    assert '<nav class="toc"' not in one


def test_figures_are_numbered_with_a_caption_linking_the_saved_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """show_figure: the page image carries alt text, a caption and the addresses of the full
    PNG and SVG; in a report each becomes a numbered <figure> with an escaped <figcaption>."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    monkeypatch.setattr(report.outputs, "_figures_shown", [])
    monkeypatch.chdir(tmp_path)
    outputs = []
    for number, title in enumerate(["Keyness <b>& more</b>", "Second"], start=1):
        figure, ax = plt.subplots()
        ax.bar(["a", "b"], [2, 1])
        ax.set_title(title)
        figure.alt_text = "Two bars; a is 2."  # type: ignore[attr-defined]
        image = report.show_figure(figure, f"fig-{number}", results_dir="results/00-x")
        plt.close(figure)
        data, metadata = image._repr_png_()
        assert metadata["alt"] == f"{title}. Two bars; a is 2."
        assert metadata["caption"] == title + "." and metadata["number"] == number
        assert metadata["files"] == [
            f"../results/00-x/fig-{number}.png",
            f"../results/00-x/fig-{number}.svg",
        ]
        assert (tmp_path / "results" / "00-x" / f"fig-{number}.svg").is_file()
        outputs.append(
            nbformat.v4.new_output(
                "display_data",
                {"image/png": data if isinstance(data, str) else base64.b64encode(data).decode()},
                metadata={"image/png": metadata},
            )
        )
    nb = _notebook(new_markdown_cell("# Title"), new_code_cell("show()"))
    nb.cells[1].outputs = outputs
    page = report.export_html(nb, title="figures")
    figures = re.findall(r'<figure class="report-figure">.*?</figure>', page, re.S)
    assert len(figures) == 2
    first = figures[0]
    assert re.search(r'<img alt="Keyness &lt;b&gt;[^"]*" src="data:image/png;base64,', first)
    caption = re.search(r"<figcaption>(.*?)</figcaption>", first, re.S)
    assert caption is not None
    assert "<strong>Figure 1.</strong>" in caption.group(1)
    assert "Keyness &lt;b&gt;&amp; more&lt;/b&gt;. Full quality:" in caption.group(1)
    assert re.findall(r'<a href="([^"]+)">(PNG|SVG)</a>', caption.group(1)) == [
        ("../results/00-x/fig-1.png", "PNG"),
        ("../results/00-x/fig-1.svg", "SVG"),
    ]
    assert "<strong>Figure 2.</strong>" in figures[1]
    # an image without a caption (not from show_figure) stays a bare image
    nb.cells[1].outputs = [
        nbformat.v4.new_output("display_data", {"image/png": outputs[0]["data"]["image/png"]})
    ]
    bare = report.export_html(nb, title="bare")
    assert "<figure" not in bare and 'alt="Figure (no description given)"' in bare


def test_report_command_draws_a_progress_bar_on_a_terminal(tmp_path: Path) -> None:
    """Run in a pseudo-terminal, ``python -m analysis report`` redraws a status line (bar and
    running notebooks) and leaves one plain line per finished notebook."""
    import os
    import pty
    import select

    folder = _write_tiny_notebooks(tmp_path / "nbs")
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "analysis",
            "report",
            "--notebooks",
            str(folder),
            "--out",
            str(tmp_path / "out"),
        ],
        stdin=follower,
        stdout=follower,
        stderr=follower,
        close_fds=True,
    )
    os.close(follower)
    chunks: list[bytes] = []
    while True:
        ready, _, _ = select.select([leader], [], [], 240)
        if not ready:
            process.kill()
            break
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the terminal closed: the command has ended
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    assert process.wait(timeout=60) == 0
    screen = b"".join(chunks).decode("utf-8", "replace")
    assert "\r\x1b[2K" in screen and "] 2/2" in screen, screen
    assert re.search(r"\] [01]/2 \| running: [^\r\n]*0[01]-(alpha|beta)", screen), screen
    for name in ("00-alpha", "01-beta"):
        assert re.search(rf"  done    {name} \(\d+\.\d s\)", screen), screen


def test_a_two_line_figure_title_reads_as_one_caption(tmp_path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, ax = plt.subplots()
    ax.set_title("Document similarity of each pair\n40 x 40 documents shown of 167 x 333")
    image = report.show_figure(figure, "two-lines", results_dir=tmp_path)
    plt.close(figure)
    _, metadata = image._repr_png_()
    assert metadata["caption"] == (
        "Document similarity of each pair; 40 x 40 documents shown of 167 x 333."
    )
    assert metadata["alt"].startswith("Document similarity of each pair; 40 x 40")


def test_report_command_fixes_the_hash_seed_itself():
    """``python -m analysis report`` without PYTHONHASHSEED=0 re-executes itself with it (the
    fast, reproducible engine needs it); with it set, or for other commands, it runs as is."""
    import sys

    from analysis.__main__ import fixed_hash_seed

    calls: list[tuple[str, list[str], dict[str, str]]] = []

    def execve(path: str, args: list[str], env: dict[str, str]) -> None:
        calls.append((path, args, env))

    fixed_hash_seed(["report", "--only", "00"], {"PATH": "/bin"}, execve)
    assert calls == [
        (
            sys.executable,
            [sys.executable, "-m", "analysis", "report", "--only", "00"],
            {"PATH": "/bin", "PYTHONHASHSEED": "0"},
        )
    ]
    fixed_hash_seed(["report"], {"PYTHONHASHSEED": "0"}, execve)
    fixed_hash_seed(["corpus"], {"PYTHONHASHSEED": "123"}, execve)
    assert len(calls) == 1


def test_the_significance_level_is_one_checked_parameter() -> None:
    """alpha is defined once (report.ALPHA), passed to every notebook, set with --alpha, and
    refused outside (0, 1) with a message saying what to give."""
    from analysis.cli import main

    assert report.ReportParameters().alpha == report.ALPHA == 0.05
    assert report.ReportParameters(alpha=0.01).resolved().alpha == 0.01
    for wrong in (0.0, 1.0, 5.0):
        with pytest.raises(ReportError, match="between 0 and 1"):
            report.ReportParameters(alpha=wrong).resolved()
    assert main(["report", "--alpha", "0", "--only", "00"]) == 1
