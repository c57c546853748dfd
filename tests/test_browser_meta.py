"""A librarian in headless Chromium: log in, edit a report's record, see it on the page and in
the citations.

The app runs on a real server (werkzeug, in a thread, on a free port of 127.0.0.1) over a
private copy of the test collection, since the test changes it. A screenshot of the edited
report page is saved under test-artifacts/ for a person to look at.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from flask import Flask

from tests.browser import Browser, Page, collect_errors, expect, screenshot, serving

pytest_plugins = ["tests.web_fixtures", "tests.browser"]


@pytest.fixture
def base_url(writable_app: Flask) -> Iterator[str]:
    """A private copy of the collection served over HTTP on a free port."""
    with serving(writable_app) as url:
        yield url


@pytest.fixture
def console_errors() -> list[str]:
    """Errors the page logged; a test takes out the ones it expects."""
    return []


@pytest.fixture
def page(browser: Browser, base_url: str, console_errors: list[str]) -> Iterator[Page]:
    """A fresh page, failing the test on any console error it did not expect."""
    context = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    collect_errors(tab, console_errors)
    yield tab
    context.close()
    assert console_errors == []


def test_a_librarian_edits_the_record(
    page: Page, writable_app: Flask, ids: dict[str, str], console_errors: list[str]
) -> None:
    report = f"/reports/{ids['airborne']}"
    page.goto(report)
    expect(page.locator("#edit")).to_have_count(0)  # no edit form before logging in

    page.get_by_role("link", name="Librarian login").click()
    page.get_by_label("Token").fill(writable_app.config["LIBRARY"].settings.token)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(rf"{report}$"))
    expect(page.get_by_role("button", name="Log out")).to_be_visible()

    page.get_by_text("Edit the record").click()
    title = page.get_by_label("Title", exact=True)
    expect(title).to_have_value("Russian Airborne Forces: Structure, Doctrine and Readiness")
    authors = page.get_by_label("Authors")
    expect(authors).to_have_value("Analyst, Jane Q.; Smith, John")
    title.fill("Russia's Airborne Forces")
    authors.fill("Novak, Maria; Analyst, Jane Q.")
    page.get_by_role("button", name="Save").click()

    expect(page.locator(".flashes")).to_have_text("Saved: title, authors.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Russia's Airborne Forces")
    expect(page.locator(".report-head .authors")).to_contain_text("Maria Novak; Jane Q. Analyst")
    expect(page.locator(".report-head .authors .source")).to_have_text("edited by a librarian")
    expect(page.locator('meta[name="citation_author"]')).to_have_count(2)
    apa = page.locator('#cite .cite-format[data-format="apa"] pre')
    expect(apa).to_contain_text("Novak, M., & Analyst, J. Q. (2024). Russia's Airborne Forces")
    screenshot(page, "report-edited")

    # A bad date is refused in the form, which keeps what was typed.
    page.get_by_text("Edit the record").click()
    page.get_by_label("Date", exact=True).fill("sometime in spring")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_contain_text("date")
    expect(page.get_by_label("Date", exact=True)).to_have_value("sometime in spring")
    screenshot(page, "report-edit-refused")
    expect(page.get_by_role("heading", level=1)).to_have_text("Russia's Airborne Forces")
    # The browser logs the page's status 400 as an error: that one is expected.
    console_errors.remove(
        "Failed to load resource: the server responded with a status of 400 (BAD REQUEST)"
    )


def test_versions_and_order_in_the_results(
    page: Page, writable_app: Flask, ids: dict[str, str]
) -> None:
    library = writable_app.config["LIBRARY"]
    same = {"publisher": "Congressional Research Service", "report_number": "R40000"}
    library.update_metadata(ids["rand"], same | {"date": "2019-06-01", "version": "1"})
    library.update_metadata(ids["airborne"], same | {"date": "2024-03-15", "version": "2"})

    page.goto('/search?q="airborne forces" Russia')
    hits = page.locator(".hit")
    expect(hits).to_have_count(1)
    expect(hits.first.locator(".hit-record")).to_contain_text("R40000")
    expect(hits.first.locator(".hit-record")).to_contain_text("version 2")
    expect(hits.first.locator(".hit-record")).to_contain_text("March 15, 2024")
    screenshot(page, "results-versions")

    hits.first.get_by_role("link", name="other versions (1)").click()
    expect(page).to_have_url(re.compile(r"versions=all"))
    expect(hits).to_have_count(2)
    page.get_by_role("link", name="Newest first").click()
    expect(page).to_have_url(re.compile(r"sort=date"))
    expect(hits.locator(".date")).to_have_text(["March 15, 2024", "June 1, 2019"])
    expect(page.get_by_role("searchbox", name="Search all reports")).to_have_value(
        '"airborne forces" Russia'
    )
    # A facet keeps the query, the order and the versions.
    page.get_by_role("checkbox", name=re.compile("English")).check()
    expect(page).to_have_url(re.compile(r"sort=date.*versions=all|versions=all.*sort=date"))
    expect(page.get_by_role("searchbox", name="Search all reports")).to_have_value(
        '"airborne forces" Russia'
    )

    page.get_by_role("link", name="Rapid Reaction Forces in Europe").click()
    versions = page.get_by_role("region", name="Versions")
    expect(versions.locator("li")).to_have_count(2)
    versions.get_by_role("link", name=re.compile("March 15, 2024")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Russian Airborne Forces")
    screenshot(page, "report-versions")
