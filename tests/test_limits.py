"""Files that would take a worker down fail on their own, with a reason, and the run goes on:
decompression bombs (memory and decoded-content caps), pages that all fail, password files
(also when uploaded again)."""

from __future__ import annotations

import io
import time
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from indexer.config import Settings
from indexer.errors import REASONS
from indexer.ingest import IngestSummary
from indexer.library import Library
from tests.pdfs import (
    make_empty_file,
    make_flate_bomb,
    make_not_a_pdf,
    make_password_pdf,
    make_pdf,
    make_unreadable_pages_pdf,
)

pytest_plugins = ["tests.web_fixtures"]

WALRUS = "The walrus census counted every tusk on the northern shore this spring."


def by_name(summary: IngestSummary) -> dict[str, dict[str, Any]]:
    return {Path(f["path"]).name: f for f in summary.to_dict()["files"]}


def report_of(lib: Library, name: str) -> dict[str, Any]:
    return next(r for r in lib.reports() if Path(r["files"][0]["path"]).name == name)


def test_a_bomb_over_the_content_cap_fails_too_large_and_the_next_file_is_indexed(
    tmp_path: Path,
) -> None:
    # 4 pages of 16 MB each (66 KB on disk): the cap is passed at page 3.
    make_flate_bomb(tmp_path / "in" / "a-bomb.pdf", pages=4, inflated_mb=16)
    make_pdf(tmp_path / "in" / "b-next.pdf", [WALRUS])
    lib = Library(Settings(data=tmp_path / "data", workers=1, max_content_mb=40))
    files = by_name(lib.ingest([tmp_path / "in"]))
    assert (files["a-bomb.pdf"]["status"], files["a-bomb.pdf"]["reason"]) == (
        "failed", "too_large"
    )  # fmt: skip
    assert "40 MB" in files["a-bomb.pdf"]["error"]
    assert (files["b-next.pdf"]["status"], files["b-next.pdf"]["reason"]) == ("indexed", None)
    assert report_of(lib, "a-bomb.pdf")["reason"] == "too_large"
    assert report_of(lib, "b-next.pdf")["reason"] is None
    assert lib.search("walrus").hits


def test_a_bomb_over_the_worker_memory_cap_fails_and_the_pool_keeps_working(
    tmp_path: Path,
) -> None:
    # One page drawing 12 forms of 64 MB each (0.8 MB on disk): 768 MB decoded at once.
    make_flate_bomb(tmp_path / "in" / "a-bomb.pdf", pages=1, inflated_mb=64, forms=12)
    make_pdf(tmp_path / "in" / "b-next.pdf", [WALRUS])
    make_pdf(tmp_path / "in" / "c-last.pdf", ["The narwhal count followed in the autumn."])
    settings = Settings(data=tmp_path / "data", workers=1, worker_memory_mb=400,
                        max_content_mb=100_000)  # fmt: skip
    lib = Library(settings)
    files = by_name(lib.ingest([tmp_path / "in"]))
    assert (files["a-bomb.pdf"]["status"], files["a-bomb.pdf"]["reason"]) == (
        "failed", "memory_limit"
    )  # fmt: skip
    assert "INDEXER_WORKER_MEMORY_MB" in files["a-bomb.pdf"]["error"]
    assert [files[n]["status"] for n in ("b-next.pdf", "c-last.pdf")] == ["indexed", "indexed"]
    assert report_of(lib, "a-bomb.pdf")["reason"] == "memory_limit"


def test_a_file_whose_every_page_failed_is_failed_not_no_text_and_is_retried(
    tmp_path: Path,
) -> None:
    make_unreadable_pages_pdf(tmp_path / "in" / "damaged.pdf", pages=3)
    make_pdf(tmp_path / "in" / "fine.pdf", [WALRUS])
    lib = Library(Settings(data=tmp_path / "data", workers=1))
    files = by_name(lib.ingest([tmp_path / "in"]))
    damaged = files["damaged.pdf"]
    assert (damaged["status"], damaged["reason"]) == ("failed", "damaged")
    assert "no page could be read" in damaged["error"]
    assert report_of(lib, "damaged.pdf")["status"] == "failed"

    assert by_name(lib.ingest([tmp_path / "in"]))["damaged.pdf"]["status"] == "unchanged"
    retried = lib.ingest([tmp_path / "in"], retry_failed=True)
    assert by_name(retried)["damaged.pdf"]["status"] == "failed"
    assert retried.counts == {**retried.counts, "failed": 1, "unchanged": 1}


def test_every_failure_has_a_reason(tmp_path: Path) -> None:
    make_not_a_pdf(tmp_path / "in" / "text.pdf")
    make_empty_file(tmp_path / "in" / "empty.pdf")
    make_password_pdf(tmp_path / "in" / "locked.pdf", [WALRUS])
    lib = Library(Settings(data=tmp_path / "data", workers=1))
    files = by_name(lib.ingest([tmp_path / "in"]))
    assert {name: f["reason"] for name, f in files.items()} == {
        "text.pdf": "not_pdf", "empty.pdf": "not_pdf", "locked.pdf": "encrypted"
    }  # fmt: skip
    assert all(r["reason"] in REASONS and r["error"] for r in lib.reports())


def _upload(client: FlaskClient, token: str, data: bytes, name: str) -> dict[str, Any]:
    boundary, body = encode_multipart({"file": FileStorage(io.BytesIO(data), name)})
    response = client.post(
        "/api/reports", data=body, headers={"Authorization": f"Bearer {token}"},
        content_type=f"multipart/form-data; boundary={boundary}",
    )  # fmt: skip
    assert response.status_code == 202, response.text
    job_id = response.json["job_id"] if response.json else None
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        job = client.get(f"/api/jobs/{job_id}").json
        assert job is not None
        if job["status"] in ("done", "failed"):
            return job
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} did not finish")


# Uploads land in DATA/uploads/<hex job id>/: "0-first" sorts before them, "z-first" after.
@pytest.mark.parametrize("first_folder", ["0-first", "z-first"])
def test_uploading_bytes_that_failed_before_gives_a_failed_job(
    writable_app: Flask, tmp_path: Path, first_folder: str
) -> None:
    library = writable_app.config["LIBRARY"]
    first = make_password_pdf(tmp_path / first_folder / "locked.pdf", [WALRUS]).resolve()
    outcome = library.ingest([first]).files[0]
    assert (outcome.status, outcome.reason) == ("failed", "encrypted")

    client, token = writable_app.test_client(), library.settings.token
    job = _upload(client, token, first.read_bytes(), "locked again.pdf")
    assert (job["status"], job["reason"]) == ("failed", "encrypted"), job
    assert job["report_id"] == outcome.report_id
    assert "password" in job["error"]
    report = client.get(f"/api/reports/{outcome.report_id}").json
    assert report is not None and (report["status"], report["reason"]) == ("failed", "encrypted")
    paths = [f["path"] for f in report["files"]]
    assert len(paths) == 2 and (paths[0] == str(first)) == (first_folder == "0-first")
