"""The reports' sentences that depend on numbers, built from the tables of a run.

Each function takes the tables a notebook has just computed (and the names of the sides being
compared) and returns Markdown: a sentence, a bullet or a paragraph, never a number typed by
hand. Corpus text inside a sentence goes through :func:`analysis.present.quote_text`, so a term
can never turn into markup; paragraphs behind a finding are cited with
:func:`analysis.present.cite`. The notebooks only call these, so the prose of a report is tested
like the numbers it reports (``tests/test_narrative.py``, one toy table per sentence).

Sections follow the reports: keyness and its checks (02), the findings page (05).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

import pandas as pd

from analysis.present import cite, quote_text

__all__ = [
    "NO_CODING",
    "STANCE_LABELS",
    "TFIDF_AGAINST_KEYNESS",
    "check_summary",
    "coding_findings",
    "contrast_line",
    "documents_per_group_line",
    "findings_interpretation",
    "function_word_lines",
    "keyness_evidence",
    "key_terms_found",
    "keyness_interpretation",
    "kwic_bullets",
    "kwic_heading",
    "limits",
    "marked_by",
    "pair_sizes",
    "set_aside",
    "similarity_summary",
    "statements_compared",
    "tfidf_agreement",
    "too_few_documents",
    "widest_terms",
]

# --------------------------------------------------------------------------------- 02 keyness


def _terms(terms: Sequence[str]) -> str:
    return ", ".join(f"*{quote_text(t)}*" for t in terms)


def pair_sizes(
    target: str,
    reference: str,
    words: Mapping[str, int],
    units: Mapping[str, int],
    *,
    reference_groups: Sequence[str] = (),
) -> str:
    """One bullet per comparison: the running words and analysed units of each side (the
    groups pooled as ``rest`` named)."""
    pooled = (
        " (" + ", ".join(f"`{g}`" for g in reference_groups) + ")" if reference == "rest" else ""
    )
    return (
        f"- `{target}` against `{reference}`{pooled}: {words[target]:,} running words in "
        f"{units[target]} paragraphs and list items against {words[reference]:,} in "
        f"{units[reference]}."
    )


def documents_per_group_line(counts: Mapping[str, int]) -> str:
    """``Documents per group: `a` 3, `b` 2.`` (after a blank line)."""
    return "\nDocuments per group: " + ", ".join(f"`{g}` {n}" for g, n in counts.items()) + "."


def set_aside(terms: Sequence[str]) -> str:
    """How many terms the spread rule (or the letters-and-numbers rule) set aside, and the
    strongest of them."""
    return (
        f"Set aside by the spread rule or as letters and numbers: {len(terms)} term(s)"
        + (", the strongest " + _terms(terms[:6]) if terms else "")
        + "."
    )


def _evidence(bic: pd.Series) -> pd.Series:
    """Raftery's grades of BIC evidence."""
    return pd.cut(
        bic,
        [-float("inf"), 2, 6, 10, float("inf")],
        labels=["weak or none", "positive", "strong", "very strong"],
    )


def keyness_evidence(
    keyness: pd.DataFrame, candidates: pd.DataFrame, target: str, reference: str, *, alpha: float
) -> str:
    """A paragraph on a keyness table: how many terms pass each threshold, and the strongest
    listed term of each side with every number behind it."""
    evidence = _evidence(keyness["bic"])
    strongest = pd.concat(
        [candidates[candidates["g2"] > 0].head(1), candidates[candidates["g2"] < 0].tail(1)]
    )
    return (
        f"**`{target}` against `{reference}`.** {len(keyness)} terms were tested. "
        f"{int((keyness['p'] < alpha).sum())} have p < {alpha} before correction and "
        f"**{int((keyness['p_adj'] < alpha).sum())} after the Benjamini-Hochberg correction**; "
        f"{int((keyness['bic'] > 2).sum())} reach BIC > 2. {int(keyness['too_small'].sum())} "
        f"of {len(keyness)} rows ({keyness['too_small'].mean():.0%}) are flagged too small to "
        "test. The strongest listed term on each side:\n\n"
        + "\n".join(
            f"- *{quote_text(term)}*: {r.n_target:.0f} vs {r.n_reference:.0f} "
            f"occurrences (expected {r.e_target:.1f} vs {r.e_reference:.1f}), log ratio "
            f"{r.log_ratio:+.2f}"
            + (" (one side has 0, replaced by 0.5)" if min(r.n_target, r.n_reference) == 0 else "")
            + f", G² {r.g2:+.2f}, p = {r.p:.4f}, p_adj = {r.p_adj:.3f}, BIC {r.bic:.2f} "
            f"({evidence[term]} evidence){', flagged too small' if r.too_small else ''}; used "
            f"in {int(r.segments)} paragraph(s) of {int(r.docs)} document(s) of its side."
            for term, r in strongest.iterrows()
        )
    )


