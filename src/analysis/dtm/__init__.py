"""The document-term matrix: every count-based analysis starts from it.

A :class:`DocumentTermMatrix` (after quanteda's *dfm*) holds, for the analysed units of a corpus
(body paragraphs and list items by default), how often each term occurs in each unit, as a
sparse ``units x terms`` matrix, with two tables that label it:

* ``units``: one row per matrix row (``seg_id``, ``doc_id``, ``position``, ``kind``, ``label``,
  ``start``, ``end``: raw offsets, so a count can always be traced back to its words), the
  unit's **running words** ``n_words`` (the denominator of every rate) and the document's
  metadata (``actor_type``, ``organisation`` ...);
* ``terms``: one row per column: ``term`` (the normal form), ``stem``, ``is_stop``,
  ``is_number``, ``is_function``, ``function_class``, ``function_subclass``, ``is_mwe`` and
  ``n_words`` (the words a multiword expression joins).

Terms are words: punctuation is not counted. Running words are the unit's words, stopwords
included, a multiword expression counted as its number of words.

The options that change counting are fixed when the matrix is built and recorded on it: ``mwe``
(multiword expressions joined or not), ``kinds`` (the kinds of unit counted); normal forms are
always lower-cased (:func:`analysis.tokenise.normalise`).

Two ways build the same matrix:

* :func:`count_documents` counts the units of some documents straight from their raw texts,
  without a token table or sentence splitting: the map step of :func:`analysis.pipeline.build`,
  run on shares of documents in worker processes or on a Dask cluster and put back together with
  :func:`concat`;
* :func:`from_tokens` counts a token table (:func:`analysis.tokenise.tokenise`) that is already
  in hand.

Analyses take the matrix as their first argument (:func:`analysis.counts.term_counts`,
:func:`analysis.counts.group_keyness`, :func:`analysis.tfidf.tfidf_contrast` ...); called with a
token table instead they build the matrix inside, once per table (:func:`for_tokens`).

The package: ``matrix`` (the matrix, its tables and its views) and ``build`` (the ways a matrix
is built and put together); every name re-exported here.
"""

from __future__ import annotations

from analysis.dtm.build import (
    analysis_words,
    concat,
    count_documents,
    for_tokens,
    forget_counts,
    from_tokens,
    with_flags,
)
from analysis.dtm.matrix import (
    TOKEN_NEEDS,
    DocumentTermMatrix,
    TermForm,
    UnitTermCounts,
    position_type,
    require_columns,
    rows_then,
)
from analysis.schema import TERM_COLUMNS, UNIT_COLUMNS

__all__ = [
    "DocumentTermMatrix",
    "TERM_COLUMNS",
    "TOKEN_NEEDS",
    "TermForm",
    "UNIT_COLUMNS",
    "UnitTermCounts",
    "analysis_words",
    "concat",
    "count_documents",
    "for_tokens",
    "forget_counts",
    "from_tokens",
    "position_type",
    "require_columns",
    "rows_then",
    "with_flags",
]
