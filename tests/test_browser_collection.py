"""The /collection page in headless Chromium at 1280 and 400 px: counts, sorting, and a report
table whose titles keep their width on a narrow screen. Screenshots go to test-artifacts/."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from tests.browser import Browser, collect_errors, expect, screenshot, serving

pytest_plugins = ["tests.web_fixtures", "tests.browser"]


@pytest.fixture(scope="module")
def base_url(app: Flask) -> Iterator[str]:
    """The session app served over HTTP on a free port."""
    with serving(app) as url:
        yield url


@pytest.mark.parametrize("width", [1280, 400])
def test_collection_page(browser: Browser, base_url: str, width: int) -> None:
    context = browser.new_context(base_url=base_url, viewport={"width": width, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    collect_errors(page, errors)
    page.goto("/")
    home_title = page.locator("section.collection td.title").first.bounding_box()
    assert home_title is not None and home_title["width"] >= 150  # the home table too
    screenshot(page, f"home-{width}")
    page.get_by_role("link", name="Collection health").click()
    expect(page.get_by_role("heading", name="Collection health")).to_be_visible()
    rows = page.locator("table.reports tbody tr")
    expect(rows).to_have_count(4)
    page.get_by_role("link", name="Pages").click()  # sort by pages, ascending
    page.get_by_role("link", name="Pages ▲").click()  # and again: descending
    expect(rows.first).to_contain_text("Russian Airborne Forces")
    expect(page.get_by_role("searchbox", name="Search all reports")).to_have_value("")
    screenshot(page, f"collection-{width}")
    title = rows.first.locator("td.title").bounding_box()
    assert title is not None and title["width"] >= 150
    page.get_by_role("link", name="2024").first.click()
    expect(rows).to_have_count(2)
    context.close()
    assert errors == []