def check_summary(
    checked: pd.DataFrame, target: str, reference: str, *, alpha: float, n_checked: int
) -> str:
    """A bullet on the permutation checks of one comparison: which terms hold at ``alpha``
    (and after adjusting across the ``n_checked`` terms of all comparisons), which do not."""
    holds = checked[checked["p_check"] < alpha]
    fails = checked[checked["p_check"] >= alpha]
    unit = "documents" if (checked["check"] == "documents").all() else "paragraphs"
    return (
        f"- **`{target}` against `{reference}`** (backed by the {unit} check): of the "
        f"{len(checked)} terms checked, **{len(holds)} keep p < {alpha}** "
        f"({int((checked['p_check_adj'] < alpha).sum())} after adjusting for the "
        f"{n_checked} terms checked across all comparisons)"
        + (
            ": "
            + "; ".join(
                f"*{quote_text(t)}* (log ratio {r.log_ratio:+.2f}, p {r.p_check:.4f}, "
                f"in {int(r.segments)} paragraph(s) of {int(r.docs)} of the side's "
                f"{int(r.docs_in_side)} "
                "document(s))"
                for t, r in holds.iterrows()
            )
            if len(holds)
            else ""
        )
        + ". "
        + (
            "Those that do not: "
            + ", ".join(f"*{quote_text(t)}* (p {r.p_check:.3f})" for t, r in fails.iterrows())
            + ": their uses cluster in fewer "
            + unit
            + " than a real difference would need."
            if len(fails)
            else "Every checked term holds."
        )
    )


def too_few_documents(target: str, reference: str) -> str:
    """Why a comparison has no text-dispersion keyness."""
    return (
        f"- `{target}` against `{reference}`: a side has fewer than two "
        "documents, so no text-dispersion keyness is computed."
    )


def widest_terms(by_documents: pd.DataFrame, target: str, reference: str) -> str:
    """A bullet on text-dispersion keyness: the terms used by the most documents of the
    target side, relative to the other."""
    top = by_documents[by_documents["g2_docs"] > 0].head(3)
    return (
        f"- `{target}` against `{reference}`: the terms used by the most `{target}` documents "
        "relative to the other side are "
        + ", ".join(
            f"*{quote_text(t)}* ({int(r.docs_target)} of {int(r.n_docs_target)} "
            f"documents against {int(r.docs_reference)} of {int(r.n_docs_reference)})"
            for t, r in top.iterrows()
        )
        + "."
    )


#: Read after :func:`tfidf_agreement`.
TFIDF_AGAINST_KEYNESS = (
    "Terms high by TF-IDF but not by G² mark several paragraphs with few tokens; terms "
    "high by G² but not by TF-IDF are repeated inside few paragraphs."
)


def tfidf_agreement(
    contrast: pd.DataFrame, candidates: pd.DataFrame, target: str, reference: str
) -> str:
    """A bullet on how far the top TF-IDF terms of each side are also its top key terms."""
    top_tfidf_t = list(contrast[contrast["diff"] > 0].head(10).index)
    top_tfidf_r = list(contrast[contrast["diff"] < 0].sort_values("diff").head(10).index)
    top_key_t = list(candidates[candidates["g2"] > 0].head(10).index)
    top_key_r = list(candidates[candidates["g2"] < 0].sort_values("g2").head(10).index)
    agree_t = [t for t in top_tfidf_t if t in top_key_t]
    agree_r = [t for t in top_tfidf_r if t in top_key_r]
    return (
        f"- **`{target}` against `{reference}`**: {len(agree_t)} of the top {len(top_tfidf_t)} "
        f"TF-IDF terms of `{target}` are also among its top 10 listed key terms, and "
        f"{len(agree_r)} of {len(top_tfidf_r)} for `{reference}`. Top TF-IDF terms: "
        f"`{target}`: "
        + _terms(top_tfidf_t[:6])
        + f"; `{reference}`: "
        + _terms(top_tfidf_r[:6])
        + "."
    )


def similarity_summary(
    summary: Mapping[str, Any],
    closest: pd.DataFrame,
    drivers: pd.DataFrame,
    target: str,
    reference: str,
    *,
    function_words: Collection[str] = (),
) -> str:
    """A bullet on paragraph similarity across two sides: the median and highest cosine, the
    paragraphs that share nothing, and what the closest pair shares (grammar, when its main
    shared term is a pronoun or modal)."""
    alone = closest[closest["closest_seg_id"].isna()]
    best = drivers.head(1)
    return (
        f"- **`{target}` against `{reference}`.** Across the {summary['pairs']:,} paragraph "
        f"pairs, the median cosine is {summary['median']:.3f}"
        + ("" if summary["median_exact"] else " (to within 0.00001)")
        + f" and the highest {summary['max']:.3f}; {summary['zero_pairs']:,} pairs share no "
        "content term at all. "
        + (
            f"{len(alone)} paragraph(s) share no term with any paragraph of the other side. "
            if len(alone)
            else ""
        )
        + (
            f"The closest pair is `{best['seg_a'].iloc[0]}` and `{best['seg_b'].iloc[0]}` "
            f"(cosine {best['cosine'].iloc[0]:.3f}); {best['share'].iloc[0]:.0%} of it comes "
            f"from *{quote_text(best['term'].iloc[0])}*"
            + (
                ", a pronoun or modal, so the pair shares grammar more than topic."
                if best["term"].iloc[0] in function_words
                else "."
            )
            if len(best)
            else "No paragraph of one side shares a term with the other side."
        )
    )


