"""The library object the CLI and the web share: one method per thing a user can do.

It owns the settings and a long-lived index (so searches reuse an open searcher); the catalog
is opened per call because sqlite connections must not cross threads.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from . import backup as backup_mod
from . import batch as batch_mod
from . import check as check_mod
from . import cite as cite_mod
from . import downloads as downloads_mod
from . import engine as engine_mod
from . import export as export_mod
from . import follows as follows_mod
from . import health as health_mod
from . import ingest as ingest_mod
from . import oai as oai_mod
from . import ocr as ocr_mod
from . import quotes as quotes_mod
from . import records as records_mod
from . import reportlist
from .catalog import Catalog
from .config import Settings
from .engine import SearchEngine
from .errors import (
    Busy,
    FetchError,
    IndexUnavailable,
    MetadataError,
    NotCitable,
    NotFound,
    QueryError,
)
from .jobs import UploadQueue
from .metadata import Record, clean_value
from .models import (
    EXCLUDED,
    FAILED,
    INDEXED,
    OCR,
    Filters,
    Page,
    Report,
    SearchOptions,
    SearchResult,
)
from .pdfium import Box
from .render import CONTEXT, MAX_WIDTH, MIN_WIDTH, Passage, Renderer, place

REPORT_ID = re.compile(r"[0-9a-f]{16}")


class Library:
    """A collection: catalog + index under `settings.data`. `shared`: one of several server
    processes on this data folder, which elect one to run the uploads (see `indexer.runner`)."""

    def __init__(self, settings: Settings, *, shared: bool = False) -> None:
        self.settings = settings
        self._index: SearchEngine | None = None
        self._catalog_file: tuple[int, int] | None = None  # the catalog the index was checked on
        self._lock = threading.Lock()
        self.uploads = UploadQueue(
            settings,
            lambda paths: self.ingest(paths),
            self._sync,
            lambda: self.run_follows(),
            shared=shared,
        )
        self.renderer = Renderer(
            settings.render_dir, cache_mb=settings.render_cache_mb, timeout=settings.extract_timeout
        )

    def _catalog(self) -> Catalog:
        return Catalog(self.settings.catalog_path)

    def _sync(self) -> int:
        with self._catalog() as catalog:
            return ingest_mod.sync_index(catalog, self.index)

    @property
    def index(self) -> SearchEngine:
        """The index, opened once; recreated from the catalog if it was missing or damaged, and
        checked again against the catalog when the catalog file was deleted or replaced.

        Raises IndexUnavailable (Busy) when the index must follow the catalog before it may
        answer and another writer keeps the data folder for more than a few seconds.
        """
        with self._lock:
            current = self._index
            if current is None or current.needs_rebuild or self._catalog_changed():
                with self._catalog() as catalog:
                    index = ingest_mod.open_index(self.settings, catalog)
                    # A recreated index, or one answering for reports this catalog does not
                    # hold (a deleted catalog), follows the catalog before it answers.
                    if index.needs_rebuild or ingest_mod.stranded(catalog, index):
                        ingest_mod.sync_index(catalog, index)
                        index.needs_rebuild = False
                    elif catalog.dirty():
                        # Left by a writer that was killed: synced now unless a writer is at
                        # work (it syncs every dirty report before it ends). Never waits.
                        with contextlib.suppress(Busy):
                            ingest_mod.sync_index(catalog, index, wait=0)
                self._catalog_file = _file_id(self.settings.catalog_path)
                self._index = current = index
            return current

    def _catalog_changed(self) -> bool:
        return _file_id(self.settings.catalog_path) != self._catalog_file

    def ingest(
        self,
        paths: Iterable[Path],
        *,
        prune: bool = False,
        retry_failed: bool = False,
        progress: ingest_mod.Progress | None = None,
        urls: Iterable[str] = (),
    ) -> ingest_mod.IngestSummary:
        """Add, update and retire the PDFs under `paths` (see `indexer.ingest.ingest`), and
        the PDFs at `urls`, fetched first (a failed fetch is a failed file named by its URL;
        UrlRefused, before anything is fetched, for a URL inside)."""
        fetched = self.download(list(urls))
        paths = [*paths, *(d.path for d in fetched if d.path is not None)]
        summary = ingest_mod.ingest(
            self.settings, paths, prune=prune, retry_failed=retry_failed, progress=progress
        )
        summary.files += [
            ingest_mod.FileOutcome(d.url, FAILED, error=d.error, reason=d.reason)
            for d in fetched if d.path is None
        ]  # fmt: skip
        return summary

    def ocr(
        self, report_ids: Iterable[str] = (), *, progress: ingest_mod.Progress | None = None
    ) -> ingest_mod.IngestSummary:
        """Read again, OCR on, the reports (or `report_ids`) whose pages no extractor read as
        text (see `indexer.ingest.read_with_ocr`); OcrUnavailable without Tesseract."""
        for report_id in report_ids:
            with self._catalog() as catalog:
                self._report_row(catalog, report_id)
        return ingest_mod.read_with_ocr(self.settings, report_ids, progress=progress)

    def search(
        self,
        query: str,
        *,
        limit: int = 10,
        per_report: int = 3,
        report_id: str | None = None,
        offset: int = 0,
        filters: Filters | None = None,
        facets: bool = False,
        sort: str = "relevance",
        versions: str = "latest",
    ) -> SearchResult:
        """Page hits with citation snippets; raises QueryError for a query that cannot run."""
        if report_id is not None and not REPORT_ID.fullmatch(report_id):
            raise QueryError(f"{report_id!r} is not a report id (16 hex digits)")
        options = SearchOptions(
            limit=limit,
            per_report=per_report,
            report_id=report_id,
            offset=offset,
            filters=filters,
            facets=facets,
            sort=sort,
            versions=versions,
            timeout_ms=self.settings.search_timeout_ms,
        )
        return engine_mod.search(self.index, query, options)

    def quote(self, text: str, *, limit: int = quotes_mod.DEFAULT_LIMIT) -> quotes_mod.QuoteResult:
        """Where a pasted passage is printed, exact matches first, then near ones; raises
        QueryError for a passage under 5 or over 400 words or 5,000 characters."""
        return quotes_mod.find_quote(self.index, text, limit=limit)

    def reports(self) -> list[dict[str, Any]]:
        """Every report in the catalog with its files and status."""
        with self._catalog() as catalog:
            return catalog.list_reports()

    def first_reports(self, limit: int) -> tuple[list[dict[str, Any]], int]:
        """The first `limit` reports of `reports()` that are not deleted (`excluded`), and how
        many are not deleted in all."""
        with self._catalog() as catalog:
            return catalog.first_reports(limit)

    def stats(self) -> dict[str, Any]:
        """Collection figures: searchable reports and pages, files by status."""
        with self._catalog() as catalog:
            return catalog.stats()

    def collection_stats(self) -> dict[str, Any]:
        """Collection health: counts by status, publisher, year, language and report type;
        failed files with reasons, reports needing OCR, garbled pages, recent additions."""
        with self._catalog() as catalog:
            stats = health_mod.collection_stats(catalog)
        return stats | {"ocr": ocr_mod.status(self.settings.ocr) | {
            "waiting": len(stats["needs_ocr"])}}  # fmt: skip

    def report_table(self, query: health_mod.TableQuery) -> dict[str, Any]:
        """One page of the collection's report table, filtered and sorted: {"total", "reports"}."""
        with self._catalog() as catalog:
            return health_mod.report_table(catalog, query)

    def _report_row(self, catalog: Catalog, report_id: str) -> Any:
        if not REPORT_ID.fullmatch(report_id):
            raise NotFound(f"{report_id!r} is not a report id (16 hex digits)")
        row = catalog.report_row(report_id)
        if row is None or row["status"] == EXCLUDED:
            raise NotFound(f"no report with id {report_id}")
        return row

    def report(self, report_id: str) -> dict[str, Any]:
        """A report's metadata, files and list of pages (numbers, labels, quality)."""
        with self._catalog() as catalog:
            row = self._report_row(catalog, report_id)
            (entry,) = catalog.list_reports(report_id)
            page_list = catalog.page_list(report_id)
            versions = catalog.versions(row["work"]) if row["work"] else []
        record = entry["metadata"]
        return {
            **entry,
            "authors": record["authors"],
            "subject": row["subject"],
            "created": row["created"],
            "citable": row["status"] == INDEXED,  # as `cite` judges it
            "versions": [_version(v, report_id) for v in versions]
            or [{"report_id": report_id, "date": record["date"], "version": record["version"],
                 "title": record["title"], "current": True}],
            "page_list": page_list,
        }  # fmt: skip

    def metadata(self, report_id: str) -> dict[str, Any]:
        """A report's metadata record and the source of each field."""
        with self._catalog() as catalog:
            self._report_row(catalog, report_id)
            values, sources = catalog.record(report_id)
        return Record(values, sources).to_dict()

    def update_metadata(self, report_id: str, changes: dict[str, Any]) -> dict[str, Any]:
        """Apply a librarian's edits (field -> value; None drops the edit, so the next source
        applies); raises MetadataError naming a bad field. Returns the new record."""
        if not isinstance(changes, dict):
            raise MetadataError("body", "give an object of field: value")
        cleaned = {
            name: None if value is None else clean_value(name, value)
            for name, value in changes.items()
        }
        with self._catalog() as catalog:
            self._report_row(catalog, report_id)
            with catalog.transaction():
                for name, value in cleaned.items():
                    catalog.set_edit(report_id, name, value)
            records_mod.refresh(catalog, [report_id])
            records_mod.link_versions(catalog)
        self._sync_soon()
        return self.metadata(report_id)

    def copy_metadata(self, report_id: str, from_id: str) -> dict[str, Any]:
        """Carry the librarian's edits of another version (`from_id`) over to `report_id`."""
        with self._catalog() as catalog:
            self._report_row(catalog, from_id)
            edits = catalog.edits(from_id)
        return self.update_metadata(report_id, edits)

    def _sync_soon(self) -> None:
        try:
            self._sync()
        except IndexUnavailable:  # another process is writing: the worker retries
            self.uploads.request_sync()

    def page(self, report_id: str, number: int) -> dict[str, Any]:
        """PDF page `number` of a report: its display text (as printed, margins cut), the
        margins, the extractor's raw text (None if extracted before it was kept), label,
        quality, which extractor read it (`text_source`: pypdf, pdfium or ocr) and its language
        (ISO 639-1, `und` when unsure, None if extracted before languages were detected)."""
        page = self._page(report_id, number)
        return {
            "report_id": report_id,
            "page": page.number,
            "label": page.label,
            "quality": page.quality,
            "text": page.text,
            "margins": page.margins,
            "text_raw": page.raw,
            "text_source": page.text_source,
            "language": page.language,
        }

    def _page(self, report_id: str, number: int) -> Page:
        with self._catalog() as catalog:
            self._report_row(catalog, report_id)
            page = catalog.page(report_id, number)
        if page is None:
            raise NotFound(f"report {report_id} has no page {number}")
        return page

    @staticmethod
    def _passage(text: str, hl: tuple[int, int] | None) -> tuple[str, str, str]:
        """The part of a page's display `text` in the offset range `hl`, with the words before
        and after it ("" for none)."""
        if hl is None:
            return "", "", ""
        start, end = hl
        if not 0 <= start < min(end, len(text)):
            raise QueryError(f"hl must be START-END within the page's {len(text)} characters")
        # A passage running on to the next page ends with this page.
        before, after = text[max(0, start - CONTEXT) : start], text[end : end + CONTEXT]
        return str(before), str(text[start:end]), str(after)

    def page_view(
        self, report_id: str, number: int, hl: tuple[int, int] | None = None
    ) -> dict[str, Any]:
        """A page with the passage at display offsets `hl`: its text and the passage's boxes on
        the page (PDF points, one per line, from PDFium's characters or OCR's words)."""
        page = self.page(report_id, number)
        passage = self._passage(page["text"], hl)
        path = self.pdf_path(report_id)
        boxes = self._ocr_boxes(report_id, number, passage)
        if boxes is None:
            boxes = self.renderer.boxes(path, number, passage) if passage[1] else []
        return page | {"passage": passage[1], "hl": list(hl) if hl else None, "boxes": boxes}

    def _ocr_boxes(self, report_id: str, number: int, passage: Passage) -> list[Box] | None:
        """The passage's boxes on the words OCR read on the page, or None for a page whose
        text did not come from OCR (PDFium's characters place it)."""
        page = self._page(report_id, number)
        if page.text_source != OCR:
            return None
        if not passage[1].strip():
            return []
        raw = page.raw or ""
        return place(raw, ocr_mod.char_boxes(page.words, len(raw)).__getitem__, passage)

    def page_png(
        self, report_id: str, number: int, width: int, hl: tuple[int, int] | None = None
    ) -> bytes:
        """PDF page `number` rendered `width` pixels wide, the passage at `hl` painted over."""
        if not MIN_WIDTH <= width <= MAX_WIDTH:
            raise QueryError(f"w must be from {MIN_WIDTH} to {MAX_WIDTH} pixels")
        passage = self._passage(self.page(report_id, number)["text"], hl)
        boxes = self._ocr_boxes(report_id, number, passage)
        path = self.pdf_path(report_id)
        return self.renderer.png(path, report_id, number, width, passage, boxes)

    def _cite_target(
        self, report_id: str, page: int | None, to: int | None
    ) -> tuple[Report, dict[str, Any]]:
        """The report and the page arguments of `cite.cite` (labels looked up)."""
        if to is not None and (page is None or to < page):
            raise QueryError("`to` is the PDF page a passage ends on: give `page` too, not after")
        with self._catalog() as catalog:
            row = self._report_row(catalog, report_id)
            if row["status"] != INDEXED:
                why = row["error"] or "it has no text"
                raise NotCitable(f"report {report_id} cannot be cited: {why}")
            report = catalog.report(report_id)
            found = [catalog.page(report_id, n) for n in (page, to) if n is not None]
        if any(p is None for p in found):
            raise QueryError(f"page must be from 1 to {row['page_count']} for this report")
        labels = [p.label for p in found if p is not None]
        if not labels:
            return report, {}
        end = {"end": to, "end_label": labels[1]} if to is not None and to != page else {}
        return report, {"page": page, "page_label": labels[0], **end}

    def cite(
        self,
        report_id: str,
        fmt: str,
        *,
        page: int | None = None,
        to: int | None = None,
        url: str | None = None,
    ) -> str:
        """The report (at PDF `page`, up to PDF page `to` for a passage that runs on, cited by
        printed labels) in citation format `fmt`."""
        if fmt not in cite_mod.FORMATS:
            raise QueryError(f"unknown format {fmt!r}; use one of {', '.join(cite_mod.FORMATS)}")
        report, where = self._cite_target(report_id, page, to)
        return cite_mod.cite(report, fmt, url=url, **where)

    def citations(
        self,
        report_id: str,
        *,
        page: int | None = None,
        to: int | None = None,
        url: str | None = None,
    ) -> dict[str, str]:
        """The report in every citation format."""
        report, where = self._cite_target(report_id, page, to)
        return {fmt: cite_mod.cite(report, fmt, url=url, **where) for fmt in cite_mod.FORMATS}

    def report_url(self, report_id: str) -> str | None:
        """The report's page under the public base URL (None when no base URL is set): the URL
        a citation carries when the record has no source URL."""
        base = self.settings.base_url.rstrip("/")
        return f"{base}/reports/{report_id}" if base else None

    def export(
        self,
        fmt: str,
        *,
        query: str | None = None,
        filters: Filters | None = None,
        sort: str = "relevance",
        versions: str = "latest",
        url_of: export_mod.UrlOf | None = None,
    ) -> Iterator[str]:
        """The searchable reports passing `filters` (by title, or newest first with
        sort="date"), or with a `query` the reports of its best EXPORT_HITS matching pages
        with those pages, in export format `fmt` (see `indexer.export`), a piece at a time.

        A bad format or query raises QueryError here, before any text is produced.
        """
        if fmt not in export_mod.FORMATS:
            raise QueryError(f"unknown format {fmt!r}; use one of {', '.join(export_mod.FORMATS)}")
        url_of = url_of or self.report_url
        if not query:
            if versions not in ("latest", "all"):
                raise QueryError("versions must be one of latest, all")
            order = "date" if sort == "date" else "title"
            found = reportlist.reports(
                self.settings.catalog_path, filters, order=order, latest=versions == "latest"
            )
            return export_mod.write((export_mod.Entry(r) for r in found), fmt, url_of)
        result = self.search(query, limit=export_mod.EXPORT_HITS, per_report=0,
                             filters=filters, sort=sort, versions=versions)  # fmt: skip
        entries: dict[str, export_mod.Entry] = {}
        with self._catalog() as catalog:
            for hit in result.hits:
                if hit.report_id not in entries:
                    entries[hit.report_id] = export_mod.Entry(catalog.report(hit.report_id))
                entries[hit.report_id].hits.append(hit)
        return export_mod.write(entries.values(), fmt, url_of)

    def batch(
        self,
        data: bytes,
        *,
        limit: int = 10,
        per_report: int = 3,
        url_of: export_mod.UrlOf | None = None,
    ) -> Iterator[str]:
        """Run the queries of an uploaded file (see `indexer.batch`): CSV rows of each query's
        hits with an APA reference at the page, a query at a time. A file that cannot be read,
        holds no query or over 1,000 raises QueryError here, before any row is produced."""
        queries = batch_mod.read_queries(data)
        url_of = url_of or self.report_url
        citers: dict[str, cite_mod.PageCiter] = {}

        def citer(report_id: str) -> cite_mod.PageCiter:
            if report_id not in citers:
                with self._catalog() as catalog:
                    report = catalog.report(report_id)
                citers[report_id] = cite_mod.apa_at_pages(report, url_of(report_id))
            return citers[report_id]

        def search(query: str) -> SearchResult:
            return self.search(query, limit=limit, per_report=per_report)

        return batch_mod.run(queries, batch_mod.Searcher(search, citer))

    def pdf_path(self, report_id: str) -> Path:
        """The main file of a report; NotFound for an unknown id or a file no longer on disk."""
        with self._catalog() as catalog:
            self._report_row(catalog, report_id)
            path = catalog.main_path(report_id)
        if path is None or not Path(path).is_file():
            raise NotFound(f"no file on disk for report {report_id}")
        return Path(path)

    def submit_upload(self, filename: str, data: bytes) -> dict[str, Any]:
        """Store an uploaded PDF and queue it for the background ingest; returns the job."""
        return self.uploads.submit(filename, data)

    def submit_url(self, url: str) -> dict[str, Any]:
        """Queue the fetch and ingest of the PDF at `url`; returns the job. UrlRefused (at once)
        for a URL the fetcher must not reach."""
        return self.uploads.submit_url(url)

    def job(self, job_id: str) -> dict[str, Any]:
        """The state of an upload or URL job."""
        return self.uploads.get(job_id)

    def download(self, urls: list[str]) -> list[downloads_mod.Download]:
        """Fetch the PDFs at `urls` into the uploads folder, for an ingest to take in. Every
        URL is checked before any is fetched (UrlRefused); a failed fetch is in its result."""
        fetcher = downloads_mod.fetcher_for(self.settings)
        for url in urls:
            with contextlib.suppress(FetchError):  # unresolvable: its download says so
                fetcher.check(url)
        return [downloads_mod.download(self.settings, u, fetcher=fetcher) for u in urls]

    # --- followed feeds (see indexer.follows) ------------------------------------------------

    def follows(self) -> list[dict[str, Any]]:
        """Every followed feed with the outcome of its last run."""
        return follows_mod.follows(self.settings)

    def add_follow(self, url: str) -> dict[str, Any]:
        """Follow the RSS/Atom feed or sitemap at `url` (read once now to check it)."""
        return follows_mod.add_follow(self.settings, url)

    def remove_follow(self, follow_id: str) -> None:
        """Stop following a feed; the reports it brought stay."""
        follows_mod.remove_follow(self.settings, follow_id)

    def run_follows(
        self, only: str | None = None, max_new: int = follows_mod.MAX_NEW
    ) -> list[follows_mod.FollowRun]:
        """Fetch and ingest the new PDFs of every followed feed (or of `only`), now."""
        return follows_mod.run_follows(
            self.settings, lambda paths: self.ingest(paths), only=only, max_new=max_new
        )

    def request_follow_run(self) -> None:
        """Run every followed feed on the background worker, after the queued uploads."""
        self.uploads.request_follow_run()

    def delete_report(self, report_id: str) -> None:
        """Remove a report from catalog and index. Uploaded files are deleted; files in
        ingested folders are marked excluded, so the next ingest does not bring them back."""
        uploads = str(self.settings.uploads_dir.resolve()) + "/"
        with self._catalog() as catalog:
            self._report_row(catalog, report_id)
            with catalog.transaction():
                forgotten = catalog.exclude(report_id, forget_under=uploads)
            for path in forgotten:
                shutil.rmtree(Path(path).parent, ignore_errors=True)
            records_mod.link_versions(catalog)
        self._sync_soon()

    def oai(self, pairs: list[tuple[str, str]], repo: oai_mod.Repository) -> bytes:
        """The OAI-PMH response (XML) to a request with arguments `pairs` (see `indexer.oai`)."""
        with self._catalog() as catalog:
            return oai_mod.respond(catalog, pairs, repo)

    def old_forms(self) -> int:
        """How many reports were extracted before the page text forms of this version (the
        next ingest of their folders extracts them again)."""
        with self._catalog() as catalog:
            return len(catalog.old_forms())

    def rebuild(self, progress: ingest_mod.Progress | None = None) -> int:
        """Recreate the index from the catalog; returns how many reports are searchable.
        `progress` hears ("rebuilding", reports done, reports)."""
        count = ingest_mod.rebuild(self.settings, progress=progress)
        with self._lock:
            self._index = None
        return count

    def check(self, *, fix: bool = False) -> check_mod.CheckResult:
        """Catalog, index and files checked against each other (see `indexer.check`); with
        `fix`, what can be repaired without losing edits is, and the result is what remains."""
        found = check_mod.check(self.settings, lambda: self.index)
        damaged = any(p.kind == "catalog_damaged" for p in found.problems)
        if not fix or found.ok or damaged:  # a damaged catalog is never a source to fix from
            return found
        changed = check_mod.fix(self.settings, self.index, found)
        if any(p.kind == "index_damaged" for p in found.problems):
            with self._lock:
                self._index = None  # rebuilt beside the old one: open the new one
        if changed:
            self.ingest(changed)
        after = check_mod.check(self.settings, lambda: self.index)
        after.fixed = True
        return after

    def close(self) -> None:
        """Close the index's open files and stop the page renderer's worker."""
        with self._lock:
            if self._index is not None:
                self._index.close()
                self._index = None
        self.renderer.close()

    def backup(self, target: Path) -> dict[str, Any]:
        """A consistent copy of the data folder in `target`, taken while the service runs
        (see `indexer.backup`)."""
        return backup_mod.backup(self.settings, target)


def _file_id(path: Path) -> tuple[int, int] | None:
    """Which file is at `path` (device, inode), or None when there is none."""
    try:
        stat = os.stat(path)
    except FileNotFoundError:
        return None
    return stat.st_dev, stat.st_ino


def _version(row: Any, current: str) -> dict[str, Any]:
    values = json.loads(row["meta"] or "{}").get("values", {})
    return {
        "report_id": row["report_id"],
        "date": values.get("date"),
        "version": values.get("version"),
        "title": values.get("title"),
        "current": row["report_id"] == current,
    }
