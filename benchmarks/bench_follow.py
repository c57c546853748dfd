"""A follow run on a test feed: a publisher's site on loopback with an RSS feed of N reports
(PDFs of PAGES pages each), followed and run twice with `indexer follow run`.

Usage: python benchmarks/bench_follow.py [N] [PAGES]   (defaults: 50 10)

Prints, for the first run (everything new) and the second (nothing new): the counts, the wall
time, and the PDF bytes fetched; then the search that finds an entry's word. The site is
reached through the test-only allowlist INDEXER_FETCH_ALLOW=127.0.0.1/32.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.pdfs import make_pdf  # noqa: E402
from tests.publisher import publisher, rss  # noqa: E402


def indexer(data: Path, *args: str) -> tuple[float, subprocess.CompletedProcess]:
    env = {**os.environ, "INDEXER_FETCH_ALLOW": "127.0.0.1/32"}
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "indexer", "--data", str(data), *args],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=1800,
    )  # fmt: skip
    return time.perf_counter() - start, done


def main(n: int, pages: int) -> None:
    with tempfile.TemporaryDirectory() as tmp, publisher() as site:
        folder, data = Path(tmp) / "site", Path(tmp) / "data"
        folder.mkdir()
        entries, size = [], 0
        for i in range(n):
            text = [f"Report {i} of the feed, page {p}: report{i}word policy text. " * 20
                    for p in range(1, pages + 1)]  # fmt: skip
            body = make_pdf(folder / f"r{i}.pdf", text).read_bytes()
            size += len(body)
            site.add(f"/pdf/r{i}.pdf", body)
            entries.append({"title": f"Report {i}", "pdf": f"{site.base}/pdf/r{i}.pdf",
                            "link": f"{site.base}/about/{i}",
                            "date": "Mon, 02 Nov 2026 09:00:00 GMT"})  # fmt: skip
        site.add("/feed.xml", rss(entries, title="Bench Institute"))
        _, added = indexer(data, "follow", "add", f"{site.base}/feed.xml")
        assert added.returncode == 0, added.stderr
        print(f"feed: {n} entries, {n * pages} pages, {size / 1e6:.1f} MB of PDF")
        print(f"{'run':<8}{'wall s':>8}{'found':>7}{'fetched':>9}{'known':>7}{'failed':>8}")
        for name in ("first", "second"):
            wall, ran = indexer(data, "follow", "run", "--json")
            assert ran.returncode == 0, ran.stderr
            [run] = json.loads(ran.stdout)
            print(f"{name:<8}{wall:>8.2f}{run['found']:>7}{run['fetched']:>9}{run['known']:>7}"
                  f"{run['failed']:>8}")  # fmt: skip
        _, found = indexer(data, "search", f"report{n - 1}word", "--json")
        hit = json.loads(found.stdout)["hits"][0]
        print(f"search report{n - 1}word: {hit['title']!r}, page {hit['page']}")


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:3]]
    main(*(args + [50, 10][len(args) :]))
