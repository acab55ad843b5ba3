"""Sentences of the corpus report (00): the corpus check and the documents' extremes."""

from __future__ import annotations

import pandas as pd

from analysis.present import quote_text


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
    :meth:`analysis.pipeline.CorpusTables.describe`)."""
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
