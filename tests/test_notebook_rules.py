"""The notebooks follow the project's rules: thin, parameterised, committed without outputs."""

from __future__ import annotations

import ast
import json
import re

import pytest

from analysis import paths

NOTEBOOKS = sorted(paths.NOTEBOOKS.glob("[0-9][0-9]-*.ipynb"))
EXPECTED = [
    "00-corpus",
    "01-term-frequencies",
    "02-keyness-and-tfidf",
    "03-concordance-and-collocation",
    "04-stance-coding",
    "05-findings",
]


def load(path):
    return json.loads(path.read_text("utf-8"))


def code_cells(nb):
    return [c for c in nb["cells"] if c["cell_type"] == "code"]


def source(cell) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def test_the_notebooks_exist():
    assert [p.stem for p in NOTEBOOKS] == EXPECTED


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_without_outputs(path):
    nb = load(path)
    for cell in code_cells(nb):
        assert cell.get("outputs") == [], f"{path.name}: clear outputs before committing"
        assert cell.get("execution_count") is None, f"{path.name}: clear execution counts"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_opens_with_question_and_has_parameters_cell(path):
    nb = load(path)
    first = nb["cells"][0]
    assert first["cell_type"] == "markdown" and source(first).lstrip().startswith("# ")
    tagged = [c for c in code_cells(nb) if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1, f"{path.name}: exactly one cell tagged 'parameters'"
    assert nb["cells"][-1]["cell_type"] == "markdown" or "interpret" in source(nb["cells"][-1])


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_calls_only_the_package(path):
    nb = load(path)
    for cell in code_cells(nb):
        src = source(cell)
        assert not re.search(r"^\s*[!%]", src, re.M), f"{path.name}: no shell or magics"
        assert "pip install" not in src and "sys.path" not in src
        assert "../" not in src and "..\\" not in src, f"{path.name}: no relative paths"
        tree = ast.parse(src)
        for node in ast.walk(tree):
            assert not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)), (
                f"{path.name}: define functions in the package, not in notebooks"
            )
            if isinstance(node, ast.Lambda):
                pytest.fail(f"{path.name}: lambda in a notebook; move the logic to the package")


def test_the_pre_commit_hook_strips_outputs(tmp_path):
    """tools/strip_notebook_outputs.py (the pre-commit hook): --check fails on a notebook with
    outputs and leaves it alone; without --check it strips them in the repository's layout."""
    import importlib.util
    import json

    from analysis import paths as project

    spec = importlib.util.spec_from_file_location(
        "strip_notebook_outputs", project.ROOT / "tools" / "strip_notebook_outputs.py"
    )
    assert spec is not None and spec.loader is not None
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    notebook = {
        "cells": [
            {"cell_type": "markdown", "metadata": {}, "source": ["# Título"]},
            {
                "cell_type": "code",
                "execution_count": 3,
                "metadata": {},
                "source": ["1 + 1"],
                "outputs": [
                    {
                        "output_type": "execute_result",
                        "data": {"text/plain": ["2"]},
                        "execution_count": 3,
                        "metadata": {},
                    }
                ],
            },
        ],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path = tmp_path / "n.ipynb"
    path.write_text(json.dumps(notebook), encoding="utf-8")
    before = path.read_text(encoding="utf-8")
    assert tool.main(["--check", str(path)]) == 1
    assert path.read_text(encoding="utf-8") == before
    assert tool.main([str(path)]) == 1  # it had outputs: the commit is stopped once
    stripped = json.loads(path.read_text(encoding="utf-8"))
    assert stripped["cells"][1]["outputs"] == [] and stripped["cells"][1]["execution_count"] is None
    assert "Título" in path.read_text(encoding="utf-8")  # written as UTF-8, not escaped
    assert tool.main(["--check", str(path)]) == 0
