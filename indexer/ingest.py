"""Ingest: scan folders -> hash -> extract (in worker processes) -> catalog -> index.

Incremental: a file whose size and mtime are unchanged is skipped; otherwise it is hashed, and
only bytes the catalog has never seen are extracted. Each file lands in the catalog in one
transaction; the index follows the catalog (`sync_index`), so a run killed at any point is
finished by the next run.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from . import ocr as ocr_mod
from .catalog import Catalog
from .config import Settings
from .crashpoints import crash_point
from .engine import SearchEngine, build_beside, open_engine
from .errors import (
    DAMAGED,
    CatalogDamaged,
    ExtractionError,
    IndexUnavailable,
    NotFound,
    OcrUnavailable,
)
from .metadata import read_sidecar
from .models import EXCLUDED, FAILED, INDEXED, MISSING, NO_TEXT, OK, STATUSES, Document
from .records import link_versions, refresh
from .workers import extract_all
from .writelock import WriteLock

log = logging.getLogger(__name__)

UNCHANGED = "unchanged"
DELETED = "this report was deleted from the collection"
Progress = Callable[[str, int, int], None]  # (phase, done, total)
# How long a sync on its own (the server's, after an edit or a delete) waits for another writer
# before it leaves the work to that writer's own final sync or to a later retry.
SYNC_WAIT_S = 5.0
PARALLEL_PAGES = 100  # pages a commit analyses in several processes (`_procs`)


@dataclass
class FileOutcome:
    """What happened to one file in this run."""

    path: str
    status: str
    report_id: str | None = None
    error: str | None = None
    reason: str | None = None  # why it failed, for programs: one of errors.REASONS


@dataclass
class IngestSummary:
    """The result of an ingest run: counts per status and one line per file."""

    files: list[FileOutcome] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        """How many files ended in each status (`unchanged` for the skipped ones).

        `excluded` (bytes a librarian deleted, found again) is counted only when it occurs, so
        the usual shape stays the six statuses of the CLI contract.
        """
        counts = dict.fromkeys((*STATUSES, UNCHANGED), 0)
        for f in self.files:
            counts[f.status] = counts.get(f.status, 0) + 1
        return counts

    def to_dict(self) -> dict[str, Any]:
        """The `ingest --json` shape."""
        return {"counts": self.counts, "files": [asdict(f) for f in self.files]}


@dataclass
class _Pending:
    """Files whose bytes (one report) must be extracted."""

    sha256: str
    paths: list[tuple[str, int, int, str | None]]  # path, size, mtime_ns, previous report id


def scan(paths: Iterable[Path]) -> list[Path]:
    """The PDF files named or found (recursively) under `paths`, resolved, sorted, unique."""
    found: set[Path] = set()
    for given in paths:
        path = given.resolve()
        if path.is_file():
            found.add(path)
        elif path.is_dir():
            found.update(p.resolve() for p in path.rglob("*") if _is_pdf_name(p) and p.is_file())
        else:
            raise NotFound(f"no such file or folder: {given}")
    return sorted(found)


def _is_pdf_name(path: Path) -> bool:
    return path.suffix.lower() == ".pdf" and not path.name.startswith(".")


def hash_file(path: Path) -> str:
    """The SHA-256 of a file's bytes, in hex."""
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def report_id_for(sha256: str) -> str:
    """A report's id: the first 16 hex digits of the SHA-256 of its bytes."""
    return sha256[:16]


def ingest(
    settings: Settings,
    paths: Iterable[Path],
    *,
    prune: bool = False,
    retry_failed: bool = False,
    progress: Progress | None = None,
) -> IngestSummary:
    """Bring catalog and index up to date with the PDFs under `paths`.

    Raises NotFound when a path does not exist, and Busy when another writer holds the data
    folder for longer than `settings.lock_timeout` (both before anything is changed). On
    KeyboardInterrupt the work done so far is committed to the index, then it re-raises.
    """
    roots = [Path(p) for p in paths]
    found = scan(roots)
    with WriteLock(settings.data).hold(settings.lock_timeout):
        return _ingest(settings, roots, found, prune, retry_failed, progress)


