"""Filters and facet counts in OpenSearch, as the Whoosh engine's (engine/whoosh/facets.py):
each facet counts the matching pages with the *other* fields' filters applied, so that ticking
one publisher still shows how many pages the other publishers have.

The filters narrow the hits through the search's `post_filter`; the facets are aggregations
over the query alone, each inside a `filter` aggregation holding the other fields' filters.
"""

from __future__ import annotations

from typing import Any

from ...models import Filters
from ..pagerecords import FACET_YEARS, FACETS

# Values listed per facet (Whoosh lists all it counts; no collection has this many).
FACET_VALUES = 10_000


def filter_clauses(filters: Filters | None, *, facets: bool = False) -> dict[str, list[Any]]:
    """Facet -> the clauses of `filters` on its field (those a page must all match).

    With `facets`, tags are matched as the tag facet counts them (whole, as given), not as the
    `tag` field indexes them (between commas, trimmed): what Whoosh's facet counting compares.
    """
    out: dict[str, list[Any]] = {name: [] for name in FACETS}
    if not filters:
        return out
    if filters.publisher:
        out["publisher"].append({"terms": {"publisher_facet": list(filters.publisher)}})
    if filters.year:
        out["year"].append({"terms": {"year": list(filters.year)}})
    if filters.year_from is not None or filters.year_to is not None:
        bounds = {"gte": filters.year_from, "lte": filters.year_to}
        out["year"].append({"range": {"year": {k: v for k, v in bounds.items() if v is not None}}})
    if filters.lang:
        out["lang"].append({"terms": {"lang": [lang.lower() for lang in filters.lang]}})
    if filters.report_type:
        out["report_type"].append({"terms": {"report_type": list(filters.report_type)}})
    if filters.tag:
        field = "tags_facet" if facets else "tag"
        out["tag"].append({"terms": {field: list(filters.tag)}})
    return out


def facet_aggs(filters: Filters | None) -> dict[str, Any]:
    """The aggregations counting each facet with the other fields' filters."""
    clauses = filter_clauses(filters, facets=True)
    aggs = {}
    for name, field in FACETS.items():
        others = [c for other, cs in clauses.items() if other != name for c in cs]
        values = {"terms": {"field": field, "size": FACET_VALUES}}
        aggs[f"facet_{name}"] = {
            "filter": {"bool": {"filter": others}} if others else {"match_all": {}},
            "aggs": {"values": values},
        }
    return aggs


def facet_counts(aggregations: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """{"publisher": [{"value", "count"}], "year", …} from the answer to `facet_aggs`:
    by count (then value), years newest first; pages without a value are not counted."""
    out: dict[str, list[dict[str, Any]]] = {}
    for name in FACETS:
        buckets = aggregations[f"facet_{name}"]["values"]["buckets"]
        counts = {b["key"]: b["doc_count"] for b in buckets if b["key"] != ""}
        if name == "year":
            counts = {y: n for y, n in counts.items() if y in FACET_YEARS}
        order = sorted(
            counts.items(),
            key=lambda kv: (-kv[0], 0) if name == "year" else (-kv[1], str(kv[0])),
        )
        out[name] = [{"value": value, "count": n} for value, n in order]
    return out


def empty_counts() -> dict[str, list[dict[str, Any]]]:
    """The facets of a query that matches nothing."""
    return {name: [] for name in FACETS}
