"""Upload jobs, driven directly: queued, ingested by the worker thread, resumed after a stop."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest

from indexer.errors import NotFound, TooLarge, UnsupportedFile
from indexer.library import Library
from tests.pdfs import make_pdf


def wait_for(lib: Library, job_id: str, timeout: float = 60) -> dict:
    """The job once it is done or failed (polled, bounded)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = lib.job(job_id)
        if job["status"] in ("done", "failed"):
            return job
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} still {lib.job(job_id)['status']} after {timeout} s")


def pdf_bytes(tmp_path: Path, word: str) -> bytes:
    return make_pdf(tmp_path / f"{word}.pdf", [f"{word} on the first page"]).read_bytes()


def test_an_upload_is_queued_then_ingested_and_searchable(tmp_path: Path, lib: Library) -> None:
    job = lib.submit_upload("../../etc/report one.pdf", pdf_bytes(tmp_path, "wombat"))
    assert job["status"] in ("queued", "running")
    done = wait_for(lib, job["job_id"])
    assert (done["status"], done["error"], done["reason"]) == ("done", None, None)
    stored = Path(lib.reports()[0]["files"][0]["path"])
    assert stored.is_relative_to(lib.settings.uploads_dir.resolve())  # never outside uploads/
    assert [h.report_id for h in lib.search("wombat").hits] == [done["report_id"]]


def test_bad_uploads_are_refused_before_a_job_exists(tmp_path: Path, lib: Library) -> None:
    with pytest.raises(UnsupportedFile):
        lib.submit_upload("notes.pdf", b"just some text, not a PDF")
    big = b"%PDF-1.7\n" + b"0" * (lib.settings.max_upload_mb * 1024 * 1024)
    with pytest.raises(TooLarge):
        lib.submit_upload("big.pdf", big)
    with pytest.raises(NotFound):
        lib.job("no-such-job")


def test_jobs_left_queued_by_a_stopped_server_are_resumed(tmp_path: Path, lib: Library) -> None:
    job = lib.submit_upload("kept.pdf", pdf_bytes(tmp_path, "quokka"))
    wait_for(lib, job["job_id"])
    # As if the server had stopped before the worker took the job: back to queued.
    with sqlite3.connect(lib.settings.catalog_path) as db:
        db.execute("UPDATE jobs SET status = 'queued' WHERE job_id = ?", (job["job_id"],))
    lib.close()
    restarted = Library(lib.settings)
    restarted.uploads.resume()
    assert wait_for(restarted, job["job_id"])["status"] == "done"
    assert len(restarted.search("quokka").hits) == 1
    restarted.close()
