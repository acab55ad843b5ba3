"""Build the HTML reports: run notebooks headless, export them safely, index them, cache by inputs.

The build (:func:`build_reports`, ``python -m analysis report``) executes every ``NN-name.ipynb``
in ``notebooks/`` from a fresh kernel, one process per notebook in parallel, with the run's
parameters injected after the cell tagged ``parameters``. It writes ``reports/NN-name.html``,
``reports/index.html`` and ``reports/build-stamp.json`` under the output folder; the notebooks save
their tables and figures under ``results/NN-name/`` through :func:`save_table` and
:func:`save_figure`. A notebook whose inputs (the notebook, the package source, the manifest and
its documents, the coding files, the parameters, the key library versions) are unchanged since the
last build is skipped.

Two builds from the same inputs are byte-identical: the kernel runs with ``PYTHONHASHSEED=0`` and
``SOURCE_DATE_EPOCH=0``, timing metadata and widget state are dropped before export, the HTML
carries no random ids and no timestamps, and saved files pin their metadata and formats.

The HTML is sanitised: Markdown and HTML outputs pass through an allow-list (:func:`sanitize_html`),
so text from a corpus can never add a script to a report; the pages load no remote scripts.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from analysis import paths
from analysis.errors import CorpusError, ReportError

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure
    from nbformat import NotebookNode

Engine = Literal["subprocess", "inprocess"]
PARAMETERS_TAG = "parameters"
INJECTED_TAG = "injected-parameters"
#: The significance level the reports read p-values against unless a build sets another.
ALPHA = 0.05
STAMP_NAME = "build-stamp.json"
STAMP_FORMAT = 1
#: Environment of every report kernel: fixed hash seed, and a fixed "now" for libraries that
#: honour SOURCE_DATE_EPOCH (matplotlib's SVG/PDF dates).
KERNEL_ENV: dict[str, str] = {"PYTHONHASHSEED": "0", "SOURCE_DATE_EPOCH": "0"}
CSV_FLOAT_FORMAT = "%.10g"
SVG_HASHSALT = "analysis-report"
#: Libraries whose versions are part of a build's inputs and of its provenance.
KEY_PACKAGES: tuple[str, ...] = (
    "pandas",
    "numpy",
    "scipy",
    "scikit-learn",
    "nltk",
    "matplotlib",
    "nbclient",
    "nbconvert",
    "ipykernel",
)
_NOTEBOOK_NAME = re.compile(r"\d{2}-[A-Za-z0-9][A-Za-z0-9_-]*")
_OUTPUT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,99}")
_DROPPED_MIME = ("application/vnd.jupyter.widget-view+json", "application/javascript")

# --------------------------------------------------------------------------------------------
# Helpers called from notebooks
# --------------------------------------------------------------------------------------------


def resolve_results_dir(results_dir: str | os.PathLike[str] | None = None) -> Path:
    """Return the folder a notebook saves into, creating it; ``None`` means ``results/``.

    A relative path is taken from the kernel's working directory, which the report build sets to
    its output folder.
    """
    folder = Path(results_dir) if results_dir is not None else paths.RESULTS
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _output_path(name: str, suffix: str, results_dir: str | os.PathLike[str] | None) -> Path:
    if not isinstance(name, str) or not _OUTPUT_NAME.fullmatch(name) or name.endswith(suffix):
        raise ReportError(
            f"output name {name!r} is not usable; give a short name of letters, digits, '-', '_' "
            f"or '.', without a folder or the {suffix} extension (e.g. 'corpus-description')"
        )
    return resolve_results_dir(results_dir) / f"{name}{suffix}"


def save_table(
    table: pd.DataFrame, name: str, *, results_dir: str | os.PathLike[str] | None = None
) -> Path:
    """Write a table to ``<results_dir>/<name>.csv`` byte-reproducibly and return the path.

    Parameters
    ----------
    table
        The table behind a figure or a reported number. Its index is written only when it is
        named (e.g. ``term`` for a keyness table); a plain row number is left out.
    name
        File name without extension: letters, digits, ``-``, ``_``, ``.``.
    results_dir
        The notebook's ``results_dir`` parameter; ``None`` means the project's ``results/``.

    Returns
    -------
    Path
        The CSV written: UTF-8, ``\\n`` line endings, floats as ``%.10g``, missing values empty.

    Examples
    --------
    >>> save_table(stats, "corpus-description", results_dir=results_dir)  # doctest: +SKIP
    """
    path = _output_path(name, ".csv", results_dir)
    write_index = any(level is not None for level in table.index.names)
    table.to_csv(
        path,
        index=write_index,
        float_format=CSV_FLOAT_FORMAT,
        lineterminator="\n",
        encoding="utf-8",
    )
    return path


def save_figure(
    figure: Figure,
    name: str,
    *,
    results_dir: str | os.PathLike[str] | None = None,
    dpi: int = 150,
) -> tuple[Path, Path]:
    """Write a figure as ``<name>.png`` (Agg) and ``<name>.svg`` byte-reproducibly.

    The PNG carries no ``Software`` text chunk, the SVG no date, and SVG element ids come from a
    fixed hash salt, so the same figure always gives the same bytes. The figure is not changed.

    Parameters
    ----------
    figure
        A matplotlib figure (e.g. from :mod:`analysis.plots`).
    name
        File name without extension: letters, digits, ``-``, ``_``, ``.``.
    results_dir
        The notebook's ``results_dir`` parameter; ``None`` means the project's ``results/``.
    dpi
        Resolution of the PNG.

    Returns
    -------
    tuple of Path
        The PNG and SVG paths.
    """
    import matplotlib

    png = _output_path(name, ".png", results_dir)
    svg = png.with_suffix(".svg")
    with matplotlib.rc_context({"svg.hashsalt": SVG_HASHSALT, "svg.fonttype": "path"}):
        figure.savefig(png, format="png", backend="agg", dpi=dpi, metadata={"Software": None})
        figure.savefig(svg, format="svg", metadata={"Date": None})
    return png, svg


def show_figure(
    figure: Figure,
    name: str,
    *,
    results_dir: str | os.PathLike[str] | None = None,
    alt: str | None = None,
    caption: str | None = None,
    explain: str | None = None,
) -> Any:
    """Save a figure to ``results/`` (PNG and SVG, full quality) and return its page image.

    The returned object displays in a notebook as a compact PNG (:func:`analysis.plots.page_png`),
    so a page's size stays bounded however many comparisons it shows; the files in
    ``results/`` are the ones to print or publish. In a report the image is a numbered
    ``<figure>`` whose ``<figcaption>`` gives the caption and links the PNG and SVG files.

    Parameters
    ----------
    figure
        A matplotlib figure (e.g. from :mod:`analysis.plots`).
    name
        File name without extension, as in :func:`save_figure`.
    results_dir
        The notebook's ``results_dir`` parameter.
    alt
        Text alternative of the image; defaults to the figure's title followed by what the
        drawing function wrote from the data (``figure.alt_text``: what it shows and its
        largest values).
    caption
        The caption under the figure; defaults to the figure's title.
    explain
        A reading note (:data:`analysis.present.READING`) shown above the first figure of
        that kind on the page.

    Returns
    -------
    IPython.display.Image
    """
    from IPython.display import Image

    from analysis.plots import page_png
    from analysis.present import how_to_read, href_to

    if explain is not None:
        how_to_read(explain)
    png, svg = save_figure(figure, name, results_dir=results_dir)
    titles = [ax.get_title() for ax in figure.get_axes() if ax.get_title()]
    # a title set on two lines reads as one sentence with a semicolon in a caption or alt text
    title = re.sub(r"\s*\n\s*", "; ", " ".join([figure.get_suptitle(), *titles]).strip()) or name
    if alt is None:
        described = getattr(figure, "alt_text", "")
        alt = f"{title}. {described}" if described else title
    _figures_shown.append(name)
    # addressed as the notebook gave its folder (relative in a report build)
    shown = [f if results_dir is None else Path(results_dir) / f.name for f in (png, svg)]
    caption = (caption or title).strip()
    metadata = {
        "caption": caption if caption.endswith((".", "?", "!")) else caption + ".",
        "number": len(_figures_shown),
        "files": [href_to(f) for f in shown],
    }
    return Image(data=page_png(figure), format="png", alt=alt, metadata=metadata)


# Figures shown in this kernel, to number their captions (a report runs each notebook in a fresh
# kernel, so the numbers start at 1 on every page).
_figures_shown: list[str] = []


def groups_to_compare(
    corpus: pd.DataFrame, groups: Sequence[str] | None = None, *, by: str = "actor_type"
) -> list[str]:
    """Return the groups a notebook compares: the ``groups`` parameter checked, or all of them.

    Parameters
    ----------
    corpus
        The document table (or any table with the ``by`` column).
    groups
        The notebook's ``groups`` parameter; ``None`` means every value of ``by`` in order of
        first appearance.
    by
        The grouping column.

    Returns
    -------
    list of str
        Group names, each present in ``corpus[by]``.
    """
    if by not in corpus.columns:
        raise ReportError(f"cannot group by {by!r}: the table has no such column")
    present = list(dict.fromkeys(str(v) for v in corpus[by]))
    if groups is None:
        return present
    if isinstance(groups, str):
        groups = [groups]
    wanted = [str(g) for g in groups]
    missing = [g for g in wanted if g not in present]
    if missing:
        raise ReportError(
            f"group(s) {', '.join(map(repr, missing))} not found in column {by!r}; "
            f"the corpus has {', '.join(map(repr, present))}"
        )
    return list(dict.fromkeys(wanted))


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|>~])")


def quote_text(text: str) -> str:
    """Return corpus text made safe to put inside a generated Markdown sentence.

    HTML is escaped (``<script>`` shows as text) and Markdown control characters are
    backslash-escaped, so a quoted passage never turns into markup, links or emphasis.
    """
    return _MARKDOWN_SPECIAL.sub(r"\\\1", html.escape(str(text), quote=False))


def findings_side_by_side(
    groups: Sequence[str],
    description: pd.DataFrame,
    *,
    rates: pd.DataFrame,
    key_terms: pd.DataFrame,
    coding_profile: pd.DataFrame | None = None,
    n_terms: int = 3,
) -> pd.DataFrame:
    """Put the main measures of each compared group in one table, one row per group.

    Parameters
    ----------
    groups
        The compared groups, in the order of the rows (from :func:`groups_to_compare`).
    description
        The per-document summary (:func:`analysis.corpus.describe_corpus`), one row per
        document: ``actor_type`` and ``tokens``.
    rates
        The function-word profile (:func:`analysis.counts.function_word_profile`):
        ``actor_type``, ``function_subclass``, ``per_1k``, one row per group and subclass.
    key_terms
        The key terms of the comparisons (:func:`analysis.counts.top_key_terms`, the tables of
        several comparisons concatenated): ``term`` and ``key_in``, each side's terms strongest
        first; a group's terms are its first ``n_terms`` rows in table order. An empty table
        (no comparison) is allowed.
    coding_profile
        The coded profile of each group (:func:`analysis.coding.coded_profile`): ``actor_type``,
        ``top_frame``, ``share_critical``, ``share_supportive``; ``None`` when no coding covers
        the corpus.
    n_terms
        Key terms listed per group.

    Returns
    -------
    DataFrame
        Indexed by ``actor_type`` (the groups in order). Columns: ``documents`` and ``tokens``
        (int64, the group's documents and their running words), ``first_plural_per_1k``,
        ``obligation_per_1k``, ``commitment_per_1k`` (float64, rate per 1,000 running words
        rounded to 2 decimals, NaN for a group absent from ``rates``); ``top_key_terms`` (str,
        the group's first ``n_terms`` key terms joined by ", ", NaN for a group key in no
        comparison), present only when some group has key terms; with ``coding_profile``,
        ``top_frame`` (str) and ``share_critical``, ``share_supportive`` (float64, rounded to 3
        decimals), NaN for a group without coded units.

    Raises
    ------
    ReportError
        When a table lacks a column it needs, ``rates`` has two rows for one group and
        subclass, or ``n_terms`` < 1.

    Examples
    --------
    >>> side = findings_side_by_side(  # doctest: +SKIP
    ...     compared, description, rates=profile, key_terms=key_terms,
    ...     coding_profile=coding_profile,
    ... )
    """
    import pandas as pd

    from analysis.counts import STANCE_SUBCLASSES

    if n_terms < 1:
        raise ReportError(f"n_terms={n_terms}: list at least one key term per group")
    _require_columns(
        description,
        ("actor_type", "tokens"),
        "description",
        "pass the per-document summary, tables.describe()",
    )
    _require_columns(
        rates,
        ("actor_type", "function_subclass", "per_1k"),
        "rates",
        "pass counts.function_word_profile(tokens, segments)",
    )
    if rates.duplicated(["actor_type", "function_subclass"]).any():
        raise ReportError(
            "rates has several rows for one group and function subclass; pass the profile of "
            "one grouping by actor_type, counts.function_word_profile(tokens, segments)"
        )
    groups = list(dict.fromkeys(groups))
    in_group = [description["actor_type"] == g for g in groups]
    side = pd.DataFrame(
        {
            "documents": [int(rows.sum()) for rows in in_group],
            "tokens": [int(description.loc[rows, "tokens"].sum()) for rows in in_group],
        },
        index=groups,
    )
    for subclass in STANCE_SUBCLASSES:
        per_1k = rates.loc[rates["function_subclass"] == subclass].set_index("actor_type")
        side[f"{subclass}_per_1k"] = per_1k["per_1k"].reindex(groups).round(2)
    if len(key_terms):
        _require_columns(
            key_terms,
            ("term", "key_in"),
            "key_terms",
            "pass counts.top_key_terms(...), or an empty table without comparisons",
        )
        terms = {
            g: ", ".join(key_terms.loc[key_terms["key_in"] == g, "term"].head(n_terms))
            for g in groups
            if (key_terms["key_in"] == g).any()
        }
        if terms:
            side["top_key_terms"] = pd.Series(terms, dtype="str").reindex(groups)
    if coding_profile is not None:
        coded_columns = ["top_frame", "share_critical", "share_supportive"]
        _require_columns(
            coding_profile,
            ("actor_type", *coded_columns),
            "coding_profile",
            "pass coding.coded_profile(coded, groups=...)",
        )
        side = side.join(coding_profile.set_index("actor_type")[coded_columns].round(3))
    return side.rename_axis("actor_type")


def _require_columns(table: pd.DataFrame, columns: Sequence[str], name: str, hint: str) -> None:
    """Raise a ReportError naming the columns ``table`` lacks and what to pass instead."""
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise ReportError(f"{name} lacks column(s) {', '.join(map(repr, missing))}; {hint}")


# --------------------------------------------------------------------------------------------
# Notebooks: discovery, parameters, execution, export
# --------------------------------------------------------------------------------------------


def list_notebooks(notebooks_dir: str | os.PathLike[str] | None = None) -> list[Path]:
    """Return the report notebooks (``NN-name.ipynb``) of a folder in reading order."""
    folder = Path(notebooks_dir) if notebooks_dir is not None else paths.NOTEBOOKS
    if not folder.is_dir():
        raise ReportError(f"notebooks folder {folder} does not exist")
    return sorted(
        (p for p in folder.glob("*.ipynb") if _NOTEBOOK_NAME.fullmatch(p.stem)),
        key=lambda p: p.name,
    )


def inject_parameters(notebook: NotebookNode, parameters: dict[str, Any]) -> NotebookNode:
    """Return a copy of a notebook with a cell setting ``parameters`` after its ``parameters`` cell.

    Like papermill, the new cell (tagged ``injected-parameters``, with a fixed id) goes right after
    the first code cell tagged ``parameters``, or first if no cell is tagged. Values must be
    ``None``, ``bool``, numbers, strings or lists of those; they are written as Python literals.
    """
    import copy

    import nbformat

    lines = ["# Parameters injected by the report build"]
    for key in sorted(parameters):
        if not key.isidentifier():
            raise ReportError(f"parameter name {key!r} is not a Python identifier")
        lines.append(f"{key} = {_literal(parameters[key], key)}")
    cell = nbformat.v4.new_code_cell("\n".join(lines))
    cell.id = INJECTED_TAG
    cell.metadata["tags"] = [INJECTED_TAG]
    out = copy.deepcopy(notebook)
    out.cells = [c for c in out.cells if INJECTED_TAG not in c.get("metadata", {}).get("tags", [])]
    position = _parameters_index(out)
    out.cells.insert(0 if position is None else position + 1, cell)
    return out


def _literal(value: Any, key: str) -> str:
    if value is None or isinstance(value, bool | int | float | str):
        return repr(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_literal(v, key) for v in value) + "]"
    raise ReportError(f"parameter {key!r}: value {value!r} is not a literal (str, number, list)")


def _parameters_index(notebook: NotebookNode) -> int | None:
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type == "code" and PARAMETERS_TAG in cell.get("metadata", {}).get("tags", []):
            return index
    return None


def execute_notebook(
    notebook: NotebookNode,
    *,
    name: str,
    cwd: str | os.PathLike[str],
    timeout: int = 600,
    engine: Engine = "subprocess",
) -> NotebookNode:
    """Run every cell of a notebook in a fresh ``python3`` kernel; return the executed copy.

    The kernel starts in ``cwd`` with :data:`KERNEL_ENV` added to the environment. A cell that
    raises (or times out, or kills the kernel) raises :class:`ReportError` naming the notebook,
    the cell (its index in the notebook as saved, and its first line) and the exception.

    ``engine="subprocess"`` starts a kernel process through Jupyter (nbclient), as nbconvert
    does; ``engine="inprocess"`` runs an in-process kernel in *this* process (see
    :mod:`analysis.kernels`), which must then be a process of its own for this notebook.
    """
    import copy

    if engine == "inprocess":
        from analysis.kernels import CellError, run_inprocess

        try:
            return run_inprocess(notebook, cwd=cwd, timeout=timeout, env=KERNEL_ENV)
        except CellError as exc:
            raise ReportError(_cell_failure(notebook, name, exc.index, str(exc))) from None

    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    nb = copy.deepcopy(notebook)
    current: dict[str, int] = {"index": -1}

    def on_cell_start(cell: Any, cell_index: int) -> None:
        current["index"] = cell_index

    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        record_timing=False,
        allow_errors=False,
        resources={"metadata": {"path": str(cwd)}},
        on_cell_start=on_cell_start,
        # The kernel's own start-up notices (not the notebook's output) would clutter the CLI.
        # Inline matplotlib support on, as in the in-process engine (analysis.kernels), so both
        # engines display figures the same way.
        extra_arguments=["--IPKernelApp.log_level=ERROR", "--IPKernelApp.matplotlib=inline"],
    )
    env = {**os.environ, **KERNEL_ENV}
    try:
        client.execute(env=env)
    except CellExecutionError as exc:
        what = f"{exc.ename}: {exc.evalue}"
        raise ReportError(_cell_failure(nb, name, current["index"], what)) from None
    except CellTimeoutError:
        what = f"did not finish within {timeout} s (raise --timeout or speed it up)"
        raise ReportError(_cell_failure(nb, name, current["index"], what)) from None
    except DeadKernelError as exc:
        what = f"killed the kernel ({exc}); check memory use"
        raise ReportError(_cell_failure(nb, name, current["index"], what)) from None
    return nb


def _cell_failure(nb: NotebookNode, name: str, index: int, what: str) -> str:
    if index < 0:
        return f"notebook {name}: the kernel failed before any cell ran: {what}"
    cell = nb.cells[index]
    first = next((line for line in cell.source.splitlines() if line.strip()), "").strip()
    if INJECTED_TAG in cell.get("metadata", {}).get("tags", []):
        where = "the injected parameters cell"
    else:
        injected = any(
            INJECTED_TAG in c.get("metadata", {}).get("tags", []) for c in nb.cells[:index]
        )
        where = f"cell {index - 1 if injected else index}"
    return (
        f"notebook {name}: {where} ({first[:80]!r}) raised {what}; "
        "open the notebook in JupyterLab and run it to see the traceback"
    )


def strip_volatile(notebook: NotebookNode) -> NotebookNode:
    """Return a copy without what varies between runs: timings, widget state, script outputs.

    Removes cell ``execution`` metadata and notebook ``widgets`` metadata, and drops widget-view
    and JavaScript outputs (a static report cannot run them; their HTML carries random ids), keeping
    any other representation of the same output, such as its text.
    """
    import copy

    nb = copy.deepcopy(notebook)
    nb.metadata.pop("widgets", None)
    nb.metadata.pop("papermill", None)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        cell.metadata.pop("ExecuteTime", None)
        if cell.cell_type != "code":
            continue
        kept = []
        for output in cell.outputs:
            data = output.get("data")
            if data is not None:
                for mime in _DROPPED_MIME:
                    data.pop(mime, None)
                if not data:
                    continue
            kept.append(output)
        cell.outputs = kept
    return nb


# The exporter's template without its remote scripts (require.js, MathJax, Mermaid, widgets): a
# report loads nothing from the network and runs no script.
#: The content-security policy of every page: nothing is fetched from anywhere (images are
#: inline data, styles inline), no script runs, no form is sent.
CSP = (
    "default-src 'none'; img-src data:; style-src 'unsafe-inline'; font-src data:; "
    "base-uri 'none'; form-action 'none'"
)
_CSP_META = f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
# Pages as a reader uses them: wide tables scroll inside their box (the text column never
# overflows on a phone), folded code has a visible handle, the table of contents stands out,
# and print leaves out the code, prompts and contents list.
_READER_CSS = """
.jp-RenderedHTMLCommon table{display:block;max-width:100%;overflow-x:auto}
.jp-InputPrompt,.jp-OutputPrompt{color:#4d4d4d !important;opacity:1 !important}
@media (max-width:600px){.jp-InputPrompt,.jp-OutputPrompt{display:none}
.jp-Notebook{padding:8px}}
.jp-RenderedImage img{max-width:100%;height:auto}
details.code-fold>summary{cursor:pointer;color:#555;font-size:.85em;padding:.2em 0}
figure.report-figure{margin:0 0 1em}
figure.report-figure figcaption{font-size:.9rem;color:#333;max-width:60em;margin-top:.3em}
nav.toc{border:1px solid #ddd;padding:.5em 1em;margin:1em 0;max-width:60em}
nav.toc ol{margin:.3em 0;padding-left:1.5em}
@media print{details.code-fold,.jp-InputPrompt,.jp-OutputPrompt,nav.toc{display:none}
.jp-Cell{break-inside:avoid}}
"""
_TEMPLATE = (
    """{%- extends 'index.html.j2' -%}
{%- block html_head_js -%}"""
    + _CSP_META
    + """{%- endblock html_head_js -%}
{% block jupyter_widgets %}{% endblock jupyter_widgets %}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{% block extra_css %}<style>"""
    + _READER_CSS
    + """</style>{% endblock extra_css %}
{% block data_png scoped %}
{%- set caption = output | get_metadata('caption', 'image/png') -%}
<div class="jp-RenderedImage jp-OutputArea-output {{ extra_class }}">
{%- if caption %}<figure class="report-figure">{% endif %}
<img src="data:image/png;base64,{{ output.data['image/png'] | escape_html }}" alt="
{{- ((output | get_metadata('alt', 'image/png'))
      or 'Figure (no description given)') | escape_html -}}
">
{%- if caption %}
{%- set files = (output | get_metadata('files', 'image/png')) or [] %}
<figcaption><strong>Figure {{ output | get_metadata('number', 'image/png') }}.</strong>
{{ caption | escape_html }}
{%- if files %} Full quality:
{%- for href in files %}
 <a href="{{ href | escape_html }}">{{ href.rsplit('.', 1)[-1] | upper }}</a>
{%- if not loop.last %},{% endif %}{% endfor %}.{% endif %}</figcaption>
</figure>
{%- endif %}
</div>
{%- endblock data_png %}
"""
)

# Each code cell's input folded into a closed <details> element (no JavaScript needed).
_FOLD_CODE = """
{% block input_group -%}
<details class="code-fold"><summary>Code</summary>
{{ super() }}
</details>
{%- endblock input_group %}
"""

_ALLOWED_TAGS = frozenset(
    """a abbr b blockquote br caption code col colgroup dd del details div dl dt em figcaption
    figure h1 h2 h3 h4 h5 h6 hr i img ins kbd li mark ol p pre q s samp small span strong sub
    summary sup table tbody td tfoot th thead tr u ul var""".split()
)
_ALLOWED_CSS = frozenset(
    """text-align vertical-align white-space font-weight font-style color background-color
    width min-width max-width""".split()
)
_COMMON_ATTRS = frozenset({"class", "id", "title", "lang", "dir", "data-mime-type", "style"})
_TAG_ATTRS: dict[str, frozenset[str]] = {
    "a": frozenset({"href", "name"}),
    "img": frozenset({"src", "alt", "width", "height"}),
    "td": frozenset({"colspan", "rowspan", "align"}),
    "th": frozenset({"colspan", "rowspan", "align", "scope"}),
    "table": frozenset({"border"}),
    "ol": frozenset({"start", "type"}),
    "col": frozenset({"span"}),
    "colgroup": frozenset({"span"}),
}
_IMAGE_DATA = re.compile(r"data:image/(png|jpeg|gif|svg\+xml);base64,", re.IGNORECASE)
_SCRIPT_OR_STYLE = re.compile(r"<(script|style)\b[^>]*>.*?</\1\s*>", re.IGNORECASE | re.DOTALL)


# What a browser ignores in a URL: leading and trailing C0 controls and spaces, and tabs and
# line breaks anywhere ("\t//evil.invalid" is "//evil.invalid").
_URL_IGNORED = re.compile(r"[\t\n\r]")
# A local reference: a fragment, or a relative path with no scheme, no host ("//", "\\") and no
# backslash anywhere (browsers read "\" as "/").
_LOCAL_URL = re.compile(r"^(?:#[^\\]*|(?![/\\])[^:\\]*(?:[/?#][^\\]*)?)$")
_CSS_FETCH = re.compile(r"url\(|image-set\(|@import|expression\(|\\", re.IGNORECASE)


def _url_as_read(value: str) -> str:
    return _URL_IGNORED.sub("", value).strip("".join(map(chr, range(0x21))))


def _allowed_attribute(tag: str, name: str, value: str) -> bool:
    """Keep an attribute only if allowed for the tag and, for URLs and styles, fetches nothing.

    ``src`` takes a base64 ``data:image`` or a local relative path; ``href`` a fragment or a local
    relative path (no scheme, no protocol-relative or backslash host); ``style`` no ``url()``.
    """
    if name not in _COMMON_ATTRS and name not in _TAG_ATTRS.get(tag, ()):
        return False
    if name in ("src", "href"):
        url = _url_as_read(value)
        if name == "src" and _IMAGE_DATA.match(url):
            return True
        before_path = url.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
        return ":" not in before_path and bool(_LOCAL_URL.match(url))
    if name == "style":
        return not _CSS_FETCH.search(value)
    return True


def sanitize_html(fragment: str | bytes) -> str:
    """Return an HTML fragment reduced to safe markup: no scripts, no event handlers, no styles.

    This replaces nbconvert's own ``clean_html`` filter, whose allow-list (7.17) escapes headings,
    paragraphs and table headers so that Markdown and DataFrames render as tag soup. Here headings,
    paragraphs, lists, tables and images stay; ``<script>`` and ``<style>`` elements are removed
    with their content; any other tag is escaped to visible text; attributes are kept only from
    an allow-list; links only to fragments and local relative paths, images only from base64
    ``data:image`` URIs or local relative paths, never a scheme, a protocol-relative (``//``) or
    backslash host, whatever spaces, tabs or line breaks hide it; inline CSS only for a few layout
    properties and never with ``url()``. Every page also carries a content-security policy
    (:data:`CSP`) that forbids fetching anything.
    """
    import bleach
    from bleach.css_sanitizer import CSSSanitizer

    text = fragment.decode("utf-8") if isinstance(fragment, bytes) else str(fragment)
    text = _SCRIPT_OR_STYLE.sub("", text)
    cleaner = bleach.Cleaner(
        tags=_ALLOWED_TAGS,
        attributes=_allowed_attribute,
        protocols={"http", "https", "mailto", "data"},
        strip=False,
        strip_comments=True,
        css_sanitizer=CSSSanitizer(allowed_css_properties=_ALLOWED_CSS),
    )
    return cleaner.clean(text)


CodeMode = Literal["hide", "fold", "show"]
CODE_MODES: tuple[str, ...] = ("hide", "fold", "show")


def export_html(notebook: NotebookNode, *, title: str, code: CodeMode = "fold") -> str:
    """Render an executed notebook as a standalone, sanitised HTML page.

    Uses nbconvert's ``HTMLExporter`` (lab template) with ``sanitize_html=True`` and
    :func:`sanitize_html` as its cleaning filter, on :func:`strip_volatile` of the notebook.

    ``code`` says how the code cells appear: ``fold`` (the default) puts each one in a
    ``<details>`` element, closed, one click away (it works without JavaScript, and prints
    closed); ``hide`` leaves the code out; ``show`` shows it in full. The narrative, tables and
    figures are the same in all three.
    """
    if code not in CODE_MODES:
        raise ReportError(f"code={code!r}: choose one of {', '.join(CODE_MODES)}")
    import itertools

    from nbconvert import HTMLExporter

    exporter = HTMLExporter(
        sanitize_html=True,
        exclude_input=code == "hide",
        exclude_input_prompt=code == "hide",
        raw_template=_TEMPLATE + (_FOLD_CODE if code == "fold" else ""),
        filters={"clean_html": sanitize_html},
    )
    # The template asks for uuid4() ids for script outputs; numbered ids keep rebuilds identical.
    counter = itertools.count(1)
    exporter.environment.globals["uuid4"] = lambda: f"output-{next(counter)}"
    body, _ = exporter.from_notebook_node(
        strip_volatile(notebook), resources={"metadata": {"name": title}}
    )
    body = with_contents(body)
    # a table that scrolls inside its box must be reachable from the keyboard
    body = re.sub(r"<table(?=[\s>])", '<table tabindex="0"', body)
    return body if body.endswith("\n") else body + "\n"


def with_contents(page: str) -> str:
    """Insert a table of contents linking every section heading (``h2``) of a page, after the
    cell holding its title (the question and method stay on top). Pages with fewer than two
    sections are returned unchanged."""
    headings = re.findall(r'<h2 id="([^"]+)">(.*?)</h2>', page, re.S)
    title = re.search(r"</h1>", page)
    if len(headings) < 2 or title is None:
        return page
    items = []
    for ident, inner in headings:
        text = re.sub(r'<a class="anchor-link"[^>]*>.*?</a>', "", inner, flags=re.S)
        text = " ".join(re.sub(r"<[^>]+>", "", text).split())  # nbconvert escaped it already
        items.append(f'<li><a href="#{ident}">{text}</a></li>')
    nav = (
        '<nav class="toc" aria-label="Contents"><strong>Contents</strong><ol>'
        + "".join(items)
        + "</ol></nav>\n"
    )
    next_cell = re.compile(r'<div[^>]*class="jp-Cell ').search(page, title.end())
    at = next_cell.start() if next_cell else title.end()
    return page[:at] + nav + page[at:]


# --------------------------------------------------------------------------------------------
# The build
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportParameters:
    """What a build passes to every notebook besides its results folder.

    Attributes
    ----------
    manifest
        Path of the manifest CSV; ``None`` means the seed statements.
    groups
        The ``actor_type`` values to compare; ``None`` means every group in the manifest.
    coding_files
        Coder sheets to read; ``None`` means the files in ``coding/``.
    compare
        The comparison design (:func:`analysis.compare.comparison_design`): ``"one-vs-rest"``,
        ``"pairwise"``, pairs written ``"target:reference"``, or ``None`` (the one comparison
        of two groups; one-vs-rest with three or more).
    alpha
        The significance level every report reads its p-values against (defined once, here,
        and passed to every notebook as ``alpha``).
    """

    manifest: str | None = None
    groups: tuple[str, ...] | None = None
    coding_files: tuple[str, ...] | None = None
    compare: str | tuple[str, ...] | None = None
    alpha: float = ALPHA

    def resolved(self) -> ReportParameters:
        """Return a copy with the paths made absolute (as the kernel runs in another folder)."""
        if not 0 < self.alpha < 1:
            raise ReportError(
                f"alpha = {self.alpha}: the significance level must lie between 0 and 1, "
                "for example 0.05 or 0.01"
            )
        return ReportParameters(
            alpha=float(self.alpha),
            manifest=None if self.manifest is None else str(Path(self.manifest).resolve()),
            groups=None if self.groups is None else tuple(self.groups),
            compare=(
                self.compare
                if self.compare is None or isinstance(self.compare, str)
                else tuple(self.compare)
            ),
            coding_files=(
                None
                if self.coding_files is None
                else tuple(str(Path(p).resolve()) for p in self.coding_files)
            ),
        )


@dataclass(frozen=True)
class NotebookBuild:
    """The outcome of one notebook in a build."""

    name: str
    status: Literal["built", "skipped"]
    html: Path
    input_hash: str
    seconds: float
    outputs: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class BuildResult:
    """The outcome of :func:`build_reports`."""

    out: Path
    index: Path
    notebooks: tuple[NotebookBuild, ...]

    @property
    def built(self) -> list[str]:
        """Names of the notebooks executed in this build."""
        return [n.name for n in self.notebooks if n.status == "built"]

    @property
    def skipped(self) -> list[str]:
        """Names of the notebooks whose inputs were unchanged."""
        return [n.name for n in self.notebooks if n.status == "skipped"]


@dataclass(frozen=True)
class _Task:
    notebook: Path
    out: Path
    parameters: dict[str, Any]
    results_rel: str
    timeout: int
    input_hash: str
    engine: Engine = "subprocess"
    code: CodeMode = "fold"


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _package_files() -> list[Path]:
    root = Path(__file__).resolve().parent
    return sorted(
        p
        for p in root.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.suffix not in {".pyc", ".pyo"}
    )


def package_digest() -> str:
    """Return one sha256 over every file of the installed ``analysis`` package (code and data)."""
    root = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for path in _package_files():
        digest.update(f"{path.relative_to(root).as_posix()}\0{_sha256_file(path)}\n".encode())
    return digest.hexdigest()


def _manifest_documents(manifest: Path) -> list[dict[str, str]]:
    from analysis.corpus import read_manifest

    frame = read_manifest(manifest)
    return [
        {
            "doc_id": rec["doc_id"],
            "actor_type": rec["actor_type"],
            "path": rec["path"],
            "abs_path": rec["abs_path"],
            "sha256": rec["sha256"],
        }
        for rec in frame.to_dict("records")
    ]


def _coding_paths(parameters: ReportParameters) -> list[Path]:
    if parameters.coding_files is not None:
        found = [Path(p) for p in parameters.coding_files]
        missing = [str(p) for p in found if not p.is_file()]
        if missing:
            raise ReportError(f"coding file(s) {', '.join(missing)} do not exist")
        return found
    if not paths.CODING.is_dir():
        return []
    return sorted(p for p in paths.CODING.rglob("*") if p.is_file() and not p.name.startswith("."))


def library_versions() -> dict[str, str]:
    """Return the Python version and the versions of :data:`KEY_PACKAGES` (``"absent"`` if none)."""
    versions = {"python": platform.python_version()}
    for name in KEY_PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "absent"
    return versions


def git_commit(root: str | os.PathLike[str] | None = None) -> str | None:
    """Return the commit checked out at the project root, or ``None`` outside a git clone."""
    try:
        done = subprocess.run(
            ["git", "-C", str(root or paths.ROOT), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    commit = done.stdout.strip()
    return commit if done.returncode == 0 and re.fullmatch(r"[0-9a-f]{40}", commit) else None


@dataclass(frozen=True)
class _Inputs:
    """Everything shared by the notebooks of one build, hashed once."""

    parameters: ReportParameters
    manifest: Path
    documents: list[dict[str, str]]
    document_hashes: dict[str, str]
    coding: list[Path]
    coding_hashes: dict[str, str]
    package: str
    versions: dict[str, str]

    def digest_for(self, notebook: Path, injected: dict[str, Any]) -> str:
        record = {
            "format": STAMP_FORMAT,
            "notebook": _sha256_file(notebook),
            "package": self.package,
            "manifest": _sha256_file(self.manifest),
            "documents": self.document_hashes,
            "coding": self.coding_hashes,
            "parameters": injected,
            "versions": self.versions,
            "kernel_env": KERNEL_ENV,
        }
        return hashlib.sha256(json.dumps(record, sort_keys=True).encode()).hexdigest()


def _portable_path(path: Path) -> str:
    """A file's path relative to the project root when it lies inside it, so that two clones in
    different folders hash the same inputs to the same value."""
    resolved = path.resolve()
    try:
        return resolved.relative_to(paths.ROOT.resolve()).as_posix()
    except ValueError:
        return str(resolved)


def _gather_inputs(parameters: ReportParameters) -> _Inputs:
    manifest = Path(parameters.manifest) if parameters.manifest else paths.MANIFEST
    documents = _manifest_documents(manifest)
    document_hashes = {}
    for doc in documents:
        path = Path(doc["abs_path"])
        if not path.is_file():
            raise ReportError(
                f"manifest {manifest}: document {doc['path']!r} (doc_id {doc['doc_id']!r}) does "
                "not exist; check the manifest's path column"
            )
        document_hashes[doc["doc_id"]] = _sha256_file(path)
    coding = _coding_paths(parameters)
    return _Inputs(
        parameters=parameters,
        manifest=manifest,
        documents=documents,
        document_hashes=document_hashes,
        coding=coding,
        coding_hashes={_portable_path(p): _sha256_file(p) for p in coding},
        package=package_digest(),
        versions=library_versions(),
    )


def select_notebooks(notebooks: list[Path], only: Iterable[str] | None) -> list[Path]:
    """The notebooks ``only`` names (by name, file name or number prefix such as ``02``), in
    reading order; all of them when ``only`` is empty."""
    if not only:
        return notebooks
    chosen: list[Path] = []
    for want in only:
        key = Path(want).name.removesuffix(".ipynb")
        match = [nb for nb in notebooks if nb.stem == key or nb.stem.split("-", 1)[0] == key]
        if not match:
            names = ", ".join(nb.stem for nb in notebooks) or "none"
            raise ReportError(f"no notebook called {want!r}; the notebooks are: {names}")
        chosen.extend(m for m in match if m not in chosen)
    return sorted(chosen, key=lambda p: p.name)


def read_stamp(out: str | os.PathLike[str]) -> dict[str, Any]:
    """Return the build stamp of an output folder (empty if there is none or it is unreadable)."""
    path = Path(out) / "reports" / STAMP_NAME
    try:
        stamp = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {"format": STAMP_FORMAT, "notebooks": {}}
    if not isinstance(stamp, dict) or stamp.get("format") != STAMP_FORMAT:
        return {"format": STAMP_FORMAT, "notebooks": {}}
    stamp.setdefault("notebooks", {})
    return stamp


def _write_text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8", newline="\n")
    os.replace(tmp, path)


def _run_task(task: _Task) -> tuple[str, float, tuple[str, ...]]:
    """Execute and export one notebook (in a worker process); return its name, time, outputs."""
    import nbformat

    start = time.perf_counter()
    name = task.notebook.stem
    try:
        source = nbformat.read(task.notebook, as_version=4)
    except (OSError, ValueError) as exc:
        raise ReportError(f"notebook {task.notebook} cannot be read: {exc}") from None
    results = task.out / task.results_rel
    if results.exists():
        shutil.rmtree(results)  # a rebuilt notebook must not leave stale tables behind
    results.mkdir(parents=True)
    executed = execute_notebook(
        inject_parameters(source, task.parameters),
        name=name,
        cwd=task.out,
        timeout=task.timeout,
        engine=task.engine,
    )
    page = export_html(executed, title=name, code=task.code)
    _write_text(task.out / "reports" / f"{name}.html", page)
    outputs = tuple(
        p.relative_to(task.out).as_posix() for p in sorted(results.rglob("*")) if p.is_file()
    )
    return name, time.perf_counter() - start, outputs


def build_reports(
    *,
    notebooks_dir: str | os.PathLike[str] | None = None,
    out: str | os.PathLike[str] | None = None,
    parameters: ReportParameters | None = None,
    jobs: int | None = None,
    only: Sequence[str] | None = None,
    force: bool = False,
    timeout: int = 600,
    engine: Literal["auto", "subprocess", "inprocess"] = "auto",
    corpus_check: Any = None,
    memory_limit: float | None = None,
    progress: Callable[[str, str, float], None] | None = None,
    on_check: Callable[[Any], None] | None = None,
    code: CodeMode = "fold",
    scheduler: str | None = None,
) -> BuildResult:
    """Execute the report notebooks and write their HTML pages, results and an index.

    Parameters
    ----------
    notebooks_dir
        Folder of ``NN-name.ipynb`` notebooks; ``None`` means the project's ``notebooks/``.
    out
        Output folder receiving ``reports/`` and ``results/``; ``None`` means the project root.
    parameters
        Manifest, groups and coding files passed to every notebook.
    jobs
        Notebooks executed at once, each in its own process and kernel; ``None`` means
        ``os.cpu_count()``.
    only
        Build only these notebooks (``00-corpus``, ``00`` or a file name); the index still lists
        every report present.
    force
        Rebuild even notebooks whose inputs are unchanged.
    timeout
        Seconds a single cell may run.
    engine
        ``inprocess``: each notebook in a fresh in-process kernel, in its own process forked
        from this one after the libraries are imported once (:mod:`analysis.kernels`; much
        faster). ``subprocess``: a kernel process per notebook started through Jupyter, as
        nbconvert does. ``auto`` picks ``inprocess`` where processes can fork and hash
        randomisation is off (``PYTHONHASHSEED=0``, which reproducible output needs),
        else ``subprocess``.
    corpus_check
        The :class:`analysis.check.CorpusCheck` of this manifest, when the caller has run it
        already; else it is run here, once, when some notebook needs building (or when an input
        cannot be read, to name every problem).
    on_check
        Called with the check before any notebook starts (the command line prints it).
    memory_limit
        Address space each notebook's process may use, in GiB; ``None`` means three quarters of
        the machine's memory shared among the notebooks run at once
        (:func:`analysis.runner.default_memory_limit`), 0 means no limit. A notebook that needs
        more fails with a message saying so; the machine stays responsive.
    progress
        Called with ``(notebook, event, seconds)`` as notebooks start and end (``started``,
        ``done``, ``failed``).
    code
        How the pages show the code cells: ``fold`` (closed, one click away), ``hide`` or
        ``show`` (see :func:`export_html`). Changing it rebuilds the pages.
    scheduler
        Address of a Dask scheduler (``tcp://host:8786``) whose workers build the foundation
        tables (:mod:`analysis.cluster`; needs the ``scale`` extra); ``None``: worker
        processes on this machine. The tables, and so the reports, are the same either way.

    Returns
    -------
    BuildResult
        Per notebook: ``built`` or ``skipped``, its HTML path, input hash, seconds and outputs.

    Raises
    ------
    ReportError
        When a notebook fails (naming it, the cell and the exception) or an input is missing.
        The other notebooks are still built and indexed; the failed one keeps its previous page
        and tables, if it had any, as they were. A corpus that cannot be analysed (see
        :func:`analysis.check.check_corpus`) stops the build before any file is written.
    """
    parameters = (parameters or ReportParameters()).resolved()
    out_dir = Path(out).resolve() if out is not None else paths.ROOT
    notebooks = select_notebooks(list_notebooks(notebooks_dir), only)
    if not notebooks:
        raise ReportError(f"no NN-name.ipynb notebooks in {notebooks_dir or paths.NOTEBOOKS}")
    if jobs is not None and jobs < 1:
        raise ReportError(f"jobs must be at least 1, not {jobs}")
    if code not in CODE_MODES:
        raise ReportError(f"code={code!r}: choose one of {', '.join(CODE_MODES)}")
    if engine == "auto":
        engine = "inprocess" if _can_fork_warm() else "subprocess"
    try:
        inputs = _gather_inputs(parameters)
    except (CorpusError, ReportError):
        _checked(parameters, corpus_check, on_check)  # name every problem, not the first
        raise
    stamp = read_stamp(out_dir)
    recorded: dict[str, Any] = stamp["notebooks"]

    tasks: list[_Task] = []
    skipped: list[NotebookBuild] = []
    for notebook in notebooks:
        name = notebook.stem
        injected = {
            "manifest": parameters.manifest,
            "results_dir": f"results/{name}",
            "groups": None if parameters.groups is None else list(parameters.groups),
            "compare": (
                parameters.compare
                if parameters.compare is None or isinstance(parameters.compare, str)
                else list(parameters.compare)
            ),
            "coding_files": (
                None if parameters.coding_files is None else list(parameters.coding_files)
            ),
            "alpha": parameters.alpha,
        }
        digest = inputs.digest_for(notebook, {**injected, "code": code})
        html_path = out_dir / "reports" / f"{name}.html"
        previous = recorded.get(name, {})
        fresh = (
            not force
            and previous.get("input_hash") == digest
            and html_path.is_file()
            and all((out_dir / o).is_file() for o in previous.get("outputs", []))
        )
        if fresh:
            if progress is not None:
                progress(name, "skipped", 0.0)
            skipped.append(
                NotebookBuild(name, "skipped", html_path, digest, 0.0, tuple(previous["outputs"]))
            )
        else:
            tasks.append(
                _Task(notebook, out_dir, injected, f"results/{name}", timeout, digest, engine, code)
            )

    if tasks:
        # Every problem of every document, once, before any notebook starts or any file is
        # written (a build with nothing to rebuild has checked this corpus before).
        _checked(parameters, corpus_check, on_check)
        _prepare_tables(
            parameters,
            progress,
            jobs=jobs or os.cpu_count() or 1,
            warm=engine == "inprocess",
            scheduler=scheduler,
        )
    (out_dir / "reports").mkdir(parents=True, exist_ok=True)
    # A notebook that fails leaves its previous page and tables as they were: its results are
    # set aside before it runs and put back if it fails (its page is only written on success).
    previous = {t.notebook.stem: _set_aside(out_dir / t.results_rel) for t in tasks}
    pages = {
        t.notebook.stem: _copy_aside(out_dir / "reports" / f"{t.notebook.stem}.html") for t in tasks
    }
    from analysis.runner import GIB, default_memory_limit

    workers = jobs or os.cpu_count() or 1
    limit = (
        default_memory_limit(min(workers, max(1, len(tasks))))
        if memory_limit is None
        else int(memory_limit * GIB)
    )
    timings = _Timings(parameters.manifest)
    tasks.sort(key=lambda t: -timings.expected(t.notebook))  # longest first (stable)
    try:
        built, failures = _run_tasks(tasks, workers, memory_limit=limit, progress=progress)
        timings.record({name: seconds for name, (seconds, _) in built.items()})
    except BaseException:
        # Interrupted (Ctrl-C): the children are stopped; put every page and table back.
        for task in tasks:
            name = task.notebook.stem
            results_path, backup = out_dir / task.results_rel, previous[name]
            if results_path.exists():
                shutil.rmtree(results_path)
            if backup is not None:
                os.replace(backup, results_path)
            page = out_dir / "reports" / f"{name}.html"
            aside = pages[name]
            if aside is not None:
                os.replace(aside, page)
            else:
                page.unlink(missing_ok=True)
        raise
    for page_backup in pages.values():
        if page_backup is not None:
            page_backup.unlink(missing_ok=True)
    for task in tasks:
        name = task.notebook.stem
        results_path, backup = out_dir / task.results_rel, previous[name]
        if name in built:
            seconds, outputs = built[name]
            recorded[name] = {"input_hash": task.input_hash, "outputs": list(outputs)}
            if backup is not None:
                shutil.rmtree(backup, ignore_errors=True)
        else:
            if results_path.exists():
                shutil.rmtree(results_path)
            if backup is not None:
                os.replace(backup, results_path)
    _write_text(
        out_dir / "reports" / STAMP_NAME, json.dumps(stamp, indent=1, sort_keys=True) + "\n"
    )
    index = write_index(out_dir, notebooks_dir=notebooks_dir, inputs=inputs, stamp=stamp)
    if failures:
        raise ReportError("; ".join(failures[name] for name in sorted(failures)))
    results = skipped + [
        NotebookBuild(
            t.notebook.stem,
            "built",
            out_dir / "reports" / f"{t.notebook.stem}.html",
            t.input_hash,
            built[t.notebook.stem][0],
            built[t.notebook.stem][1],
        )
        for t in tasks
    ]
    return BuildResult(out_dir, index, tuple(sorted(results, key=lambda r: r.name)))


def _checked(
    parameters: ReportParameters, corpus_check: Any, on_check: Callable[[Any], None] | None
) -> None:
    """Run the corpus check (unless given), report it, and stop on a fatal problem."""
    from analysis.check import check_corpus, require_analysable

    check = corpus_check or check_corpus(parameters.manifest)
    if on_check is not None:
        on_check(check)
    require_analysable(check)


class _Timings:
    """How long each notebook took on a corpus in earlier builds, so that a build can start the
    longest first (with two workers and six notebooks, starting the longest last can leave one
    core idle for a minute). Kept beside the table cache, never in the build's outputs (which
    must be byte-identical); a missing or unreadable record keeps the notebooks' order."""

    def __init__(self, manifest: str | None) -> None:
        from analysis.tablestore import cache_root

        root = cache_root()
        self.path = None if root is None else root / "build-seconds.json"
        self.key = str(Path(manifest).resolve()) if manifest else "seeds"
        try:
            record = json.loads(self.path.read_text(encoding="utf-8")) if self.path else {}
        except (OSError, ValueError):
            record = {}
        self.all = record if isinstance(record, dict) else {}
        seconds = self.all.get(self.key, {})
        self.seconds = seconds if isinstance(seconds, dict) else {}

    def expected(self, notebook: Path) -> float:
        """Seconds the notebook took last time on this corpus; without a record, the relative
        cost its metadata declares (``"analysis": {"cost": N}``), else 0."""
        value = self.seconds.get(notebook.stem)
        if isinstance(value, (int, float)):
            return float(value)
        try:
            meta = json.loads(notebook.read_text(encoding="utf-8")).get("metadata", {})
            cost = meta.get("analysis", {}).get("cost", 0)
        except (OSError, ValueError, AttributeError):
            return 0.0
        return float(cost) if isinstance(cost, (int, float)) else 0.0

    def record(self, seconds: dict[str, float]) -> None:
        if self.path is None or not seconds:
            return
        self.all[self.key] = {**self.seconds, **{k: round(v, 1) for k, v in seconds.items()}}
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.path.write_text(json.dumps(self.all, sort_keys=True), encoding="utf-8")
        except OSError:
            pass


def _prepare_tables(
    parameters: ReportParameters,
    progress: Callable[[str, str, float], None] | None,
    jobs: int = 1,
    warm: bool = False,
    scheduler: str | None = None,
) -> None:
    """Build the corpus's foundation tables once, into the table cache every notebook reads
    (:func:`analysis.pipeline.build`), so that no notebook segments and tokenises the corpus
    again; with ``scheduler``, on that Dask cluster. Without a cache (``ANALYSIS_CACHE=off``)
    each notebook builds its own."""
    from analysis import pipeline, tablestore
    from analysis.cluster import scheduler_executor

    if tablestore.cache_root() is None:
        return
    start = time.perf_counter()
    if progress is not None:
        progress("foundation tables", "started", 0.0)
    # the libraries the in-process kernels need are imported while the workers build
    from analysis.kernels import warm_up

    with scheduler_executor(scheduler) as executor:
        pipeline.build(
            parameters.manifest,
            jobs=None if executor else jobs,
            executor=executor,
            while_waiting=warm_up if warm else None,
            tokens=True,
            progress=getattr(progress, "documents", None),
        )
    if progress is not None:
        progress("foundation tables", "done", time.perf_counter() - start)


def _copy_aside(page: Path) -> Path | None:
    """Keep a copy of a page until its notebook has been rebuilt; return it (None if none)."""
    if not page.is_file():
        return None
    backup = page.with_name(f".{page.name}.previous")
    shutil.copy2(page, backup)
    return backup


def _set_aside(results: Path) -> Path | None:
    """Move a notebook's previous results out of the way; return where (None if none)."""
    if not results.exists():
        return None
    backup = results.with_name(f".{results.name}.previous")
    if backup.exists():
        shutil.rmtree(backup)
    os.replace(results, backup)
    return backup


def _run_tasks(
    tasks: list[_Task],
    jobs: int,
    *,
    memory_limit: int = 0,
    progress: Callable[[str, str, float], None] | None = None,
) -> tuple[dict[str, tuple[float, tuple[str, ...]]], dict[str, str]]:
    """Run each task in a child process of its own (:func:`analysis.runner.run_isolated`).

    With the in-process engine the libraries are imported here once, before the children are
    forked. A child that dies (killed, out of memory, crashed) fails its notebook with the cause;
    the others go on.
    """
    from analysis.runner import run_isolated

    built: dict[str, tuple[float, tuple[str, ...]]] = {}
    failures: dict[str, str] = {}
    if not tasks:
        return built, failures
    if tasks[0].engine == "inprocess":
        from analysis.kernels import warm_up

        warm_up()
    outcomes = run_isolated(
        [(t.notebook.stem, t) for t in tasks],
        _run_task,
        jobs=min(jobs, len(tasks)),
        memory_limit=memory_limit,
        on_event=progress,
    )
    for outcome in outcomes:
        if outcome.ok:
            _, seconds, outputs = outcome.value
            built[outcome.name] = (seconds, outputs)
        else:
            error = outcome.error
            if not error.startswith(f"notebook {outcome.name}"):
                error = f"notebook {outcome.name}: {error}"
            failures[outcome.name] = error
    return built, failures


def _can_fork_warm() -> bool:
    import multiprocessing

    return sys.flags.hash_randomization == 0 and "fork" in multiprocessing.get_all_start_methods()


# --------------------------------------------------------------------------------------------
# The index page
# --------------------------------------------------------------------------------------------


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
    inputs: _Inputs | None = None,
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
    inputs = inputs or _gather_inputs((parameters or ReportParameters()).resolved())
    stamp = stamp if stamp is not None else read_stamp(out_dir)
    e = html.escape
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        _CSP_META,
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
    _write_text(path, "\n".join(p for p in parts if p))
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


__all__ = [
    "BuildResult",
    "NotebookBuild",
    "ReportParameters",
    "build_reports",
    "execute_notebook",
    "export_html",
    "git_commit",
    "groups_to_compare",
    "inject_parameters",
    "library_versions",
    "list_notebooks",
    "select_notebooks",
    "notebook_summary",
    "package_digest",
    "read_stamp",
    "resolve_results_dir",
    "sanitize_html",
    "save_figure",
    "save_table",
    "show_figure",
    "strip_volatile",
    "summarise_build",
    "with_contents",
    "write_index",
]
