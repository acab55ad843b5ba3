"""The index page: one entry per report with its summary and figures, the build's provenance,
and a plain summary for the terminal."""

from __future__ import annotations

import html
import json
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from analysis import paths
from analysis.errors import ReportError

if TYPE_CHECKING:
    pass
from analysis.report.execute import KERNEL_ENV, list_notebooks
from analysis.report.html import CSP_META
from analysis.report.inputs import BuildInputs, gather_inputs, git_commit, read_stamp
from analysis.report.outputs import write_text_atomic
from analysis.report.parameters import BuildResult, ReportParameters


def notebook_summary(notebook: str | os.PathLike[str]) -> tuple[str, str]:
    """Return a notebook's first Markdown heading and first paragraph, as plain text."""
    # Plain JSON rather than nbformat: importing nbformat costs a second on every no-op build.
    try:
        cells = json.loads(Path(notebook).read_text(encoding="utf-8"))["cells"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ReportError(f"notebook {notebook} is not a readable .ipynb file: {exc}") from None
    heading, paragraph = "", ""
    for cell in cells:
        if cell.get("cell_type") != "markdown":
            continue
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else str(source)
        for block in re.split(r"\n\s*\n", source):
            block = block.strip()
            if not block:
                continue
            if block.startswith("#"):
                if not heading:
                    heading = _plain(block.splitlines()[0].lstrip("#"))
                rest = "\n".join(block.splitlines()[1:]).strip()
                if rest and heading and not paragraph and not rest.startswith("#"):
                    paragraph = _plain(rest)
            elif not paragraph:
                paragraph = _plain(block)
            if heading and paragraph:
                return heading, paragraph
    return heading or Path(notebook).stem, paragraph


def _plain(markdown: str) -> str:
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", markdown)  # links and images: keep the text
    text = re.sub(r"(\*\*|__|\*|`)", "", text)
    return " ".join(text.split())


_INDEX_CSS = """body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;
max-width:60rem;margin:2rem auto;padding:0 1rem;line-height:1.5;color:#1b1b1b;background:#fff}
h1{font-size:1.6rem}h2{font-size:1.25rem;margin-top:2rem}
section.report{border-top:1px solid #ddd;padding:.5rem 0}
table{border-collapse:collapse;font-size:.9rem}td,th{border:1px solid #ccc;padding:.2rem .5rem;
text-align:left;vertical-align:top}code{font-size:.85rem;word-break:break-all}
.missing{color:#8a1c1c}ul.outputs{font-size:.9rem}
p.corpus{font-size:1.05rem}a.evidence{font-size:.85rem;font-weight:normal}
.thumbnails{display:flex;flex-wrap:wrap;gap:1rem}.thumbnails figure{margin:0;max-width:100%}
.thumbnails img{max-width:100%;height:auto;border:1px solid #ddd}
figcaption{font-size:.8rem;color:#444;max-width:360px}
details.provenance summary h2{display:inline}table{display:block;overflow-x:auto}
@media print{details{display:block}summary{display:none}.thumbnails{display:block}}"""


#: Documents listed in the index's provenance table (the full list is linked).
INDEX_DOCUMENTS = 50


def write_index(
    out: str | os.PathLike[str],
    *,
    notebooks_dir: str | os.PathLike[str] | None = None,
    inputs: BuildInputs | None = None,
    stamp: dict[str, Any] | None = None,
    parameters: ReportParameters | None = None,
) -> Path:
    """Write ``reports/index.html``: each report's heading, summary and files, and provenance.

    The page lists every notebook in reading order, links those built, and records the documents
    (doc_id, group, file, sha256), the parameters, the package version and source hash, the git
    commit and the Python and library versions. It has no timestamps and no scripts.
    """
    from analysis import __version__
    from analysis.headline import headline_html, read_headline

    out_dir = Path(out)
    inputs = inputs or gather_inputs((parameters or ReportParameters()).resolved())
    stamp = stamp if stamp is not None else read_stamp(out_dir)
    e = html.escape
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        CSP_META,
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>Reports: comparative discourse analysis</title>",
        f"<style>{_INDEX_CSS}</style>",
        "</head>",
        "<body>",
        "<main>",
        "<h1>Reports: comparative discourse analysis of policy statements</h1>",
        headline_html(read_headline(out_dir)),
        "<h2>The reports</h2>",
        "<p>Each report is a notebook executed from a fresh kernel on the corpus below. The tables "
        "behind its figures are saved as CSV, and its figures as PNG and SVG, in the files listed "
        "with it.</p>",
    ]
    for notebook in list_notebooks(notebooks_dir):
        name = notebook.stem
        heading, paragraph = notebook_summary(notebook)
        page = out_dir / "reports" / f"{name}.html"
        entry = stamp["notebooks"].get(name)
        parts.append(f'<section class="report" id="report-{e(name)}">')
        if page.is_file() and entry is not None:
            parts.append(f'<h3><a href="{e(name)}.html">{e(heading)}</a></h3>')
        else:
            parts.append(f'<h3>{e(heading)} <span class="missing">(not built)</span></h3>')
        parts.append(f"<p>{e(paragraph)}</p>" if paragraph else "")
        if entry is not None:
            files = [o for o in entry.get("outputs", []) if (out_dir / o).is_file()]
            if files:
                parts.append(f"<details><summary>{len(files)} table and figure file(s)</summary>")
                parts.append('<ul class="outputs">')
                parts.extend(f'<li><a href="../{e(o)}">{e(o)}</a></li>' for o in files)
                parts.append("</ul></details>")
            parts.append(f"<p>Input hash: <code>{e(entry['input_hash'])}</code></p>")
        parts.append("</section>")

    parts.append('<details class="provenance"><summary><h2>Provenance</h2></summary>')
    parts.append("<h3>Documents</h3>")
    parts.append(
        '<table tabindex="0"><thead><tr><th>doc_id</th><th>actor_type</th><th>file</th>'
        "<th>sha256 (manifest)</th><th>sha256 (file)</th></tr></thead><tbody>"
    )
    shown = inputs.documents[:INDEX_DOCUMENTS]
    for doc in shown:
        parts.append(
            f"<tr><td>{e(doc['doc_id'])}</td><td>{e(doc['actor_type'])}</td>"
            f"<td>{e(doc['path'])}</td><td><code>{e(doc['sha256'] or '-')}</code></td>"
            f"<td><code>{e(inputs.document_hashes[doc['doc_id']])}</code></td></tr>"
        )
    parts.append("</tbody></table>")
    if len(shown) < len(inputs.documents):
        listed = out_dir / "results" / "00-corpus" / "documents.csv"
        where = (
            ' (all of them, with their checksums, in <a href="../results/00-corpus/'
            'documents.csv">documents.csv</a>)'
            if listed.is_file()
            else ""
        )
        parts.append(
            f"<p>The first {len(shown)} of {len(inputs.documents):,} documents"
            f"{where}; the input hash of each report covers every document.</p>"
        )
    params = inputs.parameters
    commit = git_commit()
    rows = [
        ("manifest", _display_path(inputs.manifest)),
        ("groups", ", ".join(params.groups) if params.groups else "all groups in the manifest"),
        (
            "comparisons",
            params.compare
            if isinstance(params.compare, str)
            else ", ".join(params.compare)
            if params.compare
            else "default (two groups: the pair; three or more: one-vs-rest)",
        ),
        (
            "coding files",
            ", ".join(_display_path(Path(p)) for p in inputs.coding) or "none",
        ),
        ("analysis package version", __version__),
        ("analysis package source sha256", inputs.package),
        ("git commit", commit or "not a git checkout"),
        ("kernel environment", ", ".join(f"{k}={v}" for k, v in sorted(KERNEL_ENV.items()))),
    ]
    rows += [(f"{k} version", v) for k, v in inputs.versions.items()]
    parts.append("<h3>Build</h3>")
    parts.append('<table tabindex="0"><tbody>')
    parts.extend(f"<tr><th>{e(k)}</th><td><code>{e(v)}</code></td></tr>" for k, v in rows)
    parts.append("</tbody></table>")
    parts.append("</details>")
    parts += ["</main>", "</body>", "</html>", ""]
    path = out_dir / "reports" / "index.html"
    write_text_atomic(path, "\n".join(p for p in parts if p))
    return path


def _display_path(path: Path) -> str:
    try:
        return path.resolve().relative_to(paths.ROOT).as_posix()
    except ValueError:
        return str(path)


def summarise_build(result: BuildResult) -> str:
    """Return a short text account of a build, one line per notebook."""
    lines = []
    for nb in result.notebooks:
        if nb.status == "built":
            lines.append(f"built   {nb.name} ({nb.seconds:.1f} s, {len(nb.outputs)} output files)")
        else:
            lines.append(f"skipped {nb.name} (inputs unchanged)")
    lines.append(f"index   {result.index}")
    return "\n".join(lines)
