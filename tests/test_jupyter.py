"""JupyterLab smoke test: a local Jupyter server lists the notebooks and runs 00-corpus's cells."""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nbformat
import pytest

from analysis import paths

pytestmark = pytest.mark.slow

STARTUP_TIMEOUT = 60
CELL_TIMEOUT = 120


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class _Server:
    def __init__(self, url: str, token: str, runtime: Path) -> None:
        self.url, self.token, self.runtime = url, token, runtime

    def api(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        request = urllib.request.Request(
            f"{self.url}{path}",
            method=method,
            data=None if body is None else json.dumps(body).encode(),
            headers={"Authorization": f"token {self.token}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            payload = response.read()
        return json.loads(payload) if payload else None


@pytest.fixture(scope="module")
def jupyter(tmp_path_factory: pytest.TempPathFactory) -> Iterator[_Server]:
    """Start ``jupyter server`` on 127.0.0.1 at a free port with a random token; stop it after."""
    runtime = tmp_path_factory.mktemp("jupyter-runtime")
    token = secrets.token_hex(16)
    port = _free_port()
    log = (runtime / "server.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "jupyter_server", "--no-browser", "--ServerApp.ip=127.0.0.1"]
        + [f"--ServerApp.port={port}", "--ServerApp.port_retries=0"]
        + [f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={paths.ROOT}"]
        + (["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []),
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "JUPYTER_RUNTIME_DIR": str(runtime)},
    )
    server = _Server(f"http://127.0.0.1:{port}", token, runtime)
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while True:
            try:
                server.api("GET", "/api/status")
                break
            except (urllib.error.URLError, ConnectionError):
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(
                        "jupyter server did not start:\n" + (runtime / "server.log").read_text()
                    )
                time.sleep(0.3)
        yield server
    finally:
        try:
            server.api("POST", "/api/shutdown")
        except (urllib.error.URLError, ConnectionError):
            pass
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        log.close()


def test_server_requires_the_token(jupyter: _Server) -> None:
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(f"{jupyter.url}/api/contents/notebooks", timeout=10)
    assert caught.value.code == 403


def test_lists_the_notebooks(jupyter: _Server) -> None:
    listing = jupyter.api("GET", "/api/contents/notebooks")
    names = sorted(item["name"] for item in listing["content"] if item["type"] == "notebook")
    assert "00-corpus.ipynb" in names
    assert names == sorted(p.name for p in paths.NOTEBOOKS.glob("*.ipynb"))


def _wait_for_kernel_info(client: Any) -> None:
    """Wait until the kernel answers kernel_info on its shell channel.

    ``BlockingKernelClient.wait_for_ready`` also polls the heartbeat, which on a loaded machine
    can miss a beat while the kernel imports and report a live kernel as dead; the shell reply is
    what matters here.
    """
    from queue import Empty

    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        client.kernel_info()
        try:
            while True:
                msg = client.get_shell_msg(timeout=2)
                if msg["msg_type"] == "kernel_info_reply":
                    return
        except Empty:
            continue
    pytest.fail(f"the kernel did not answer kernel_info within {STARTUP_TIMEOUT} s")


def test_kernel_runs_the_first_cells_of_00_corpus(jupyter: _Server) -> None:
    from jupyter_client import BlockingKernelClient

    model = jupyter.api("GET", "/api/contents/notebooks/00-corpus.ipynb")
    notebook = nbformat.from_dict(model["content"])
    code = [c.source for c in notebook.cells if c.cell_type == "code"][:2]
    assert "parameters" in notebook.cells[1].metadata.get("tags", [])

    kernel = jupyter.api("POST", "/api/kernels", {"name": "python3", "path": "notebooks"})
    client = BlockingKernelClient()
    try:
        client.load_connection_file(str(jupyter.runtime / f"kernel-{kernel['id']}.json"))
        client.start_channels()
        _wait_for_kernel_info(client)
        for source in code:
            reply = client.execute_interactive(
                source, timeout=CELL_TIMEOUT, output_hook=lambda m: None
            )
            assert reply["content"]["status"] == "ok", reply["content"]
        reply = client.execute_interactive(
            "",
            user_expressions={
                "n": "len(corpus)",
                "groups": "compared",
                "cwd": "__import__('os').getcwd()",
            },
            timeout=CELL_TIMEOUT,
            output_hook=lambda m: None,
        )
        values = {
            k: v["data"]["text/plain"] for k, v in reply["content"]["user_expressions"].items()
        }
        assert values["n"] == "2"
        assert values["groups"] == "['civil_society', 'government']"
        assert values["cwd"].strip("'") == str(paths.NOTEBOOKS)
    finally:
        client.stop_channels()
        jupyter.api("DELETE", f"/api/kernels/{kernel['id']}")
    assert all(k["id"] != kernel["id"] for k in jupyter.api("GET", "/api/kernels"))
