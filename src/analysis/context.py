"""What travels with the actor groups: the confounds of a comparison, read from the manifest.

A difference between groups of statements is a difference between groups only when nothing else
differs with them. :func:`confounds` sets out, for the corpus in hand, how genre, venue
(audience), organisation, the crime each document is about, and date line up with the compared
groups, and says what the manifest leaves unknown. Every sentence is generated from the document
table and the counts passed in, so a report on any corpus speaks of that corpus.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from analysis.report import quote_text

__all__ = ["confounds", "crime_focus"]


def _names(values: Sequence[str]) -> str:
    return ", ".join(f"*{quote_text(v)}*" for v in values)


def crime_focus(crime_words: pd.DataFrame) -> pd.Series:
    """Which crime each document leans on: ``trafficking``, ``smuggling`` or ``both or neither``.

    ``crime_words`` has one row per document (``doc_id`` index) and the columns
    ``trafficking_words`` and ``smuggling_words``.
    """
    t, s = crime_words["trafficking_words"], crime_words["smuggling_words"]
    focus = pd.Series("both or neither", index=crime_words.index, dtype=object)
    focus[t > s] = "trafficking"
    focus[s > t] = "smuggling"
    return focus


def _column_by_group(chosen: pd.DataFrame, column: str, by: str) -> tuple[list[str], int, bool]:
    """Lines per group for one metadata column, the number of empty cells, and whether no value
    is shared by two groups (the column and the group cannot be told apart)."""
    values = chosen[column].fillna("").astype(str).str.strip()
    known = chosen.assign(_v=values)[values != ""]
    lines = []
    for group, rows in known.groupby(by, sort=False):
        counts = rows["_v"].value_counts(sort=False)
        lines.append(
            f"`{group}`: " + ", ".join(f"*{quote_text(v)}* ({n})" for v, n in counts.items())
        )
    per_value = known.groupby("_v")[by].nunique()
    separated = len(known[by].unique()) > 1 and bool((per_value <= 1).all())
    return lines, int((values == "").sum()), separated


def confounds(
    corpus: pd.DataFrame,
    groups: Sequence[str],
    crime_words: pd.DataFrame | None = None,
    *,
    by: str = "actor_type",
) -> list[str]:
    """Return Markdown bullet lines on what else differs between the compared groups.

    Parameters
    ----------
    corpus
        The document table (``doc_id``, ``by``, ``date`` and, where the manifest has them,
        ``genre``, ``venue``, ``organisation``).
    groups
        The compared groups.
    crime_words
        Optional: per document (index ``doc_id``) the counts ``trafficking_words`` and
        ``smuggling_words``, to say which crime each group's documents are about.
    by
        The grouping column.

    Returns
    -------
    list of str
        One bullet per confound (genre, venue and audience, organisation, crime, time), each
        saying how it lines up with the groups in this corpus and what the manifest leaves
        unknown.
    """
    chosen = corpus[corpus[by].astype(str).isin(list(groups))]
    lines = []
    for column, name, meaning in (
        ("genre", "Genre", "register, length, numbering and pronoun use differ with genre alone"),
        (
            "venue",
            "Venue and audience",
            "a statement addresses the audience of its venue (the press, a UN body, a parliament)",
        ),
    ):
        if column not in chosen.columns:
            lines.append(f"- **{name}.** Unknown: the manifest has no `{column}` column.")
            continue
        per_group, empty, separated = _column_by_group(chosen, column, by)
        text = f"- **{name}.** " + ("; ".join(per_group) + "." if per_group else "Unknown.")
        if separated:
            text += (
                f" No {column} is shared by two groups, so **{column} and actor group "
                "cannot be told apart**: " + meaning + "."
            )
        elif per_group:
            text += f" Some {column}s occur in more than one group, which helps: {meaning}."
        if empty:
            text += f" Unknown for {empty} document(s) (empty in the manifest)."
        lines.append(text)
    if "organisation" in chosen.columns:
        per_org = chosen.groupby(by, sort=False)["organisation"].nunique()
        single = [g for g, n in per_org.items() if n == 1]
        lines.append(
            "- **Organisation.** "
            + "; ".join(f"`{g}`: {n} organisation(s)" for g, n in per_org.items())
            + "."
            + (
                " "
                + ", ".join(f"`{g}`" for g in single)
                + " "
                + ("is" if len(single) == 1 else "are")
                + " represented by a single organisation, so what sets "
                + ("it" if len(single) == 1 else "each")
                + " apart may be that organisation's voice rather than its actor type's."
                if single
                else ""
            )
        )
    if crime_words is not None and len(crime_words):
        focus = crime_focus(crime_words)
        per_group = []
        for group, rows in chosen.groupby(by, sort=False):
            counts = focus.reindex(rows["doc_id"]).value_counts()
            per_group.append(f"`{group}`: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
        lines.append(
            "- **Crime.** Documents leaning on the *traffick-* or *smuggl-* vocabulary, by "
            "group: " + "; ".join(per_group) + ". Trafficking in persons and the smuggling of "
            "migrants are distinct crimes under separate Protocols; where the groups lean on "
            "different crimes, their vocabulary differs with the topic as well as the framing."
        )
    dates = pd.to_datetime(chosen["date"], errors="coerce")
    spans = []
    for group, rows in chosen.assign(_d=dates).groupby(by, sort=False):
        spans.append((group, rows["_d"].min(), rows["_d"].max()))
    overlap = all(a[1] <= b[2] and b[1] <= a[2] for a in spans for b in spans)
    lines.append(
        "- **Time.** "
        + "; ".join(
            f"`{g}`: {lo:%d %B %Y}" + (f" to {hi:%d %B %Y}" if hi != lo else "")
            for g, lo, hi in spans
        )
        + ". "
        + (
            "The groups' periods overlap."
            if overlap
            else "The groups' periods do not overlap, so events, laws and rankings changed between "
            "them."
        )
    )
    return lines
