"""Benchmark of /api/search under a simple load: N requests, C at a time, against `indexer serve`.

Usage: python benchmarks/bench_web.py [CORPUS_DIR] [REQUESTS] [CONCURRENCY]
(defaults: ../shared/corpus 200 4). Ingests the corpus into a temp folder first. Prints figures.
"""

from __future__ import annotations

import json
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

QUERIES = [
    "nuclear", '"nuclear weapons"', "seabed mining", "tax brackets", "Russia AND doctrine",
    "appropriations OR funding", "memorial*", "decentralised~", "title:finance", "Homotopie",
    "информации", "停车区", "merger review", "energy star", "internet layers",
]  # fmt: skip


def free_port() -> int:
    """A TCP port nobody listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def fetch(url: str) -> float:
    """Milliseconds to fetch `url` and read the whole answer."""
    start = time.perf_counter()
    with urllib.request.urlopen(url) as response:
        json.loads(response.read())
    return (time.perf_counter() - start) * 1000


def main() -> None:
    """Ingest, serve, load, print."""
    corpus = sys.argv[1] if len(sys.argv) > 1 else "../shared/corpus"
    total = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    concurrency = int(sys.argv[3]) if len(sys.argv) > 3 else 4
    indexer = str(Path(sys.executable).with_name("indexer"))
    with tempfile.TemporaryDirectory() as tmp:
        data = str(Path(tmp) / "data")
        subprocess.run([indexer, "--data", data, "ingest", corpus], check=True, capture_output=True)
        port = free_port()
        server = subprocess.Popen(
            [indexer, "--data", data, "serve", "--port", str(port)], stderr=subprocess.DEVNULL
        )
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(100):
                try:
                    fetch(base + "/healthz")
                    break
                except OSError:
                    time.sleep(0.1)
            urls = [
                f"{base}/api/search?" + urllib.parse.urlencode({"q": QUERIES[i % len(QUERIES)]})
                for i in range(total)
            ]
            fetch(urls[0])  # warm up: opens the index and the searcher
            start = time.perf_counter()
            with ThreadPoolExecutor(concurrency) as pool:
                times = sorted(pool.map(fetch, urls))
            wall = time.perf_counter() - start
        finally:
            server.terminate()
            server.wait()
    p95 = times[int(len(times) * 0.95) - 1]
    print(f"/api/search: {total} requests, {concurrency} concurrent, {total / wall:.1f} req/s")
    print(
        f"latency p50 {statistics.median(times):.1f} ms, p95 {p95:.1f} ms, max {times[-1]:.1f} ms"
    )


if __name__ == "__main__":
    main()
