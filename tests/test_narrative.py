"""Tests for analysis.narrative: every sentence of the reports, built from a toy table."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis import narrative


def _keyness() -> pd.DataFrame:
    """Three terms of a toy keyness table (the columns the sentences read)."""
    return pd.DataFrame(
        {
            "n_target": [12.0, 0.0, 3.0],
            "n_reference": [2.0, 9.0, 3.0],
            "e_target": [7.0, 4.5, 3.0],
            "e_reference": [7.0, 4.5, 3.0],
            "log_ratio": [2.58, -4.17, 0.0],
            "g2": [8.4, -12.5, 0.0],
            "p": [0.004, 0.0004, 1.0],
            "p_adj": [0.006, 0.0012, 1.0],
            "bic": [6.5, 10.6, -2.3],
            "too_small": [False, False, True],
            "segments": [5, 4, 2],
            "docs": [3, 2, 2],
            "seg_ids_target": [["a-p01", "a-p02"], [], ["a-p03"]],
            "seg_ids_reference": [["b-p01"], ["b-p02", "b-p03"], ["b-p04"]],
        },
        index=pd.Index(["migrant workers", "<b>border</b>", "the"], name="term"),
    )


def _checked() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "log_ratio": [2.58, -4.17],
            "p_check": [0.01, 0.2],
            "p_check_adj": [0.02, 0.4],
            "check": ["documents", "documents"],
            "segments": [5, 4],
            "docs": [3, 2],
            "docs_in_side": [4, 3],
        },
        index=pd.Index(["migrant workers", "<b>border</b>"], name="term"),
    )


def test_pair_sizes_and_documents_per_group():
    words, units = {"cso": 1200, "rest": 3400}, {"cso": 14, "rest": 40}
    line = narrative.pair_sizes("cso", "rest", words, units, reference_groups=["gov", "igo"])
    assert line == (
        "- `cso` against `rest` (`gov`, `igo`): 1,200 running words in 14 paragraphs and list "
        "items against 3,400 in 40."
    )
    plain = narrative.pair_sizes("cso", "rest", words, units)
    assert "(`" not in plain.replace("(`gov`", "")  # "rest" without its groups named: ()
    assert narrative.pair_sizes("a", "b", {"a": 1, "b": 2}, {"a": 1, "b": 1}).startswith(
        "- `a` against `b`: 1 running"
    )
    assert narrative.documents_per_group_line({"cso": 3, "gov": 2}) == (
        "\nDocuments per group: `cso` 3, `gov` 2."
    )


def test_set_aside_names_at_most_six_terms_quoted():
    assert narrative.set_aside([]) == (
        "Set aside by the spread rule or as letters and numbers: 0 term(s)."
    )
    text = narrative.set_aside([f"t{i}" for i in range(8)] + ["*x*"])
    assert "9 term(s), the strongest *t0*, *t1*" in text and "*t5*." in text
    assert "t6" not in text and "\\*x\\*" not in text


def test_keyness_evidence_counts_thresholds_and_reads_the_strongest_terms():
    keyness = _keyness()
    candidates = keyness.iloc[:2]
    text = narrative.keyness_evidence(keyness, candidates, "cso", "gov", alpha=0.05)
    assert text.startswith("**`cso` against `gov`.** 3 terms were tested. 2 have p < 0.05")
    assert "**2 after the Benjamini-Hochberg correction**; 2 reach BIC > 2. 1 of 3 rows (33%)" in (
        text
    )
    assert "- *migrant workers*: 12 vs 2 occurrences (expected 7.0 vs 7.0), log ratio +2.58" in (
        text
    )
    assert "BIC 6.50 (strong evidence)" in text and "BIC 10.60 (very strong evidence)" in text
    # a zero count is named, and corpus text cannot become markup
    assert "(one side has 0, replaced by 0.5)" in text
    assert "&lt;b&gt;border&lt;/b&gt;" in text and "<b>" not in text
    strict = narrative.keyness_evidence(keyness, candidates, "cso", "gov", alpha=0.001)
    assert "1 have p < 0.001 before correction and **0 after" in strict


def test_check_summary_says_which_terms_hold_and_which_do_not():
    text = narrative.check_summary(_checked(), "cso", "gov", alpha=0.05, n_checked=10)
    assert "(backed by the documents check): of the 2 terms checked, **1 keep p < 0.05**" in text
    assert "(1 after adjusting for the 10 terms checked across all comparisons)" in text
    assert "*migrant workers* (log ratio +2.58, p 0.0100, in 5 paragraph(s) of 3 of the" in text
    assert "Those that do not: *&lt;b&gt;border&lt;/b&gt;* (p 0.200): their uses cluster in" in text
    everything = narrative.check_summary(_checked(), "cso", "gov", alpha=0.5, n_checked=2)
    assert everything.endswith("Every checked term holds.")
    paragraphs = _checked().assign(check=["documents", "paragraphs"])
    assert "paragraphs check" in narrative.check_summary(
        paragraphs, "a", "b", alpha=0.05, n_checked=2
    )


def test_document_level_sentences():
    assert "a side has fewer than two documents" in narrative.too_few_documents("a", "b")
    by_docs = pd.DataFrame(
        {
            "g2_docs": [3.0, 1.0, -2.0],
            "docs_target": [4, 3, 0],
            "n_docs_target": [4, 4, 4],
            "docs_reference": [0, 1, 3],
            "n_docs_reference": [3, 3, 3],
        },
        index=["rights", "we", "law"],
    )
    text = narrative.widest_terms(by_docs, "cso", "gov")
    assert text == (
        "- `cso` against `gov`: the terms used by the most `cso` documents relative to the "
        "other side are *rights* (4 of 4 documents against 0 of 3), *we* (3 of 4 documents "
        "against 1 of 3)."
    )


def test_tfidf_agreement_counts_shared_top_terms():
    contrast = pd.DataFrame({"diff": [0.3, 0.2, -0.1, -0.4]}, index=["rights", "we", "law", "tip"])
    candidates = pd.DataFrame({"g2": [5.0, -6.0, -1.0]}, index=["rights", "tip", "other"])
    text = narrative.tfidf_agreement(contrast, candidates, "cso", "gov")
    assert "1 of the top 2 TF-IDF terms of `cso` are also among its top 10" in text
    assert "1 of 2 for `gov`" in text
    assert text.endswith("`cso`: *rights*, *we*; `gov`: *tip*, *law*.")


def test_similarity_summary_reads_grammar_apart_from_topic():
    summary = {"pairs": 1200, "median": 0.0412, "median_exact": False, "max": 0.61}
    summary["zero_pairs"] = 900
    closest = pd.DataFrame({"closest_seg_id": ["b-p01", None, None]})
    drivers = pd.DataFrame(
        {"seg_a": ["a-p01"], "seg_b": ["b-p01"], "cosine": [0.61], "share": [0.7], "term": ["we"]}
    )
    text = narrative.similarity_summary(
        summary, closest, drivers, "cso", "gov", function_words={"we"}
    )
    assert "Across the 1,200 paragraph pairs, the median cosine is 0.041 (to within 0.00001)" in (
        text
    )
    assert "900 pairs share no content term at all. 2 paragraph(s) share no term" in text
    assert "`a-p01` and `b-p01` (cosine 0.610); 70% of it comes from *we*, a pronoun" in text
    topical = narrative.similarity_summary(summary, closest, drivers, "cso", "gov")
    assert topical.endswith("comes from *we*.")
    nothing = narrative.similarity_summary(
        {**summary, "median_exact": True}, closest.iloc[:1], drivers.iloc[:0], "a", "b"
    )
    assert "(to within" not in nothing and "paragraph(s) share no term" not in nothing
    assert nothing.endswith("No paragraph of one side shares a term with the other side.")


@pytest.mark.parametrize("highest, reading", [(0.2, "barely share"), (0.5, "a good part")])
def test_keyness_interpretation_cites_paragraphs_and_reads_overlap(highest, reading):
    keyness, checked = _keyness(), _checked()
    summary = {"median": 0.05, "max": highest}
    lines = narrative.keyness_interpretation(
        keyness.iloc[:2], checked, keyness, summary, "cso", "gov", alpha=0.05
    )
    assert lines[0] == "**`cso` against `gov`.**" and lines[1] == "" and lines[-1] == ""
    assert lines[2].startswith("- **`cso`** is set apart most by *migrant workers* (12 vs 2, ")
    assert "document-level p 0.010, in `cso`'s" in lines[2] and "a-p01" in lines[2]
    assert lines[3].startswith("- **`gov`** is set apart most by *&lt;b&gt;border&lt;/b&gt;*")
    assert (
        "2 term(s) survive the false-discovery correction and 1 of 2 checked terms hold"
        in (lines[4])
    )
    assert "at the document level" in lines[4]
    assert reading in lines[5]
    empty = narrative.keyness_interpretation(
        keyness.iloc[:0], checked, keyness, summary, "cso", "gov", alpha=0.05
    )
    assert "- No listed term is key in `cso`." in empty and "- No listed term is key in `gov`." in (
        empty
    )


def test_statements_compared_names_each_document_and_its_size():
    text = narrative.statements_compared(
        {"cso": ["lfl", "tenaga"], "gov": ["mys"]},
        {"lfl": 640, "tenaga": 1200.0, "mys": 980},
        "Two groups, compared as a pair.",
    )
    assert text == (
        "**The statements compared.** `cso`: `lfl` (640 tokens), `tenaga` (1200 tokens); "
        "`gov`: `mys` (980 tokens). Two groups, compared as a pair."
    )


def test_statements_compared_bounds_a_large_group():
    ids = [f"d{i:03d}" for i in range(200)]
    text = narrative.statements_compared({"cso": ids}, dict.fromkeys(ids, 900), "Design.")
    assert "`d005` (900 tokens) and 194 more (180,000 tokens in all). Design." in text
    assert "d006" not in text and len(text) < 400


def _block() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "key_in": ["cso", "gov"],
            "term": ["detention", "<i>border</i>"],
            "n_target": [9.0, 1.0],
            "n_reference": [1.0, 7.0],
            "log_ratio": [2.9, -2.6],
            "segments": [4, 3],
            "docs": [2, 1],
            "check": ["documents", "documents"],
            "p_check": [0.031, 0.5],
        }
    )


def test_key_terms_found_reads_each_side_from_its_own_point_of_view():
    tally = {"n_terms": 2, "n_held": 1, "n_held_adjusted": 0, "n_one_side": 0, "n_too_small": 1}
    lines = narrative.key_terms_found(_block(), "cso", "gov", tally, alpha=0.05, n_tested=6)
    assert lines[0] == (
        "- Key in **`cso`** (against `gov`): *detention* (9 vs 1, log ratio +2.90, in 4 "
        "paragraph(s) of 2 document(s), document-level p = 0.031)."
    )
    # the reference side's counts and log ratio are read from its side
    assert "(against `cso`): *&lt;i&gt;border&lt;/i&gt;* (7 vs 1, log ratio +2.60" in lines[1]
    assert lines[2].startswith("- Of these 2 terms, **1** keep p < 0.05 when whole documents")
    assert "(0 after adjusting for the 6 terms tested across all comparisons)" in lines[2]
    one_sided = narrative.key_terms_found(
        _block().iloc[:1].assign(check="paragraphs"), "cso", "gov", tally, alpha=0.05, n_tested=2
    )
    assert len(one_sided) == 2 and "when whole paragraphs are shuffled" in one_sided[1]


def test_concordance_sentences_quote_every_part():
    assert narrative.kwic_heading("we", "cso", 3) == "**we** (key in `cso`), 3 line(s):\n"
    assert narrative.kwic_heading("we", "cso", 9) == (
        "**we** (key in `cso`), 9 line(s), the first 4 shown:\n"
    )
    hits = pd.DataFrame(
        {"seg_id": ["a-p01"], "left": ["the *state*"], "match": ["must"], "right": ["<act>"]}
    )
    assert narrative.kwic_bullets(hits) == ["- `a-p01`: …the \\*state\\* **must** &lt;act&gt;…"]


def test_function_word_lines_name_the_highest_rate_and_small_counts():
    rows = []
    for subclass, n_max in (("first_plural", 12), ("obligation", 3), ("commitment", 0)):
        for group, n in (("cso", n_max), ("gov", 0)):
            rows.append(
                {
                    "function_subclass": subclass,
                    "actor_type": group,
                    "n": n,
                    "per_1k": n * 1.5,
                    "words": "we, our" if n else "",
                    "highest": "cso",
                    "n_max": n_max,
                }
            )
    lines = narrative.function_word_lines(pd.DataFrame(rows))
    assert lines[0] == (
        "- **first-person plural (we, our, us)**: `cso` 12 (18.0 per 1,000: we, our); `gov` 0 "
        "(0.0 per 1,000). Highest rate: `cso`."
    )
    assert lines[1].endswith(
        "but on fewer than 5 occurrences, so read it as a detail of these texts."
    )
    assert lines[2].endswith(". Not used by any group.")


class _Highlights:
    seg_id, closest_seg_id, similarity, median_similarity = "a-p02", "b-p05", 0.4123, 0.05
    shared_words = ("migrants", "<b>")
    unmatched = ("a-p09",)
    n_paragraphs = 12


def test_contrast_line_reads_both_sides_and_the_closest_pair():
    extremes = pd.DataFrame(
        {"term": ["rights", "law"], "diff": [0.12, -0.08], "favours": ["cso", "gov"]}
    )
    text = narrative.contrast_line("cso", "gov", extremes, _Highlights())
    assert "in `cso`: *rights* (+0.120); in `gov`: *law* (-0.080)." in text
    assert (
        "`a-p02` and `b-p05` with cosine 0.412, sharing the content words migrants, &lt;b&gt;"
        in (text)
    )
    assert text.endswith(
        "has cosine 0.050, and 1 of 12 paragraphs share no content word with any paragraph of "
        "the other side."
    )


def test_coding_findings_cite_units_and_say_when_one_coder_read_them():
    assert narrative.coding_findings(None, None, None, 0) == narrative.NO_CODING
    profile = pd.DataFrame(
        {
            "actor_type": ["cso"],
            "n_units": [5],
            "top_frame": ["human_rights"],
            "n_top_frame": [3],
            "top_frame_units": [["a-p01", "a-p02", "a-p04"]],
            "stance_counts": [{"critical": 3, "neutral": 2}],
            "critical_units": [["a-p01"]],
        }
    )
    tests = pd.DataFrame(
        {"dimension": ["frame"], "method": ["exact permutation"], "p_value": [0.0312]}
    ).assign(n_units=9)
    text = narrative.coding_findings(profile, tests, "ana", 1)
    assert text.startswith("In the coding of `ana` (one analyst's judgement; no second coder yet)")
    assert "- **`cso`** (5 units): most often **human_rights** (3 of 5: " in text
    assert "stance critical 3, neutral 2; critical in " in text
    assert "exact permutation, p = 0.0312 over 9 units (descriptive of these texts" in text
    two = narrative.coding_findings(profile.assign(critical_units=[[]]), None, "ana", 2)
    assert "no second coder" not in two and "; no critical unit." in two


def test_limits_follow_the_corpus():
    few = narrative.limits(min_docs=1, genre_aligned=True, years=2.4, n_coders=1)
    assert "The smallest group has 1 document(s): every difference above" in few
    assert "No genre is shared across the groups" in few and "span 2.4 years" in few
    assert "rest on 1 coder(s); without a second" in few
    many = narrative.limits(min_docs=8, genre_aligned=False, years=0.0, n_coders=2)
    assert "still too few to generalise" in many and "Genres overlap across groups" in many
    assert "see `04-stance-coding` for their agreement." in many


def test_findings_interpretation():
    part = narrative.marked_by("cso", "detention", -2.5, ["a-p01", "a-p03"])
    assert part.startswith("`cso` is marked most by *detention* (log ratio 2.50 in its favour, in ")
    side = pd.DataFrame(
        {"top_frame": ["human_rights", None], "share_critical": [0.6, 0.0]}, index=["cso", "gov"]
    )
    text = narrative.findings_interpretation(
        [part], [("cso", "gov", _Highlights())], side, ["cso", "gov"]
    )
    assert text.startswith("**Interpretation.** `cso` is marked most by *detention*")
    assert "share some vocabulary (closest pair `a-p02`–`b-p05`, cosine 0.412)." in text
    assert "In the human coding, `cso` is framed mostly as human_rights with 60% of units" in text
    assert "`gov` is framed" not in text  # no frame to report for it
    assert text.endswith("not findings about the actors in general.")
    bare = narrative.findings_interpretation([], [], None, [])
    assert "No two groups to compare." in bare and "frame and stance remain open" in bare


def _term_table() -> pd.DataFrame:
    rows = [("cso", f"t{i}", 10 - i, 2.0 * (10 - i), 2) for i in range(6)]
    rows += [("gov", "<law>", 1, 0.5, 1), ("gov", "border", 1, 0.5, 1)]
    table = pd.DataFrame(rows, columns=["actor_type", "term", "n", "per_1k", "n_segments"])
    return table.assign(seg_ids=[["a-p01"]] * len(table))


def test_most_frequent_terms_lists_five_per_group_and_the_share_used_once():
    text = narrative.most_frequent_terms(_term_table())
    assert "- **`cso`**: *t0* 20.0 (n = 10, 2 paragraph(s)); *t1* 18.0" in text
    assert "*t5*" not in text  # five per group
    assert "0% of this group's distinct content terms occur only once." in text
    assert "- **`gov`**: *&lt;law&gt;* 0.5 (n = 1, 1 paragraph(s)); *border* 0.5" in text
    assert "100% of this group's" in text and text.endswith("carry a pattern.")


def test_multiword_use():
    expressions = pd.DataFrame({"term": ["human trafficking"], "n": [4], "per_1k": [3.25]})
    repeated = pd.DataFrame({"term": ["a b", "c d", "e f", "g h", "i j"], "n": [5, 4, 3, 2, 2]})
    text = narrative.multiword_use("cso", expressions, repeated)
    assert text == (
        "- **`cso`** uses 1 distinct multiword expression(s), most often *human trafficking* "
        "(4 times, 3.2 per 1,000 words), and repeats 5 phrase(s) of two or three words: *a b* "
        "(5), *c d* (4), *e f* (3), *g h* (2)."
    )
    none = narrative.multiword_use("gov", expressions.iloc[:0], repeated.iloc[:0])
    assert none == (
        "- **`gov`** uses 0 distinct multiword expression(s), and repeats 0 phrase(s) of two or "
        "three words."
    )


def test_vocabulary_overlap_line_counts_shared_terms_and_function_words():
    overlap = pd.DataFrame(
        {
            "term": ["we", "rights", "law", "tip"],
            "status": ["shared", "shared", "target_only", "reference_only"],
            "n_target": [4, 2, 4, 0],
            "n_reference": [2, 2, 0, 6],
        }
    )
    text = narrative.vocabulary_overlap_line(overlap, "cso", "gov", function_words={"we"})
    assert "use 4 distinct content terms between them, of which **2 are shared** (Jaccard" in text
    assert "index 0.50). Shared terms account for 60% of the content-term occurrences of `cso`" in (
        text
    )
    assert "and 40% of those of `gov`. The most evenly shared terms are *we*, *rights*. " in text
    assert text.endswith(
        "1 of the ten most shared terms are pronouns or modal verbs (*we*), so the shared "
        "*content* vocabulary is thinner than the count suggests."
    )
    alone = narrative.vocabulary_overlap_line(overlap.iloc[2:], "cso", "gov")
    assert "**0 are shared** (Jaccard index 0.00)" in alone and alone.endswith(
        "No term is shared. "
    )
    assert "(Jaccard index 0.00)" in narrative.vocabulary_overlap_line(overlap.iloc[:0], "a", "b")


def test_pronouns_and_modals_read_every_class_for_every_group():
    rows = [
        {"actor_type": g, "function_subclass": sub, "n": n, "per_1k": n * 2.0, "words": w}
        for sub in narrative.PROFILE_LABELS
        for g, n, w in (("cso", 3, "we, <our>"), ("gov", 0, ""))
    ]
    text = narrative.pronouns_and_modals(pd.DataFrame(rows), ["cso", "gov"])
    assert text.startswith(
        "- *we/us/our* (first person plural): `cso` 3 (6.0 per 1,000: we, &lt;our&gt;); `gov` 0 "
        "(0.0 per 1,000)"
    )
    assert text.count("\n- ") == len(narrative.PROFILE_LABELS) - 1
    assert "read as an acronym" in text and "*Will* also marks plain prediction" in text


def test_outside_counted():
    assert narrative.outside_counted(pd.DataFrame()).startswith("No first-person-plural pronoun")
    outside = pd.DataFrame(
        {"seg_id": ["a-h01"], "kind": ["heading"], "left": [""], "match": ["We"], "right": ["act"]}
    )
    assert narrative.outside_counted(outside) == (
        "1 pronoun(s) or modal(s) of these classes occur outside the counted paragraphs: *We* in "
        "`a-h01` (heading: “We act”). They are not in the profile above; a reader weighing the "
        "statements' demands should keep them in view."
    )


def test_frequency_interpretation_cites_and_reads_voice():
    top = pd.DataFrame(
        {"term": ["rights", "border"], "per_1k": [12.0, 8.5], "seg_ids": [["a-p01"], ["b-p02"]]},
        index=["cso", "gov"],
    )
    overlap = pd.DataFrame({"status": ["shared", "target_only", "reference_only", "shared"]})
    voice = pd.DataFrame(
        [
            (what, g, n, ["a-p03"] if n else [])
            for what in narrative.VOICE_LABELS
            for g, n in (("cso", 2), ("gov", 0))
        ],
        columns=["what", "actor_type", "n", "seg_ids"],
    ).set_index(["what", "actor_type"])
    text = narrative.frequency_interpretation(top, {("cso", "gov"): overlap}, voice, ["cso", "gov"])
    assert text.startswith(
        "## Interpretation\n\n**Topics.** The most frequent content term of `cso`"
    )
    assert "*rights* (12.0 per 1,000 words, in " in text and "a-p01" in text
    assert "`cso` and `gov` share 2 of 4 content terms (Jaccard 0.50)." in text
    assert "*we/us/our*: `cso` 2 (" in text and "; `gov` 0." in text


def _framing() -> pd.DataFrame:
    rows = [
        ("trafficking", "cso", 4, 3.2, 3, 10, ["a-p01", "a-p04"]),
        ("trafficking", "gov", 0, 0.0, 0, 12, []),
        ("smuggling", "cso", 1, 0.8, 1, 10, ["a-p02"]),
        ("smuggling", "gov", 5, 4.1, 4, 12, ["b-p01"]),
        ("<rights>", "cso", 0, 0.0, 0, 10, []),
        ("<rights>", "gov", 0, 0.0, 0, 12, []),
    ]
    columns = ["label", "actor_type", "n", "per_1k", "n_segments", "parts", "seg_ids"]
    return pd.DataFrame(rows, columns=columns).set_index(["label", "actor_type"])


def test_framing_rates_and_what_the_pattern_adds():
    forms = pd.Series({"smuggling": 4, "anti-smuggling": 2})
    text = narrative.framing_rates(
        _framing(), ["trafficking", "<rights>"], ["cso", "gov"], standalone=3, forms=forms
    )
    assert text.startswith(
        "- **trafficking**: `cso` 4 (3.2 per 1,000, 3 of 10 paragraphs); `gov` 0 (0.0 per 1,000, "
        "0 of 12 paragraphs)\n- **&lt;rights&gt;**:"
    )
    assert "*smuggling* is counted 3 time(s) by the term tables" in text
    # (a hyphen is escaped, so that no quoted term can start a Markdown list)
    assert "the pattern finds 6 occurrence(s), as *smuggling* (4), *anti\\-smuggling* (2)." in text
    nothing = narrative.framing_rates(
        _framing(), ["trafficking"], ["cso"], standalone=0, forms=pd.Series(dtype=int)
    )
    assert "finds 0 occurrence(s). A search for the bare word" in nothing


def test_first_lines_and_collocates():
    lines = pd.DataFrame(
        {"term": ["trafficking"], "seg_id": ["a-p01"], "left": ["end"], "match": ["*x*"]}
    ).assign(right="now")
    assert narrative.first_lines(lines) == (
        "One line per term and group, the first in reading order:\n\n"
        "- trafficking, `a-p01`: “end **\\*x\\*** now”"
    )
    best = pd.DataFrame(
        {
            "term": ["trafficking", "trafficking", "smuggling"],
            "actor_type": ["cso", "cso", "gov"],
            "collocate": ["victims", "<b>", "border"],
            "f_xy": [4, 2, 3],
        }
    )
    text = narrative.strongest_collocates(best)
    assert "- trafficking in `cso`: *victims* (4), *&lt;b&gt;* (2)\n- smuggling in `gov`" in text
    assert narrative.strongest_collocates(best.iloc[:0]).startswith("No collocate occurs twice")


def test_dispersion_extremes():
    dispersion = pd.DataFrame(
        {
            "term": ["rights", "law", "tip"],
            "doc_id": ["a", "b", "c"],
            "dp_norm": [0.2, 0.9, None],
            "n_segments": [5, 1, 1],
            "parts": [8, 9, 1],
        }
    )
    text = narrative.dispersion_extremes(dispersion)
    assert "the most evenly spread is *rights* in `a` (DPnorm 0.20, in 5 of 8 paragraphs)" in text
    assert "the most concentrated *law* in `b` (DPnorm 0.90, in 1 of 9)" in text
    assert text.endswith(
        "DPnorm is undefined for 1 row(s): documents of a single paragraph, "
        "where there is nothing to spread over."
    )
    none = narrative.dispersion_extremes(dispersion.iloc[2:])
    assert none.startswith("No key term has a defined dispersion. DPnorm is undefined for 1")


def test_framing_interpretation_cites_uses_names_absences_and_gives_an_example():
    lines = pd.DataFrame(
        {"term": ["smuggling"], "seg_id": ["b-p01"], "left": ["stop"], "match": ["smuggling"]}
    ).assign(right="now")
    out = narrative.framing_interpretation(
        _framing(), ["trafficking", "smuggling", "<rights>"], ["cso", "gov"], lines
    )
    assert out[:2] == ["## Interpretation", ""]
    assert out[2].startswith("- **trafficking**: `cso` 4 (") and "a-p01" in out[2]
    assert out[2].endswith("; absent from `gov`.")
    assert out[3].endswith(". E.g. `b-p01`: “stop **smuggling** now”.")
    assert len(out) == 6 and out[-1] == narrative.FRAMING_READING  # <rights> used by nobody


def test_coding_units_and_coders_found():
    assert narrative.coding_units_line(42, 3, ["cso", "gov"]) == (
        "The corpus has **42** coding units (body paragraphs and list items) in 3 document(s); "
        "this notebook compares the actor group(s) `cso`, `gov`."
    )
    assert narrative.coders_found(["ana", "ben"], "ana", n_sheets=2) == (
        "**2** coder sheet(s) cover this corpus: `ana`, `ben`. The tables below use the coding of "
        "`ana`."
    )
    left_out = narrative.coders_found([], None, n_sheets=1)
    assert "(the sheets found are listed above with the reason each is left out)" in left_out
    assert "(no sheet was found)" in narrative.coders_found([], None, n_sheets=0)


def test_frame_and_stance_profile():
    frames = pd.DataFrame(
        {"n_codes_used": [2, 0], "n_group": [6, 0], "top_code": ["rights", ""]},
        index=["cso", "gov"],
    ).assign(n_top=[4, 0], share_top=[4 / 6, 0.0])
    stances = frames.assign(top_code=["critical", ""], n_top=[5, 0], share_top=[5 / 6, 0.0])
    stances["code_counts"] = [{"critical": 5, "neutral": 1}, {}]
    text = narrative.frame_and_stance_profile(frames, stances, ["cso", "gov", "igo"])
    assert text.splitlines() == [
        "- `cso` (6 coded units): most often framed as **rights** (4 units, 67%); 2 different "
        "primary frame(s) used. Most frequent stance: **critical** (5 units, 83%); critical 5, "
        "neutral 1.",
        "- `gov`: no coded unit.",
        "- `igo`: no coded unit.",
    ]


def test_frame_runs_text():
    runs = pd.DataFrame(
        {
            "doc_id": ["a", "a", "b"],
            "frame": ["rights", "security", "security"],
            "first_label": ["1", "3", "1"],
            "last_label": ["2", "3", "4"],
            "n_units": [2, 1, 4],
        }
    )
    assert narrative.frame_runs_text(runs).splitlines()[2:] == [
        "- `a` (3 units, 2 run(s) of the same frame): rights (1–2) → security (3).",
        "- `b` (4 units, 1 run(s) of the same frame): security (1–4).",
    ]


def test_association_sentences():
    association = pd.DataFrame(
        {
            "dimension": ["frame", "stance"],
            "method": ["permutation", "Fisher exact"],
            "n_units": [12, 12],
            "statistic": [7.25, 3.0],
            "p_value": [0.04, 0.5],
            "n_perm": [4999, 0],
            "seed": [0, 0],
            "caveat": ["Few units.", "Few units."],
        }
    )
    assert narrative.association_results(association) == (
        "- **frame**: permutation over 12 units, statistic 7.25, p = 0.0400 (4999 permutations, "
        "seed 0).\n- **stance**: Fisher exact over 12 units, statistic 3.00, p = 0.5000."
        "\n\n*Caveat.* Few units."
    )
    assert narrative.no_association(1).endswith("only one group is compared.")
    assert narrative.no_association(2).endswith("there is no coding.")


def test_lexicon_sentences():
    validation = {
        "n_units": 10,
        "frame_accuracy": 0.6,
        "frame_kappa": 0.41,
        "stance_accuracy": 0.7,
        "stance_kappa": 0.5,
    }
    misses = pd.DataFrame({"seg_id": ["a-p01"], "coded": ["rights"], "proposed": ["security"]})
    text = narrative.lexicon_check(validation, misses, in_sample=True)
    assert text.startswith(
        "Over 10 units the lexicon proposes the coder's primary frame for 60% (Cohen's kappa "
        "0.41) and the coder's stance for 70% (kappa 0.50). It misses the frame in `a-p01` "
        "(rights coded, security proposed)."
    )
    assert "overstate how the lexicon would do" in text
    outside = narrative.lexicon_check(validation, misses.iloc[:0], in_sample=False)
    assert "misses the frame in no unit." in outside and "out-of-sample check" in outside
    proposed = pd.DataFrame({"proposed_frame": ["rights", "security"], "n_units": [3, 2]})
    assert narrative.lexicon_proposals(proposed, 9) == (
        "Without a human coding the proposals cannot be checked. The lexicon proposes rights for "
        "3 unit(s), security for 2 unit(s) of the 9 units; treat them as leads for a coder, not "
        "as codes."
    )


def test_agreement_sentences():
    from analysis.agreement import verdict_text

    summary = pd.DataFrame(
        {
            "dimension": ["frame"],
            "alpha": [0.71],
            "alpha_lower": [0.5],
            "alpha_upper": [0.88],
            "n_units": [20],
            "n_coders": [2],
            "alpha_note": [""],
        }
    )
    text = narrative.agreement_results(summary, 3)
    assert text.startswith(
        "- **frame**: alpha 0.710 (95% bootstrap interval 0.500 to 0.880) over 20 units and 2 "
        "coders: " + verdict_text(0.71, "") + "."
    )
    assert text.endswith("3 unit-dimension disagreement(s) are listed for adjudication.")
    assert "only one coder (`ana`)" in narrative.agreement_pending(["ana"])
    assert narrative.agreement_pending([]).startswith("**Agreement cannot be computed**: no coder")


def test_coding_interpretation_and_its_baseline():
    profile = pd.DataFrame(
        {
            "actor_type": ["cso"],
            "top_frame": ["rights"],
            "top_frame_units": [["a-p01"]],
            "critical_units": [["a-p02"]],
            "supportive_units": [[]],
        }
    )
    recall = pd.Series([0.8, 0.25], index=["rights", "security"])
    text = narrative.coding_interpretation(
        profile,
        "ana",
        1,
        frame_p=0.0312,
        max_documents=2,
        validation={"frame_kappa": 0.4},
        recall=recall,
    )
    assert text.startswith("**Interpretation.** In the coding of `ana` (one analyst's judgement")
    assert (
        "most frequent primary frame is **rights** (" in text and "supportive units: none." in text
    )
    assert "association at p = 0.0312, but with 2 document(s) at most per group" in text
    assert "recall is highest for **rights** (80%) and lowest for **security** (25%)" in text
    plain = narrative.coding_interpretation(
        profile, "ana", 2, frame_p=None, max_documents=2, validation=None, recall=None
    )
    assert "one analyst" not in plain and "permutation" not in plain and "baseline" not in plain
    by_frame = pd.DataFrame({"proposed_frame": ["rights"], "seg_ids": [["a-p01", "a-p03"]]})
    base = narrative.baseline_interpretation(by_frame)
    assert "No human coding covers this corpus" in base and "rights: " in base


def test_corpus_sentences():
    warnings = pd.DataFrame({"where": ["doc <a>"], "problem": ["no final *punctuation*"]})
    text = narrative.corpus_check_summary(warnings, web_lines=4)
    assert text.startswith("The check found **1 warning(s)**: doc &lt;a&gt;: no final \\*punc")
    assert " 4 line(s) of web-page furniture" in text
    assert narrative.corpus_check_summary(warnings.iloc[:0], web_lines=0).startswith(
        "The check found nothing to warn about. 0 line(s)"
    )
    description = pd.DataFrame(
        {
            "doc_id": ["a", "b"],
            "tokens": [1200, 300],
            "sentences": [40, 12],
            "mean_sentence_length": [30.0, 25.0],
            "ttr": [0.3, 0.6],
        }
    )
    text = narrative.document_extremes(description)
    assert text.startswith("The longest document is `a` with 1,200 tokens in 40 sentences; the")
    assert "ranges from 25.0 to 30.0 tokens" in text
    assert text.endswith(
        "belongs to `b`, which is also the shortest document, so length alone could explain it."
    )
    other = narrative.document_extremes(description.assign(ttr=[0.7, 0.6]))
    assert other.endswith(
        "which is not the shortest document, so length alone does not explain it."
    )
