"""Run a notebook in a fresh in-process IPython kernel, in a process forked from a warm parent.

A report build spends most of its time starting kernels and importing pandas, matplotlib,
scikit-learn and nltk into each of them, not running the notebooks. Here the build's parent
process imports those libraries once (:func:`warm_up`); each notebook then runs in its own
forked child, in a new ipykernel ``InProcessKernel`` (a real IPython kernel: same display
publisher, display hook and inline matplotlib backend as a kernel started by Jupyter, talking over
in-memory channels instead of ZeroMQ). The child has executed nothing before the notebook, so the
kernel is as fresh as one started from scratch; the imports it needs are already in memory.

Hash randomisation must be off in the parent (``PYTHONHASHSEED=0``) for builds to be
reproducible, since a forked child keeps its parent's hash seed; the report build falls back to
Jupyter's own subprocess kernels when it is not.
"""

from __future__ import annotations

import copy
import importlib
import os
import signal
from dataclasses import dataclass
from typing import Any

from nbformat import NotebookNode

#: Imported by :func:`warm_up` before the build forks its workers.
WARM_MODULES: tuple[str, ...] = (
    "numpy",
    "pandas",
    "scipy.stats",
    "scipy.sparse",
    "sklearn.feature_extraction.text",
    "sklearn.metrics",
    "matplotlib.pyplot",
    "matplotlib_inline.backend_inline",
    "nltk",
    "openpyxl",
    "ipywidgets",
    "IPython.display",
    "ipykernel.inprocess.manager",
    "analysis.pipeline",
    "analysis.counts",
    "analysis.stats",
    "analysis.tfidf",
    "analysis.concordance",
    "analysis.plots",
    "analysis.coding",
    "analysis.agreement",
    "analysis.frames",
    "analysis.report",
)


@dataclass(frozen=True)
class CellError(Exception):
    """A cell raised, or ran past its time limit."""

    index: int
    ename: str
    evalue: str

    def __str__(self) -> str:
        return f"{self.ename}: {self.evalue}"


def warm_up(modules: tuple[str, ...] = WARM_MODULES) -> None:
    """Import the libraries notebooks use, so forked children start with them loaded."""
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")  # quiet debugpy notice
    for name in modules:
        try:
            importlib.import_module(name)
        except ImportError:  # optional: a notebook that needs it will say so itself
            continue


def _timeout_handler(signum: int, frame: Any) -> None:
    raise TimeoutError("cell time limit reached")


def _append(outputs: list[NotebookNode], output: NotebookNode) -> None:
    last = outputs[-1] if outputs else None
    if (
        output.output_type == "stream"
        and last is not None
        and last.output_type == "stream"
        and last.name == output.name
    ):
        last.text += output.text
    else:
        outputs.append(output)


def _forget_inherited_shell() -> None:
    """Drop an IPython shell singleton this process inherited from its parent (a test runner or
    a notebook may have made one), so the notebook's kernel gets a shell of its own."""
    from IPython.core.interactiveshell import InteractiveShell

    if InteractiveShell.initialized():
        type(InteractiveShell.instance()).clear_instance()


def run_inprocess(
    notebook: NotebookNode,
    *,
    cwd: str | os.PathLike[str],
    timeout: int = 600,
    env: dict[str, str] | None = None,
) -> NotebookNode:
    """Execute every code cell of a notebook in a new in-process kernel; return the copy.

    Call it in a process of its own (the build forks one per notebook): the kernel's state lives
    in this process. Raises :class:`CellError` for the first cell that fails.
    """
    from ipykernel.inprocess.manager import InProcessKernelManager
    from nbformat.v4 import output_from_msg

    os.environ.update(env or {})
    os.chdir(cwd)
    nb = copy.deepcopy(notebook)
    _forget_inherited_shell()
    manager = InProcessKernelManager()
    manager.start_kernel()
    client = manager.client()
    client.start_channels()
    manager.kernel.shell.enable_matplotlib("inline")  # type: ignore[union-attr]
    client.kernel_info()
    info = client.get_shell_msg(timeout=timeout)
    nb.metadata["language_info"] = info["content"].get("language_info", {})
    client.iopub_channel.get_msgs()
    previous = signal.signal(signal.SIGALRM, _timeout_handler)
    try:
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            cell.outputs = []
            if not cell.source.strip():
                cell.execution_count = None
                continue
            signal.alarm(max(1, int(timeout)))
            try:
                msg_id = client.execute(cell.source, allow_stdin=False)
                reply = client.get_shell_msg(timeout=timeout)
            finally:
                signal.alarm(0)
            clear_pending = False
            for msg in client.iopub_channel.get_msgs():
                if msg["parent_header"].get("msg_id") != msg_id:
                    continue
                kind = msg["msg_type"]
                if kind == "clear_output":
                    if msg["content"].get("wait"):
                        clear_pending = True
                    else:
                        cell.outputs = []
                    continue
                if kind not in ("stream", "display_data", "execute_result", "error"):
                    continue
                if clear_pending:
                    cell.outputs, clear_pending = [], False
                _append(cell.outputs, output_from_msg(msg))
            content = reply["content"]
            cell.execution_count = content.get("execution_count")
            if content.get("status") != "ok":
                raise CellError(index, content.get("ename", "Error"), content.get("evalue", ""))
    finally:
        signal.signal(signal.SIGALRM, previous)
        client.stop_channels()
        manager.shutdown_kernel()
    return nb
