"""Uploads and URLs: saved under the data folder and ingested one at a time by a background
thread, which also runs the follow runs a librarian asks for.

A request only stores the file (or checks the URL) and a `queued` job row, so it never waits
for a fetch or an ingest. Jobs live in the catalog, so a job that was queued or running when
the server stopped is picked up again when it next starts. When several server processes share
the data folder (`shared`), only the one elected by `indexer.runner` runs the thread.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .catalog import Catalog, now
from .config import Settings
from .downloads import download, fetcher_for, safe_filename
from .errors import FetchError, IndexUnavailable, NotFound, TooLarge, UnsupportedFile
from .extract import HEADER_WINDOW
from .ingest import DELETED, IngestSummary, hash_file, report_id_for
from .models import EXCLUDED, FAILED, MISSING
from .runner import ELECTION_S, POLL_S, Request, RunnerLock

log = logging.getLogger(__name__)

QUEUED, RUNNING, DONE = "queued", "running", "done"
Ingest = Callable[[list[Path]], IngestSummary]


class UploadQueue:
    """Stores uploads and runs their ingest on one worker thread, started on first use.

    `shared`: this is one of several processes serving the data folder. The thread then runs
    only in the process holding `indexer.runner.RunnerLock`; every other process has a thread
    that waits to take over, and asks for syncs and follow runs through `runner.Request`s.
    """

    def __init__(
        self,
        settings: Settings,
        ingest: Ingest,
        sync: Callable[[], object],
        follow: Callable[[], object] | None = None,
        *,
        shared: bool = False,
    ) -> None:
        self.settings = settings
        self._ingest = ingest
        self._sync = sync
        self._follow = follow
        self._sync_wanted = threading.Event()
        self._follow_wanted = threading.Event()
        self._following = False
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self.shared = shared
        self._runner = RunnerLock(settings.data)
        self._sync_asked = Request(settings.data, "sync")
        self._follow_asked = Request(settings.data, "follow-run")

    def submit(self, filename: str, data: bytes) -> dict[str, Any]:
        """Store an uploaded PDF and queue its ingest; returns the job.

        Raises TooLarge over the size limit and UnsupportedFile when the bytes are not a PDF.
        """
        limit = self.settings.max_upload_mb * 1024 * 1024
        if len(data) > limit:
            raise TooLarge(f"the file is {len(data)} bytes; the limit is {limit} bytes")
        if b"%PDF-" not in data[:HEADER_WINDOW]:
            raise UnsupportedFile(f"{filename or 'the upload'} is not a PDF (no %PDF header)")
        job_id = uuid.uuid4().hex
        folder = self.settings.uploads_dir / job_id
        folder.mkdir(parents=True)
        path = folder / safe_filename(filename)
        path.write_bytes(data)
        return self._queue(job_id, filename, str(path.resolve()), None)

    def submit_url(self, url: str) -> dict[str, Any]:
        """Queue the fetch and ingest of the PDF at `url`; returns the job. The URL is checked
        first: UrlRefused (at once) for an address inside; the rest is the job's."""
        url = url.strip()
        # A name that cannot be resolved now is the job's to try again and report.
        with contextlib.suppress(FetchError):
            fetcher_for(self.settings).check(url)
        return self._queue(uuid.uuid4().hex, url, "", url)

    def _queue(self, job_id: str, filename: str, path: str, url: str | None) -> dict[str, Any]:
        with Catalog(self.settings.catalog_path) as catalog:
            catalog.db.execute(
                "INSERT INTO jobs (job_id, filename, path, url, status, report_id, error,"
                " reason, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
                (job_id, filename, path, url, QUEUED, None, None, None, now(), now()),
            )
        job = self.get(job_id)  # as recorded, before the worker can pick it up
        self._start()
        self._wake.set()
        return job

    def request_follow_run(self) -> None:
        """Ask the worker to run every follow (new PDFs in the feeds) when it is free."""
        if self.shared:
            self._follow_asked.ask()
        else:
            self._follow_wanted.set()
        self._start()
        self._wake.set()

    @property
    def follow_run_pending(self) -> bool:
        """Whether a follow run was asked for and has not finished."""
        if self.shared:
            return self._follow_asked.pending
        return self._follow_wanted.is_set() or self._following

    def request_sync(self) -> None:
        """Ask the worker to bring the index up to date with the catalog (it retries)."""
        if self.shared:
            self._sync_asked.ask()
        else:
            self._sync_wanted.set()
        self._start()
        self._wake.set()

    def resume(self) -> None:
        """Start the worker if jobs were left queued or running by a previous server (shared:
        start this process's candidate thread, which runs the worker once it is elected)."""
        if self.shared:
            self._start()
            return
        with Catalog(self.settings.catalog_path) as catalog:
            pending = catalog.db.execute(
                "SELECT 1 FROM jobs WHERE status IN (?, ?) LIMIT 1", (QUEUED, RUNNING)
            ).fetchone()
        if pending:
            self._start()

    def get(self, job_id: str) -> dict[str, Any]:
        """A job's state: job_id, status (queued|running|done|failed), filename, url (of a job
        that fetches its file), report_id, and
        for a failed job its error and reason (errors.REASONS, or None when it is none of them)."""
        with Catalog(self.settings.catalog_path) as catalog:
            row = catalog.db.execute(
                "SELECT job_id, status, filename, url, report_id, error, reason, created_at,"
                " updated_at FROM jobs WHERE job_id = ?",
                (job_id,),
            ).fetchone()
        if row is None:
            raise NotFound(f"no upload job with id {job_id!r}")
        return dict(row)

    def _start(self) -> None:
        target = self._campaign if self.shared else self._run
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=target, name="ingest", daemon=True)
                self._thread.start()

    def _campaign(self) -> None:
        """A candidate (shared): wait to be elected runner, then be the worker for good."""
        while not self._runner.take():
            time.sleep(ELECTION_S)
        log.info("process %d runs the background worker", os.getpid())
        self._follow_asked.retake()  # a follow run the previous runner died in
        while True:  # this process keeps the lock: the worker must not end with an error
            try:
                self._run()
            except Exception:  # the catalog unusable for a moment (locked, disk full)
                log.exception("the background worker failed; it starts again")
                time.sleep(ELECTION_S)

    def _take_requests(self) -> None:
        """(shared) What other processes asked for since the last look."""
        if self._sync_asked.take():
            self._sync_wanted.set()
            self._sync_asked.done()  # a sync that fails is retried by this thread itself
        if self._follow_asked.asked.exists():
            self._follow_wanted.set()

    def _run(self) -> None:
        """The worker: ingest queued jobs in order, then sleep until the next upload (shared:
        look for jobs and requests of the other processes every POLL_S seconds)."""
        while True:
            if self.shared:
                self._take_requests()
            if self._sync_wanted.is_set():
                self._sync_wanted.clear()
                try:
                    self._sync()
                except IndexUnavailable:  # another process is writing: try again shortly
                    self._sync_wanted.set()
                    time.sleep(1)
                    continue
            job = self._next()
            if job is None:
                if self._follow_wanted.is_set():
                    self._run_follows()
                    continue
                self._wake.wait(timeout=POLL_S if self.shared else 60)
                self._wake.clear()
                continue
            job_id, path, url = job
            try:
                if url:
                    result = self._fetch_and_ingest(job_id, url)
                else:
                    result = self._ingest_one(Path(path))
            except Exception as e:  # a bug must not kill the worker: record it on the job
                log.exception("upload %s failed", job_id)
                result = _Result(FAILED, None, f"internal error: {e}")
            self._finish(job_id, result)

    def _run_follows(self) -> None:
        self._following = True
        self._follow_wanted.clear()
        taken = self.shared and self._follow_asked.take()
        try:
            if self._follow is not None:
                self._follow()
        except Exception:  # a bug must not kill the worker; each follow records its errors
            log.exception("follow run failed")
        finally:
            self._following = False
            if taken:
                self._follow_asked.done()

    def _fetch_and_ingest(self, job_id: str, url: str) -> _Result:
        """A URL job: fetch into the job's folder (again, if a stopped server left it half
        done), then ingest like an upload."""
        fetched = download(self.settings, url, folder=job_id)
        if fetched.path is None:
            return _Result(FAILED, None, fetched.error, fetched.reason)
        with Catalog(self.settings.catalog_path) as catalog:
            catalog.db.execute(
                "UPDATE jobs SET path = ? WHERE job_id = ?", (str(fetched.path.resolve()), job_id)
            )
        return self._ingest_one(fetched.path)

    def _ingest_one(self, path: Path) -> _Result:
        summary = self._ingest([path])
        outcome = next((f for f in summary.files if f.path == str(path.resolve())), None)
        if outcome is None:
            return _Result(FAILED, None, "the upload vanished before it was ingested")
        report_id = outcome.report_id or report_id_for(hash_file(path))
        with Catalog(self.settings.catalog_path) as catalog:
            report = catalog.report_row(report_id)
        # The report's status, not only the file's: bytes already known are attached to their
        # report, and this path is a `duplicate` of a failed or deleted one when it sorts after.
        if report is not None and report["status"] in (FAILED, EXCLUDED):
            error = DELETED if report["status"] == EXCLUDED else report["error"]
            return _Result(FAILED, report_id, outcome.error or error, report["reason"])
        if outcome.status in (FAILED, MISSING, EXCLUDED):
            return _Result(FAILED, outcome.report_id, outcome.error, outcome.reason)
        return _Result(DONE, report_id)

    def _next(self) -> tuple[str, str, str | None] | None:
        with Catalog(self.settings.catalog_path) as catalog:
            with catalog.transaction() as db:
                # `running` jobs are ones a stopped server left behind: run them again.
                row = db.execute(
                    "SELECT job_id, path, url FROM jobs WHERE status IN (?, ?)"
                    " ORDER BY created_at, job_id LIMIT 1",
                    (QUEUED, RUNNING),
                ).fetchone()
                if row:
                    db.execute(
                        "UPDATE jobs SET status = ?, updated_at = ? WHERE job_id = ?",
                        (RUNNING, now(), row[0]),
                    )
            return (row[0], row[1], row[2]) if row else None

    def _finish(self, job_id: str, result: _Result) -> None:
        with Catalog(self.settings.catalog_path) as catalog:
            catalog.db.execute(
                "UPDATE jobs SET status = ?, report_id = ?, error = ?, reason = ?, updated_at = ?"
                " WHERE job_id = ?",
                (result.status, result.report_id, result.error, result.reason, now(), job_id),
            )


@dataclass
class _Result:
    """How an upload's ingest ended, as its job records it."""

    status: str
    report_id: str | None
    error: str | None = None
    reason: str | None = None
