"""Read a publisher's feed: RSS or Atom (feedparser) or a sitemap (defusedxml), as the PDF
links it gives with what each entry says about its report.

The one module that uses feedparser and defusedxml. An entry's PDF is an enclosure or link
typed application/pdf, else a link whose path ends in .pdf; an entry without one is counted,
not fetched (its link is usually a landing page).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import defusedxml.ElementTree as SafeET
import feedparser

from .errors import MetadataError
from .metadata import clean_value

log = logging.getLogger(__name__)

SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@dataclass
class Item:
    """A PDF link found in a feed, and the metadata its entry gave."""

    url: str
    values: dict[str, Any] = field(default_factory=dict)


@dataclass
class Feed:
    """What a feed holds: its title, the PDF links, entries without one, and (for a sitemap
    index) the sitemaps it lists."""

    title: str | None
    items: list[Item]
    without_pdf: int = 0
    sitemaps: list[str] = field(default_factory=list)


class NotAFeed(ValueError):
    """The body is neither RSS, Atom nor a sitemap."""


def parse(body: bytes, url: str) -> Feed:
    """The PDF links in `body`, the feed fetched from `url` (the base for relative links)."""
    head = body[:2048].lstrip().lower()
    if b"<urlset" in head or b"<sitemapindex" in head:
        return _sitemap(body)
    parsed = feedparser.parse(body, response_headers={"content-location": url})
    if parsed.get("bozo") and not parsed.entries:
        raise NotAFeed(f"{url} is not an RSS or Atom feed or a sitemap")
    if not parsed.get("version") and not parsed.entries:
        raise NotAFeed(f"{url} is not an RSS or Atom feed or a sitemap")
    items, without = [], 0
    for entry in parsed.entries:
        pdf = _pdf_link(entry)
        if pdf is None:
            without += 1
        else:
            items.append(Item(pdf, _entry_values(entry, pdf)))
    return Feed(parsed.feed.get("title") or None, items, without)


def _pdf_link(entry: Any) -> str | None:
    links = [*entry.get("enclosures", []), *entry.get("links", [])]
    typed = [link.get("href") for link in links if "pdf" in (link.get("type") or "").lower()]
    named = [link.get("href") for link in links if _looks_like_pdf(link.get("href") or "")]
    if entry.get("link") and _looks_like_pdf(entry["link"]):
        named.append(entry["link"])
    return next((h for h in [*typed, *named] if h and h.startswith(("http://", "https://"))), None)


def _looks_like_pdf(url: str) -> bool:
    return urlsplit(url).path.lower().endswith(".pdf")


def _entry_values(entry: Any, pdf: str) -> dict[str, Any]:
    """Title, date, authors and link of an entry, cleaned as a sidecar's values are."""
    parsed_date = entry.get("published_parsed") or entry.get("updated_parsed")
    # feedparser gives dates as UTC struct_time
    date = time.strftime("%Y-%m-%d", parsed_date) if parsed_date else None
    authors = [a.get("name") for a in entry.get("authors", []) if a.get("name")]
    # The entry's page about the report; without one, the fetch gives the PDF's final URL.
    link = entry.get("link") if entry.get("link") != pdf else None
    raw = {"title": entry.get("title"), "date": date, "authors": authors, "source_url": link}
    values = {}
    for name, value in raw.items():
        if value:
            try:
                values[name] = clean_value(name, value)
            except MetadataError as e:
                log.info("feed entry %s: %s", pdf, e)
    return values


def _sitemap(body: bytes) -> Feed:
    try:
        root = SafeET.fromstring(body)
    except Exception as e:  # defusedxml refuses entities; ParseError for broken XML
        raise NotAFeed(f"the sitemap cannot be read: {e}") from None
    locs = [(loc.text or "").strip() for loc in root.iter(f"{SITEMAP_NS}loc")]
    locs = [u for u in locs if u.startswith(("http://", "https://"))]
    if root.tag == f"{SITEMAP_NS}sitemapindex":
        return Feed(None, [], sitemaps=locs)
    pdfs = [u for u in locs if _looks_like_pdf(u)]
    return Feed(None, [Item(u) for u in pdfs], without_pdf=len(locs) - len(pdfs))
