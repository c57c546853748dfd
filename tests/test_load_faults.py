"""Load during faults: 20 concurrent searchers against `indexer serve` while a separate
`indexer ingest` process and two uploads write to the same data folder. No search may fail
(searches never take the write lock, see "One writer at a time" in the README), the writes
must all finish, and what they wrote must be searchable afterwards.

Latency is printed, not asserted (run with `-s` to see it); `benchmarks/bench_faults.py`
prints the same figures per phase.
"""

from __future__ import annotations

import io
import json
import os
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from indexer.config import Settings
from tests.generated import fill_catalog
from tests.pdfs import make_pdf
from tests.servers import indexer_server

PAGES = 2000
CLIENTS = 20
MAX_REQUESTS = 60  # per client; each client also stops once the writes are done
MAX_SECONDS = 45.0  # per client
REQUEST_TIMEOUT = 30.0
INGESTED, UPLOADED = 10, 2
TOKEN = "load-faults-token"
QUERIES = [
    '"nuclear weapons"', '"seabed mining"', '"United States"', "memorial*", "Russia OR China",
    "tax brackets", "critical minerals", "airborne~", "defense NOT budget", "treat*",
]  # fmt: skip
ROOT = Path(__file__).resolve().parents[1]


def marker(kind: str, n: int) -> str:
    """A word printed only in the n-th written PDF of `kind` (letters only, so it is one
    token whatever the analyzer does with digits)."""
    return f"faultload{kind}{chr(ord('a') + n)}"


def write_pdf(path: Path, word: str) -> Path:
    """A small three-page PDF with `word` on its second page only."""
    return make_pdf(
        path,
        [
            f"Load test report {path.stem}. The committee reviewed the program budget.",
            f"The marker {word} is printed here, on the second page, once.",
            "Closing remarks on federal policy and oversight authority.",
        ],
        title=f"Load test report {path.stem}",
    )


@dataclass
class Request:
    """One search: when it was sent and answered (monotonic seconds), and its status
    (0: no HTTP answer at all; `detail` says why)."""

    start: float
    end: float
    status: int
    detail: str = ""


def search(base: str, query: str) -> Request:
    """GET /api/search for `query`, with the whole answer read and parsed."""
    url = f"{base}/api/search?" + urllib.parse.urlencode({"q": query})
    start = time.monotonic()
    try:
        with urllib.request.urlopen(url, timeout=REQUEST_TIMEOUT) as response:
            json.loads(response.read())
            return Request(start, time.monotonic(), response.status)
    except urllib.error.HTTPError as e:
        body = e.read()[:300].decode(errors="replace")
        return Request(start, time.monotonic(), e.code, f"{e.headers.get('Retry-After')} {body}")
    except OSError as e:
        return Request(start, time.monotonic(), 0, repr(e))


def get_json(url: str, **kwargs: Any) -> Any:
    """The JSON answer of a request that must succeed."""
    with urllib.request.urlopen(urllib.request.Request(url, **kwargs), timeout=30) as response:
        return json.loads(response.read())


def upload(base: str, path: Path) -> dict[str, Any]:
    """POST one PDF to /api/reports with the token; returns the job (202)."""
    boundary, body = encode_multipart(
        {"file": FileStorage(io.BytesIO(path.read_bytes()), path.name)}
    )
    headers = {
        "Authorization": f"Bearer {TOKEN}",
        "Content-Type": f"multipart/form-data; boundary={boundary}",
    }
    return get_json(f"{base}/api/reports", data=body, headers=headers, method="POST")


def wait_for_jobs(base: str, jobs: list[dict[str, Any]], seconds: float) -> list[dict[str, Any]]:
    """Poll each job until it is done or failed (or `seconds` have passed)."""
    deadline = time.monotonic() + seconds
    final = list(jobs)
    while time.monotonic() < deadline:
        final = [get_json(f"{base}/api/jobs/{job['job_id']}") for job in jobs]
        if all(job["status"] in ("done", "failed") for job in final):
            break
        time.sleep(0.2)
    return final


