"""Command line: ``python -m analysis <command>``; one module in this package per command.

Each command module defines ``add_parser(subparsers)`` (registering its arguments and setting
``func``) and keeps heavy imports inside its handler, so ``--help`` stays instant. A user mistake
(an ``AnalysisError``) prints one line on stderr and exits 1, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from collections.abc import Sequence
from typing import NoReturn

from analysis.errors import AnalysisError


def _command_modules() -> list[str]:
    return sorted(m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_"))


class _Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line on stderr and exit status 1."""

    def error(self, message: str) -> NoReturn:
        print(f"error: {message}; see `{self.prog} --help`", file=sys.stderr)
        raise SystemExit(1)


def build_parser() -> argparse.ArgumentParser:
    """Return the top-level parser with one sub-command per module of this package."""
    parser = _Parser(
        prog="python -m analysis",
        description="Comparative discourse analysis of policy statements.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in _command_modules():
        importlib.import_module(f"{__name__}.{name}").add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; return the process exit status (0 ok, 1 invalid input or usage)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        status = args.func(args)
    except AnalysisError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # e.g. `python -m analysis corpus | head`
        return 0
    except KeyboardInterrupt:
        print(
            "interrupted: stopped; the previous reports and tables are as they were",
            file=sys.stderr,
        )
        return 130
    return int(status or 0)
