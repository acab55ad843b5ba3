"""Coding in QDA software: the codebook and the corpus as REFI-QDA files, and the coding back.

REFI-QDA is the open exchange standard that ATLAS.ti, MAXQDA, NVivo, QualCoder and Taguette
read (www.qdasoftware.org): a codebook ``.qdc`` (XML, namespace ``urn:QDA-XML:codebook:1.0``)
and a project ``.qdpx`` (a zip holding ``project.qde``, namespace ``urn:QDA-XML:project:1.0``,
and the source texts under ``sources/``).

* :func:`codebook_qdc` writes the codebook: one non-codable code per dimension (its definition
  and decision rules as the description) with its codes as codable children, and one code set
  per dimension (the code groups QDA software shows).
* :func:`project_qdpx` writes a project: the codebook, one text source per statement (its raw
  text, so offsets are the ones the segments table records), one plain-text selection per
  coding unit at its offsets, the statements' metadata as variables, and any coding already
  merged, each coder a user.
* :func:`read_qdpx` and :func:`coding_from_qdpx` read a project back: each coded selection is
  mapped onto the unit that contains it (a selection spanning units is reported, not guessed),
  each code onto the codebook by its GUID or its name under its dimension (an unknown code is
  reported, never dropped), into a coder sheet that ``sheet check``, ``merge`` and
  ``agreement`` accept.

GUIDs are UUID-5 values derived from the codebook's names and the units' anchors, so exporting
again gives the same GUIDs and a QDA program updates its project instead of duplicating it. The
files carry no timestamps: the same inputs give the same bytes.
"""

from __future__ import annotations

import uuid
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast
from xml.etree import ElementTree as ET

import pandas as pd

from analysis.coding import (
    DEFAULT_KINDS,
    Codebook,
    coding_units,
    load_codebook,
    sheet_columns,
)
from analysis.errors import CodingError

__all__ = [
    "CODEBOOK_NS",
    "PROJECT_NS",
    "QdaProject",
    "codebook_qdc",
    "coding_from_qdpx",
    "guid",
    "project_qdpx",
    "read_qdpx",
]

CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
PROJECT_NS = "urn:QDA-XML:project:1.0"
ORIGIN = "analysis (comparative discourse analysis toolkit)"
_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:analysis:refi-qda")
#: Largest project.qde read (bytes, uncompressed): a larger one is refused, not parsed.
MAX_PROJECT_BYTES = 256 * 1024 * 1024
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
PROBLEM_COLUMNS = ["severity", "selection", "doc_id", "start", "end", "code", "problem"]
#: Sheet columns that are not codes (see :func:`analysis.coding.sheet_columns`).
SHEET_FIXED = (
    "seg_id",
    "coder",
    "label",
    "doc_id",
    "actor_type",
    "organisation",
    "text",
    "text_sha",
    "flag",
)


def guid(kind: str, *parts: str) -> str:
    """A stable GUID (UUID-5) for ``kind`` and ``parts`` (e.g. ``guid("code", "frame", "x")``)."""
    return str(uuid.uuid5(_NAMESPACE, "\x1f".join([kind, *parts])))


def _palette(i: int) -> str:
    colours = ["#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7"]
    return colours[i % len(colours)]


def _description(parent: ET.Element, tag: str, text: str) -> None:
    if text:
        ET.SubElement(parent, tag).text = text


def _codes(parent: ET.Element, prefix: str, codebook: Codebook) -> list[tuple[str, list[str]]]:
    """Add one code per categorical dimension with its codes; return (dimension guid, member
    guids) for the sets."""
    codes = ET.SubElement(parent, f"{{{prefix}}}Codes")
    groups = []
    for i, dim in enumerate(codebook.categorical):
        element = ET.SubElement(
            codes,
            f"{{{prefix}}}Code",
            {
                "guid": guid("dimension", dim.name),
                "name": dim.name,
                "isCodable": "false",
                "color": _palette(i),
            },
        )
        rules = "\n".join(f"- {r}" for r in dim.decision_rules)
        _description(
            element,
            f"{{{prefix}}}Description",
            f"{dim.label}. {dim.definition}" + (f"\nDecision rules:\n{rules}" if rules else ""),
        )
        members = []
        described = [(c.code, f"{c.label}. {c.definition}".strip()) for c in dim.codes]
        if dim.blank_means:  # the explicit "does not apply" value a coder may enter
            described.append((dim.blank_means, f"No {dim.label.lower()} applies to this unit."))
        for code, description in described:
            child = ET.SubElement(
                element,
                f"{{{prefix}}}Code",
                {
                    "guid": guid("code", dim.name, code),
                    "name": code,
                    "isCodable": "true",
                    "color": _palette(i),
                },
            )
            _description(child, f"{{{prefix}}}Description", description)
            members.append(guid("code", dim.name, code))
        groups.append((dim.name, members))
    return groups


