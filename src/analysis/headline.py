"""The answer first: headline findings for the index page, from the tables the reports saved.

:func:`read_headline` reads what the build wrote under ``results/`` (the corpus description of
``00-corpus``, the checked key terms and the side-by-side table of ``05-findings``) and
:func:`headline_html` turns it into the opening section of ``reports/index.html``: the corpus in
one line, each comparison's strongest key terms with their effect size and the check behind them,
frames and stance by group where a coder's sheet exists, and small thumbnails of the main
figures, each linking to the report that shows the evidence. Nothing is computed here that the
reports did not compute; a table that is missing (a report not built) leaves its part out.
"""

from __future__ import annotations

import base64
import html
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

__all__ = ["Headline", "headline_html", "read_headline"]

#: Key terms named per side of a comparison, and thumbnails shown, on the index page.
TERMS_PER_SIDE = 3
THUMBNAILS = 4
THUMBNAIL_WIDTH = 360


@dataclass(frozen=True)
class Headline:
    """What the index says first (see :func:`read_headline`)."""

    documents: int = 0
    groups: dict[str, int] = field(default_factory=dict)
    words: int | None = None
    dates: tuple[str, str] | None = None
    key_terms: pd.DataFrame = field(default_factory=pd.DataFrame)
    side_by_side: pd.DataFrame = field(default_factory=pd.DataFrame)
    agreement: pd.DataFrame = field(default_factory=pd.DataFrame)
    thumbnails: tuple[tuple[str, str, bytes], ...] = ()  # (alt text, report page, PNG bytes)
    anchors: dict[str, str] = field(default_factory=dict)  # part -> "page.html#id"


def _read(path: Path) -> pd.DataFrame:
    try:
        return pd.read_csv(path, dtype={"doc_id": str, "date": str}, keep_default_na=True)
    except (OSError, ValueError):
        return pd.DataFrame()


