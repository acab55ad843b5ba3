"""Tables as a reader sees them: no ``nan`` or ``inf``, a dash and a footnote instead.

An undefined value (a percentage difference against a zero count, the dispersion of a term a
group never uses, a document-level check where a side has one document) is kept missing in the
saved tables, which a program reads. On the page, :func:`table` shows it as a dash (``–``) and
:func:`table` adds one footnote line per column saying why the value is undefined there.
"""

from __future__ import annotations

import html
import math
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.errors import ReportError

__all__ = [
    "CHECKS_SHOWN",
    "CITE_LIMIT",
    "COLLOCATES_SHOWN",
    "DASH",
    "KEYNESS_SHOWN",
    "READING",
    "TOP_ROWS",
    "UNDEFINED",
    "cite",
    "findings_side_by_side",
    "for_display",
    "footnote",
    "how_to_read",
    "link_to",
    "quote_text",
    "quoted_line",
    "quoted_terms",
    "table",
]

#: The columns a report shows of a keyness table (the saved table has them all).
KEYNESS_SHOWN = [
    "n_target",
    "n_reference",
    "e_target",
    "e_reference",
    "log_ratio",
    "g2",
    "p",
    "p_adj",
    "bic",
    "pct_diff",
    "logodds_z",
    "too_small",
    "docs",
    "segments",
]
#: The columns a report shows of the permutation checks of the top key terms.
CHECKS_SHOWN = [
    "key_in",
    "n_target",
    "n_reference",
    "log_ratio",
    "docs",
    "segments",
    "docs_in_side",
    "p_perm",
    "ci_low",
    "ci_high",
    "p_perm_docs",
    "check",
    "p_check",
    "p_check_adj",
]
#: The columns a report shows of the collocates of the framing terms.
COLLOCATES_SHOWN = [
    "term",
    "actor_type",
    "collocate",
    "f_xy",
    "left",
    "right",
    "f_y",
    "log_dice",
    "pmi",
    "t_score",
    "g2",
]
#: Units or documents named in one sentence of a page before "and N more".
CITE_LIMIT = 6
#: What a reader sees for an undefined value.
DASH = "\u2013"
#: Why a column's value can be undefined, for the footnote under a table.
UNDEFINED: Mapping[str, str] = {
    "pct_diff": "the percentage difference is undefined when the reference count is 0",
    "dp": "DP is undefined for a term a group does not use or a group of one paragraph",
    "dp_norm": "DPnorm is undefined for a term a group does not use or a group of one paragraph",
    "p_perm_docs": "no document-level check: a side of the comparison has fewer than two "
    "documents, so the paragraph-level check backs the term",
    "p_docs": "no document-level keyness: a side has fewer than two documents",
    "ci_low": "no interval: the bootstrap had nothing to resample",
    "ci_high": "no interval: the bootstrap had nothing to resample",
    "ttr": "no type-token ratio for a document without tokens",
    "mean_sentence_length": "no sentence length for a document without sentences",
}


def _undefined(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float | np.floating) and not math.isfinite(float(value))


def for_display(frame: pd.DataFrame, *, digits: int = 3) -> pd.DataFrame:
    """Return a copy with floats rounded and every missing or infinite value shown as a dash.

    Columns that need no dash keep their type; a column with a dash becomes text.

    Examples
    --------
    >>> t = pd.DataFrame({"pct_diff": [12.3456, float("nan")], "n": [1, 2]})
    >>> for_display(t)["pct_diff"].tolist()
    [12.346, '–']
    """
    out = frame.copy()
    for column in out.columns:
        values = out[column]
        if pd.api.types.is_float_dtype(values):
            values = values.round(digits)
        bad = values.map(_undefined)
        if bad.any():
            out[column] = values.astype(object).where(~bad, DASH)
        else:
            out[column] = values
    return out


def footnote(frame: pd.DataFrame) -> str:
    """One Markdown line per column of ``frame`` holding an undefined value, saying why."""
    lines = []
    for column in frame.columns:
        if frame[column].map(_undefined).any():
            why = UNDEFINED.get(str(column), "the value is undefined for this row")
            lines.append(f"{DASH} in `{column}`: {why}.")
    return "  \n".join(lines)