def environment() -> dict[str, str]:
    # The search budget (3 s by default) is wall-clock time, and 20 clients on a busy CI
    # machine with two cores push plain searches past it with no writer at all (a 503 of type
    # `timeout`, by design). A generous budget keeps this test about the writes; a search
    # that a write holds up for 15 s still fails it (and every request has REQUEST_TIMEOUT).
    return {
        **os.environ,
        "INDEXER_TOKEN": TOKEN,
        "INDEXER_WORKERS": "2",
        "INDEXER_SEARCH_TIMEOUT_MS": "15000",
    }


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder holding PAGES generated pages, index built."""
    folder = tmp_path_factory.mktemp("load-faults") / "data"
    assert fill_catalog(Settings(data=folder), PAGES) == PAGES // 20
    return folder


@pytest.fixture
def server(data: Path) -> Iterator[str]:
    """`indexer serve` (waitress) over `data`, with uploads enabled; yields its base URL."""
    with indexer_server(data, environment()) as base:
        search(base, "warm")
        yield base


def percentiles(requests: list[Request]) -> str:
    """p50/p95/max in milliseconds and requests per second of `requests`."""
    if not requests:
        return "no requests"
    times = sorted((r.end - r.start) * 1000 for r in requests)
    p95 = times[max(0, round(len(times) * 0.95) - 1)]
    wall = max(r.end for r in requests) - min(r.start for r in requests)
    return (
        f"{len(times)} requests, p50 {statistics.median(times):.0f} ms, p95 {p95:.0f} ms, "
        f"max {times[-1]:.0f} ms, {len(times) / wall:.1f} req/s"
    )


def test_searches_never_fail_while_an_ingest_and_uploads_write(server, data, tmp_path):
    folder = tmp_path / "incoming"
    for n in range(INGESTED):
        write_pdf(folder / f"ingested-{n}.pdf", marker("ingest", n))
    to_upload = [
        write_pdf(tmp_path / f"uploaded-{n}.pdf", marker("upload", n)) for n in range(UPLOADED)
    ]
    requests: list[Request] = []
    lock = threading.Lock()
    writes_done = threading.Event()
    start = threading.Barrier(CLIENTS + 1)

    def client(n: int) -> None:
        start.wait(timeout=30)
        deadline = time.monotonic() + MAX_SECONDS
        for i in range(MAX_REQUESTS):
            if writes_done.is_set() or time.monotonic() > deadline:
                break
            # The markers too: searches for the very reports being written.
            queries = [*QUERIES, marker("ingest", (n + i) % INGESTED), marker("upload", i % 2)]
            answer = search(server, queries[(n + i) % len(queries)])
            with lock:
                requests.append(answer)

    clients = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    for t in clients:
        t.start()
    start.wait(timeout=30)
    windows: dict[str, tuple[float, float]] = {}
    began = time.monotonic()
    ingest = subprocess.Popen(
        [sys.executable, "-m", "indexer", "--data", str(data), "ingest", str(folder), "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=environment(),
    )
    try:
        # Its own thread, so that the ingest's end is timed while the uploads are polled.
        outcome: list[str] = []

        def wait_for_ingest() -> None:
            outcome.extend(ingest.communicate(timeout=60))
            windows["ingest"] = (began, time.monotonic())

        waiter = threading.Thread(target=wait_for_ingest)
        waiter.start()
        jobs = wait_for_jobs(server, [upload(server, path) for path in to_upload], 60)
        windows["upload"] = (began, time.monotonic())
        waiter.join(timeout=70)
    finally:
        writes_done.set()
        if ingest.poll() is None:
            ingest.kill()
        for t in clients:
            t.join(timeout=MAX_SECONDS + REQUEST_TIMEOUT)
    assert not any(t.is_alive() for t in clients), "a search client hung"
    assert ingest.returncode == 0, outcome

    def during(window: str) -> list[Request]:
        begin, end = windows[window]
        return [r for r in requests if r.start < end and r.end > begin]

    print(f"\nall searches: {percentiles(requests)}")
    for window, (begin, end) in windows.items():
        print(f"during {window} ({end - begin:.1f} s): {percentiles(during(window))}")

    failed = [(r.status, r.detail) for r in requests if r.status != 200]
    assert failed == []
    # The load really overlapped both writes, or this test would prove nothing.
    assert during("ingest") and during("upload")
    counts = json.loads(outcome[0])["counts"]
    assert counts["indexed"] == INGESTED and counts["failed"] == 0, counts
    assert [(job["status"], job["error"]) for job in jobs] == [("done", None)] * UPLOADED, jobs

    for n in range(INGESTED):
        hits = get_json(f"{server}/api/search?q={marker('ingest', n)}")["hits"]
        assert [Path(hit["path"]).name for hit in hits] == [f"ingested-{n}.pdf"]
        assert hits[0]["page"] == 2
    for n, job in enumerate(jobs):
        hits = get_json(f"{server}/api/search?q={marker('upload', n)}")["hits"]
        assert [(hit["report_id"], hit["page"]) for hit in hits] == [(job["report_id"], 2)]
