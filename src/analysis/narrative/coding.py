"""Sentences of the coding report (04): units and coders, frame and stance profiles, frame runs,
association, the lexicon check, agreement and the interpretation."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from analysis.present import cite


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
        + str(association["caveat"].iloc[0])
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