#: Most rows a table shows in a report page; the saved CSV has them all.
TOP_ROWS = 50


def link_to(saved: str | os.PathLike[str]) -> str:
    """A Markdown link to a saved results file, relative to where the page is read.

    In a report build the kernel runs in the build folder and tables are saved under
    ``results/<notebook>/``, so a relative path is linked from ``reports/`` as ``../<path>``; an
    absolute path (a notebook run in JupyterLab, saving under the project's ``results/``) is
    linked relative to ``notebooks/``.
    """
    return f"[`{Path(saved).name}`]({href_to(saved)})"


def href_to(saved: str | os.PathLike[str]) -> str:
    """The relative address of a saved results file from where the page is read (see
    :func:`link_to`)."""
    from analysis import paths

    path = Path(saved)
    if path.is_absolute():
        return Path(os.path.relpath(path, paths.NOTEBOOKS)).as_posix()
    return "../" + path.as_posix()


def cite(
    ids: str | Iterable[object],
    *,
    limit: int = CITE_LIMIT,
    saved: str | None = None,
    code: bool = True,
) -> str:
    """Name at most ``limit`` units (or documents) in running text, and how many more there are.

    ``ids`` is a space-separated string (the ``seg_ids`` columns) or any iterable. The result
    reads "`a`, `b`, `c` and 41 more", so a sentence citing its evidence stays short however
    large the corpus; ``saved`` (a file name or link) says where the full list is. With
    ``code=False`` the items are written as they are (already formatted phrases).
    """
    items = ids.split() if isinstance(ids, str) else [str(i) for i in ids]
    shown = ", ".join(f"`{i}`" if code else i for i in items[:limit])
    if len(items) <= limit:
        return shown
    more = f"{shown} and {len(items) - limit:,} more"
    return f"{more} (all in {saved})" if saved else more


#: "How to read this" notes, shown once per page beside the first table or figure of a kind.
READING: Mapping[str, str] = {
    "documents": "One row per statement. `tokens` counts running words of the body paragraphs "
    "and list items (headings, datelines and web boilerplate are left out); `types` the distinct "
    "words; `ttr` their ratio, which falls as a text grows, so compare it only between "
    "statements of similar length.",
    "term-counts": "`n` is how often the term occurs in the group, `per_1k` per 1,000 running "
    "words (so groups of different sizes compare), `n_segments` in how many paragraphs, and "
    "`dp_norm` how unevenly (0: spread like the paragraphs, 1: all in one). A high `per_1k` "
    "with a high `dp_norm` is one paragraph talking, not the group.",
    "frequency-scatter": "Each dot is a term, placed by its rate in each group. Terms on the "
    "dashed diagonal are used equally; the further a labelled term lies from it, the more one "
    "group uses it. Many terms sit on top of each other near zero.",
    "keyness-chart": "Bars to the right are key in the first group, to the left in the other; "
    "the length is the log ratio (1 = twice as frequent). Pale hatched bars did not reach "
    "the report's significance level (`alpha`, 0.05 unless the build set another) and a "
    "dagger marks counts too small to test: read them as leads, not results.",
    "key-terms": "Each row is a term one side uses more, with the effect size (`log_ratio`), "
    "the counts behind it, and the check that keeps whole documents or paragraphs together "
    "(`check`, `p_check`, and `p_check_adj` adjusted for every term checked). A term backed "
    "only at the paragraph level describes the statements read, not their group.",
    "tfidf-contrast": "`diff` is the mean TF-IDF weight of the term over one side's paragraphs "
    "minus the other's: positive favours the first side. It rewards terms that mark many "
    "paragraphs, where keyness rewards raw repetition.",
    "similarity": "Each cell is how much vocabulary two paragraphs (or, for large corpora, two "
    "documents at their closest) share, from 0 (nothing) to 1 (the same words in the same "
    "proportions); a circle marks each row's closest counterpart. Shared vocabulary is not "
    "shared meaning.",
    "concordance": "Each line shows one occurrence in its context: the words before (`left`), "
    "the match, and the words after (`right`), with the paragraph it comes from (`seg_id`), so "
    "every count can be read in the text.",
    "collocates": "Words that occur within five words of the term more often than chance: "
    "`f_xy` co-occurrences, `log_dice` the strength (comparable across corpora; 14 is the "
    "maximum), `pmi` favours rare words, `t_score` frequent ones.",
    "code-shares": "Each bar is one group's coded units, divided by the share given each code; "
    "the numbers are units. With few units per group, one unit moves a share by many points.",
}
_explained: set[str] = set()


