"""A cache of tables on disk in a format that cannot run code when read.

Each table is one ``.npz`` file (NumPy arrays, read with ``allow_pickle=False``) beside a JSON
schema. Numbers and booleans are stored as they are; text columns as integer codes into a list
of distinct strings kept in the JSON, with -1 for a missing value, so a column of half a
million tokens drawn from a few thousand words takes 4 bytes a row. Reading gives back the
same columns, dtypes and values (``DataFrame.equals`` holds), so results computed from a cached
table are byte-identical to results computed from a fresh one.

A cache entry is a folder named by a key (a SHA-256 over everything that shaped the tables);
it is written under a temporary name and renamed into place, so a reader never sees half an
entry and two builds writing the same entry at once do not corrupt it.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "CacheFormatError",
    "cache_root",
    "read_entry",
    "read_frame",
    "read_parcel",
    "write_entry",
    "write_frame",
    "write_parcel",
]

SCHEMA_VERSION = 1
#: Entries kept in a cache folder; older ones (by last use) are removed when one is written
#: (a build's tables and its token table are two entries).
KEEP_ENTRIES = 12


#: One table as :func:`encode_frame` gives it: its arrays and its JSON-ready schema.
EncodedTable = tuple[dict[str, np.ndarray], dict[str, Any]]


class CacheFormatError(ValueError):
    """A table cannot be stored (an unsupported column) or a stored one cannot be read."""


def cache_root() -> Path | None:
    """The cache folder: ``$ANALYSIS_CACHE`` if set (``off`` switches the cache off: None),
    else ``.cache/tables`` in the project."""
    from analysis import paths

    configured = os.environ.get("ANALYSIS_CACHE", "")
    if configured.lower() == "off":
        return None
    return Path(configured) if configured else paths.ROOT / ".cache" / "tables"


def _text_column(values: pd.Series) -> tuple[np.ndarray, list[str]]:
    try:
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
    except TypeError as error:  # unhashable values (lists, dicts)
        raise CacheFormatError(f"column {values.name!r} holds values that are not text") from error
    if any(not isinstance(u, str) for u in uniques):
        raise CacheFormatError(f"column {values.name!r} holds values that are not text")
    words = list(uniques)
    return codes.astype(np.int32 if len(words) < 2**31 else np.int64), words


def _distinct_column(values: pd.Series) -> tuple[np.ndarray, list[str]]:
    missing = values.isna().to_numpy()
    words = values[~missing].tolist() if missing.any() else values.tolist()
    if not all(isinstance(w, str) for w in words):
        raise CacheFormatError(f"column {values.name!r} holds values that are not text")
    kind = np.int32 if len(words) < 2**31 else np.int64
    codes = np.cumsum(~missing, dtype=kind) - 1
    codes[missing] = -1
    return codes, words


def encode_frame(frame: pd.DataFrame, name: str, *, distinct: Collection[str] = ()) -> EncodedTable:
    """A table as numpy arrays (text columns as integer codes) and a JSON-ready schema (the
    column names, dtypes and the words of each text column): the cache's format, and a compact
    way to send a table between processes. Columns named in ``distinct`` (ids, texts: mostly
    one value per row) keep every row's value as its own word, unfactorised: the same table
    back, without hashing long strings to find the few that repeat."""
    index = frame.index
    if not isinstance(index, pd.RangeIndex) or index.start != 0 or index.step != 1:
        raise CacheFormatError(f"table {name!r} needs a default index to be cached")
    if frame.attrs:
        raise CacheFormatError(f"table {name!r} has attrs, which the cache does not keep")
    arrays: dict[str, np.ndarray] = {}
    columns = []
    for i, column in enumerate(frame.columns):
        if not isinstance(column, str):
            raise CacheFormatError(f"table {name!r}: column names must be text, got {column!r}")
        values = frame[column]
        dtype = str(values.dtype)
        key = f"c{i}"
        if dtype in ("str", "object", "string"):
            arrays[key], words = (
                _distinct_column(values) if column in distinct else _text_column(values)
            )
            columns.append({"name": column, "dtype": dtype, "words": words})
        elif isinstance(values.dtype, np.dtype) and values.dtype.kind in "biuf":
            arrays[key] = values.to_numpy()
            columns.append({"name": column, "dtype": dtype})
        else:
            raise CacheFormatError(f"table {name!r}: column {column!r} has dtype {dtype}")
    return arrays, {"version": SCHEMA_VERSION, "rows": len(frame), "columns": columns}


def decode_frame(
    arrays: Mapping[str, np.ndarray], schema: Mapping[str, Any], name: str
) -> pd.DataFrame:
    """The table :func:`encode_frame` encoded."""
    if schema.get("version") != SCHEMA_VERSION:
        raise CacheFormatError(f"{name}: schema version {schema.get('version')}")
    data: dict[str, object] = {}
    for i, column in enumerate(schema["columns"]):
        values = arrays[f"c{i}"]
        if "words" in column:
            words = np.array([*column["words"], None], dtype=object)
            decoded = words[np.where(values < 0, len(words) - 1, values)]
            data[column["name"]] = pd.Series(decoded, dtype=column["dtype"])
        else:
            data[column["name"]] = pd.Series(values, dtype=column["dtype"])
    frame = pd.DataFrame(data, columns=[c["name"] for c in schema["columns"]])
    if len(frame) != schema["rows"]:
        raise CacheFormatError(f"table {name!r} has {len(frame)} rows, not {schema['rows']}")
    return frame


def decode_frames(
    parts: list[tuple[Mapping[str, np.ndarray], Mapping[str, Any]]], name: str
) -> pd.DataFrame:
    """The tables of several :func:`encode_frame` results stacked, as ``pd.concat`` of their
    decoded tables would give them (``ignore_index=True``), decoded once: text columns' codes
    are shifted onto one word list, so no intermediate table is built. Parts without rows are
    left out (their columns may have default dtypes) unless every part is empty."""
    filled = [part for part in parts if part[1]["rows"]] or parts[:1]
    if len(filled) == 1:
        return decode_frame(*filled[0], name)
    schemas = [schema for _, schema in filled]
    first = schemas[0]
    for schema in schemas[1:]:
        if schema.get("version") != SCHEMA_VERSION or [
            (c["name"], c["dtype"]) for c in schema["columns"]
        ] != [(c["name"], c["dtype"]) for c in first["columns"]]:
            raise CacheFormatError(f"{name}: the parts have different columns")
    arrays: dict[str, np.ndarray] = {}
    columns = []
    for i, column in enumerate(first["columns"]):
        key = f"c{i}"
        if "words" in column:
            words: list[str] = []
            codes = []
            for part_arrays, schema in filled:
                part_codes = np.asarray(part_arrays[key], dtype=np.int64)
                codes.append(np.where(part_codes < 0, -1, part_codes + len(words)))
                words.extend(schema["columns"][i]["words"])
            arrays[key] = np.concatenate(codes)
            columns.append({**column, "words": words})
        else:
            arrays[key] = np.concatenate([part_arrays[key] for part_arrays, _ in filled])
            columns.append(column)
    rows = sum(schema["rows"] for schema in schemas)
    return decode_frame(arrays, {"version": SCHEMA_VERSION, "rows": rows, "columns": columns}, name)


#: Byte alignment of each array in a parcel (so every array can be a view of the file's bytes).
_ALIGN = 64


def write_parcel(path: Path, tables: Mapping[str, EncodedTable]) -> dict[str, Any]:
    """Write tables encoded by :func:`encode_frame` to one file of raw numbers, for another
    process on this machine to read with :func:`read_parcel`; return the small index it needs.

    A build's worker sends its tables this way: through the executor's pipe (under 300 MB/s
    here, and pickled on top), a share's hundred megabytes of arrays and word lists took the
    parent a fifth as long to receive as the worker took to build them. Each text column's
    word list is written as one UTF-8 run and the words' lengths, so the file holds numbers
    only and reading it runs no code.
    """
    layout: list[list[Any]] = []
    schemas: dict[str, dict[str, Any]] = {}
    offset = 0
    with open(path, "wb") as fh:

        def put(table: str, key: str, array: np.ndarray) -> None:
            nonlocal offset
            array = np.ascontiguousarray(array)
            if array.dtype.kind not in "biuf":
                raise CacheFormatError(f"table {table!r}: array {key!r} is not numbers")
            pad = -offset % _ALIGN
            fh.write(bytes(pad))
            layout.append([table, key, array.dtype.str, len(array), offset + pad])
            fh.write(array.data)
            offset += pad + array.nbytes

        for name, (arrays, schema) in tables.items():
            for key, array in arrays.items():
                put(name, key, array)
            columns = []
            for i, column in enumerate(schema["columns"]):
                if "words" in column:
                    words = column["words"]
                    text = "".join(words).encode("utf-8", "surrogatepass")
                    put(name, f"w{i}", np.frombuffer(text, dtype=np.uint8))
                    put(name, f"n{i}", np.fromiter(map(len, words), np.int64, len(words)))
                    column = {**column, "words": None}
                columns.append(column)
            schemas[name] = {**schema, "columns": columns}
    return {"layout": layout, "schemas": schemas}


def read_parcel(path: Path, parcel: Mapping[str, Any]) -> dict[str, EncodedTable]:
    """The encoded tables :func:`write_parcel` wrote to ``path`` (arrays are views of one
    buffer read from the file; the file itself is left for the caller to remove)."""
    buffer = np.fromfile(path, dtype=np.uint8)
    arrays: dict[str, dict[str, np.ndarray]] = {name: {} for name in parcel["schemas"]}
    for table, key, dtype, length, offset in parcel["layout"]:
        kind = np.dtype(dtype)
        arrays[table][key] = buffer[offset : offset + length * kind.itemsize].view(kind)
    tables: dict[str, EncodedTable] = {}
    for name, schema in parcel["schemas"].items():
        columns = []
        for i, column in enumerate(schema["columns"]):
            if "words" in column:
                text = arrays[name].pop(f"w{i}").tobytes().decode("utf-8", "surrogatepass")
                ends = np.cumsum(arrays[name].pop(f"n{i}")).tolist()
                column = {
                    **column,
                    "words": [text[a:b] for a, b in zip([0, *ends][:-1], ends, strict=True)],
                }
            columns.append(column)
        tables[name] = (arrays[name], {**schema, "columns": columns})
    return tables


def write_frame(frame: pd.DataFrame, folder: Path, name: str) -> None:
    """Store ``frame`` as ``<name>.npz`` and ``<name>.json`` in ``folder``."""
    arrays, schema = encode_frame(frame, name)
    np.savez(folder / f"{name}.npz", **arrays)  # type: ignore[arg-type]
    (folder / f"{name}.json").write_text(json.dumps(schema), encoding="utf-8")


def read_frame(folder: Path, name: str) -> pd.DataFrame:
    """Read a table written by :func:`write_frame`."""
    try:
        schema = json.loads((folder / f"{name}.json").read_text(encoding="utf-8"))
        with np.load(folder / f"{name}.npz", allow_pickle=False) as arrays:
            return decode_frame(arrays, schema, name)
    except (OSError, KeyError, ValueError, TypeError) as error:
        raise CacheFormatError(
            f"cached table {name!r} in {folder} cannot be read: {error}"
        ) from error


def read_entry(root: Path, key: str, names: tuple[str, ...]) -> dict[str, pd.DataFrame] | None:
    """Read the tables ``names`` of the entry ``key``; ``None`` when it is missing or unreadable."""
    folder = root / key
    if not folder.is_dir():
        return None
    try:
        tables = {name: read_frame(folder, name) for name in names}
    except CacheFormatError:
        return None
    os.utime(folder)  # last use, for pruning
    return tables


def write_entry(root: Path, key: str, tables: Mapping[str, pd.DataFrame]) -> bool:
    """Store ``tables`` as the entry ``key``; return False (and store nothing) when a table
    cannot be stored or the folder cannot be written."""
    try:
        root.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{key[:12]}-", dir=root))
    except OSError:
        return False
    try:
        for name, frame in tables.items():
            write_frame(frame, staging, name)
        os.replace(staging, root / key)
    except (CacheFormatError, OSError):
        shutil.rmtree(staging, ignore_errors=True)
        return (root / key).is_dir()
    _prune(root)
    return True


def _prune(root: Path) -> None:
    entries = sorted(
        (p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")),
        key=lambda p: p.stat().st_mtime,
        reverse=True,
    )
    for old in entries[KEEP_ENTRIES:]:
        shutil.rmtree(old, ignore_errors=True)
