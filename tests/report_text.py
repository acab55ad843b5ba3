"""What a reader of a built report reads: the page's text without the code cells."""

from __future__ import annotations

from html.parser import HTMLParser

_VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
}


class _ReaderText(HTMLParser):
    """Collect text outside code input areas, scripts and styles."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._stack: list[bool] = []  # per open element: does it hide its content?

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _VOID:
            return
        classes = (dict(attrs).get("class") or "").split()
        hides = tag in ("script", "style", "head") or "jp-InputArea" in classes
        self._stack.append(hides)

    def handle_endtag(self, tag: str) -> None:
        if tag not in _VOID and self._stack:
            self._stack.pop()

    def handle_data(self, data: str) -> None:
        if not any(self._stack):
            self.parts.append(data)


def reader_text(page: str) -> str:
    """Return the text of an HTML report as a reader sees it (code cells left out)."""
    parser = _ReaderText()
    parser.feed(page)
    return " ".join(" ".join(parser.parts).split())
