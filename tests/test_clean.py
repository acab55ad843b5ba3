"""Tests for analysis.clean: every change logged with raw offsets; raw text never changed."""

from __future__ import annotations

import random
import re
import unicodedata

import pytest

from analysis import clean
from analysis.clean import apply_edits, clean_document, cleaning_log, find_edits, normalise_quotes
from analysis.corpus import load_corpus


def kinds(raw: str) -> list[tuple[str, str, str]]:
    return [(e.kind, e.before, e.after) for e in find_edits(raw)]


@pytest.mark.parametrize(
    ("raw", "display", "analysis"),
    [
        ("**Bold title**\nBody.", "Bold title\nBody.", "Bold title\nBody."),
        ("__Bold__ and *em* and _em_.", "Bold and em and em.", "Bold and em and em."),
        ("snake_case_name and 2*3*4", "snake_case_name and 2*3*4", "snake_case_name and 2*3*4"),
        ("* bullet item\n* another", "* bullet item\n* another", "* bullet item\n* another"),
        ("As shown in the in the case.", "As shown in the in the case.", "As shown in the case."),
        (
            "He said that that was fine.",
            "He said that that was fine.",
            "He said that that was fine.",
        ),
        ("the the end", "the the end", "the end"),
        ("Hassan (when) where", "Hassan (when) where", "Hassan where"),
        ("Signed [name] today (TBC).", "Signed [name] today (TBC).", "Signed today."),
        (
            "Act (\u2018ATIPSOM\u2019) and (SOM)",
            "Act (\u2018ATIPSOM\u2019) and (SOM)",
            "Act ('ATIPSOM') and (SOM)",
        ),
        ("a\u00a0b\tc   d  \nnext", "a b c d\nnext", "a b c d\nnext"),
        ("zero\u200bwidth", "zerowidth", "zerowidth"),
        ("cafe\u0301", "caf\u00e9", "caf\u00e9"),
    ],
)
def test_display_and_analysis_texts(raw, display, analysis):
    doc = clean_document(raw)
    assert doc.display.text == display
    assert doc.analysis.text == analysis


@pytest.mark.parametrize(
    "raw",
    [
        "**Bold title**\nBody in the in the text (when) with \u2018quotes\u2019.",
        "cafe\u0301 \u00a0 spaced   out  \n",
        "no changes at all.",
    ],
)
def test_offset_map_points_at_the_same_characters(raw):
    doc = clean_document(raw)
    for version in (doc.display, doc.analysis):
        assert len(version.to_raw) == len(version.text) + 1
        assert version.to_raw[-1] == len(raw)
        assert (version.to_raw[1:] >= version.to_raw[:-1]).all()
        for i, ch in enumerate(version.text):
            source = raw[version.to_raw[i]]
            # Unchanged characters map exactly; changed ones map into the replaced span.
            assert (
                source == ch
                or normalise_quotes(source) == ch
                or source.isspace()
                or unicodedata.normalize("NFC", raw[version.to_raw[i] : version.to_raw[i] + 2])
                == ch
            )


def test_edits_do_not_overlap_and_reconstruct():
    raw = "**x** in the in the \u2018y\u2019  z (when)"
    edits = find_edits(raw)
    for a, b in zip(edits, edits[1:], strict=False):
        assert a.end <= b.start
    for e in edits:
        assert raw[e.start : e.end] == e.before
    assert apply_edits(raw, []).text == raw


def test_where_rules_claim_one_span_the_earlier_rule_wins():
    # the repeat rule (earlier) takes "  the the", so the space-run rule's "  " is not applied
    raw = "the the  the the (photo) x"
    assert [(e.kind, e.start, e.end) for e in find_edits(raw)] == [("repeated_sequence", 7, 16)]
    # without a conflict every rule's edit is kept, in offset order
    raw = "the the  x  y"
    assert [(e.kind, e.start, e.end) for e in find_edits(raw)] == [
        ("repeated_sequence", 3, 7),
        ("whitespace", 7, 9),
        ("whitespace", 10, 12),
    ]


def test_repeated_sequence_keeps_first_occurrence():
    raw = "As demonstrated in the in the Top Glove case"
    [edit] = [e for e in find_edits(raw) if e.kind == "repeated_sequence"]
    assert raw[: edit.start] + raw[edit.end :] == "As demonstrated in the Top Glove case"


def _repeat_oracle(raw: str) -> list[tuple[int, int, str]]:
    """The repeat rule by brute force: try the exact pattern at every word start."""
    out, last_end = [], -1
    for word in re.finditer(r"[^\W\d_]+", raw):
        if word.start() < last_end:
            continue
        m = clean._REPEAT_RE.match(raw, word.start())
        if m and (" " in m.group(1).strip() or m.group(1).lower() not in clean._LEGIT_DOUBLES):
            start = m.start(1) + len(m.group(1))
            out.append((start, m.end(), raw[start : m.end()]))
            last_end = m.end()
    return out


