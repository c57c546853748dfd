"""A query tree -> page hits, over the Whoosh index in `index.py`.

The tree was read and checked once (`queryparse`); `querywhoosh` translates it. Nothing a user
types may make one search take the service down: wildcard, fuzzy and range terms are looked up
once under a cap (MAX_EXPANDED_TERMS), and every stage of a search runs against one deadline.
What is not Whoosh's (the per-report cap, the folding of versions, hits and highlights) is the
engine-neutral `hits` and `highlights`.

The matching pages are walked once (`budget.OnePass`): the hits are ranked, the matches counted
per report, versions folded and facets counted from that one list and the column values held
in memory (`columns.py`). Only a search needing none of that (no per-report cap, no facets, no
versions, by relevance) lets Whoosh's top-N collector skip the pages that cannot make the top.
"""

from __future__ import annotations

import heapq
import logging
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from itertools import islice
from operator import itemgetter
from typing import Any

from whoosh import query as wq
from whoosh.collectors import Collector, FilterCollector
from whoosh.reading import IndexReader
from whoosh.searching import Searcher

from ...deadline import Deadline
from ...highlights import Marker
from ...hits import EXACT_COUNT_LIMIT, cap, fold_versions, make_hit
from ...metarules import later_first
from ...models import SearchOptions, SearchResult
from ...querytree import Node
from ..pagerecords import FACETS
from .budget import CheckedCollector, OnePass, expand_patterns
from .columns import ColumnCache
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

    `total` counts all matching pages before the per-report cap: exactly when the one pass
    walked them all; when Whoosh's top-N skipped some (see above), exactly up to
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
        columns = _Columns(searcher.reader(), index.columns)
        found = None
        if options.per_report or options.facets or how.column or _has_versions(columns):
            found = _match(searcher, q, narrow, options.facets, deadline)
            picked, total, estimate, shown, others = _collect(
                columns, found.scored, offset + limit, options.per_report, how, deadline
            )
        else:  # nothing needs every match: Whoosh's top-N, which skips what cannot be in it
            picked, total, estimate, shown, others = _top(
                searcher, q, narrow, columns, offset + limit, deadline
            )
        # Stored fields (the whole page text) only of the hits shown.
        stored = [
            (searcher.stored_fields(docnum) | {"others": others.get(docnum, 0)}, score)
            for docnum, score in picked[offset:]
        ]
        deadline.check()
        counts = None
        if found is not None and options.facets:
            counts = _facets(searcher.reader(), index, found.matched, options, deadline)
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


# A matching page: its document number and score.
Hit = tuple[int, float]
# The column a sort orders by, latest first (then by score); relevance orders by score alone.
_SORT_COLUMNS = {"date": "date", "added": "added"}


@dataclass(frozen=True)
class _How:
    """How hits are ordered (`column`: latest first, else by score) and whether older
    versions of a work fold into the newest."""

    column: str | None = None
    latest: bool = True


@dataclass(frozen=True)
class _Columns:
    """The column values of one searcher's pages, read from memory (columns.py)."""

    reader: IndexReader
    cache: ColumnCache

    def __getitem__(self, name: str) -> Sequence[Any]:
        return self.cache.column(self.reader, name)


def _match(
    searcher: Searcher, q: wq.Query, narrow: wq.Query | None, facets: bool, deadline: Deadline
) -> OnePass:
    """The one walk over the pages matching `q`: those `narrow` also has, scored, and (for
    the facets) all of them. The filter's pages are looked up first, as Whoosh's filter does."""
    allow = set(searcher.docs_for_query(narrow)) if narrow is not None else None
    collector = OnePass(allow, deadline, keep_all=facets)
    searcher.search_with_collector(q, collector)
    return collector


def _facets(
    reader: IndexReader,
    index: PageIndex,
    matched: list[int],
    options: SearchOptions,
    deadline: Deadline,
) -> dict[str, list[dict[str, Any]]]:
    """The facet counts over the pages matching the query (in the report searched, if one),
    whatever the filters: `count_facets` applies them field by field."""
    if not reader.has_column("lang"):
        return count_facets({}, [], options.filters)
    columns = {name: index.columns.column(reader, col) for name, col in FACETS.items()}
    if options.report_id:
        reports = index.columns.column(reader, "report")
        matched = [d for d in matched if reports[d] == options.report_id]
    return count_facets(columns, matched, options.filters, check=deadline.check)


