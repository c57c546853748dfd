"""The search engines behind one interface: what ingest, the library, checks and quotes need
from an index of pages, whichever engine holds it.

`open_engine(settings)` picks the engine named by INDEXER_ENGINE: `whoosh` (the embedded
default) or `opensearch` (a cluster). The catalog stays the truth: every engine holds what
`sync_index` and `rebuild` give it from the catalog, and can be rebuilt from it at any time.

`search(engine, query, options)` is the one way in for a user's query: it is read and checked
once, engine-neutrally (`queryparse`), and the engine gets the tree.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from dataclasses import replace
from typing import Any, Protocol

from ..config import Settings
from ..models import Page, Report, SearchOptions, SearchResult
from ..queryparse import parse
from ..querytree import Node
from ..tokens import BODY_FIELDS

ENGINES = ("whoosh", "opensearch")
# The fields of a page in the engines (`shingles`: OpenSearch's quote 3-grams, which Whoosh
# looks up as phrases). A query names only the user's fields
# (queryparse.USER_FIELDS): `body:/x` is refused, where `see:/x` is text.
PAGE_FIELDS = (
    *("report", "page", "page_label", "quality", "path", "text", "spaced", "doc_id"),
    *BODY_FIELDS,
    *("exact", "margin", "seam", "seam_tail", "seam_head", "next_page", "next_label"),
    *("shingles", "title", "author", "publisher", "year", "publisher_facet", "lang"),
    *("authors", "date", "number", "version", "report_type", "tag", "tags_facet"),
    *("work", "rank", "added", "text_source", "translit"),
)
# Stored fields of a page as an engine hands them to quote finding: report, page, label, text…
StoredPage = dict[str, Any]


class EngineWriter(Protocol):
    """Adds and deletes whole reports; what it did is searchable when its block ends."""

    def add_report(self, report: Report, pages: Iterable[Page]) -> int:
        """Index a report's pages (replacing any it had); returns how many were added."""
        ...

    def delete_report(self, report_id: str) -> int:
        """Remove a report's pages; returns how many were removed."""
        ...


class SearchEngine(Protocol):
    """An index of pages, derived from the catalog."""

    needs_rebuild: bool  # it was missing, damaged or of another schema, and is empty now

    def writer(self, *, merge: bool = True, procs: int = 1) -> AbstractContextManager[EngineWriter]:
        """A writer for one block of changes, committed when the block ends. With
        `merge=False` the commit leaves the index's segments as they are (an ingest's interim
        commits); the next commit that merges takes them in. With `procs` > 1 the pages are
        analysed by that many processes (a rebuild): an engine that analyses elsewhere
        ignores it."""
        ...

    def clear(self) -> None:
        """Remove every page."""
        ...

    def report_ids(self) -> set[str]:
        """The reports that have pages in the index."""
        ...

    def page_counts(self) -> dict[str, int]:
        """How many pages each report has in the index."""
        ...

    def is_empty(self) -> bool:
        """Whether the index holds no page."""
        ...

    def checksum_problems(self) -> list[str]:
        """What is damaged in the index's storage (empty when nothing is)."""
        ...

    def search(self, tree: Node, options: SearchOptions) -> SearchResult:
        """The pages matching a checked query tree (see `SearchOptions`); the result's `query`
        is left for the caller. QueryError when the query cannot run here as written (e.g. a
        pattern matching too many words), SearchTimeout past `options.timeout_ms`."""
        ...

    def quote_candidates(
        self, grams: list[str], limit: int
    ) -> list[tuple[StoredPage, StoredPage | None]]:
        """The `limit` pages sharing most word 3-grams with a passage, each with its next page
        (None when it has none)."""
        ...

    def close(self) -> None:
        """Release files, connections and searchers."""
        ...


def parse_query(query: str) -> Node:
    """The checked tree of a user's query; QueryError, saying how to fix it, if it cannot be
    searched as written."""
    return parse(query, reserved=PAGE_FIELDS)


def search(engine: SearchEngine, query: str, options: SearchOptions | None = None) -> SearchResult:
    """Run a user's query on `engine`: parsed and checked once, for every engine."""
    result = engine.search(parse_query(query), options or SearchOptions())
    return replace(result, query=query)


def open_engine(settings: Settings) -> SearchEngine:
    """The engine INDEXER_ENGINE names, over this data folder's index."""
    if settings.engine == "whoosh":
        from .whoosh import WhooshEngine

        return WhooshEngine(settings.index_dir)
    if settings.engine == "opensearch":
        from .opensearch import OpenSearchEngine

        return OpenSearchEngine(settings)
    raise ValueError(f"unknown INDEXER_ENGINE {settings.engine!r}: use one of {ENGINES}")


def build_beside(settings: Settings, fill: Callable[[SearchEngine], None]) -> None:
    """Build a new index with `fill` while the old one serves, and swap it in only when `fill`
    returned; the old one stays if it raises. Call it holding the data folder's WriteLock."""
    if settings.engine == "whoosh":
        from .whoosh import build_beside as whoosh_build

        whoosh_build(settings.index_dir, fill)
        return
    if settings.engine == "opensearch":
        from .opensearch import build_beside as opensearch_build

        opensearch_build(settings, fill)
        return
    raise ValueError(f"unknown INDEXER_ENGINE {settings.engine!r}: use one of {ENGINES}")
