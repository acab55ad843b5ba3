"""Progress of a long build on the terminal.

Where the stream is an interactive terminal, :class:`BuildProgress` keeps one status line at the
bottom, redrawn in place every second: a bar of the steps finished, and what is running with
its elapsed time. Each step that ends (done, failed, skipped) is printed above it as a plain
line, so the scrollback keeps the record. Where the stream is not a terminal (a CI log, a file,
a pipe) it prints only the plain lines, one per event, and never a control character.
"""

from __future__ import annotations

import shutil
import sys
import threading
import time
from collections.abc import Callable, Collection
from typing import TextIO

BAR_WIDTH = 20


class BuildProgress:
    """A callback ``(name, event, seconds)`` for :func:`analysis.report.build_reports`.

    Parameters
    ----------
    steps
        Names of the steps the bar counts (the notebooks); other names (a preparation step
        such as the foundation tables) are shown while they run and printed when they end,
        but not counted. ``None``: count every step, without a total.
    stream
        Where to write (default ``sys.stderr``).
    interactive
        Redraw a status line in place; default: whether ``stream`` is a terminal.
    tick
        Seconds between redraws of the status line (0: only on events).
    clock
        A monotonic clock (for tests).

    Events are ``started``, ``done``, ``failed`` and ``skipped``; ``seconds`` is the time the
    step took. Call :meth:`close` (or use it as a context manager) when the build ends.
    """

    def __init__(
        self,
        steps: Collection[str] | None = None,
        *,
        stream: TextIO | None = None,
        interactive: bool | None = None,
        tick: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.stream = stream if stream is not None else sys.stderr
        if interactive is None:
            isatty = getattr(self.stream, "isatty", None)
            interactive = bool(isatty and isatty())
        self.interactive = interactive
        self.steps = None if steps is None else frozenset(steps)
        self.clock = clock
        self.running: dict[str, float] = {}
        self.finished: dict[str, str] = {}
        self._lock = threading.Lock()
        self._shown = False
        self._stop = threading.Event()
        self._documents: tuple[int, int, float] | None = None  # done, total, start
        self._ticker: threading.Thread | None = None
        if interactive and tick > 0:
            self._ticker = threading.Thread(
                target=self._tick, args=(tick,), daemon=True, name="build-progress"
            )
            self._ticker.start()

    def __call__(self, name: str, event: str, seconds: float) -> None:
        with self._lock:
            if event == "started":
                self.running[name] = self.clock()
                if not self.interactive:
                    self._line(f"  {'started':<8}{name}")
            else:
                self.running.pop(name, None)
                self.finished[name] = event
                when = f" ({seconds:.1f} s)" if event != "skipped" else ""
                if self._documents is not None and event == "done":
                    when = when[:-1] + f"; {self._documents_text()})"
                    self._documents = None
                self._line(f"  {event:<8}{name}{when}")
            self._draw()

    def documents(self, done: int, total: int) -> None:
        """Documents counted so far out of all (a callback for
        :func:`analysis.pipeline.build`'s ``progress``): shown on the status line with the
        rate, and in the line of the step that ends next."""
        with self._lock:
            start = self._documents[2] if self._documents else self.clock()
            self._documents = (done, total, start)
            self._draw()

    def _documents_text(self) -> str:
        if self._documents is None:
            return ""
        done, total, start = self._documents
        elapsed = self.clock() - start
        rate = f", {done / elapsed:,.0f}/s" if elapsed > 0 and done else ""
        return f"{done:,}/{total:,} documents counted{rate}"

    def status(self) -> str:
        """The status line: the bar of finished steps and what is running, for how long."""
        counted = [e for n, e in self.finished.items() if self.steps is None or n in self.steps]
        done = len(counted)
        failed = counted.count("failed")
        if self.steps:
            total = len(self.steps)
            filled = round(BAR_WIDTH * min(done, total) / total)
            bar = f"[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {done}/{total}"
        else:
            bar = f"{done} finished"
        now = self.clock()
        running = ", ".join(f"{name} {now - start:.0f} s" for name, start in self.running.items())
        counting = self._documents_text()
        return (
            bar
            + (f", {failed} failed" if failed else "")
            + (f" | running: {running}" if running else "")
            + (f" | {counting}" if counting else "")
        )

    def close(self) -> None:
        """Stop redrawing and clear the status line."""
        self._stop.set()
        if self._ticker is not None:
            self._ticker.join(timeout=2)
        with self._lock:
            self._clear()

    def __enter__(self) -> BuildProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _tick(self, every: float) -> None:
        while not self._stop.wait(every):
            with self._lock:
                if self.running:
                    self._draw()

    def _line(self, text: str) -> None:
        """A permanent line (above the status line when there is one)."""
        self._clear()
        print(text, file=self.stream, flush=True)

    def _draw(self) -> None:
        if not self.interactive:
            return
        width = shutil.get_terminal_size((80, 24)).columns
        text = self.status()
        if len(text) > width - 1:
            text = text[: max(0, width - 2)] + "…"
        self.stream.write("\r\x1b[2K" + text)
        self.stream.flush()
        self._shown = True

    def _clear(self) -> None:
        if self.interactive and self._shown:
            self.stream.write("\r\x1b[2K")
            self.stream.flush()
            self._shown = False
