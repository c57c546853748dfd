"""The Whoosh engine as the rest of the indexer sees it (see `indexer.engine.SearchEngine`):
the page index of `index.py` with searching and quote lookup."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from whoosh import query as wq
from whoosh.searching import Searcher

from ...models import SearchOptions, SearchResult
from ...querytree import Node
from . import index as index_mod
from .index import PageIndex
from .search import search as search_pages

StoredPage = dict[str, Any]


class WhooshEngine(PageIndex):
    """A Whoosh index of pages in a directory (DATA/index)."""

    def search(self, tree: Node, options: SearchOptions) -> SearchResult:
        """The pages matching a query tree (see `search.search`)."""
        return search_pages(self, tree, options)

    def quote_candidates(
        self, grams: list[str], limit: int
    ) -> list[tuple[StoredPage, StoredPage | None]]:
        """The pages sharing most 3-grams with a passage, each with its next page's stored
        fields (None when it has none)."""
        return self.read(lambda searcher: _candidates(searcher, grams, limit))


def _candidates(
    searcher: Searcher, grams: list[str], limit: int
) -> list[tuple[StoredPage, StoredPage | None]]:
    q = wq.Or([wq.Term("shingles", g) for g in grams])
    pages = [dict(hit.fields()) for hit in searcher.search(q, limit=limit, terms=False)]
    out = []
    for page in pages:
        following = None
        if page.get("next_page"):
            following = searcher.document(doc_id=f"{page['report']}:{page['next_page']}")
        out.append((page, following))
    return out


def build_beside(directory: Path, fill: Any) -> None:
    """`index.build_beside`, filling a WhooshEngine."""
    index_mod.build_beside(directory, fill, make=WhooshEngine)
