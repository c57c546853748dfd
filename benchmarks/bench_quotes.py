"""Quote lookup: latency and how often the right page comes first, on the corpus and at scale.

Usage: python benchmarks/bench_quotes.py [CORPUS_DIR] [PAGES] (defaults: ../shared/corpus 10000).
Ingests the corpus into a temp folder and looks up 100 random 30-word passages, exact and with
3 words changed; then does the same on PAGES pages of generated text. Prints figures.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from indexer.config import Settings  # noqa: E402
from indexer.library import Library  # noqa: E402
from tests.generated import fill_catalog  # noqa: E402
from tests.passages import sample_passages  # noqa: E402


def measure(lib: Library, label: str) -> None:
    """Look up 100 passages, exact and changed, and print latency and first-rank counts."""
    passages = sample_passages(lib, 100)
    timings: dict[str, list[float]] = {"exact": [], "changed": []}
    first = {"exact": 0, "changed": 0}
    for p in passages:
        for kind, text in (("exact", p.text), ("changed", p.changed)):
            start = time.perf_counter()
            matches = lib.quote(text).matches
            timings[kind].append((time.perf_counter() - start) * 1000)
            first[kind] += bool(matches) and (matches[0].report_id, matches[0].page) == (
                p.report_id, p.page
            )  # fmt: skip
    for kind, times in timings.items():
        times.sort()
        print(
            f"{label}, {kind}: p50 {statistics.median(times):.0f} ms, p95 {times[94]:.0f} ms; "
            f"right page first for {first[kind]} of 100"
        )


def main() -> None:
    """Corpus, then generated pages."""
    corpus = sys.argv[1] if len(sys.argv) > 1 else "../shared/corpus"
    pages = int(sys.argv[2]) if len(sys.argv) > 2 else 10_000
    with tempfile.TemporaryDirectory() as tmp:
        lib = Library(Settings(data=Path(tmp) / "corpus", workers=2))
        lib.ingest([Path(corpus)])
        measure(lib, "corpus")
        settings = Settings(data=Path(tmp) / "generated")
        fill_catalog(settings, pages)
        measure(Library(settings), f"{pages} generated pages")


if __name__ == "__main__":
    main()
