"""docs/architecture.md can be checked against the code: its module map names every module of
the package, and only those; the files and names it points to exist."""

from __future__ import annotations

import importlib
import pkgutil
import re

import analysis
from analysis import paths

DOC = paths.ROOT / "docs" / "architecture.md"


def _mapped_modules() -> set[str]:
    text = DOC.read_text(encoding="utf-8")
    table = text.split("## Module map", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^\| `([a-z_.]+)` \|", table, flags=re.M))


def _package_modules() -> set[str]:
    """The package's modules, and the modules of its packages as ``package.module`` (except
    ``cli``, whose modules are its commands, one each)."""
    modules = {"__init__"}
    for found in pkgutil.iter_modules(analysis.__path__):
        modules.add(found.name)
        if found.ispkg and found.name != "cli":
            package = importlib.import_module(f"analysis.{found.name}")
            modules |= {f"{found.name}.{m.name}" for m in pkgutil.iter_modules(package.__path__)}
    return modules


def test_module_map_names_every_module_and_only_those():
    modules = _package_modules()
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


def test_no_module_reaches_into_another_modules_private_names():
    """Modules talk through public names: no ``from analysis.x import _y`` and no
    ``x._y`` on an imported module of the package."""
    import ast

    root = paths.ROOT / "src" / "analysis"
    found = []
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        modules = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("analysis"):
                for alias in node.names:
                    if alias.name.startswith("_") and alias.name != "__version__":
                        found.append(f"{path.name}: from {node.module} import {alias.name}")
                    if node.module == "analysis" or node.module.count(".") == 1:
                        modules.add(alias.asname or alias.name)
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.startswith("analysis."):
                        modules.add(alias.asname or alias.name.rsplit(".", 1)[1])
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id in modules
                and node.attr.startswith("_")
                and not node.attr.startswith("__")
            ):
                found.append(f"{path.name}: {node.value.id}.{node.attr}")
    assert not found, found
