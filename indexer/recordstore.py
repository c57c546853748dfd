"""The catalog's side of metadata records: what they are derived from, the records themselves,
the librarian's corrections, sidecar values, and the grouping of versions into works.

`Catalog` inherits these methods; `records.py` derives the records and groups the versions.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from .errors import NotFound
from .models import INDEXED, NO_TEXT, OCR, Document


def now() -> str:
    """The current UTC time as the catalog stores it (ISO 8601, seconds)."""
    return datetime.now(UTC).isoformat(timespec="seconds")


# A stamp above every current one: marks a report dirty in a way a running sync can tell
# apart (see catalog.py).
NEXT_STAMP = "(SELECT coalesce(max(dirty), 0) + 1 FROM reports)"


class RecordStore:
    """Metadata-record methods of the catalog (a mixin: `Catalog` provides the connection)."""

    db: sqlite3.Connection

    def report_row(self, report_id: str) -> sqlite3.Row | None:
        """The raw reports row, or None (provided by Catalog)."""
        raise NotImplementedError

    def main_path(self, report_id: str) -> str | None:
        """The report's main file (provided by Catalog)."""
        raise NotImplementedError

    # The latest fetch of some bytes (provided by FetchStore, which Catalog also inherits).
    fetch_of: Callable[[str], dict[str, Any] | None]

    def record_inputs(self, report_id: str) -> dict[str, Any]:
        """What a report's metadata record is derived from: raw info/XMP, page texts, the main
        path, the sidecar's and the librarian's values, and where it was fetched from."""
        row = self.report_row(report_id)
        if row is None:
            raise NotFound(f"no report with id {report_id!r}")
        raw = json.loads(row["raw_meta"]) if row["raw_meta"] else old_raw(row)
        texts = self.db.execute(
            "SELECT coalesce(raw, text), text_source FROM pages WHERE report_id = ? ORDER BY page",
            (report_id,),
        ).fetchall()
        return {
            "raw": raw,
            "pages": [r[0] for r in texts],
            "scanned_cover": bool(texts) and texts[0][1] == OCR,
            "path": self.main_path(report_id) or self._any_path(report_id),
            "language": raw.get("language"),
            "sidecar": json.loads(row["sidecar"] or "{}"),
            "edits": self.edits(report_id),
            "fetched": self.fetch_of(row["sha256"]),
            # Page text changes only when a report is extracted again, which clears it.
            "has_sketch": row["sketch"] is not None,
        }

    def _any_path(self, report_id: str) -> str | None:
        row = self.db.execute("SELECT min(path) FROM files WHERE report_id = ?", (report_id,))
        return row.fetchone()[0]

    def store_record(
        self, report_id: str, values: dict[str, Any], sources: dict[str, str], rules: int
    ) -> None:
        """Keep a derived record, copy its fields into the top-level columns, mark the report
        dirty when what the index shows changed (call inside `transaction()`)."""
        meta = json.dumps({"values": values, "sources": sources}, ensure_ascii=False)
        date = values.get("date")
        names = [n.get("literal") or " ".join(filter(None, (n.get("given"), n.get("family"))))
                 for n in values.get("authors", [])]  # fmt: skip
        columns = (values.get("title"), ", ".join(names) or None, values.get("publisher"),
                   int(date[:4]) if date else None, values.get("language"))  # fmt: skip
        row = self.report_row(report_id)
        changed = row is None or row["meta"] != meta
        self.db.execute(
            "UPDATE reports SET meta = ?, rules = ?, title = ?, author = ?, publisher = ?,"
            " year = ?, language = ? WHERE report_id = ?",
            (meta, rules, *columns, report_id),
        )
        if changed:  # a new OAI-PMH datestamp too: harvesters fetch the record again
            self.db.execute(
                f"UPDATE reports SET dirty = {NEXT_STAMP}, modified = ? WHERE report_id = ?",
                (now(), report_id),
            )

    def record(self, report_id: str) -> tuple[dict[str, Any], dict[str, str]]:
        """The stored record of a report: (values, sources)."""
        row = self.report_row(report_id)
        data = json.loads(row["meta"] or "{}") if row else {}
        return data.get("values", {}), data.get("sources", {})

    def stale_records(self, rules: int) -> list[str]:
        """Reports whose record was derived by older rules (or never)."""
        rows = self.db.execute(
            "SELECT report_id FROM reports WHERE rules < ? AND status IN (?, ?)",
            (rules, INDEXED, NO_TEXT),
        )
        return [r[0] for r in rows]

    def set_sidecar(self, report_id: str, values: dict[str, Any]) -> bool:
        """Keep the values a sidecar gives; True when they changed (the record is then stale)."""
        text = json.dumps(values, ensure_ascii=False, sort_keys=True) if values else None
        cur = self.db.execute(
            "UPDATE reports SET sidecar = ?, rules = 0 WHERE report_id = ?"
            " AND coalesce(sidecar, '') != coalesce(?, '')",
            (text, report_id, text),
        )
        return cur.rowcount > 0

    def edits(self, report_id: str) -> dict[str, Any]:
        """The librarian's edits of a report, by field."""
        rows = self.db.execute("SELECT field, value FROM edits WHERE report_id = ?", (report_id,))
        return {r[0]: json.loads(r[1]) for r in rows}

    def set_edit(self, report_id: str, name: str, value: Any) -> None:
        """Set (or, with None, drop) a librarian's edit of one field (call in `transaction()`)."""
        if value is None:
            self.db.execute(
                "DELETE FROM edits WHERE report_id = ? AND field = ?", (report_id, name)
            )
        else:
            self.db.execute(
                "INSERT OR REPLACE INTO edits VALUES (?,?,?,?)",
                (report_id, name, json.dumps(value, ensure_ascii=False), now()),
            )

    def version_rows(self) -> list[sqlite3.Row]:
        """What grouping reports into works needs, for every citable report."""
        return self.db.execute(
            "SELECT report_id, meta, sketch, work, rank, added_at FROM reports WHERE status = ?",
            (INDEXED,),
        ).fetchall()

    def set_sketch(self, report_id: str, sketch: list[int]) -> None:
        """Keep a report's text sketch (see versions.py)."""
        self.db.execute(
            "UPDATE reports SET sketch = ? WHERE report_id = ?", (json.dumps(sketch), report_id)
        )

    def set_work(self, report_id: str, work: str | None, rank: int) -> None:
        """Place a report in its work; marks it dirty when that changed."""
        self.db.execute(
            f"UPDATE reports SET work = ?, rank = ?, dirty = {NEXT_STAMP}"
            " WHERE report_id = ? AND (coalesce(work, '') != coalesce(?, '') OR rank != ?)",
            (work, rank, report_id, work, rank),
        )

    def versions(self, work: str) -> list[sqlite3.Row]:
        """The versions of a work, newest first."""
        return self.db.execute(
            "SELECT report_id, meta FROM reports WHERE work = ? ORDER BY rank", (work,)
        ).fetchall()


def record_parts(meta: str | None) -> tuple[dict[str, Any], dict[str, str]]:
    data = json.loads(meta or "{}")
    return data.get("values", {}), data.get("sources", {})


def raw_of(doc: Document) -> dict[str, Any]:
    """The raw metadata to keep for a Document: what extraction read, else its fields."""
    raw = doc.raw_meta or {
        "info": {k: v for k, v in (("/Title", doc.title), ("/Author", doc.author),
                                   ("/Subject", doc.subject)) if v},
        "xmp": {"publisher": [doc.publisher] if doc.publisher else []},
    }  # fmt: skip
    if not doc.raw_meta and doc.created:
        raw["info"]["/CreationDate"] = "D:" + doc.created.replace("-", "")
    return raw | {"language": doc.language}


def old_raw(row: sqlite3.Row) -> dict[str, Any]:
    """Raw metadata for a report extracted before it was kept: what the columns hold."""
    info = {"/Title": row["title"], "/Author": row["author"], "/Subject": row["subject"]}
    if row["created"]:
        info["/CreationDate"] = "D:" + row["created"].replace("-", "")
    return {"info": {k: v for k, v in info.items() if v}, "language": row["language"]}
