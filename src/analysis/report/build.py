"""The build: every notebook run (in parallel, each in a process of its own or a warm fork),
exported and stamped, the shared tables prepared once, the index written."""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from analysis import paths
from analysis.errors import CorpusError, ReportError

if TYPE_CHECKING:
    pass
from analysis.report.execute import Engine, execute_notebook, inject_parameters, list_notebooks
from analysis.report.html import CODE_MODES, CodeMode, export_html
from analysis.report.index import write_index
from analysis.report.inputs import STAMP_NAME, gather_inputs, read_stamp
from analysis.report.outputs import write_text_atomic
from analysis.report.parameters import BuildResult, NotebookBuild, ReportParameters


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
    write_text_atomic(task.out / "reports" / f"{name}.html", page)
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
        from this one after the libraries are imported once (:mod:`analysis.report.kernels`; much
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
        (:func:`analysis.report.runner.default_memory_limit`), 0 means no limit. A notebook
        that needs more fails with a message saying so; the machine stays responsive.
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
        inputs = gather_inputs(parameters)
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
    from analysis.report.runner import GIB, default_memory_limit

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
    write_text_atomic(
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
    from analysis.report.kernels import warm_up

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
    """Run each task in a child process of its own (:func:`analysis.report.runner.run_isolated`).

    With the in-process engine the libraries are imported here once, before the children are
    forked. A child that dies (killed, out of memory, crashed) fails its notebook with the cause;
    the others go on.
    """
    from analysis.report.runner import run_isolated

    built: dict[str, tuple[float, tuple[str, ...]]] = {}
    failures: dict[str, str] = {}
    if not tasks:
        return built, failures
    if tasks[0].engine == "inprocess":
        from analysis.report.kernels import warm_up

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
