"""The catalog: reports, the files that hold them, and their pages (sqlite3, the source of truth).

A report is the content of a PDF: its id is the first 16 hex digits of the SHA-256 of the bytes,
so the same bytes under two paths are one report and a changed file is a new report. Each file row
records where those bytes were seen, with the size and mtime used to skip unchanged files.

Every write happens in one transaction per file, so a killed ingest leaves a consistent catalog.
Reports whose index entry is stale carry a `dirty` stamp (a rising number) until the index has
committed them; a sync clears only the stamps it saw, so a change made meanwhile is not lost.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .crashpoints import crash_point
from .errors import NotFound
from .fetchstore import FETCH_SCHEMA, FetchStore
from .metadata import Record
from .models import (
    DUPLICATE,
    EXCLUDED,
    FAILED,
    GARBLED,
    GONE,
    INDEXED,
    MISSING,
    NO_TEXT,
    OCR,
    OK,
    PYPDF,
    Document,
    Page,
    Report,
)
from .oaistore import OaiStore
from .recordstore import NEXT_STAMP, RecordStore, now, raw_of, record_parts

SCHEMA = """
CREATE TABLE IF NOT EXISTS reports (
    report_id TEXT PRIMARY KEY,
    sha256 TEXT NOT NULL,
    status TEXT NOT NULL,           -- indexed | no_text | failed
    error TEXT,
    title TEXT,
    author TEXT,
    subject TEXT,
    publisher TEXT,
    created TEXT,
    year INTEGER,
    language TEXT,
    page_count INTEGER NOT NULL DEFAULT 0,
    added_at TEXT NOT NULL,
    dirty INTEGER NOT NULL DEFAULT 1, -- > 0: the index does not reflect this row yet
    forms INTEGER NOT NULL DEFAULT 0  -- FORMS of the page texts; older: ingest re-extracts
);
CREATE TABLE IF NOT EXISTS files (
    path TEXT PRIMARY KEY,          -- absolute, resolved
    report_id TEXT NOT NULL REFERENCES reports(report_id),
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    status TEXT NOT NULL,           -- indexed | duplicate | failed | no_text | missing | excluded
    seen_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS files_report ON files(report_id);
-- max(dirty) + 1 is the next stamp: an index makes it a lookup, not a scan per write.
CREATE INDEX IF NOT EXISTS reports_dirty ON reports(dirty);
CREATE TABLE IF NOT EXISTS pages (
    report_id TEXT NOT NULL REFERENCES reports(report_id) ON DELETE CASCADE,
    page INTEGER NOT NULL,
    label TEXT,
    quality TEXT NOT NULL,
    text TEXT NOT NULL,             -- display form: as printed, margins cut
    raw TEXT,                       -- the extractor's text (NULL: extracted before FORMS 1)
    margins TEXT,                   -- JSON list of the margin lines cut from the display
    body_end INTEGER,               -- where the running body ends in `text` (footnotes follow)
    spaced TEXT,                    -- JSON list of [start, end] of letter-spaced words
    text_source TEXT NOT NULL DEFAULT 'pypdf', -- pypdf | pdfium | ocr: which path read `raw`
    words TEXT,                     -- JSON: OCR's words [start, end, left, bottom, right, top]
    language TEXT,                  -- ISO 639-1, 'und' when unsure (NULL: not yet detected)
    PRIMARY KEY (report_id, page)
);
CREATE TABLE IF NOT EXISTS edits (  -- a librarian's corrections, laid over the derived record
    report_id TEXT NOT NULL,
    field TEXT NOT NULL,
    value TEXT NOT NULL,            -- JSON
    edited_at TEXT NOT NULL,
    PRIMARY KEY (report_id, field)
);
-- Reports gone from the catalog (pruned, or deleted uploads) that OAI-PMH still lists as
-- deleted records: harvesters must learn of a deletion, whenever they come back.
CREATE TABLE IF NOT EXISTS tombstones (
    report_id TEXT PRIMARY KEY,
    publisher TEXT,
    deleted_at TEXT NOT NULL
);
-- The OAI-PMH setSpec of each publisher, assigned once (see oaistore.py) so that it never changes.
CREATE TABLE IF NOT EXISTS oai_sets (
    publisher TEXT PRIMARY KEY,
    spec TEXT NOT NULL UNIQUE
);
CREATE TABLE IF NOT EXISTS jobs (   -- uploads through the web API, ingested in the background
    job_id TEXT PRIMARY KEY,
    filename TEXT NOT NULL,
    path TEXT NOT NULL,
    status TEXT NOT NULL,           -- queued | running | done | failed
    report_id TEXT,
    error TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
"""

# The version of the page text forms (raw kept, display as printed, margins cut). Reports
# extracted under an older one are extracted again by the next ingest that sees their files.
FORMS = 1
# Columns added since the first catalogs, with their definitions.
_ADDED = {
    "reports": {
        "language": "TEXT",
        "forms": "INTEGER NOT NULL DEFAULT 0",
        "raw_meta": "TEXT",  # JSON: document info, XMP and detected language, as extracted
        "meta": "TEXT",  # JSON: the metadata record {"values", "sources"}
        "rules": "INTEGER NOT NULL DEFAULT 0",  # metadata.RULES_VERSION the record was made by
        "sidecar": "TEXT",  # JSON: the values a sidecar file gave
        "sketch": "TEXT",  # JSON: bottom-k hashes of the text's word shingles (versions)
        "work": "TEXT",  # shared by the versions of one work; NULL for a single version
        "rank": "INTEGER NOT NULL DEFAULT 0",  # 0: the newest version of its work
        "reason": "TEXT",  # why a failed report failed: errors.REASONS (NULL when not failed)
        # When the report was added, its record changed or it was deleted: its OAI datestamp.
        "modified": "TEXT",
    },
    # The failed report's reason, as for reports; the URL of a job that fetches its file.
    "jobs": {"reason": "TEXT", "url": "TEXT"},
    "pages": {
        "raw": "TEXT",
        "margins": "TEXT",
        "body_end": "INTEGER",
        "spaced": "TEXT",
        "text_source": f"TEXT NOT NULL DEFAULT '{PYPDF}'",
        "words": "TEXT",
        "language": "TEXT",
    },  # fmt: skip
}
# What an added column holds in the rows written before it: the column it is copied from.
_FILLED_FROM = {("reports", "modified"): "added_at"}


@dataclass
class FileRow:
    """A file as the catalog last saw it."""

    path: str
    report_id: str
    size: int
    mtime_ns: int
    status: str


class Catalog(RecordStore, FetchStore, OaiStore):
    """The sqlite catalog; open one per thread (sqlite connections must not be shared)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(path, isolation_level=None, timeout=30)
        self.db.row_factory = sqlite3.Row
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA foreign_keys=ON")
        self.db.executescript(SCHEMA + FETCH_SCHEMA)
        if self._missing_columns():  # a catalog written by an older version
            # One connection at a time adds them: two opening a new catalog at once would
            # both find a column missing, and the second ALTER would fail.
            self.db.execute("BEGIN IMMEDIATE")
            try:
                for table, name, definition in self._missing_columns():
                    self.db.execute(f"ALTER TABLE {table} ADD COLUMN {name} {definition}")
                    source = _FILLED_FROM.get((table, name))
                    if source:
                        self.db.execute(f"UPDATE {table} SET {name} = {source}")
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
            self.db.execute("COMMIT")
        # OAI-PMH lists reports in datestamp order, one page after another.
        self.db.execute(
            "CREATE INDEX IF NOT EXISTS reports_modified ON reports(modified, report_id)"
        )

    def _missing_columns(self) -> list[tuple[str, str, str]]:
        """(table, column, definition) of each column of _ADDED the catalog lacks."""
        missing = []
        for table, added in _ADDED.items():
            columns = {r[1] for r in self.db.execute(f"PRAGMA table_info({table})")}
            missing += [(table, n, d) for n, d in added.items() if n not in columns]
        return missing

    def close(self) -> None:
        """Close the connection."""
        self.db.close()

    def __enter__(self) -> Catalog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One atomic unit of work: all of it lands, or none of it does."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        crash_point("catalog.before_commit")
        self.db.execute("COMMIT")
        crash_point("catalog.after_commit")

    # --- reading -------------------------------------------------------------------------

    def file(self, path: str) -> FileRow | None:
        """The catalog's row for a file path, or None."""
        row = self.db.execute(
            "SELECT path, report_id, size, mtime_ns, status FROM files WHERE path = ?", (path,)
        ).fetchone()
        return FileRow(**dict(row)) if row else None

    def files_under(self, roots: Iterable[Path]) -> list[FileRow]:
        """Files the catalog knows inside any of these folders (or equal to these files)."""
        rows = []
        for root in roots:
            folder = str(root).rstrip("/")
            # The paths starting with "folder/" are those from "folder/" up to "folder0" ("0"
            # follows "/" in code points, hence in UTF-8 and in sqlite's BINARY order): a range
            # the primary key's index answers, where substr() or LIKE made sqlite read every
            # file. Neither "/a/bc" nor "/a/b.pdf" falls inside the range of "/a/b".
            rows += self.db.execute(
                "SELECT path, report_id, size, mtime_ns, status FROM files"
                " WHERE path = ? OR (path >= ? AND path < ?)",
                (str(root), folder + "/", folder + "0"),
            ).fetchall()
        return [FileRow(**dict(r)) for r in rows]

    def files_of(self, report_id: str) -> list[FileRow]:
        """The files that hold a report's bytes, in path order."""
        rows = self.db.execute(
            "SELECT path, report_id, size, mtime_ns, status FROM files WHERE report_id = ?"
            " ORDER BY path",
            (report_id,),
        )
        return [FileRow(**dict(r)) for r in rows]

    def waiting_for_ocr(self) -> list[str]:
        """Reports, with a file on disk, that OCR has yet to read: those without text, and
        those with garbled pages, where a page not read as text has not been through OCR."""
        rows = self.db.execute(
            "SELECT r.report_id FROM reports r WHERE EXISTS (SELECT 1 FROM files f"
            f" WHERE f.report_id = r.report_id AND f.status NOT IN (?, ?)) AND {unread_by_ocr('r')}"
            " ORDER BY r.report_id",
            GONE,
        )
        return [r[0] for r in rows]

    def report_row(self, report_id: str) -> sqlite3.Row | None:
        """The raw reports row, or None."""
        return self.db.execute("SELECT * FROM reports WHERE report_id = ?", (report_id,)).fetchone()

    def main_path(self, report_id: str) -> str | None:
        """The first present path of a report in sorted order."""
        row = self.db.execute(
            "SELECT min(path) FROM files WHERE report_id = ? AND status NOT IN (?, ?)",
            (report_id, *GONE),
        ).fetchone()
        return row[0] if row else None

    def report(self, report_id: str) -> Report:
        """A report with the fields the index copies onto its pages."""
        row = self.report_row(report_id)
        if row is None:
            raise NotFound(f"no report with id {report_id!r}")
        return report_of(row, self.main_path(report_id))

    def pages(self, report_id: str, *, only_ok: bool = False) -> list[Page]:
        """The pages of a report in PDF order."""
        sql = f"SELECT {_PAGE_COLUMNS} FROM pages WHERE report_id = ?"
        if only_ok:
            sql += f" AND quality = '{OK}'"
        rows = self.db.execute(sql + " ORDER BY page", (report_id,)).fetchall()
        return [_page(r) for r in rows]

    def searchable_ids(self) -> set[str]:
        """Reports that belong in the index: indexed, with at least one file still on disk."""
        rows = self.db.execute(
            "SELECT DISTINCT r.report_id FROM reports r JOIN files f USING (report_id)"
            " WHERE r.status = ? AND f.status NOT IN (?, ?)",
            (INDEXED, *GONE),
        )
        return {r[0] for r in rows}

    def old_forms(self) -> dict[str, str]:
        """Reports extracted under older text forms, with their sha256 (failed ones excluded:
        `--retry-failed` is how those are tried again)."""
        rows = self.db.execute(
            "SELECT report_id, sha256 FROM reports WHERE forms < ? AND status NOT IN (?, ?)",
            (FORMS, FAILED, EXCLUDED),
        )
        return {r[0]: r[1] for r in rows}

    def dirty(self) -> dict[str, int]:
        """Reports whose index entry may be stale, with the stamp of their latest change."""
        rows = self.db.execute("SELECT report_id, dirty FROM reports WHERE dirty > 0")
        return {r[0]: r[1] for r in rows}

    def list_reports(self, report_id: str | None = None) -> list[dict[str, Any]]:
        """Every report (or just `report_id`) with its files (the `reports --json` shape),
        sorted by main path."""
        where, args = ("WHERE report_id = ?", (report_id,)) if report_id else ("", ())
        files = self._files_by_report(f"SELECT report_id, path, status FROM files {where}", args)
        rows = self.db.execute(f"SELECT * FROM reports {where}", args)
        out = [_listed(r, files.get(r["report_id"], [])) for r in rows]
        return sorted(out, key=lambda e: e["files"][0]["path"] if e["files"] else "")

    def first_reports(self, limit: int) -> tuple[list[dict[str, Any]], int]:
        """The first `limit` entries of `list_reports()` that are not `excluded`, and how many
        are not in all: reads those rows only, however large the collection.

        A report's first file in path order leads it there, so walking the files in path order
        (the primary key's index) and stopping after `limit` finds them; settle() drops a report
        its last file left, so none lacks a file to be found by.
        """
        rows = self.db.execute(
            "SELECT r.* FROM files f JOIN reports r USING (report_id)"
            " WHERE f.path = (SELECT min(g.path) FROM files g WHERE g.report_id = f.report_id)"
            f" AND {_SHOWN} != ? ORDER BY f.path LIMIT ?",
            (*GONE, EXCLUDED, limit),
        ).fetchall()
        ids = [r["report_id"] for r in rows]
        files = self._files_by_report(
            "SELECT report_id, path, status FROM files"
            f" WHERE report_id IN ({', '.join('?' * len(ids))})",
            ids,
        )
        # The reports shown as excluded have that status or an excluded file: counting those
        # few and subtracting them from the count of all (an index holds it) spares sqlite
        # reading every report row.
        (shown,) = self.db.execute(
            "SELECT (SELECT count(*) FROM reports) - (SELECT count(*) FROM reports r"
            " WHERE (r.status = ? OR r.report_id IN (SELECT report_id FROM files WHERE status = ?))"
            f" AND {_SHOWN_ALONE} = ?)",
            (EXCLUDED, EXCLUDED, *GONE, MISSING, EXCLUDED),
        ).fetchone()
        return [_listed(r, files[r["report_id"]]) for r in rows], shown

    def _files_by_report(self, sql: str, args: Iterable[Any]) -> dict[str, list[dict[str, str]]]:
        files: dict[str, list[dict[str, str]]] = {}
        for f in self.db.execute(sql + " ORDER BY path", tuple(args)):
            files.setdefault(f["report_id"], []).append({"path": f["path"], "status": f["status"]})
        return files

    # --- writing -------------------------------------------------------------------------

    def put_report(
        self,
        report_id: str,
        sha256: str,
        doc: Document | None,
        status: str,
        error: str | None = None,
        reason: str | None = None,
    ) -> None:
        """Insert or replace a report and its pages (call inside `transaction()`)."""
        pages = doc.pages if doc else []
        self.db.execute("DELETE FROM pages WHERE report_id = ?", (report_id,))
        self.db.execute(
            "INSERT OR REPLACE INTO reports (report_id, sha256, status, error, reason, title,"
            " author, subject, publisher, created, year, language, page_count, added_at, forms,"
            " raw_meta, modified, dirty) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,"
            # Read again (OCR, newer text forms), a report keeps the time it was added.
            " coalesce((SELECT added_at FROM reports WHERE report_id = ?), ?),"
            f" ?,?,?,{NEXT_STAMP})",
            (
                report_id, sha256, status, error, reason,
                doc.title if doc else None, doc.author if doc else None,
                doc.subject if doc else None, doc.publisher if doc else None,
                doc.created if doc else None, doc.year if doc else None,
                doc.language if doc else None, len(pages), report_id, now(),
                FORMS if all(p.raw is not None for p in pages) else 0,
                json.dumps(raw_of(doc), ensure_ascii=False) if doc else None, now(),
            ),
        )  # fmt: skip
        self.db.execute("DELETE FROM tombstones WHERE report_id = ?", (report_id,))
        self.db.executemany(
            "INSERT INTO pages (report_id, page, label, quality, text, raw, margins, body_end,"
            " spaced, text_source, words, language) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            [
                (report_id, p.number, p.label, p.quality, p.text, p.raw, json.dumps(p.margins),
                 p.body_end, json.dumps(p.spaced), p.text_source,
                 json.dumps(p.words) if p.words else None, p.language)
                for p in pages
            ],
        )  # fmt: skip

    def put_file(self, path: str, report_id: str, size: int, mtime_ns: int) -> None:
        """Record that `path` holds the report's bytes (call inside `transaction()`)."""
        self.db.execute(
            "INSERT OR REPLACE INTO files (path, report_id, size, mtime_ns, status, seen_at)"
            " VALUES (?,?,?,?,?,?)",
            (path, report_id, size, mtime_ns, "new", now()),
        )

    def mark_missing(self, path: str) -> None:
        """The file is no longer on disk (call inside `transaction()`)."""
        self.db.execute("UPDATE files SET status = ? WHERE path = ?", (MISSING, path))

    def delete_file(self, path: str) -> None:
        """Forget a file (used by --prune; call inside `transaction()`)."""
        self.db.execute("DELETE FROM files WHERE path = ?", (path,))

    def settle(self, report_id: str) -> None:
        """Recompute the statuses of a report's files and drop the report if no file holds it.

        The first present path in sorted order carries the report's status; the other present
        paths are duplicates. Marks the report dirty when what the index shows may have changed.
        """
        row = self.report_row(report_id)
        if row is None:
            return
        files = self.db.execute(
            "SELECT path, status FROM files WHERE report_id = ? ORDER BY path", (report_id,)
        ).fetchall()
        if not files:
            self.bury(row)
            self.db.execute("DELETE FROM pages WHERE report_id = ?", (report_id,))
            self.db.execute("DELETE FROM reports WHERE report_id = ?", (report_id,))
            return
        first = True
        for f in files:
            if f["status"] in GONE:
                continue
            status = row["status"] if first else DUPLICATE
            first = False
            if status != f["status"]:
                self.db.execute("UPDATE files SET status = ? WHERE path = ?", (status, f["path"]))
        self.db.execute(
            f"UPDATE reports SET dirty = {NEXT_STAMP} WHERE report_id = ?", (report_id,)
        )

    def mark_clean(self, seen: dict[str, int]) -> None:
        """The index now reflects these reports as they were when `dirty()` returned `seen`."""
        with self.transaction():
            self.db.executemany(
                "UPDATE reports SET dirty = 0 WHERE report_id = ? AND dirty = ?", seen.items()
            )

    def mark_dirty(self, report_ids: list[str]) -> None:
        """These reports must be written to the index again (call inside `transaction()`)."""
        for report_id in report_ids:
            self.db.execute(
                f"UPDATE reports SET dirty = {NEXT_STAMP} WHERE report_id = ?", (report_id,)
            )

    def mark_all_dirty(self) -> None:
        """Every report must be written to the index again (after the index was recreated)."""
        self.db.execute(f"UPDATE reports SET dirty = {NEXT_STAMP}")

    def exclude(self, report_id: str, forget_under: str) -> list[str]:
        """Take a report out of the collection (call inside `transaction()`).

        Files whose path starts with `forget_under` are forgotten (the caller deletes them:
        uploads); the others stay as `excluded` so that ingest does not bring them back.
        Returns the forgotten paths.
        """
        paths = [r[0] for r in self.db.execute(
            "SELECT path FROM files WHERE report_id = ?", (report_id,))]  # fmt: skip
        forgotten = [p for p in paths if p.startswith(forget_under)]
        for path in paths:
            if path in forgotten:
                self.db.execute("DELETE FROM files WHERE path = ?", (path,))
            else:
                self.db.execute("UPDATE files SET status = ? WHERE path = ?", (EXCLUDED, path))
        self.db.execute("DELETE FROM pages WHERE report_id = ?", (report_id,))
        self.db.execute(
            "UPDATE reports SET status = ?, modified = ? WHERE report_id = ?",
            (EXCLUDED, now(), report_id),
        )
        self.settle(report_id)
        return forgotten

    def page(self, report_id: str, number: int) -> Page | None:
        """One page of a report, or None."""
        row = self.db.execute(
            f"SELECT {_PAGE_COLUMNS} FROM pages WHERE report_id = ? AND page = ?",
            (report_id, number),
        ).fetchone()
        return _page(row) if row else None

    def page_list(self, report_id: str) -> list[dict[str, Any]]:
        """Page numbers, labels, quality, text source and language of a report, without the
        text."""
        rows = self.db.execute(
            "SELECT page, label, quality, text_source, language FROM pages WHERE report_id = ?"
            " ORDER BY page",
            (report_id,),
        )
        return [dict(r) for r in rows]

    def stats(self) -> dict[str, Any]:
        """Collection figures for the home page."""
        reports, pages = self.db.execute(
            "SELECT count(*), coalesce(sum(page_count), 0) FROM reports WHERE report_id IN"
            " (SELECT report_id FROM files WHERE status NOT IN (?, ?)) AND status = ?",
            (*GONE, INDEXED),
        ).fetchone()
        by_status = self.counts()
        return {
            "reports": reports,
            "pages": pages,
            "files": sum(by_status.values()),
            "by_status": by_status,
        }

    def counts(self) -> dict[str, int]:
        """How many files the catalog holds per status."""
        rows = self.db.execute("SELECT status, count(*) FROM files GROUP BY status")
        return {r[0]: r[1] for r in rows}


_PAGE_COLUMNS = (
    "page, text, label, quality, raw, margins, body_end, spaced, text_source, words, language"
)


# The status a report shows in `list_reports` (a report none of whose files is left on disk is
# missing, or excluded when its first file is), for the report `r` whose first file is `f`...
_SHOWN = (
    "CASE WHEN EXISTS (SELECT 1 FROM files p WHERE p.report_id = r.report_id"
    " AND p.status NOT IN (?, ?)) THEN r.status ELSE f.status END"
)
# ... and for the report `r` alone (its first file looked up; missing when it has none).
_SHOWN_ALONE = _SHOWN.replace(
    "f.status",
    "coalesce((SELECT g.status FROM files g WHERE g.report_id = r.report_id"
    " ORDER BY g.path LIMIT 1), ?)",
)


def _listed(r: sqlite3.Row, its_files: list[dict[str, str]]) -> dict[str, Any]:
    """The `list_reports` entry of a reports row with its files (in path order)."""
    present = [f for f in its_files if f["status"] not in GONE]
    gone = EXCLUDED if its_files and its_files[0]["status"] == EXCLUDED else MISSING
    record = Record(*record_parts(r["meta"])).to_dict()
    return {
        "report_id": r["report_id"],
        "title": r["title"],
        "status": r["status"] if present else gone,
        "error": r["error"],
        "reason": r["reason"],
        "pages": r["page_count"],
        "sha256": r["sha256"],
        "author": r["author"],
        "publisher": r["publisher"],
        "year": r["year"],
        "language": r["language"],
        "files": its_files,
        **record,
    }


def unread_by_ocr(reports: str) -> str:
    """SQL: the row of the reports table (or of a view of it) named `reports` is a report
    without text, or with garbled pages, where a page not read as text has not been OCR'd."""
    return (
        f"{reports}.status IN ('{INDEXED}', '{NO_TEXT}') AND EXISTS (SELECT 1 FROM pages p"
        f" WHERE p.report_id = {reports}.report_id AND p.text_source != '{OCR}'"
        f" AND p.quality != '{OK}' AND ({reports}.status = '{NO_TEXT}' OR p.quality = '{GARBLED}'))"
    )


def report_of(row: sqlite3.Row, path: str | None) -> Report:
    """The `Report` of a reports row whose main file is `path`."""
    return Report(
        meta=json.loads(row["meta"] or "{}").get("values", {}),
        work=row["work"],
        rank=row["rank"],
        report_id=row["report_id"],
        path=path or "",
        title=row["title"] or row["report_id"],
        author=row["author"],
        publisher=row["publisher"],
        year=row["year"],
        created=row["created"],
        language=row["language"],
        added=row["added_at"],
    )


def _page(row: sqlite3.Row) -> Page:
    return Page(
        row["page"], row["text"], row["label"], row["quality"], raw=row["raw"],
        margins=json.loads(row["margins"] or "[]"), body_end=row["body_end"],
        spaced=json.loads(row["spaced"] or "[]"), text_source=row["text_source"],
        words=json.loads(row["words"] or "[]"), language=row["language"],
    )  # fmt: skip
