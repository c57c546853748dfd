"""Query -> page hits with snippets, over the Whoosh index in `index.py`.

The query language is Whoosh's: words (all required), "phrases", AND/OR/NOT, parentheses,
field:value on title/author/publisher/year/report/number, wildcards (nuc*) and fuzzy terms
(nuclaer~).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from itertools import islice
from typing import Any

from whoosh import query as wq
from whoosh import sorting
from whoosh.qparser import FuzzyTermPlugin, MultifieldParser, PhrasePlugin, Plugin, syntax
from whoosh.searching import Searcher

from .errors import QueryError
from .facets import count_facets, filter_query
from .highlights import Marker
from .index import PageIndex
from .models import Filters, Hit, SearchResult
from .pagetext import NEXT
from .snippets import make_snippet
from .textforms import fold_query

MAX_QUERY_CHARS = 1000
MAX_QUERY_TERMS = 64
MIN_WILDCARD_PREFIX = 2
USER_FIELDS = ("title", "author", "publisher", "year", "report", "number")
SORTS = ("relevance", "date")
VERSIONS = ("latest", "all")

# Unfielded words must be on the page: in its text (stemmed `body` for recall, `exact` for the
# rest) or its margins; the report's metadata fields only raise the score.
TEXT_FIELDS = ("body", "exact", "margin")
META_FIELDS = ("title", "author", "publisher")
FIELD_BOOSTS = {"title": 3.0}

# Counting every match costs a pass over the postings; beyond this many pages "total" is an
# estimate (and says so) rather than an exact count.
EXACT_COUNT_LIMIT = 10_000

# Pages scoring the same as the last hit kept may lie beyond the window; it is widened up to
# this size to see them (e.g. every page of a report that matched on its title ties).
MAX_TIE_WINDOW = 2048

_QUOTED = re.compile(r'"[^"]*"')
_FIELD = re.compile(r"(?<![\w.])([A-Za-z]+):(?=[^\s/])")
_OPERATORS = {"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE"}


def validate_query(q: str) -> None:
    """Raise QueryError, with a message saying how to fix it, if `q` cannot be searched as written.

    Whoosh's parser accepts anything (it guesses), so the mistakes users make are caught here.
    """
    if not q.strip():
        raise QueryError("The query is empty: type some words to search for.")
    if len(q) > MAX_QUERY_CHARS:
        raise QueryError(f"The query is {len(q)} characters long; the limit is {MAX_QUERY_CHARS}.")
    if q.count('"') % 2:
        raise QueryError('Unbalanced double quote: close the "phrase" or remove the quote.')
    # Quoted phrases are literal text: brackets, colons and stars inside them mean nothing.
    # An empty pair of quotes stays in their place, so that `foo:"bar"` still names a field.
    bare = _QUOTED.sub('""', q)
    _check_parentheses(bare)
    for match in _FIELD.finditer(bare):
        if match.group(1) not in USER_FIELDS:
            raise QueryError(
                f"Unknown field {match.group(1)!r}: use one of {', '.join(USER_FIELDS)}."
            )
    words = [w for w in re.split(r"[\s()]+", bare) if w and w not in _OPERATORS and w != '""']
    terms = len(words) + sum(len(p.split()) for p in _QUOTED.findall(q))
    if terms > MAX_QUERY_TERMS:
        raise QueryError(f"The query has {terms} terms; the limit is {MAX_QUERY_TERMS}.")
    for word in words:
        term = word.split(":", 1)[-1] if _FIELD.match(word) else word
        _check_wildcard(term)
        _check_fuzzy(term)


def _check_fuzzy(term: str) -> None:
    # "word~" and "word~2" are fuzzy terms; `""~3` after a phrase is its slop, any number.
    if "~" in term and not term.startswith('""'):
        edits = term.split("~", 1)[1]
        if edits not in ("", "1", "2"):
            raise QueryError(f"Fuzzy term {term!r}: write word~ or word~2 (1 or 2 edits).")


def _check_parentheses(bare: str) -> None:
    depth = 0
    for char in bare:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth < 0:
            raise QueryError("Unbalanced parenthesis: a ')' has no matching '('.")
    if depth:
        raise QueryError("Unbalanced parenthesis: a '(' is never closed.")


def _check_wildcard(term: str) -> None:
    # A wildcard with a short literal prefix expands to most of the vocabulary: slow, and useless.
    stars = [i for i, c in enumerate(term) if c in "*?"]
    if stars and stars[0] < MIN_WILDCARD_PREFIX:
        raise QueryError(
            f"Wildcard {term!r} needs at least {MIN_WILDCARD_PREFIX} letters before * or ?, "
            "e.g. nuc*."
        )


class _PhrasesOnExact(Plugin):
    """Send unfielded "phrases" to the unstemmed `exact` page text only.

    Runs after explicit field names are applied (priority 100) and before the multifield
    expansion (110), so `title:"..."` still searches the title.
    """

    def filters(self, parser: Any) -> list[tuple[Any, int]]:
        return [(self._route, 105)]

    def _route(self, parser: Any, group: Any) -> Any:
        for node in group:
            if isinstance(node, syntax.GroupNode):
                self._route(parser, node)
            elif isinstance(node, PhrasePlugin.PhraseNode) and node.fieldname is None:
                node.set_fieldname("exact")
        return group


def parse_query(index: PageIndex, q: str, *, metadata: bool = True) -> wq.Query:
    """Validate `q` and turn it into a Whoosh query over the page fields.

    Without `metadata`, unfielded words match the page text only, not the report's title,
    author or publisher (inside one report those would match every page).
    """
    validate_query(q)
    # The index holds the match form of the pages ("№" as "No", full-width as ASCII, ё as е).
    q = fold_query(q)
    required = _parse(index, q, TEXT_FIELDS, _PhrasesOnExact()).accept(_spread_phrase)
    if not metadata:
        return required
    # Every hit must be a citation: the words must be on the page. A report whose title,
    # author or publisher also has them only ranks higher.
    boost = _parse(index, q, META_FIELDS, None)
    return wq.AndMaybe(required, boost).normalize()


def _parse(index: PageIndex, q: str, fields: tuple[str, ...], plugin: Plugin | None) -> wq.Query:
    parser = MultifieldParser(list(fields), index.schema, fieldboosts=FIELD_BOOSTS)
    parser.add_plugin(FuzzyTermPlugin())
    if plugin:
        parser.add_plugin(plugin)
    # Not normalized yet: normalizing would silently drop the error queries checked for here.
    parsed = parser.parse(q, normalize=False)
    for node in _leaves(parsed):
        # Self-parsing fields (year) report bad values as error queries instead of raising.
        if getattr(node, "error", None):
            raise QueryError(f"Cannot search {q!r}: {node.error}")
    return parsed.accept(_unstemmed_patterns).normalize()


def _spread_phrase(q: wq.Query) -> wq.Query:
    """A phrase on the page text is also looked for in the margins and, when it is exact
    (no slop), across the break to the next page: starting on this page, ending on the next."""
    if not isinstance(q, wq.Phrase) or q.fieldname != "exact":
        return q
    alternatives: list[wq.Query] = [q, wq.Phrase("margin", q.words, slop=q.slop)]
    if q.slop == 1:
        words = list(q.words)
        alternatives += [
            wq.Phrase("seam", words[:i] + [NEXT + w for w in words[i:]])
            for i in range(1, len(words))
        ]
    return wq.Or(alternatives, boost=q.boost)


def _unstemmed_patterns(q: wq.Query) -> wq.Query:
    # The analyzer stems wildcard and fuzzy text too ("weapon*s" becomes "weapon*"), which would
    # widen the match; `exact` holds the same words unstemmed, so patterns are matched there.
    # Margins repeat on every page: a pattern there would only cost time.
    if isinstance(q, wq.MultiTerm) and q.field() in ("body", "margin"):
        return wq.NullQuery
    return q


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
) -> SearchResult:
    """Run `query` and return up to `limit` matching pages, best first, skipping `offset`.

    `sort="date"` puts the newest reports first (undated last). With `versions="latest"`, of
    the versions of one work that match only the newest shows, counting the others in its
    hits' `other_versions`; `versions="all"` shows every version.

    At most `per_report` pages come from one report (0: no cap); `total` counts all matching
    pages before that cap, exactly up to EXACT_COUNT_LIMIT and estimated above it.
    `report_id` and `filters` narrow the search; with `facets`, the result carries counts per
    publisher, year and language. Raises QueryError for a bad query and IndexUnavailable if
    the index cannot be read.
    """
    if limit < 0 or per_report < 0 or offset < 0:
        raise ValueError("limit, per_report and offset must be >= 0")
    if sort not in SORTS:
        raise QueryError(f"sort must be one of {', '.join(SORTS)}")
    if versions not in VERSIONS:
        raise QueryError(f"versions must be one of {', '.join(VERSIONS)}")
    parsed = parse_query(index, query, metadata=report_id is None)
    narrow = filter_query(report_id, filters)
    how = _How(sort == "date", versions == "latest" and report_id is None)

    def read(searcher: Searcher) -> tuple[Any, ...]:
        picked, total, estimate, shown, others = _collect(
            searcher, parsed, narrow, offset + limit, per_report, how
        )
        stored = [
            (searcher.stored_fields(docnum) | {"others": others.get(docnum, 0)}, score)
            for docnum, score in picked[offset:]
        ]
        marker = Marker.from_query(parsed, searcher.reader(), index.schema)
        counts = count_facets(searcher, parsed, report_id, filters) if facets else None
        return stored, total, estimate, shown, marker, counts

    stored, total, estimate, shown, marker, counts = index.read(read)
    hits = [_hit(fields, score, marker) for fields, score in stored]
    return SearchResult(
        query=query,
        total=total,
        total_is_estimate=estimate,
        hits=hits,
        shown_total=shown,
        facets=counts,
    )


@dataclass(frozen=True)
class _How:
    """How hits are ordered and whether older versions of a work fold into the newest."""

    by_date: bool = False
    latest: bool = True


def _collect(
    searcher: Searcher,
    q: wq.Query,
    narrow: wq.Query | None,
    limit: int,
    per_report: int,
    how: _How = _How(),
) -> tuple[list[tuple[int, float]], int, bool, int, dict[int, int]]:
    """The (docnum, score) of the first `limit` hits, the number of matching pages, whether
    that number is an estimate, how many hits remain after the per-report cap and the folding
    of versions, and for each hit how many other versions of its work match."""
    reader = searcher.reader()
    if not reader.has_column("report"):
        return [], 0, False, 0, {}  # no document was ever added
    # Columns, not stored fields: those hold the whole page text.
    reports = reader.column_reader("report", translate=True)
    pages = reader.column_reader("page", translate=True)
    dates = reader.column_reader("date", translate=True) if how.by_date else None
    shown_of, others = _fold_versions(searcher, q, narrow)
    if not how.latest:
        shown_of = {}
    # By date, then by score: each hit's sort key is (date key, -score).
    sortedby = [sorting.FieldFacet("date", reverse=True), sorting.ScoreFacet()]

    def key(hit: tuple[int, float]) -> tuple[Any, ...]:
        docnum, score = hit
        when = _newest_first(dates[docnum]) if dates is not None else ""
        return (when, -score, reports[docnum], pages[docnum])

    # Ask for more than `limit` pages, since the per-report cap discards some; widen the window
    # when one report crowds out the others, or when pages tie with the last hit kept.
    window = max(limit, 1) * (4 if per_report or shown_of else 1)
    while True:
        # A filter, not And(q, narrow): Whoosh 2.7's IntersectionMatcher trips an assertion
        # when it skips blocks by quality, which the filter path never does.
        if how.by_date:
            results = searcher.search(q, limit=window, terms=False, filter=narrow,
                                      sortedby=sortedby)  # fmt: skip
            scored = [(docnum, -sort_key[1]) for sort_key, docnum in results.top_n]
        else:
            results = searcher.search(q, limit=window, terms=False, filter=narrow)
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
    matching = searcher.docs_for_query(wq.And([q, narrow]) if narrow else q)
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


def _fold_versions(
    searcher: Searcher, q: wq.Query, narrow: wq.Query | None
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
    for docnum in islice(searcher.docs_for_query(base), EXACT_COUNT_LIMIT):
        matched.setdefault(work_col[docnum], {})[report_col[docnum]] = rank_col[docnum]
    shown_of, others = {}, {}
    for members in matched.values():
        newest = min(members, key=lambda r: (members[r], r))
        for report in members:
            shown_of[report] = report == newest
            others[report] = len(members) - 1
    return shown_of, others


def _newest_first(date: str) -> str:
    """A sort key putting later ISO dates first and undated ("") last."""
    return "".join(chr(0x7E - ord(c)) for c in date) if date else "\x7f"


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
    )


def _leaves(q: wq.Query) -> list[wq.Query]:
    return [q] if q.is_leaf() else [leaf for child in q.children() for leaf in _leaves(child)]
