"""The catalog's side of fetching: what was fetched from which URL (and when), and the feeds
a librarian follows.

`Catalog` inherits these methods; `downloads.py` and `follows.py` use them.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from .recordstore import now

FETCH_SCHEMA = """
CREATE TABLE IF NOT EXISTS fetches (  -- every fetch by URL, kept so a URL is fetched once
    url TEXT PRIMARY KEY,           -- as asked (a feed's link, or what a librarian gave)
    final_url TEXT,                 -- after redirects
    retrieved TEXT NOT NULL,
    sha256 TEXT,                    -- of the bytes; NULL when the fetch failed
    follow_id TEXT,                 -- the followed feed it was found in
    entry TEXT,                     -- JSON: the metadata the feed entry gave
    error TEXT,
    reason TEXT
);
CREATE INDEX IF NOT EXISTS fetches_sha ON fetches(sha256);
CREATE INDEX IF NOT EXISTS fetches_final ON fetches(final_url);
CREATE TABLE IF NOT EXISTS follows (  -- feeds and sitemaps whose new PDFs are fetched
    follow_id TEXT PRIMARY KEY,
    url TEXT NOT NULL UNIQUE,
    title TEXT,
    added_at TEXT NOT NULL,
    last_run TEXT,
    last_result TEXT                -- JSON: the counts and errors of the last run
);
"""


class FetchStore:
    """Fetch and follow methods of the catalog (a mixin: `Catalog` provides the connection)."""

    db: sqlite3.Connection

    def record_fetch(
        self,
        url: str,
        *,
        final_url: str | None,
        sha256: str | None,
        follow_id: str | None = None,
        entry: dict[str, Any] | None = None,
        error: str | None = None,
        reason: str | None = None,
    ) -> None:
        """Keep what a fetch of `url` brought (or why it failed). A report already holding
        these bytes has its record derived again by the next ingest, with the source URL."""
        self.db.execute(
            "INSERT OR REPLACE INTO fetches VALUES (?,?,?,?,?,?,?,?)",
            (url, final_url, now(), sha256, follow_id,
             json.dumps(entry, ensure_ascii=False) if entry else None, error, reason),
        )  # fmt: skip
        if sha256:
            self.db.execute("UPDATE reports SET rules = 0 WHERE sha256 = ?", (sha256,))

    def fetch_of(self, sha256: str) -> dict[str, Any] | None:
        """The latest successful fetch of these bytes: final_url, retrieved, entry."""
        row = self.db.execute(
            "SELECT final_url, retrieved, entry FROM fetches WHERE sha256 = ?"
            " ORDER BY retrieved DESC, url LIMIT 1",
            (sha256,),
        ).fetchone()
        if row is None:
            return None
        return {"final_url": row[0], "retrieved": row[1], "entry": json.loads(row[2] or "{}")}

    def fetched(self, url: str) -> bool:
        """Whether `url` was fetched before (as asked or as a final URL) and brought a file."""
        row = self.db.execute(
            "SELECT 1 FROM fetches WHERE (url = ? OR final_url = ?) AND sha256 IS NOT NULL",
            (url, url),
        ).fetchone()
        return row is not None

    def note_entry(self, url: str, entry: dict[str, Any], follow_id: str) -> None:
        """Keep a feed entry's values for a URL fetched before (by a librarian, or before the
        feed gave them); the record of its report is then derived again."""
        text = json.dumps(entry, ensure_ascii=False) if entry else None
        changed = self.db.execute(
            "UPDATE fetches SET entry = ?, follow_id = coalesce(follow_id, ?)"
            " WHERE (url = ? OR final_url = ?) AND sha256 IS NOT NULL"
            " AND coalesce(entry, '') != coalesce(?, '')",
            (text, follow_id, url, url, text),
        ).rowcount
        if changed:
            self.db.execute(
                "UPDATE reports SET rules = 0 WHERE sha256 IN"
                " (SELECT sha256 FROM fetches WHERE url = ? OR final_url = ?)",
                (url, url),
            )

    def has_bytes(self, sha256: str) -> bool:
        """Whether a report with these bytes exists (deleted ones included: not brought back)."""
        row = self.db.execute("SELECT 1 FROM reports WHERE sha256 = ?", (sha256,)).fetchone()
        return row is not None

    # --- follows ---------------------------------------------------------------------------

    def add_follow(self, follow_id: str, url: str, title: str | None) -> None:
        """Follow a feed (its URL once: a second add changes nothing but the title)."""
        self.db.execute(
            "INSERT INTO follows (follow_id, url, title, added_at) VALUES (?,?,?,?)"
            " ON CONFLICT(url) DO UPDATE SET title = coalesce(excluded.title, title)",
            (follow_id, url, title, now()),
        )

    def follow_rows(self) -> list[dict[str, Any]]:
        """Every followed feed with its last run, oldest first."""
        rows = self.db.execute("SELECT * FROM follows ORDER BY added_at, follow_id").fetchall()
        return [_follow(r) for r in rows]

    def follow_row(self, key: str) -> dict[str, Any] | None:
        """A followed feed by id or URL, or None."""
        row = self.db.execute(
            "SELECT * FROM follows WHERE follow_id = ? OR url = ?", (key, key)
        ).fetchone()
        return _follow(row) if row else None

    def remove_follow(self, follow_id: str) -> bool:
        """Stop following a feed (its reports stay); False when there was no such follow."""
        return self.db.execute("DELETE FROM follows WHERE follow_id = ?", (follow_id,)).rowcount > 0

    def set_follow_result(self, follow_id: str, result: dict[str, Any]) -> None:
        """Keep the outcome of a follow's run."""
        self.db.execute(
            "UPDATE follows SET last_run = ?, last_result = ? WHERE follow_id = ?",
            (now(), json.dumps(result, ensure_ascii=False), follow_id),
        )


def _follow(row: sqlite3.Row) -> dict[str, Any]:
    data = dict(row)
    data["last_result"] = json.loads(data["last_result"]) if data["last_result"] else None
    return data
