"""A document's display text cut into units: paragraphs and list items found by its layout, page
titles and datelines split off, each unit given its kind (with the rule that gave it) and its
label (the document's own numbering, else its position)."""

from __future__ import annotations

import re
from functools import lru_cache

from analysis.segment.kinds import ANALYSIS_KINDS, FLAG_DATELINE, FLAG_TITLE, FLAG_UNFINISHED
from analysis.segment.rules import (
    BULLET,
    CLOSING,
    DATELINE_CAPS,
    DATELINE_TITLE,
    ISSUER,
    ITEM_END,
    LIST_MARKED,
    NUMBERED,
    PIPE,
    TITLE_DASH,
    RawUnit,
    back_kind,
    ends_sentence,
    front_kind,
    is_dateline,
    line_spans,
    n_words,
    reads_as_prose,
    web_kind,
)


def raw_units(display: str, layout: str) -> list[RawUnit]:
    """Split display text into units with provisional kinds (body or list_item or block)."""
    units: list[RawUnit] = []
    current: RawUnit | None = None
    for start, end in line_spans(display):
        if start == end:  # blank line closes the current unit
            current = None
            continue
        line = display[start:end]
        numbered = NUMBERED.match(line)
        marked = None if numbered else LIST_MARKED.match(line)
        bullet = None if (numbered or marked) else BULLET.match(line)
        if numbered:
            number = numbered.group(1) or numbered.group(2)
            current = RawUnit(
                "body",
                start + numbered.end(),
                end,
                label=str(int(number)),
                numbered=True,
                rule="numbered paragraph",
            )
            units.append(current)
        elif marked or bullet:
            m = marked or bullet
            assert m is not None
            marker = (marked.group(1) or marked.group(2)).lower() if marked else ""
            current = RawUnit(
                "list_item",
                start + m.end(),
                end,
                marker=marker,
                rule="lettered or roman item" if marked else "bulleted item",
            )
            units.append(current)
        elif (
            current is not None
            and layout == "blank-line"
            and not (web_kind(line) and current.kind == "block")
        ):
            current.end = end  # continuation line of the same unit
        else:
            current = RawUnit("block", start, end)
            units.append(current)
    return units


def _split_glued_title(unit: RawUnit, display: str) -> list[RawUnit]:
    """Split a page title glued to a site name or to the text ("Title | Site | Text ...")."""
    text = display[unit.start : unit.end]
    if web_kind(text):
        return [unit]
    pieces = []
    pos = 0
    for m in PIPE.finditer(text):
        pieces.append((pos, m.start()))
        pos = m.end()
    pieces.append((pos, len(text)))
    if len(pieces) == 1:
        dashes = list(TITLE_DASH.finditer(text))
        dash = dashes[-1] if dashes else None  # the last " - " of a one-line title
        if dash is None or "\n" in text or reads_as_prose(text):
            return [unit]
        site = text[dash.end() :]
        if not (1 <= n_words(site) <= 6 and site[:1].isupper() and not ends_sentence(site)):
            return [unit]
        if n_words(text[: dash.start()]) < 3:
            return [unit]
        pieces = [(0, dash.start()), (dash.end(), len(text))]
    if any(not text[s:e].strip() for s, e in pieces):
        return [unit]
    title = text[pieces[0][0] : pieces[0][1]]
    if n_words(title) > 20 or reads_as_prose(title):
        return [unit]  # prose with a "|" in it, not a title
    out: list[RawUnit] = []
    for k, (s, e) in enumerate(pieces):
        piece = text[s:e]
        last = k == len(pieces) - 1
        if last and reads_as_prose(piece):
            out.append(RawUnit("block", unit.start + s, unit.start + e, flags=(FLAG_TITLE,)))
        elif k == 0:
            out.append(
                RawUnit(
                    "heading",
                    unit.start + s,
                    unit.start + e,
                    rule="page title glued to a site name or the text",
                )
            )
        elif n_words(piece) <= 8 and not ends_sentence(piece):
            out.append(
                RawUnit(
                    "navigation",
                    unit.start + s,
                    unit.start + e,
                    rule="site name after a title separator",
                )
            )
        else:
            return [unit]
    return out


