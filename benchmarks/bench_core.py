"""Benchmark of the core: ingest speed, no-op re-ingest, search latency, memory.

Usage: python benchmarks/bench_core.py [CORPUS_DIR] (default ../shared/corpus). Prints figures.
"""

from __future__ import annotations

import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

from indexer.config import Settings
from indexer.library import Library

QUERIES = [
    "nuclear", '"nuclear weapons"', "seabed mining", "tax brackets 2026", "Russia AND doctrine",
    "appropriations OR funding", "memorial*", "decentralised~", "title:finance", "year:2026",
    '"Congressional Research Service"', "Homotopie", "информации", "停车区",
    "blockchain NOT bitcoin", "merger review", "energy star", "Artemis moon", "internet layers",
    "preemption FDA",
]  # fmt: skip


def main() -> None:
    """Run the benchmark and print the figures."""
    corpus = Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/corpus")
    with tempfile.TemporaryDirectory() as tmp:
        lib = Library(Settings(data=Path(tmp) / "data"))
        start = time.perf_counter()
        summary = lib.ingest([corpus])
        first = time.perf_counter() - start
        pages = sum(e["pages"] for e in lib.reports())
        print(f"files: {len(summary.files)}  counts: {summary.counts}")
        print(f"ingest: {first:.2f} s, {pages} pages, {pages / first:.1f} pages/s"
              f" (workers={lib.settings.workers})")  # fmt: skip

        start = time.perf_counter()
        lib.ingest([corpus])
        print(f"re-ingest, nothing changed: {(time.perf_counter() - start) * 1000:.0f} ms")

        start = time.perf_counter()
        lib.rebuild()
        print(f"rebuild index from catalog: {time.perf_counter() - start:.2f} s")

        lib.search("warm up")
        times = []
        for _ in range(10):
            for q in QUERIES:
                t = time.perf_counter()
                lib.search(q)
                times.append((time.perf_counter() - t) * 1000)
        times.sort()
        p95 = times[int(len(times) * 0.95)]
        print(f"search: {len(times)} queries, p50 {statistics.median(times):.1f} ms,"
              f" p95 {p95:.1f} ms, max {times[-1]:.1f} ms")  # fmt: skip
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"peak RSS of the writer process: {rss:.0f} MiB")


if __name__ == "__main__":
    main()
