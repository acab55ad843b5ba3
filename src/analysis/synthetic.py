"""Synthetic corpora in the shapes real statements take, for scale tests and benchmarks.

Nothing here is real text. Words are pseudo-words built from syllables and drawn from a Zipf
distribution (so the vocabulary keeps growing with the corpus, as it does in real text), mixed
with the package's own stopword list; each group of actors favours its own small set of topic
words, so keyness has something to find. Each statement is wrapped in the web mess a team copies
from real pages: breadcrumbs, a title glued to a site name, a byline, a dateline, a capitals
heading, list items, share and tag lines; half the statements separate paragraphs by single
line breaks. The output depends only on the arguments (the same seed gives the same bytes).

Use from Python, or ``python -m analysis.synthetic OUT --statements 500``.
"""

from __future__ import annotations

import argparse
import csv
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from analysis.tokenise import stopwords

__all__ = ["DEFAULT_GROUPS", "write_corpus"]

DEFAULT_GROUPS = ("civil_society", "government", "intergovernmental")

_ONSETS = ("b", "d", "f", "g", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z", "br", "st", "tr")
_VOWELS = ("a", "e", "i", "o", "u", "ai", "ou")
_CODAS = ("", "", "n", "r", "s", "l", "m", "t")


def _pseudo_words(rng: np.random.Generator, size: int) -> list[str]:
    """Return ``size`` distinct pseudo-words of one to four syllables."""
    words: list[str] = []
    seen: set[str] = set()
    while len(words) < size:
        syllables = int(rng.integers(1, 5))
        word = "".join(
            _ONSETS[rng.integers(len(_ONSETS))]
            + _VOWELS[rng.integers(len(_VOWELS))]
            + _CODAS[rng.integers(len(_CODAS))]
            for _ in range(syllables)
        )
        if len(word) > 2 and word not in seen:
            seen.add(word)
            words.append(word)
    return words


class _Writer:
    """Draws sentences from one vocabulary; group topic words are favoured per group."""

    def __init__(self, rng: np.random.Generator, groups: Sequence[str], vocabulary: int) -> None:
        self.rng = rng
        self.content = np.array(_pseudo_words(rng, vocabulary + 40 * len(groups)))
        self.topics = {
            group: self.content[vocabulary + 40 * i : vocabulary + 40 * (i + 1)]
            for i, group in enumerate(groups)
        }
        self.content = self.content[:vocabulary]
        ranks = np.arange(1, vocabulary + 1)
        weights = 1.0 / ranks**1.1
        self.cumulative = np.cumsum(weights / weights.sum())
        self.function = np.array(sorted(w for w in stopwords() if w.isalpha()))

    def sentence(self, group: str, length: int) -> str:
        rng = self.rng
        draws = np.searchsorted(self.cumulative, rng.random(length))
        words = self.content[np.minimum(draws, len(self.content) - 1)].tolist()
        choice = rng.random(length)
        function = self.function[rng.integers(len(self.function), size=length)]
        topic = self.topics[group][rng.integers(len(self.topics[group]), size=length)]
        for i in np.flatnonzero(choice < 0.45):
            words[i] = str(function[i])
        for i in np.flatnonzero((choice >= 0.45) & (choice < 0.45 + 0.55 * 0.08)):
            words[i] = str(topic[i])
        if length > 12 and rng.random() < 0.3:
            words[length // 2] += ","
        return " ".join(words).capitalize() + "."

    def paragraph(self, group: str) -> str:
        count = int(self.rng.integers(2, 6))
        return " ".join(self.sentence(group, int(self.rng.integers(9, 28))) for _ in range(count))


def _statement(writer: _Writer, number: int, group: str, words: int) -> str:
    rng = writer.rng
    site = f"Example Site {number % 7}"
    lines = [
        "Home > News > Statements",
        f"{writer.sentence(group, 6)[:-1]} | {site}",
        f"By Author {number % 11}",
    ]
    body: list[str] = []
    written = 0
    while written < words:
        paragraph = writer.paragraph(group)
        if not body:
            paragraph = "KUALA LUMPUR, 3 March -- " + paragraph
        body.append(paragraph)
        written += len(paragraph.split())
        if len(body) == 3 and rng.random() < 0.5:
            body.append("WHAT WE ASK OF THE AUTHORITIES:")
            body.extend(f"- {writer.sentence(group, int(rng.integers(6, 14)))}" for _ in range(3))
    lines.extend(body)
    lines += [
        "Read more: earlier statements",
        "Share this: Facebook | X | WhatsApp",
        "Tags: labour",
    ]
    separator = "\n" if number % 2 else "\n\n"
    return separator.join(lines) + "\n"


def write_corpus(
    folder: str | Path,
    statements: int,
    *,
    groups: Sequence[str] = DEFAULT_GROUPS,
    words: int = 900,
    vocabulary: int = 30_000,
    seed: int = 0,
) -> Path:
    """Write ``statements`` synthetic statements and a manifest into ``folder``.

    Parameters
    ----------
    folder
        Created if missing; files of an earlier corpus with the same names are replaced.
    statements
        Number of documents; they are spread over ``groups`` in turn.
    groups
        The ``actor_type`` values (at least one).
    words
        Approximate running words of each statement's body.
    vocabulary
        Number of distinct content pseudo-words.
    seed
        Seed of the random generator; the same arguments give the same bytes.

    Returns
    -------
    Path
        The manifest CSV.
    """
    if statements < 1 or not groups:
        raise ValueError("write_corpus needs at least one statement and one group")
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    writer = _Writer(np.random.default_rng(seed), list(groups), vocabulary)
    rows = []
    for number in range(statements):
        group = groups[number % len(groups)]
        name = f"s{number:05d}.txt"
        text = _statement(writer, number, group, words)
        (folder / name).write_text(text, encoding="utf-8", newline="\n")
        year = 2020 + number % 5
        rows.append(
            [
                f"s-{number:05d}",
                name,
                group,
                f"Organisation {number % 13}",
                f"{year}-{1 + number % 12:02d}-{1 + number % 28:02d}",
                "press_statement" if number % 2 else "speech",
            ]
        )
    manifest = folder / "manifest.csv"
    with manifest.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle, lineterminator="\n")
        out.writerow(["doc_id", "path", "actor_type", "organisation", "date", "genre"])
        out.writerows(rows)
    return manifest


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: write a synthetic corpus and print its manifest's path."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--statements", type=int, default=100)
    parser.add_argument("--words", type=int, default=900)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    print(write_corpus(args.folder, args.statements, words=args.words, seed=args.seed))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
