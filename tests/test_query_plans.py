"""The catalog queries whose cost must not grow with the collection are answered from an index.

Each is checked by sqlite's EXPLAIN QUERY PLAN on a catalog of many reports: a plan that
searches an index (SEARCH ...) reads a few rows, one that scans a table (SCAN reports) reads them
all, which made ingest quadratic when it happened once per file. These are behaviour tests, not
timings: benchmarks/bench_scale.py measures the time.
"""

from __future__ import annotations

import re
import shutil
import sqlite3
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from indexer.catalog import Catalog
from indexer.config import Settings
from indexer.library import Library
from indexer.web import create_app
from tests.generated import fill_catalog
from tests.pdfs import make_pdf

NEW_FILES = 8  # ingested into the full catalog: a statement run this often runs per file
_LITERAL = re.compile(r"'(?:[^']|'')*'|\b\d+\b")


def plan(db: sqlite3.Connection, sql: str) -> list[str]:
    """The lines of sqlite's query plan for `sql` (its values written in)."""
    return [row[3] for row in db.execute("EXPLAIN QUERY PLAN " + sql)]


def scans(lines: list[str]) -> list[str]:
    """The plan lines that read a whole table or index: SCAN, or a SEARCH with no index to
    search (as sqlite shows max() of a column no index holds)."""
    return [
        line
        for line in lines
        if line.startswith("SCAN") or (line.startswith("SEARCH") and " USING " not in line)
    ]


@pytest.fixture
def traced(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every statement run on any catalog opened meanwhile, as sqlite ran it (values in)."""
    statements: list[str] = []
    opened = Catalog.__init__

    def open_traced(self: Catalog, path: Path) -> None:
        opened(self, path)
        self.db.set_trace_callback(statements.append)

    monkeypatch.setattr(Catalog, "__init__", open_traced)
    yield statements


@pytest.fixture(scope="module")
def filled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder whose catalog and index hold 300 reports, made once."""
    data = tmp_path_factory.mktemp("filled") / "data"
    fill_catalog(Settings(data=data), 300, per_report=1)
    return data


@pytest.fixture
def full(settings: Settings, filled: Path) -> Settings:
    """The settings of a copy of the 300 reports' data folder."""
    shutil.copytree(filled, settings.data, symlinks=True)
    return settings


def test_every_catalog_query_ingest_runs_per_file_searches_an_index(
    full: Settings, tmp_path: Path, traced: list[str]
) -> None:
    for n in range(NEW_FILES):
        make_pdf(tmp_path / "new" / f"report-{n}.pdf", [f"A new report, number {n}."])
    lib = Library(full)
    try:
        summary = lib.ingest([tmp_path / "new"])
    finally:
        lib.close()
    assert summary.counts["indexed"] == NEW_FILES
    runs = Counter(_LITERAL.sub("?", s) for s in traced)
    per_file = {shape for shape, count in runs.items() if count >= NEW_FILES}
    assert any("dirty = (SELECT coalesce(max(dirty), ?) + ?" in s for s in per_file)
    checked = 0
    with Catalog(full.catalog_path) as catalog:
        for sql in traced:
            if _LITERAL.sub("?", sql) in per_file and not sql.startswith(("BEGIN", "COMMIT")):
                assert scans(plan(catalog.db, sql)) == [], sql
                checked += 1
    assert checked >= NEW_FILES * 10


def test_the_next_dirty_stamp_is_read_from_an_index(full: Settings) -> None:
    with Catalog(full.catalog_path) as catalog:
        lines = plan(catalog.db, "UPDATE reports SET dirty = (SELECT coalesce(max(dirty), 0) + 1"
                     " FROM reports) WHERE report_id = 'x'")  # fmt: skip
    assert "SEARCH reports USING COVERING INDEX reports_dirty" in lines
    assert scans(lines) == []


def test_files_under_a_folder_are_a_range_of_the_path_index(full: Settings) -> None:
    with Catalog(full.catalog_path) as catalog:
        statements: list[str] = []
        catalog.db.set_trace_callback(statements.append)
        catalog.files_under([Path("/generated"), Path("/elsewhere/file.pdf")])
        catalog.db.set_trace_callback(None)
        assert len(statements) == 2
        for sql in statements:
            lines = plan(catalog.db, sql)
            assert scans(lines) == [], lines
            assert any("(path>? AND path<?)" in line for line in lines), lines


def test_the_home_page_reads_only_the_reports_it_shows(full: Settings, traced: list[str]) -> None:
    response = create_app(full).test_client().get("/")
    assert response.status_code == 200
    assert "And 100 more" in response.text
    (listing,) = [s for s in traced if s.startswith("SELECT r.*")]
    assert "LIMIT 200" in listing
    with Catalog(full.catalog_path) as catalog:
        lines = plan(catalog.db, listing)
    # The files are walked in path order, on the primary key's index, until 200 reports are
    # found: no report is read but those, and nothing is sorted.
    assert scans(lines) == ["SCAN f USING INDEX sqlite_autoindex_files_1"], lines
    assert not any("TEMP B-TREE" in line for line in lines), lines