def _xml_bytes(root: ET.Element) -> bytes:
    ET.indent(root, space="  ")
    return cast(bytes, ET.tostring(root, encoding="utf-8", xml_declaration=True)) + b"\n"


def codebook_qdc(codebook: Codebook | None = None) -> bytes:
    """The codebook as a REFI-QDA ``.qdc`` document (UTF-8 bytes)."""
    cb = codebook or load_codebook()
    ET.register_namespace("", CODEBOOK_NS)
    root = ET.Element(f"{{{CODEBOOK_NS}}}CodeBook", {"origin": ORIGIN})
    groups = _codes(root, CODEBOOK_NS, cb)
    sets = ET.SubElement(root, f"{{{CODEBOOK_NS}}}Sets")
    for name, members in groups:
        element = ET.SubElement(
            sets, f"{{{CODEBOOK_NS}}}Set", {"guid": guid("set", name), "name": name}
        )
        _description(element, f"{{{CODEBOOK_NS}}}Description", cb.dimension(name).definition)
        for member in members:
            ET.SubElement(element, f"{{{CODEBOOK_NS}}}MemberCode", {"guid": member})
    return _xml_bytes(root)


VARIABLES = ("actor_type", "organisation", "date", "genre")


def project_qdpx(
    path: str | Path,
    corpus: pd.DataFrame,
    segments: pd.DataFrame,
    *,
    long: pd.DataFrame | None = None,
    codebook: Codebook | None = None,
    kinds: Iterable[str] = DEFAULT_KINDS,
    name: str = "Statements",
) -> Path:
    """Write a REFI-QDA project (``.qdpx``) of the corpus, its coding units and any coding.

    Parameters
    ----------
    path
        The ``.qdpx`` file to write (replaced if it exists: it is an export, not a coder's work).
    corpus
        The document table (``doc_id``, ``text`` and the metadata columns).
    segments
        The segments table; each unit of ``kinds`` becomes a selection at its raw offsets.
    long
        Merged coding (``seg_id``, ``coder``, ``dimension``, ``code``), e.g. from
        :func:`analysis.coding.merge_sheets`; each coder becomes a user, each code a coding of
        the unit's selection. Free-text dimensions (evidence, notes) are not exported.
    codebook
        Default: the package codebook.
    """
    cb = codebook or load_codebook()
    units = coding_units(segments, kinds=kinds)
    ET.register_namespace("", PROJECT_NS)
    p = f"{{{PROJECT_NS}}}"
    root = ET.Element(f"{p}Project", {"name": name, "origin": ORIGIN})
    coders = sorted(set(long["coder"].astype(str))) if long is not None and len(long) else []
    if coders:
        users = ET.SubElement(root, f"{p}Users")
        for coder in coders:
            ET.SubElement(users, f"{p}User", {"guid": guid("user", coder), "name": coder})
    book = ET.SubElement(root, f"{p}CodeBook")
    _codes(book, PROJECT_NS, cb)
    present = [v for v in VARIABLES if v in corpus.columns]
    if present:
        variables = ET.SubElement(root, f"{p}Variables")
        for variable in present:
            ET.SubElement(
                variables,
                f"{p}Variable",
                {
                    "guid": guid("variable", variable),
                    "name": variable,
                    "typeOfVariable": "Text",
                },
            )
    categorical = {d.name for d in cb.categorical}
    codings: dict[str, list[tuple[str, str, str]]] = {}
    if long is not None:
        for seg, coder, dim, code in long[["seg_id", "coder", "dimension", "code"]].itertuples(
            index=False
        ):
            if dim in categorical and isinstance(code, str) and code:
                codings.setdefault(str(seg), []).append((str(coder), str(dim), code))
    sources = ET.SubElement(root, f"{p}Sources")
    files: dict[str, bytes] = {}
    for doc in corpus.itertuples(index=False):
        doc_id = str(doc.doc_id)
        source_guid = guid("source", doc_id)
        files[f"sources/{source_guid}.txt"] = str(doc.text).encode("utf-8")
        source = ET.SubElement(
            sources,
            f"{p}TextSource",
            {
                "guid": source_guid,
                "name": doc_id,
                "plainTextPath": f"internal://{source_guid}.txt",
            },
        )
        for unit in units[units["doc_id"] == doc_id].itertuples(index=False):
            anchor = str(getattr(unit, "anchor", "") or unit.text_sha)
            selection = ET.SubElement(
                source,
                f"{p}PlainTextSelection",
                {
                    "guid": guid("unit", doc_id, anchor),
                    "name": str(unit.seg_id),
                    "startPosition": str(int(unit.start)),
                    "endPosition": str(int(unit.end)),
                },
            )
            _description(selection, f"{p}Description", f"{unit.seg_id} ({unit.kind})")
            for coder, dim, code in codings.get(str(unit.seg_id), []):
                coding = ET.SubElement(
                    selection,
                    f"{p}Coding",
                    {
                        "guid": guid("coding", coder, doc_id, anchor, dim),
                        "creatingUser": guid("user", coder),
                    },
                )
                ET.SubElement(coding, f"{p}CodeRef", {"targetGUID": guid("code", dim, code)})
        for variable in present:
            value = ET.SubElement(source, f"{p}VariableValue")
            ET.SubElement(value, f"{p}VariableRef", {"targetGUID": guid("variable", variable)})
            ET.SubElement(value, f"{p}TextValue").text = str(getattr(doc, variable))
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for member, data in [("project.qde", _xml_bytes(root)), *sorted(files.items())]:
            info = zipfile.ZipInfo(member, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return out


@dataclass(frozen=True)
class QdaProject:
    """What :func:`read_qdpx` found: users, codes and coded selections of a project."""

    users: dict[str, str]  # guid -> name
    codes: pd.DataFrame  # guid, name, parent (name of the parent code, "" at the top)
    sources: dict[str, str]  # guid -> name
    codings: pd.DataFrame  # selection, source, start, end, code_guid, user_guid


def read_qdpx(path: str | Path) -> QdaProject:
    """Read the users, codes and coded text selections of a ``.qdpx`` project.

    Raises :class:`analysis.coding.CodingError` naming the file when it is not a REFI-QDA
    project (not a zip, no ``project.qde``, not XML in the project namespace, too large).
    """
    path = Path(path)
    try:
        with zipfile.ZipFile(path) as archive:
            try:
                info = archive.getinfo("project.qde")
            except KeyError:
                raise CodingError(
                    f"{path}: no project.qde inside; is this a REFI-QDA .qdpx project?"
                ) from None
            if info.file_size > MAX_PROJECT_BYTES:
                raise CodingError(
                    f"{path}: project.qde is {info.file_size:,} bytes, above the "
                    f"{MAX_PROJECT_BYTES:,} this reader accepts"
                )
            data = archive.read(info)
    except (zipfile.BadZipFile, OSError) as error:
        raise CodingError(f"{path}: not a .qdpx project (a zip file): {error}") from None
    try:
        root = ET.fromstring(data)  # expat: no external entities, bounded entity expansion
    except ET.ParseError as error:
        raise CodingError(f"{path}: project.qde is not well-formed XML: {error}") from None
    p = f"{{{PROJECT_NS}}}"
    if root.tag != f"{p}Project":
        raise CodingError(
            f"{path}: the root element is {root.tag}, not a REFI-QDA Project "
            f"in namespace {PROJECT_NS}"
        )
    users = {u.get("guid", ""): u.get("name", "") for u in root.iter(f"{p}User")}
    code_rows: list[tuple[str, str, str]] = []

    def walk(element: ET.Element, parent: str) -> None:
        for code in element.findall(f"{p}Code"):
            code_rows.append((code.get("guid", ""), code.get("name", ""), parent))
            walk(code, code.get("name", ""))

    for codes in root.iter(f"{p}Codes"):
        walk(codes, "")
    sources: dict[str, str] = {}
    rows = []
    for source in root.iter(f"{p}TextSource"):
        source_guid = source.get("guid", "")
        sources[source_guid] = source.get("name", "")
        for selection in source.findall(f"{p}PlainTextSelection"):
            for coding in selection.findall(f"{p}Coding"):
                ref = coding.find(f"{p}CodeRef")
                rows.append(
                    (
                        selection.get("guid", ""),
                        source_guid,
                        int(selection.get("startPosition", "-1")),
                        int(selection.get("endPosition", "-1")),
                        "" if ref is None else ref.get("targetGUID", ""),
                        coding.get("creatingUser", selection.get("creatingUser", "")),
                    )
                )
    return QdaProject(
        users=users,
        codes=pd.DataFrame(code_rows, columns=["guid", "name", "parent"]),
        sources=sources,
        codings=pd.DataFrame(
            rows, columns=["selection", "source", "start", "end", "code_guid", "user_guid"]
        ),
    )


def coding_from_qdpx(
    path: str | Path,
    segments: pd.DataFrame,
    *,
    coder: str,
    codebook: Codebook | None = None,
    kinds: Iterable[str] = DEFAULT_KINDS,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Turn the coding of a ``.qdpx`` project into a coder sheet for ``coder``.

    A selection codes the unit whose offsets contain it (in the source of the same name as the
    unit's ``doc_id``); a code maps onto the codebook by its GUID (as exported) or by its name
    under a parent code named after a dimension (a code made in the QDA program). When the
    project has users, the codings of the user named ``coder`` are read (all codings when the
    project has one user or none).

    Returns
    -------
    (sheet, problems)
        ``sheet``: one row per coding unit with the columns of
        :func:`analysis.coding.sheet_columns`, ready for ``write_sheet``. ``problems``: every
        coding not carried into the sheet (a selection spanning units or outside every unit,
        a source that is not a statement of the corpus, an unknown code, a second code for
        the same unit and dimension), with :data:`PROBLEM_COLUMNS`; nothing is dropped silently.
    """
    cb = codebook or load_codebook()
    project = read_qdpx(path)
    codings = project.codings
    named = {g for g, n in project.users.items() if n == coder}
    if named:
        codings = codings[codings["user_guid"].isin(named)]
    elif len(project.users) > 1:
        raise CodingError(
            f"{path}: the project has users {sorted(project.users.values())} and none is "
            f"called {coder!r}; pass --coder with one of them"
        )
    by_guid = {guid("code", d.name, c): (d.name, c) for d in cb.categorical for c in d.choices}
    by_name = {(d.name, c): (d.name, c) for d in cb.categorical for c in d.choices}
    names = project.codes.set_index("guid") if len(project.codes) else None
    units = coding_units(segments, kinds=kinds)
    sheet = pd.DataFrame({c: "" for c in sheet_columns(cb)}, index=range(len(units)))
    for column in ("seg_id", "label", "doc_id", "actor_type", "organisation", "text", "text_sha"):
        sheet[column] = units[column].astype(str).to_numpy()
    sheet["coder"] = coder
    sheet = sheet.astype(str)
    problems = []

    def problem(row: Any, text: str, code: str = "") -> None:
        problems.append(
            (
                "error",
                row.selection,
                project.sources.get(row.source, ""),
                row.start,
                row.end,
                code,
                text,
            )
        )

    for row in codings.itertuples(index=False):
        code_name = ""
        if names is not None and row.code_guid in names.index:
            entry = names.loc[row.code_guid]
            code_name = f"{entry['parent']}/{entry['name']}" if entry["parent"] else entry["name"]
        mapped = by_guid.get(row.code_guid)
        if mapped is None and names is not None and row.code_guid in names.index:
            entry = names.loc[row.code_guid]
            mapped = by_name.get((entry["parent"], entry["name"]))
        if mapped is None:
            problem(
                row,
                "unknown code: not in the codebook under a dimension's name",
                code_name or row.code_guid,
            )
            continue
        doc_id = project.sources.get(row.source, "")
        mine = units.index[(units["doc_id"] == doc_id).to_numpy()]
        if not len(mine):
            problem(row, f"source {doc_id!r} is not a statement of this corpus", code_name)
            continue
        inside = [
            i for i in mine if units.at[i, "start"] <= row.start and row.end <= units.at[i, "end"]
        ]
        if len(inside) != 1:
            touched = [
                units.at[i, "seg_id"]
                for i in mine
                if row.start < units.at[i, "end"] and units.at[i, "start"] < row.end
            ]
            problem(
                row,
                "selection spans units " + ", ".join(touched)
                if touched
                else "selection lies outside every coding unit",
                code_name,
            )
            continue
        dim, code = mapped
        current = sheet.at[inside[0], dim]
        if current and current != code:
            problem(
                row,
                f"a second {dim} code for {units.at[inside[0], 'seg_id']} (kept {current!r})",
                code_name,
            )
            continue
        sheet.at[inside[0], dim] = code
    return sheet, pd.DataFrame(problems, columns=PROBLEM_COLUMNS)
