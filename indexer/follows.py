"""Follow publishers: feeds (RSS, Atom) and sitemaps whose new PDFs are fetched and ingested.

A run reads each followed feed through the safe fetcher, skips the PDF links fetched before
(by URL) and the bytes the catalog already has (by hash, deleted reports included), fetches
the rest (at most `max_new` per feed and run), and ingests them in one batch, with the
entry's title, date, authors and link as the record's `feed` layer. `indexer follow run` is
what a cron job or systemd timer calls; the web server runs the same on its worker thread.
"""

from __future__ import annotations

import io
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from .catalog import Catalog
from .config import Settings
from .downloads import download, fetcher_for
from .errors import FetchError, NotFound, QueryError
from .feeds import Feed, NotAFeed, parse
from .fetch import Fetcher
from .ingest import IngestSummary

MAX_NEW = 100  # PDFs fetched per feed and run: a huge new feed is taken in over several runs
MAX_SITEMAPS = 20  # sitemaps read from one sitemap index
Ingest = Callable[[list[Path]], IngestSummary]


@dataclass
class FollowRun:
    """What one run of one followed feed did."""

    follow_id: str
    url: str
    found: int = 0  # PDF links in the feed
    without_pdf: int = 0  # entries with no PDF link
    known: int = 0  # skipped: fetched before, or bytes the catalog has
    fetched: int = 0  # new PDFs fetched and ingested
    failed: int = 0  # fetches or ingests that failed
    left: int = 0  # new links left for the next run (over max_new)
    seconds: float = 0.0
    error: str | None = None  # the feed itself could not be read
    failures: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of `follow run --json` and of a follow's `last_result`."""
        return asdict(self)


def add_follow(settings: Settings, url: str, fetcher: Fetcher | None = None) -> dict[str, Any]:
    """Follow the feed at `url`, read once now so that a wrong URL is said at once: UrlRefused
    for an address inside, FetchError when it cannot be fetched, QueryError when it is not a
    feed. Returns the follow."""
    feed = _read(fetcher or fetcher_for(settings), url.strip())
    with Catalog(settings.catalog_path) as catalog:
        catalog.add_follow(uuid.uuid4().hex[:12], url.strip(), feed.title)
        return catalog.follow_row(url.strip()) or {}


def follows(settings: Settings) -> list[dict[str, Any]]:
    """Every followed feed with the outcome of its last run."""
    with Catalog(settings.catalog_path) as catalog:
        return catalog.follow_rows()


def remove_follow(settings: Settings, follow_id: str) -> None:
    """Stop following a feed; the reports it brought stay. NotFound for an unknown id."""
    with Catalog(settings.catalog_path) as catalog:
        if not catalog.remove_follow(follow_id):
            raise NotFound(f"no followed feed with id {follow_id!r}")


def run_follows(
    settings: Settings,
    ingest: Ingest,
    *,
    only: str | None = None,
    max_new: int = MAX_NEW,
    fetcher: Fetcher | None = None,
) -> list[FollowRun]:
    """Run every followed feed (or the one whose id or URL is `only`); returns each run."""
    fetcher = fetcher or fetcher_for(settings)
    with Catalog(settings.catalog_path) as catalog:
        rows = catalog.follow_rows()
    if only is not None:
        rows = [r for r in rows if only in (r["follow_id"], r["url"])]
        if not rows:
            raise NotFound(f"no followed feed with id or URL {only!r}")
    return [_run_one(settings, ingest, row, max_new, fetcher) for row in rows]


def _run_one(
    settings: Settings, ingest: Ingest, row: dict[str, Any], max_new: int, fetcher: Fetcher
) -> FollowRun:
    start = time.monotonic()
    run = FollowRun(row["follow_id"], row["url"])
    try:
        feed = _read(fetcher, row["url"])
    except (FetchError, QueryError) as e:
        run.error = str(e)
    else:
        run.found, run.without_pdf = len(feed.items), feed.without_pdf
        new = []
        with Catalog(settings.catalog_path) as catalog, catalog.transaction():
            for item in feed.items:
                if catalog.fetched(item.url):
                    catalog.note_entry(item.url, item.values, run.follow_id)
                else:
                    new.append(item)
        run.known, run.left = run.found - len(new), max(0, len(new) - max_new)
        paths = []
        for item in new[:max_new]:
            got = download(settings, item.url, fetcher=fetcher, entry=item.values,
                           follow_id=run.follow_id, keep_known=False)  # fmt: skip
            if got.path is not None:
                paths.append(got.path)
            elif got.known:
                run.known += 1
            else:
                run.failed += 1
                run.failures.append({"url": item.url, "error": got.error, "reason": got.reason})
        # Always: the ingest also derives the records of known bytes that now have a source.
        summary = ingest(paths)
        for outcome in summary.files:
            if outcome.status == "failed":
                run.failed += 1
                run.failures.append({"url": outcome.path, "error": outcome.error,
                                     "reason": outcome.reason})  # fmt: skip
            else:
                run.fetched += 1
    run.seconds = round(time.monotonic() - start, 3)
    with Catalog(settings.catalog_path) as catalog:
        catalog.set_follow_result(run.follow_id, run.to_dict())
    return run


def _read(fetcher: Fetcher, url: str) -> Feed:
    """The feed at `url`; a sitemap index brings in the PDFs of up to MAX_SITEMAPS sitemaps."""
    feed = _parse(fetcher, url)
    for sitemap in feed.sitemaps[:MAX_SITEMAPS]:
        inner = _parse(fetcher, sitemap)
        feed.items += inner.items
        feed.without_pdf += inner.without_pdf
    return feed


def _parse(fetcher: Fetcher, url: str) -> Feed:
    body = io.BytesIO()
    fetched = fetcher.fetch(url, body)
    try:
        return parse(body.getvalue(), fetched.final_url)
    except NotAFeed as e:
        raise QueryError(str(e)) from None
