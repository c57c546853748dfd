"""Ingest figures of a folder of PDFs: ours (`indexer ingest`, OCR off, in its own process
tree) against pypdf-only and Recoll; re-ingest with nothing changed; `rebuild` against an FTS5
table of the same page texts; the memory of one long report's ingest, process by process."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import Any

import peers
from measure import Run, run_tree, size_mb
from table import Row

from indexer.catalog import Catalog

HERE = Path(__file__).resolve().parent
# OCR off, as the targets say; everything else is the default settings.
ENV = {**os.environ, "INDEXER_OCR": "off"}


def indexer(data: Path, *args: str) -> list[str]:
    """The command line of `indexer --data DATA ARGS`, run with this Python."""
    return [sys.executable, "-m", "indexer", "--data", str(data), *args]


def measure_folder(
    folder: Path, section: str, *, targets: bool
) -> tuple[list[Row], dict[str, Any]]:
    """Every ingest figure of `folder`; the generated corpus (`targets`) is held to the
    issue's targets, the real corpus is only compared."""
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        first = run_tree(indexer(data, "ingest", str(folder)), env=ENV, ok=(0, 1))
        again = run_tree(indexer(data, "ingest", str(folder)), env=ENV, ok=(0, 1))
        ours_size = size_mb(data)
        index_size = size_mb(data / "index")
        with Catalog(data / "catalog.sqlite") as catalog:
            pages = catalog.stats().get("pages", 0)
        rebuilt = run_tree(indexer(data, "rebuild"), env=ENV)
        # The fast path for large collections: PDFium reads first (pypdf re-reads its misses).
        pdfium = run_tree(
            indexer(Path(tmp) / "data-pdfium", "ingest", str(folder)),
            env=ENV | {"INDEXER_EXTRACTOR": "pdfium"},
            ok=(0, 1),
        )
        rows = peers.page_rows(data / "catalog.sqlite")
        fts5 = peers.build_fts5(rows, Path(tmp) / "fts5.sqlite")
        baseline = run_tree([sys.executable, str(HERE / "pypdf_only.py"), str(folder)])
        recoll: Run | None = None
        recoll_size = None
        if peers.recoll_installed():
            confdir = peers.recoll_configure(Path(tmp) / "recoll", folder)
            recoll, recoll_size = peers.recoll_index(confdir)
    figures = {
        "folder": str(folder),
        "pages": pages,
        "ingest": first.to_dict(),
        "ingest_pdfium": pdfium.to_dict(),
        "reingest": again.to_dict(),
        "rebuild": rebuilt.to_dict(),
        "size_mb": {"data": round(ours_size, 2), "index": round(index_size, 2)},
        "pypdf_only": baseline.to_dict(),
        "fts5": {k: round(v, 3) for k, v in fts5.items()},
        "recoll": recoll.to_dict() | {"size_mb": round(recoll_size or 0, 2)} if recoll else None,
    }
    rows = _rows(section, figures, first, again, rebuilt, baseline, recoll, fts5, targets,
                 ours_size, recoll_size)  # fmt: skip
    tree = f"CPU (whole tree) {pdfium.cpu_s:.1f} s, peak RSS {pdfium.peak_rss_mb:.0f} MB"
    fast = Row(rows[0].section, "ingest, wall, INDEXER_EXTRACTOR=pdfium", pdfium.wall_s, "s",
               peers={"pypdf-only": baseline.wall_s, "Recoll": recoll.wall_s if recoll else None},
               note=tree)  # fmt: skip
    if targets:
        _hold(fast, pdfium.wall_s / baseline.wall_s, 0.45, "pypdf-only")
    return [rows[0], fast, *rows[1:]], figures


def _rows(
    section: str,
    figures: dict[str, Any],
    first: Run,
    again: Run,
    rebuilt: Run,
    baseline: Run,
    recoll: Run | None,
    fts5: dict[str, float],
    targets: bool,
    ours_size: float,
    recoll_size: float | None,
) -> list[Row]:
    def of(run: Run | None, attr: str) -> float | None:
        return getattr(run, attr) if run is not None else None

    name = f"{section} ({figures['pages']:,} pages)"
    ingest = Row(name, "ingest, wall", first.wall_s, "s",
                 peers={"pypdf-only": baseline.wall_s, "Recoll": of(recoll, "wall_s")})  # fmt: skip
    reingest = Row(name, "re-ingest, nothing changed", again.wall_s, "s")
    if targets:
        _hold(ingest, first.wall_s / baseline.wall_s, 0.80, "pypdf-only")
        _hold(reingest, again.wall_s / first.wall_s, 0.05, "first")
    return [
        ingest,
        Row(name, "ingest, CPU (whole tree)", first.cpu_s, "s",
            peers={"pypdf-only": baseline.cpu_s, "Recoll": of(recoll, "cpu_s")}),
        Row(name, "ingest, peak RSS (whole tree)", first.peak_rss_mb, "MB",
            peers={"pypdf-only": baseline.peak_rss_mb, "Recoll": of(recoll, "peak_rss_mb")}),
        Row(name, "ingest, pages/s", figures["pages"] / first.wall_s, "/s",
            peers={"pypdf-only": figures["pages"] / baseline.wall_s}),
        Row(name, "data folder (catalog + index)", ours_size, "MB",
            peers={"FTS5": fts5["size_mb"], "Recoll": recoll_size}),
        reingest,
        Row(name, "rebuild (from the catalog)", rebuilt.wall_s, "s",
            peers={"FTS5": fts5["seconds"]},
            note="FTS5: inserting the same page texts into an FTS5 table, in this process"),
    ]  # fmt: skip


def _hold(row: Row, ratio: float, limit: float, of: str) -> None:
    """Hold `row` to a target that is a ratio (at most `limit` times `of`)."""
    row.target, row.measured, row.met = f"<= {limit:.2f} x {of}", f"{ratio:.3f}x", ratio <= limit


def measure_memory(folder: Path, pages: int) -> tuple[list[Row], dict[str, Any]]:
    """Peak RSS of the whole process tree while ingesting one long report, OCR off."""
    with tempfile.TemporaryDirectory() as tmp:
        run = run_tree(indexer(Path(tmp) / "data", "ingest", str(folder)), env=ENV)
    baseline = run_tree([sys.executable, str(HERE / "pypdf_only.py"), str(folder)])
    per_process = ", ".join(f"{k}: {v:.0f}" for k, v in sorted(run.processes.items()))
    row = Row(f"one {pages}-page report, OCR off", "ingest, peak RSS (whole tree)",
              run.peak_rss_mb, "MB", "<= 600 MB", met=run.peak_rss_mb <= 600,
              peers={"pypdf-only": baseline.peak_rss_mb},
              note=f"peak MB per process: {per_process}")  # fmt: skip
    wall = Row(row.section, "ingest, wall", run.wall_s, "s", peers={"pypdf-only": baseline.wall_s})
    return [row, wall], {"ingest": run.to_dict(), "pypdf_only": baseline.to_dict()}
