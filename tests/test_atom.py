"""Search results as Atom (/search.atom, the OpenSearch results template), read with
feedparser: entries, stable ids, paging by startIndex and count, sort=added, language; and
sort=added through the JSON API, the HTML page (its subscribe link) and the CLI."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import feedparser
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from indexer.cli import cli
from tests.pdfs import make_pdf

pytest_plugins = ["tests.web_fixtures"]


def parse(client: FlaskClient, url: str) -> Any:
    response = client.get(url)
    assert response.status_code == 200, response.text
    assert response.mimetype == "application/atom+xml"
    parsed = feedparser.parse(response.data)
    assert not parsed.bozo, parsed.bozo_exception
    return parsed


def test_entries_are_page_hits_with_snippet_label_and_pdf_link(
    client: FlaskClient, ids: dict[str, str]
) -> None:
    parsed = parse(client, "/search.atom?q=%22airborne+forces%22+Russia")
    assert parsed.version == "atom10"
    assert parsed.feed.title == 'Report indexer: "airborne forces" Russia'
    first = next(e for e in parsed.entries if ids["airborne"] in e.id)
    assert first.id == f"http://localhost/reports/{ids['airborne']}/pages/19"
    assert first.title.endswith("p. 17 (PDF p. 19)")
    assert "airborne forces of Russia" in first.summary
    pdf = next(link for link in first.links if link.rel == "alternate")
    assert pdf.href == f"http://localhost/reports/{ids['airborne']}/pdf#page=19"
    assert pdf.type == "application/pdf"
    related = next(link for link in first.links if link.rel == "related")
    assert related.href.startswith(first.id + "?hl=")
    assert first.authors[0].name == "Jane Q. Analyst"
    assert parsed.feed.opensearch_totalresults == str(len(parsed.entries))


def test_entry_ids_are_stable_across_requests_and_orders(client: FlaskClient) -> None:
    one = parse(client, "/search.atom?q=airborne")
    two = parse(client, "/search.atom?q=airborne")
    assert [e.id for e in one.entries] == [e.id for e in two.entries]
    added = parse(client, "/search.atom?q=airborne&sort=added&count=100")
    assert {e.id for e in one.entries} <= {e.id for e in added.entries}


def test_paging_by_start_index_and_count(client: FlaskClient) -> None:
    whole = parse(client, "/search.atom?q=oversight&count=6")
    first = parse(client, "/search.atom?q=oversight&count=3")
    second = parse(client, "/search.atom?q=oversight&count=3&startIndex=4")
    assert [e.id for e in first.entries + second.entries] == [e.id for e in whole.entries]
    assert first.feed.opensearch_startindex == "1" and second.feed.opensearch_startindex == "4"
    assert first.feed.opensearch_itemsperpage == "3"
    rels = {link.rel: link.href for link in first.feed.links}
    assert "startIndex=4" in rels["next"] and "startIndex=1" in rels["first"]
    assert rels["search"] == "http://localhost/opensearch.xml"
    assert rels["alternate"].startswith("http://localhost/search?q=oversight")


def test_language_narrows_the_feed(client: FlaskClient, ids: dict[str, str]) -> None:
    russian = parse(client, "/search.atom?q=%D0%B2%D0%BE%D0%B9%D1%81%D0%BA&language=ru-RU")
    assert russian.entries and all(ids["russian"] in e.id for e in russian.entries)
    assert parse(client, "/search.atom?q=airborne&language=ru").entries == []
    assert parse(client, "/search.atom?q=airborne&language=*").entries
    assert client.get("/search.atom?q=airborne&language=1;x").status_code == 400
    assert client.get("/search.atom?q=").status_code == 400
    assert client.get("/search.atom?q=airborne&count=0").status_code == 400


def test_a_new_matching_report_is_a_new_entry_first_with_sort_added(
    writable_app: Flask, tmp_path: Path
) -> None:
    client = writable_app.test_client()
    url = "/search.atom?q=airborne&sort=added"
    before = parse(client, url)
    time.sleep(1.1)  # a later added time than the session collection's
    folder = tmp_path / "new"
    make_pdf(folder / "new.pdf", ["A new study of airborne brigades and their helicopters."],
             title="Airborne Brigades Today")  # fmt: skip
    library = writable_app.config["LIBRARY"]
    (new_id,) = [f.report_id for f in library.ingest([folder]).files]
    after = parse(client, url)
    assert after.entries[0].id == f"http://localhost/reports/{new_id}/pages/1"
    assert after.entries[0].id not in {e.id for e in before.entries}
    assert [e.id for e in after.entries[1:]] == [e.id for e in before.entries]
    assert after.entries[0].published_parsed >= before.entries[0].published_parsed
    api = client.get("/api/search?q=airborne&sort=added").get_json()
    assert api["hits"][0]["report_id"] == new_id
    by_added = library.search("airborne", sort="added")
    stamps = [h.added for h in by_added.hits]
    assert stamps == sorted(stamps, reverse=True)


def test_opensearch_description_has_the_atom_template(client: FlaskClient) -> None:
    text = client.get("/opensearch.xml").text
    assert (
        'type="application/atom+xml" method="get" template="http://localhost/search.atom'
        "?q={searchTerms}&amp;startIndex={startIndex?}&amp;count={count?}"
        '&amp;language={language?}"'
    ) in text


def test_the_results_page_links_its_feed(client: FlaskClient) -> None:
    page = client.get("/search?q=airborne&publisher=RAND+Corporation&p=1").text
    feed = "/search.atom?q=airborne&amp;publisher=RAND+Corporation&amp;sort=added"
    assert '<link rel="alternate" type="application/atom+xml"' in page
    assert f'href="{feed}"' in page and "Subscribe</a>" in page
    assert "Newest additions" in client.get("/search?q=airborne").text
    assert client.get("/search?q=airborne&sort=added").status_code == 200


def test_cli_sorts_by_added(collection: Any) -> None:
    result = CliRunner().invoke(
        cli, ["--data", str(collection.settings.data), "search", "airborne", "--sort", "added",
              "--json"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert '"hits"' in result.output
