"""A query tree -> page hits, over the Whoosh index in `index.py`.

The tree was read and checked once (`queryparse`); `querywhoosh` translates it. Nothing a user
types may make one search take the service down: wildcard, fuzzy and range terms are looked up
once under a cap (MAX_EXPANDED_TERMS), and every stage of a search runs against one deadline.
What is not Whoosh's (the per-report cap, the folding of versions, hits and highlights) is the
engine-neutral `hits` and `highlights`.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass
from itertools import islice
from typing import Any

from whoosh import query as wq
from whoosh import sorting
from whoosh.collectors import Collector, FilterCollector
from whoosh.searching import Searcher

from ...deadline import Deadline
from ...highlights import Marker
from ...hits import EXACT_COUNT_LIMIT, cap, fold_versions, make_hit
from ...metarules import later_first
from ...models import SearchOptions, SearchResult
from ...querytree import Node
from .budget import CheckedCollector, expand_patterns
from .facets import count_facets, filter_query
from .index import PageIndex
from .querywhoosh import to_whoosh

log = logging.getLogger(__name__)

# Pages scoring the same as the last hit kept may lie beyond the window; it is widened up to
# this size to see them (e.g. every page of a report that matched on its title ties).
MAX_TIE_WINDOW = 2048


def search(index: PageIndex, tree: Node, options: SearchOptions) -> SearchResult:
    """The pages matching `tree`, best first (see `SearchOptions`); `query` is left empty.

    `sort="date"` puts the newest reports first (undated last), `sort="added"` the reports
    added last first. With `versions="latest"`, of the versions of one work that match only the
    newest shows, counting the others in its hits' `other_versions`.

    `total` counts all matching pages before the per-report cap, exactly up to
    EXACT_COUNT_LIMIT and estimated above it. Raises QueryError for a query whose patterns match
    over MAX_EXPANDED_TERMS words, SearchTimeout when the whole search (expansion, collection,
    counting, facets, snippets) takes over `options.timeout_ms`, and IndexUnavailable if the
    index cannot be read.
    """
    deadline = Deadline(options.timeout_ms)
    # Inside one report, the report's title, author or publisher would match every page.
    parsed = to_whoosh(tree, index.schema, metadata=options.report_id is None)
    narrow = filter_query(options.report_id, options.filters)
    how = _How(_SORT_COLUMNS.get(options.sort), options.latest_only)
    limit, offset = options.limit, options.offset

    def read(searcher: Searcher) -> tuple[Any, ...]:
        # Looked up in this searcher's vocabulary, once for every stage below.
        q = expand_patterns(parsed, searcher.reader(), deadline)
        picked, total, estimate, shown, others = _collect(
            searcher, q, narrow, offset + limit, options.per_report, how, deadline
        )
        stored = [
            (searcher.stored_fields(docnum) | {"others": others.get(docnum, 0)}, score)
            for docnum, score in picked[offset:]
        ]
        deadline.check()
        counts = None
        if options.facets:
            counts = count_facets(
                searcher, q, options.report_id, options.filters, check=deadline.check
            )
        return stored, total, estimate, shown, counts

    stored, total, estimate, shown, counts = index.read(read)
    marker = Marker.from_tree(tree)
    hits = []
    for fields, score in stored:
        deadline.check()
        hits.append(make_hit(fields, score, marker))
    return SearchResult(
        query="",
        total=total,
        total_is_estimate=estimate,
        hits=hits,
        shown_total=shown,
        facets=counts,
    )


# The column a sort orders by, latest first (then by score); relevance orders by score alone.
_SORT_COLUMNS = {"date": "date", "added": "added"}


@dataclass(frozen=True)
class _How:
    """How hits are ordered (`column`: latest first, else by score) and whether older
    versions of a work fold into the newest."""

    column: str | None = None
    latest: bool = True


def _collect(
    searcher: Searcher,
    q: wq.Query,
    narrow: wq.Query | None,
    limit: int,
    per_report: int,
    how: _How = _How(),
    deadline: Deadline | None = None,
) -> tuple[list[tuple[int, float]], int, bool, int, dict[int, int]]:
    """The (docnum, score) of the first `limit` hits, the number of matching pages, whether
    that number is an estimate, how many hits remain after the per-report cap and the folding
    of versions, and for each hit how many other versions of its work match."""
    deadline = deadline or Deadline(0)
    reader = searcher.reader()
    if not reader.has_column("report"):
        return [], 0, False, 0, {}  # no document was ever added
    # Columns, not stored fields: those hold the whole page text.
    reports = reader.column_reader("report", translate=True)
    pages = reader.column_reader("page", translate=True)
    dates = reader.column_reader(how.column, translate=True) if how.column else None
    shown_of, others = _fold_versions(searcher, q, narrow, deadline)
    if not how.latest:
        shown_of = {}
    # By date (or added time), then by score: each hit's sort key is (its key, -score).
    sortedby = [sorting.FieldFacet(how.column or "date", reverse=True), sorting.ScoreFacet()]

    def key(hit: tuple[int, float]) -> tuple[Any, ...]:
        docnum, score = hit
        when = later_first(dates[docnum]) if dates is not None else ""
        return (when, -score, reports[docnum], pages[docnum])

    # Ask for more than `limit` pages, since the per-report cap discards some; widen the window
    # when one report crowds out the others, or when pages tie with the last hit kept.
    window = max(limit, 1) * (4 if per_report or shown_of else 1)
    while True:
        # A filter, not And(q, narrow): Whoosh 2.7's IntersectionMatcher trips an assertion
        # when it skips blocks by quality, which the filter path never does.
        results = _run(searcher, q, narrow, window, sortedby if how.column else None, deadline)
        if how.column:
            scored = [(docnum, -sort_key[1]) for sort_key, docnum in results.top_n]
        else:
            scored = list(results.items())
        # Ties are broken by report and page, not by document number, so that the hits do not
        # depend on the order in which reports were indexed.
        ranked = sorted(scored, key=key)
        if shown_of:
            ranked = [h for h in ranked if shown_of.get(reports[h[0]], True)]
        picked = cap(ranked, reports.__getitem__, limit, per_report)
        if results.scored_length() < window:
            break
        tied = bool(picked) and key(ranked[-1])[:2] == key(picked[-1])[:2]
        if len(picked) == limit and not (tied and window < MAX_TIE_WINDOW):
            break
        window *= 4
    hidden = {r for r, shown in shown_of.items() if not shown}
    counts = {docnum: others.get(reports[docnum], 0) for docnum, _ in picked}
    exact = len(results) if results.has_exact_length() else None
    if exact is not None and not per_report and not hidden:
        return picked, exact, False, exact, counts
    matching = deadline.walk(searcher.docs_for_query(wq.And([q, narrow]) if narrow else q))
    per: Counter[str] = Counter(reports[d] for d in islice(matching, EXACT_COUNT_LIMIT + 1))
    counted = sum(per.values())
    if counted <= EXACT_COUNT_LIMIT:
        kept = {r: n for r, n in per.items() if r not in hidden}
        shown = sum(min(n, per_report) if per_report else n for n in kept.values())
        return picked, counted, False, shown, counts
    if exact is not None:  # too many to count per report: paging may end on a short page
        return picked, exact, False, exact, counts
    estimate = max(counted, results.estimated_length())
    return picked, estimate, True, estimate, counts


def _run(
    searcher: Searcher,
    q: wq.Query,
    narrow: wq.Query | None,
    limit: int,
    sortedby: Any,
    deadline: Deadline,
) -> Any:
    """`searcher.search(q, limit=limit, filter=narrow, sortedby=sortedby)`, checking the
    deadline at each matching page (inside the filter, which sees the pages first)."""
    collector: Collector = CheckedCollector(
        searcher.collector(limit=limit, sortedby=sortedby), deadline
    )
    if narrow is not None:
        collector = FilterCollector(collector, narrow, None)
    searcher.search_with_collector(q, collector)
    return collector.results()


def _fold_versions(
    searcher: Searcher, q: wq.Query, narrow: wq.Query | None, deadline: Deadline
) -> tuple[dict[str, bool], dict[str, int]]:
    """For reports that have other versions and match: whether each is shown (it is the
    newest matching version of its work), and how many other versions of its work match."""
    reader = searcher.reader()
    if not reader.has_column("work"):
        return {}, {}
    works = [w for w in reader.lexicon("work") if w]
    if not works:
        return {}, {}
    versioned = wq.Or([wq.Term("work", w.decode() if isinstance(w, bytes) else w) for w in works])
    base = wq.And([q, narrow, versioned]) if narrow else wq.And([q, versioned])
    report_col = reader.column_reader("report", translate=True)
    work_col = reader.column_reader("work", translate=True)
    rank_col = reader.column_reader("rank", translate=True)
    matched: dict[str, dict[str, int]] = {}
    for docnum in islice(deadline.walk(searcher.docs_for_query(base)), EXACT_COUNT_LIMIT):
        matched.setdefault(work_col[docnum], {})[report_col[docnum]] = rank_col[docnum]
    return fold_versions(matched)
