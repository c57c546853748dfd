"""The collections `bench.py` measures, made once and cached in benchmarks/.cache/.

- the generated PDF corpus: REPORTS reports of PAGES pages of tests/generated.py's prose (as in
  the issue's measurement: 24 x 40), with a running header and folios, set by fpdf2;
- one long generated report (LONG_PAGES pages) for the memory target;
- the search levels: bench_engines.py's catalogs of generated text (engines-N/), whose index is
  made by `rebuild`; the rebuild's time is recorded beside it (rebuild.json) when it runs, so a
  level built once is not rebuilt for every benchmark run.
"""

from __future__ import annotations

import json
import os
import random
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import bench_engines  # noqa: E402

from indexer import ingest as ingest_mod  # noqa: E402
from indexer.config import Settings  # noqa: E402
from indexer.engine import open_engine  # noqa: E402
from tests.generated import page_text  # noqa: E402
from tests.pdfs import make_pdf  # noqa: E402

CACHE = bench_engines.CACHE
REPORTS, PAGES = 24, 40
LONG_PAGES = 800


def generated_corpus() -> Path:
    """The folder of generated PDFs (REPORTS x PAGES pages), made on first use."""
    folder = CACHE / f"pdfs-{REPORTS}x{PAGES}"
    if not (folder / "built").exists():
        rng = random.Random(15)
        for n in range(REPORTS):
            _report(folder / f"report-{n:02}.pdf", rng, n, PAGES)
        (folder / "built").touch()
    return folder


def long_report() -> Path:
    """A folder holding one generated report of LONG_PAGES pages, made on first use."""
    folder = CACHE / f"long-{LONG_PAGES}"
    if not (folder / "built").exists():
        _report(folder / f"long-{LONG_PAGES}.pdf", random.Random(800), 0, LONG_PAGES)
        (folder / "built").touch()
    return folder


def _report(path: Path, rng: random.Random, n: int, pages: int) -> None:
    texts = [page_text(rng, rng.randint(250, 350)) for _ in range(pages)]
    make_pdf(
        path,
        texts,
        title=f"Generated report {n}",
        author=f"Analyst {n % 7}",
        header=f"Generated report {n}",
        footer_folios=[str(p) for p in range(1, pages + 1)],
    )


def _cpu() -> float:
    """CPU seconds of this process and of its children that ended."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def level(pages: int) -> tuple[Settings, dict[str, Any]]:
    """The settings of the search level of `pages` pages, and the record of its latest rebuild
    ({"pages", "seconds", "cpu_s", "when"}); generated and rebuilt when missing or when its
    index is not of this version's schema."""
    folder = CACHE / f"engines-{pages}"
    settings = Settings(data=folder / "data")
    if not (folder / "built").exists():
        print(f"generating the {pages:,}-page catalog (once, kept in {folder})", flush=True)
        bench_engines._generate(folder, pages)
    record_path = folder / "rebuild.json"
    engine = open_engine(settings)
    stale = engine.needs_rebuild or engine.is_empty()
    engine.close()
    if stale or not record_path.exists():
        print(f"rebuilding the {pages:,}-page index (once, kept in {folder})", flush=True)
        start, cpu = time.perf_counter(), _cpu()
        ingest_mod.rebuild(settings)
        record = {
            "pages": pages,
            "seconds": round(time.perf_counter() - start, 2),
            "cpu_s": round(_cpu() - cpu, 2),  # this process and its writer processes
            "when": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        record_path.write_text(json.dumps(record))
    return settings, json.loads(record_path.read_text())
