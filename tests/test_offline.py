"""The pipeline runs with the network unavailable and downloads nothing."""

from __future__ import annotations

import subprocess
import sys
import textwrap


def test_pipeline_runs_without_network():
    code = textwrap.dedent(
        """
        import socket

        def refuse(*args, **kwargs):
            raise OSError("network disabled by test")

        socket.socket.connect = refuse
        socket.socket.connect_ex = refuse
        socket.create_connection = refuse
        socket.getaddrinfo = refuse

        import nltk

        def no_download(*args, **kwargs):
            raise AssertionError("nltk.download called")

        nltk.download = no_download

        from analysis.pipeline import build

        p = build()
        assert len(p.tokens) > 800
        print("ok", len(p.tokens))
        """
    )
    proc = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=False,
        env={"PATH": "/usr/bin:/bin", "NLTK_DATA": "/nonexistent"},
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("ok")
