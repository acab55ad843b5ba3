"""The index page's headline findings, from toy tables of a build."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from analysis.headline import headline_html, read_headline


def _toy_build(out: Path, *, coding: bool = True) -> Path:
    corpus, findings = out / "results" / "00-corpus", out / "results" / "05-findings"
    corpus.mkdir(parents=True)
    findings.mkdir(parents=True)
    (out / "reports").mkdir()
    pd.DataFrame(
        {
            "doc_id": ["a", "b", "c"],
            "actor_type": ["ngo", "ngo", "gov"],
            "date": ["2023-05-01", "2021-01-09", ""],
        }
    ).to_csv(corpus / "documents.csv", index=False)
    pd.DataFrame({"doc_id": ["a", "b", "c"], "tokens": [100, 250, 1000]}).to_csv(
        corpus / "descriptive-statistics.csv", index=False
    )
    pd.DataFrame(
        {
            "term": ["survivors", "<script>x</script>", "border"],
            "key_in": ["ngo", "ngo", "gov"],
            "n_target": [11, 4, 0],
            "n_reference": [1, 0, 6],
            "log_ratio": [3.5, 3.1, -2.9],
            "check": ["documents", "paragraphs", "documents"],
            "p_check": [0.0625, 0.2, 0.5],
            "target": ["ngo"] * 3,
            "reference": ["gov"] * 3,
        }
    ).to_csv(findings / "key-terms.csv", index=False)
    pd.DataFrame(
        {
            "actor_type": ["ngo", "gov"],
            "top_frame": ["accountability" if coding else None, None],
            "share_critical": [0.5, None],
            "share_supportive": [0.25, None],
        }
    ).to_csv(findings / "findings-side-by-side.csv", index=False)
    (out / "reports" / "05-findings.html").write_text(
        '<h2 id="Finding-1.-The-words">x</h2><h2 id="Finding-4.-Frames">y</h2>', encoding="utf-8"
    )
    from matplotlib.figure import Figure

    figure = Figure(figsize=(4, 3))
    figure.add_subplot().bar([1, 2], [3, 1])
    figure.savefig(findings / "keyness-ngo-vs-gov.png", dpi=100)
    return out


def test_headline_states_the_corpus_terms_frames_and_links(tmp_path: Path) -> None:
    page = headline_html(read_headline(_toy_build(tmp_path)))
    text = re.sub(r"<[^>]+>", "", page)
    assert "3 document(s) in 2 group(s) (ngo 2, gov 1)" in text
    assert "1,350 running words" in text
    assert "dated 2021-01-09 to 2023-05-01" in text  # the empty date is left out
    # each term read from its own side: uses, log ratio in its favour, the check behind it
    assert "survivors (11 uses against 1, log ratio +3.50; document-level check p = 0.062)" in text
    assert "border (6 uses against 0, log ratio +2.90; document-level check p = 0.500)" in text
    assert "paragraph-level check p = 0.200" in text
    assert "<script>" not in page and "&lt;script&gt;" in page  # corpus terms are escaped
    assert "most often framed as accountability; 50% of its coded units critical" in text
    assert 'href="05-findings.html#Finding-1.-The-words"' in page
    assert 'href="05-findings.html#Finding-4.-Frames"' in page
    (img,) = re.findall(r"<img [^>]+>", page)
    assert 'alt="Keyness chart, ngo against gov' in img and "data:image/png;base64," in img


def test_headline_without_coding_or_builds(tmp_path: Path) -> None:
    page = headline_html(read_headline(_toy_build(tmp_path / "a", coding=False)))
    assert "Frames and stance" not in page and "Key terms" in page
    empty = headline_html(read_headline(tmp_path / "nothing"))
    assert "No report with findings has been built yet." in empty


def test_headline_is_byte_reproducible(tmp_path: Path) -> None:
    out = _toy_build(tmp_path)
    assert headline_html(read_headline(out)) == headline_html(read_headline(out))


def test_headline_reports_agreement_when_two_coders_coded(tmp_path: Path) -> None:
    out = _toy_build(tmp_path)
    folder = out / "results" / "04-stance-coding"
    folder.mkdir(parents=True)
    pd.DataFrame(
        {
            "dimension": ["frame", "stance_toward_state"],
            "level": ["nominal", "nominal"],
            "n_units": [23, 23],
            "n_coders": [2, 2],
            "percent_agreement": [0.7826, 0.9],
            "cohen_kappa": [0.71, 0.85],
            "alpha": [0.7034, float("nan")],
            "alpha_lower": [0.48, float("nan")],
            "alpha_upper": [0.9, float("nan")],
        }
    ).to_csv(folder / "agreement.csv", index=False)
    text = re.sub(r"<[^>]+>", "", headline_html(read_headline(out)))
    assert (
        "frame: Krippendorff's alpha 0.70 (95% interval 0.48 to 0.90), 78% agreement, "
        "Cohen's kappa 0.71 (23 units, 2 coders)."
    ) in text
    assert "stance_toward_state: alpha not defined, 90% agreement" in text
    assert "Agreement between coders" not in headline_html(
        read_headline(_toy_build(tmp_path / "one"))
    )
