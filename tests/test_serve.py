"""`indexer serve` (waitress) as a client meets it: bodies over the upload limit are refused
before they are read."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    """`indexer serve` with a 1 MB upload limit and a token; yields its base URL."""
    port = free_port()
    env = {"INDEXER_MAX_UPLOAD_MB": "1", "INDEXER_TOKEN": "t0ken-for-tests", "PATH": "/usr/bin"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "indexer", "--data", str(tmp_path / "data"), "serve"]
        + ["--port", str(port)],
        stderr=subprocess.DEVNULL,
        cwd=Path(__file__).resolve().parents[1],
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=5).close()
                break
            except OSError:
                time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def _send_headers(base: str, headers: str) -> bytes:
    """Send a request's headers (and no body); return what the server answers within 10 s."""
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as s:
        s.sendall(headers.encode())
        return s.recv(4096)


def test_an_over_limit_body_is_refused_before_it_is_sent(server: str) -> None:
    # 600 MB announced, nothing sent: a server that read the body first would wait here.
    answer = _send_headers(
        server,
        "POST /api/reports HTTP/1.1\r\nHost: x\r\nContent-Type: application/pdf\r\n"
        "Content-Length: 629145600\r\n\r\n",
    )
    assert answer.startswith(b"HTTP/1.1 413")


def test_a_body_within_the_limit_reaches_the_app(server: str) -> None:
    answer = _send_headers(
        server,
        "POST /api/reports HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
    )
    assert answer.startswith(b"HTTP/1.1 401")  # the app's answer: no token was sent