def _key_in(label: str, table: pd.DataFrame, where: str, checked: pd.DataFrame) -> str:
    head = table.head(3)
    if head.empty:
        return f"- No listed term is key in `{label}`."
    return (
        f"- **`{label}`** is set apart most by "
        + "; ".join(
            f"*{quote_text(t)}* ({r.n_target:.0f} vs {r.n_reference:.0f}, log ratio "
            f"{r.log_ratio:+.2f}"
            + (
                f", {checked.loc[t, 'check'][:-1]}-level p {checked.loc[t, 'p_check']:.3f}"
                if t in checked.index
                else ""
            )
            + f", in `{label}`'s "
            + cite(r[where], limit=4)
            + ")"
            for t, r in head.iterrows()
        )
        + "."
    )


def keyness_interpretation(
    candidates: pd.DataFrame,
    checked: pd.DataFrame,
    keyness: pd.DataFrame,
    summary: Mapping[str, Any],
    target: str,
    reference: str,
    *,
    alpha: float,
) -> list[str]:
    """The interpretation of one comparison, as lines: what sets each side apart most (citing
    the paragraphs), what survives correction and the checks, and how much vocabulary the two
    sides' paragraphs share."""
    holds = checked[checked["p_check"] < alpha]
    level = "document" if (checked["check"] == "documents").all() else "paragraph"
    return [
        f"**`{target}` against `{reference}`.**",
        "",
        _key_in(target, candidates[candidates["g2"] > 0], "seg_ids_target", checked),
        _key_in(
            reference,
            candidates[candidates["g2"] < 0].sort_values("g2"),
            "seg_ids_reference",
            checked,
        ),
        f"- **Significance.** {int((keyness['p_adj'] < alpha).sum())} term(s) survive the "
        f"false-discovery correction and {len(holds)} of {len(checked)} checked terms hold at "
        f"the {level} level; differences that hold are those spread over many units of one "
        "side, not those repeated inside one.",
        f"- **Overlap.** Median cosine between the two sides' paragraphs "
        f"{summary['median']:.3f}, highest {summary['max']:.3f}: "
        + (
            "they barely share vocabulary, so where one side answers the other's concerns it "
            "does so in other words."
            if summary["max"] < 0.3
            else "some paragraphs share a good part of their vocabulary; the concordance report "
            "reads the shared framing terms in context."
        ),
        "",
    ]


# --------------------------------------------------------------------------------- 05 findings


def statements_compared(
    docs_per_group: Mapping[str, Sequence[str]], tokens: Mapping[str, int], design: str
) -> str:
    """The opening of the findings: each group's documents with their sizes, then the design."""
    return (
        "**The statements compared.** "
        + "; ".join(
            f"`{g}`: " + ", ".join(f"`{d}` ({int(tokens[d])} tokens)" for d in ids)
            for g, ids in docs_per_group.items()
        )
        + ". "
        + design
    )


def key_terms_found(
    block: pd.DataFrame,
    target: str,
    reference: str,
    tally: Mapping[str, int],
    *,
    alpha: float,
    n_tested: int,
) -> list[str]:
    """Bullets on one comparison's checked key terms (:func:`analysis.counts.top_key_terms`):
    each side's terms with their counts, spread and check, then how many hold
    (``tally`` from :func:`analysis.counts.key_term_tally`; ``n_tested``: the terms checked
    across all comparisons)."""
    lines = []
    for side in (target, reference):
        rows = block[block["key_in"] == side]
        if rows.empty:
            continue
        lines.append(
            f"- Key in **`{side}`** (against `{target if side == reference else reference}`): "
            + "; ".join(
                f"*{quote_text(r.term)}* ("
                + (
                    f"{int(r.n_target)} vs {int(r.n_reference)}, log ratio {r.log_ratio:+.2f}"
                    if side == target
                    else f"{int(r.n_reference)} vs {int(r.n_target)}, log ratio {-r.log_ratio:+.2f}"
                )
                + f", in {r.segments} paragraph(s) of {r.docs} document(s), "
                f"{r.check[:-1]}-level p = {r.p_check:.3f})"
                for r in rows.itertuples()
            )
            + "."
        )
    lines.append(
        f"- Of these {tally['n_terms']} terms, **{tally['n_held']}** keep p < {alpha} when whole "
        + ("documents" if (block["check"] == "documents").all() else "paragraphs")
        + f" are shuffled ({tally['n_held_adjusted']} after adjusting for the "
        f"{n_tested} terms tested across all comparisons); "
        f"{tally['n_one_side']} occur on one side only; "
        f"{tally['n_too_small']} are flagged too small for the token-level test, so their "
        "p-values are descriptive."
    )
    return lines


def kwic_heading(term: str, side: str, n_lines: int, *, shown: int = 4) -> str:
    """The heading of a key term's concordance lines."""
    return (
        f"**{quote_text(term)}** (key in `{side}`), {n_lines} line(s)"
        + (f", the first {min(n_lines, shown)} shown" if n_lines > shown else "")
        + ":\n"
    )