def _ingest(
    settings: Settings,
    roots: list[Path],
    found: list[Path],
    prune: bool,
    retry_failed: bool,
    progress: Progress | None,
) -> IngestSummary:
    catalog = Catalog(settings.catalog_path)
    index = open_index(settings, catalog)
    summary = IngestSummary()
    unsynced = 0  # pages recorded since the index last committed
    try:
        _forget_vanished(
            catalog, [r.resolve() for r in roots], set(map(str, found)), prune, summary
        )
        pending = _attach_known(catalog, found, retry_failed, summary, progress)
        unsynced = _extract_pending(settings, catalog, index, pending, summary, progress)
        _apply_sidecars(catalog, found)
        refresh(catalog)
        link_versions(catalog)
    finally:
        crash_point("ingest.before_sync")
        sync_index(catalog, index, procs=_procs(settings, unsynced))
        if catalog.dirty():  # changed while we synced (a delete in the web app): once more
            sync_index(catalog, index)
        catalog.close()
    summary.files.sort(key=lambda f: f.path)
    return summary


def read_with_ocr(
    settings: Settings, report_ids: Iterable[str] = (), *, progress: Progress | None = None
) -> IngestSummary:
    """Extract again, OCR on, `report_ids`, else the reports that wait for OCR (without text,
    or with garbled pages, where a page not read as text has not been through OCR:
    `Catalog.waiting_for_ocr`); every page no extractor reads is OCR'd. Their files must be
    as they were ingested (a changed one is left for `ingest`). Raises OcrUnavailable when
    Tesseract is missing or INDEXER_OCR is off, NotFound for an unknown report, Busy as
    `ingest` does.
    """
    if not ocr_mod.enabled(settings.ocr):
        raise OcrUnavailable(ocr_mod.unavailable_reason(settings.ocr))
    wanted = list(report_ids)
    with WriteLock(settings.data).hold(settings.lock_timeout):
        catalog = Catalog(settings.catalog_path)
        index = open_index(settings, catalog)
        summary = IngestSummary()
        try:
            pending = _unread_pending(catalog, wanted or catalog.waiting_for_ocr(), summary)
            _extract_pending(settings, catalog, index, pending, summary, progress)
            refresh(catalog)
            link_versions(catalog)
        finally:
            sync_index(catalog, index)
            catalog.close()
    summary.files.sort(key=lambda f: f.path)
    return summary


def _unread_pending(
    catalog: Catalog, report_ids: Iterable[str], summary: IngestSummary
) -> dict[str, _Pending]:
    """The reports to extract again, with their files still as the catalog saw them."""
    pending: dict[str, _Pending] = {}
    for report_id in report_ids:
        row = catalog.report_row(report_id)
        if row is None or row["status"] == EXCLUDED:
            raise NotFound(f"no report with id {report_id}")
        for f in catalog.files_of(report_id):
            if f.status in (MISSING, EXCLUDED):
                continue
            try:
                stat = Path(f.path).stat()
            except OSError as e:
                summary.files.append(FileOutcome(f.path, f.status, report_id, f"cannot read: {e}"))
                continue
            if (stat.st_size, stat.st_mtime_ns) != (f.size, f.mtime_ns):
                error = "changed since it was ingested: run `indexer ingest` on it"
                summary.files.append(FileOutcome(f.path, f.status, report_id, error))
                continue
            entry = pending.setdefault(report_id, _Pending(row["sha256"], []))
            entry.paths.append((f.path, f.size, f.mtime_ns, report_id))
    return pending


def open_index(settings: Settings, catalog: Catalog) -> SearchEngine:
    """Open the index; if it had to be recreated, mark every report for re-indexing."""
    index = open_engine(settings)
    # Recreated empty by another process or object that did not fill it: refill it too.
    emptied = not index.needs_rebuild and index.is_empty() and bool(catalog.searchable_ids())
    if index.needs_rebuild or emptied:
        log.warning("index was missing a schema version or damaged; rebuilding from the catalog")
        catalog.mark_all_dirty()
        index.needs_rebuild = True
    return index


def stranded(catalog: Catalog, index: SearchEngine) -> set[str]:
    """Reports the index answers for that the catalog neither holds as searchable nor is about
    to sync (a deleted or replaced catalog): the index must not answer before a sync."""
    return index.report_ids() - catalog.searchable_ids() - catalog.dirty().keys()


