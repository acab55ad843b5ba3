"""A toy token/segment table pair, counted by hand in tests of counts and tfidf.

Two documents: ``a`` (actor ``ngo``: a heading, two body paragraphs) and ``b`` (actor ``gov``: a
body paragraph and a list item); ``_`` in a word joins a multiword expression.
"""

from __future__ import annotations

import pandas as pd
from nltk.stem.snowball import SnowballStemmer

TOY_STOPWORDS = {"the", "of", "and", "to", "a"}
_PRONOUNS = {"we": "first_plural", "they": "third_plural"}
_MODALS = {"must": "obligation", "will": "commitment"}
_STEM = SnowballStemmer("english")

# seg_id, doc_id, kind, actor_type, sentences (tokens; "_" joins a multiword expression)
_UNITS = [
    ("a-h01", "a", "heading", "ngo", [["Trafficking", "report"]]),
    (
        "a-p01",
        "a",
        "body",
        "ngo",
        [
            ["We", "must", "protect", "victims", "."],
            ["Human_trafficking", "harms", "victims", "of", "trafficking", "."],
        ],
    ),
    (
        "a-p02",
        "a",
        "body",
        "ngo",
        [["They", "must", "listen", ",", "and", "victims", "speak", "."]],
    ),
    (
        "b-p01",
        "b",
        "body",
        "gov",
        [["Malaysia", "will", "combat", "people_smuggling", "."], ["We", "will", "act", "."]],
    ),
    ("b-p01.i", "b", "list_item", "gov", [["combat", "the", "smuggling", "of", "migrants"]]),
]


def toy_tables() -> tuple[pd.DataFrame, pd.DataFrame]:
    return tables_from_units(_UNITS)


# Reading order across groups for the seg_ids traces: documents m, c, k, x in this order (not
# alphabetical), actor ``ngo`` in documents m and k on either side of ``gov``'s document c, and a
# third actor ``un``. Same layout as _UNITS.
TRACE_UNITS = [
    ("m-h01", "m", "heading", "ngo", [["Smuggling"]]),
    ("m-p01", "m", "body", "ngo", [["victims", "of", "smuggling", "."]]),
    ("m-p02", "m", "body", "ngo", [["victims", "speak", "."]]),
    ("c-p01", "c", "body", "gov", [["smuggling", "and", "smuggling", "."]]),
    ("c-p01.i", "c", "list_item", "gov", [["victims", "of", "smuggling"]]),
    ("k-p01", "k", "body", "ngo", [["smuggling", "victims", "."]]),
    ("x-p01", "x", "body", "un", [["victims", "speak", "."]]),
]


def tables_from_units(units: list[tuple]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Build a token and a segment table, as :func:`toy_tables` does, from any list of units.

    ``units`` holds ``(seg_id, doc_id, kind, actor_type, sentences)`` rows in reading order,
    laid out like ``_UNITS``.
    """
    seg_rows, tok_rows = [], []
    for seg_id, doc_id, kind, actor, sents in units:
        seg_rows.append(
            {
                "seg_id": seg_id,
                "doc_id": doc_id,
                "kind": kind,
                "actor_type": actor,
                "genre": "statement",
                "label": seg_id.split("-")[1],
            }
        )
        position = 0
        for s, words in enumerate(sents):
            for w in words:
                norm = w.replace("_", " ").casefold()
                tok_rows.append(
                    {
                        "doc_id": doc_id,
                        "seg_id": seg_id,
                        "sentence": s,
                        "position": position,
                        "token": w.replace("_", " "),
                        "norm": norm,
                        "stem": " ".join(_STEM.stem(p) for p in norm.split(" ")),
                        "start": 0,
                        "end": 0,
                        "is_punct": not any(ch.isalnum() for ch in w),
                        "is_stop": norm in TOY_STOPWORDS,
                        "is_number": False,
                        "is_function": norm in _PRONOUNS or norm in _MODALS,
                        "function_class": "pronoun"
                        if norm in _PRONOUNS
                        else ("modal" if norm in _MODALS else ""),
                        "is_mwe": "_" in w,
                    }
                )
                position += 1
    return pd.DataFrame(tok_rows), pd.DataFrame(seg_rows)
