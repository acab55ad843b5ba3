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
                f"{path.name}: define functions in the package, not in notebooks")
            if isinstance(node, ast.Lambda):
                pytest.fail(f"{path.name}: lambda in a notebook; move the logic to the package")
