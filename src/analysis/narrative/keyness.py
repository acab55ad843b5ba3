"""Sentences of the keyness report (02): sizes of each comparison, the evidence of keyness,
the permutation checks, document ranges, TF-IDF against keyness, paragraph similarity and the
interpretation."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

import pandas as pd

from analysis.present import cite, quote_text, quoted_terms


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
        + (", the strongest " + quoted_terms(terms[:6]) if terms else "")
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
        + quoted_terms(top_tfidf_t[:6])
        + f"; `{reference}`: "
        + quoted_terms(top_tfidf_r[:6])
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
