"""A query tree -> page hits, over an OpenSearch index: the same hits, totals and facets as the
Whoosh engine's search (engine/whoosh/search.py), with the engine-neutral `hits` and
`highlights` doing what is not OpenSearch's.

One search is up to two requests. The first folds versions: which reports with other versions
match, as (work, report, rank) buckets of a composite aggregation, so that only the newest
matching version of a work shows. The second finds the hits with `dfs_query_then_fetch` (every
shard scores with the whole index's statistics), the reports folded away and the filters in its
`post_filter`, and aggregates the facets (over the query alone) and the per-report counts.

With a per-report cap the hits come from `collapse` on `report`: the first offset+limit groups
hold the first offset+limit capped hits (a report's best page ranks it among the groups), whose
`inner_hits` are flattened and ranked again. Without a cap, from/size, or `search_after` past
MAX_RESULT_WINDOW.
"""

from __future__ import annotations

import time
from typing import Any, NamedTuple

from opensearchpy import OpenSearch
from opensearchpy.exceptions import ConnectionTimeout

from ...deadline import Deadline
from ...errors import QueryError, SearchTimeout
from ...highlights import Marker
from ...hits import EXACT_COUNT_LIMIT, cap, fold_versions, make_hit
from ...models import SearchOptions, SearchResult
from ...querytree import Node
from .budget import check_expansions
from .client import cluster_errors
from .facets import empty_counts, facet_aggs, facet_counts, filter_clauses
from .mapping import MAX_RESULT_WINDOW
from .querydsl import to_dsl, to_plan

# The field a sort orders by, latest first (then by score); relevance orders by score alone.
SORT_FIELDS = {"date": "date_sort", "added": "added_sort"}
# Hits per request while walking past MAX_RESULT_WINDOW with search_after.
WALK = 1000
# Version buckets per request of the folding aggregation.
FOLD_PAGE = 1000


class Ranked(NamedTuple):
    """A matching page as a search request returned it."""

    when: str  # the sort field's value ("" for relevance)
    score: float
    report: str
    page: int
    stored: dict[str, Any]


def run_search(client: OpenSearch, index: str, tree: Node, options: SearchOptions) -> SearchResult:
    """The pages matching `tree`, best first (see `SearchOptions`); `query` is left empty.

    Raises QueryError for a query the cluster refuses or whose patterns match too many words,
    SearchTimeout past `options.timeout_ms`, IndexUnavailable when the cluster cannot answer.
    """
    deadline = Deadline(options.timeout_ms)
    # Inside one report, the report's title, author or publisher would match every page.
    plan = to_plan(tree, metadata=options.report_id is None)
    if plan is None:  # nothing left to look for (only stop words in a stemmed field, say)
        facets = empty_counts() if options.facets else None
        return SearchResult("", 0, False, [], 0, facets)
    plan = check_expansions(client, index, plan, deadline)
    query = to_dsl(plan)
    if options.report_id:
        query = {"bool": {"must": [query], "filter": [{"term": {"report": options.report_id}}]}}
    narrow = [c for cs in filter_clauses(options.filters).values() for c in cs]
    matched, pages_of = _versions(client, index, query, narrow, deadline)
    shown_of, others = fold_versions(matched)
    hidden = sorted(r for r, shown in shown_of.items() if not shown) if options.latest_only else []
    post = {"bool": {"filter": narrow, "must_not": [{"terms": {"report": hidden}}]}}
    answer, ranked = _hits(client, index, query, post, options, deadline)
    visible = answer["hits"]["total"]
    estimate = visible["relation"] != "eq"
    total = visible["value"] + sum(pages_of[r] for r in hidden)
    shown = visible["value"]
    if options.per_report and not estimate:
        buckets = answer["aggregations"]["shown"]["reports"]["buckets"]
        shown = sum(min(b["doc_count"], options.per_report) for b in buckets)
    counts = facet_counts(answer["aggregations"]) if options.facets else None
    marker = Marker.from_tree(tree)
    hits = []
    for r in ranked:
        deadline.check()
        hits.append(make_hit(r.stored | {"others": others.get(r.report, 0)}, r.score, marker))
    return SearchResult("", total, estimate, hits, shown, counts)


def _versions(
    client: OpenSearch, index: str, query: dict[str, Any], narrow: list[Any], deadline: Deadline
) -> tuple[dict[str, dict[str, int]], dict[str, int]]:
    """Of the matching pages of reports with other versions: work -> {report: rank}, and how
    many pages of each such report match."""
    sources = [{name: {"terms": {"field": name}}} for name in ("work", "report", "rank")]
    versioned = {"exists": {"field": "work"}}
    matched: dict[str, dict[str, int]] = {}
    pages_of: dict[str, int] = {}
    after = None
    while True:
        composite: dict[str, Any] = {"size": FOLD_PAGE, "sources": sources}
        if after:
            composite["after"] = after
        body = {
            "size": 0,
            "track_total_hits": False,
            "query": {"bool": {"must": [query], "filter": [*narrow, versioned]}},
            "aggs": {"versions": {"composite": composite}},
        }
        answer = _send(client, index, body, deadline, scored=False)
        versions = answer["aggregations"]["versions"]
        for bucket in versions["buckets"]:
            key = bucket["key"]
            matched.setdefault(key["work"], {})[key["report"]] = int(key["rank"])
            pages_of[key["report"]] = pages_of.get(key["report"], 0) + bucket["doc_count"]
        after = versions.get("after_key")
        if not versions["buckets"] or not after:
            return matched, pages_of


