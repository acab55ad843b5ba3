"""Notebooks exported to self-contained, sanitised HTML pages: an allow-list of tags, attributes
and styles, a content-security policy that fetches nothing and runs no script, a table of
contents, code folded or hidden."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Literal, cast

from analysis.errors import ReportError

if TYPE_CHECKING:
    from nbformat import NotebookNode
from analysis.report.execute import strip_volatile

#: The content-security policy of every page: nothing is fetched from anywhere (images are
#: inline data, styles inline), no script runs, no form is sent.
CSP = (
    "default-src 'none'; img-src data:; style-src 'unsafe-inline'; font-src data:; "
    "base-uri 'none'; form-action 'none'"
)
CSP_META = f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
# Pages as a reader uses them: wide tables scroll inside their box (the text column never
# overflows on a phone), folded code has a visible handle, the table of contents stands out,
# and print leaves out the code, prompts and contents list.
_READER_CSS = """
.jp-RenderedHTMLCommon table{display:block;max-width:100%;overflow-x:auto}
.jp-InputPrompt,.jp-OutputPrompt{color:#4d4d4d !important;opacity:1 !important}
@media (max-width:600px){.jp-InputPrompt,.jp-OutputPrompt{display:none}
.jp-Notebook{padding:8px}}
.jp-RenderedImage img{max-width:100%;height:auto}
details.code-fold>summary{cursor:pointer;color:#555;font-size:.85em;padding:.2em 0}
figure.report-figure{margin:0 0 1em}
figure.report-figure figcaption{font-size:.9rem;color:#333;max-width:60em;margin-top:.3em}
nav.toc{border:1px solid #ddd;padding:.5em 1em;margin:1em 0;max-width:60em}
nav.toc ol{margin:.3em 0;padding-left:1.5em}
@media print{details.code-fold,.jp-InputPrompt,.jp-OutputPrompt,nav.toc{display:none}
.jp-Cell{break-inside:avoid}}
"""
_TEMPLATE = (
    """{%- extends 'index.html.j2' -%}
{%- block html_head_js -%}"""
    + CSP_META
    + """{%- endblock html_head_js -%}
{% block jupyter_widgets %}{% endblock jupyter_widgets %}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{% block extra_css %}<style>"""
    + _READER_CSS
    + """</style>{% endblock extra_css %}
{% block data_png scoped %}
{%- set caption = output | get_metadata('caption', 'image/png') -%}
<div class="jp-RenderedImage jp-OutputArea-output {{ extra_class }}">
{%- if caption %}<figure class="report-figure">{% endif %}
<img src="data:image/png;base64,{{ output.data['image/png'] | escape_html }}" alt="
{{- ((output | get_metadata('alt', 'image/png'))
      or 'Figure (no description given)') | escape_html -}}
">
{%- if caption %}
{%- set files = (output | get_metadata('files', 'image/png')) or [] %}
<figcaption><strong>Figure {{ output | get_metadata('number', 'image/png') }}.</strong>
{{ caption | escape_html }}
{%- if files %} Full quality:
{%- for href in files %}
 <a href="{{ href | escape_html }}">{{ href.rsplit('.', 1)[-1] | upper }}</a>
{%- if not loop.last %},{% endif %}{% endfor %}.{% endif %}</figcaption>
</figure>
{%- endif %}
</div>
{%- endblock data_png %}
"""
)

# Each code cell's input folded into a closed <details> element (no JavaScript needed).
_FOLD_CODE = """
{% block input_group -%}
<details class="code-fold"><summary>Code</summary>
{{ super() }}
</details>
{%- endblock input_group %}
"""

_ALLOWED_TAGS = frozenset(
    """a abbr b blockquote br caption code col colgroup dd del details div dl dt em figcaption
    figure h1 h2 h3 h4 h5 h6 hr i img ins kbd li mark ol p pre q s samp small span strong sub
    summary sup table tbody td tfoot th thead tr u ul var""".split()
)
_ALLOWED_CSS = frozenset(
    """text-align vertical-align white-space font-weight font-style color background-color
    width min-width max-width""".split()
)
_COMMON_ATTRS = frozenset({"class", "id", "title", "lang", "dir", "data-mime-type", "style"})
_TAG_ATTRS: dict[str, frozenset[str]] = {
    "a": frozenset({"href", "name"}),
    "img": frozenset({"src", "alt", "width", "height"}),
    "td": frozenset({"colspan", "rowspan", "align"}),
    "th": frozenset({"colspan", "rowspan", "align", "scope"}),
    "table": frozenset({"border"}),
    "ol": frozenset({"start", "type"}),
    "col": frozenset({"span"}),
    "colgroup": frozenset({"span"}),
}
_IMAGE_DATA = re.compile(r"data:image/(png|jpeg|gif|svg\+xml);base64,", re.IGNORECASE)
_SCRIPT_OR_STYLE = re.compile(r"<(script|style)\b[^>]*>.*?</\1\s*>", re.IGNORECASE | re.DOTALL)


# What a browser ignores in a URL: leading and trailing C0 controls and spaces, and tabs and
# line breaks anywhere ("\t//evil.invalid" is "//evil.invalid").
_URL_IGNORED = re.compile(r"[\t\n\r]")
# A local reference: a fragment, or a relative path with no scheme, no host ("//", "\\") and no
# backslash anywhere (browsers read "\" as "/").
_LOCAL_URL = re.compile(r"^(?:#[^\\]*|(?![/\\])[^:\\]*(?:[/?#][^\\]*)?)$")
_CSS_FETCH = re.compile(r"url\(|image-set\(|@import|expression\(|\\", re.IGNORECASE)


def _url_as_read(value: str) -> str:
    return _URL_IGNORED.sub("", value).strip("".join(map(chr, range(0x21))))


def _allowed_attribute(tag: str, name: str, value: str) -> bool:
    """Keep an attribute only if allowed for the tag and, for URLs and styles, fetches nothing.

    ``src`` takes a base64 ``data:image`` or a local relative path; ``href`` a fragment or a local
    relative path (no scheme, no protocol-relative or backslash host); ``style`` no ``url()``.
    """
    if name not in _COMMON_ATTRS and name not in _TAG_ATTRS.get(tag, ()):
        return False
    if name in ("src", "href"):
        url = _url_as_read(value)
        if name == "src" and _IMAGE_DATA.match(url):
            return True
        before_path = url.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
        return ":" not in before_path and bool(_LOCAL_URL.match(url))
    if name == "style":
        return not _CSS_FETCH.search(value)
    return True


def sanitize_html(fragment: str | bytes) -> str:
    """Return an HTML fragment reduced to safe markup: no scripts, no event handlers, no styles.

    This replaces nbconvert's own ``clean_html`` filter, whose allow-list (7.17) escapes headings,
    paragraphs and table headers so that Markdown and DataFrames render as tag soup. Here headings,
    paragraphs, lists, tables and images stay; ``<script>`` and ``<style>`` elements are removed
    with their content; any other tag is escaped to visible text; attributes are kept only from
    an allow-list; links only to fragments and local relative paths, images only from base64
    ``data:image`` URIs or local relative paths, never a scheme, a protocol-relative (``//``) or
    backslash host, whatever spaces, tabs or line breaks hide it; inline CSS only for a few layout
    properties and never with ``url()``. Every page also carries a content-security policy
    (:data:`CSP`) that forbids fetching anything.
    """
    import bleach
    from bleach.css_sanitizer import CSSSanitizer

    text = fragment.decode("utf-8") if isinstance(fragment, bytes) else str(fragment)
    text = _SCRIPT_OR_STYLE.sub("", text)
    cleaner = bleach.Cleaner(
        tags=_ALLOWED_TAGS,
        attributes=_allowed_attribute,
        protocols={"http", "https", "mailto", "data"},
        strip=False,
        strip_comments=True,
        css_sanitizer=CSSSanitizer(allowed_css_properties=_ALLOWED_CSS),
    )
    return cast(str, cleaner.clean(text))


CodeMode = Literal["hide", "fold", "show"]
CODE_MODES: tuple[str, ...] = ("hide", "fold", "show")


def export_html(notebook: NotebookNode, *, title: str, code: CodeMode = "fold") -> str:
    """Render an executed notebook as a standalone, sanitised HTML page.

    Uses nbconvert's ``HTMLExporter`` (lab template) with ``sanitize_html=True`` and
    :func:`sanitize_html` as its cleaning filter, on :func:`strip_volatile` of the notebook.

    ``code`` says how the code cells appear: ``fold`` (the default) puts each one in a
    ``<details>`` element, closed, one click away (it works without JavaScript, and prints
    closed); ``hide`` leaves the code out; ``show`` shows it in full. The narrative, tables and
    figures are the same in all three.
    """
    if code not in CODE_MODES:
        raise ReportError(f"code={code!r}: choose one of {', '.join(CODE_MODES)}")
    import itertools

    from nbconvert import HTMLExporter

    exporter = HTMLExporter(
        sanitize_html=True,
        exclude_input=code == "hide",
        exclude_input_prompt=code == "hide",
        raw_template=_TEMPLATE + (_FOLD_CODE if code == "fold" else ""),
        filters={"clean_html": sanitize_html},
    )
    # The template asks for uuid4() ids for script outputs; numbered ids keep rebuilds identical.
    counter = itertools.count(1)
    exporter.environment.globals["uuid4"] = lambda: f"output-{next(counter)}"
    body, _ = exporter.from_notebook_node(
        strip_volatile(notebook), resources={"metadata": {"name": title}}
    )
    body = with_contents(body)
    # a table that scrolls inside its box must be reachable from the keyboard
    body = re.sub(r"<table(?=[\s>])", '<table tabindex="0"', body)
    return body if body.endswith("\n") else body + "\n"


def with_contents(page: str) -> str:
    """Insert a table of contents linking every section heading (``h2``) of a page, after the
    cell holding its title (the question and method stay on top). Pages with fewer than two
    sections are returned unchanged."""
    headings = re.findall(r'<h2 id="([^"]+)">(.*?)</h2>', page, re.S)
    title = re.search(r"</h1>", page)
    if len(headings) < 2 or title is None:
        return page
    items = []
    for ident, inner in headings:
        text = re.sub(r'<a class="anchor-link"[^>]*>.*?</a>', "", inner, flags=re.S)
        text = " ".join(re.sub(r"<[^>]+>", "", text).split())  # nbconvert escaped it already
        items.append(f'<li><a href="#{ident}">{text}</a></li>')
    nav = (
        '<nav class="toc" aria-label="Contents"><strong>Contents</strong><ol>'
        + "".join(items)
        + "</ol></nav>\n"
    )
    next_cell = re.compile(r'<div[^>]*class="jp-Cell ').search(page, title.end())
    at = next_cell.start() if next_cell else title.end()
    return page[:at] + nav + page[at:]
