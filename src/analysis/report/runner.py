"""Run report notebooks in processes of their own, and always come back with an answer.

Each notebook runs in a child process (forked, in a process group of its own, so that a kernel
process it starts goes with it). The parent waits on the children's result pipes *and* on their
exit, so a child that dies without answering (killed by the out-of-memory killer, a segfault, an
abort from ``std::bad_alloc``) is noticed at once and named with its cause; the other notebooks
go on. A per-process memory limit (``RLIMIT_AS``, inherited by a kernel process the child starts)
turns a runaway notebook into a ``MemoryError`` in that notebook instead of a machine-wide
out-of-memory event. Ctrl-C kills every child's process group before it returns.

This replaces ``multiprocessing.Pool``, which waits forever for a result from a worker that died.
It needs fork and process groups (Linux, macOS).
"""

from __future__ import annotations

import os
import resource
import signal
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["GIB", "Outcome", "default_memory_limit", "describe_exit", "run_isolated"]

GIB = 1024**3
#: Never set a per-notebook limit below this: importing the scientific stack needs about 1 GiB
#: of address space.
MIN_LIMIT = 2 * GIB


@dataclass(frozen=True)
class Outcome:
    """What one child reported: ``ok`` with its value, or an error message."""

    name: str
    ok: bool
    value: Any = None
    error: str = ""
    seconds: float = 0.0


def default_memory_limit(jobs: int) -> int:
    """Address-space limit per notebook: three quarters of the machine's memory over ``jobs``.

    Never below :data:`MIN_LIMIT`; 0 (no limit) where the machine's memory cannot be read.
    """
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return 0
    return max(MIN_LIMIT, int(total * 0.75) // max(1, jobs))


def describe_exit(exitcode: int | None, memory_limit: int) -> str:
    """Say in words why a child ended without reporting.

    Examples
    --------
    >>> describe_exit(-9, 0)
    'killed by signal SIGKILL (the system out-of-memory killer, or someone, killed it)'
    >>> describe_exit(3, 0)
    'exited with status 3 without reporting'
    """
    limit = f" (limit {memory_limit / GIB:.1f} GiB)" if memory_limit else ""
    if exitcode is None:
        return "did not end"
    if exitcode < 0:
        sig = -exitcode
        try:
            name = signal.Signals(sig).name
        except ValueError:
            name = f"signal {sig}"
        why = {
            "SIGKILL": "the system out-of-memory killer, or someone, killed it",
            "SIGSEGV": "a crash in compiled code",
            "SIGABRT": f"an abort, as C++ code does when it runs out of memory{limit}",
            "SIGBUS": "a crash in compiled code",
            "SIGTERM": "it was asked to stop",
        }.get(name, "a signal")
        return f"killed by signal {name} ({why})"
    return f"exited with status {exitcode} without reporting"


def _child(target: Callable[[Any], Any], item: Any, conn: Any, memory_limit: int) -> None:
    os.setpgid(0, 0)  # a process group of its own: a kernel it starts is stopped with it
    if memory_limit:
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        limit = memory_limit if hard == resource.RLIM_INFINITY else min(memory_limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    start = time.perf_counter()
    try:
        message: tuple[Any, ...] = ("ok", target(item), time.perf_counter() - start)
    except MemoryError:
        message = (
            "error",
            f"ran out of memory (limit {memory_limit / GIB:.1f} GiB; raise it "
            "with --memory-limit, or give the build fewer --jobs)",
            0.0,
        )
    except BaseException as exc:  # noqa: BLE001 - everything is reported, nothing is lost
        message = (
            "error",
            str(exc) if exc.__class__.__name__ == "ReportError" else f"{type(exc).__name__}: {exc}",
            0.0,
        )
    try:
        conn.send(message)
    finally:
        conn.close()


def _stop(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def run_isolated(
    items: Sequence[tuple[str, Any]],
    target: Callable[[Any], Any],
    *,
    jobs: int,
    memory_limit: int = 0,
    on_event: Callable[[str, str, float], None] | None = None,
    poll: float = 0.5,
) -> list[Outcome]:
    """Run ``target(item)`` for each ``(name, item)`` in a forked child, ``jobs`` at a time.

    Parameters
    ----------
    items
        Names (for messages) and the arguments of ``target``.
    target
        Called in the child; its return value is sent back (it must pickle).
    jobs
        Children at once.
    memory_limit
        Address-space limit of each child in bytes (0: none).
    on_event
        Called in the parent with ``(name, event, seconds)``: ``started``, ``done``,
        ``failed``.
    poll
        Seconds between checks of the children (a result or an exit wakes the parent at once).

    Returns
    -------
    list of Outcome
        One per item, in the order of ``items``. A child that died names its cause.

    Raises
    ------
    KeyboardInterrupt
        After killing every running child and its process group. While the children run, a
        Ctrl-C is noted by a handler and acted on in this loop (within ``poll`` seconds):
        Python's own handler raises where the main thread happens to be, and a
        ``KeyboardInterrupt`` raised inside an object's finaliser is printed and dropped, so
        the build would go on.
    """
    import multiprocessing
    import threading
    from multiprocessing.connection import wait

    context = multiprocessing.get_context("fork")
    pending = list(items)
    running: dict[str, tuple[Any, Any, float]] = {}
    outcomes: dict[str, Outcome] = {}
    notify = on_event or (lambda name, event, seconds: None)
    interrupted: list[int] = []
    previous = None
    if (
        threading.current_thread() is threading.main_thread()
        and signal.getsignal(signal.SIGINT) is signal.default_int_handler
    ):  # (an ignored Ctrl-C, as in a background job, stays ignored)
        previous = signal.signal(signal.SIGINT, lambda signum, frame: interrupted.append(signum))
    try:
        while pending or running:
            if interrupted:
                raise KeyboardInterrupt
            while pending and len(running) < max(1, jobs):
                name, item = pending.pop(0)
                receive, send = context.Pipe(duplex=False)
                process = context.Process(
                    target=_child, args=(target, item, send, memory_limit), name=f"report-{name}"
                )
                process.start()
                send.close()
                running[name] = (process, receive, time.perf_counter())
                notify(name, "started", 0.0)
            handles = [h for p, r, _ in running.values() for h in (r, p.sentinel)]
            wait(handles, timeout=poll)
            if interrupted:
                raise KeyboardInterrupt
            for name, (process, receive, started) in list(running.items()):
                message = None
                if receive.poll():
                    try:
                        message = receive.recv()
                    except (EOFError, OSError):
                        message = None
                elif process.is_alive():
                    continue
                process.join(timeout=5)
                if process.is_alive():
                    _stop(process.pid)
                    process.join()
                else:
                    _stop(process.pid)  # a kernel left behind in its group goes too
                receive.close()
                seconds = time.perf_counter() - started
                if message is None:
                    error = f"its process {describe_exit(process.exitcode, memory_limit)}"
                    outcomes[name] = Outcome(name, False, error=error, seconds=seconds)
                elif message[0] == "ok":
                    outcomes[name] = Outcome(name, True, value=message[1], seconds=message[2])
                else:
                    outcomes[name] = Outcome(name, False, error=message[1], seconds=seconds)
                del running[name]
                notify(name, "done" if outcomes[name].ok else "failed", seconds)
    except BaseException:
        for process, receive, _ in running.values():
            _stop(process.pid)
            process.join(timeout=5)
            receive.close()
        raise
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)
    return [outcomes[name] for name, _ in items]
