"""The HTML pages, through Flask's test client over a real ingested collection."""

from __future__ import annotations

import html as html_module
import re
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from hypothesis import given
from hypothesis import strategies as st

from indexer.config import Settings
from indexer.web import create_app
from indexer.web.templating import highlight, page_ref

pytest_plugins = ["tests.web_fixtures"]

PHRASE_QUERY = '"airborne forces" Russia'


def html(client: FlaskClient, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, response.text[:500]
    assert response.mimetype == "text/html"
    return response.text


def meta(page: str, name: str) -> list[str]:
    return re.findall(rf'<meta name="{name}" content="([^"]*)">', page)


def test_home_shows_stats_and_reports(client: FlaskClient, ids: dict[str, str]) -> None:
    page = html(client, "/")
    assert "<strong>4</strong> searchable reports" in page
    assert f'href="/reports/{ids["airborne"]}"' in page
    assert 'rel="search" type="application/opensearchdescription+xml"' in page


def test_every_page_has_csp_and_no_inline_script_or_style(
    client: FlaskClient, ids: dict[str, str]
) -> None:
    for url in ("/", f"/search?q={PHRASE_QUERY}", f"/reports/{ids['airborne']}", "/nowhere"):
        response = client.get(url)
        csp = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "style-src 'self'" in csp
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert not re.search(r"<script(?![^>]*\bsrc=)", response.text), url
        assert not re.search(r"\sstyle=", response.text), url
        assert "<style" not in response.text and "cdn" not in response.text.lower()


def test_results_show_citation_ready_hits(client: FlaskClient, ids: dict[str, str]) -> None:
    page = html(client, f"/search?q={PHRASE_QUERY}")
    assert "2 matching pages" in page
    assert "Russian Airborne Forces: Structure, Doctrine and Readiness" in page
    assert "Congressional Research Service</span><span>2024</span>" in page
    assert "p. 17 (PDF p. 19)" in page
    assert "PDF p. 2</span>" in page  # the RAND report has no printed page labels
    assert "<mark>airborne forces</mark>" in page and "<mark>Russia</mark>" in page
    pdf = f'href="/reports/{ids["airborne"]}/pdf#page=19" target="_blank"'
    assert pdf in page
    assert f'href="/reports/{ids["airborne"]}?page=19#cite"' in page


def test_facets_list_counts_and_narrow_the_results(client: FlaskClient) -> None:
    page = html(client, f"/search?q={PHRASE_QUERY}")
    assert re.search(r'value="RAND Corporation">\s*<span class="facet-value">RAND', page)
    assert '<span class="facet-value">English</span>' in page
    narrowed = html(client, f"/search?q={PHRASE_QUERY}&publisher=RAND+Corporation")
    assert "1 matching page" in narrowed and "Rapid Reaction Forces" in narrowed
    assert "Russian Airborne Forces: Structure" not in narrowed
    assert 'value="RAND Corporation" checked' in narrowed
    assert "Clear all filters" in narrowed and ">clear</a>" in narrowed
    # The publisher facet still offers the other publisher (counted without its own filter).
    assert 'value="Congressional Research Service">' in narrowed


def test_year_and_language_filters(client: FlaskClient) -> None:
    assert "1 matching page" in html(client, f"/search?q={PHRASE_QUERY}&year=2019")
    assert "1 matching page" in html(client, f"/search?q={PHRASE_QUERY}&year_from=2020")
    assert "2 matching pages" in html(client, f"/search?q={PHRASE_QUERY}&year=2019&year=2024")
    russian = html(client, "/search?q=войск&lang=ru")
    assert "Обзор воздушно-десантных войск" in russian and "Russian" in russian


def test_paging_walks_the_hits(client: FlaskClient) -> None:
    first = html(client, f"/search?q={PHRASE_QUERY}&per_page=1")
    assert 'rel="next"' in first and "showing 1–1" in first
    second = html(client, f"/search?q={PHRASE_QUERY}&per_page=1&p=2")
    assert "showing 2–2" in second and 'rel="prev"' in second
    assert '<ol class="hits" start="2">' in second


def test_a_bad_query_is_shown_inline_with_400(client: FlaskClient) -> None:
    page = html(client, '/search?q="unbalanced', 400)
    assert "Unbalanced double quote" in page
    assert 'value="&#34;unbalanced"' in page  # the query stays in the box, escaped


def test_bad_arguments_are_400_pages(client: FlaskClient) -> None:
    assert "p must be a whole number" in html(client, "/search?q=walrus&p=0", 400)
    assert "per_page must be" in html(client, "/search?q=walrus&per_page=1000", 400)
    assert "year must be" in html(client, "/search?q=walrus&year=MMXX", 400)


def test_an_empty_query_goes_home(client: FlaskClient) -> None:
    response = client.get("/search?q=+")
    assert response.status_code == 302 and response.location == "/"


def test_report_page_metadata_and_zotero_tags(client: FlaskClient, ids: dict[str, str]) -> None:
    page = html(client, f"/reports/{ids['airborne']}")
    assert "<h1>Russian Airborne Forces: Structure, Doctrine and Readiness</h1>" in page
    assert meta(page, "citation_title") == [
        "Russian Airborne Forces: Structure, Doctrine and Readiness"
    ]
    assert meta(page, "citation_author") == ["Jane Q. Analyst", "John Smith"]
    assert meta(page, "citation_publisher") == ["Congressional Research Service"]
    assert meta(page, "citation_date") == ["2024/03/15"]
    assert meta(page, "citation_pdf_url") == [f"http://localhost/reports/{ids['airborne']}/pdf"]
    assert meta(page, "citation_firstpage") == ["1"]
    assert meta(page, "citation_lastpage") == ["20"]
    assert "<dd>English</dd>" in page and "<dd>20</dd>" in page


def test_report_page_lists_pages_with_labels(client: FlaskClient, ids: dict[str, str]) -> None:
    page = html(client, f"/reports/{ids['airborne']}")
    pdf = f"/reports/{ids['airborne']}/pdf"
    assert f'href="{pdf}#page=1" title="p. i (PDF p. 1)"' in page
    assert f'href="{pdf}#page=19" title="p. 17 (PDF p. 19)"' in page
    assert page.count('<span class="pdf">PDF ') == 20


def test_report_page_cite_box_at_a_page(client: FlaskClient, ids: dict[str, str]) -> None:
    whole = html(client, f"/reports/{ids['airborne']}")
    box = whole[whole.index('id="cite"') : whole.index("</section>", whole.index('id="cite"'))]
    assert [f for f in re.findall(r'data-format="([^"]+)"', box)] == [
        "apa", "chicago", "mla", "bibtex", "ris", "csl-json"
    ]  # fmt: skip
    assert "(Analyst &amp; Smith, 2024)" in whole
    at_page = html(client, f"/reports/{ids['airborne']}?page=19")
    assert "at p. 17 (PDF p. 19)" in at_page
    assert "(Analyst &amp; Smith, 2024, p. 17)" in at_page
    assert "pages = {17}" in at_page
    assert "page must be a whole number from 1 to 20" in html(
        client, f"/reports/{ids['airborne']}?page=21", 400
    )


def test_search_inside_a_report(client: FlaskClient, ids: dict[str, str]) -> None:
    page = html(client, f"/reports/{ids['airborne']}?q=VDV")
    assert "1 matching page" in page and "<mark>VDV</mark>" in page
    assert "Rapid Reaction" not in page  # hits of this report only
    # "Cite" on a hit keeps the search and cites that page of this report.
    assert f'href="/reports/{ids["airborne"]}?q=VDV&amp;page=19#cite"' in page
    bad = html(client, f"/reports/{ids['airborne']}?q=(VDV", 400)
    assert "Unbalanced parenthesis" in bad and 'id="cite"' in bad


def test_unknown_and_malformed_reports_are_404(client: FlaskClient) -> None:
    for url in (
        "/reports/0000000000000000",
        "/reports/0000000000000000/pdf",
        "/reports/ABCDEF0123456789",
        "/reports/..%2F..%2Fetc%2Fpasswd/pdf",
        "/reports/../../etc/passwd",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "root:" not in response.text


def test_pdf_is_served_inline(client: FlaskClient, ids: dict[str, str]) -> None:
    response = client.get(f"/reports/{ids['airborne']}/pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("inline")
    assert response.data.startswith(b"%PDF-")
    response.close()


def test_pdf_metadata_and_text_are_escaped_everywhere(
    client: FlaskClient, ids: dict[str, str]
) -> None:
    pages = [
        html(client, "/"),
        html(client, "/search?q=walrus"),
        html(client, f"/reports/{ids['xss']}"),
        html(client, f"/reports/{ids['xss']}?q=walrus"),
    ]
    for page in pages:
        assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt; Report" in pages[0]
    assert "&lt;script&gt;alert(&#39;snippet&#39;)&lt;/script&gt;" in pages[1]
    assert 'content="&lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt; Report"' in pages[2]


def test_opensearch_description(client: FlaskClient) -> None:
    response = client.get("/opensearch.xml")
    assert response.mimetype == "application/opensearchdescription+xml"
    assert 'template="http://localhost/search?q={searchTerms}"' in response.text
    assert "<ShortName>Report indexer</ShortName>" in response.text


def test_no_traceback_reaches_a_client(tmp_path: Path) -> None:
    app: Flask = create_app(Settings(data=tmp_path / "data"))

    def boom() -> str:
        raise RuntimeError("secret detail from deep inside")

    app.add_url_rule("/boom", view_func=boom)
    app.add_url_rule("/api/boom", "api_boom", view_func=boom)
    page = app.test_client().get("/boom")
    assert page.status_code == 500 and "Something went wrong" in page.text
    api = app.test_client().get("/api/boom")
    assert api.status_code == 500 and api.json == {
        "error": {"type": "internal_error", "message": "internal error; see the server log"}
    }
    for response in (page, api):
        assert "secret detail" not in response.text and "Traceback" not in response.text


def test_an_empty_collection_still_has_a_home_page(tmp_path: Path) -> None:
    client = create_app(Settings(data=tmp_path / "data")).test_client()
    page = html(client, "/")
    assert "The collection is empty" in page
    assert "0 matching pages" in html(client, "/search?q=anything")


@given(
    snippet=st.text(alphabet=st.sampled_from("ab <>&\"'é"), max_size=40),
    cuts=st.lists(st.integers(min_value=0, max_value=40), max_size=8),
)
def test_highlight_keeps_the_text_and_escapes_it(snippet: str, cuts: list[int]) -> None:
    bounds = sorted({min(c, len(snippet)) for c in cuts})
    spans = [[a, b] for a, b in zip(bounds[::2], bounds[1::2], strict=False) if a < b]
    out = str(highlight(snippet, spans))
    assert out.count("<mark>") == len(spans)
    bare = out.replace("<mark>", "").replace("</mark>", "")
    assert "<" not in bare and ">" not in bare
    assert html_module.unescape(bare) == snippet


def test_page_references() -> None:
    assert page_ref(19, "17") == "p. 17 (PDF p. 19)"
    assert page_ref(19, None) == "PDF p. 19"