def kwic_bullets(lines: pd.DataFrame) -> list[str]:
    """Concordance lines (:func:`analysis.concordance.kwic`) as bullets citing their unit, the
    match in bold, every part quoted."""
    return [
        f"- `{h.seg_id}`: …{quote_text(h.left)} **{quote_text(h.match)}** {quote_text(h.right)}…"
        for h in lines.itertuples()
    ]


#: The function-word subclasses the findings read, with how a reader knows them.
STANCE_LABELS = (
    ("first_plural", "first-person plural (we, our, us)"),
    ("obligation", "obligation modals (must, should)"),
    ("commitment", "commitment modals (will, shall)"),
)


def function_word_lines(focus: pd.DataFrame) -> list[str]:
    """One bullet per stance subclass (:data:`STANCE_LABELS`) from
    :func:`analysis.counts.function_word_rates`: each group's count, rate and words, and the
    group with the highest rate (a detail of these texts below 5 occurrences)."""
    lines = []
    for subclass, label in STANCE_LABELS:
        rows = focus[focus["function_subclass"] == subclass]
        top, n_max = rows["highest"].iloc[0], rows["n_max"].iloc[0]
        lines.append(
            f"- **{label}**: "
            + "; ".join(
                f"`{r.actor_type}` {r.n} ({r.per_1k:.1f} per 1,000"
                + (f": {quote_text(r.words)}" if r.words else "")
                + ")"
                for r in rows.itertuples()
            )
            + (
                f". Highest rate: `{top}`"
                + (
                    ", but on fewer than 5 occurrences, so read it as a detail of these texts."
                    if n_max < 5
                    else "."
                )
                if n_max > 0
                else ". Not used by any group."
            )
        )
    return lines


def contrast_line(target: str, reference: str, extremes: pd.DataFrame, pair: Any) -> str:
    """A bullet on one TF-IDF contrast (``extremes`` from
    :func:`analysis.tfidf.contrast_extremes`) and its paragraph similarity (``pair``, a
    :class:`analysis.tfidf.SimilarityHighlights`)."""

    def listed(side: str) -> str:
        return ", ".join(
            f"*{quote_text(e.term)}* ({e.diff:+.3f})"
            for e in extremes[extremes["favours"] == side].itertuples()
        )

    return (
        f"- **`{target}` against `{reference}`.** Highest mean paragraph TF-IDF in `{target}`: "
        + listed(target)
        + f"; in `{reference}`: "
        + listed(reference)
        + f". The most similar pair of paragraphs is `{pair.seg_id}` and "
        f"`{pair.closest_seg_id}` with cosine {pair.similarity:.3f}"
        + (
            ", sharing the content words " + ", ".join(quote_text(w) for w in pair.shared_words)
            if pair.shared_words
            else ""
        )
        + f". The median paragraph's closest counterpart has cosine "
        f"{pair.median_similarity:.3f}, and {len(pair.unmatched)} of {pair.n_paragraphs} "
        "paragraphs share no content word with any paragraph of the other side."
    )


#: What the findings say when no coding sheet covers the corpus.
NO_CODING = (
    "**No coding sheet covers this corpus**, so no finding about frame or stance can be "
    "stated: word counts are not a substitute. Export sheets for two or more coders "
    "(`python -m analysis sheet export --coder NAME --out PATH --manifest MANIFEST`)."
)


def coding_findings(
    profile: pd.DataFrame | None, tests: pd.DataFrame | None, coder: str | None, n_coders: int
) -> str:
    """The frame and stance findings of one coder: each group's most frequent frame and its
    stance counts, citing units, and the association tests read as descriptive
    (:data:`NO_CODING` without a coding)."""
    if profile is None:
        return NO_CODING
    lines = [
        f"- **`{p.actor_type}`** ({p.n_units} units): most often **{p.top_frame}** "
        f"({p.n_top_frame} of {p.n_units}: "
        + cite(p.top_frame_units)
        + "); stance "
        + ", ".join(f"{s} {n}" for s, n in p.stance_counts.items())
        + ("; critical in " + cite(p.critical_units) if p.critical_units else "; no critical unit")
        + "."
        for p in profile.itertuples()
    ]
    association = (
        ""
        if tests is None
        else "".join(
            f"\n- Association of {t.dimension} with actor group: {t.method}, p = {t.p_value:.4f} "
            f"over {t.n_units} units (descriptive of these texts: units are paragraphs of a "
            "few statements, not independent samples)."
            for t in tests.itertuples()
        )
    )
    return (
        f"In the coding of `{coder}`"
        + (" (one analyst's judgement; no second coder yet)" if n_coders < 2 else "")
        + ":\n\n"
        + "\n".join(lines)
        + association
    )


