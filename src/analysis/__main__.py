"""Entry point for ``python -m analysis``.

A report build is fastest with hash randomisation off: its in-process engine forks notebook
kernels from this process, which gives reproducible bytes only when ``PYTHONHASHSEED=0``. So
``python -m analysis report`` started without it re-executes itself once with it set, as
``make report`` starts it, and every documented way to build gives the same bytes at the same
speed.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping, Sequence


def fixed_hash_seed(
    argv: Sequence[str],
    environ: Mapping[str, str],
    execve: Callable[[str, list[str], dict[str, str]], object] = os.execve,
) -> None:
    """Re-execute ``python -m analysis report ...`` with ``PYTHONHASHSEED=0`` when the hash
    seed is not fixed (other commands run as they are)."""
    command = next((a for a in argv if not a.startswith("-")), None)
    if command != "report" or environ.get("PYTHONHASHSEED") == "0":
        return
    sys.stdout.flush()
    sys.stderr.flush()
    execve(
        sys.executable,
        [sys.executable, "-m", "analysis", *argv],
        {**environ, "PYTHONHASHSEED": "0"},
    )


if __name__ == "__main__":
    fixed_hash_seed(sys.argv[1:], os.environ)
    from analysis.cli import main

    sys.exit(main())