def _split_front_lines(units: list[RawUnit], display: str) -> list[RawUnit]:
    """In the first block, peel off web lines (breadcrumbs, titles, bylines) before the text."""
    out: list[RawUnit] = []
    for idx, u in enumerate(units):
        if u.kind != "block" or idx > 3 or "\n" not in display[u.start : u.end]:
            out.append(u)
            continue
        lines = [
            (u.start + s, u.start + e) for s, e in line_spans(display[u.start : u.end]) if e > s
        ]
        k = 0
        while k < len(lines) - 1:
            line = display[lines[k][0] : lines[k][1]]
            if web_kind(line) or PIPE.search(line) or is_dateline(line):
                k += 1
            else:
                break
        for s, e in lines[:k]:
            out.append(RawUnit("block", s, e))
        out.append(RawUnit("block", lines[k][0], u.end))
    return out


def _split_dateline(unit: RawUnit, display: str) -> list[RawUnit]:
    """Split a dateline off the start of a paragraph ("KUALA LUMPUR, Malaysia--The ...")."""
    text = display[unit.start : unit.end]
    for pattern, rule in (
        (DATELINE_CAPS, "dateline in capitals opening the first paragraph"),
        (DATELINE_TITLE, "place and date opening the first paragraph"),
    ):
        m = pattern.match(text)
        if m and n_words(m.group("dl")) <= 12 and reads_as_prose(text[m.end() :]):
            if pattern is DATELINE_CAPS and not any(
                len(w) >= 2 and w.isupper() for w in m.group("dl").split()[:1]
            ):
                continue
            dateline = RawUnit("dateline", unit.start, unit.start + m.end("dl"), rule=rule)
            body = RawUnit(
                unit.kind,
                unit.start + m.end(),
                unit.end,
                label=unit.label,
                marker=unit.marker,
                numbered=unit.numbered,
                rule=unit.rule,
                flags=(*unit.flags, FLAG_DATELINE),
            )
            return [dateline, body]
    return [unit]


def _first_line(unit: RawUnit, display: str) -> str:
    spans = [(s, e) for s, e in line_spans(display[unit.start : unit.end]) if e > s]
    return display[unit.start + spans[0][0] : unit.start + spans[0][1]] if spans else ""


def _items_under_heading(units: list[RawUnit], back_start: int, display: str) -> int:
    """Move the start of the back matter past items listed under a section heading.

    "RECOMMENDATIONS:" followed by short unpunctuated lines is content, not a signature block:
    the back matter then starts at the first issuer, closing, date or web-page line after it.
    """
    for i in range(back_start, len(units)):
        line = _first_line(units[i], display)
        if units[i].kind != "block" or not line.endswith(":") or ISSUER.match(line):
            continue
        for j in range(i + 1, len(units)):
            first = _first_line(units[j], display)
            if (
                units[j].kind != "block"
                or ISSUER.match(first)
                or CLOSING.match(first)
                or is_dateline(first)
                or web_kind(first)
                or first.endswith(":")
            ):
                return j if j > i + 1 else back_start
        return len(units)
    return back_start


