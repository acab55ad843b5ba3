"""The documents: bytes decoded safely (UTF-8 with or without BOM, UTF-16 with a BOM; anything else
named), read from the paths the manifest gives, hashed, and put in the document table with
their metadata; a per-document summary."""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from analysis.corpus.manifest import (
    CONTROL_BYTES,
    DEFAULT_MAX_BYTES,
    listing,
    path_problems,
    read_manifest,
)
from analysis.errors import CorpusError


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
        n_control = len(sample) - len(sample.translate(None, CONTROL_BYTES))
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
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text or text.isspace():
        raise CorpusError(f"{source} is empty (no text); remove it from the manifest or fill it")
    return text, encoding


def read_document(path: str | Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> tuple[str, str, str]:
    """Read one document file; return ``(text, encoding, sha256 of the bytes)``."""
    path = Path(path)
    try:
        mode, size = (found := os.stat(path)).st_mode, found.st_size
    except (FileNotFoundError, NotADirectoryError, ValueError):
        mode, size = 0, 0
    except OSError as exc:  # a loop of links, no permission to look
        raise CorpusError(
            f"document {path} cannot be opened ({exc.strerror}); check the file and the links "
            "on its path"
        ) from None
    if stat.S_ISDIR(mode):
        raise CorpusError(
            f"document {path} is a folder, not a file; the manifest's path column names one text "
            "file per document"
        )
    if not stat.S_ISREG(mode):
        raise CorpusError(f"document {path} does not exist; check the manifest's path column")
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
    folders: dict[str, tuple[Path, Path]] = {}  # each manifest and its folder, resolved once
    recorded = frame["sha256"].tolist() if "sha256" in frame.columns else [""] * len(frame)
    for row, doc_id, manifest_path, document, abs_path, expected in zip(
        frame["manifest_row"].tolist(),
        frame["doc_id"].tolist(),
        frame["manifest_path"].tolist(),
        frame["path"].tolist(),
        frame["abs_path"].tolist(),
        recorded,
        strict=True,
    ):
        where = f"manifest row {row} (doc_id {doc_id!r})"
        text, encoding, sha = "", "", ""
        if manifest_path not in folders:
            manifest = Path(manifest_path)
            folders[manifest_path] = (manifest, manifest.parent.resolve())
        manifest, folder = folders[manifest_path]
        outside = path_problems(document, manifest, where, folder=folder, resolved=abs_path)
        try:
            if outside:  # never read a file outside the manifest's folder
                raise CorpusError(outside[0].split(": ", 1)[1])
            text, encoding, sha = read_document(abs_path, max_bytes=max_bytes)
        except CorpusError as exc:
            problems[doc_id] = f"{where}: {exc}"
        if sha and expected and expected.lower() != sha:
            problems[doc_id] = (
                f"{where}: {abs_path} has sha256 {sha}, but the manifest records "
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
            listing(
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
