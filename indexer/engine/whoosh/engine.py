"""The Whoosh engine as the rest of the indexer sees it (see `indexer.engine.SearchEngine`):
the page index of `index.py` with searching and quote lookup.

A passage's 3-grams are looked up as phrases of the positional fields the page already has
(`exact`, and `seam` for a passage over a page break), not as terms of a field of their own:
nearly every 3-gram of a page is a term found on no other page, and Whoosh's cost of
writing a term made such a field 60 % of the indexing time. A phrase costs more to look up
than a term, so only the MAX_GRAMS rarest 3-grams of the passage are asked for.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from whoosh import query as wq
from whoosh.searching import Searcher

from ...models import SearchOptions, SearchResult
from ...pagetext import NEXT
from ...querytree import Node
from ...tokens import GRAM_JOIN
from . import index as index_mod
from .index import PageIndex
from .search import search as search_pages

StoredPage = dict[str, Any]
# The 3-grams of a passage looked up: a passage is found by a few of its 3-grams, and the
# rarest intersect the shortest posting lists.
MAX_GRAMS = 12


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
    q = gram_query(searcher, grams)
    if q is None:
        return []
    pages = [dict(hit.fields()) for hit in searcher.search(q, limit=limit, terms=False)]
    out = []
    for page in pages:
        following = None
        if page.get("next_page"):
            following = searcher.document(doc_id=f"{page['report']}:{page['next_page']}")
        out.append((page, following))
    return out


def gram_query(searcher: Searcher, grams: list[str]) -> wq.Query | None:
    """The rarest of `grams` as phrases: each on a page's words, and over its seam into the
    next page (the words after the break marked NEXT: 1, 2 or all 3 of them, the last for a
    passage that starts at the foot of the page). None when no 3-gram has all its words in
    the index."""
    reader = searcher.reader()
    rarity: dict[str, int] = {}
    for gram in grams:
        for word in gram.split(GRAM_JOIN):
            if word not in rarity:
                rarity[word] = reader.doc_frequency("exact", word)
    found = [g for g in grams if all(rarity[w] for w in g.split(GRAM_JOIN))]
    found.sort(key=lambda g: min(rarity[w] for w in g.split(GRAM_JOIN)))  # stable: in order
    phrases: list[wq.Query] = []
    for gram in found[:MAX_GRAMS]:
        a, b, c = gram.split(GRAM_JOIN)
        phrases.append(wq.Phrase("exact", [a, b, c]))
        for marked in ([a, b, NEXT + c], [a, NEXT + b, NEXT + c], [NEXT + a, NEXT + b, NEXT + c]):
            phrases.append(wq.Phrase("seam", marked))
    return wq.Or(phrases) if phrases else None


def build_beside(directory: Path, fill: Any) -> None:
    """`index.build_beside`, filling a WhooshEngine."""
    index_mod.build_beside(directory, fill, make=WhooshEngine)
