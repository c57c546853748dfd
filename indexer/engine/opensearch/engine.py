"""The OpenSearch engine as the rest of the indexer sees it (see `indexer.engine.SearchEngine`).

The service reads and writes an alias (INDEXER_OPENSEARCH_INDEX); behind it is one concrete
index, named after the alias and the time it was built. A rebuild fills a new concrete index
while the old one serves and then moves the alias in one atomic request (`build_beside`), so a
search sees either index whole. A missing alias is created over a new empty index, and an index
of another SCHEMA_VERSION is replaced by one; either way `needs_rebuild` is set, and the
library refills it from the catalog.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from opensearchpy import OpenSearch

from ...config import Settings
from ...errors import IndexUnavailable
from ...models import SearchOptions, SearchResult
from ...querytree import Node
from .client import cluster_errors, connect
from .mapping import SCHEMA_VERSION, index_body
from .search import run_search
from .writer import BulkWriter, retried

log = logging.getLogger(__name__)

StoredPage = dict[str, Any]
BUILD_MARK = "--"  # between the alias and the build's time in a concrete index's name
# Reports listed per request when walking the `report` values (a composite aggregation).
REPORTS_PER_REQUEST = 1000


class OpenSearchEngine:
    """The index of pages behind an alias on an OpenSearch cluster.

    With `index`, the engine reads and writes that concrete index as it is (a build that
    `build_beside` fills); without, the alias of `settings`, created or replaced as needed.
    """

    def __init__(self, settings: Settings, *, index: str | None = None) -> None:
        self.settings = settings
        self.alias = settings.opensearch_index
        self.client = connect(settings)
        self.needs_rebuild = False
        self.name = index or self.alias
        if index is None:
            self._open()

    def _open(self) -> None:
        check_name(self.alias)
        with cluster_errors("opening the index"):
            behind = indices_behind(self.client, self.alias)
            if not behind and self.client.indices.exists(index=self.alias):
                raise IndexUnavailable(
                    f"{self.alias!r} on the OpenSearch cluster is an index, not the alias the "
                    "indexer keeps: set INDEXER_OPENSEARCH_INDEX to another name"
                )
            versions = {name: schema_version(self.client, name) for name in behind}
        if behind and set(versions.values()) == {SCHEMA_VERSION}:
            return
        if behind:
            log.warning("OpenSearch index schema %s != %s: recreating", versions, SCHEMA_VERSION)
        with cluster_errors("creating the index"):
            name = create_index(self.client, self.settings)
            point_alias(self.client, self.alias, name)
        self.needs_rebuild = True

    @contextmanager
    def writer(self, *, merge: bool = True, procs: int = 1) -> Iterator[BulkWriter]:
        """A writer for a block of changes, sent in batches and searchable when the block ends
        (what was sent before an error in the block stays: the catalog syncs it again). Lucene
        merges segments in the background and analyses on its nodes: `merge` and `procs`
        change nothing here."""
        writer = BulkWriter(self.client, self.name, self.report_ids)
        try:
            yield writer
        except BaseException:
            writer.discard()
            raise
        with cluster_errors("writing pages"):
            writer.flush()
            self.refresh()

    def refresh(self) -> None:
        """Make what was written searchable."""
        retried("refreshing the index", lambda: self.client.indices.refresh(index=self.name))

    def clear(self) -> None:
        """Remove every page."""
        with self.writer() as writer:
            writer.delete_matching({"match_all": {}})

    def report_ids(self) -> set[str]:
        """The reports that have pages in the index."""
        return set(self.page_counts())

    def page_counts(self) -> dict[str, int]:
        """How many pages each report has in the index: every report, however many."""
        counts: dict[str, int] = {}
        after: dict[str, Any] | None = None
        with cluster_errors("counting pages"):
            while True:
                composite: dict[str, Any] = {
                    "size": REPORTS_PER_REQUEST,
                    "sources": [{"report": {"terms": {"field": "report"}}}],
                }
                if after:
                    composite["after"] = after
                body = {"size": 0, "aggs": {"reports": {"composite": composite}}}
                answer = self.client.search(index=self.name, body=body)
                buckets = answer["aggregations"]["reports"]["buckets"]
                counts |= {b["key"]["report"]: b["doc_count"] for b in buckets}
                after = answer["aggregations"]["reports"].get("after_key")
                if not buckets or not after:
                    return counts

    def is_empty(self) -> bool:
        """Whether the index holds no page."""
        with cluster_errors("counting pages"):
            return int(self.client.count(index=self.name)["count"]) == 0

    def checksum_problems(self) -> list[str]:
        """What is wrong with the index's storage: shards no node holds (the cluster is red
        for it), so that some pages cannot be found."""
        with cluster_errors("checking the index"):
            health = self.client.cluster.health(index=self.name)
        if health.get("status") != "red":
            return []
        return [
            f"the OpenSearch index {self.name} is red: {health.get('unassigned_shards')} "
            "shards are on no node (bring the nodes back, or run `indexer rebuild`)"
        ]

    def search(self, tree: Node, options: SearchOptions) -> SearchResult:
        """The pages matching a checked query tree (see `search.run_search`)."""
        return run_search(self.client, self.name, tree, options)

    def quote_candidates(
        self, grams: list[str], limit: int
    ) -> list[tuple[StoredPage, StoredPage | None]]:
        """The `limit` pages sharing most word 3-grams with a passage (each shared 3-gram
        counts one), each with its next page (None when it has none)."""
        should = [{"constant_score": {"filter": {"term": {"shingles": g}}}} for g in grams]
        body = {
            "size": limit,
            "query": {"bool": {"should": should, "minimum_should_match": 1}},
            "sort": ["_score", {"report": "asc"}, {"page": "asc"}],
        }
        with cluster_errors("finding a quote"):
            hits = self.client.search(index=self.name, body=body)["hits"]["hits"]
            pages = [hit["_source"]["stored"] for hit in hits]
            ids = [f"{p['report']}:{p['next_page']}" for p in pages if p.get("next_page")]
            found = {}
            if ids:
                docs = self.client.mget(index=self.name, body={"ids": ids})["docs"]
                found = {d["_id"]: d["_source"]["stored"] for d in docs if d.get("found")}
        return [
            (page, found.get(f"{page['report']}:{page['next_page']}"))
            if page.get("next_page")
            else (page, None)
            for page in pages
        ]

    def close(self) -> None:
        """Close the connections to the cluster."""
        self.client.close()


def build_beside(settings: Settings, fill: Callable[[OpenSearchEngine], None]) -> None:
    """Fill a new concrete index with `fill` while the alias serves the old one, then move the
    alias to it in one atomic request and delete the old one; if `fill` raises, the new index
    is deleted and the old one stays. Call it holding the data folder's WriteLock."""
    alias = settings.opensearch_index
    check_name(alias)
    client = connect(settings)
    try:
        with cluster_errors("rebuilding the index"):
            old = indices_behind(client, alias)
            for leftover in builds_of(client, alias):
                if leftover not in old:  # an earlier build that did not finish
                    client.indices.delete(index=leftover)
            name = create_index(client, settings)
        try:
            new = OpenSearchEngine(settings, index=name)
            try:
                fill(new)
                new.refresh()
            finally:
                new.close()
            with cluster_errors("swapping the index in"):
                point_alias(client, alias, name)
        except BaseException:
            with cluster_errors("deleting an unfinished build"):
                client.indices.delete(index=name, params={"ignore_unavailable": "true"})
            raise
    finally:
        client.close()