def how_to_read(kind: str) -> None:
    """Show the "how to read this" note of ``kind`` (:data:`READING`), once per kernel."""
    from IPython.display import Markdown, display

    if kind in _explained:
        return
    if kind not in READING:
        raise KeyError(f"no reading note for {kind!r}; have {sorted(READING)}")
    _explained.add(kind)
    display(Markdown(f"> **How to read this.** {READING[kind]}"))


def table(
    frame: pd.DataFrame,
    *,
    digits: int = 3,
    top: int | None = TOP_ROWS,
    saved: str | os.PathLike[str] | None = None,
    explain: str | None = None,
    **options: object,
) -> None:
    """Display a table in a notebook with dashes for undefined values and their footnote.

    At most ``top`` rows are shown (None: all), with a line saying how many there are and, when
    ``saved`` (the path :func:`analysis.report.save_table` returned) is given, a link to the
    full table, so a page stays readable and bounded whatever the corpus. ``options`` are
    pandas display options without the ``display.`` prefix (for example ``max_colwidth=90``).
    ``explain`` names a :data:`READING` note shown above the first table of that kind.
    """
    from IPython.display import Markdown, display

    if explain is not None:
        how_to_read(explain)

    shown = frame if top is None or len(frame) <= top else frame.head(top)
    settings = [
        item
        for key, value in {"max_rows": None, **options}.items()
        for item in (f"display.{key}", value)
    ]
    with pd.option_context(*settings):
        display(for_display(shown, digits=digits))
    notes = []
    if len(shown) < len(frame):
        where = link_to(saved) if saved is not None else "the saved table"
        notes.append(f"The first {len(shown)} of {len(frame):,} rows; {where} has all.")
    elif saved is not None:
        notes.append(f"Saved as {link_to(saved)}.")
    note = footnote(shown)
    if note:
        notes.append(note)
    if notes:
        display(Markdown("  \n".join(notes)))


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|>~])")


def quote_text(text: str) -> str:
    """Return corpus text made safe to put inside a generated Markdown sentence.

    HTML is escaped (``<script>`` shows as text) and Markdown control characters are
    backslash-escaped, so a quoted passage never turns into markup, links or emphasis.
    """
    return _MARKDOWN_SPECIAL.sub(r"\\\1", html.escape(str(text), quote=False))


def quoted_line(left: str, match: str, right: str) -> str:
    """A concordance line as a sentence quotes it: the match in bold, every part quoted
    (:func:`quote_text`)."""
    return f"{quote_text(left)} **{quote_text(match)}** {quote_text(right)}"


def quoted_terms(terms: Iterable[str]) -> str:
    """Terms in italics, each quoted (:func:`quote_text`), separated by commas."""
    return ", ".join(f"*{quote_text(t)}*" for t in terms)