def _collect(
    columns: _Columns,
    scored: list[Hit],
    limit: int,
    per_report: int,
    how: _How = _How(),
    deadline: Deadline | None = None,
) -> tuple[list[Hit], int, bool, int, dict[int, int]]:
    """The (docnum, score) of the first `limit` hits of the `scored` matching pages (in
    document order), the number of matching pages, whether that number is an estimate, how
    many hits remain after the per-report cap and the folding of versions, and for each hit
    how many other versions of its work match."""
    deadline = deadline or Deadline(0)
    if not columns.reader.has_column("report"):
        return [], 0, False, 0, {}  # no document was ever added
    reports, pages = columns["report"], columns["page"]
    dates = columns[how.column] if how.column else None
    shown_of, others = _fold_versions(columns, scored)
    if not how.latest:
        shown_of = {}

    def key(hit: tuple[int, float]) -> tuple[Any, ...]:
        docnum, score = hit
        when = later_first(dates[docnum]) if dates is not None else ""
        return (when, -score, reports[docnum], pages[docnum])

    if dates is not None:
        best_of = partial(heapq.nsmallest, iterable=scored, key=key)
    else:  # by score, ties in document order (as Whoosh's top-N collector keeps them)
        best_of = partial(heapq.nlargest, iterable=scored, key=itemgetter(1))
    picked = _pick(best_of, key, reports, limit, per_report, shown_of, deadline)
    hidden = {r for r, shown in shown_of.items() if not shown}
    counts = {docnum: others.get(reports[docnum], 0) for docnum, _ in picked}
    exact = len(scored)
    if not per_report and not hidden:
        return picked, exact, False, exact, counts
    per = Counter(reports[d] for d, _ in islice(scored, EXACT_COUNT_LIMIT + 1))
    counted = sum(per.values())
    if counted <= EXACT_COUNT_LIMIT:
        kept = {r: n for r, n in per.items() if r not in hidden}
        shown = sum(min(n, per_report) if per_report else n for n in kept.values())
        return picked, counted, False, shown, counts
    return picked, exact, False, exact, counts  # too many to count per report


def _top(
    searcher: Searcher,
    q: wq.Query,
    narrow: wq.Query | None,
    columns: _Columns,
    limit: int,
    deadline: Deadline,
) -> tuple[list[Hit], int, bool, int, dict[int, int]]:
    """As `_collect`, with no per-report cap, no versions and by relevance: the best pages
    from Whoosh's top-N collector, which skips blocks of pages that cannot make the top. The
    total is then counted by a walk over the matches, and estimated past EXACT_COUNT_LIMIT."""
    if not columns.reader.has_column("report"):
        return [], 0, False, 0, {}  # no document was ever added
    reports, pages = columns["report"], columns["page"]
    last: list[Any] = []

    def best_of(window: int) -> list[Hit]:
        collector: Collector = CheckedCollector(searcher.collector(limit=window), deadline)
        if narrow is not None:  # a filter, not And(q, narrow): see `_match`
            collector = FilterCollector(collector, narrow, None)
        searcher.search_with_collector(q, collector)
        last[:] = [collector.results()]
        return list(last[0].items())

    def key(hit: Hit) -> tuple[Any, ...]:
        return ("", -hit[1], reports[hit[0]], pages[hit[0]])

    picked = _pick(best_of, key, reports, limit, 0, {}, deadline)
    results = last[0]
    # Whoosh's count under a filter is the count without it: then walk the matches.
    if narrow is None and results.has_exact_length():
        return picked, len(results), False, len(results), {}
    matching = deadline.walk(searcher.docs_for_query(wq.And([q, narrow]) if narrow else q))
    counted = sum(1 for _ in islice(matching, EXACT_COUNT_LIMIT + 1))
    if counted <= EXACT_COUNT_LIMIT:
        return picked, counted, False, counted, {}
    estimate = max(counted, results.estimated_length())
    return picked, estimate, True, estimate, {}


def _pick(
    best_of: Callable[[int], list[Hit]],
    key: Callable[[Hit], tuple[Any, ...]],
    reports: Sequence[str],
    limit: int,
    per_report: int,
    shown_of: dict[str, bool],
    deadline: Deadline,
) -> list[Hit]:
    """The first `limit` hits in the order of `key`, at most `per_report` of a report, none of
    a report `shown_of` hides, from the `best_of(n)` pages (the best n, or all if fewer)."""
    # Ask for more than `limit` pages, since the per-report cap discards some; widen the window
    # when one report crowds out the others, or when pages tie with the last hit kept.
    window = max(limit, 1) * (4 if per_report or shown_of else 1)
    while True:
        deadline.check()
        best = best_of(window)
        # Ties are broken by report and page, not by document number, so that the hits do not
        # depend on the order in which reports were indexed.
        ranked = sorted(best, key=key)
        if shown_of:
            ranked = [h for h in ranked if shown_of.get(reports[h[0]], True)]
        picked = cap(ranked, reports.__getitem__, limit, per_report)
        if len(best) < window:
            return picked
        tied = bool(picked) and key(ranked[-1])[:2] == key(picked[-1])[:2]
        if len(picked) == limit and not (tied and window < MAX_TIE_WINDOW):
            return picked
        window *= 4


def _has_versions(columns: _Columns) -> bool:
    """Whether some page belongs to a work with versions."""
    reader = columns.reader
    return bool(reader.has_column("work") and any(w for w in reader.lexicon("work")))


def _fold_versions(columns: _Columns, scored: list[Hit]) -> tuple[dict[str, bool], dict[str, int]]:
    """For reports that have other versions and match: whether each is shown (it is the
    newest matching version of its work), and how many other versions of its work match."""
    if not _has_versions(columns):
        return {}, {}
    report_col, work_col, rank_col = columns["report"], columns["work"], columns["rank"]
    versioned = (d for d, _ in scored if work_col[d])
    matched: dict[str, dict[str, int]] = {}
    for docnum in islice(versioned, EXACT_COUNT_LIMIT):
        matched.setdefault(work_col[docnum], {})[report_col[docnum]] = rank_col[docnum]
    return fold_versions(matched)
