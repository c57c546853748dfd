"""Filters and facet counts for a search: publisher, year, language, report type and tags.

Facet counts are over every matching page, each field counted with the *other* fields' filters
applied, so that ticking one publisher still shows how many pages the other publishers have.
They are counted from the pages the search's one pass collected (`search.py`) and the column
values held in memory (`columns.py`), not by walking the matches again.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from itertools import islice
from typing import Any

from whoosh import query as wq

from ...models import Filters
from ..pagerecords import FACET_YEARS, FACETS, TAG_JOIN

# Facet counts walk the matching pages; past this many they cover the first pages only.
FACET_LIMIT = 100_000


def filter_query(report_id: str | None, filters: Filters | None) -> wq.Query | None:
    """The Whoosh query that pages must also match, or None when nothing narrows the search."""
    parts: list[wq.Query] = []
    if report_id:
        parts.append(wq.Term("report", report_id))
    if filters:
        if filters.publisher:
            parts.append(wq.Or([wq.Term("publisher_facet", p) for p in filters.publisher]))
        if filters.year:
            parts.append(wq.Or([wq.NumericRange("year", y, y) for y in filters.year]))
        if filters.year_from is not None or filters.year_to is not None:
            parts.append(wq.NumericRange("year", filters.year_from, filters.year_to))
        if filters.lang:
            parts.append(wq.Or([wq.Term("lang", lang.lower()) for lang in filters.lang]))
        if filters.report_type:
            parts.append(wq.Or([wq.Term("report_type", t) for t in filters.report_type]))
        if filters.tag:
            parts.append(wq.Or([wq.Term("tag", t) for t in filters.tag]))
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else wq.And(parts)


def _passes(name: str, value: Any, filters: Filters | None) -> bool:
    if filters is None:
        return True
    if name == "year":
        low, high = filters.year_from, filters.year_to
        if value is None:
            return not filters.year and low is None and high is None
        in_range = (low is None or value >= low) and (high is None or value <= high)
        return in_range and (not filters.year or value in filters.year)
    if name == "lang":
        return not filters.lang or value in {lang.lower() for lang in filters.lang}
    if name == "report_type":
        return not filters.report_type or value in filters.report_type
    if name == "tag":
        return not filters.tag or bool(set(value) & set(filters.tag))
    return not filters.publisher or value in filters.publisher


def count_facets(
    columns: dict[str, Sequence[Any]],
    matched: Iterable[int],
    filters: Filters | None,
    *,
    check: Callable[[], None] = lambda: None,
) -> dict[str, list[dict[str, Any]]]:
    """{"publisher": [{"value", "count"}], "year", "lang", "report_type", "tag"} over the
    `matched` pages (document numbers), given each facet's column values (`columns`, by facet
    name; empty when the index has no page).

    Publishers and languages are sorted by count, years newest first. Pages without a value
    (no known publisher, year or language) are not counted. `check` is called between the
    kinds of pages counted (the search's deadline: it raises when the time is up).
    """
    counts: dict[str, Counter[Any]] = {name: Counter() for name in FACETS}
    if not columns:
        return {name: [] for name in FACETS}
    docs = list(islice(matched, FACET_LIMIT))
    # Pages with the same values count alike: count each combination of values once.
    kinds = Counter(zip(*(map(columns[name].__getitem__, docs) for name in FACETS), strict=True))
    for combination, pages in kinds.items():
        check()
        values = dict(zip(FACETS, combination, strict=True))
        if values["year"] not in FACET_YEARS:  # Whoosh stands in a number for "no year"
            values["year"] = None  # no year: left out of the year facet
        values["tag"] = [t for t in (values["tag"] or "").split(TAG_JOIN) if t]
        ok = {name: _passes(name, value, filters) for name, value in values.items()}
        for name, value in values.items():
            if value and all(ok[other] for other in FACETS if other != name):
                for one in value if name == "tag" else [value]:
                    counts[name][one] += pages
    return {
        name: [
            {"value": value, "count": n}
            for value, n in sorted(
                counter.items(),
                key=lambda kv: (-kv[0], 0) if name == "year" else (-kv[1], str(kv[0])),
            )
        ]
        for name, counter in counts.items()
    }