def limits(*, min_docs: int, genre_aligned: bool, years: float, n_coders: int) -> str:
    """What the data cannot show: actors in general, genre, topic, time, token independence,
    one reading; each bullet from the corpus's own numbers."""
    return "\n".join(
        [
            f"- **Actors in general.** The smallest group has {min_docs} document(s)"
            + (
                ": every difference above is a difference between these documents, and actor "
                "type is only one of the things that differ between them."
                if min_docs < 5
                else "; still too few to generalise to the actors without a sampling design."
            ),
            "- **Genre and audience.** "
            + (
                "No genre is shared across the groups, so genre (and the audience it implies) "
                "cannot be told apart from the actor group."
                if genre_aligned
                else "Genres overlap across groups, but audiences and occasions still differ "
                "document by document."
            ),
            "- **Topic.** Trafficking in persons and the smuggling of migrants are distinct crimes "
            "under separate Protocols; a statement on one is not a statement on the other "
            "(see `00-corpus` for the vocabulary each document leans on).",
            f"- **Time.** The documents span {years:.1f} "
            "years; laws, events and rankings changed in between.",
            "- **Token independence.** Token-level G² and p treat every word as an independent "
            "draw; the permutation checks above, which shuffle whole documents or paragraphs, "
            "are the more honest tests, and with few documents or paragraphs they have little "
            "power.",
            f"- **One reading.** The frame and stance findings rest on {n_coders} coder(s)"
            + (
                "; without a second, independent coder their reliability is unknown "
                "(no alpha can be computed)."
                if n_coders < 2
                else "; see `04-stance-coding` for their agreement."
            ),
        ]
    )


def marked_by(group: str, term: str, log_ratio: float, seg_ids: Sequence[str]) -> str:
    """``group`` is marked most by ``term``, citing the units that use it."""
    return (
        f"`{group}` is marked most by *{quote_text(term)}* (log ratio "
        f"{abs(log_ratio):.2f} in its favour, in " + cite(seg_ids) + ")"
    )


def findings_interpretation(
    parts: Sequence[str],
    highlights: Sequence[tuple[str, str, Any]],
    side: pd.DataFrame | None,
    groups: Sequence[str],
) -> str:
    """The closing interpretation of the findings: what marks each group (``parts``, from
    :func:`marked_by`), how much vocabulary each compared pair shares (``highlights``:
    ``(target, reference, SimilarityHighlights)``), the coding's frames and stances (``side``,
    from :func:`analysis.present.findings_side_by_side`, ``None`` without a coding), and the
    confounds."""
    text = "**Interpretation.** "
    text += ("; ".join(parts) + ". ") if parts else "No two groups to compare. "
    for t, r, pair in highlights:
        text += (
            f"The paragraphs of `{t}` and `{r}` share "
            f"{'little' if pair.similarity < 0.3 else 'some'} vocabulary (closest pair "
            f"`{pair.seg_id}`–`{pair.closest_seg_id}`, cosine {pair.similarity:.3f}). "
        )
    if side is not None:
        text += (
            "In the human coding, "
            + "; ".join(
                f"`{g}` is framed mostly as {side.loc[g, 'top_frame']} with "
                f"{side.loc[g, 'share_critical']:.0%} of units critical of the state"
                for g in groups
                if g in side.index
                and "top_frame" in side.columns
                and pd.notna(side.loc[g, "top_frame"])
            )
            + ". "
        )
    else:
        text += "No human coding covers this corpus, so frame and stance remain open. "
    return text + (
        "These are descriptions of the statements analysed, confounded with genre, audience, "
        "topic and date as listed above, not findings about the actors in general."
    )


# --------------------------------------------------------------------------- 01 term frequencies


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
            "The most evenly shared terms are " + _terms(top_shared[:6]) + ". "
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


# ------------------------------------------------------------------ 03 concordance and collocation


def framing_rates(
    rates: pd.DataFrame,
    labels: Sequence[str],
    groups: Sequence[str],
    *,
    standalone: int,
    forms: pd.Series,
) -> str:
    """One bullet per framing query (``rates`` from :func:`analysis.explorer.query_rates`,
    indexed by label and group), then what the smuggling pattern finds beyond the bare word
    (``standalone``: its count as a term; ``forms``: the matched forms and their counts)."""
    return (
        "\n".join(
            f"- **{quote_text(label)}**: "
            + "; ".join(
                f"`{g}` {rates.loc[(label, g), 'n']} ({rates.loc[(label, g), 'per_1k']:.1f} per "
                f"1,000, {rates.loc[(label, g), 'n_segments']} of {rates.loc[(label, g), 'parts']}"
                " paragraphs)"
                for g in groups
            )
            for label in labels
        )
        + f"\n\nAs a stand-alone term, *smuggling* is counted {standalone} time(s) by the term "
        f"tables of `01-term-frequencies`; the pattern finds {int(forms.sum())} occurrence(s)"
        + (
            ", as " + ", ".join(f"*{quote_text(f)}* ({n})" for f, n in forms.items())
            if len(forms)
            else ""
        )
        + ". A search for the bare word would have missed the smuggling vocabulary."
    )


