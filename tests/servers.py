"""A real `indexer serve` (waitress) for tests and benchmarks, in a subprocess on a free port of
127.0.0.1, started and waited for until it answers /healthz."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
START_S = 30.0  # how long a server may take to answer its first request


def free_port() -> int:
    """A TCP port of 127.0.0.1 that nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def indexer_server(data: Path, env: dict[str, str] | None = None) -> Iterator[str]:
    """`indexer --data DATA serve` with `env` (default: this process's); yields its base URL
    once it answers, and stops it afterwards."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "indexer", "--data", str(data), "serve", "--port", str(port)],
        stderr=subprocess.DEVNULL,
        cwd=ROOT,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_S
        while True:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"indexer serve did not start on {base}")
            try:
                urllib.request.urlopen(base + "/healthz", timeout=5).close()
                break
            except OSError:
                time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=30)
