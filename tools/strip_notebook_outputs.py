"""Strip outputs and execution counts from notebooks, in the repository's JSON layout.

Notebooks are committed without outputs (the reports are built from them). Used by the
pre-commit hook; ``--check`` only reports notebooks that have outputs and exits 1.

    python tools/strip_notebook_outputs.py [--check] notebooks/*.ipynb
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def strip(notebook: dict) -> bool:
    """Remove outputs and execution counts in place; return whether anything was removed."""
    changed = False
    for cell in notebook.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        if cell.get("outputs"):
            cell["outputs"] = []
            changed = True
        if cell.get("execution_count") is not None:
            cell["execution_count"] = None
            changed = True
    return changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+", type=Path)
    parser.add_argument("--check", action="store_true", help="report, do not rewrite")
    args = parser.parse_args(argv)
    dirty = []
    for path in args.paths:
        notebook = json.loads(path.read_text(encoding="utf-8"))
        if strip(notebook):
            dirty.append(path)
            if not args.check:
                path.write_text(
                    json.dumps(notebook, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
                )
    for path in dirty:
        print(f"{path}: {'has outputs' if args.check else 'outputs stripped'}", file=sys.stderr)
    return 1 if dirty else 0


if __name__ == "__main__":
    sys.exit(main())