def first_lines(lines: pd.DataFrame) -> str:
    """The first concordance line of each framing term and group (``term``, ``seg_id``,
    ``left``, ``match``, ``right``), quoted."""
    return "One line per term and group, the first in reading order:\n\n" + "\n".join(
        f"- {quote_text(r.term)}, `{r.seg_id}`: “{quote_text(r.left)} "
        f"**{quote_text(r.match)}** {quote_text(r.right)}”"
        for r in lines.itertuples()
    )


def strongest_collocates(best: pd.DataFrame) -> str:
    """The strongest collocates of each framing term and group (``best``: a few rows per term
    and group, strongest first), with their co-occurrence counts."""
    if not len(best):
        return "No collocate occurs twice near any framing term in this corpus."
    return "Strongest collocates (by log Dice, with their co-occurrence counts):\n\n" + "\n".join(
        f"- {quote_text(term)} in `{g}`: "
        + ", ".join(
            f"*{quote_text(c)}* ({f})" for c, f in zip(rows["collocate"], rows["f_xy"], strict=True)
        )
        for (term, g), rows in best.groupby(["term", "actor_type"], sort=False)
    )


def dispersion_extremes(dispersion: pd.DataFrame) -> str:
    """The most evenly spread and the most concentrated key term (``dispersion`` from
    :func:`analysis.counts.term_dispersion` by document), and why DPnorm is undefined where
    it is."""
    spread = dispersion.dropna(subset=["dp_norm"]).sort_values(["dp_norm", "term", "doc_id"])
    undefined = dispersion["dp_norm"].isna().sum()
    return (
        "Among the key terms, the most evenly spread is "
        f"*{quote_text(spread.iloc[0]['term'])}* "
        f"in `{spread.iloc[0]['doc_id']}` (DPnorm {spread.iloc[0]['dp_norm']:.2f}, in "
        f"{spread.iloc[0]['n_segments']} of {spread.iloc[0]['parts']} paragraphs) and the most "
        f"concentrated *{quote_text(spread.iloc[-1]['term'])}* in "
        f"`{spread.iloc[-1]['doc_id']}` (DPnorm {spread.iloc[-1]['dp_norm']:.2f}, in "
        f"{spread.iloc[-1]['n_segments']} of {spread.iloc[-1]['parts']}). In short texts even "
        "a term used in every other paragraph has a DP well above 0: a term used a handful of "
        "times cannot follow the paragraph sizes closely."
        if len(spread)
        else "No key term has a defined dispersion."
    ) + (
        f" DPnorm is undefined for {undefined} row(s): documents of a single paragraph, where "
        "there is nothing to spread over."
        if undefined
        else ""
    )


#: How the concordance report closes its interpretation.
FRAMING_READING = (
    "Terms used by one side only mark what each statement puts at the centre; terms used by "
    "both are where the concordance lines show whether the same word carries the same frame. "
    "Read them against the genre, audience, crime and date differences set out in `00-corpus`."
)


def framing_interpretation(
    rates: pd.DataFrame, labels: Sequence[str], groups: Sequence[str], lines: pd.DataFrame
) -> list[str]:
    """The interpretation of the framing terms, as lines: for each term used at all, each
    group's count citing its units, the groups that never use it, and a first example line
    (``lines``: concordance lines with a ``term`` column)."""
    out = ["## Interpretation", ""]
    for label in labels:
        used = [g for g in groups if rates.loc[(label, g), "n"] > 0]
        if not used:
            continue
        text = f"- **{quote_text(label)}**: " + "; ".join(
            f"`{g}` {rates.loc[(label, g), 'n']} ("
            + cite(rates.loc[(label, g), "seg_ids"], limit=4)
            + ")"
            for g in used
        )
        missing = [g for g in groups if g not in used]
        if missing:
            text += "; absent from " + ", ".join(f"`{g}`" for g in missing)
        example = lines[lines["term"] == label].head(1)
        if len(example):
            e = example.iloc[0]
            text += (
                f". E.g. `{e['seg_id']}`: “{quote_text(e['left'])} "
                f"**{quote_text(e['match'])}** {quote_text(e['right'])}”"
            )
        out.append(text + ".")
    return [*out, "", FRAMING_READING]


# --------------------------------------------------------------------------------- 04 coding


def coding_units_line(n_units: int, n_documents: int, groups: Sequence[str]) -> str:
    """How many coding units the corpus has, and the groups compared."""
    return (
        f"The corpus has **{n_units}** coding units (body paragraphs and list items) in "
        f"{n_documents} document(s); this notebook compares the actor group(s) "
        + ", ".join(f"`{g}`" for g in groups)
        + "."
    )


def coders_found(coders: Sequence[str], coder: str | None, *, n_sheets: int) -> str:
    """Which coders' sheets cover the corpus and whose coding the tables use, or what to do
    when none does (``n_sheets``: sheets found at all)."""
    if coders:
        return (
            f"**{len(coders)}** coder sheet(s) cover this corpus: "
            + ", ".join(f"`{c}`" for c in coders)
            + f". The tables below use the coding of `{coder}`."
        )
    return (
        "**No coding sheet matches this corpus**"
        + (
            " (the sheets found are listed above with the reason each is left out)"
            if n_sheets
            else " (no sheet was found)"
        )
        + ". The codebook above and the dictionary baseline below still apply; frame and stance "
        "by actor, the frame sequence and agreement need a human coding: export a sheet with "
        "`python -m analysis sheet export --coder NAME --out PATH --manifest MANIFEST`."
    )


