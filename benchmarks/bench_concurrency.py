"""Concurrent /api/search load on a large generated collection: latency, throughput, errors.

Usage: python benchmarks/bench_concurrency.py [PAGES] [CLIENTS] [SECONDS]
(defaults: 10000 20 30). Builds PAGES pages of generated text into a temp catalog, rebuilds the
index from it, serves it with `indexer serve` (waitress, 8 threads), then runs CLIENTS clients
for SECONDS seconds. Prints p50/p95, req/s and every non-200 answer by status.
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from indexer.config import Settings  # noqa: E402
from tests.generated import fill_catalog  # noqa: E402
from tests.servers import indexer_server  # noqa: E402

QUERIES = [
    '"nuclear weapons"', '"seabed mining"', '"United States"', "memorial*", "Russia OR China",
    "tax brackets", "critical minerals", "airborne~", "defense budget",
]  # fmt: skip


def fetch(url: str) -> tuple[int, float]:
    """(HTTP status, milliseconds) of one request, with the whole answer read."""
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            json.loads(response.read())
            status = response.status
    except urllib.error.HTTPError as e:
        status = e.code
    except OSError:
        status = 0  # timed out or refused
    return status, (time.perf_counter() - start) * 1000


def load(base: str, clients: int, seconds: float) -> tuple[list[float], Counter[int], float]:
    """Run `clients` threads for `seconds`; returns the latencies, statuses and wall time."""
    times: list[float] = []
    statuses: Counter[int] = Counter()
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def client(n: int) -> None:
        i = n
        while time.monotonic() < deadline:
            q = urllib.parse.urlencode({"q": QUERIES[i % len(QUERIES)]})
            status, ms = fetch(f"{base}/api/search?{q}")
            with lock:
                times.append(ms)
                statuses[status] += 1
            i += 1

    start = time.perf_counter()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return times, statuses, time.perf_counter() - start


def main() -> None:
    """Generate, rebuild, serve, load, print."""
    pages = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    clients = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    seconds = float(sys.argv[3]) if len(sys.argv) > 3 else 30.0
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        start = time.perf_counter()
        fill_catalog(Settings(data=data), pages)
        print(f"built {pages} generated pages in {time.perf_counter() - start:.0f} s")
        with indexer_server(data) as base:
            fetch(f"{base}/api/search?q=warm")
            times, statuses, wall = load(base, clients, seconds)
    times.sort()
    p95 = times[int(len(times) * 0.95) - 1]
    print(f"/api/search: {clients} clients for {seconds:g} s over {pages} pages")
    print(f"{len(times)} requests, {len(times) / wall:.1f} req/s")
    print(
        f"latency p50 {statistics.median(times):.0f} ms, p95 {p95:.0f} ms, max {times[-1]:.0f} ms"
    )
    print("statuses: " + ", ".join(f"{s}: {n}" for s, n in sorted(statuses.items())))


if __name__ == "__main__":
    main()
