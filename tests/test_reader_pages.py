"""Every page as a reader opens it, in Chromium driven by Playwright (the system browser).

For the seed build and the three-group web corpus, every page at a desktop width (1280 px) and a
phone width (390 px): no console error, no horizontal overflow of the text column (wide tables
scroll inside their own box), every link resolves to a file of the build or an anchor of the
page, every image decodes, and axe-core (bundled by axe-playwright-python, injected into the
page; nothing is downloaded) finds no serious or critical accessibility violation. Screenshots
go to ``$ANALYSIS_TEST_ARTIFACTS`` (a temporary folder when unset) for a human to look at.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest
from test_browser import chromium_or_skip

pytestmark = [pytest.mark.slow, pytest.mark.browser]

WIDTHS = {"desktop": 1280, "phone": 390}
SERIOUS = {"serious", "critical"}


@pytest.fixture(scope="module")
def browser():
    executable = chromium_or_skip()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        launched = pw.chromium.launch(
            executable_path=executable, args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture(scope="module")
def artifacts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = os.environ.get("ANALYSIS_TEST_ARTIFACTS")
    path = Path(folder) if folder else tmp_path_factory.mktemp("screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


def _builds(request: pytest.FixtureRequest) -> dict[str, Path]:
    web_out, _ = request.getfixturevalue("built_web_reports")
    return {"seeds": request.getfixturevalue("built_reports"), "web": web_out}


def _check_page(browser, out: Path, page_path: Path, width: int, shot: Path) -> list[str]:
    """Open one page at one width; return every problem found (empty when it reads well)."""
    from axe_playwright_python.sync_playwright import Axe

    problems: list[str] = []
    # offline: nothing may be fetched; bypass_csp only so the test can inject axe-core
    context = browser.new_context(
        offline=True, bypass_csp=True, viewport={"width": width, "height": 900}
    )
    page = context.new_page()
    page.on(
        "console",
        lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None,
    )
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.goto(page_path.as_uri(), wait_until="load")
    page.screenshot(path=str(shot), full_page=False)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    if overflow > 1:
        problems.append(f"the page is {overflow}px wider than a {width}px screen")
    for href in page.evaluate(
        "Array.from(document.querySelectorAll('a[href]'), a => a.getAttribute('href'))"
    ):
        target = urlparse(href)
        if target.scheme or href.startswith("//"):
            problems.append(f"a link leaves the build: {href}")
        elif not target.path:
            # as a browser does: the fragment as written, else percent-decoded
            found = page.evaluate(
                "([raw, decoded]) => document.getElementById(raw) !== null"
                " || document.getElementById(decoded) !== null",
                [target.fragment, unquote(target.fragment)],
            )
            if not found:
                problems.append(f"an anchor with no target: {href}")
        else:
            resolved = (page_path.parent / unquote(target.path)).resolve()
            if not resolved.is_file() or out.resolve() not in resolved.parents:
                problems.append(f"a link to no file of the build: {href}")
    broken = page.evaluate(
        "Array.from(document.images).filter(i => !i.complete || i.naturalWidth === 0).length"
    )
    if broken:
        problems.append(f"{broken} image(s) do not decode")
    uncaptioned = page.evaluate(
        "Array.from(document.images).filter(i => !i.alt"
        " || !(i.closest('figure') && i.closest('figure').querySelector('figcaption'))).length"
    )
    if uncaptioned:
        problems.append(f"{uncaptioned} image(s) without alt text or a <figcaption>")
    if width == WIDTHS["desktop"]:
        results = Axe().run(page)
        for violation in results.response["violations"]:
            if violation.get("impact") in SERIOUS:
                nodes = [n["target"] for n in violation["nodes"][:3]]
                problems.append(
                    f"axe {violation['impact']}: {violation['id']} ({violation['help']}) at {nodes}"
                )
    context.close()
    return problems


@pytest.mark.parametrize("width_name", list(WIDTHS))
def test_every_page_reads_well(request, browser, artifacts: Path, width_name: str) -> None:
    width = WIDTHS[width_name]
    problems: dict[str, list[str]] = {}
    checked = 0
    for build, out in _builds(request).items():
        for page_path in sorted((out / "reports").glob("*.html")):
            shot = artifacts / f"{build}-{page_path.stem}-{width_name}.png"
            found = _check_page(browser, out, page_path, width, shot)
            checked += 1
            assert shot.is_file()
            if found:
                problems[f"{build}/{page_path.name}"] = found
    assert checked >= 14  # six reports and the index, in each build
    assert not problems, "\n".join(f"{k}: {'; '.join(v)}" for k, v in problems.items())