def frame_and_stance_profile(
    frames: pd.DataFrame, stances: pd.DataFrame, groups: Sequence[str]
) -> str:
    """One bullet per group from the code summaries of the frame and the stance
    (:func:`analysis.coding.code_summary`, indexed by ``actor_type``)."""
    lines = []
    for group in groups:
        if group not in frames.index or not frames.loc[group, "n_codes_used"]:
            lines.append(f"- `{group}`: no coded unit.")
            continue
        f, s = frames.loc[group], stances.loc[group]
        lines.append(
            f"- `{group}` ({f['n_group']} coded units): most often framed as "
            f"**{f['top_code']}** ({f['n_top']} units, {f['share_top']:.0%}); "
            f"{f['n_codes_used']} different primary frame(s) used. Most frequent stance: "
            f"**{s['top_code']}** ({s['n_top']} units, {s['share_top']:.0%}); "
            + ", ".join(f"{code} {n}" for code, n in s["code_counts"].items())
            + "."
        )
    return "\n".join(lines)


def frame_runs_text(runs: pd.DataFrame) -> str:
    """Each document's runs of the same primary frame (:func:`analysis.coding.frame_runs`),
    with the unit labels they span."""
    lines = []
    for doc in dict.fromkeys(runs["doc_id"]):
        doc_runs = runs[runs["doc_id"] == doc]
        steps = " → ".join(
            f"{r.frame} ({r.first_label}" + (f"–{r.last_label})" if r.n_units > 1 else ")")
            for r in doc_runs.itertuples()
        )
        lines.append(
            f"- `{doc}` ({doc_runs['n_units'].sum()} units, {len(doc_runs)} run(s) of the same "
            f"frame): {steps}."
        )
    return "Runs of the same primary frame, with the unit labels they span:\n\n" + "\n".join(lines)


def association_results(association: pd.DataFrame) -> str:
    """One bullet per association test (:func:`analysis.coding.association_tests`), then its
    caveat."""
    return (
        "\n".join(
            f"- **{t.dimension}**: {t.method} over {t.n_units} units, statistic "
            f"{t.statistic:.2f}, p = {t.p_value:.4f}"
            + (f" ({t.n_perm} permutations, seed {t.seed})" if t.n_perm else "")
            + "."
            for t in association.itertuples()
        )
        + "\n\n*Caveat.* "
        + association["caveat"].iloc[0]
    )


def no_association(n_groups: int) -> str:
    """Why there is no association test."""
    return "The association test needs a coding of at least two actor groups; " + (
        "only one group is compared." if n_groups < 2 else "there is no coding."
    )


def lexicon_check(validation: Mapping[str, Any], misses: pd.DataFrame, *, in_sample: bool) -> str:
    """How often the frame lexicon proposes the coder's frame and stance
    (:func:`analysis.frames.validate_lexicon`), the units where it misses (``misses``:
    seg_id, coded, proposed), and whether the check is in or out of sample."""
    return (
        f"Over {validation['n_units']} units the lexicon proposes the coder's primary frame for "
        f"{validation['frame_accuracy']:.0%} (Cohen's kappa {validation['frame_kappa']:.2f}) and "
        f"the coder's stance for {validation['stance_accuracy']:.0%} (kappa "
        f"{validation['stance_kappa']:.2f}). It misses the frame in "
        + (
            cite(
                [f"`{s}` ({f} coded, {p} proposed)" for s, f, p in misses.itertuples(index=False)],
                code=False,
            )
            or "no unit"
        )
        + ". "
        + (
            "These units include seed statements the lexicon was written from, so the figures "
            "overstate how the lexicon would do on new texts."
            if in_sample
            else "The lexicon was written on other statements (the seeds), so this is an "
            "out-of-sample check, still against a single coder."
        )
    )


def lexicon_proposals(proposed: pd.DataFrame, n_units: int) -> str:
    """What the lexicon proposes when there is no coding to check it against."""
    return (
        "Without a human coding the proposals cannot be checked. The lexicon proposes "
        + ", ".join(f"{r.proposed_frame} for {r.n_units} unit(s)" for r in proposed.itertuples())
        + f" of the {n_units} units; treat them as leads for a coder, not as codes."
    )


def agreement_results(summary: pd.DataFrame, n_disagreements: int) -> str:
    """One bullet per dimension of an agreement summary
    (:func:`analysis.agreement.agreement_summary`) with its verdict, then how many
    disagreements wait for adjudication."""
    from analysis.agreement import verdict_text

    return (
        "\n".join(
            f"- **{r.dimension}**: alpha {r.alpha:.3f} (95% bootstrap interval {r.alpha_lower:.3f} "
            f"to {r.alpha_upper:.3f}) over {r.n_units} units and {r.n_coders} coders: "
            + verdict_text(r.alpha, r.alpha_note)
            + "."
            for r in summary.itertuples()
        )
        + f"\n\n{n_disagreements} unit-dimension disagreement(s) are listed for adjudication."
    )


