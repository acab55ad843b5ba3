"""Project folders, all built from one root so no module or notebook uses relative paths.

The root is the nearest folder above this package holding ``pyproject.toml`` and ``seeds/`` (an
editable install from a clone); ``ANALYSIS_ROOT`` in the environment overrides it. Notebooks run
from ``notebooks/`` and reach data only through these names.
"""

from __future__ import annotations

import os
from pathlib import Path


def _find_root() -> Path:
    env = os.environ.get("ANALYSIS_ROOT")
    if env:
        return Path(env).resolve()
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "pyproject.toml").is_file() and (parent / "seeds").is_dir():
            return parent
    return Path.cwd().resolve()


ROOT: Path = _find_root()
SEEDS: Path = ROOT / "seeds"
MANIFEST: Path = SEEDS / "manifest.csv"
NOTEBOOKS: Path = ROOT / "notebooks"
REPORTS: Path = ROOT / "reports"
RESULTS: Path = ROOT / "results"
CODING: Path = ROOT / "coding"
BENCHMARKS: Path = ROOT / "benchmarks"