def check_catalog(path: Path) -> None:
    """Raise CatalogDamaged unless the catalog at `path` passes sqlite's integrity check."""
    if not path.exists():
        return
    try:
        db = sqlite3.connect(path, timeout=30)
        try:
            problems = [row[0] for row in db.execute("PRAGMA integrity_check(5)")]
        finally:
            db.close()
    except sqlite3.DatabaseError as exc:
        problems = [str(exc)]
    if problems != ["ok"]:
        raise CatalogDamaged(
            f"the catalog {path} is damaged ({'; '.join(problems)}); the index was left as it"
            " was: restore the catalog from a backup, or ingest the PDFs into a new data folder"
        )


def rebuild(settings: Settings, *, progress: Progress | None = None) -> int:
    """Recreate the index from the catalog without reading any PDF; returns the report count.

    The new index is built beside the old one, which serves until the new one is complete and
    stays if anything fails. Pages are analysed by `settings.workers` processes; `progress`
    hears ("rebuilding", reports done, reports). Raises CatalogDamaged (changing nothing) for a
    damaged catalog, and Busy when another writer holds the data folder longer than
    `settings.lock_timeout`.
    """
    with WriteLock(settings.data).hold(settings.lock_timeout):
        check_catalog(settings.catalog_path)
        with Catalog(settings.catalog_path) as catalog:
            try:
                refresh(catalog)
                link_versions(catalog)
                seen = catalog.dirty()
                wanted = sorted(catalog.searchable_ids())

                def fill(new: SearchEngine) -> None:
                    added = 0
                    with new.writer(procs=max(1, settings.workers)) as w:
                        for done, report_id in enumerate(wanted, 1):
                            pages = catalog.pages(report_id, only_ok=True)
                            added += w.add_report(catalog.report(report_id), pages)
                            if progress:
                                progress("rebuilding", done, len(wanted))
                    # The writer processes' work is checked, not trusted: one that died
                    # would leave its pages out without an error.
                    indexed = sum(new.page_counts().values())
                    if indexed != added:
                        raise IndexUnavailable(
                            f"the rebuilt index holds {indexed} of {added} pages; the old"
                            " index was kept: run `indexer rebuild` again"
                        )

                build_beside(settings, fill)
            except sqlite3.DatabaseError as exc:
                raise CatalogDamaged(
                    f"the catalog {settings.catalog_path} cannot be read ({exc}); the index"
                    " was left as it was"
                ) from exc
            catalog.mark_clean(seen)
            return len(wanted)


def sync_index(
    catalog: Catalog,
    index: SearchEngine,
    *,
    wait: float | None = SYNC_WAIT_S,
    merge: bool = True,
    procs: int = 1,
) -> int:
    """Make the index show exactly the searchable reports of the catalog; returns their count.

    Idempotent: reports are deleted and re-added as a whole, and marked clean only after the
    index committed, so a crash in between just repeats the work next time. Holds the data
    folder's WriteLock (free inside an ingest or rebuild of this thread); raises Busy when
    another writer keeps it longer than `wait` seconds. `merge` and `procs`: see
    `SearchEngine.writer`.
    """
    wanted, to_delete, to_add, dirty = _index_changes(catalog, index)
    added: dict[str, int] = {}
    if to_delete or to_add:
        lock = WriteLock(catalog.path.parent)
        with lock.hold(wait, notice=None), index.writer(merge=merge, procs=procs) as w:
            # Read again under the write lock: another writer may have synced meanwhile.
            wanted, to_delete, to_add, dirty = _index_changes(catalog, index)
            for report_id in sorted(to_delete):
                w.delete_report(report_id)
            for report_id in sorted(to_add):
                report, pages = catalog.report(report_id), catalog.pages(report_id, only_ok=True)
                added[report_id] = w.add_report(report, pages)
    short = _short(index, added) if procs > 1 else set()
    catalog.mark_clean({r: stamp for r, stamp in dirty.items() if r not in short})
    if short:
        # A writer process died (killed, out of memory): its pages never reached the index.
        with catalog.transaction():
            for report_id in short:
                catalog.settle(report_id)  # dirty again: the next sync adds them again
        raise IndexUnavailable(
            f"the index lacks pages of {len(short)} reports after a commit; the next ingest"
            " (or the web app's next sync) indexes them again"
        )
    return len(wanted)


