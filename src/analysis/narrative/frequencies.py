"""Sentences of the term-frequency report (01): the most frequent terms, multiword expressions,
shared vocabulary, pronouns and modals, and the interpretation."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

import pandas as pd

from analysis.present import cite, quote_text, quoted_terms


def most_frequent_terms(term_table: pd.DataFrame) -> str:
    """The five most frequent content terms of each group (``term_table`` from
    :func:`analysis.counts.term_counts` by ``actor_type``, most frequent first), and the share of
    each group's terms used once."""
    leaders = term_table.groupby("actor_type", sort=False).head(5)
    once = term_table.assign(once=term_table["n"].eq(1)).groupby("actor_type", sort=False)["once"]
    hapax_share = once.mean()
    return (
        "The five most frequent content terms of each group, per 1,000 running words:\n\n"
        + "\n".join(
            f"- **`{g}`**: "
            + "; ".join(
                f"*{quote_text(r.term)}* {r.per_1k:.1f} (n = {r.n}, {r.n_segments} paragraph(s))"
                for r in rows.itertuples()
            )
            + f". {hapax_share[g]:.0%} of this group's distinct content terms occur only once."
            for g, rows in leaders.groupby("actor_type", sort=False)
        )
        + "\n\nA high share of terms used once is normal in short texts: most of the vocabulary is "
        "seen a single time, so only the few repeated terms at the top carry a pattern."
    )


def multiword_use(group: str, expressions: pd.DataFrame, repeated: pd.DataFrame) -> str:
    """A bullet on one group's multiword expressions (its rows of the expression counts, most
    frequent first) and its repeated two- and three-word phrases."""
    return (
        f"- **`{group}`** uses {len(expressions)} distinct multiword expression(s)"
        + (
            ", most often *"
            + quote_text(expressions.iloc[0]["term"])
            + f"* ({expressions.iloc[0]['n']} "
            f"times, {expressions.iloc[0]['per_1k']:.1f} per 1,000 words)"
            if len(expressions)
            else ""
        )
        + f", and repeats {len(repeated)} phrase(s) of two or three words"
        + (
            ": "
            + ", ".join(
                f"*{quote_text(t)}* ({n})"
                for t, n in zip(repeated["term"].head(4), repeated["n"].head(4), strict=True)
            )
            if len(repeated)
            else ""
        )
        + "."
    )


def vocabulary_overlap_line(
    overlap: pd.DataFrame, target: str, reference: str, *, function_words: Collection[str] = ()
) -> str:
    """A bullet on the content vocabulary two sides share (``overlap`` from
    :func:`analysis.explorer.vocabulary_overlap`): the Jaccard index, the share of each side's
    occurrences the shared terms cover, and how many of the most shared are function words."""
    shared = overlap[overlap["status"] == "shared"]
    top_shared = list(shared["term"].head(10))
    functional = [t for t in top_shared if t in function_words]
    jaccard = len(shared) / len(overlap) if len(overlap) else 0.0
    covered_t = shared["n_target"].sum() / max(overlap["n_target"].sum(), 1)
    covered_r = shared["n_reference"].sum() / max(overlap["n_reference"].sum(), 1)
    return (
        f"- **`{target}` and `{reference}`** use {len(overlap)} distinct content terms between "
        f"them, of which **{len(shared)} are shared** (Jaccard index {jaccard:.2f}). Shared "
        f"terms account for {covered_t:.0%} of the content-term occurrences of `{target}` and "
        f"{covered_r:.0%} of those of `{reference}`. "
        + (
            "The most evenly shared terms are " + quoted_terms(top_shared[:6]) + ". "
            if top_shared
            else "No term is shared. "
        )
        + (
            f"{len(functional)} of the ten most shared terms are pronouns or modal verbs ("
            + ", ".join(f"*{t}*" for t in functional)
            + "), so the shared *content* vocabulary is thinner than the count suggests."
            if functional
            else ""
        )
    )


#: The pronoun and modal classes the term-frequency report reads, with their words.
PROFILE_LABELS = {
    "first_plural": "*we/us/our* (first person plural)",
    "third_plural": "*they/them/their* (third person plural)",
    "obligation": "obligation modals (*must/should/ought*)",
    "commitment": "commitment modals (*will/shall*)",
}


