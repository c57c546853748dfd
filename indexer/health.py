"""Collection health: counts by status and record field, what failed or needs OCR, garbled pages,
recent additions, and the sortable, filterable report table of the /collection page.

Plain SQL over the catalog. A report's status is the catalog's, except that a report none of
whose files is left on disk counts as `missing`; deleted (`excluded`) reports are left out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .catalog import Catalog, unread_by_ocr
from .models import EXCLUDED, FAILED, GARBLED, GONE, MISSING

RECENT = 20  # recent additions listed
TABLE_SORTS = ("title", "date", "publisher", "pages")
DIRECTIONS = ("asc", "desc")

# Each report once, with the status it shows and its record's report type.
_LIVE = f"""
SELECT r.*,
    CASE WHEN EXISTS (SELECT 1 FROM files f WHERE f.report_id = r.report_id
                      AND f.status NOT IN ('{GONE[0]}', '{GONE[1]}'))
         THEN r.status ELSE '{MISSING}' END AS shown_status,
    json_extract(r.meta, '$.values.report_type') AS report_type,
    json_extract(r.meta, '$.values.date') AS record_date,
    (SELECT min(f.path) FROM files f WHERE f.report_id = r.report_id) AS main_path
FROM reports r WHERE r.status != '{EXCLUDED}'
"""
# The field a facet counts, by its key in the stats.
_FACETS = {
    "by_status": "shown_status",
    "by_publisher": "publisher",
    "by_year": "year",
    "by_language": "language",
    "by_report_type": "report_type",
}
# How the table sorts; ties are broken by title, then id, so that paging is stable.
_ORDER = {
    "title": "lower(coalesce(title, main_path))",
    "date": "coalesce(record_date, created, CAST(year AS TEXT))",
    "publisher": "lower(publisher)",
    "pages": "page_count",
}


@dataclass(frozen=True)
class TableQuery:
    """Which reports the collection table shows, in which order, and which 50 of them."""

    sort: str = "title"
    direction: str = "asc"
    status: str | None = None
    publisher: str | None = None
    year: int | None = None
    language: str | None = None
    report_type: str | None = None
    offset: int = 0
    limit: int = 50


def collection_stats(catalog: Catalog) -> dict[str, Any]:
    """The health figures under the keys `by_status` ... `recent` (see the README)."""
    stats: dict[str, Any] = {key: _facet(catalog, column) for key, column in _FACETS.items()}
    stats["failed"] = _rows(
        catalog,
        "SELECT report_id, main_path AS path, error, reason FROM live"
        " WHERE shown_status = ? ORDER BY main_path",
        (FAILED,),
    )
    stats["needs_ocr"] = _rows(
        catalog,
        "SELECT report_id, main_path AS path, title FROM live"
        f" WHERE shown_status != ? AND {unread_by_ocr('live')} ORDER BY main_path",
        (MISSING,),
    )
    stats["garbled_pages"] = _garbled(catalog)
    stats["recent"] = _rows(
        catalog,
        "SELECT report_id, title, added_at, shown_status AS status FROM live"
        " ORDER BY added_at DESC, report_id LIMIT ?",
        (RECENT,),
    )
    return stats


def report_table(catalog: Catalog, query: TableQuery) -> dict[str, Any]:
    """One page of the report table: {"total", "reports": [...]}, filtered and sorted."""
    where, args = _filters(query)
    total = catalog.db.execute(f"WITH live AS ({_LIVE}) SELECT count(*) FROM live {where}", args)
    order = _ORDER[query.sort]
    direction = "DESC" if query.direction == "desc" else "ASC"
    rows = _rows(
        catalog,
        "SELECT report_id, title, main_path AS path, publisher, year, record_date AS date,"
        " language, report_type, page_count AS pages, shown_status AS status FROM live"
        f" {where} ORDER BY {order} IS NULL, {order} {direction},"
        " lower(coalesce(title, main_path)), report_id LIMIT ? OFFSET ?",
        (*args, query.limit, query.offset),
    )
    return {"total": total.fetchone()[0], "reports": rows}


def _filters(query: TableQuery) -> tuple[str, tuple[Any, ...]]:
    wanted = {
        "shown_status": query.status,
        "publisher": query.publisher,
        "year": query.year,
        "language": query.language,
        "report_type": query.report_type,
    }
    given = {column: value for column, value in wanted.items() if value is not None}
    if not given:
        return "", ()
    return "WHERE " + " AND ".join(f"{c} = ?" for c in given), tuple(given.values())


def _facet(catalog: Catalog, column: str) -> list[dict[str, Any]]:
    # Years read newest first; other fields by count, then by value for a stable order.
    order = "value DESC" if column == "year" else "count DESC, value"
    return _rows(
        catalog,
        f"SELECT {column} AS value, count(*) AS count FROM live"
        f" WHERE {column} IS NOT NULL AND {column} != '' GROUP BY {column} ORDER BY {order}",
        (),
    )


def _garbled(catalog: Catalog) -> list[dict[str, Any]]:
    rows = catalog.db.execute(
        f"WITH live AS ({_LIVE}) SELECT p.report_id, live.title, p.page FROM pages p"
        " JOIN live ON live.report_id = p.report_id WHERE p.quality = ?"
        " ORDER BY live.main_path, p.report_id, p.page",
        (GARBLED,),
    )
    out: dict[str, dict[str, Any]] = {}
    for r in rows:
        entry = out.setdefault(
            r["report_id"], {"report_id": r["report_id"], "title": r["title"], "pages": []}
        )
        entry["pages"].append(r["page"])
    return list(out.values())


def _rows(catalog: Catalog, sql: str, args: tuple[Any, ...]) -> list[dict[str, Any]]:
    return [dict(r) for r in catalog.db.execute(f"WITH live AS ({_LIVE}) {sql}", args)]