@pytest.mark.parametrize("seed", range(40))
def test_repeat_rule_equals_brute_force_on_random_text(seed):
    # Small vocabulary, mixed case, tabs, line breaks, digits, non-ASCII letters, "ß" (whose
    # case folding changes the length, so the slow path runs), and "aca"/"bab", whose numeric
    # word keys collide and must be rejected by the exact rule.
    rng = random.Random(seed)
    vocab = [
        "in",
        "the",
        "The",
        "IN",
        "that",
        "had",
        "caf\u00e9",
        "Caf\u00c9",
        "aca",
        "bab",
        "x",
        "2024",
        "stra\u00dfe",
    ]
    seps = [" ", " ", " ", "\t", "\n", ", ", "  ", "-"]
    words = [rng.choice(vocab[:-1] if seed % 2 else vocab) for _ in range(300)]
    raw = "".join(w + rng.choice(seps) for w in words)
    got = [(e.start, e.end, e.before) for e in clean._repeat_edits(raw)]
    assert got == _repeat_oracle(raw)
    assert got  # the generator makes repeats; a finder that finds none is broken


def test_repeat_keys_collide_but_the_rule_rejects():
    starts, keys = clean._word_keys("aca bab")
    assert keys[0] == keys[1]  # same length, code-point sum and weighted sum
    assert clean._repeat_edits("aca bab aca aca") == [
        clean.Edit("repeated_sequence", "analysis", 11, 15, " aca", "")
    ]


def test_repeat_rule_when_case_folding_changes_length():
    assert clean._word_keys("Stra\u00dfe") is None
    [edit] = clean._repeat_edits("Die Stra\u00dfe STRASSE stra\u00dfe Stra\u00dfe ende")
    assert edit.before == " Stra\u00dfe"


def test_seed_cleaning_log():
    corpus = load_corpus()
    log = cleaning_log(corpus)
    assert list(log.columns) == ["doc_id", "kind", "scope", "start", "end", "before", "after"]
    lfl = log[log.doc_id == "lfl-2022"]
    assert set(lfl["kind"]) == {"placeholder", "quote", "repeated_sequence"}
    assert lfl[lfl.kind == "placeholder"]["before"].tolist() == [" (when)"]
    assert lfl[lfl.kind == "repeated_sequence"]["before"].tolist() == [" in the"]
    gov = log[log.doc_id == "gov-2024"]
    assert gov[gov.kind == "markdown_emphasis"]["before"].tolist() == ["**", "**"]
    raw = dict(zip(corpus.doc_id, corpus.text, strict=True))
    for row in log.itertuples():
        assert raw[row.doc_id][row.start : row.end] == row.before


def test_raw_text_is_never_modified():
    corpus = load_corpus()
    before = corpus["text"].tolist()
    cleaning_log(corpus)
    assert corpus["text"].tolist() == before


def test_one_class_finds_every_character_the_three_rules_act_on():
    """The quick pre-scan (one character class) finds exactly the characters of the quote,
    zero-width and odd-space rules, over the whole Basic Multilingual Plane."""
    from analysis import clean

    rules = (clean._QUOTE_RE, clean._ZERO_WIDTH_RE, clean._ODD_SPACE_RE)
    for code in range(0x10000):
        ch = chr(code)
        assert bool(clean._RARE_CHAR_RE.match(ch)) == any(r.match(ch) for r in rules), hex(code)


def test_cleaned_texts_kept_are_bounded_by_characters(monkeypatch):
    from analysis import clean

    monkeypatch.setattr(clean, "CLEANED_CHARS", 100)
    monkeypatch.setattr(clean, "_CLEANED", clean.OrderedDict())
    monkeypatch.setattr(clean, "_cleaned_chars", 0)
    texts = [f"Statement {i}: the the workers were moved. " * 2 for i in range(6)]
    first = clean.clean_document(texts[0])
    assert clean.clean_document(texts[0]) is first  # kept, and the same object
    for text in texts[1:]:
        clean.clean_document(text)
    assert clean._cleaned_chars == sum(map(len, clean._CLEANED)) <= 100
    assert list(clean._CLEANED) == texts[-len(clean._CLEANED) :]  # the most recent kept
    again = clean.clean_document(texts[0])  # let go of, cleaned again alike
    assert again is not first
    assert (again.analysis.text, again.edits) == (first.analysis.text, first.edits)
    huge = "x " * 500
    clean.clean_document(huge)  # one text over the budget is still kept, alone
    assert list(clean._CLEANED) == [huge] and clean._cleaned_chars == len(huge)