def agreement_pending(coders: Sequence[str]) -> str:
    """Why agreement cannot be computed yet (fewer than two coders)."""
    if len(coders) == 1:
        return (
            f"**Agreement cannot be computed yet**: only one coder (`{coders[0]}`) has coded this "
            "corpus. Agreement needs at least two independent codings of the same units; add a "
            "coder's sheet with the commands above and rerun this report (`python -m analysis "
            "report`; `--coding SHEET...` to choose the sheets)."
        )
    return (
        "**Agreement cannot be computed**: no coder has coded this corpus yet. Export sheets for "
        "two or more coders with the commands above."
    )


def coding_interpretation(
    profile: pd.DataFrame,
    coder: str,
    n_coders: int,
    *,
    frame_p: float | None,
    max_documents: int,
    validation: Mapping[str, Any] | None,
    recall: pd.Series | None,
) -> str:
    """The interpretation of a coding: each group's most frequent frame and its critical and
    supportive units, the frame-actor test read against the number of documents
    (``frame_p``, None without a test), and how far the dictionary baseline agrees
    (``recall`` by frame, highest first)."""
    lines = [
        f"- In `{p.actor_type}`, the most frequent primary frame is **{p.top_frame}** ("
        + cite(p.top_frame_units)
        + "); critical units: "
        + (cite(p.critical_units) or "none")
        + "; supportive units: "
        + (cite(p.supportive_units) or "none")
        + "."
        for p in profile.itertuples()
    ]
    return (
        f"**Interpretation.** In the coding of `{coder}`"
        + (" (one analyst's judgement, not yet checked by a second coder)" if n_coders < 2 else "")
        + ":\n\n"
        + "\n".join(lines)
        + (
            f"\n\nThe permutation test puts the frame x actor association at p = "
            f"{frame_p:.4f}, but with "
            f"{max_documents} document(s) at most per group this describes these "
            "statements, not the actors in general."
            if frame_p is not None
            else ""
        )
        + (
            f"\n\nThe dictionary baseline agrees with this coding on the primary frame with kappa "
            f"{validation['frame_kappa']:.2f}; its recall is highest for **{recall.index[0]}** "
            f"({recall.iloc[0]:.0%}) and lowest for **{recall.index[-1]}** "
            f"({recall.iloc[-1]:.0%}), so a word list is a pointer for coders, not a substitute."
            if validation is not None and recall is not None and len(recall)
            else ""
        )
    )


def baseline_interpretation(by_frame: pd.DataFrame) -> str:
    """The interpretation without a coding: where each frame's vocabulary occurs
    (:func:`analysis.frames.proposed_frame_units`)."""
    return (
        "**Interpretation.** No human coding covers this corpus, so nothing can yet be said "
        "about frame or stance by actor. The dictionary baseline only points a coder to where "
        "each frame's vocabulary occurs: "
        + "; ".join(f"{r.proposed_frame}: " + cite(r.seg_ids) for r in by_frame.itertuples())
        + ". Export sheets for two or more coders to code it."
    )


# --------------------------------------------------------------------------------- 00 corpus


def corpus_check_summary(warnings: pd.DataFrame, *, web_lines: int) -> str:
    """The corpus check's warnings (``where``, ``problem``) and the web-page lines kept out of
    the analysis by their kind."""
    return (
        (
            f"The check found **{len(warnings)} warning(s)**: "
            + "; ".join(
                f"{quote_text(r.where)}: {quote_text(r.problem)}" for r in warnings.itertuples()
            )
            + ". These units are analysed as they are; a reader should check them against the "
            "source."
            if len(warnings)
            else "The check found nothing to warn about."
        )
        + f" {web_lines} line(s) of web-page furniture (bylines, navigation, "
        "captions, boilerplate) were kept out of the analysis by their kind, with their "
        "offsets, so nothing of the source is lost."
    )


def document_extremes(description: pd.DataFrame) -> str:
    """The longest and shortest documents, the range of mean sentence length, and whether the
    highest type-token ratio is only a matter of length (``description`` from
    :meth:`analysis.pipeline.Pipeline.describe`)."""
    longest = description.loc[description["tokens"].idxmax()]
    shortest = description.loc[description["tokens"].idxmin()]
    richest = description.loc[description["ttr"].idxmax()]
    return (
        f"The longest document is `{longest['doc_id']}` with {longest['tokens']:,} tokens in "
        f"{longest['sentences']} sentences; the shortest is `{shortest['doc_id']}` with "
        f"{shortest['tokens']:,} tokens in {shortest['sentences']} sentences. "
        f"Mean sentence length ranges from {description['mean_sentence_length'].min():.1f} to "
        f"{description['mean_sentence_length'].max():.1f} tokens. "
        f"The highest type-token ratio, {richest['ttr']:.3f}, belongs to `{richest['doc_id']}`"
        + (
            ", which is also the shortest document, so length alone could explain it."
            if richest["doc_id"] == shortest["doc_id"]
            else ", which is not the shortest document, so length alone does not explain it."
        )
    )