def _short(index: SearchEngine, added: dict[str, int]) -> set[str]:
    """The reports the index holds fewer pages of than were added: the work of writer
    processes is checked, not trusted."""
    held = index.page_counts()
    return {report_id for report_id, count in added.items() if held.get(report_id, 0) < count}


def _index_changes(
    catalog: Catalog, index: SearchEngine
) -> tuple[set[str], set[str], set[str], dict[str, int]]:
    """Searchable reports, reports to delete from and add to the index, and the dirty stamps."""
    wanted = catalog.searchable_ids()
    have = index.report_ids()
    dirty = catalog.dirty()
    to_delete = (have - wanted) | (dirty.keys() & have)
    to_add = (wanted - have) | (dirty.keys() & wanted)
    return wanted, to_delete, to_add, dirty


def _forget_vanished(
    catalog: Catalog, roots: list[Path], found: set[str], prune: bool, summary: IngestSummary
) -> None:
    """Files the catalog knows under `roots` that are gone become `missing` (or, with prune, go)."""
    for row in catalog.files_under(roots):
        if row.path in found or row.status == EXCLUDED:
            continue
        if row.status != MISSING or prune:
            summary.files.append(FileOutcome(row.path, MISSING, row.report_id))
        with catalog.transaction():
            if prune:
                catalog.delete_file(row.path)
            else:
                catalog.mark_missing(row.path)
            catalog.settle(row.report_id)


def _attach_known(
    catalog: Catalog,
    found: list[Path],
    retry_failed: bool,
    summary: IngestSummary,
    progress: Progress | None,
) -> dict[str, _Pending]:
    """Skip unchanged files, attach files whose bytes are known; return what must be extracted."""
    pending: dict[str, _Pending] = {}
    # Reports extracted under older text forms are extracted again from their files.
    old = catalog.old_forms()
    for done, path in enumerate(found, 1):
        if progress:
            progress("checking", done, len(found))
        key = str(path)
        try:
            stat = path.stat()
        except OSError as e:  # vanished or unreadable between scan and now
            summary.files.append(
                FileOutcome(key, FAILED, error=f"cannot read file: {e}", reason=DAMAGED)
            )
            continue
        row = catalog.file(key)
        if row and row.status == EXCLUDED:  # deleted by a librarian: stays out
            summary.files.append(FileOutcome(key, UNCHANGED, row.report_id))
            continue
        same_stat = row and row.size == stat.st_size and row.mtime_ns == stat.st_mtime_ns
        if (
            row
            and same_stat
            and row.status != MISSING
            and not (retry_failed and row.status == FAILED)
        ):
            if row.report_id in old:
                entry = pending.setdefault(row.report_id, _Pending(old[row.report_id], []))
                entry.paths.append((key, stat.st_size, stat.st_mtime_ns, row.report_id))
            else:
                summary.files.append(FileOutcome(key, UNCHANGED, row.report_id))
            continue
        try:
            sha = hash_file(path)
        except OSError as e:
            summary.files.append(
                FileOutcome(key, FAILED, error=f"cannot read file: {e}", reason=DAMAGED)
            )
            continue
        report_id = report_id_for(sha)
        previous = row.report_id if row else None
        known = catalog.report_row(report_id)
        retry = retry_failed and known is not None and known["status"] == FAILED
        redo = retry or report_id in old
        if known is not None and not redo:
            with catalog.transaction():
                catalog.put_file(key, report_id, stat.st_size, stat.st_mtime_ns)
                catalog.settle(report_id)
                if previous and previous != report_id:
                    catalog.settle(previous)
            touched_only = row is not None and previous == report_id and row.status != MISSING
            status = UNCHANGED if touched_only else _file_status(catalog, key)
            error = DELETED if status == EXCLUDED else known["error"]
            reason = None if status == EXCLUDED else known["reason"]
            summary.files.append(FileOutcome(key, status, report_id, error, reason))
        else:
            entry = pending.setdefault(report_id, _Pending(sha, []))
            entry.paths.append((key, stat.st_size, stat.st_mtime_ns, previous))
    return pending