def _sort(options: SearchOptions) -> list[Any]:
    field = SORT_FIELDS.get(options.sort)
    order: list[Any] = [{field: "desc"}] if field else []
    # Ties are broken by report and page, so that hits do not depend on the order of indexing.
    return [*order, {"_score": "desc"}, {"report": "asc"}, {"page": "asc"}]


def _hits(
    client: OpenSearch,
    index: str,
    query: dict[str, Any],
    post: dict[str, Any],
    options: SearchOptions,
    deadline: Deadline,
) -> tuple[dict[str, Any], list[Ranked]]:
    """The answer to the main request (totals, aggregations) and the hits to show."""
    wanted = options.offset + options.limit
    sort = _sort(options)
    body: dict[str, Any] = {
        "query": query,
        "post_filter": post,
        "sort": sort,
        "track_scores": True,
        "track_total_hits": EXACT_COUNT_LIMIT,
    }
    aggs = facet_aggs(options.filters) if options.facets else {}
    if options.per_report:
        if wanted > MAX_RESULT_WINDOW:
            raise QueryError(
                f"Hits past the first {MAX_RESULT_WINDOW:,} cannot be shown with a per-report "
                "cap: narrow the search, or page without the cap."
            )
        reports = {"terms": {"field": "report", "size": EXACT_COUNT_LIMIT}}
        aggs["shown"] = {"filter": post, "aggs": {"reports": reports}}
    if aggs:
        body["aggs"] = aggs
    if options.per_report:
        inner = {"name": "pages", "size": options.per_report, "sort": sort}
        body |= {"size": wanted, "collapse": {"field": "report", "inner_hits": inner}}
        answer = _send(client, index, body, deadline)
        pages = [
            _ranked(inner_hit, options)
            for hit in answer["hits"]["hits"]
            for inner_hit in hit["inner_hits"]["pages"]["hits"]["hits"]
        ]
        pages.sort(key=lambda r: (-r.score, r.report, r.page))
        if options.sort in SORT_FIELDS:
            pages.sort(key=lambda r: r.when, reverse=True)  # stable: score, report, page next
        picked = cap(((p, p.score) for p in pages), lambda p: p.report, wanted, options.per_report)
        return answer, [p for p, _ in picked[options.offset :]]
    if wanted <= MAX_RESULT_WINDOW:
        body |= {"from": options.offset, "size": options.limit}
        answer = _send(client, index, body, deadline)
        return answer, [_ranked(hit, options) for hit in answer["hits"]["hits"]]
    return _walk(client, index, body, options, deadline)


def _walk(
    client: OpenSearch,
    index: str,
    body: dict[str, Any],
    options: SearchOptions,
    deadline: Deadline,
) -> tuple[dict[str, Any], list[Ranked]]:
    """Hits offset to offset+limit past MAX_RESULT_WINDOW: pages of WALK hits, each after the
    last one's sort values, the skipped ones without their stored fields."""
    first: dict[str, Any] | None = None
    seen, after, out = 0, None, []
    while seen < options.offset + options.limit:
        size = min(WALK, options.offset + options.limit - seen)
        request = body | {"size": size, "_source": seen + size > options.offset}
        if after is not None:
            request = {k: v for k, v in request.items() if k != "aggs"}
            request |= {"search_after": after, "track_total_hits": False}
        answer = _send(client, index, request, deadline)
        first = first or answer
        hits = answer["hits"]["hits"]
        out += [_ranked(h, options) for h in hits[max(0, options.offset - seen) :]]
        seen += len(hits)
        if len(hits) < size:
            break
        after = hits[-1]["sort"]
    assert first is not None
    return first, out


def _ranked(hit: dict[str, Any], options: SearchOptions) -> Ranked:
    stored = hit.get("_source", {}).get("stored", {})
    when = str(hit["sort"][0]) if options.sort in SORT_FIELDS else ""
    score = float(hit["_score"] if hit.get("_score") is not None else 0.0)
    report, page = hit["_id"].rsplit(":", 1)
    return Ranked(when, score, report, int(page), stored)


def _send(
    client: OpenSearch,
    index: str,
    body: dict[str, Any],
    deadline: Deadline,
    *,
    scored: bool = True,
) -> dict[str, Any]:
    """One search request, within what is left of the search's time budget."""
    deadline.check()
    params: dict[str, Any] = {}
    if scored:
        params["search_type"] = "dfs_query_then_fetch"
    if deadline.ms > 0:
        left_ms = max(1, int((deadline.at - _now()) * 1000))
        body = body | {"timeout": f"{left_ms}ms"}
        params["request_timeout"] = left_ms / 1000 + 2
    try:
        with cluster_errors("searching", query=True):
            answer: dict[str, Any] = client.search(index=index, body=body, params=params)
    except Exception as exc:
        if isinstance(exc.__cause__, ConnectionTimeout) and _now() > deadline.at:
            deadline.check()
        raise
    if answer.get("timed_out"):
        deadline.check()
        raise SearchTimeout(
            f"The search took longer than {deadline.ms} ms and was stopped: try again, or "
            "narrow it (more words, fewer wildcards or fuzzy terms, a filter)."
        )
    return answer


def _now() -> float:
    return time.monotonic()
