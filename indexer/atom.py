"""Search results as an Atom feed with OpenSearch elements: one entry per page hit.

An entry's id is its page's URL, the same for a report and page whatever the query or the
order, so a feed reader subscribed to a search with `sort=added` shows the pages of newly
added reports as new entries and never shows one page twice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from . import xmlwriter as xml
from .cite import page_ref
from .models import Hit, SearchResult

ATOM = "http://www.w3.org/2005/Atom"
OPENSEARCH = "http://a9.com/-/spec/opensearch/1.1/"
NAME = "Report indexer"


@dataclass(frozen=True)
class FeedPage:
    """What the feed says about itself: the request (query, 1-based `start_index`, `count`,
    `language`), its URLs (`feed_id`: the search without paging; `self_url`; `html_url`: the
    same search as a web page; `description_url`: the OpenSearch description; `paging`: rel
    -> URL for first, previous, next, last), and the URLs of a hit's page view and PDF."""

    query: str
    start_index: int
    count: int
    language: str | None
    feed_id: str
    self_url: str
    html_url: str
    description_url: str
    page_url: Callable[[str, int], str]
    pdf_url: Callable[[str], str]
    paging: dict[str, str] = field(default_factory=dict)


def feed(result: SearchResult, page: FeedPage) -> bytes:
    """The Atom document (UTF-8 XML) of one page of search results."""
    doc = xml.root(f"{{{ATOM}}}feed", {None: ATOM, "opensearch": OPENSEARCH})
    xml.add(doc, f"{{{ATOM}}}title", f"{NAME}: {page.query}")
    xml.add(doc, f"{{{ATOM}}}id", page.feed_id)
    stamps = [_stamp(h.added) for h in result.hits if h.added]
    now = _stamp(datetime.now(UTC).isoformat())
    xml.add(doc, f"{{{ATOM}}}updated", max(stamps, default=now))
    xml.add(xml.add(doc, f"{{{ATOM}}}author"), f"{{{ATOM}}}name", NAME)
    links = [
        ("self", page.self_url, "application/atom+xml"),
        ("alternate", page.html_url, "text/html"),
        ("search", page.description_url, "application/opensearchdescription+xml"),
    ]
    links += [(rel, url, "application/atom+xml") for rel, url in page.paging.items()]
    for rel, href, kind in links:
        xml.add(doc, f"{{{ATOM}}}link", attrs={"rel": rel, "href": href, "type": kind})
    for name, value in (("totalResults", result.shown_total), ("startIndex", page.start_index),
                        ("itemsPerPage", page.count)):  # fmt: skip
        xml.add(doc, f"{{{OPENSEARCH}}}{name}", str(value))
    asked = {"role": "request", "searchTerms": page.query, "startIndex": str(page.start_index),
             "count": str(page.count)}  # fmt: skip
    if page.language:
        asked["language"] = page.language
    xml.add(doc, f"{{{OPENSEARCH}}}Query", attrs=asked)
    for hit in result.hits:
        _entry(doc, hit, page, now)
    return xml.to_bytes(doc)


def _entry(doc: xml.Element, hit: Hit, page: FeedPage, now: str) -> None:
    entry = xml.add(doc, f"{{{ATOM}}}entry")
    where = page_ref(hit.page, hit.page_label, hit.continues_on, hit.continues_on_label)
    xml.add(entry, f"{{{ATOM}}}id", page.page_url(hit.report_id, hit.page))
    xml.add(entry, f"{{{ATOM}}}title", f"{hit.title or hit.report_id}, {where}")
    added = _stamp(hit.added) if hit.added else now
    xml.add(entry, f"{{{ATOM}}}updated", added)
    xml.add(entry, f"{{{ATOM}}}published", added)
    for name in hit.authors or [hit.publisher or NAME]:
        xml.add(xml.add(entry, f"{{{ATOM}}}author"), f"{{{ATOM}}}name", name)
    pdf = f"{page.pdf_url(hit.report_id)}#page={hit.page}"
    xml.add(entry, f"{{{ATOM}}}link", attrs={"rel": "alternate", "href": pdf,
                                              "type": "application/pdf"})  # fmt: skip
    view = page.page_url(hit.report_id, hit.page)
    if hit.passage:
        view += f"?hl={hit.passage[0]}-{hit.passage[1]}"
    xml.add(entry, f"{{{ATOM}}}link", attrs={"rel": "related", "href": view, "type": "text/html"})
    xml.add(entry, f"{{{ATOM}}}summary", hit.snippet, {"type": "text"})
    if hit.publisher:
        xml.add(entry, f"{{{ATOM}}}category", attrs={"term": hit.publisher})


def _stamp(iso: str) -> str:
    """An Atom date (RFC 3339, UTC, seconds) from the catalog's ISO time."""
    return iso[:19] + "Z"