def findings_side_by_side(
    groups: Sequence[str],
    description: pd.DataFrame,
    *,
    rates: pd.DataFrame,
    key_terms: pd.DataFrame,
    coding_profile: pd.DataFrame | None = None,
    n_terms: int = 3,
) -> pd.DataFrame:
    """Put the main measures of each compared group in one table, one row per group.

    Parameters
    ----------
    groups
        The compared groups, in the order of the rows (from :func:`groups_to_compare`).
    description
        The per-document summary (:func:`analysis.corpus.describe_corpus`), one row per
        document: ``actor_type`` and ``tokens``.
    rates
        The function-word profile (:func:`analysis.counts.function_word_profile`):
        ``actor_type``, ``function_subclass``, ``per_1k``, one row per group and subclass.
    key_terms
        The key terms of the comparisons (:func:`analysis.counts.top_key_terms`, the tables of
        several comparisons concatenated): ``term`` and ``key_in``, each side's terms strongest
        first; a group's terms are its first ``n_terms`` rows in table order. An empty table
        (no comparison) is allowed.
    coding_profile
        The coded profile of each group (:func:`analysis.coding.coded_profile`): ``actor_type``,
        ``top_frame``, ``share_critical``, ``share_supportive``; ``None`` when no coding covers
        the corpus.
    n_terms
        Key terms listed per group.

    Returns
    -------
    DataFrame
        Indexed by ``actor_type`` (the groups in order). Columns: ``documents`` and ``tokens``
        (int64, the group's documents and their running words), ``first_plural_per_1k``,
        ``obligation_per_1k``, ``commitment_per_1k`` (float64, rate per 1,000 running words
        rounded to 2 decimals, NaN for a group absent from ``rates``); ``top_key_terms`` (str,
        the group's first ``n_terms`` key terms joined by ", ", NaN for a group key in no
        comparison), present only when some group has key terms; with ``coding_profile``,
        ``top_frame`` (str) and ``share_critical``, ``share_supportive`` (float64, rounded to 3
        decimals), NaN for a group without coded units.

    Raises
    ------
    ReportError
        When a table lacks a column it needs, ``rates`` has two rows for one group and
        subclass, or ``n_terms`` < 1.

    Examples
    --------
    >>> side = findings_side_by_side(  # doctest: +SKIP
    ...     compared, description, rates=profile, key_terms=key_terms,
    ...     coding_profile=coding_profile,
    ... )
    """
    import pandas as pd

    from analysis.counts import STANCE_SUBCLASSES

    if n_terms < 1:
        raise ReportError(f"n_terms={n_terms}: list at least one key term per group")
    _require_columns(
        description,
        ("actor_type", "tokens"),
        "description",
        "pass the per-document summary, tables.describe()",
    )
    _require_columns(
        rates,
        ("actor_type", "function_subclass", "per_1k"),
        "rates",
        "pass counts.function_word_profile(tokens, segments)",
    )
    if rates.duplicated(["actor_type", "function_subclass"]).any():
        raise ReportError(
            "rates has several rows for one group and function subclass; pass the profile of "
            "one grouping by actor_type, counts.function_word_profile(tokens, segments)"
        )
    groups = list(dict.fromkeys(groups))
    in_group = [description["actor_type"] == g for g in groups]
    side = pd.DataFrame(
        {
            "documents": [int(rows.sum()) for rows in in_group],
            "tokens": [int(description.loc[rows, "tokens"].sum()) for rows in in_group],
        },
        index=groups,
    )
    for subclass in STANCE_SUBCLASSES:
        per_1k = rates.loc[rates["function_subclass"] == subclass].set_index("actor_type")
        side[f"{subclass}_per_1k"] = per_1k["per_1k"].reindex(groups).round(2)
    if len(key_terms):
        _require_columns(
            key_terms,
            ("term", "key_in"),
            "key_terms",
            "pass counts.top_key_terms(...), or an empty table without comparisons",
        )
        terms = {
            g: ", ".join(key_terms.loc[key_terms["key_in"] == g, "term"].head(n_terms))
            for g in groups
            if (key_terms["key_in"] == g).any()
        }
        if terms:
            side["top_key_terms"] = pd.Series(terms, dtype="str").reindex(groups)
    if coding_profile is not None:
        coded_columns = ["top_frame", "share_critical", "share_supportive"]
        _require_columns(
            coding_profile,
            ("actor_type", *coded_columns),
            "coding_profile",
            "pass coding.coded_profile(coded, groups=...)",
        )
        side = side.join(coding_profile.set_index("actor_type")[coded_columns].round(3))
    return side.rename_axis("actor_type")


def _require_columns(table: pd.DataFrame, columns: Sequence[str], name: str, hint: str) -> None:
    """Raise a ReportError naming the columns ``table`` lacks and what to pass instead."""
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise ReportError(f"{name} lacks column(s) {', '.join(map(repr, missing))}; {hint}")
