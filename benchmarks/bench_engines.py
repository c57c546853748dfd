"""Benchmark of the search engines side by side: the same generated collection, rebuilt from
the catalog into each engine, then the same queries.

Usage: python benchmarks/bench_engines.py [--pages N] [--engines whoosh,opensearch]

The collection (N pages of generated text in reports of 50 pages; default 100,000) is made once
into a catalog under benchmarks/.cache/ and reused. For each engine it prints the rebuild's
pages/s and the p50/p95 of a fixed mixed query set (rare word, common word, AND, phrase, field,
wildcard, fuzzy, with and without facets, snippets included). OpenSearch is measured when
INDEXER_OPENSEARCH_URL names a cluster (e.g. scripts/opensearch-cluster.sh start), else skipped
with a message. On a 2-core machine running all three OpenSearch nodes beside the benchmark,
its figures show that it works, not what a cluster of real machines would do.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import time
from pathlib import Path

from indexer import ingest as ingest_mod
from indexer import records as records_mod
from indexer.catalog import Catalog
from indexer.config import Settings
from indexer.library import Library
from indexer.models import INDEXED, Document, Page

PAGES_PER_REPORT = 50
WORDS_PER_PAGE = 300
CACHE = Path(__file__).parent / ".cache"
# (query, with facets)
QUERIES = [
    ("quokka", False),  # rare
    ("policy", False),  # common
    ("policy security", False),
    ("defence budget cooperation", True),
    ('"national security strategy"', False),
    ("title:arctic", False),
    ("secur*", False),
    ("cooperaton~", False),
    ("policy", True),
    ("оборона", False),
    ("year:[2015 TO 2020] energy", True),
]
REPEATS = 5


def main() -> None:
    """Build (or reuse) the collection, then rebuild and query it in each engine."""
    args = _arguments()
    folder = CACHE / f"engines-{args.pages}"
    if not (folder / "built").exists():
        start = time.perf_counter()
        _generate(folder, args.pages)
        print(f"generated {args.pages:,} pages in {time.perf_counter() - start:.0f} s: {folder}")
    rows = []
    for name in args.engines.split(","):
        if name == "opensearch" and not os.environ.get("INDEXER_OPENSEARCH_URL"):
            print("opensearch: skipped (set INDEXER_OPENSEARCH_URL, e.g. after "
                  "scripts/opensearch-cluster.sh start)")  # fmt: skip
            continue
        settings = Settings.from_env(data=folder / "data", engine=name, search_timeout_ms=60_000)
        rows.append(_measure(settings, args.pages))
    print()
    print(f"{'engine':<12}{'rebuild s':>11}{'pages/s':>10}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}")
    for row in rows:
        print(f"{row['engine']:<12}{row['rebuild_s']:>11.1f}{row['pages_per_s']:>10.0f}"
              f"{row['p50_ms']:>9.1f}{row['p95_ms']:>9.1f}{row['max_ms']:>9.1f}")  # fmt: skip


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=100_000)
    parser.add_argument("--engines", default="whoosh,opensearch")
    return parser.parse_args()


def _generate(folder: Path, pages: int) -> None:
    """A catalog of `pages` pages of Zipf-distributed words in reports of PAGES_PER_REPORT,
    with their records derived, so that each engine's rebuild only indexes."""
    rng = random.Random(1)
    words = _vocabulary(rng)
    weights = [1 / (rank + 1) for rank in range(len(words))]
    settings = Settings(data=folder / "data")
    settings.data.mkdir(parents=True, exist_ok=True)
    with Catalog(settings.catalog_path) as catalog:
        for n in range(pages // PAGES_PER_REPORT):
            report_id = f"{n:016x}"
            year = 2010 + n % 15
            title = " ".join(rng.choices(words[:2000], k=5)).title()
            body = [
                Page(p, " ".join(rng.choices(words, weights, k=WORDS_PER_PAGE)) + ".", str(p))
                for p in range(1, PAGES_PER_REPORT + 1)
            ]
            doc = Document(body, title=title, author=f"Author {n % 300}",
                           publisher=f"Publisher {n % 12}", created=f"{year}-01-01",
                           language="ru" if n % 10 == 0 else "en")  # fmt: skip
            with catalog.transaction():
                catalog.put_report(report_id, report_id * 4, doc, INDEXED)
                catalog.put_file(f"/bench/{report_id}.pdf", report_id, 1, 1)
                catalog.settle(report_id)
        records_mod.refresh(catalog)
    (folder / "built").touch()


def _vocabulary(rng: random.Random) -> list[str]:
    """Common policy words first (most frequent), then Russian ones, then generated rare words."""
    common = " ".join(
        [
            "the of and to in a is that for on policy security national defence budget energy",
            "strategy cooperation arctic forces government report committee military economic",
            "национальная оборона безопасность стратегия бюджет",
        ]
    ).split()
    letters = "abcdefghijklmnopqrstuvwxyz"
    rare = {"".join(rng.choices(letters, k=rng.randint(4, 10))) for _ in range(30_000)}
    return common + sorted(rare) + ["quokka"]


def _measure(settings: Settings, pages: int) -> dict[str, object]:
    start = time.perf_counter()
    ingest_mod.rebuild(settings)
    took = time.perf_counter() - start
    print(f"{settings.engine}: rebuilt {pages:,} pages in {took:.1f} s")
    library = Library(settings)
    try:
        for query, facets in QUERIES:  # warm caches and searchers
            library.search(query, facets=facets)
        times = []
        for _ in range(REPEATS):
            for query, facets in QUERIES:
                t = time.perf_counter()
                library.search(query, facets=facets)
                times.append((time.perf_counter() - t) * 1000)
    finally:
        library.close()
    times.sort()
    return {
        "engine": settings.engine,
        "rebuild_s": took,
        "pages_per_s": pages / took,
        "p50_ms": statistics.median(times),
        "p95_ms": times[int(len(times) * 0.95)],
        "max_ms": times[-1],
    }


if __name__ == "__main__":
    main()
