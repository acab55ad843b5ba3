"""Untrusted input stays data: hostile manifest fields and statements, paths out of the folder.

The hostile corpus is built into reports once (through the command line); every page is parsed
with a real HTML parser and opened in Chromium (Playwright, the system browser) with the network
blocked, recording every request.
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from test_browser import chromium_or_skip

from analysis.check import check_corpus
from analysis.corpus import load_corpus, read_manifest
from analysis.corpus.manifest import PathResolver
from analysis.errors import CorpusError
from analysis.report import CSP, sanitize_html

EVIL = "evil.invalid"
HOSTILE_FIELDS = {
    "organisation": f"![x](//{EVIL}/o.png) Org",
    "title": f"<img src=//{EVIL}/t.png onerror=alert(1)> Title",
    "venue": f"[click](http://{EVIL}/v) \\\\{EVIL}\\v.png",
    "speaker": f'<a href="/\\{EVIL}">s</a> $\\alpha$ \\(x\\)',
    "genre": f"<style>body{{background:url(//{EVIL}/g.png)}}</style>",
    "source": "javascript:alert(1)",
}
HOSTILE_TEXT = (
    f"Workers were held without pay. ![img](//{EVIL}/doc.png) The employer kept their "
    f'passports <img src="//{EVIL}/d2.png"> and <a href="//{EVIL}/l">a link</a> for months.\n\n'
    "The authorities have not acted on the complaints that the workers made last year.\n"
)


def _write_corpus(folder: Path, rows: list[dict[str, str]], texts: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in texts.items():
        (folder / name).write_text(text, encoding="utf-8")
    columns = list(dict.fromkeys(k for row in rows for k in row))
    manifest = folder / "manifest.csv"
    with manifest.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return manifest


@pytest.fixture(scope="module")
def hostile_reports(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("hostile")
    rows = [
        {
            "doc_id": "ngo-x",
            "path": "ngo-x.txt",
            "actor_type": "ngo",
            "date": "2023-01-01",
            **HOSTILE_FIELDS,
        },
        {
            "doc_id": "gov-y",
            "path": "gov-y.txt",
            "actor_type": "gov",
            "date": "2024-01-01",
            **HOSTILE_FIELDS,
        },
    ]
    manifest = _write_corpus(
        folder / "corpus", rows, {"ngo-x.txt": HOSTILE_TEXT, "gov-y.txt": HOSTILE_TEXT.upper()}
    )
    out = folder / "out"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "analysis",
            "report",
            "--manifest",
            str(manifest),
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return out


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.style_text: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, {k: v or "" for k, v in attrs}))
        self._in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        if tag == "style":
            self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.style_text.append(data)


@pytest.mark.slow
def test_hostile_fields_stay_text_in_every_page(hostile_reports: Path) -> None:
    pages = sorted((hostile_reports / "reports").glob("*.html"))
    assert len(pages) == 7
    for page in pages:
        text = page.read_text(encoding="utf-8")
        parser = _Elements()
        parser.feed(text)
        for tag, attrs in parser.elements:
            assert tag not in ("script", "iframe", "object", "embed", "link", "base", "form")
            for name, value in attrs.items():
                assert EVIL not in value, (page.name, tag, name, value)
                assert not name.startswith("on"), (page.name, tag, name)
                if name == "src":
                    assert value.startswith("data:image/"), (page.name, tag, value[:60])
                if name == "href" and not value.startswith("#"):
                    assert ":" not in value.split("/")[0], (page.name, value)
                    assert not value.startswith(("//", "\\", "/")), (page.name, value)
                if name == "style":
                    assert "url(" not in value.lower(), (page.name, value)
        assert not any(EVIL in css for css in parser.style_text), page.name
        policies = [
            a.get("content")
            for t, a in parser.elements
            if t == "meta" and a.get("http-equiv") == "Content-Security-Policy"
        ]
        assert policies == [CSP], page.name
    corpus_page = (hostile_reports / "reports" / "00-corpus.html").read_text(encoding="utf-8")
    assert EVIL in corpus_page  # the hostile values are shown, as text


@pytest.mark.slow
@pytest.mark.browser
def test_reports_request_nothing_with_the_network_cut(hostile_reports: Path) -> None:
    executable = chromium_or_skip()
    from playwright.sync_api import sync_playwright

    pages = sorted((hostile_reports / "reports").glob("*.html"))
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=executable, args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            context = browser.new_context(offline=True)
            outside: list[str] = []

            def block(route) -> None:  # noqa: ANN001 - playwright's Route
                url = route.request.url
                if not url.startswith("file://"):
                    outside.append(url)
                    route.abort()
                else:
                    route.continue_()

            context.route("**/*", block)
            for page_path in pages:
                page = context.new_page()
                requests: list[str] = []
                page.on("request", lambda r, seen=requests: seen.append(r.url))
                page.goto(page_path.as_uri(), wait_until="load")
                assert page.locator("h1").count() >= 1, page_path.name
                others = [
                    u for u in requests if u != page_path.as_uri() and not u.startswith("data:")
                ]
                assert others == [], (page_path.name, others)
                page.close()
            assert outside == []
        finally:
            browser.close()


@pytest.mark.parametrize(
    "url",
    [
        f"//{EVIL}/x.png",
        f"\\\\{EVIL}\\x.png",
        f"/\\{EVIL}/x.png",
        f" \t//{EVIL}/x.png",
        f"https://{EVIL}/x.png",
        f"HTTP://{EVIL}",
        "java\tscript:alert(1)",
        "javascript:alert(1)",
        f"data:text/html,<script>{EVIL}</script>",
        f"/{EVIL}/x.png",
    ],
)
def test_sanitiser_drops_every_remote_or_scheme_url(url: str) -> None:
    for markup in (
        f'<img src="{url}">',
        f'<a href="{url}">x</a>',
        f'<span style="color: red; background-color: url({url})">x</span>',
    ):
        cleaned = sanitize_html(markup)
        assert EVIL not in cleaned and "script:" not in cleaned, (markup, cleaned)


def test_sanitiser_keeps_local_references() -> None:
    kept = sanitize_html(
        '<a href="#top">a</a><a href="02-keyness.html?x=1#s">b</a>'
        '<a href="../results/a.csv">c</a><img src="data:image/png;base64,AAAA">'
    )
    assert 'href="#top"' in kept and 'href="02-keyness.html?x=1#s"' in kept
    assert 'href="../results/a.csv"' in kept and 'src="data:image/png;base64,AAAA"' in kept


def _one_row_manifest(folder: Path, path_value: str, actor: str = "ngo") -> Path:
    return _write_corpus(
        folder,
        [
            {
                "doc_id": "d",
                "path": path_value,
                "actor_type": actor,
                "organisation": "Org",
                "date": "2024-01-01",
            }
        ],
        {},
    )


@pytest.mark.parametrize("kind", ["absolute", "parent", "symlink", "windows"])
def test_a_manifest_reads_only_files_in_its_folder(tmp_path: Path, kind: str) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text(
        "A private file that must never reach a report or a sheet.\n", encoding="utf-8"
    )
    folder = tmp_path / "corpus"
    folder.mkdir()
    value = {
        "absolute": str(secret),
        "parent": "../secret.txt",
        "symlink": "link.txt",
        "windows": "C:\\Users\\secret.txt",
    }[kind]
    if kind == "symlink":
        os.symlink(secret, folder / "link.txt")
    manifest = _one_row_manifest(folder, value)
    with pytest.raises(CorpusError) as info:
        read_manifest(manifest)
    message = str(info.value)
    assert "row 2" in message and repr(value) in message
    assert "absolute" in message or "outside the manifest's folder" in message
    check = check_corpus(manifest)
    assert len(check.fatal) >= 1 and check.corpus is None  # nothing was read


def test_a_link_inside_the_folder_is_fine(tmp_path: Path) -> None:
    folder = tmp_path / "corpus"
    (folder / "texts").mkdir(parents=True)
    target = folder / "texts" / "a.txt"
    target.write_text("The workers were held without pay for months on end.\n", encoding="utf-8")
    os.symlink(target, folder / "a.txt")
    assert len(load_corpus(_one_row_manifest(folder, "a.txt"))) == 1


def test_paths_resolve_as_pathlib_does(tmp_path: Path) -> None:
    """The manifest's resolver (each folder resolved once) gives what ``Path.resolve`` gives,
    through linked folders, linked files, ``..``, ``.``, missing files and links leading out."""
    outside = tmp_path / "elsewhere"
    (outside / "deep").mkdir(parents=True)
    (outside / "deep" / "x.txt").write_text("x\n", encoding="utf-8")
    folder = tmp_path / "corpus"
    (folder / "texts" / "sub").mkdir(parents=True)
    (folder / "texts" / "a.txt").write_text("a\n", encoding="utf-8")
    os.symlink(folder / "texts", folder / "linked")  # a linked folder inside
    os.symlink(outside / "deep", folder / "out")  # a linked folder leading out
    os.symlink(folder / "texts" / "a.txt", folder / "texts" / "sub" / "b.txt")
    os.symlink("../a.txt", folder / "texts" / "sub" / "rel.txt")  # relative link
    os.symlink(folder / "missing.txt", folder / "dangling.txt")
    os.symlink(folder / "loop2", folder / "loop1")
    os.symlink(folder / "loop1", folder / "loop2")
    documents = [
        "texts/a.txt", "./texts/a.txt", "texts//a.txt", "linked/a.txt", "linked/sub/b.txt",
        "texts/sub/rel.txt", "texts/sub/../a.txt", "linked/../texts/a.txt", "out/x.txt",
        "out/../x.txt", "../corpus/texts/a.txt", "missing/none.txt", "dangling.txt", "texts",
        "texts/.", "texts/..", "..", ".", "", "texts/sub/", str(outside / "deep"),
    ]  # fmt: skip
    resolve = PathResolver(folder)
    for document in documents * 2:  # the second time from the resolver's memo
        assert resolve(document) == str((folder / document).resolve()), document
    # a loop of links (where pathlib raises RuntimeError) is named, not a crash
    with pytest.raises(CorpusError, match=r"loop1 cannot be opened \(Too many levels"):
        load_corpus(_one_row_manifest(folder, "loop1"))


@pytest.mark.parametrize("actor", ["<b>ngo</b>", "a b", "ngo`x", "../x", ""])
def test_actor_type_must_be_a_safe_name(tmp_path: Path, actor: str) -> None:
    (tmp_path / "a.txt").write_text("Some text here.\n", encoding="utf-8")
    with pytest.raises(CorpusError, match="actor_type"):
        read_manifest(_one_row_manifest(tmp_path, "a.txt", actor=actor))


def test_clear_messages_for_awkward_manifests(tmp_path: Path) -> None:
    text = "doc_id;path;actor_type;organisation;date\nd;a.txt;ngo;Org;2024-01-01\n"
    semi = tmp_path / "semi.csv"
    semi.write_text(text, encoding="utf-8")
    with pytest.raises(CorpusError, match="looks semicolon-separated"):
        read_manifest(semi)
    utf16 = tmp_path / "utf16.csv"
    utf16.write_bytes(text.replace(";", ",").encode("utf-16-le"))
    with pytest.raises(CorpusError, match="looks UTF-16 without a byte-order mark.*iconv"):
        read_manifest(utf16)
    latin = tmp_path / "latin.csv"
    latin.write_bytes(text.replace(";", ",").replace("Org", "Caf\u00e9").encode("cp1252"))
    with pytest.raises(CorpusError, match="not UTF-8.*Windows-1252.*iconv"):
        read_manifest(latin)
    with pytest.raises(CorpusError, match="is a folder, not a file.*manifest.csv"):
        read_manifest(tmp_path)
    bom16 = tmp_path / "bom16.csv"
    (tmp_path / "a.txt").write_text("Text of the statement here.\n", encoding="utf-8")
    bom16.write_bytes(text.replace(";", ",").encode("utf-16"))
    assert read_manifest(bom16)["doc_id"].tolist() == ["d"]
    (tmp_path / "dir-doc").mkdir()
    dir_manifest = tmp_path / "dir.csv"
    dir_manifest.write_text(
        "doc_id,path,actor_type,organisation,date\nd,dir-doc,ngo,Org,2024-01-01\n", encoding="utf-8"
    )
    with pytest.raises(CorpusError, match="is a folder, not a file"):
        load_corpus(dir_manifest)
