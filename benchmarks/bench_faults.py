"""Search latency while others write: concurrent /api/search clients alone, during an
`indexer ingest` of the same data folder, and during uploads through the API.

Usage: python benchmarks/bench_faults.py [PAGES] [CLIENTS] [INGESTED] [UPLOADED]
(defaults: 5000 20 30 4). Builds PAGES generated pages into a temp catalog, serves it with
`indexer serve`, then runs three phases of CLIENTS search clients each:

- alone: each client sends at most 40 requests, for at most 30 s;
- during ingest: a separate `indexer ingest` process adds INGESTED small PDFs;
- during upload: UPLOADED PDFs are posted to /api/reports and their jobs polled until done.

In the two write phases the clients stop when the writes are done (at most 200 requests or
120 s each). Prints p50/p95/max, req/s and the errors (any answer but 200) of each phase.
"""

from __future__ import annotations

import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from werkzeug.datastructures import FileStorage  # noqa: E402
from werkzeug.test import encode_multipart  # noqa: E402

from indexer.config import Settings  # noqa: E402
from tests.generated import fill_catalog  # noqa: E402
from tests.pdfs import make_pdf  # noqa: E402
from tests.servers import indexer_server  # noqa: E402

QUERIES = [
    '"nuclear weapons"', '"seabed mining"', '"United States"', "memorial*", "Russia OR China",
    "tax brackets", "critical minerals", "airborne~", "defense budget", "benchwrite",
]  # fmt: skip
TOKEN = "bench-faults-token"
REQUEST_TIMEOUT = 60.0
Sample = tuple[int | str, float]  # (200, or status and error type; milliseconds)


def fetch(url: str) -> Sample:
    """(200, or the status and error type of any other answer; milliseconds) of one GET,
    with the whole answer read."""
    start = time.perf_counter()
    status: int | str
    try:
        with urllib.request.urlopen(url, timeout=REQUEST_TIMEOUT) as response:
            json.loads(response.read())
            status = response.status
    except urllib.error.HTTPError as e:
        try:
            status = f"{e.code} {json.loads(e.read())['error']['type']}"
        except (ValueError, KeyError, TypeError):
            status = str(e.code)
    except OSError as e:
        status = f"no answer ({type(e).__name__})"  # timed out or refused
    return status, (time.perf_counter() - start) * 1000


def load(
    base: str, clients: int, requests: int, seconds: float, writes: Callable[[], object] | None
) -> tuple[list[Sample], float]:
    """Run `clients` search clients, each for at most `requests` requests and `seconds`,
    while `writes()` runs (the clients stop when it returns); returns samples and wall time."""
    samples: list[Sample] = []
    lock = threading.Lock()
    done = threading.Event()
    start = threading.Barrier(clients + 1)

    def client(n: int) -> None:
        start.wait()
        deadline = time.monotonic() + seconds
        for i in range(requests):
            if done.is_set() or time.monotonic() > deadline:
                break
            q = urllib.parse.urlencode({"q": QUERIES[(n + i) % len(QUERIES)]})
            sample = fetch(f"{base}/api/search?{q}")
            with lock:
                samples.append(sample)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    start.wait()
    began = time.perf_counter()
    try:
        if writes is not None:
            writes()
    finally:
        if writes is not None:
            done.set()
        for t in threads:
            t.join()
    return samples, time.perf_counter() - began


def write_pdfs(folder: Path, count: int, kind: str) -> list[Path]:
    """`count` distinct five-page PDFs of generated-looking text in `folder`."""
    body = "The committee reviewed the program budget and the oversight authority. " * 12
    return [
        make_pdf(
            folder / f"{kind}-{n}.pdf",
            [f"Report {kind} {n}, page {p}. benchwrite {body}" for p in range(1, 6)],
            title=f"Benchmark {kind} report {n}",
        )
        for n in range(count)
    ]


def ingest(data: Path, folder: Path, env: dict[str, str]) -> Callable[[], object]:
    """The writes of the ingest phase: one `indexer ingest` process over `folder`."""

    def run() -> None:
        done = subprocess.run(
            [sys.executable, "-m", "indexer", "--data", str(data), "ingest", str(folder), "--json"],
            capture_output=True,
            text=True,
            timeout=600,
            cwd=ROOT,
            env=env,
        )
        counts = json.loads(done.stdout)["counts"] if done.stdout else done.stderr
        print(f"ingest: exit {done.returncode}, {counts}")

    return run


def upload(base: str, paths: list[Path]) -> Callable[[], object]:
    """The writes of the upload phase: post each PDF, then poll the jobs until all end."""

    def request(url: str, **kwargs: Any) -> Any:
        with urllib.request.urlopen(urllib.request.Request(url, **kwargs), timeout=60) as r:
            return json.loads(r.read())

    def run() -> None:
        jobs = []
        for path in paths:
            boundary, body = encode_multipart(
                {"file": FileStorage(io.BytesIO(path.read_bytes()), path.name)}
            )
            headers = {
                "Authorization": f"Bearer {TOKEN}",
                "Content-Type": f"multipart/form-data; boundary={boundary}",
            }
            jobs.append(request(f"{base}/api/reports", data=body, headers=headers, method="POST"))
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            jobs = [request(f"{base}/api/jobs/{job['job_id']}") for job in jobs]
            if all(job["status"] in ("done", "failed") for job in jobs):
                break
            time.sleep(0.2)
        print("upload jobs: " + ", ".join(str(job["status"]) for job in jobs))

    return run


def row(name: str, samples: list[Sample], wall: float) -> str:
    """One line of the table."""
    if not samples:
        return f"{name:<16} no requests"
    times = sorted(ms for _, ms in samples)
    p95 = times[max(0, round(len(times) * 0.95) - 1)]
    errors = Counter(status for status, _ in samples if status != 200)
    shown = ", ".join(f"{s}: {n}" for s, n in sorted(errors.items(), key=str)) or "0"
    return (
        f"{name:<16} {len(times):>8} {wall:>6.1f} {len(times) / wall:>7.1f} "
        f"{statistics.median(times):>7.0f} {p95:>7.0f} {times[-1]:>7.0f}  {shown}"
    )


def main() -> None:
    """Generate, serve, run the three phases, print the table."""
    pages = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    clients = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    ingested = int(sys.argv[3]) if len(sys.argv) > 3 else 30
    uploaded = int(sys.argv[4]) if len(sys.argv) > 4 else 4
    env = {**os.environ, "INDEXER_TOKEN": TOKEN}
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        start = time.perf_counter()
        fill_catalog(Settings(data=data), pages)
        print(f"built {pages} generated pages in {time.perf_counter() - start:.0f} s")
        folder = Path(tmp) / "incoming"
        write_pdfs(folder, ingested, "ingested")
        to_upload = write_pdfs(Path(tmp) / "uploads", uploaded, "uploaded")
        with indexer_server(data, env) as base:
            fetch(f"{base}/api/search?q=warm")
            phases = {
                "alone": load(base, clients, 40, 30, None),
                "during ingest": load(base, clients, 200, 120, ingest(data, folder, env)),
                "during upload": load(base, clients, 200, 120, upload(base, to_upload)),
            }
    print(f"/api/search, {clients} clients, {pages} pages; {ingested} PDFs ingested, "
          f"{uploaded} uploaded (5 pages each)")  # fmt: skip
    print(f"{'phase':<16} {'requests':>8} {'s':>6} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} "
          f"{'max ms':>7}  errors")  # fmt: skip
    for name, (samples, wall) in phases.items():
        print(row(name, samples, wall))


if __name__ == "__main__":
    main()
