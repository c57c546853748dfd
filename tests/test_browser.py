"""End to end in headless Chromium: search, facets, a report page, the PDF link, copying a citation.

The app runs on a real server (werkzeug, in a thread, on a free port of 127.0.0.1). Screenshots
of the results and report pages are saved under test-artifacts/ for a person to look at.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from flask import Flask

from tests.browser import Browser, Page, collect_errors, expect, screenshot, serving

pytest_plugins = ["tests.web_fixtures", "tests.browser"]

QUERY = '"airborne forces" Russia'


@pytest.fixture(scope="module")
def base_url(app: Flask) -> Iterator[str]:
    """The session app served over HTTP on a free port."""
    with serving(app) as url:
        yield url


@pytest.fixture
def page(browser: Browser, base_url: str) -> Iterator[Page]:
    """A fresh page that may use the clipboard, failing the test on any console error."""
    context = browser.new_context(
        base_url=base_url,
        viewport={"width": 1280, "height": 900},
        permissions=["clipboard-read", "clipboard-write"],
    )
    tab = context.new_page()
    errors: list[str] = []
    collect_errors(tab, errors)
    yield tab
    context.close()
    assert errors == []


def test_search_facet_cite_and_report(page: Page, ids: dict[str, str]) -> None:
    page.goto("/")
    page.get_by_role("searchbox", name="Search all reports").fill(QUERY)
    page.keyboard.press("Enter")
    hits = page.locator(".hit")
    expect(hits).to_have_count(2)
    first = hits.first
    expect(first.locator("mark").first).to_have_text("airborne forces")
    expect(first.locator(".page-ref")).to_have_text("p. 17 (PDF p. 19)")
    screenshot(page, "results")

    # "Open at page" points at the PDF viewer's page; the file itself is a PDF.
    href = first.get_by_role("link", name="Open at page").get_attribute("href") or ""
    assert href == f"/reports/{ids['airborne']}/pdf#page=19"
    pdf = page.request.get(href)
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF-")

    # Ticking a facet applies it at once.
    page.get_by_role("checkbox", name=re.compile("RAND Corporation")).check()
    expect(page).to_have_url(re.compile(r"publisher=RAND\+Corporation"))
    expect(hits).to_have_count(1)
    expect(hits.first.locator(".page-ref")).to_have_text("PDF p. 2")

    # "Cite" opens the citations in place; "Copy" puts one on the clipboard.
    hits.first.get_by_role("link", name="Cite").click()
    bibtex = hits.first.locator('.cite-format[data-format="bibtex"]')
    expect(bibtex.locator("pre")).to_contain_text("@techreport{")
    bibtex.get_by_role("button", name="Copy").click()
    expect(bibtex.get_by_role("button")).to_have_text("Copied")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert (
        copied.startswith("@techreport{") and "title = {Rapid Reaction Forces in Europe}" in copied
    )

    page.get_by_role("link", name="Rapid Reaction Forces in Europe").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Rapid Reaction Forces in Europe")


def test_report_page(page: Page, base_url: str, ids: dict[str, str]) -> None:
    page.goto(f"/reports/{ids['airborne']}?q=VDV&page=19")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Russian Airborne Forces")
    pdf_url = page.locator('meta[name="citation_pdf_url"]').get_attribute("content")
    # Built from INDEXER_BASE_URL (here the default), never from the request's Host header.
    assert pdf_url == f"http://localhost/reports/{ids['airborne']}/pdf"
    expect(page.locator('meta[name="citation_author"]')).to_have_count(2)
    expect(page.locator(".hit mark")).to_have_text("VDV")
    expect(page.locator("#cite .cite-where")).to_have_text("at p. 17 (PDF p. 19)")
    grid = page.locator(".page-grid a")
    expect(grid).to_have_count(20)
    assert grid.nth(18).get_attribute("href") == f"/reports/{ids['airborne']}/pdf#page=19"
    screenshot(page, "report")

    apa = page.locator('#cite .cite-format[data-format="apa"]')
    apa.get_by_role("button", name="Copy").click()
    assert "(Analyst & Smith, 2024, p. 17)" in page.evaluate("navigator.clipboard.readText()")


def test_search_and_filters_work_without_javascript(
    browser: Browser, base_url: str, ids: dict[str, str]
) -> None:
    context = browser.new_context(base_url=base_url, java_script_enabled=False)
    page = context.new_page()
    page.goto(f"/search?q={QUERY}")
    page.get_by_role("checkbox", name=re.compile("Congressional Research")).check()
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator(".hit")).to_have_count(1)
    expect(page.locator(".cite-box button")).to_be_hidden()  # nothing to copy with, no JS
    page.locator(".hit").get_by_role("link", name="Cite").click()
    expect(page).to_have_url(re.compile(rf"/reports/{ids['airborne']}\?page=19#cite$"))
    expect(page.locator("#cite .cite-where")).to_have_text("at p. 17 (PDF p. 19)")
    context.close()


def test_narrow_screen(page: Page) -> None:
    page.set_viewport_size({"width": 400, "height": 800})
    page.goto(f"/search?q={QUERY}")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 400, "the results page scrolls sideways on a phone"
    screenshot(page, "results-narrow")


def test_phrase_across_a_page_break(page: Page, ids: dict[str, str]) -> None:
    page.goto("/")
    box = page.get_by_role("searchbox", name="Search all reports")
    box.fill('"forward deployment. Page 6 of the study"')
    page.keyboard.press("Enter")
    hit = page.locator(".hit")
    expect(hit).to_have_count(1)
    expect(hit.locator(".page-ref")).to_have_text("pp. 3–4 (PDF pp. 5–6)")
    expect(hit.locator("mark")).to_have_text("forward deployment.")
    expect(hit.locator(".continues")).to_have_text("The passage runs on to p. 4 (PDF p. 6).")
    screenshot(page, "results-page-break")
    hit.get_by_role("link", name="Cite").click()
    expect(hit.locator(".cite-where")).to_have_text("at pp. 3–4 (PDF pp. 5–6)")
    apa = hit.locator('.cite-format[data-format="apa"] pre')
    expect(apa).to_contain_text("(Analyst & Smith, 2024, pp. 3–4)")
    # Without JavaScript the link leads to the report page citing the same range.
    href = hit.get_by_role("link", name="Cite").get_attribute("href") or ""
    page.goto(href)
    expect(page.locator("#cite .cite-where")).to_have_text("at pp. 3–4 (PDF pp. 5–6)")
    assert f"/reports/{ids['airborne']}?page=5&to=6" in href


def test_page_view_shows_the_passage_highlighted(
    browser: Browser, base_url: str, collection, ids: dict[str, str]
) -> None:
    import json

    import pypdfium2 as pdfium

    # Without JavaScript: the picture is a plain image, the highlight painted into it.
    context = browser.new_context(base_url=base_url, java_script_enabled=False)
    page = context.new_page()
    page.goto('/search?q="General Staff"')
    page.locator(".hit").first.get_by_role("link", name="See on the page").click()
    expect(page).to_have_url(re.compile(rf"/reports/{ids['airborne']}/pages/19\?hl=\d+-\d+"))
    image = page.locator(".page-picture img")
    expect(image).to_be_visible()
    expect(image).to_have_js_property("complete", True)
    expect(image).not_to_have_js_property("naturalWidth", 0)  # the PNG loaded and decoded
    expect(page.locator("blockquote.passage")).to_have_text("General Staff")
    boxes = json.loads(page.locator("figure").get_attribute("data-boxes") or "[]")
    pdf = pdfium.PdfDocument(collection.source / "crs-airborne.pdf")
    try:
        textpage = pdf[18].get_textpage()
        index, count = textpage.search("General Staff").get_next()
        chars = [textpage.get_charbox(i) for i in range(index, index + count)]
    finally:
        pdf.close()
    assert len(boxes) == 1
    expected = [min(c[0] for c in chars), min(c[1] for c in chars),
                max(c[2] for c in chars), max(c[3] for c in chars)]  # fmt: skip
    assert boxes[0] == pytest.approx(expected, abs=0.5)
    expect(page.get_by_role("link", name="Open PDF at this page")).to_have_attribute(
        "href", f"/reports/{ids['airborne']}/pdf#page=19"
    )
    screenshot(page, "page-view")
    context.close()