def pronouns_and_modals(profile: pd.DataFrame, groups: Sequence[str]) -> str:
    """One bullet per class of :data:`PROFILE_LABELS`: each group's count, rate and words
    (``profile`` from :func:`analysis.counts.function_word_profile`), then how acronyms and
    *will* are read."""
    rows = profile.set_index(["actor_type", "function_subclass"])
    return (
        "\n".join(
            f"- {label}: "
            + "; ".join(
                f"`{g}` {rows.loc[(g, sub), 'n']} "
                f"({rows.loc[(g, sub), 'per_1k']:.1f} per 1,000"
                + (
                    f": {quote_text(rows.loc[(g, sub), 'words'])})"
                    if rows.loc[(g, sub), "n"]
                    else ")"
                )
                for g in groups
            )
            for sub, label in PROFILE_LABELS.items()
        )
        + '\n\nA word in capitals of two or more letters (*US* in "the US State Department") is '
        "read as an acronym, not as a pronoun or a modal."
        + '\n\n*Will* also marks plain prediction ("this will happen"), and commitments are often '
        "made with verbs (*commits to*, *reiterated its dedication*) rather than modals; the "
        "concordance report shows such words in context."
    )


def outside_counted(outside: pd.DataFrame) -> str:
    """The pronouns and modals found outside the counted paragraphs (concordance lines with
    their unit's ``kind``), each quoted in context."""
    if not len(outside):
        return (
            "No first-person-plural pronoun or modal verb occurs outside the counted paragraphs, "
            "so the profile above misses nothing of these classes."
        )
    return (
        f"{len(outside)} pronoun(s) or modal(s) of these classes occur outside the counted "
        "paragraphs: "
        + "; ".join(
            f"*{quote_text(r.match)}* in `{r.seg_id}` ({r.kind}: “"
            + quote_text(f"{r.left} {r.match} {r.right}".strip())
            + "”)"
            for r in outside.itertuples()
        )
        + ". They are not in the profile above; a reader weighing the statements' demands "
        "should keep them in view."
    )


#: The classes the interpretation of term frequencies reads, as it names them.
VOICE_LABELS = {
    "first_plural": "*we/us/our*",
    "obligation": "obligation modals",
    "commitment": "commitment modals",
}


def frequency_interpretation(
    top_terms: pd.DataFrame,
    overlaps: Mapping[tuple[str, str], pd.DataFrame],
    voice: pd.DataFrame,
    groups: Sequence[str],
) -> str:
    """The interpretation of the term frequencies: each group's most frequent content term
    (``top_terms``, one row per ``actor_type``, citing its units), the vocabulary each pair
    shares, and the uses of *we* and the modals (``voice`` indexed by (class, group), with
    ``n`` and ``seg_ids``)."""
    text = ["## Interpretation", ""]
    text.append(
        "**Topics.** "
        + " ".join(
            f"The most frequent content term of `{g}` is "
            f"*{quote_text(top_terms.loc[g, 'term'])}* "
            f"({top_terms.loc[g, 'per_1k']:.1f} per 1,000 words, in "
            + cite(top_terms.loc[g, "seg_ids"])
            + ")."
            for g in groups
        )
        + " "
        + " ".join(
            f"`{t}` and `{r}` share {int((o['status'] == 'shared').sum())} of {len(o)} content "
            f"terms (Jaccard {(o['status'] == 'shared').mean() if len(o) else 0:.2f})."
            for (t, r), o in overlaps.items()
        )
        + " A low overlap says the statements talk about different things, which is consistent "
        "with different genres and different crimes as much as with different framings."
    )
    text.append("")
    text.append(
        "**Voice and modality.** "
        + " ".join(
            f"{VOICE_LABELS[what]}: "
            + "; ".join(
                f"`{g}` {voice.loc[(what, g), 'n']}"
                + (
                    " (" + cite(voice.loc[(what, g), "seg_ids"]) + ")"
                    if voice.loc[(what, g), "n"]
                    else ""
                )
                for g in groups
            )
            + "."
            for what in VOICE_LABELS
        )
        + " Every one of these counts is small, and the matches include words inside joined "
        "expressions; read the cited paragraphs before drawing a conclusion about stance."
    )
    return "\n".join(text)
