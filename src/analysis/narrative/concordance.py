"""Sentences of the concordance report (03): framing terms and their rates, first lines,
collocates, dispersion and the interpretation."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from analysis.present import cite, quote_text, quoted_line


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
        f"- {quote_text(r.term)}, `{r.seg_id}`: “{quoted_line(r.left, r.match, r.right)}”"
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
            text += f". E.g. `{e['seg_id']}`: “{quoted_line(e['left'], e['match'], e['right'])}”"
        out.append(text + ".")
    return [*out, "", FRAMING_READING]
