"""Run the map over documents on a Dask cluster: the ``--scheduler ADDRESS`` option.

Dask is an optional extra (``pip install -e .[scale]``). Every worker needs this package
installed (the same version) because it receives documents and runs
:func:`analysis.pipeline.build`'s map step on them; the texts travel with the tasks, so workers
need no access to the corpus files.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import Executor
from contextlib import contextmanager

from analysis.errors import AnalysisError


@contextmanager
def scheduler_executor(address: str | None, *, timeout: str = "20s") -> Iterator[Executor | None]:
    """A :class:`concurrent.futures.Executor` on the Dask scheduler at ``address``
    (``tcp://host:8786``), closed on leaving; ``None`` when no address is given.

    Raises
    ------
    AnalysisError
        When Dask's ``distributed`` is not installed or the scheduler cannot be reached.
    """
    if not address:
        yield None
        return
    try:
        from distributed import Client
    except ImportError as exc:
        raise AnalysisError(
            f"--scheduler {address} needs Dask's distributed package, which is not installed; "
            "install the scale extra (pip install -e '.[scale]', or `make env`)"
        ) from exc
    try:
        client = Client(address, timeout=timeout)
    except (OSError, TimeoutError) as exc:
        raise AnalysisError(
            f"could not reach the Dask scheduler at {address} ({exc}); start one with "
            "`dask scheduler` and workers with `dask worker ADDRESS`, or leave out --scheduler"
        ) from exc
    try:
        yield client.get_executor()
    finally:
        client.close()