def check_name(alias: str) -> None:
    """ValueError unless `alias` can name an OpenSearch index (lower case, no odd characters)."""
    if not re.fullmatch(r"[a-z0-9][a-z0-9._-]*", alias) or BUILD_MARK in alias:
        raise ValueError(
            f"INDEXER_OPENSEARCH_INDEX {alias!r} cannot name an OpenSearch index: use lower-case "
            f"letters, digits, '.', '_' and '-' (not {BUILD_MARK!r})"
        )


def create_index(client: OpenSearch, settings: Settings) -> str:
    """A new, empty concrete index for the alias of `settings`; returns its name."""
    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime())
    name = f"{settings.opensearch_index}{BUILD_MARK}{stamp}-{uuid.uuid4().hex[:6]}"
    body = index_body(settings.opensearch_shards, settings.opensearch_replicas)
    client.indices.create(index=name, body=body, params={"wait_for_active_shards": "1"})
    return name


def point_alias(client: OpenSearch, alias: str, name: str) -> None:
    """Move `alias` to the index `name` in one request, then delete the indices it left."""
    old = indices_behind(client, alias)
    actions: list[dict[str, Any]] = [{"remove": {"index": o, "alias": alias}} for o in old]
    actions.append({"add": {"index": name, "alias": alias}})
    client.indices.update_aliases(body={"actions": actions})
    for index in old:
        if index != name:
            client.indices.delete(index=index, params={"ignore_unavailable": "true"})


def indices_behind(client: OpenSearch, alias: str) -> list[str]:
    """The concrete indices the alias points at (none when it does not exist)."""
    if not client.indices.exists_alias(name=alias):
        return []
    return sorted(client.indices.get_alias(name=alias))


def builds_of(client: OpenSearch, alias: str) -> list[str]:
    """The concrete indices built for `alias`, whether behind it or not."""
    pattern = re.compile(re.escape(alias + BUILD_MARK) + r"\d{8}-\d{6}-[0-9a-f]{6}")
    found = client.indices.get(index=f"{alias}{BUILD_MARK}*", params={"expand_wildcards": "all"})
    return sorted(name for name in found if pattern.fullmatch(name))


def schema_version(client: OpenSearch, index: str) -> int | None:
    """The SCHEMA_VERSION an index was made with (None if it was not made by the indexer)."""
    mapping = client.indices.get_mapping(index=index)[index]["mappings"]
    version = mapping.get("_meta", {}).get("schema_version")
    return int(version) if version is not None else None