def _extract_pending(
    settings: Settings,
    catalog: Catalog,
    index: SearchEngine,
    pending: dict[str, _Pending],
    summary: IngestSummary,
    progress: Progress | None,
) -> int:
    """Extract each new report once (in parallel), OCR what no extractor read when OCR is on,
    record it, and keep the index following; returns how many pages it recorded since the
    index last committed."""
    by_path = {entry.paths[0][0]: (report_id, entry) for report_id, entry in pending.items()}
    ocr_langs = settings.ocr_langs if ocr_mod.enabled(settings.ocr) else None
    results = extract_all(
        [Path(p) for p in by_path],
        workers=settings.workers,
        timeout=settings.extract_timeout,
        memory_mb=settings.worker_memory_mb,
        max_content_mb=settings.max_content_mb,
        ocr_langs=ocr_langs,
        extractor=settings.extractor,
    )
    # closing(): on an error here the pool stops now, not when the generator is collected at
    # interpreter exit, where starting its log thread would hang the process.
    with contextlib.closing(results):
        return _record_all(settings, catalog, index, by_path, results, summary, progress)


def _record_all(
    settings: Settings,
    catalog: Catalog,
    index: SearchEngine,
    by_path: dict[str, tuple[str, _Pending]],
    results: Iterator[tuple[Path, Document | ExtractionError]],
    summary: IngestSummary,
    progress: Progress | None,
) -> int:
    reports, pages, last_sync = 0, 0, time.monotonic()
    for done, (path, result) in enumerate(results, 1):
        # Synced before the next report is recorded, not after the last: the ingest's final
        # sync, which merges the index's segments, always has the last batch to commit. The
        # interim commits leave the merging to it: merging at every batch made each one cost
        # more the larger the index grew. Between commits the workers go on extracting, and
        # a commit analyses its pages in as many processes, so the index follows closely.
        full = reports >= settings.commit_every or pages >= settings.commit_pages
        if full or time.monotonic() - last_sync > 30:
            sync_index(catalog, index, merge=False, procs=_procs(settings, pages))
            reports, pages, last_sync = 0, 0, time.monotonic()
        report_id, entry = by_path[str(path)]
        crash_point("ingest.after_extract")
        _record(catalog, report_id, entry, result, summary)
        reports += 1
        pages += len(result.pages) if isinstance(result, Document) else 0
        if progress:
            progress("extracting", done, len(by_path))
    return pages


def _procs(settings: Settings, pages: int) -> int:
    """The processes a commit of `pages` pages analyses them in: one for a few (starting
    processes costs more than it saves)."""
    return settings.workers if pages >= PARALLEL_PAGES else 1


def _record(
    catalog: Catalog,
    report_id: str,
    entry: _Pending,
    result: Document | ExtractionError,
    summary: IngestSummary,
) -> None:
    """Write one extracted (or failed) report and all its files in one transaction."""
    if isinstance(result, ExtractionError):
        doc, status, error, reason = None, FAILED, str(result), result.reason
        log.warning("%s: %s", entry.paths[0][0], error)
    else:
        doc, error, reason = result, None, None
        status = INDEXED if any(p.quality == OK for p in result.pages) else NO_TEXT
    with catalog.transaction():
        catalog.put_report(report_id, entry.sha256, doc, status, error, reason)
        for path, size, mtime_ns, _ in entry.paths:
            catalog.put_file(path, report_id, size, mtime_ns)
        catalog.settle(report_id)
        for _, _, _, previous in entry.paths:
            if previous and previous != report_id:
                catalog.settle(previous)
    crash_point("ingest.after_record")
    if doc is not None:
        with catalog.transaction():
            catalog.set_sidecar(report_id, read_sidecar(Path(entry.paths[0][0]), entry.sha256))
        refresh(catalog, [report_id])
    for path, *_ in entry.paths:
        outcome = FileOutcome(path, _file_status(catalog, path), report_id, error, reason)
        summary.files.append(outcome)


def _apply_sidecars(catalog: Catalog, found: list[Path]) -> None:
    """Take in sidecars added or changed beside files that were not extracted again (one
    transaction: most files have none, or an unchanged one)."""
    with catalog.transaction():
        for path in found:
            row = catalog.file(str(path))
            if row is None or row.status not in (INDEXED, NO_TEXT):
                continue
            report = catalog.report_row(row.report_id)
            if report is not None:
                catalog.set_sidecar(row.report_id, read_sidecar(path, report["sha256"]))


def _file_status(catalog: Catalog, path: str) -> str:
    row = catalog.file(path)
    assert row is not None, "called right after the file was recorded"
    return row.status
