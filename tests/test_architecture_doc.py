"""docs/architecture.md can be checked against the code: its module map names every module of
the package, and only those; the files and names it points to exist."""

from __future__ import annotations

import pkgutil
import re

import analysis
from analysis import paths

DOC = paths.ROOT / "docs" / "architecture.md"


def _mapped_modules() -> set[str]:
    text = DOC.read_text(encoding="utf-8")
    table = text.split("## Module map", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^\| `([a-z_]+)` \|", table, flags=re.M))


def test_module_map_names_every_module_and_only_those():
    modules = {m.name for m in pkgutil.iter_modules(analysis.__path__)} | {"__init__"}
    mapped = _mapped_modules()
    assert modules - mapped == set(), f"add to docs/architecture.md: {sorted(modules - mapped)}"
    assert mapped - modules == set(), f"not in the package: {sorted(mapped - modules)}"


def test_named_files_and_functions_exist():
    from analysis import counts, report, segment

    text = DOC.read_text(encoding="utf-8")
    for path in re.findall(r"`((?:tests|docs|notebooks)/[\w./-]+\.(?:py|md))`", text):
        assert (paths.ROOT / path).is_file(), path
    assert callable(counts.takes_matrix) and callable(counts.unit_term_counts)
    assert callable(report.save_table) and callable(report.show_figure)
    assert callable(report.list_notebooks)
    assert "body" in segment.KINDS and segment.ANALYSIS_KINDS
