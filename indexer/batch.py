"""Batch search: many queries from a file, their hits as one CSV with a citation for each.

The file holds one query a line, or is a CSV whose header has a `query` column. A query that
cannot run gets a row with its error and the batch goes on; a query without hits gets a row
with the query alone, so every query shows in the answer. Rows are written query by query,
so the answer streams while the batch runs.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from .cite import PageCiter
from .errors import QueryError, SearchTimeout
from .export import safe_cell
from .models import SearchResult

MAX_QUERIES = 1000
COLUMNS = ("query", "report_id", "title", "report_number", "page", "page_label", "snippet",
           "reference", "error")  # fmt: skip


def read_queries(data: bytes) -> list[str]:
    """The queries in an uploaded file (UTF-8, a BOM allowed): the `query` column of a CSV
    whose first line names it, else every non-blank line. Raises QueryError for a file that
    is not UTF-8 text, holds no query, or more than MAX_QUERIES."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise QueryError(
            f"the file must be UTF-8 text ({error.reason} at byte {error.start})"
        ) from None
    if "\x00" in text:
        raise QueryError("the file must be text, one query a line, or a CSV with a query column")
    lines = text.splitlines()
    header = next(csv.reader(lines[:1]), [])
    if "query" in (cell.strip().lower() for cell in header):
        rows = csv.DictReader(io.StringIO(text))
        rows.fieldnames = [name.strip().lower() for name in rows.fieldnames or []]
        queries = [(row.get("query") or "").strip() for row in rows]
    else:
        queries = [line.strip() for line in lines]
    queries = [q for q in queries if q]
    if not queries:
        raise QueryError("the file holds no query: one query a line, or a CSV with a query column")
    if len(queries) > MAX_QUERIES:
        raise QueryError(
            f"a batch holds at most {MAX_QUERIES:,} queries; this file has {len(queries):,}:"
            " split it into several files"
        )
    return queries


@dataclass(frozen=True)
class Searcher:
    """What a batch needs from the library: a search, and a way to cite a report's pages."""

    search: Callable[[str], SearchResult]
    citer: Callable[[str], PageCiter]


def run(queries: list[str], searcher: Searcher) -> Iterator[str]:
    """The CSV (header first, then each query's rows) a query at a time."""
    buffer = io.StringIO()
    out = csv.writer(buffer, lineterminator="\r\n")
    out.writerow(COLUMNS)
    for query in queries:
        for row in _rows(query, searcher):
            out.writerow(safe_cell(row.get(column, "")) for column in COLUMNS)
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        yield text


def _rows(query: str, searcher: Searcher) -> list[dict[str, str]]:
    try:
        result = searcher.search(query)
    except (QueryError, SearchTimeout) as error:
        return [{"query": query, "error": f"{error.kind}: {error}"}]
    rows = []
    for hit in result.hits:
        cite = searcher.citer(hit.report_id)
        rows.append({
            "query": query, "report_id": hit.report_id, "title": hit.title,
            "report_number": hit.report_number or "", "page": str(hit.page),
            "page_label": hit.page_label or "", "snippet": hit.snippet,
            "reference": cite(hit.page, hit.page_label, hit.continues_on,
                              hit.continues_on_label),
        })  # fmt: skip
    return rows or [{"query": query}]
