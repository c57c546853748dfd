"""A librarian in headless Chromium at 1280 and 400 px: add a report by URL (a refused one
first), then follow a publisher's feed and run it. The publisher is a real site on loopback,
reached through the test-only allowlist. Screenshots go to test-artifacts/."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from indexer.web import create_app
from tests.browser import Browser, collect_errors, expect, log_in, screenshot, serving
from tests.pdfs import make_pdf
from tests.publisher import Publisher, publisher, rss

pytest_plugins = ["tests.web_fixtures", "tests.browser"]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Publisher]:
    folder = tmp_path_factory.mktemp("desk-site")
    with publisher() as site:
        for word in ("manatee", "narwhal"):
            pdf = make_pdf(folder / f"{word}.pdf", [f"The {word} census report", "page two"])
            site.add(f"/reports/{word}.pdf", pdf.read_bytes())
        entry = {
            "title": "Narwhal census 2026", "pdf": f"{site.base}/reports/narwhal.pdf",
            "link": f"{site.base}/about/narwhal", "date": "Mon, 02 Nov 2026 09:00:00 GMT",
            "author": "desk@example.org (Ana Ortega)",
        }  # fmt: skip
        site.add("/feed.xml", rss([entry], title="Marine Policy Institute"))
        yield site


@pytest.fixture
def base_url(collection, tmp_path: Path) -> Iterator[str]:
    """A private copy of the collection, allowed to fetch from loopback, served over HTTP."""
    data = tmp_path / "data"
    shutil.copytree(collection.settings.data, data)
    settings = replace(collection.settings, data=data, fetch_allow="127.0.0.1/32")
    with serving(create_app(settings)) as url:
        yield url


@pytest.mark.parametrize("width", [1280, 400])
def test_add_by_url_and_follow_a_feed(
    browser: Browser, base_url: str, site: Publisher, collection, width: int
) -> None:
    context = browser.new_context(base_url=base_url, viewport={"width": width, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    collect_errors(page, errors)
    log_in(page, collection.settings.token)

    page.get_by_role("link", name="Add", exact=True).click()
    url = page.get_by_label("URL of the PDF")
    url.fill("http://169.254.169.254/latest/meta-data/")
    page.get_by_role("button", name="Fetch and add").click()
    expect(page.get_by_role("alert")).to_contain_text("a cloud metadata address")
    expect(url).to_have_value("http://169.254.169.254/latest/meta-data/")  # kept to correct
    screenshot(page, f"add-url-refused-{width}")
    assert [e for e in errors if "status of 400" in e] == errors != []  # the refusal's 400
    errors.clear()
    url.fill(f"{site.base}/redirect?to=/reports/manatee.pdf")
    page.get_by_role("button", name="Fetch and add").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Fetch of")
    page.get_by_role("link", name="Open the report").click(timeout=30_000)  # once it is done
    expect(page.locator("body")).to_contain_text("recorded when it was fetched")
    expect(page.locator("body")).to_contain_text(f"{site.base}/reports/manatee.pdf")

    page.get_by_role("link", name="Feeds").click()
    page.get_by_label("Feed or sitemap URL").fill(f"{site.base}/feed.xml")
    page.get_by_role("button", name="Follow").click()
    expect(page.locator(".flashes")).to_have_text("Following Marine Policy Institute.")
    page.get_by_role("button", name="Run all now").click()
    row = page.locator("table.follows-table tbody tr").first
    expect(row).to_contain_text("1 PDF link: 1 new, 0 known", timeout=30_000)
    screenshot(page, f"follows-{width}")
    title = row.locator("td.title").bounding_box()
    assert title is not None and title["width"] >= 150  # not squeezed on a narrow screen

    page.goto("/search?q=narwhal")
    page.get_by_role("link", name=re.compile("Narwhal census 2026")).first.click()
    expect(page.locator("body")).to_contain_text("from the publisher's feed")
    expect(page.locator("body")).to_contain_text("Ana Ortega")
    context.close()
    assert errors == []
