"""The catalog's side of OAI-PMH: items in datestamp order, tombstones and set specs.

An item is a report with a metadata record (status indexed or no_text), or a deleted one: a
report a librarian deleted (status excluded, its row kept) or one gone from the catalog (its
tombstone). Its datestamp is the report's `modified` column, set when the report is added,
when its record changes and when it is deleted. `Catalog` inherits these methods.
"""

from __future__ import annotations

import sqlite3
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

from .models import EXCLUDED, FAILED, INDEXED, NO_TEXT
from .recordstore import now, record_parts
from .slugs import unique_slug

# Every item, live or deleted, with the same columns.
_ITEMS = f"""
SELECT report_id, modified AS datestamp, publisher, status = '{EXCLUDED}' AS deleted, meta
  FROM reports WHERE status IN ('{INDEXED}', '{NO_TEXT}', '{EXCLUDED}')
UNION ALL
SELECT report_id, deleted_at, publisher, 1, NULL FROM tombstones
"""


@dataclass(frozen=True)
class Item:
    """One OAI-PMH item: its report, datestamp (the catalog's ISO form), publisher, whether it
    is deleted, and its record's values (empty when deleted)."""

    report_id: str
    datestamp: str
    publisher: str | None
    deleted: bool
    values: dict[str, Any]


@dataclass(frozen=True)
class Selection:
    """Which items a list request wants: datestamps from `since` to `until` (inclusive, the
    catalog's ISO form, None: open), the publisher of a set (None: every item)."""

    since: str | None = None
    until: str | None = None
    publisher: str | None = None


class OaiStore:
    """OAI-PMH methods of the catalog (a mixin: `Catalog` provides the connection)."""

    db: sqlite3.Connection

    def transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        """One atomic unit of work (provided by Catalog)."""
        raise NotImplementedError

    def bury(self, row: sqlite3.Row) -> None:
        """Keep a tombstone of a report whose row is about to go (call inside `transaction()`),
        when it was ever an item; a report that failed never was."""
        if row["status"] != FAILED:
            self.db.execute(
                "INSERT OR REPLACE INTO tombstones VALUES (?,?,?)",
                (row["report_id"], row["publisher"], now()),
            )

    def oai_item(self, report_id: str) -> Item | None:
        """The item of a report, or None when the catalog never had it as one."""
        row = self.db.execute(
            f"SELECT * FROM ({_ITEMS}) WHERE report_id = ?", (report_id,)
        ).fetchone()
        return _item(row) if row else None

    def failed(self, report_id: str) -> bool:
        """Whether the catalog knows the report only as a file that failed (no record)."""
        row = self.db.execute(
            "SELECT 1 FROM reports WHERE report_id = ? AND status = ?", (report_id, FAILED)
        ).fetchone()
        return row is not None

    def oai_items(self, select: Selection, after: tuple[str, str] | None, limit: int) -> list[Item]:
        """Up to `limit` items of `select` in (datestamp, report_id) order, after the item
        `after` (a keyset cursor: changes behind it do not move the items still to come)."""
        where, args = _where(select)
        if after is not None:
            where.append("(datestamp, report_id) > (?, ?)")
            args += list(after)
        sql = f"SELECT * FROM ({_ITEMS}) WHERE {' AND '.join(where) or '1'}"
        rows = self.db.execute(sql + " ORDER BY datestamp, report_id LIMIT ?", (*args, limit))
        return [_item(r) for r in rows]

    def oai_count(self, select: Selection) -> int:
        """How many items `select` wants in all."""
        where, args = _where(select)
        sql = f"SELECT count(*) FROM ({_ITEMS}) WHERE {' AND '.join(where) or '1'}"
        return int(self.db.execute(sql, args).fetchone()[0])

    def earliest_datestamp(self) -> str | None:
        """The oldest datestamp of any item (None for an empty repository)."""
        return self.db.execute(f"SELECT min(datestamp) FROM ({_ITEMS})").fetchone()[0]

    def set_specs(self) -> dict[str, str]:
        """{publisher: setSpec} for every publisher of an item. A publisher seen for the first
        time gets the slug of its name (made unique), kept from then on, so that a set's spec
        never changes under a harvester."""
        known = {r[0]: r[1] for r in self.db.execute("SELECT publisher, spec FROM oai_sets")}
        names = [r[0] for r in self.db.execute(
            f"SELECT DISTINCT publisher FROM ({_ITEMS}) WHERE publisher IS NOT NULL"
            " AND publisher != '' ORDER BY publisher")]  # fmt: skip
        new = [name for name in names if name not in known]
        if new:
            taken = set(known.values())
            with self.transaction():
                for name in new:
                    spec = unique_slug(name, taken, fallback="publisher")
                    cur = self.db.execute(
                        "INSERT OR IGNORE INTO oai_sets VALUES (?, ?)", (name, spec)
                    )
                    if cur.rowcount:
                        taken.add(spec)
            known = {r[0]: r[1] for r in self.db.execute("SELECT publisher, spec FROM oai_sets")}
        return {name: known[name] for name in names if name in known}


def _where(select: Selection) -> tuple[list[str], list[Any]]:
    where: list[str] = []
    args: list[Any] = []
    if select.since is not None:
        where.append("datestamp >= ?")
        args.append(select.since)
    if select.until is not None:
        where.append("datestamp <= ?")
        args.append(select.until)
    if select.publisher is not None:
        where.append("publisher = ?")
        args.append(select.publisher)
    return where, args


def _item(row: sqlite3.Row) -> Item:
    values, _sources = record_parts(row["meta"])
    deleted = bool(row["deleted"])
    return Item(
        row["report_id"], row["datestamp"], row["publisher"], deleted, {} if deleted else values
    )
