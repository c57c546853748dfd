"""`indexer serve` (waitress) as a client meets it: bodies over the upload limit are refused
before they are read."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.servers import indexer_server


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    """`indexer serve` with a 1 MB upload limit and a token; yields its base URL."""
    env = {"INDEXER_MAX_UPLOAD_MB": "1", "INDEXER_TOKEN": "t0ken-for-tests", "PATH": "/usr/bin"}
    with indexer_server(tmp_path / "data", env) as base:
        yield base


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
