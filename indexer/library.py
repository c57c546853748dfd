"""The library object the CLI and the web share: one method per thing a user can do.

It owns the settings and a long-lived index (so searches reuse an open searcher); the catalog
is opened per call because sqlite connections must not cross threads.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from . import ingest as ingest_mod
from .catalog import Catalog
from .config import Settings
from .errors import NotFound
from .index import PageIndex
from .models import SearchResult
from .search import search as search_index

REPORT_ID = re.compile(r"[0-9a-f]{16}")


class Library:
    """A collection: catalog + index under `settings.data`."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._index: PageIndex | None = None
        self._lock = threading.Lock()

    @property
    def index(self) -> PageIndex:
        """The index, opened once; recreated from the catalog if it was missing or damaged."""
        with self._lock:
            if self._index is None:
                catalog = Catalog(self.settings.catalog_path)
                try:
                    index = ingest_mod.open_index(self.settings, catalog)
                    if catalog.dirty_ids():
                        ingest_mod.sync_index(catalog, index)
                finally:
                    catalog.close()
                self._index = index
            return self._index

    def ingest(
        self,
        paths: Iterable[Path],
        *,
        prune: bool = False,
        retry_failed: bool = False,
        progress: ingest_mod.Progress | None = None,
    ) -> ingest_mod.IngestSummary:
        """Add, update and retire the PDFs under `paths` (see `indexer.ingest.ingest`)."""
        return ingest_mod.ingest(
            self.settings, paths, prune=prune, retry_failed=retry_failed, progress=progress
        )

    def search(
        self, query: str, *, limit: int = 10, per_report: int = 3, report_id: str | None = None
    ) -> SearchResult:
        """Page hits with citation snippets; raises QueryError for a query that cannot run."""
        return search_index(
            self.index, query, limit=limit, per_report=per_report, report_id=report_id
        )

    def reports(self) -> list[dict[str, Any]]:
        """Every report in the catalog with its files and status."""
        catalog = Catalog(self.settings.catalog_path)
        try:
            return catalog.list_reports()
        finally:
            catalog.close()

    def pdf_path(self, report_id: str) -> Path:
        """The main file of a report; NotFound for an unknown id or a file no longer on disk."""
        if not REPORT_ID.fullmatch(report_id):
            raise NotFound(f"{report_id!r} is not a report id (16 hex digits)")
        catalog = Catalog(self.settings.catalog_path)
        try:
            path = catalog.main_path(report_id)
        finally:
            catalog.close()
        if path is None or not Path(path).is_file():
            raise NotFound(f"no file on disk for report {report_id}")
        return Path(path)

    def rebuild(self) -> int:
        """Recreate the index from the catalog; returns how many reports are searchable."""
        count = ingest_mod.rebuild(self.settings)
        with self._lock:
            self._index = None
        return count
