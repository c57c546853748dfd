"""The peers `bench.py` divides our figures by: SQLite FTS5 and Recoll.

FTS5 indexes the page texts our catalog holds (so both index identical text), in a table with
Porter stemming as ours has, and answers a query with the ten best pages by bm25, a snippet of
each, the total and, when asked, facet counts. Recoll (Debian `recollcmd`, PDFs through
`poppler-utils`' pdftotext) gets a throwaway configuration whose topdirs is the folder to
index; `recollindex` builds it, `recollq -c DIR -A -n 0-10 QUERY` answers a query with
abstracts, and the time of a trivial `recollq` run (a word no document has: process start and
opening the index) is subtracted from each. `benchmarks/install-peers.sh` installs Recoll.
"""

from __future__ import annotations

import html
import re
import shutil
import sqlite3
import statistics
import subprocess
import time
from pathlib import Path

from measure import Run, run_tree, size_mb
from queryset import Query

from indexer.catalog import Catalog

FTS5_SCHEMA = (
    "CREATE VIRTUAL TABLE pages USING fts5(title, body, publisher UNINDEXED, year UNINDEXED,"
    " lang UNINDEXED, report_id UNINDEXED, page UNINDEXED,"
    " tokenize = 'porter unicode61 remove_diacritics 2')"
)
FACETS = ("publisher", "year", "lang")
RECOLL_INSTALL = "run benchmarks/install-peers.sh (Debian: apt-get install recollcmd poppler-utils)"


def page_rows(catalog_path: Path) -> list[tuple[object, ...]]:
    """Every searchable page of a catalog as FTS5's row: title, body, publisher, year, lang,
    report id, page number."""
    rows: list[tuple[object, ...]] = []
    with Catalog(catalog_path) as catalog:
        for report_id in sorted(catalog.searchable_ids()):
            report = catalog.report(report_id)
            for page in catalog.pages(report_id, only_ok=True):
                rows.append((report.title, page.text, report.publisher, report.year,
                             report.language, report_id, page.number))  # fmt: skip
    return rows


def build_fts5(rows: list[tuple[object, ...]], path: Path) -> dict[str, float]:
    """An FTS5 database of `rows` at `path` (replaced); its build time (s) and size (MB)."""
    path.unlink(missing_ok=True)
    start = time.perf_counter()
    db = sqlite3.connect(path)
    with db:
        db.execute(FTS5_SCHEMA)
        db.executemany("INSERT INTO pages VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
        db.execute("INSERT INTO pages(pages) VALUES ('optimize')")
    db.close()
    return {"seconds": time.perf_counter() - start, "size_mb": size_mb(path), "rows": len(rows)}


class Fts5:
    """An FTS5 database opened for searching."""

    def __init__(self, path: Path) -> None:
        self.db = sqlite3.connect(path, check_same_thread=False)

    def search(self, query: Query) -> int:
        """Run `query` the way our search answers it; returns how many pages matched."""
        assert query.fts5 is not None
        where = "pages MATCH ?"
        args: list[object] = [query.fts5]
        if query.years:
            where += " AND year BETWEEN ? AND ?"
            args += list(query.years)
        hits = self.db.execute(
            "SELECT report_id, page, title, snippet(pages, 1, '[', ']', '…', 24) FROM pages"
            f" WHERE {where} ORDER BY bm25(pages) LIMIT 10",
            args,
        ).fetchall()
        total = self.db.execute(f"SELECT count(*) FROM pages WHERE {where}", args).fetchone()[0]
        if query.facets:
            for column in FACETS:
                self.db.execute(
                    f"SELECT {column}, count(*) FROM pages WHERE {where} GROUP BY {column}"
                    " ORDER BY 2 DESC LIMIT 10",
                    args,
                ).fetchall()
        assert len(hits) <= 10
        return int(total)

    def close(self) -> None:
        """Close the database."""
        self.db.close()


def recoll_installed() -> bool:
    """Whether recollindex and recollq are on the PATH."""
    return bool(shutil.which("recollindex") and shutil.which("recollq"))


def recoll_configure(confdir: Path, topdir: Path) -> Path:
    """A fresh Recoll configuration in `confdir` (its old index removed) indexing `topdir`."""
    shutil.rmtree(confdir, ignore_errors=True)
    confdir.mkdir(parents=True)
    (confdir / "recoll.conf").write_text(
        f"topdirs = {topdir.resolve()}\nskippedNames+ = built *.json\nnoaspell = 1\nloglevel = 1\n"
    )
    return confdir


def recoll_index(confdir: Path) -> tuple[Run, float]:
    """`recollindex -c CONFDIR` measured, and the size of its Xapian database (MB)."""
    run = run_tree(["recollindex", "-c", str(confdir)])
    return run, size_mb(confdir / "xapiandb")


class Recoll:
    """recollq over one configuration, process start subtracted."""

    def __init__(self, confdir: Path) -> None:
        self.confdir = confdir
        self.start_ms = statistics.median(self._timed("zzqxjvwnotaword")[0] for _ in range(7))

    def _timed(self, query: str) -> tuple[float, str]:
        start = time.perf_counter()
        done = subprocess.run(
            ["recollq", "-c", str(self.confdir), "-A", "-n", "0-10", query],
            capture_output=True,
            text=True,
            check=True,
        )
        return (time.perf_counter() - start) * 1000, done.stdout

    def search(self, query: Query) -> tuple[float, int]:
        """Milliseconds of `query` beyond a trivial run's, and how many results it reported."""
        assert query.recoll is not None
        ms, out = self._timed(query.recoll)
        found = re.search(r"^(\d+) results", out, re.MULTILINE)
        return max(0.0, ms - self.start_ms), int(found[1]) if found else 0


def write_pages_as_html(rows: list[tuple[object, ...]], folder: Path) -> int:
    """Each page row as its own small HTML file (title, date, text) for Recoll to index, so
    that its documents are our pages; returns how many files were written."""
    for title, body, _, year, _, report_id, page in rows:
        target = folder / str(report_id) / f"{page}.html"
        target.parent.mkdir(parents=True, exist_ok=True)
        date = f'<meta name="date" content="{year}-01-01">' if year else ""
        target.write_text(
            f"<html><head><title>{html.escape(str(title))}</title>{date}</head>"
            f"<body><p>{html.escape(str(body))}</p></body></html>"
        )
    return len(rows)
