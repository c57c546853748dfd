"""A real `indexer serve` for tests and benchmarks, in a subprocess on a free port of
127.0.0.1, started and waited for until it answers /healthz: waitress (one process), or
gunicorn with `workers` processes."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
START_S = 30.0  # how long a server may take to answer its first request


def free_port() -> int:
    """A TCP port of 127.0.0.1 that nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass(frozen=True)
class Server:
    """A running `indexer serve`: its base URL, its process (gunicorn's master) and its data
    folder."""

    base: str
    proc: subprocess.Popen[bytes]
    data: Path

    @property
    def port(self) -> int:
        return int(self.base.rsplit(":", 1)[1])


@contextmanager
def indexer_process(
    data: Path, env: dict[str, str] | None = None, workers: int = 1
) -> Iterator[Server]:
    """`indexer --data DATA serve [--workers N]` with `env` (default: this process's); yields
    it once it answers, and stops it afterwards."""
    port = free_port()
    command = [sys.executable, "-m", "indexer", "--data", str(data), "serve", "--port", str(port)]
    proc = subprocess.Popen(
        [*command, *(["--workers", str(workers)] if workers > 1 else [])],
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
        yield Server(base, proc, data)
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@contextmanager
def indexer_server(
    data: Path, env: dict[str, str] | None = None, workers: int = 1
) -> Iterator[str]:
    """`indexer_process`, yielding only its base URL."""
    with indexer_process(data, env, workers) as server:
        yield server.base
