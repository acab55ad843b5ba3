"""Load a corpus from its manifest: validate metadata, verify hashes, decode each file safely.

``load_corpus`` returns one row per document with the manifest's columns plus ``encoding``,
``n_chars``, ``sha256`` and ``text`` (the raw decoded text). The files themselves are never
modified; every problem raises :class:`analysis.errors.CorpusError` naming the manifest row or
file and what to do about it.

Decoding policy
---------------
* UTF-8 strictly; a UTF-8 byte-order mark is accepted and dropped (``encoding == "utf-8-sig"``).
* A UTF-16 file with a byte-order mark is decoded as such (``"utf-16"``).
* Otherwise, bytes that are not valid UTF-8 are decoded as Windows-1252 (``"cp1252"``) and the
  fallback is recorded, never silent: check such files, since a wrong guess changes characters.
* Line endings CRLF and CR become LF. Offsets everywhere in the package index this decoded,
  LF-normalised text, which is what ``text`` holds.
* Refused: empty files (or only whitespace), binary files (NUL or many control bytes), files over
  ``max_bytes``.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import re
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from analysis import paths
from analysis.errors import CorpusError

REQUIRED_COLUMNS: tuple[str, ...] = ("doc_id", "path", "actor_type", "organisation", "date")
OPTIONAL_COLUMNS: tuple[str, ...] = (
    "title",
    "speaker",
    "venue",
    "genre",
    "language",
    "source",
    "sha256",
    "paragraphs",
)
DEFAULT_MAX_BYTES = 20_000_000
_DOC_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
# C0 control bytes other than tab, newline and carriage return: a few in a text file are noise,
# many mean the file is binary.
_CONTROL = bytes([*range(0, 9), 11, 12, *range(14, 32)])


def read_manifest(
    manifest: str | Path | None = None, *, validate_rows: bool = True
) -> pd.DataFrame:
    """Read and validate a manifest CSV; return it with every cell a string.

    Parameters
    ----------
    manifest
        Path to the manifest; ``None`` means the project's ``seeds/manifest.csv``.
    validate_rows
        Raise on bad rows (empty required cells, bad ids, dates, hashes or layouts), listing
        every bad row at once; :func:`analysis.check.check_corpus` passes False and reports
        them itself.

    Returns
    -------
    DataFrame
        The manifest's columns as strings (optional columns missing from the file are added
        empty), plus ``manifest_row`` (int, the 1-based line number in the file),
        ``abs_path`` (the document's resolved path) and ``manifest_path`` (the manifest's path).
    """
    path = Path(manifest) if manifest is not None else paths.MANIFEST
    if path.is_dir():
        raise CorpusError(
            f"manifest {path} is a folder, not a file; pass the manifest CSV inside it "
            f"(for example {path / 'manifest.csv'})"
        )
    if not path.is_file():
        raise CorpusError(f"manifest {path} does not exist; pass the path of a manifest CSV")
    text = _decode_manifest(path.read_bytes(), path)
    rows = list(csv.reader(text.splitlines()))
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise CorpusError(
            f"manifest {path} is empty; it needs a header row and one row per document"
        )
    header = [h.strip() for h in rows[0]]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        for name, sep in (("semicolon", ";"), ("tab", "\t"), ("pipe", "|")):
            if len(header) == 1 and all(c in header[0] for c in ("doc_id", sep)):
                raise CorpusError(
                    f"manifest {path} looks {name}-separated ({sep!r} between the columns); "
                    "save it as a comma-separated CSV (in a spreadsheet: Save As, CSV UTF-8, "
                    "comma-delimited)"
                )
        raise CorpusError(
            f"manifest {path} lacks required column(s) {', '.join(missing)}; "
            f"required: {', '.join(REQUIRED_COLUMNS)}"
        )
    dupes = sorted({h for h in header if header.count(h) > 1})
    if dupes:
        raise CorpusError(f"manifest {path} repeats column(s) {', '.join(dupes)}")
    records = []
    for line_no, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue  # blank line
        if len(row) != len(header):
            raise CorpusError(
                f"manifest {path} row {line_no}: {len(row)} fields but the header has "
                f"{len(header)}; quote values that contain commas"
            )
        record: dict[str, str | int] = {
            h: cell.strip() for h, cell in zip(header, row, strict=True)
        }
        record["manifest_row"] = line_no
        records.append(record)
    if not records:
        raise CorpusError(
            f"manifest {path} has a header but no documents; add one row per document"
        )
    frame = pd.DataFrame.from_records(records)
    for col in OPTIONAL_COLUMNS:
        if col not in frame.columns:
            frame[col] = ""
    if validate_rows:
        _validate_rows(frame, path)
    frame["abs_path"] = [str((path.parent / p).resolve()) for p in frame["path"]]
    frame["manifest_path"] = str(path)
    return frame


def _decode_manifest(raw: bytes, path: Path) -> str:
    """Decode a manifest: UTF-8 (a BOM allowed), or UTF-16 with a BOM; else say what it is."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError:
            raise CorpusError(
                f"manifest {path} starts with a UTF-16 mark but is not valid UTF-16; save it as "
                "UTF-8 CSV"
            ) from None
    sample = raw[:4096]
    if sample and (
        sample[1::2].count(0) > len(sample) // 4 or sample[0::2].count(0) > len(sample) // 4
    ):
        order = "LE" if sample[1::2].count(0) > sample[0::2].count(0) else "BE"
        raise CorpusError(
            f"manifest {path} looks UTF-16 without a byte-order mark (every other byte is "
            f"0); save it as UTF-8 CSV (for example `iconv -f UTF-16{order} -t UTF-8 "
            f"{path.name} > manifest-utf8.csv`)"
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CorpusError(
            f"manifest {path} is not UTF-8 (byte {exc.start}); it is probably Windows-1252 or "
            f"Latin-1: save it as UTF-8 CSV (for example `iconv -f CP1252 -t UTF-8 {path.name} "
            "> manifest-utf8.csv`)"
        ) from None


def _validate_rows(frame: pd.DataFrame, path: Path) -> None:
    """Check every manifest row; raise one :class:`CorpusError` listing every bad row."""
    problems = manifest_row_problems(frame, path)
    if problems:
        raise CorpusError(_listing(f"manifest {path}", problems))


def _listing(what: str, problems: list[str]) -> str:
    if len(problems) == 1:
        return problems[0]
    return f"{what}: {len(problems)} problems\n" + "\n".join(f"  - {p}" for p in problems)


def _path_problems(document: str, manifest: Path, where: str) -> list[str]:
    """A document must be a file inside the manifest's folder, after resolving links."""
    if not document:
        return []
    folder = manifest.parent.resolve()
    given = Path(document)
    if given.is_absolute() or document.startswith(("\\", "/")) or re.match(r"^[A-Za-z]:", document):
        return [
            f"{where}: path {document!r} is absolute; give it relative to the manifest's "
            f"folder and keep the file in that folder"
        ]
    resolved = (manifest.parent / given).resolve()
    if not resolved.is_relative_to(folder):
        return [
            f"{where}: path {document!r} leads outside the manifest's folder (to "
            f"{resolved}); a manifest reads only files in its own folder, so copy the file "
            "there"
        ]
    return []


def manifest_row_problems(frame: pd.DataFrame, path: Path) -> list[str]:
    """Return one message per problem in the manifest's rows (empty list when all are valid)."""
    problems: list[str] = []
    seen: dict[str, int] = {}
    for rec in frame.to_dict("records"):
        where = f"manifest {path} row {rec['manifest_row']}"
        empty = [col for col in REQUIRED_COLUMNS if not rec[col]]
        for col in empty:
            problems.append(f"{where}: column {col!r} is empty; every document needs one")
        doc_id = rec["doc_id"]
        actor = rec["actor_type"]
        if actor and not _DOC_ID.fullmatch(actor):
            problems.append(
                f"{where}: actor_type {actor!r} is not a valid group name; use letters, digits, "
                "'-', '_' or '.', starting with a letter or digit (at most 64 characters): it "
                "becomes part of file names and page ids"
            )
        problems.extend(_path_problems(rec.get("path", ""), path, where))
        if doc_id and not _DOC_ID.fullmatch(doc_id):
            problems.append(
                f"{where}: doc_id {doc_id!r} is not a valid id; use letters, digits, '-', '_' or "
                "'.', starting with a letter or digit (at most 64 characters)"
            )
        if doc_id in seen:
            problems.append(
                f"{where}: duplicate doc_id {doc_id!r} (also on row {seen[doc_id]}); "
                "doc_id must be unique"
            )
        elif doc_id:
            seen[doc_id] = rec["manifest_row"]
        if rec["date"]:
            try:
                if len(rec["date"]) != 10:
                    raise ValueError
                dt.date.fromisoformat(rec["date"])
            except ValueError:
                problems.append(
                    f"{where} (doc_id {doc_id!r}): date {rec['date']!r} is not an ISO date; "
                    "write it as YYYY-MM-DD"
                )
        sha = rec.get("sha256", "")
        if sha and not re.fullmatch(r"[0-9a-fA-F]{64}", sha):
            problems.append(
                f"{where} (doc_id {doc_id!r}): sha256 {sha!r} is not 64 hex digits; "
                "leave it empty or paste the output of `sha256sum FILE`"
            )
        layout = rec.get("paragraphs", "")
        if layout and layout.lower() not in ("auto", "blank-line", "line"):
            problems.append(
                f"{where} (doc_id {doc_id!r}): paragraphs {layout!r} is not a layout; use "
                "auto, blank-line (paragraphs separated by blank lines) or line (one per line)"
            )
    return problems


def decode_bytes(data: bytes, *, source: str = "<bytes>") -> tuple[str, str]:
    """Decode a document's bytes by the module's policy; return ``(text, encoding)``.

    ``source`` names the file in error messages. Raises :class:`CorpusError` for empty or
    binary content and for bytes that no supported encoding decodes.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text, encoding = data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            raise CorpusError(
                f"{source}: starts with a UTF-16 mark but is not valid UTF-16"
            ) from None
    else:
        if b"\x00" in data:
            raise CorpusError(
                f"{source} looks binary (contains NUL bytes); the corpus takes plain-text files, "
                "so export the document as .txt (UTF-8)"
            )
        sample = data[:65536]
        n_control = len(sample) - len(sample.translate(None, _CONTROL))
        if sample and n_control / len(sample) > 0.01:
            raise CorpusError(
                f"{source} looks binary (many control bytes); export the document as .txt (UTF-8)"
            )
        if data.startswith(b"\xef\xbb\xbf"):
            data, encoding = data[3:], "utf-8-sig"
        else:
            encoding = "utf-8"
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            try:
                text, encoding = data.decode("cp1252"), "cp1252"
            except UnicodeDecodeError:
                raise CorpusError(
                    f"{source} is neither UTF-8 (invalid byte at offset {exc.start}) nor "
                    "Windows-1252; re-save it as UTF-8"
                ) from None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise CorpusError(f"{source} is empty (no text); remove it from the manifest or fill it")
    return text, encoding


def read_document(path: str | Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> tuple[str, str, str]:
    """Read one document file; return ``(text, encoding, sha256 of the bytes)``."""
    path = Path(path)
    if path.is_dir():
        raise CorpusError(
            f"document {path} is a folder, not a file; the manifest's path column names one text "
            "file per document"
        )
    if not path.is_file():
        raise CorpusError(f"document {path} does not exist; check the manifest's path column")
    size = path.stat().st_size
    if size > max_bytes:
        raise CorpusError(
            f"document {path} is {size:,} bytes, over the limit of {max_bytes:,}; split it or "
            "raise max_bytes"
        )
    if size == 0:
        raise CorpusError(
            f"document {path} is empty (0 bytes); remove it from the manifest or fill it"
        )
    data = path.read_bytes()
    text, encoding = decode_bytes(data, source=f"document {path}")
    return text, encoding, hashlib.sha256(data).hexdigest()


def read_documents(
    frame: pd.DataFrame, *, max_bytes: int = DEFAULT_MAX_BYTES
) -> tuple[list[str], list[str], list[str], dict[str, str]]:
    """Read every document of a manifest table; never stop at the first bad one.

    Returns the texts, encodings and sha256 hashes (empty strings for a document that could not
    be read) and a message per unreadable document, keyed by ``doc_id``.
    """
    texts, encodings, shas = [], [], []
    problems: dict[str, str] = {}
    for rec in frame.to_dict("records"):
        where = f"manifest row {rec['manifest_row']} (doc_id {rec['doc_id']!r})"
        text, encoding, sha = "", "", ""
        outside = _path_problems(rec["path"], Path(rec["manifest_path"]), where)
        try:
            if outside:  # never read a file outside the manifest's folder
                raise CorpusError(outside[0].split(": ", 1)[1])
            text, encoding, sha = read_document(rec["abs_path"], max_bytes=max_bytes)
        except CorpusError as exc:
            problems[rec["doc_id"]] = f"{where}: {exc}"
        expected = rec.get("sha256", "")
        if sha and expected and expected.lower() != sha:
            problems[rec["doc_id"]] = (
                f"{where}: {rec['abs_path']} has sha256 {sha}, but the manifest records "
                f"{expected.lower()}; the file has changed since it was registered. Restore the "
                "original, or if the change is intended, update the manifest's sha256"
            )
        texts.append(text)
        encodings.append(encoding)
        shas.append(sha)
    return texts, encodings, shas, problems


def load_corpus(
    manifest: str | Path | None = None, *, max_bytes: int = DEFAULT_MAX_BYTES
) -> pd.DataFrame:
    """Load every document listed in a manifest into a document table.

    Parameters
    ----------
    manifest
        Path to the manifest CSV; ``None`` loads the project's seed statements.
    max_bytes
        Size limit per document file.

    Returns
    -------
    DataFrame
        One row per document, in manifest order, with ``doc_id``, ``path``, ``actor_type``,
        ``organisation``, ``date`` (ISO string), the optional columns (``title``, ``speaker``,
        ``venue``, ``genre``, ``language``, ``source``), ``sha256`` (of the file's bytes),
        ``encoding`` (``utf-8``, ``utf-8-sig``, ``utf-16`` or ``cp1252``), ``n_chars`` (int) and
        ``text`` (str). Any other manifest columns are kept as strings.

    Examples
    --------
    >>> corpus = load_corpus()
    >>> corpus[["doc_id", "actor_type"]].to_dict("records")[0]
    {'doc_id': 'lfl-2022', 'actor_type': 'civil_society'}
    """
    frame = read_manifest(manifest)
    texts, encodings, shas, problems = read_documents(frame, max_bytes=max_bytes)
    if problems:
        raise CorpusError(
            _listing(
                f"{len(problems)} of {len(frame)} documents cannot be read", list(problems.values())
            )
        )
    return document_table(frame, texts, encodings, shas)


def document_table(
    frame: pd.DataFrame, texts: list[str], encodings: list[str], shas: list[str]
) -> pd.DataFrame:
    """The document table of :func:`load_corpus` from a manifest table and what was read."""
    out = frame.drop(columns=["abs_path", "manifest_row", "manifest_path"])
    out["sha256"] = shas
    out["encoding"] = encodings
    out["n_chars"] = [len(t) for t in texts]
    out["text"] = texts
    return out.reset_index(drop=True)


def document_columns(corpus: pd.DataFrame) -> list[str]:
    """Return the metadata columns of a corpus table that segment and token tables carry along."""
    keep: Iterable[str] = ("actor_type", "organisation", "date", "genre", "title", "venue")
    return [c for c in keep if c in corpus.columns]


def describe_corpus(
    corpus: pd.DataFrame, segments: pd.DataFrame, tokens: pd.DataFrame
) -> pd.DataFrame:
    """Summarise each document: units by kind, sentences, tokens, types, TTR, sentence length.

    Parameters
    ----------
    corpus, segments, tokens
        Tables from :func:`load_corpus`, :func:`analysis.segment.segment_corpus` and
        :func:`analysis.tokenise.tokenise`.

    Returns
    -------
    DataFrame
        One row per document with ``doc_id``, ``actor_type``, ``units_<kind>`` (int, one column per
        segment kind present), ``sentences``, ``tokens`` (words and numbers, punctuation excluded),
        ``types`` (distinct ``norm`` values among those), ``ttr`` (types / tokens) and
        ``mean_sentence_length`` (tokens per sentence), all computed on the units in ``tokens``.
    """
    kinds = (
        segments.pivot_table(index="doc_id", columns="kind", values="seg_id", aggfunc="count")
        .fillna(0)
        .astype(int)
        .add_prefix("units_")
    )
    words = tokens[~tokens["is_punct"]]
    grouped = words.groupby("doc_id")
    stats = pd.DataFrame(
        {
            "sentences": tokens.groupby("doc_id")[["seg_id", "sentence"]]
            .apply(lambda g: len(g.drop_duplicates()))
            .astype(int),
            "tokens": grouped.size().astype(int),
            "types": grouped["norm"].nunique().astype(int),
        }
    )
    out = corpus[["doc_id", "actor_type"]].set_index("doc_id").join(kinds).join(stats)
    out = out.fillna({c: 0 for c in out.columns if c != "actor_type"})
    for col in list(kinds.columns) + ["sentences", "tokens", "types"]:
        out[col] = out[col].astype(int)
    out["ttr"] = (out["types"] / out["tokens"].where(out["tokens"] > 0)).round(4)
    out["mean_sentence_length"] = (
        out["tokens"] / out["sentences"].where(out["sentences"] > 0)
    ).round(2)
    return out.reset_index()


def _group_column(corpus: pd.DataFrame, by: str, column: str | None = None) -> None:
    """Check that the document table has the grouping column (and ``column``)."""
    for name in (by, column):
        if name is not None and name not in corpus.columns:
            raise CorpusError(
                f"the document table has no column {name!r}; its columns are "
                f"{list(corpus.columns)}. Add it to the manifest or choose another column."
            )


def documents_per_group(
    corpus: pd.DataFrame, groups: Iterable[str] | None = None, *, by: str = "actor_type"
) -> pd.Series:
    """List each group's documents.

    Parameters
    ----------
    corpus : DataFrame
        The document table (``doc_id`` and ``by``).
    groups : iterable of str, optional
        The groups wanted, in the order wanted (e.g. from
        :func:`analysis.report.groups_to_compare`); default every group in order of first
        appearance.
    by : str, default "actor_type"
        The grouping column.

    Returns
    -------
    pandas.Series
        Indexed by group (index named ``by``), named ``doc_ids``: for each group the list of its
        ``doc_id`` values in corpus order, an empty list for a group without documents.

    Examples
    --------
    >>> corpus = pd.DataFrame({"doc_id": ["x", "y", "z"], "actor_type": ["ngo", "gov", "ngo"]})
    >>> documents_per_group(corpus, ["gov", "ngo"]).to_dict()
    {'gov': ['y'], 'ngo': ['x', 'z']}
    """
    _group_column(corpus, by, "doc_id")
    values = corpus[by].to_numpy()
    groups = list(dict.fromkeys(values)) if groups is None else list(groups)
    ids = corpus["doc_id"].to_numpy()
    lists = [[str(d) for d in ids[values == g]] for g in groups]
    return pd.Series(
        lists, index=pd.Index(groups, name=by, dtype=object), name="doc_ids", dtype=object
    )


def group_comparisons(groups: Iterable[str]) -> list[tuple[str, str]]:
    """Return the comparisons a report draws between the compared groups.

    Two groups are compared with each other; with more than two, each group in turn is compared
    with all the others pooled, named ``"rest"`` (unlike
    :func:`analysis.explorer.compare_groups`, which compares only the first group with the
    rest); one group or none gives nothing to compare. A group listed twice counts once.

    Parameters
    ----------
    groups
        The compared groups in order (from :func:`analysis.report.groups_to_compare`).

    Returns
    -------
    list of (str, str)
        ``(target, reference)`` pairs; a reference of ``"rest"`` means the other groups pooled
        (pass ``reference=None`` to the counting functions for it).

    Examples
    --------
    >>> group_comparisons(["ngo", "gov"])
    [('ngo', 'gov')]
    >>> group_comparisons(["ngo", "gov", "un"])
    [('ngo', 'rest'), ('gov', 'rest'), ('un', 'rest')]
    """
    groups = list(dict.fromkeys(groups))
    if len(groups) == 2:
        return [(groups[0], groups[1])]
    if len(groups) > 2:
        return [(g, "rest") for g in groups]
    return []


def separates_groups(
    corpus: pd.DataFrame,
    column: str,
    *,
    groups: Iterable[str] | None = None,
    by: str = "actor_type",
) -> bool:
    """Tell whether no value of ``column`` is shared by two groups.

    When it holds (e.g. every civil-society document is a press statement and every government
    document a diplomatic statement), the column and the group cannot be told apart: every
    difference between the groups is also a difference of ``column``.

    Parameters
    ----------
    corpus : DataFrame
        The document table (``by`` and ``column``).
    column : str
        The document column to check (``genre``, ``venue``, ``language`` ...). An empty value
        counts as a value like any other.
    groups : iterable of str, optional
        The groups compared; default every group of ``by``. Documents of other groups are
        ignored.
    by : str, default "actor_type"
        The grouping column.

    Returns
    -------
    bool
        True when there are at least two groups and each value of ``column`` occurs in one group
        only; False with fewer than two groups (nothing to separate).

    Examples
    --------
    >>> corpus = pd.DataFrame({"actor_type": ["ngo", "gov", "ngo"],
    ...                        "genre": ["press", "speech", "press"]})
    >>> separates_groups(corpus, "genre"), separates_groups(corpus.assign(genre="press"), "genre")
    (True, False)
    """
    _group_column(corpus, by, column)
    values = corpus[by].to_numpy()
    groups = list(dict.fromkeys(values)) if groups is None else list(dict.fromkeys(groups))
    if len(groups) < 2:
        return False
    chosen = corpus[corpus[by].isin(groups)]
    groups_per_value = chosen.groupby(column, sort=False)[by].nunique()
    return bool((groups_per_value <= 1).all())


def date_span_years(
    corpus: pd.DataFrame, *, groups: Iterable[str] | None = None, by: str = "actor_type"
) -> float:
    """Return the years between the earliest and the latest document of some groups.

    Parameters
    ----------
    corpus : DataFrame
        The document table (``date`` as an ISO date string, and ``by``).
    groups : iterable of str, optional
        The groups whose documents count; default all documents.
    by : str, default "actor_type"
        The grouping column.

    Returns
    -------
    float
        Days between the earliest and the latest ``date`` divided by 365.25; 0.0 for one
        document, NaN for none.

    Examples
    --------
    >>> corpus = pd.DataFrame({"actor_type": ["ngo", "gov"],
    ...                        "date": ["2022-03-04", "2024-07-11"]})
    >>> round(date_span_years(corpus), 2)
    2.35
    """
    _group_column(corpus, by, "date")
    chosen = corpus if groups is None else corpus[corpus[by].isin(list(groups))]
    if chosen.empty:
        return float("nan")
    try:
        dates = pd.to_datetime(chosen["date"], format="ISO8601")
    except (ValueError, TypeError) as exc:
        raise CorpusError(
            f"the document table's date column holds a value that is not an ISO date ({exc}); "
            "fix it in the manifest (YYYY-MM-DD)."
        ) from None
    return (dates.max() - dates.min()).days / 365.25
