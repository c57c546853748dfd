"""`indexer check`: is the catalog sound, does the index show exactly what it holds, and are its
files still on disk as they were? `--fix` repairs what can be repaired without losing edits.

The catalog is the truth: a damaged catalog is reported and nothing is derived from it. Index
problems are fixed by indexing the reports concerned again (or rebuilding a damaged index);
a file that is gone is marked missing, a changed one is ingested again. Librarians' edits live
in the catalog under the report id and are never touched.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from contextlib import closing
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from .catalog import Catalog
from .config import Settings
from .engine import SearchEngine
from .errors import IndexUnavailable
from .models import GONE


@dataclass
class Problem:
    """One inconsistency: its kind, the report and file concerned, and what was seen."""

    kind: str
    report_id: str | None
    path: str | None
    detail: str


@dataclass
class CheckResult:
    """What `check` found (and, with fix, what it repaired)."""

    problems: list[Problem]
    fixed: bool = False

    @property
    def ok(self) -> bool:
        """True when nothing is wrong."""
        return not self.problems

    def to_dict(self) -> dict[str, Any]:
        """The `check --json` shape."""
        data: dict[str, Any] = {"ok": self.ok, "problems": [asdict(p) for p in self.problems]}
        if self.fixed:
            data["fixed"] = True
        return data


def catalog_problems(path: Path) -> list[Problem]:
    """SQLite's own integrity check of the catalog file (on a connection of its own: opening
    a damaged catalog as a Catalog would already fail)."""
    try:
        with closing(sqlite3.connect(path)) as db:
            rows = [r[0] for r in db.execute("PRAGMA integrity_check")]
    except sqlite3.DatabaseError as e:
        rows = [str(e)]
    if rows == ["ok"]:
        return []
    detail = "; ".join(rows[:5]) + (f" (and {len(rows) - 5} more)" if len(rows) > 5 else "")
    return [Problem("catalog_damaged", None, None, detail)]


def index_problems(catalog: Catalog, index: SearchEngine) -> list[Problem]:
    """Reports the index misses, shows without reason, or shows with other pages."""
    try:
        damaged = index.checksum_problems()
        indexed = index.page_counts()
    except IndexUnavailable as e:
        return [Problem("index_damaged", None, None, str(e))]
    if damaged:
        return [Problem("index_damaged", None, None, detail) for detail in damaged]
    wanted = catalog.searchable_ids()
    problems = [
        Problem("missing_from_index", rid, catalog.main_path(rid), "searchable but not indexed")
        for rid in sorted(wanted - indexed.keys())
    ]
    problems += [
        Problem("extra_in_index", rid, None, "indexed but not searchable in the catalog")
        for rid in sorted(indexed.keys() - wanted)
    ]
    for rid in sorted(wanted & indexed.keys()):
        pages = sum(1 for p in catalog.pages(rid, only_ok=True) if p.text.strip() or p.margins)
        if pages != indexed[rid]:
            detail = f"{pages} pages with text in the catalog, {indexed[rid]} in the index"
            problems.append(Problem("pages_differ", rid, catalog.main_path(rid), detail))
    return problems


def file_problems(catalog: Catalog) -> list[Problem]:
    """Files of the collection that are gone or changed since they were ingested."""
    problems = []
    for row in catalog.files_under([Path("/")]):
        if row.status in GONE:
            continue
        try:
            stat = Path(row.path).stat()
        except OSError:
            problems.append(Problem("file_gone", row.report_id, row.path, "no longer on disk"))
            continue
        if (stat.st_size, stat.st_mtime_ns) != (row.size, row.mtime_ns):
            detail = f"size or modification time changed (was {row.size} bytes)"
            problems.append(Problem("file_changed", row.report_id, row.path, detail))
    return problems


def check(settings: Settings, index: Callable[[], SearchEngine]) -> CheckResult:
    """Every problem between catalog, index (opened by `index()` only once the catalog passed)
    and files; the catalog's own first."""
    damaged = catalog_problems(settings.catalog_path)
    if damaged:  # nothing read from a damaged catalog can be trusted
        return CheckResult(damaged)
    with Catalog(settings.catalog_path) as catalog:
        return CheckResult(index_problems(catalog, index()) + file_problems(catalog))


def fix(settings: Settings, index: SearchEngine, found: CheckResult) -> list[Path]:
    """Repair the index problems of `found` (rebuild a damaged index, index again the reports
    concerned) and mark gone files missing; returns the changed files, for the caller to
    ingest again. Does nothing to a damaged catalog."""
    from . import ingest  # ingest imports the index and catalog too; fixing is its job

    kinds = {p.kind for p in found.problems}
    if "catalog_damaged" in kinds:
        return []
    if "index_damaged" in kinds:
        ingest.rebuild(settings)
    with Catalog(settings.catalog_path) as catalog:
        stale = {p.report_id for p in found.problems if p.kind in _INDEX_KINDS and p.report_id}
        gone = [p for p in found.problems if p.kind == "file_gone" and p.path]
        with catalog.transaction():
            catalog.mark_dirty(sorted(stale))
            for problem in gone:
                catalog.mark_missing(str(problem.path))
                catalog.settle(str(problem.report_id))
        if "index_damaged" not in kinds:
            ingest.sync_index(catalog, index)
    return [Path(str(p.path)) for p in found.problems if p.kind == "file_changed"]


_INDEX_KINDS = {"missing_from_index", "extra_in_index", "pages_differ"}