def assign_kinds(units: list[RawUnit], display: str) -> None:
    """Resolve provisional ``block`` units into front matter, body and back matter."""

    def text(u: RawUnit) -> str:
        return display[u.start : u.end]

    expanded: list[RawUnit] = []
    top = True  # a page title is glued to its site name or the text only above the text
    for u in _split_front_lines(units, display):
        pieces = _split_glued_title(u, display) if u.kind == "block" and top else [u]
        expanded.extend(pieces)
        if any(
            p.kind in ANALYSIS_KINDS
            or (p.kind == "block" and reads_as_prose(display[p.start : p.end]))
            for p in pieces
        ):
            top = False
    units[:] = expanded
    body_like = [
        i
        for i, u in enumerate(units)
        if u.kind in ("body", "list_item") or (u.kind == "block" and reads_as_prose(text(u)))
    ]
    # Back matter: trailing units that are closings, datelines or signature-like short lines.
    back_start = len(units)
    for i in range(len(units) - 1, -1, -1):
        u = units[i]
        lines = [text(u)[s:e] for s, e in line_spans(text(u)) if e > s]
        if u.kind not in ("block", "heading", "navigation") or any(
            back_kind(line) is None for line in lines
        ):
            break
        back_start = i
    back_start = _items_under_heading(units, back_start, display)
    first_body = next((i for i in body_like if i < back_start), back_start)
    new: list[RawUnit] = []
    under_heading = False
    for i, u in enumerate(units):
        if u.kind == "block" and first_body <= i < back_start:
            short_item = under_heading and not web_kind(text(u)) and not text(u).endswith(":")
            under_heading = (
                text(u).endswith(":")
                and not reads_as_prose(text(u))
                or (under_heading and short_item)
            )
            if short_item and not reads_as_prose(text(u)) and not ends_sentence(text(u)):
                u.kind, u.rule = "body", "item under a section heading"
                new.append(u)
                continue
        if u.kind != "block":
            new.append(u)
        elif i < first_body or i >= back_start:
            # Front and back matter: one unit per line.
            for ls, le in line_spans(display[u.start : u.end]):
                if ls == le:
                    continue
                line = display[u.start + ls : u.start + le]
                if i < first_body:
                    kind, rule = front_kind(line)
                else:
                    kind, rule = back_kind(line) or ("signature", "line after the last paragraph")
                new.append(RawUnit(kind, u.start + ls, u.start + le, rule=rule))
        elif web := web_kind(text(u)):
            u.kind, u.rule = web
            new.append(u)
        elif reads_as_prose(text(u)) or ends_sentence(text(u)):
            u.kind = "body"
            u.rule = u.rule or "block of prose"
            new.append(u)
        elif text(u).endswith(":") or (text(u).isupper() and n_words(text(u)) <= 12):
            u.kind, u.rule = "heading", "section heading (capitals or a final colon)"
            new.append(u)
        elif n_words(text(u)) <= 12:
            u.kind, u.rule = "heading", "short line between paragraphs"
            new.append(u)
        else:
            u.kind, u.rule = "body", "block of text between paragraphs"
            new.append(u)
    # A dateline at the start of the first paragraph is kept out of the body by offsets.
    first = next((k for k, u in enumerate(new) if u.kind in ANALYSIS_KINDS), None)
    if first is not None:
        new[first : first + 1] = _split_dateline(new[first], display)
    for u in new:
        if (
            u.kind in ANALYSIS_KINDS
            and u.rule != "item under a section heading"
            and not (
                ends_sentence(text(u))
                or text(u).endswith(":")
                or (u.kind == "list_item" and ITEM_END.search(text(u)))
            )
        ):
            u.flags = (*u.flags, FLAG_UNFINISHED)
    units[:] = new


def assign_labels(units: list[RawUnit]) -> None:
    numbered_doc = any(u.numbered for u in units)
    body_count = 0
    parent = ""
    items_under_parent = 0
    used: set[str] = set()
    last_number = 0
    suffix = 0
    for u in units:
        if u.kind == "body":
            body_count += 1
            if u.numbered:
                last_number = int(u.label)
                suffix = 0
            elif numbered_doc:
                suffix += 1  # an unnumbered paragraph inside a numbered document: "3a"
                u.label = f"{last_number}{chr(96 + min(suffix, 26))}"
            else:
                u.label = str(body_count)
            parent = u.label
            items_under_parent = 0
        elif u.kind == "list_item":
            items_under_parent += 1
            marker = u.marker or str(items_under_parent)
            u.label = f"{parent}.{marker}" if parent else marker
        else:
            continue
        base, k = u.label, 1
        while u.label in used:  # numbering that restarts: keep ids unique and stable
            k += 1
            u.label = f"{base}-{k}"
        used.add(u.label)


_LONE_DIGIT_RE = re.compile(r"(?<![\d])(\d)(?![\d])")
LINE_BREAK_RE = re.compile(r"\s*\n\s*")


@lru_cache(maxsize=4096)
def pad_label(label: str) -> str:
    return _LONE_DIGIT_RE.sub(r"0\1", label.split(".")[0]) + (
        "." + ".".join(label.split(".")[1:]) if "." in label else ""
    )