def _thumbnail(png: Path) -> bytes | None:
    from PIL import Image

    try:
        with Image.open(png) as opened:
            image = opened.convert("RGB")
            height = round(image.height * THUMBNAIL_WIDTH / max(image.width, 1))
            small = image.resize((THUMBNAIL_WIDTH, max(height, 1)), Image.Resampling.LANCZOS)
    except (OSError, ValueError):
        return None
    buffer = io.BytesIO()
    small.quantize(colors=128, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(
        buffer, format="PNG", optimize=True
    )
    return buffer.getvalue()


def _anchor(page: Path, prefix: str) -> str:
    """``page.html#id`` of the first heading whose id starts with ``prefix``, else the page."""
    try:
        text = page.read_text(encoding="utf-8")
    except OSError:
        return page.name
    for found in re.findall(r'<h[23] id="([^"]+)"', text):
        if found.startswith(prefix):
            return f"{page.name}#{found}"
    return page.name


def read_headline(out: str | Path) -> Headline:
    """Read the saved tables of a build in ``out`` (the folder holding ``reports/`` and
    ``results/``) into a :class:`Headline`; missing tables leave their parts empty."""
    out = Path(out)
    results, reports = out / "results", out / "reports"
    documents = _read(results / "00-corpus" / "documents.csv")
    described = _read(results / "00-corpus" / "descriptive-statistics.csv")
    groups: dict[str, int] = {}
    dates = None
    if "actor_type" in documents:
        counted = documents["actor_type"].value_counts(sort=False)
        groups = {str(k): int(v) for k, v in counted.items()}
    if "date" in documents:
        known = sorted(d for d in documents["date"].dropna().astype(str) if d.strip())
        dates = (known[0], known[-1]) if known else None
    words = int(described["tokens"].sum()) if "tokens" in described else None
    findings = results / "05-findings"
    thumbnails = []
    for png in sorted(findings.glob("keyness-*.png"))[:THUMBNAILS]:
        data = _thumbnail(png)
        if data is not None:
            pair = png.stem.removeprefix("keyness-").replace("-vs-", " against ")
            alt = f"Keyness chart, {pair}: the terms most characteristic of each side"
            thumbnails.append((alt, "05-findings.html", data))
    page = reports / "05-findings.html"
    return Headline(
        documents=len(documents),
        groups=groups,
        words=words,
        dates=dates,
        key_terms=_read(findings / "key-terms.csv"),
        side_by_side=_read(findings / "findings-side-by-side.csv"),
        agreement=_read(results / "04-stance-coding" / "agreement.csv"),
        thumbnails=tuple(thumbnails),
        anchors={
            "key_terms": _anchor(page, "Finding-1"),
            "frames": _anchor(page, "Finding-4"),
            "agreement": "04-stance-coding.html",
        },
    )


def _term_phrase(row: pd.Series, *, flip: bool) -> str:
    """A key term as read from its side: its uses against the other side's, and the log ratio
    in its favour (``flip`` for the reference side of a keyness row)."""
    e = html.escape
    check = ""
    if isinstance(row.get("check"), str) and pd.notna(row.get("p_check")):
        unit = "document" if row["check"] == "documents" else "paragraph"
        check = f"; {unit}-level check p = {float(row['p_check']):.3f}"
    mine, other = float(row["n_target"]), float(row["n_reference"])
    ratio = float(row["log_ratio"])
    if flip:
        mine, other, ratio = other, mine, -ratio
    return (
        f"<em>{e(str(row['term']))}</em> ({mine:.0f} uses against {other:.0f}, log ratio "
        f"{ratio:+.2f}{check})"
    )


def headline_html(headline: Headline) -> str:
    """The opening section of the index page (HTML, every value escaped)."""
    e = html.escape
    parts = ['<section id="findings">', "<h2>What the reports found</h2>"]
    if headline.documents:
        groups = ", ".join(f"<code>{e(g)}</code> {n}" for g, n in headline.groups.items())
        line = f"{headline.documents:,} document(s) in {len(headline.groups)} group(s) ({groups})"
        if headline.words is not None:
            line += f", {headline.words:,} running words in body paragraphs and list items"
        if headline.dates is not None:
            first, last = headline.dates
            line += f", dated {e(first)}" + (f" to {e(last)}" if last != first else "")
        parts.append(f'<p class="corpus">{line}.</p>')
    key = headline.key_terms
    if not key.empty and {"target", "reference", "key_in", "term"} <= set(key.columns):
        parts.append(
            f'<h3>Key terms <a class="evidence" href="{e(headline.anchors.get("key_terms", ""))}">'
            "(the evidence)</a></h3>"
        )
        parts.append(
            "<p>The terms each side uses most often relative to the other, by log-likelihood "
            "among terms spread over several paragraphs, with the effect size (log ratio: +1 "
            "is twice as frequent) and the permutation check that keeps whole documents or "
            "paragraphs together. With one document on a side, a key term describes that "
            "statement, not its group.</p>"
        )
        parts.append("<ul>")
        for (target, reference), rows in key.groupby(["target", "reference"], sort=False):
            sides = []
            for side in (target, reference):
                mine = rows[rows["key_in"].astype(str) == str(side)].head(TERMS_PER_SIDE)
                terms = (
                    "; ".join(_term_phrase(r, flip=side == reference) for _, r in mine.iterrows())
                    or "no term"
                )
                sides.append(f"in <code>{e(str(side))}</code>: {terms}")
            parts.append(
                f"<li><strong>{e(str(target))}</strong> against <strong>{e(str(reference))}"
                f"</strong>. Most key {sides[0]}. Most key {sides[1]}.</li>"
            )
        parts.append("</ul>")
    side = headline.side_by_side
    if not side.empty and "top_frame" in side and side["top_frame"].notna().any():
        parts.append(
            f'<h3>Frames and stance, as coded <a class="evidence" '
            f'href="{e(headline.anchors.get("frames", ""))}">(the evidence)</a></h3><ul>'
        )
        for _, row in side.iterrows():
            if pd.isna(row.get("top_frame")):
                continue
            stance = ""
            if pd.notna(row.get("share_critical")) and pd.notna(row.get("share_supportive")):
                stance = (
                    f"; {float(row['share_critical']):.0%} of its coded units critical of the "
                    f"state, {float(row['share_supportive']):.0%} supportive"
                )
            parts.append(
                f"<li><code>{e(str(row['actor_type']))}</code>: most often framed as "
                f"<em>{e(str(row['top_frame']))}</em>{stance}.</li>"
            )
        parts.append("</ul>")
    agreement = headline.agreement
    if not agreement.empty and {"dimension", "alpha", "n_coders", "n_units"} <= set(agreement):
        parts.append(
            f'<h3>Agreement between coders <a class="evidence" '
            f'href="{e(headline.anchors.get("agreement", ""))}">(the evidence)</a></h3><ul>'
        )
        for _, row in agreement.iterrows():
            alpha = (
                "alpha not defined"
                if pd.isna(row["alpha"])
                else (
                    f"Krippendorff's alpha {float(row['alpha']):.2f}"
                    + (
                        f" (95% interval {float(row['alpha_lower']):.2f} to "
                        f"{float(row['alpha_upper']):.2f})"
                        if pd.notna(row.get("alpha_lower")) and pd.notna(row.get("alpha_upper"))
                        else ""
                    )
                )
            )
            extra = ""
            if pd.notna(row.get("percent_agreement")):
                extra += f", {float(row['percent_agreement']):.0%} agreement"
            if pd.notna(row.get("cohen_kappa")):
                extra += f", Cohen's kappa {float(row['cohen_kappa']):.2f}"
            parts.append(
                f"<li><code>{e(str(row['dimension']))}</code>: {alpha}{extra} "
                f"({int(row['n_units'])} units, {int(row['n_coders'])} coders).</li>"
            )
        parts.append("</ul>")
    if headline.thumbnails:
        parts.append('<div class="thumbnails">')
        for alt, page, data in headline.thumbnails:
            source = base64.b64encode(data).decode("ascii")
            parts.append(
                f'<figure><a href="{e(page)}"><img src="data:image/png;base64,{source}" '
                f'alt="{e(alt)}" width="{THUMBNAIL_WIDTH}"></a><figcaption>{e(alt)}'
                "</figcaption></figure>"
            )
        parts.append("</div>")
    if len(parts) == 2:
        parts.append("<p>No report with findings has been built yet.</p>")
    parts.append("</section>")
    return "\n".join(parts)
