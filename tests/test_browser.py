"""Headless Chromium opens the built reports over HTTP: they render, show figures, log no errors."""

from __future__ import annotations

import base64
import functools
import os
import re
import shutil
import subprocess
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or (
    "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None
)
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--window-size=1280,1600",
]
CONSOLE_ERRORS = re.compile(r"Uncaught|ERROR:CONSOLE|:CONSOLE\(\d+\)\].*(?:Error|error)")

pytestmark = [pytest.mark.slow, pytest.mark.browser]


def chromium_or_skip() -> str:
    """The system Chromium's path; skip the test where it is missing (fail in CI, which
    installs it)."""
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed; .ci/run installs Debian's chromium package")
        pytest.skip("chromium is not installed (apt-get install chromium); CI installs it")
    return CHROMIUM


@pytest.fixture(scope="module")
def chromium() -> str:
    return chromium_or_skip()


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        self.server.requests.append((self.path, str(args[1]) if len(args) > 1 else ""))  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def server(built_reports: Path) -> Iterator[tuple[str, ThreadingHTTPServer]]:
    """Serve the build folder on 127.0.0.1 at a random port, in a thread."""
    handler = functools.partial(_QuietHandler, directory=str(built_reports))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.requests = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", httpd
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=10)


def _chromium(
    binary: str, url: str, tmp_path: Path, *extra: str
) -> subprocess.CompletedProcess[str]:
    profile = tmp_path / f"profile-{len(list(tmp_path.iterdir()))}"
    return subprocess.run(
        [
            binary,
            *FLAGS,
            f"--user-data-dir={profile}",
            "--enable-logging=stderr",
            "--v=0",
            *extra,
            url,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _pixel_spread(png: Path) -> float:
    import matplotlib.image

    pixels = matplotlib.image.imread(str(png))
    return float(pixels[..., :3].std())


def _check_page(binary: str, url: str, tmp_path: Path, name: str) -> str:
    shot = tmp_path / f"{name}.png"
    done = _chromium(binary, url, tmp_path, f"--screenshot={shot}")
    assert shot.is_file() and shot.stat().st_size > 0, done.stderr[-2000:]
    assert _pixel_spread(shot) > 0.02, f"{name}: the screenshot is blank"
    errors = [line for line in done.stderr.splitlines() if CONSOLE_ERRORS.search(line)]
    assert errors == [], f"{name}: console errors: {errors}"
    dom = _chromium(binary, url, tmp_path, "--dump-dom")
    assert dom.returncode == 0 and "</html>" in dom.stdout, dom.stderr[-2000:]
    errors = [line for line in dom.stderr.splitlines() if CONSOLE_ERRORS.search(line)]
    assert errors == [], f"{name}: console errors: {errors}"
    return dom.stdout


def test_console_error_detection_works(chromium: str, tmp_path: Path) -> None:
    """The scan below must catch a real console error, or the other tests prove nothing."""
    page = tmp_path / "broken.html"
    page.write_text("<html><body><p>x</p><script>throw new Error('boom')</script></body></html>")
    done = _chromium(chromium, page.as_uri(), tmp_path, "--dump-dom")
    assert any(CONSOLE_ERRORS.search(line) for line in done.stderr.splitlines()), done.stderr[
        -2000:
    ]


def test_index_renders(
    chromium: str, server: tuple[str, ThreadingHTTPServer], tmp_path: Path
) -> None:
    base, httpd = server
    dom = _check_page(chromium, f"{base}/reports/index.html", tmp_path, "index")
    assert "Provenance" in dom and 'href="00-corpus.html"' in dom
    failed = [(p, code) for p, code in httpd.requests if not code.startswith(("2", "3"))]  # type: ignore[attr-defined]
    assert [f for f in failed if not f[0].endswith("favicon.ico")] == []


def test_report_renders_with_figures(
    chromium: str, server: tuple[str, ThreadingHTTPServer], tmp_path: Path
) -> None:
    base, _ = server
    dom = _check_page(chromium, f"{base}/reports/00-corpus.html", tmp_path, "00-corpus")
    assert "<h1" in dom and "<table" in dom
    sources = re.findall(r'<img\b[^>]*\bsrc="([^"]+)"', dom)
    assert sources, "the report shows no figure"
    for src in sources:
        header, _, payload = src.partition(",")
        assert header == "data:image/png;base64", src[:60]
        data = base64.b64decode(payload)
        width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and width > 50 and height > 50
    assert "<script" not in dom.lower()
