"""Benchmark of an OAI-PMH harvest: sickle harvests ListRecords from `indexer serve` page by
page, and the figures say how many records it got (each exactly once?) and how long it took.

Usage: python benchmarks/bench_oai.py [CORPUS_DIR] [PAGE_SIZE]
(defaults: ../shared/corpus 10). Ingests the corpus into a temp folder first; needs sickle
(a test dependency: `make install-test`).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from sickle import Sickle

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.servers import indexer_server  # noqa: E402


def main() -> None:
    """Ingest, serve, harvest, print."""
    corpus = sys.argv[1] if len(sys.argv) > 1 else "../shared/corpus"
    page_size = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    indexer = str(Path(sys.executable).with_name("indexer"))
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        start = time.perf_counter()
        ingest = subprocess.run([indexer, "--data", str(data), "ingest", corpus, "--json"],
                                capture_output=True, text=True)  # fmt: skip
        ingested = time.perf_counter() - start
        counts = json.loads(ingest.stdout)["counts"]
        env = dict(os.environ, INDEXER_OAI_PAGE_SIZE=str(page_size))
        with indexer_server(data, env=env) as base:
            sickle = Sickle(f"{base}/oai", max_retries=0, timeout=60)
            start = time.perf_counter()
            records = list(sickle.ListRecords(metadataPrefix="oai_dc", ignore_deleted=False))
            harvested = time.perf_counter() - start
            sets = list(sickle.ListSets())
    seen = Counter(r.header.identifier for r in records)
    print(f"corpus: {corpus}: {counts} (ingest {ingested:.1f} s)")
    print(f"OAI-PMH ListRecords, page size {page_size}: {len(records)} records "
          f"({len(seen)} distinct, {sum(n > 1 for n in seen.values())} repeated, "
          f"{sum(r.header.deleted for r in records)} deleted) in {harvested:.2f} s, "
          f"{-(-len(records) // page_size)} pages")  # fmt: skip
    print(f"sets: {len(sets)}: " + ", ".join(s.setSpec for s in sets))


if __name__ == "__main__":
    main()
