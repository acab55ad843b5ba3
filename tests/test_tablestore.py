"""The table cache: exact round trips, no code run on reading, keys that follow every input."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis import pipeline, tablestore


def _frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "word": pd.Series(["we", "urge", None, "we", "Dato'"], dtype="str"),
            "count": np.array([3, 1, 0, 7, 2], dtype=np.int64),
            "share": [0.5, np.nan, 1e-300, -2.25, 1 / 3],
            "flag": [True, False, True, True, False],
            "small": np.array([1, 2, 3, 4, 5], dtype=np.int32),
        }
    )


def test_round_trip_is_exact(tmp_path: Path) -> None:
    frame = _frame()
    tablestore.write_frame(frame, tmp_path, "t")
    back = tablestore.read_frame(tmp_path, "t")
    assert back.equals(frame)
    assert list(back.dtypes) == list(frame.dtypes)
    assert back["word"].isna().tolist() == frame["word"].isna().tolist()
    # byte-identical CSVs from either
    assert back.to_csv(index=False) == frame.to_csv(index=False)


def test_empty_and_object_columns(tmp_path: Path) -> None:
    empty = pd.DataFrame({"doc_id": pd.Series([], dtype=object), "n": pd.Series([], dtype="int64")})
    tablestore.write_frame(empty, tmp_path, "e")
    back = tablestore.read_frame(tmp_path, "e")
    assert back.equals(empty) and list(back.dtypes) == list(empty.dtypes)


@pytest.mark.parametrize(
    "frame",
    [
        pd.DataFrame({"a": [1, 2]}, index=[5, 6]),
        pd.DataFrame({"a": [[1], [2]]}),
        pd.DataFrame({"a": pd.array([1, None], dtype="Int64")}),
        pd.DataFrame({0: [1, 2]}),
    ],
    ids=["index", "lists", "nullable-int", "number-name"],
)
def test_tables_it_cannot_store_are_refused(tmp_path: Path, frame: pd.DataFrame) -> None:
    with pytest.raises(tablestore.CacheFormatError):
        tablestore.write_frame(frame, tmp_path, "bad")


def test_distinct_columns_give_back_the_same_table() -> None:
    """Columns sent unfactorised (every row its own word) decode to the same table, missing
    values and repeats included; a column of other things than text is still refused."""
    frame = _frame()
    plain = tablestore.encode_frame(frame, "t")
    arrays, schema = tablestore.encode_frame(frame, "t", distinct=("word",))
    assert schema["columns"][0]["words"] == ["we", "urge", "we", "Dato'"]
    assert arrays["c0"].tolist() == [0, 1, -1, 2, 3]
    back = tablestore.decode_frame(arrays, schema, "t")
    assert back.equals(frame) and back.equals(tablestore.decode_frame(*plain, "t"))
    with pytest.raises(tablestore.CacheFormatError, match="not text"):
        tablestore.encode_frame(pd.DataFrame({"a": ["x", 3]}), "t", distinct=("a",))


def test_a_parcel_gives_back_the_encoded_tables(tmp_path: Path) -> None:
    """What a worker writes for its parent (raw numbers and UTF-8 words, no pickle) reads back
    as the same encoded tables: every dtype, missing values, words outside the BMP and lone
    surrogates, empty tables and empty word lists."""
    odd = pd.DataFrame(
        {
            "text": pd.Series(["\U0001f600 ok", "a\ud800b", "", "Tuan\u00a0Haji"], dtype="str"),
            "n": np.array([1, 2, 3, 4], dtype=np.int64),
        }
    )
    empty = pd.DataFrame({"doc_id": pd.Series([], dtype="str"), "n": pd.Series([], dtype=np.int64)})
    frames = {"main": _frame(), "odd": odd, "empty": empty, "none": _frame().iloc[:0]}
    encoded = {name: tablestore.encode_frame(frame, name) for name, frame in frames.items()}
    parcel = tablestore.write_parcel(tmp_path / "p", encoded)
    assert len(repr(parcel)) < 2000  # the index is small; the words went to the file
    back = tablestore.read_parcel(tmp_path / "p", parcel)
    assert list(back) == list(frames)
    for name, frame in frames.items():
        arrays, schema = back[name]
        assert schema == encoded[name][1]
        for key, array in encoded[name][0].items():
            assert arrays[key].dtype == array.dtype
            assert arrays[key].tobytes() == np.ascontiguousarray(array).tobytes()  # bit for bit
        decoded = tablestore.decode_frame(arrays, schema, name)
        pd.testing.assert_frame_equal(decoded.reset_index(drop=True), frame.reset_index(drop=True))


def test_a_parallel_build_leaves_no_parcels(tmp_path: Path, monkeypatch) -> None:
    import tempfile

    from analysis import synthetic

    manifest = synthetic.write_corpus(tmp_path / "corpus", 60, words=80)
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    sent: list[object] = []
    received = pipeline._received
    monkeypatch.setattr(
        pipeline, "_received", lambda shipped: sent.append(shipped) or received(shipped)
    )
    built = pipeline.build(manifest, cache=False, jobs=2)
    assert len(sent) == 2 and all(isinstance(s, tuple) for s in sent)  # parcels, not tables
    assert not list(scratch.iterdir())
    one = pipeline.build(manifest, cache=False)
    assert built.dtm.counts.sum() == one.dtm.counts.sum()

    def full(path: Path, tables: object) -> object:
        path.write_bytes(b"half a parcel")
        raise OSError(28, "No space left on device")

    # a temporary folder with no room: the tables come through the pipe instead, whole
    monkeypatch.setattr(tablestore, "write_parcel", full)
    sent.clear()
    again = pipeline.build(manifest, cache=False, jobs=2)
    assert len(sent) == 2 and all(isinstance(s, dict) for s in sent)
    assert not list(scratch.iterdir())
    for name, table in again.dtm.to_tables().items():
        pd.testing.assert_frame_equal(table, one.dtm.to_tables()[name])
    pd.testing.assert_frame_equal(again.segments, one.segments)


def test_reading_never_unpickles(tmp_path: Path) -> None:
    """An entry whose arrays hold pickled objects is not read (a cache miss), never executed."""
    folder = tmp_path / "k"
    folder.mkdir()
    tablestore.write_frame(_frame(), folder, "t")
    np.savez(folder / "t.npz", c0=np.array([{"a": 1}], dtype=object))
    with pytest.raises(tablestore.CacheFormatError):
        tablestore.read_frame(folder, "t")
    assert tablestore.read_entry(tmp_path, "k", ("t",)) is None


def test_entries_are_written_whole_and_pruned(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(tablestore, "KEEP_ENTRIES", 2)
    for key in ("a", "b", "c"):
        assert tablestore.write_entry(tmp_path, key, {"t": _frame()})
    # the oldest is pruned; no staging folder is left behind
    names = sorted(p.name for p in tmp_path.iterdir())
    assert len(names) == 2 and all(not n.startswith(".") for n in names)
    # writing an entry that exists keeps it (another build wrote it first)
    kept = names[-1]
    assert tablestore.write_entry(tmp_path, kept, {"t": _frame()})
    assert tablestore.read_entry(tmp_path, kept, ("t",))["t"].equals(_frame())
    assert tablestore.read_entry(tmp_path, "missing", ("t",)) is None


def test_pipeline_cache_gives_the_tables_it_would_build(tmp_path: Path, monkeypatch) -> None:
    """A second build reads the cache; the tables equal a build without it, dtypes included."""
    monkeypatch.setenv("ANALYSIS_CACHE", str(tmp_path / "cache"))
    first = pipeline.build()
    entries = list((tmp_path / "cache").iterdir())
    assert len(entries) == 1
    calls = []
    monkeypatch.setattr(pipeline, "tokenise", lambda *a, **k: calls.append(1))
    second = pipeline.build()
    assert not calls, "the second build tokenised again instead of reading the cache"
    monkeypatch.undo()
    fresh = pipeline.build(cache=False)
    for name in ("corpus", "cleaning_log", "segments", "sentences", "tokens"):
        for got in (getattr(first, name), getattr(second, name)):
            assert got.equals(getattr(fresh, name)), name
            assert list(got.dtypes) == list(getattr(fresh, name).dtypes), name


def test_cache_key_follows_every_input(tmp_path: Path, monkeypatch) -> None:
    """Changing a text, a metadata value or an option gives another key and a rebuild."""
    from analysis import paths

    folder = tmp_path / "corpus"
    shutil.copytree(paths.SEEDS, folder)
    manifest = folder / "manifest.csv"
    monkeypatch.setenv("ANALYSIS_CACHE", str(tmp_path / "cache"))
    corpus = pipeline.load_corpus(manifest)
    key = pipeline.cache_key(corpus, mwe=True, kinds=("body",))
    assert key == pipeline.cache_key(corpus.copy(), mwe=True, kinds=("body",))
    assert key != pipeline.cache_key(corpus, mwe=False, kinds=("body",))
    assert key != pipeline.cache_key(corpus, mwe=True, kinds=("body", "list_item"))
    changed = corpus.copy()
    changed.loc[0, "actor_type"] = "other"
    assert key != pipeline.cache_key(changed, mwe=True, kinds=("body",))

    before = pipeline.build(manifest)
    # add a paragraph to a text (and update its checksum): the next build sees the new text
    table = pd.read_csv(manifest, dtype=str, keep_default_na=False)
    text_file = folder / table.loc[0, "path"]
    text = text_file.read_text(encoding="utf-8").rstrip("\n") + (
        "\n\nWe add one closing paragraph about zebracrossings, long enough to be read as prose "
        "by the segmenter of this project.\n"
    )
    text_file.write_text(text, encoding="utf-8")
    import hashlib

    table.loc[0, "sha256"] = hashlib.sha256(text_file.read_bytes()).hexdigest()
    table.to_csv(manifest, index=False)
    after = pipeline.build(manifest)
    assert "zebracrossings" in set(after.tokens["norm"])
    assert "zebracrossings" not in set(before.tokens["norm"])
    assert "zebracrossings" in set(after.dtm.terms["term"])
    assert "zebracrossings" not in set(before.dtm.terms["term"])
    entries = sorted(p.name for p in (tmp_path / "cache").iterdir())
    # two builds: each an entry of tables and matrix, and one of the token table asked for
    assert len(entries) == 4 and sum(e.endswith("-tokens") for e in entries) == 2


def test_a_damaged_entry_is_rebuilt(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("ANALYSIS_CACHE", str(tmp_path))
    first = pipeline.build()
    (entry,) = list(tmp_path.iterdir())
    (entry / "tokens.npz").write_bytes(b"not a zip file")
    again = pipeline.build()
    assert again.tokens.equals(first.tokens)


def test_cache_off(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("ANALYSIS_CACHE", "off")
    assert tablestore.cache_root() is None
    pipeline.build()
