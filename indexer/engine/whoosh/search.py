"""Query -> page hits with snippets, over the Whoosh index in `index.py`.

The query language is Whoosh's: words (all required), "phrases", AND/OR/NOT, parentheses,
field:value on title/author/publisher/year/report/number, wildcards (nuc*) and fuzzy terms
(nuclaer~).

Nothing a user types may reach the index's internal fields or make one search take the service
down: the query is checked in the characters the parser sees (after NFKC), the parsed query is
checked again leaf by leaf, wildcard, fuzzy and range terms are looked up once under a cap
(MAX_EXPANDED_TERMS), and every stage of a search runs against one deadline (`Deadline`).
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

from ...config import Settings
from ...errors import QueryError
from ...metarules import later_first
from ...models import SORTS, VERSIONS, Filters, Hit, SearchResult
from ...snippets import make_snippet
from .budget import MAX_EXPANDED_TERMS, CheckedCollector, Deadline, expand_patterns
from .facets import count_facets, filter_query
from .highlights import Marker
from .index import PageIndex
from .query import USER_FIELDS, parse_query, validate_query

__all__ = ["USER_FIELDS", "MAX_EXPANDED_TERMS", "parse_query", "search", "validate_query"]

log = logging.getLogger(__name__)


# Counting every match costs a pass over the postings; beyond this many pages "total" is an
# estimate (and says so) rather than an exact count.
EXACT_COUNT_LIMIT = 10_000

# Pages scoring the same as the last hit kept may lie beyond the window; it is widened up to
# this size to see them (e.g. every page of a report that matched on its title ties).
MAX_TIE_WINDOW = 2048


def search(
    index: PageIndex,
    query: str,
    *,
    limit: int = 10,
    per_report: int = 3,
    report_id: str | None = None,
    offset: int = 0,
    filters: Filters | None = None,
    facets: bool = False,
    sort: str = "relevance",
    versions: str = "latest",
    timeout_ms: int = Settings.search_timeout_ms,
) -> SearchResult:
    """Run `query` and return up to `limit` matching pages, best first, skipping `offset`.

    `sort="date"` puts the newest reports first (undated last), `sort="added"` the reports
    added last first. With `versions="latest"`, of
    the versions of one work that match only the newest shows, counting the others in its
    hits' `other_versions`; `versions="all"` shows every version.

    At most `per_report` pages come from one report (0: no cap); `total` counts all matching
    pages before that cap, exactly up to EXACT_COUNT_LIMIT and estimated above it.
    `report_id` and `filters` narrow the search; with `facets`, the result carries counts per
    publisher, year and language. Raises QueryError for a bad query (or one whose patterns
    match over MAX_EXPANDED_TERMS words), SearchTimeout when the whole search (expansion,
    collection, counting, facets, snippets) takes over `timeout_ms` (0: no limit), and
    IndexUnavailable if the index cannot be read.
    """
    deadline = Deadline(timeout_ms)
    if limit < 0 or per_report < 0 or offset < 0:
        raise ValueError("limit, per_report and offset must be >= 0")
    if sort not in SORTS:
        raise QueryError(f"sort must be one of {', '.join(SORTS)}")
    if versions not in VERSIONS:
        raise QueryError(f"versions must be one of {', '.join(VERSIONS)}")
    parsed = parse_query(index, query, metadata=report_id is None)
    narrow = filter_query(report_id, filters)
    how = _How(_SORT_COLUMNS.get(sort), versions == "latest" and report_id is None)

    def read(searcher: Searcher) -> tuple[Any, ...]:
        # Looked up in this searcher's vocabulary, once for every stage below.
        q = expand_patterns(parsed, searcher.reader(), deadline)
        picked, total, estimate, shown, others = _collect(
            searcher, q, narrow, offset + limit, per_report, how, deadline
        )
        stored = [
            (searcher.stored_fields(docnum) | {"others": others.get(docnum, 0)}, score)
            for docnum, score in picked[offset:]
        ]
        deadline.check()
        marker = Marker.from_query(q, searcher.reader(), index.schema)
        counts = None
        if facets:
            counts = count_facets(searcher, q, report_id, filters, check=deadline.check)
        return stored, total, estimate, shown, marker, counts

    stored, total, estimate, shown, marker, counts = index.read(read)
    hits = []
    for fields, score in stored:
        deadline.check()
        hits.append(_hit(fields, score, marker))
    return SearchResult(
        query=query,
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
        picked = _cap(ranked, reports, limit, per_report)
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
    shown_of, others = {}, {}
    for members in matched.values():
        newest = min(members, key=lambda r: (members[r], r))
        for report in members:
            shown_of[report] = report == newest
            others[report] = len(members) - 1
    return shown_of, others


def _cap(
    ranked: list[tuple[int, float]], reports: Any, limit: int, per_report: int
) -> list[tuple[int, float]]:
    """The first `limit` of `ranked`, keeping at most `per_report` pages of each report."""
    picked: list[tuple[int, float]] = []
    per: dict[str, int] = {}
    for docnum, score in ranked:
        if len(picked) == limit:
            break
        report = reports[docnum]
        if per_report and per.get(report, 0) >= per_report:
            continue
        per[report] = per.get(report, 0) + 1
        picked.append((docnum, score))
    return picked


def _hit(stored: dict[str, Any], score: float, marker: Marker) -> Hit:
    found = marker.locate(stored)
    snippet = make_snippet(stored.get("text", ""), found.spans, found.phrase_spans)
    return Hit(
        report_id=stored["report"],
        title=stored.get("title", ""),
        path=stored.get("path", ""),
        page=stored["page"],
        page_label=stored.get("page_label"),
        snippet=snippet.text,
        highlights=snippet.highlights,
        score=float(score),
        publisher=stored.get("publisher"),
        year=stored.get("year"),
        lang=stored.get("lang") or None,
        authors=stored.get("authors") or [],
        date=stored.get("date") or None,
        report_number=stored.get("number") or None,
        version=stored.get("version"),
        other_versions=stored.get("others", 0),
        continues_on=stored.get("next_page") if found.continues else None,
        continues_on_label=stored.get("next_label") if found.continues else None,
        snippet_start=snippet.start,
        added=stored.get("added") or None,
    )
