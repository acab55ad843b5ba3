"""What a report build is asked for (:class:`ReportParameters`) and what it did
(:class:`BuildResult`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from analysis.errors import ReportError

if TYPE_CHECKING:
    pass


#: The significance level the reports read p-values against unless a build sets another.
ALPHA = 0.05


@dataclass(frozen=True)
class ReportParameters:
    """What a build passes to every notebook besides its results folder.

    Attributes
    ----------
    manifest
        Path of the manifest CSV; ``None`` means the seed statements.
    groups
        The ``actor_type`` values to compare; ``None`` means every group in the manifest.
    coding_files
        Coder sheets to read; ``None`` means the files in ``coding/``.
    compare
        The comparison design (:func:`analysis.compare.comparison_design`): ``"one-vs-rest"``,
        ``"pairwise"``, pairs written ``"target:reference"``, or ``None`` (the one comparison
        of two groups; one-vs-rest with three or more).
    alpha
        The significance level every report reads its p-values against (defined once, here,
        and passed to every notebook as ``alpha``).
    """

    manifest: str | None = None
    groups: tuple[str, ...] | None = None
    coding_files: tuple[str, ...] | None = None
    compare: str | tuple[str, ...] | None = None
    alpha: float = ALPHA

    def resolved(self) -> ReportParameters:
        """Return a copy with the paths made absolute (as the kernel runs in another folder)."""
        if not 0 < self.alpha < 1:
            raise ReportError(
                f"alpha = {self.alpha}: the significance level must lie between 0 and 1, "
                "for example 0.05 or 0.01"
            )
        return ReportParameters(
            alpha=float(self.alpha),
            manifest=None if self.manifest is None else str(Path(self.manifest).resolve()),
            groups=None if self.groups is None else tuple(self.groups),
            compare=(
                self.compare
                if self.compare is None or isinstance(self.compare, str)
                else tuple(self.compare)
            ),
            coding_files=(
                None
                if self.coding_files is None
                else tuple(str(Path(p).resolve()) for p in self.coding_files)
            ),
        )


@dataclass(frozen=True)
class NotebookBuild:
    """The outcome of one notebook in a build."""

    name: str
    status: Literal["built", "skipped"]
    html: Path
    input_hash: str
    seconds: float
    outputs: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class BuildResult:
    """The outcome of :func:`build_reports`."""

    out: Path
    index: Path
    notebooks: tuple[NotebookBuild, ...]

    @property
    def built(self) -> list[str]:
        """Names of the notebooks executed in this build."""
        return [n.name for n in self.notebooks if n.status == "built"]

    @property
    def skipped(self) -> list[str]:
        """Names of the notebooks whose inputs were unchanged."""
        return [n.name for n in self.notebooks if n.status == "skipped"]
