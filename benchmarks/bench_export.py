"""Exports and batch search: sizes, times and peak memory.

Usage: python benchmarks/bench_export.py [CORPUS_DIR] [REPORTS] (defaults: ../shared/corpus
10000). Ingests the corpus into a temp data folder, exports the whole catalog in each format
(size, time, peak Python memory while streaming it) and runs a batch of 1,000 queries drawn
from the reports' titles; then exports REPORTS generated one-page reports, to show that the
memory an export takes does not grow with the collection (REPORTS / 5, then REPORTS).
"""

from __future__ import annotations

import csv
import io
import json
import random
import re
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from indexer.batch import MAX_QUERIES  # noqa: E402
from indexer.config import Settings  # noqa: E402
from indexer.export import FORMATS  # noqa: E402
from indexer.library import Library  # noqa: E402
from tests.generated import fill_catalog  # noqa: E402


def measure_exports(lib: Library, label: str) -> None:
    """Export the whole catalog in every format: bytes, seconds, and peak memory (a second,
    traced run, since tracing slows Python down)."""
    count = sum(1 for r in lib.reports() if r["status"] == "indexed")
    latest = len(json.loads("".join(lib.export("csl-json"))))
    print(f"{label}: {count:,} searchable reports, {latest:,} newest versions exported")
    for fmt in FORMATS:
        start = time.perf_counter()
        size = sum(len(piece.encode()) for piece in lib.export(fmt))
        seconds = time.perf_counter() - start
        tracemalloc.start()
        for _ in lib.export(fmt):
            pass
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        print(f"  {fmt:<8} {size / 1024:9.1f} KiB  {seconds:6.2f} s  peak {peak / 2**20:5.1f} MiB")


def batch_queries(lib: Library, n: int = MAX_QUERIES, seed: int = 1) -> str:
    """`n` queries of one to three words from the reports' titles (seeded), a few of them
    phrases and a few that cannot run, one a line."""
    rng = random.Random(seed)
    words = sorted(
        {w for r in lib.reports() for w in re.findall(r"[A-Za-z]{4,}", r["title"] or "")}
    )
    queries = []
    for i in range(n):
        picked = rng.sample(words, rng.randint(1, 3))
        query = " ".join(picked)
        if i % 10 == 0:
            query = f'"{query}"'
        if i % 100 == 0:
            query = f"{query} nosuchfield:x"  # an error row: the batch goes on
        queries.append(query)
    return "\n".join(queries)


def measure_batch(lib: Library) -> None:
    """A batch of 1,000 queries: time to the first row and to the last, rows and errors."""
    data = batch_queries(lib).encode()
    start = time.perf_counter()
    pieces = lib.batch(data)
    first = next(pieces)
    first_at = time.perf_counter() - start
    text = first + "".join(pieces)
    seconds = time.perf_counter() - start
    rows = list(csv.DictReader(io.StringIO(text)))
    errors = sum(1 for r in rows if r["error"])
    print(
        f"batch of {MAX_QUERIES:,} queries: {seconds:.2f} s "
        f"({seconds * 1000 / MAX_QUERIES:.1f} ms a query), first rows after "
        f"{first_at * 1000:.0f} ms; {len(rows):,} rows ({errors} with an error), "
        f"{len(text.encode()) / 1024:.0f} KiB"
    )


def main() -> None:
    """The corpus, then generated reports."""
    corpus = Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/corpus")
    reports = int(sys.argv[2]) if len(sys.argv) > 2 else 10_000
    with tempfile.TemporaryDirectory() as tmp:
        lib = Library(Settings(data=Path(tmp) / "corpus", workers=2))
        start = time.perf_counter()
        lib.ingest([corpus])
        print(f"ingested {corpus} in {time.perf_counter() - start:.1f} s")
        measure_exports(lib, "corpus")
        measure_batch(lib)
        lib.close()
        for size in (reports // 5, reports):
            settings = Settings(data=Path(tmp) / f"generated-{size}")
            fill_catalog(settings, size, per_report=1)
            generated = Library(settings)
            measure_exports(generated, f"{size:,} generated reports")
            generated.close()


if __name__ == "__main__":
    main()
