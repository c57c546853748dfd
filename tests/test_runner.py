"""The runner of shared upload queues (several server processes on one data folder), driven
in one process: flock() locks of two open files conflict within a process too, so of two
shared queues exactly one is elected, as of two processes."""

from __future__ import annotations

import time
from pathlib import Path

from indexer.config import Settings
from indexer.library import Library
from indexer.runner import RUNNER_LOCK, Request, RunnerLock
from tests.pdfs import make_pdf
from tests.test_jobs import wait_for


def test_a_request_is_pending_from_ask_until_done_and_taken_again_after_a_death(
    tmp_path: Path,
) -> None:
    request = Request(tmp_path, "follow-run")
    assert not request.pending and not request.take()
    request.ask()
    assert request.pending and request.take()
    request.ask()  # asked again while under way: done once more after
    request.done()
    assert request.pending and request.take()
    request.retake()  # the runner died in it: the next one takes it again
    assert request.take()
    request.done()
    assert not request.pending


def test_the_runner_lock_is_taken_once_and_names_its_process(tmp_path: Path) -> None:
    first, second = RunnerLock(tmp_path), RunnerLock(tmp_path)
    assert first.take() and first.take()  # holding it, it says so again
    assert not second.take()
    assert int((tmp_path / RUNNER_LOCK).read_text()) > 0


def test_of_two_shared_queues_one_runs_what_either_was_asked(tmp_path: Path) -> None:
    settings = Settings.from_env(data=tmp_path / "data", ocr="off")
    libraries = [Library(settings, shared=True) for _ in range(2)]
    for library in libraries:
        library.uploads.resume()  # both are candidates
    pdf = make_pdf(tmp_path / "echidna.pdf", ["An echidna on the first page."]).read_bytes()
    jobs = [lib.submit_upload(f"echidna-{n}.pdf", pdf) for n, lib in enumerate(libraries)]
    done = [wait_for(libraries[0], job["job_id"]) for job in jobs]
    assert [job["status"] for job in done] == ["done", "done"]
    assert len({job["report_id"] for job in done}) == 1  # the same bytes: one report
    assert len(libraries[1].search("echidna").hits) == 1
    held = [lib.uploads._runner._fd is not None for lib in libraries]
    assert sorted(held) == [False, True]
    # A follow run asked of either is pending until the runner has run it.
    libraries[held.index(False)].request_follow_run()
    assert libraries[0].uploads.follow_run_pending
    deadline = time.monotonic() + 30
    while libraries[1].uploads.follow_run_pending:
        assert time.monotonic() < deadline, "the follow run was never run"
        time.sleep(0.1)
    for library in libraries:
        library.close()
