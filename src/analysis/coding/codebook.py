"""The codebook (``data/codebook.toml``): its dimensions, codes and decision rules, loaded,
checked and tabulated for coders and for reports."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from analysis.coding.schema import ID_COLUMNS, SOURCE_COLUMNS, TEXT_COLUMNS
from analysis.errors import CodingError

# --------------------------------------------------------------------------- codebook


@dataclass(frozen=True)
class Code:
    """One code of a categorical dimension, with its definition and a quoted example."""

    code: str
    label: str
    definition: str
    example: str
    example_seg: str


@dataclass(frozen=True)
class Dimension:
    """One coded column: a category (codes listed), a quotation or free text.

    ``codes_from`` names the dimension whose codes this one borrows (its ``codes`` start with
    them), "" when it defines its own.
    """

    name: str
    label: str
    kind: Literal["category", "quotation", "text"]
    required: bool
    definition: str
    decision_rules: tuple[str, ...]
    codes: tuple[Code, ...] = ()
    level: str = "nominal"
    blank_means: str = ""
    codes_from: str = ""

    @property
    def allowed(self) -> tuple[str, ...]:
        """The codes a coder may enter (empty for quotation and text dimensions)."""
        return tuple(c.code for c in self.codes)

    @property
    def choices(self) -> tuple[str, ...]:
        """The codes offered in the dropdown: ``allowed`` plus ``blank_means`` if any."""
        return self.allowed + ((self.blank_means,) if self.blank_means else ())


@dataclass(frozen=True)
class Codebook:
    """The whole codebook: metadata, general rules, refinement notes and the dimensions."""

    name: str
    version: str
    unit: str
    general_rules: tuple[str, ...]
    notes: str
    dimensions: tuple[Dimension, ...] = field(default_factory=tuple)

    @property
    def names(self) -> list[str]:
        """Dimension names in sheet order."""
        return [d.name for d in self.dimensions]

    @property
    def categorical(self) -> list[Dimension]:
        """The dimensions coded from a list (those agreement is computed on)."""
        return [d for d in self.dimensions if d.kind == "category"]

    def dimension(self, name: str) -> Dimension:
        """Return the dimension called ``name``."""
        for d in self.dimensions:
            if d.name == name:
                return d
        raise KeyError(name)


def _need(table: dict[str, Any], key: str, where: str, path: str) -> Any:
    if key not in table:
        raise CodingError(f"{path}: {where} lacks the required key {key!r}; add it to the codebook")
    return table[key]


def load_codebook(path: str | Path | None = None) -> Codebook:
    """Read and validate a codebook TOML file (default: the package's ``data/codebook.toml``).

    Parameters
    ----------
    path : str or Path, optional
        A codebook of the same structure, for a team's own dimensions.

    Returns
    -------
    Codebook

    Raises
    ------
    CodingError
        When the file is not valid TOML or a dimension or code lacks a required key, repeats a
        name, or refers to an unknown dimension in ``codes_from``.
    """
    if path is None:
        source = resources.files("analysis") / "data" / "codebook.toml"
        where = "analysis/data/codebook.toml"
        raw = source.read_bytes()
    else:
        where = str(path)
        try:
            raw = Path(path).read_bytes()
        except OSError as exc:
            raise CodingError(f"{where}: cannot read the codebook ({exc.strerror})") from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise CodingError(f"{where}: not a valid UTF-8 TOML codebook ({exc})") from None
    meta = _need(data, "codebook", "the file", where)
    dims: list[Dimension] = []
    by_name: dict[str, Dimension] = {}
    for i, d in enumerate(_need(data, "dimension", "the file", where), start=1):
        name = _need(d, "name", f"dimension #{i}", where)
        if name in by_name or name in ID_COLUMNS + SOURCE_COLUMNS + TEXT_COLUMNS:
            raise CodingError(f"{where}: dimension name {name!r} is repeated or reserved")
        kind = _need(d, "kind", f"dimension {name!r}", where)
        if kind not in ("category", "quotation", "text"):
            raise CodingError(
                f"{where}: dimension {name!r} has kind {kind!r}; use category, quotation or text"
            )
        codes: list[Code] = []
        if "codes_from" in d:
            if d["codes_from"] not in by_name:
                raise CodingError(
                    f"{where}: dimension {name!r} takes codes from unknown dimension "
                    f"{d['codes_from']!r}; define that dimension first"
                )
            codes = list(by_name[d["codes_from"]].codes)
        for j, c in enumerate(d.get("code", []), start=1):
            ctx = f"code #{j} of dimension {name!r}"
            codes.append(
                Code(
                    code=str(_need(c, "code", ctx, where)),
                    label=_need(c, "label", ctx, where),
                    definition=_need(c, "definition", ctx, where),
                    example=_need(c, "example", ctx, where),
                    example_seg=_need(c, "example_seg", ctx, where),
                )
            )
        if kind == "category" and not codes:
            raise CodingError(f"{where}: category dimension {name!r} lists no codes")
        seen = [c.code for c in codes]
        if len(set(seen)) != len(seen):
            raise CodingError(f"{where}: dimension {name!r} repeats a code: {seen}")
        dim = Dimension(
            name=name,
            label=_need(d, "label", f"dimension {name!r}", where),
            kind=kind,
            required=bool(d.get("required", False)),
            definition=_need(d, "definition", f"dimension {name!r}", where),
            decision_rules=tuple(d.get("decision_rules", ())),
            codes=tuple(codes),
            level=d.get("level", "nominal"),
            blank_means=d.get("blank_means", ""),
            codes_from=d.get("codes_from", ""),
        )
        dims.append(dim)
        by_name[name] = dim
    return Codebook(
        name=_need(meta, "name", "[codebook]", where),
        version=str(_need(meta, "version", "[codebook]", where)),
        unit=_need(meta, "unit", "[codebook]", where),
        general_rules=tuple(meta.get("general_rules", ())),
        notes=meta.get("notes", "").strip(),
        dimensions=tuple(dims),
    )


def codebook_markdown(codebook: Codebook | None = None) -> str:
    """Render the codebook as Markdown for coders (the committed ``docs/codebook.md``).

    Parameters
    ----------
    codebook : Codebook, optional
        Default: the package codebook.

    Returns
    -------
    str
        Markdown text ending in one newline.
    """
    cb = codebook or load_codebook()
    out = [
        f"# {cb.name}",
        "",
        f"Version {cb.version}. Generated from `src/analysis/data/codebook.toml` by",
        "`analysis.coding.codebook_markdown()`; edit the TOML, not this file.",
        "",
        "## Coding unit",
        "",
        cb.unit,
        "",
        "## General rules",
        "",
        *[f"- {r}" for r in cb.general_rules],
        "",
        "## Dimensions",
        "",
    ]
    for d in cb.dimensions:
        need = "required" if d.required else "optional"
        level = f", {d.level}" if d.kind == "category" else ""
        out += [f"### `{d.name}`: {d.label}", "", f"*{d.kind}, {need}{level}.* {d.definition}", ""]
        if d.blank_means:
            out += [f"A blank cell means `{d.blank_means}`.", ""]
        if d.decision_rules:
            out += ["Decision rules:", "", *[f"- {r}" for r in d.decision_rules], ""]
        if d.codes:
            out += ["| code | label | definition | example |", "|---|---|---|---|"]
            for c in d.codes:
                example = f"\u201c{c.example}\u201d ({c.example_seg})".replace("|", "\\|")
                out.append(
                    f"| `{c.code}` | {c.label} | {c.definition.replace('|', '/')} | {example} |"
                )
            out.append("")
    out += ["## Why these codes (refinement notes)", "", cb.notes, ""]
    return "\n".join(out)


DIMENSION_COLUMNS: list[str] = [
    "dimension",
    "label",
    "kind",
    "required",
    "level",
    "codes",
    "blank_means",
    "definition",
]
CODE_COLUMNS: list[str] = ["dimension", "code", "label", "definition", "example", "example_seg"]
RULE_COLUMNS: list[str] = ["dimension", "rule"]


def codebook_dimensions(codebook: Codebook | None = None) -> pd.DataFrame:
    """Tabulate the codebook's dimensions, one row each, in sheet order.

    Parameters
    ----------
    codebook : Codebook, optional
        Default: the package codebook.

    Returns
    -------
    DataFrame
        Columns ``dimension``, ``label``, ``kind`` (str), ``required`` (bool), ``level`` (str,
        the level of measurement of a category dimension, "" for quotation and text),
        ``codes`` (str, the allowed codes joined by ", "; "" when none), ``blank_means`` (str),
        ``definition`` (str).

    Examples
    --------
    >>> codebook_dimensions()["dimension"].tolist()[:3]
    ['frame', 'frame_secondary', 'stance_toward_state']
    """
    cb = codebook or load_codebook()
    records = [
        {
            "dimension": d.name,
            "label": d.label,
            "kind": d.kind,
            "required": d.required,
            "level": d.level if d.kind == "category" else "",
            "codes": ", ".join(d.allowed),
            "blank_means": d.blank_means,
            "definition": d.definition,
        }
        for d in cb.dimensions
    ]
    return pd.DataFrame(records, columns=DIMENSION_COLUMNS).astype({"required": bool})


_CITED_UNIT = re.compile(r"\b[a-z0-9][a-z0-9_.-]*?-[pdhscgbnfx]\d{2}(?:\.[a-z0-9]+)?\b")


def cited_units(text: str) -> list[str]:
    """The seg_ids a codebook text cites (``lfl-2022-p02``, ``gov-2024-p04.iv``), in order.

    Examples
    --------
    >>> cited_units("(lfl-2022-p02, 'a positive indicator') and gov-2024-p04.iv")
    ['lfl-2022-p02', 'gov-2024-p04.iv']
    """
    return list(dict.fromkeys(_CITED_UNIT.findall(text)))


def notes_cite_this_corpus(codebook: Codebook, segments: pd.DataFrame) -> bool:
    """Tell whether every unit the codebook's refinement notes cite is a unit of this corpus.

    The notes explain the codebook from the statements it was written on; a report on another
    corpus points to ``docs/codebook.md`` instead of quoting units the reader cannot see.
    """
    cited = cited_units(codebook.notes)
    return bool(cited) and set(cited) <= set(segments["seg_id"])


def codebook_examples(
    codes: pd.DataFrame,
    segments: pd.DataFrame,
    long: pd.DataFrame | None = None,
    *,
    words: int = 14,
) -> pd.DataFrame:
    """Give each code an example from the corpus in hand, or none.

    A code keeps its codebook example when the unit it is quoted from is in ``segments``.
    Otherwise, where the coding in use (``long``: ``seg_id``, ``dimension``, ``code``) has a unit
    coded with it, the example is the first such unit in reading order (its first ``words``
    words); otherwise the example is left empty, so that a report on another corpus never quotes
    a statement it does not contain.

    Returns
    -------
    DataFrame
        ``codes`` with ``example`` and ``example_seg`` replaced where needed and a column
        ``example_from`` (``codebook``, ``coding`` or ``""``).
    """
    seg_ids = list(segments["seg_id"])
    order = {s: i for i, s in enumerate(seg_ids)}
    text = dict(zip(segments["seg_id"], segments["text"], strict=True))
    out = codes.copy()
    out["example_from"] = ""
    for i, row in out.iterrows():
        if row["example_seg"] in order:
            out.at[i, "example_from"] = "codebook"
            continue
        found = []
        if long is not None and len(long):
            hits = long[(long["dimension"] == row["dimension"]) & (long["code"] == row["code"])]
            found = sorted((s for s in hits["seg_id"] if s in order), key=order.__getitem__)
        if found:
            first = text[found[0]].split()
            out.at[i, "example"] = " ".join(first[:words]) + (
                " \u2026" if len(first) > words else ""
            )
            out.at[i, "example_seg"] = found[0]
            out.at[i, "example_from"] = "coding"
        else:
            out.at[i, "example"] = ""
            out.at[i, "example_seg"] = ""
    return out


def codebook_codes(codebook: Codebook | None = None) -> pd.DataFrame:
    """Tabulate the codes of the categorical dimensions, each code under the dimension defining it.

    A dimension that takes its codes from another (``codes_from``, as ``frame_secondary`` takes
    those of ``frame``) lists only the codes it adds, so no definition is shown twice.

    Parameters
    ----------
    codebook : Codebook, optional
        Default: the package codebook.

    Returns
    -------
    DataFrame
        One row per code, dimensions in sheet order and codes in codebook order: ``dimension``,
        ``code``, ``label``, ``definition``, ``example`` (a quotation from a seed statement) and
        ``example_seg`` (the seg_id it is quoted from), all str.
    """
    cb = codebook or load_codebook()
    records = []
    for d in cb.categorical:
        borrowed = set(cb.dimension(d.codes_from).codes) if d.codes_from else set()
        records += [
            {
                "dimension": d.name,
                "code": c.code,
                "label": c.label,
                "definition": c.definition,
                "example": c.example,
                "example_seg": c.example_seg,
            }
            for c in d.codes
            if c not in borrowed
        ]
    return pd.DataFrame(records, columns=CODE_COLUMNS)


def codebook_decision_rules(codebook: Codebook | None = None) -> pd.DataFrame:
    """Tabulate the decision rules for hard cases, one row per rule.

    Parameters
    ----------
    codebook : Codebook, optional
        Default: the package codebook.

    Returns
    -------
    DataFrame
        Columns ``dimension`` and ``rule`` (str), dimensions in sheet order and each
        dimension's rules in codebook order; a dimension without rules has no row.
    """
    cb = codebook or load_codebook()
    records = [{"dimension": d.name, "rule": r} for d in cb.dimensions for r in d.decision_rules]
    return pd.DataFrame(records, columns=RULE_COLUMNS)
