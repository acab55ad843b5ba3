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

The package, by stage (every name re-exported here, so ``analysis.report.build_reports``,
``save_table`` and the other names of the design keep working):

``parameters``
    What a build is asked for and what it did.
``execute``
    Notebooks found, parameters injected, run headless, stripped of what changes per run.
``kernels``, ``runner``
    The two ways a notebook runs: a warm in-process kernel forked from the parent, or a process
    of its own with time and memory limits.
``outputs``
    The tables and figures notebooks save, with pinned metadata.
``html``
    Sanitised, self-contained HTML pages.
``inputs``
    A build's inputs hashed; the stamp that lets an unchanged notebook be skipped.
``build``
    The build itself.
``index``
    The index page and the terminal summary.
"""

from __future__ import annotations

from analysis.compare import groups_to_compare
from analysis.present import findings_side_by_side, quote_text
from analysis.report.build import build_reports, select_notebooks
from analysis.report.execute import (
    INJECTED_TAG,
    KERNEL_ENV,
    PARAMETERS_TAG,
    Engine,
    execute_notebook,
    inject_parameters,
    list_notebooks,
    strip_volatile,
)
from analysis.report.html import (
    CODE_MODES,
    CSP,
    CSP_META,
    CodeMode,
    export_html,
    sanitize_html,
    with_contents,
)
from analysis.report.index import INDEX_DOCUMENTS, notebook_summary, summarise_build, write_index
from analysis.report.inputs import (
    KEY_PACKAGES,
    STAMP_FORMAT,
    STAMP_NAME,
    BuildInputs,
    gather_inputs,
    git_commit,
    library_versions,
    package_digest,
    read_stamp,
)
from analysis.report.outputs import (
    CSV_FLOAT_FORMAT,
    SVG_HASHSALT,
    resolve_results_dir,
    save_figure,
    save_table,
    show_figure,
    write_text_atomic,
)
from analysis.report.parameters import ALPHA, BuildResult, NotebookBuild, ReportParameters

__all__ = [
    "ALPHA",
    "BuildInputs",
    "BuildResult",
    "CODE_MODES",
    "CSP",
    "CSP_META",
    "CSV_FLOAT_FORMAT",
    "CodeMode",
    "Engine",
    "INDEX_DOCUMENTS",
    "INJECTED_TAG",
    "KERNEL_ENV",
    "KEY_PACKAGES",
    "NotebookBuild",
    "PARAMETERS_TAG",
    "ReportParameters",
    "STAMP_FORMAT",
    "STAMP_NAME",
    "SVG_HASHSALT",
    "build_reports",
    "execute_notebook",
    "export_html",
    "findings_side_by_side",
    "gather_inputs",
    "git_commit",
    "groups_to_compare",
    "inject_parameters",
    "library_versions",
    "list_notebooks",
    "notebook_summary",
    "package_digest",
    "quote_text",
    "read_stamp",
    "resolve_results_dir",
    "sanitize_html",
    "save_figure",
    "save_table",
    "select_notebooks",
    "show_figure",
    "strip_volatile",
    "summarise_build",
    "with_contents",
    "write_index",
    "write_text_atomic",
]
