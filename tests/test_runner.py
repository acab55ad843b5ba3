"""A build that ends: a kernel killed or out of memory fails its notebook, named, within seconds;
the other notebooks finish; Ctrl-C stops everything and leaves the previous reports in place."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from analysis import report
from analysis.errors import ReportError
from analysis.report.runner import GIB, default_memory_limit, describe_exit, run_isolated

ENGINES = ["subprocess", "inprocess"]


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


def _parameters() -> nbformat.NotebookNode:
    return new_code_cell(
        "manifest = None\nresults_dir = None\ngroups = None\ncoding_files = None\ncompare = None",
        metadata={"tags": ["parameters"]},
    )


def _notebooks(folder: Path, bad_source: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    good = _notebook(
        new_markdown_cell("# Good\n\nA report that works."),
        _parameters(),
        new_code_cell("x = 1\nx"),
    )
    for name in ("00-good", "02-also-good"):
        nbformat.write(good, folder / f"{name}.ipynb")
    bad = _notebook(
        new_markdown_cell("# Bad\n\nA report whose kernel dies."),
        _parameters(),
        new_code_cell("y = 2"),
        new_code_cell(bad_source),
    )
    nbformat.write(bad, folder / "01-bad.ipynb")
    return folder


def _skip_without_fast_engine(engine: str) -> None:
    if engine == "inprocess" and sys.flags.hash_randomization != 0:
        pytest.skip("the in-process engine needs PYTHONHASHSEED=0 (make test sets it)")


@pytest.mark.slow
@pytest.mark.parametrize("engine", ENGINES)
def test_a_killed_kernel_fails_its_notebook_only(tmp_path: Path, engine: str) -> None:
    _skip_without_fast_engine(engine)
    folder = _notebooks(tmp_path / "nbs", "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)")
    out = tmp_path / "out"
    start = time.monotonic()
    with pytest.raises(ReportError) as info:
        report.build_reports(
            notebooks_dir=folder,
            out=out,
            jobs=2,
            engine=engine,
            parameters=report.ReportParameters(coding_files=()),
        )
    assert time.monotonic() - start < 120
    message = str(info.value)
    assert message.startswith("notebook 01-bad")
    assert "SIGKILL" in message or "killed the kernel" in message
    assert "\n" not in message
    for name in ("00-good", "02-also-good"):
        assert (out / "reports" / f"{name}.html").is_file()
    assert not (out / "reports" / "01-bad.html").exists()


@pytest.mark.slow
@pytest.mark.parametrize("engine", ENGINES)
def test_a_runaway_notebook_hits_the_memory_limit(tmp_path: Path, engine: str) -> None:
    _skip_without_fast_engine(engine)
    folder = _notebooks(tmp_path / "nbs", "hog = bytearray(40 * 1024 ** 3)")
    with pytest.raises(ReportError) as info:
        report.build_reports(
            notebooks_dir=folder,
            out=tmp_path / "out",
            jobs=2,
            engine=engine,
            memory_limit=3,
            parameters=report.ReportParameters(coding_files=()),
        )
    message = str(info.value)
    assert message.startswith("notebook 01-bad") and "MemoryError" in message
    assert "cell 3" in message


def _die(item: str) -> str:
    if item == "kill":
        os.kill(os.getpid(), signal.SIGKILL)
    if item == "segv":
        import faulthandler

        faulthandler.disable()  # pytest's crash dump would flood the log
        os.kill(os.getpid(), signal.SIGSEGV)
    if item == "raise":
        raise ValueError("broken on purpose")
    if item == "exit":
        os._exit(3)
    return item.upper()


def test_run_isolated_names_every_way_a_child_ends() -> None:
    events: list[tuple[str, str]] = []
    outcomes = run_isolated(
        [(x, x) for x in ("ok", "kill", "segv", "raise", "exit", "fine")],
        _die,
        jobs=2,
        on_event=lambda name, event, seconds: events.append((name, event)),
    )
    by = {o.name: o for o in outcomes}
    assert [o.name for o in outcomes] == ["ok", "kill", "segv", "raise", "exit", "fine"]
    assert by["ok"].ok and by["ok"].value == "OK" and by["fine"].value == "FINE"
    assert "SIGKILL" in by["kill"].error and "out-of-memory" in by["kill"].error
    assert "SIGSEGV" in by["segv"].error
    assert by["raise"].error == "ValueError: broken on purpose"
    assert "status 3" in by["exit"].error
    assert ("kill", "failed") in events and ("ok", "done") in events
    assert sum(1 for _, e in events if e == "started") == 6


def _sleep(seconds: float) -> float:
    time.sleep(seconds)
    return seconds


class _InterruptsWhenCollected:
    """Sends this process a Ctrl-C from its finaliser (as when the signal lands while the
    garbage collector runs one): Python's own handler would raise KeyboardInterrupt inside
    ``__del__``, where it is printed and dropped."""

    def __del__(self) -> None:
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(0.05)  # the handler runs here, inside the finaliser


def test_a_ctrl_c_during_a_finaliser_still_stops_the_children() -> None:
    def collect(name: str, event: str, seconds: float) -> None:
        if event == "started":
            _InterruptsWhenCollected()  # made and collected at once

    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        run_isolated([("slow", 60.0)], _sleep, jobs=1, on_event=collect, poll=0.1)
    assert time.monotonic() - started < 30  # not after the child's minute
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # put back


def test_default_memory_limit() -> None:
    assert default_memory_limit(1) >= default_memory_limit(4) >= 2 * GIB
    assert "SIGABRT" in describe_exit(-6, 3 * GIB) and "3.0 GiB" in describe_exit(-6, 3 * GIB)


@pytest.mark.slow
def test_ctrl_c_stops_the_build_and_keeps_the_previous_reports(tmp_path: Path) -> None:
    folder = _notebooks(tmp_path / "nbs", "z = 3")
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    command = [
        sys.executable,
        "-m",
        "analysis",
        "report",
        "--notebooks",
        str(folder),
        "--out",
        str(out),
    ]
    first = subprocess.run(
        command, capture_output=True, text=True, env=env, timeout=300, check=False
    )
    assert first.returncode == 0, first.stderr
    pages = {p.name: p.read_bytes() for p in (out / "reports").glob("*.html")}
    slow = _notebook(
        new_markdown_cell("# Slow"), _parameters(), new_code_cell("import time\ntime.sleep(120)")
    )
    nbformat.write(slow, folder / "01-bad.ipynb")
    # A build started from a background job inherits an ignored SIGINT; a terminal's does not.
    process = subprocess.Popen(
        [*command, "--force"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        deadline = time.monotonic() + 60
        while (
            time.monotonic() < deadline and not (out / "reports" / ".01-bad.html.previous").exists()
        ):
            time.sleep(0.2)
        time.sleep(3)
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 130, err
    assert "interrupted" in err and "Traceback" not in err
    assert {p.name: p.read_bytes() for p in (out / "reports").glob("*.html")} == pages
    assert not list(out.rglob("*.previous"))
    leftover = subprocess.run(
        ["pgrep", "-f", "time.sleep\\(120\\)"], capture_output=True, text=True, check=False
    )
    assert leftover.stdout.strip() == ""
