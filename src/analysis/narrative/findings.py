"""Sentences of the findings page (05): the statements compared, the checked key terms in
context, who says "we" and "must", where the paragraphs meet, the coding, the limits and the
interpretation."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from analysis.present import CITE_LIMIT, cite, quote_text, quoted_line


def statements_compared(
    docs_per_group: Mapping[str, Sequence[str]], tokens: Mapping[str, int], design: str
) -> str:
    """The opening of the findings: each group's documents with their sizes (the first
    :data:`~analysis.present.CITE_LIMIT` of a larger group, then how many more and the group's
    total), then the design."""

    def listed(ids: Sequence[str]) -> str:
        shown = ", ".join(f"`{d}` ({int(tokens[d])} tokens)" for d in ids[:CITE_LIMIT])
        if len(ids) <= CITE_LIMIT:
            return shown
        total = sum(int(tokens[d]) for d in ids)
        return f"{shown} and {len(ids) - CITE_LIMIT} more ({total:,} tokens in all)"

    return (
        "**The statements compared.** "
        + "; ".join(f"`{g}`: " + listed(list(ids)) for g, ids in docs_per_group.items())
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
        f"- `{h.seg_id}`: …{quoted_line(h.left, h.match, h.right)}…" for h in lines.itertuples()
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
