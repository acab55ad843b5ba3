"""analysis.progress: a status line redrawn in place on a terminal, plain lines in a log."""

from __future__ import annotations

import io

from analysis.progress import BAR_WIDTH, BuildProgress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _events(progress: BuildProgress, clock: Clock) -> None:
    progress("00-corpus", "skipped", 0.0)
    progress("foundation tables", "started", 0.0)
    clock.now += 3
    progress("foundation tables", "done", 3.0)
    progress("01-terms", "started", 0.0)
    progress("02-keyness", "started", 0.0)
    clock.now += 12


def test_plain_lines_where_the_stream_is_not_a_terminal() -> None:
    """In a CI log: one line per event, in order, and no control characters."""
    log, clock = io.StringIO(), Clock()
    progress = BuildProgress(["00-corpus", "01-terms", "02-keyness"], stream=log, clock=clock)
    assert not progress.interactive
    _events(progress, clock)
    progress("02-keyness", "failed", 12.0)
    progress("01-terms", "done", 12.5)
    progress.close()
    assert log.getvalue().splitlines() == [
        "  skipped 00-corpus",
        "  started foundation tables",
        "  done    foundation tables (3.0 s)",
        "  started 01-terms",
        "  started 02-keyness",
        "  failed  02-keyness (12.0 s)",
        "  done    01-terms (12.5 s)",
    ]
    assert "\r" not in log.getvalue() and "\x1b" not in log.getvalue()


def test_a_status_line_redrawn_in_place_on_a_terminal() -> None:
    """On a terminal: finished steps as permanent lines, and one status line (a bar of the
    notebooks finished, what runs and for how long) cleared before each permanent line and at
    the end."""
    screen, clock = Terminal(), Clock()
    steps = ["00-corpus", "01-terms", "02-keyness", "03-concordance"]
    progress = BuildProgress(steps, stream=screen, clock=clock, tick=0)
    assert progress.interactive
    _events(progress, clock)
    # the preparation step is shown but not counted; the skipped notebook is counted
    status = progress.status()
    assert status.startswith(
        "[" + "#" * (BAR_WIDTH // 4) + "." * (BAR_WIDTH - BAR_WIDTH // 4) + "] 1/4"
    )
    assert status.endswith("| running: 01-terms 12 s, 02-keyness 12 s")
    progress("02-keyness", "failed", 12.0)
    assert progress.status().startswith("[" + "#" * (BAR_WIDTH // 2))
    assert "2/4, 1 failed | running: 01-terms" in progress.status()
    progress.close()
    text = screen.getvalue()
    # what stays on the screen once the control sequences have done their work
    final = [chunk.split("\r\x1b[2K")[-1] for chunk in text.split("\n")]
    assert [line for line in final if line] == [
        "  skipped 00-corpus",
        "  done    foundation tables (3.0 s)",
        "  failed  02-keyness (12.0 s)",
    ]
    assert "started" not in text  # starts show in the status line only
    assert text.endswith("\r\x1b[2K")  # closed: the status line is cleared


def test_the_status_line_is_redrawn_while_steps_run() -> None:
    screen = Terminal()
    progress = BuildProgress(["a"], stream=screen, tick=0.01)
    progress("a", "started", 0.0)
    import time

    deadline = time.monotonic() + 5
    while screen.getvalue().count("running: a") < 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    progress.close()
    assert screen.getvalue().count("running: a") >= 3


def test_without_known_steps_it_counts_without_a_total() -> None:
    progress = BuildProgress(stream=Terminal(), tick=0)
    progress("x", "done", 1.0)
    assert progress.status() == "1 finished"
    progress.close()


def test_documents_counted_show_on_the_status_line_and_in_the_done_line():
    """A build's document count (pipeline.build's progress callback) shows with its rate while
    the step runs, and is summed up in the step's line when it ends."""
    import io

    now = [0.0]
    stream = io.StringIO()
    bar = BuildProgress(
        ["00-corpus"], stream=stream, interactive=True, tick=0, clock=lambda: now[0]
    )
    bar("foundation tables", "started", 0.0)
    bar.documents(0, 400)
    now[0] = 2.0
    bar.documents(150, 400)
    assert "150/400 documents counted, 75/s" in bar.status()
    now[0] = 4.0
    bar.documents(400, 400)
    bar("foundation tables", "done", 4.0)
    bar.close()
    done = "done    foundation tables (4.0 s; 400/400 documents counted, 100/s)"
    assert done in stream.getvalue()
    assert "documents" not in bar.status()
