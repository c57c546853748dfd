"""The catalog's searchable reports, narrowed by a search's filters, read in batches.

An export of the whole catalog walks this: one query, its rows fetched a batch at a time, so
the export holds one batch in memory however large the collection (sqlite sorts the rows in
its own bounded cache, spilling to a temporary file). One query rather than one per batch
(keyset paging) since each of those would evaluate and sort every row again: the time of an
export grew with the square of the collection.

The filters mean what they mean in a search (see `facets.filter_query`): the values a report's
pages carry in the index are the record's publisher, year, language, report type and tags.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .catalog import Catalog, report_of
from .models import GONE, INDEXED, Filters, Report

BATCH = 200  # rows fetched at a time

# Reports a search can find (indexed, a file on disk), with their main file and sort keys.
_LIVE = f"""
SELECT r.report_id, r.meta, r.work, r.rank, r.title, r.author, r.publisher, r.year,
       r.created, r.language, r.added_at,
       (SELECT min(f.path) FROM files f WHERE f.report_id = r.report_id
             AND f.status NOT IN ('{GONE[0]}', '{GONE[1]}')) AS main_path,
       coalesce(json_extract(r.meta, '$.values.date'), '') AS record_date,
       lower(coalesce(r.title, '')) AS title_key
FROM reports r WHERE r.status = '{INDEXED}'
"""  # not r.*: the raw metadata and text sketches would weigh on every batch
# By date: dated reports first, newest first (as `metarules.later_first` orders a search).
_ORDERS = {
    "title": "title_key, report_id",
    "date": "record_date = '', record_date DESC, report_id",
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
    sql = (
        f"SELECT * FROM ({_LIVE}) WHERE main_path IS NOT NULL"
        + "".join(f" AND {w}" for w in where)
        + f" ORDER BY {_ORDERS[order]}"
    )
    with Catalog(catalog_path) as catalog:
        cursor = catalog.db.execute(sql, args)
        while rows := cursor.fetchmany(batch):
            yield from (report_of(row, row["main_path"]) for row in rows)


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
