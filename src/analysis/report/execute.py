"""Notebooks found, their parameters injected, run headless from a fresh kernel, stripped of
what changes from run to run."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from analysis import paths
from analysis.errors import ReportError

if TYPE_CHECKING:
    from nbformat import NotebookNode


Engine = Literal["subprocess", "inprocess"]
PARAMETERS_TAG = "parameters"
INJECTED_TAG = "injected-parameters"
#: Environment of every report kernel: fixed hash seed, and a fixed "now" for libraries that
#: honour SOURCE_DATE_EPOCH (matplotlib's SVG/PDF dates).
KERNEL_ENV: dict[str, str] = {"PYTHONHASHSEED": "0", "SOURCE_DATE_EPOCH": "0"}
_NOTEBOOK_NAME = re.compile(r"\d{2}-[A-Za-z0-9][A-Za-z0-9_-]*")
_DROPPED_MIME = ("application/vnd.jupyter.widget-view+json", "application/javascript")


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
    :mod:`analysis.report.kernels`), which must then be a process of its own for this notebook.
    """
    import copy

    if engine == "inprocess":
        from analysis.report.kernels import CellError, run_inprocess

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
        # Inline matplotlib support on, as in the in-process engine (analysis.report.kernels),
        # so both engines display figures the same way.
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
