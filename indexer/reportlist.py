"""The catalog's searchable reports, narrowed by a search's filters, read in batches.

An export of the whole catalog walks this: each batch is one query on a fresh connection that
starts after the last row of the one before (keyset paging), so memory stays one batch however
large the collection, and no read stays open between batches.

The filters mean what they mean in a search (see `facets.filter_query`): the values a report's
pages carry in the index are the record's publisher, year, language, report type and tags.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .catalog import Catalog, report_of
from .models import GONE, INDEXED, Filters, Report

BATCH = 200  # reports read per query

# Reports a search can find (indexed, a file on disk), with their main file and sort keys.
_LIVE = f"""
SELECT r.*, (SELECT min(f.path) FROM files f WHERE f.report_id = r.report_id
             AND f.status NOT IN ('{GONE[0]}', '{GONE[1]}')) AS main_path,
       coalesce(json_extract(r.meta, '$.values.date'), '') AS record_date,
       lower(coalesce(r.title, '')) AS title_key
FROM reports r WHERE r.status = '{INDEXED}'
"""
# Each order as (key columns, their directions); report_id ends every key, so keys are unique.
# By date: dated reports first, newest first (as `metarules.later_first` orders a search).
_ORDERS = {
    "title": (("title_key", "report_id"), ("asc", "asc")),
    "date": (("record_date = ''", "record_date", "report_id"), ("asc", "desc", "asc")),
}


def reports(
    catalog_path: Path,
    filters: Filters | None = None,
    *,
    order: str = "title",
    latest: bool = True,
    batch: int = BATCH,
) -> Iterator[Report]:
    """The searchable reports passing `filters`, by title (or newest first with
    order="date"); with `latest`, only the newest version of each work."""
    where, args = _where(filters, latest)
    columns, directions = _ORDERS[order]
    order_by = ", ".join(f"({c}) {d.upper()}" for c, d in zip(columns, directions, strict=True))
    after: tuple[Any, ...] | None = None
    while True:
        page_where, page_args = list(where), list(args)
        if after is not None:
            clause, values = _after(columns, directions, after)
            page_where.append(clause)
            page_args += values
        sql = (
            f"SELECT *, {', '.join(columns)} FROM ({_LIVE}) WHERE main_path IS NOT NULL"
            + "".join(f" AND {w}" for w in page_where)
            + f" ORDER BY {order_by} LIMIT ?"
        )
        with Catalog(catalog_path) as catalog:
            rows = catalog.db.execute(sql, (*page_args, batch)).fetchall()
        for row in rows:
            yield report_of(row, row["main_path"])
        if len(rows) < batch:
            return
        last = rows[-1]
        after = tuple(last[len(last.keys()) - len(columns) + i] for i in range(len(columns)))


def _after(
    columns: tuple[str, ...], directions: tuple[str, ...], last: tuple[Any, ...]
) -> tuple[str, list[Any]]:
    """The SQL condition for rows after `last` in the order of `columns`: equal on a prefix of
    the key, then past it on the next column."""
    alternatives, values = [], []
    for i, (column, direction) in enumerate(zip(columns, directions, strict=True)):
        equal = [f"({c}) = ?" for c in columns[:i]]
        past = f"({column}) {'>' if direction == 'asc' else '<'} ?"
        alternatives.append("(" + " AND ".join([*equal, past]) + ")")
        values += [*last[:i], last[i]]
    return "(" + " OR ".join(alternatives) + ")", values


def _where(filters: Filters | None, latest: bool) -> tuple[list[str], list[Any]]:
    where: list[str] = ["rank = 0"] if latest else []
    args: list[Any] = []

    def any_of(expression: str, values: list[Any]) -> None:
        if values:
            where.append(f"{expression} IN ({', '.join('?' * len(values))})")
            args.extend(values)

    if filters:
        any_of("publisher", filters.publisher)
        any_of("year", filters.year)
        if filters.year_from is not None:
            where.append("year >= ?")
            args.append(filters.year_from)
        if filters.year_to is not None:
            where.append("year <= ?")
            args.append(filters.year_to)
        any_of("lower(language)", [lang.lower() for lang in filters.lang])
        any_of("json_extract(meta, '$.values.report_type')", filters.report_type)
        if filters.tag:
            marks = ", ".join("?" * len(filters.tag))
            where.append(
                "EXISTS (SELECT 1 FROM json_each(meta, '$.values.tags') t"
                f" WHERE t.value IN ({marks}))"
            )
            args.extend(filters.tag)
    return where, args
