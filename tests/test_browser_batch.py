"""The batch search form in headless Chromium at 1280 px: a librarian logs in, sends a file of
queries, gets the CSV as a download, and sees a file of too many queries refused in the form.
A screenshot of the form goes to test-artifacts/."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator

import pytest
from flask import Flask

from indexer.batch import COLUMNS
from tests.browser import Browser, collect_errors, expect, log_in, screenshot, serving

pytest_plugins = ["tests.web_fixtures", "tests.browser"]


@pytest.fixture(scope="module")
def base_url(app: Flask) -> Iterator[str]:
    """The session app served over HTTP on a free port (a batch changes nothing)."""
    with serving(app) as url:
        yield url


def test_batch_form(browser: Browser, base_url: str, app: Flask) -> None:
    context = browser.new_context(
        base_url=base_url, viewport={"width": 1280, "height": 900}, accept_downloads=True
    )
    page = context.new_page()
    errors: list[str] = []
    collect_errors(page, errors)
    page.goto("/batch")
    expect(page).to_have_url(re.compile(r"/login\?next=/batch$"))  # librarians only
    log_in(page, app.config["LIBRARY"].settings.token)
    page.get_by_role("navigation", name="Librarian").get_by_role(
        "link", name="Batch search"
    ).click()
    expect(page.get_by_role("heading", name="Batch search")).to_be_visible()
    screenshot(page, "batch-form-1280")

    queries = b'airborne forces\n"unbalanced\nwalrus\n'
    page.get_by_label("File of queries").set_input_files(
        files=[{"name": "queries.txt", "mimeType": "text/plain", "buffer": queries}]
    )
    page.get_by_label("Hits per query").fill("3")
    with page.expect_download() as info:
        page.get_by_role("button", name="Run and download CSV").click()
    download = info.value
    assert download.suggested_filename == "batch.csv"
    rows = list(csv.DictReader(io.StringIO(download.path().read_text(encoding="utf-8"))))
    assert tuple(rows[0]) == COLUMNS
    assert [r["query"] for r in rows if r["error"]] == ['"unbalanced']
    assert {r["query"] for r in rows} == {"airborne forces", '"unbalanced', "walrus"}
    assert len([r for r in rows if r["query"] == "airborne forces"]) == 3

    page.get_by_label("File of queries").set_input_files(
        files=[{"name": "many.txt", "mimeType": "text/plain", "buffer": b"walrus\n" * 1001}]
    )
    page.get_by_role("button", name="Run and download CSV").click()
    expect(page.get_by_role("alert")).to_contain_text("at most 1,000 queries")
    screenshot(page, "batch-form-refused-1280")
    context.close()
    # The refused file's answer is a 400, which Chromium logs; nothing else may be logged.
    assert errors == [
        "Failed to load resource: the server responded with a status of 400 (BAD REQUEST)"
    ]
