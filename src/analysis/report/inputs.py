"""A build's inputs, hashed: the notebook, the package source, the manifest and its documents,
the coding files, the parameters and the key library versions. A notebook whose inputs are
unchanged since the last build (its stamp) is skipped."""

from __future__ import annotations

import hashlib
import json
import os
import platform
import re
import subprocess
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from analysis import paths
from analysis.errors import ReportError

if TYPE_CHECKING:
    pass
from analysis.report.execute import KERNEL_ENV
from analysis.report.parameters import ReportParameters

STAMP_NAME = "build-stamp.json"
STAMP_FORMAT = 1
#: Libraries whose versions are part of a build's inputs and of its provenance.
KEY_PACKAGES: tuple[str, ...] = (
    "pandas",
    "numpy",
    "scipy",
    "scikit-learn",
    "nltk",
    "matplotlib",
    "nbclient",
    "nbconvert",
    "ipykernel",
)


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _package_files() -> list[Path]:
    root = Path(__file__).resolve().parent.parent  # the analysis package
    return sorted(
        p
        for p in root.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.suffix not in {".pyc", ".pyo"}
    )


def package_digest() -> str:
    """Return one sha256 over every file of the installed ``analysis`` package (code and data)."""
    root = Path(__file__).resolve().parent.parent  # the analysis package
    digest = hashlib.sha256()
    for path in _package_files():
        digest.update(f"{path.relative_to(root).as_posix()}\0{_sha256_file(path)}\n".encode())
    return digest.hexdigest()


def _manifest_documents(manifest: Path) -> list[dict[str, str]]:
    from analysis.corpus import read_manifest

    frame = read_manifest(manifest)
    return [
        {
            "doc_id": rec["doc_id"],
            "actor_type": rec["actor_type"],
            "path": rec["path"],
            "abs_path": rec["abs_path"],
            "sha256": rec["sha256"],
        }
        for rec in frame.to_dict("records")
    ]


def _coding_paths(parameters: ReportParameters) -> list[Path]:
    if parameters.coding_files is not None:
        found = [Path(p) for p in parameters.coding_files]
        missing = [str(p) for p in found if not p.is_file()]
        if missing:
            raise ReportError(f"coding file(s) {', '.join(missing)} do not exist")
        return found
    if not paths.CODING.is_dir():
        return []
    return sorted(p for p in paths.CODING.rglob("*") if p.is_file() and not p.name.startswith("."))


def library_versions() -> dict[str, str]:
    """Return the Python version and the versions of :data:`KEY_PACKAGES` (``"absent"`` if none)."""
    versions = {"python": platform.python_version()}
    for name in KEY_PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "absent"
    return versions


def git_commit(root: str | os.PathLike[str] | None = None) -> str | None:
    """Return the commit checked out at the project root, or ``None`` outside a git clone."""
    try:
        done = subprocess.run(
            ["git", "-C", str(root or paths.ROOT), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    commit = done.stdout.strip()
    return commit if done.returncode == 0 and re.fullmatch(r"[0-9a-f]{40}", commit) else None


@dataclass(frozen=True)
class BuildInputs:
    """Everything shared by the notebooks of one build, hashed once."""

    parameters: ReportParameters
    manifest: Path
    documents: list[dict[str, str]]
    document_hashes: dict[str, str]
    coding: list[Path]
    coding_hashes: dict[str, str]
    package: str
    versions: dict[str, str]

    def digest_for(self, notebook: Path, injected: dict[str, Any]) -> str:
        record = {
            "format": STAMP_FORMAT,
            "notebook": _sha256_file(notebook),
            "package": self.package,
            "manifest": _sha256_file(self.manifest),
            "documents": self.document_hashes,
            "coding": self.coding_hashes,
            "parameters": injected,
            "versions": self.versions,
            "kernel_env": KERNEL_ENV,
        }
        return hashlib.sha256(json.dumps(record, sort_keys=True).encode()).hexdigest()


def _portable_path(path: Path) -> str:
    """A file's path relative to the project root when it lies inside it, so that two clones in
    different folders hash the same inputs to the same value."""
    resolved = path.resolve()
    try:
        return resolved.relative_to(paths.ROOT.resolve()).as_posix()
    except ValueError:
        return str(resolved)


def gather_inputs(parameters: ReportParameters) -> BuildInputs:
    manifest = Path(parameters.manifest) if parameters.manifest else paths.MANIFEST
    documents = _manifest_documents(manifest)
    document_hashes = {}
    for doc in documents:
        path = Path(doc["abs_path"])
        if not path.is_file():
            raise ReportError(
                f"manifest {manifest}: document {doc['path']!r} (doc_id {doc['doc_id']!r}) does "
                "not exist; check the manifest's path column"
            )
        document_hashes[doc["doc_id"]] = _sha256_file(path)
    coding = _coding_paths(parameters)
    return BuildInputs(
        parameters=parameters,
        manifest=manifest,
        documents=documents,
        document_hashes=document_hashes,
        coding=coding,
        coding_hashes={_portable_path(p): _sha256_file(p) for p in coding},
        package=package_digest(),
        versions=library_versions(),
    )


def read_stamp(out: str | os.PathLike[str]) -> dict[str, Any]:
    """Return the build stamp of an output folder (empty if there is none or it is unreadable)."""
    path = Path(out) / "reports" / STAMP_NAME
    try:
        stamp = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {"format": STAMP_FORMAT, "notebooks": {}}
    if not isinstance(stamp, dict) or stamp.get("format") != STAMP_FORMAT:
        return {"format": STAMP_FORMAT, "notebooks": {}}
    stamp.setdefault("notebooks", {})
    return stamp
