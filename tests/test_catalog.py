"""The catalog's guarantees: a change made while the index syncs is not lost (dirty stamps)."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

from indexer import catalog as catalog_mod
from indexer.catalog import Catalog
from indexer.models import Document, Page


def _put(catalog: Catalog, report_id: str, text: str) -> None:
    doc = Document(pages=[Page(1, text, raw=text)], title=text)
    with catalog.transaction():
        catalog.put_report(report_id, report_id * 4, doc, "indexed")
        catalog.put_file(f"/c/{report_id}.pdf", report_id, 1, 1)
        catalog.settle(report_id)


def test_a_change_made_during_a_sync_stays_dirty(tmp_path: Path) -> None:
    with Catalog(tmp_path / "catalog.sqlite") as catalog:
        _put(catalog, "a" * 16, "first")
        _put(catalog, "b" * 16, "other")
        seen = catalog.dirty()  # what a sync starts from
        assert set(seen) == {"a" * 16, "b" * 16}
        _put(catalog, "a" * 16, "changed meanwhile")  # a write while the sync runs
        catalog.mark_clean(seen)  # the sync ends
        assert set(catalog.dirty()) == {"a" * 16}  # the newer change is still to be indexed
        assert catalog.dirty()["a" * 16] > seen["a" * 16]
        catalog.mark_clean(catalog.dirty())
        assert catalog.dirty() == {}


def test_stamps_rise_with_every_change(tmp_path: Path) -> None:
    with Catalog(tmp_path / "catalog.sqlite") as catalog:
        stamps = []
        for n in range(5):
            _put(catalog, "c" * 16, f"version {n}")
            stamps.append(catalog.dirty()["c" * 16])
        assert stamps == sorted(set(stamps))


def test_pages_keep_their_text_source_and_ocr_words(tmp_path: Path) -> None:
    words = [[0, 6, 72.0, 700.0, 110.5, 712.0], [7, 14, 114.0, 700.0, 160.0, 712.0]]
    doc = Document(
        pages=[
            Page(1, "", raw="garbled"),
            Page(2, "walrus colony", raw="walrus colony", text_source="ocr", words=words),
        ]
    )
    with Catalog(tmp_path / "catalog.sqlite") as catalog, catalog.transaction():
        catalog.put_report("d" * 16, "d" * 64, doc, "indexed")
    with Catalog(tmp_path / "catalog.sqlite") as catalog:
        first, second = catalog.pages("d" * 16)
        assert (first.text_source, first.words) == ("pypdf", [])
        assert (second.text_source, second.words) == ("ocr", words)


def test_a_catalog_from_before_text_sources_gets_them_as_pypdf(tmp_path: Path) -> None:
    with Catalog(tmp_path / "catalog.sqlite") as catalog:
        _put(catalog, "e" * 16, "an old page")
        catalog.db.execute("ALTER TABLE pages DROP COLUMN text_source")
        catalog.db.execute("ALTER TABLE pages DROP COLUMN words")
    with Catalog(tmp_path / "catalog.sqlite") as catalog:  # opened by this version
        (page,) = catalog.pages("e" * 16)
        assert (page.text, page.text_source, page.words) == ("an old page", "pypdf", [])


def test_files_under_a_folder_are_its_files_and_nothing_beside_it(tmp_path: Path) -> None:
    inside = ["/a/b/x.pdf", "/a/b/c/y.pdf", "/a/b/ü.pdf", "/a/b/%_[*].pdf"]
    beside = ["/a/bc/z.pdf", "/a/b.pdf", "/a/b-1/w.pdf", "/a/b%/v.pdf", "/a/b_/u.pdf", "/a/B/t.pdf"]
    odd = ["/o/50%_[x]*/q.pdf", "/o/50%_[x]*y/q.pdf", "/o/50%_[x]/q.pdf"]  # LIKE and GLOB marks
    with Catalog(tmp_path / "catalog.sqlite") as catalog:
        _put(catalog, "f" * 16, "a report")
        with catalog.transaction():
            for n, path in enumerate(inside + beside + odd):
                catalog.put_file(path, "f" * 16, n, n)

        def under(*roots: str) -> set[str]:
            return {row.path for row in catalog.files_under([Path(r) for r in roots])}

        assert under("/a/b") == set(inside)
        assert under("/a/b/") == set(inside)
        assert under("/a/b.pdf") == {"/a/b.pdf"}  # a file given as it is
        assert under("/a/b/c", "/a/bc") == {"/a/b/c/y.pdf", "/a/bc/z.pdf"}
        assert under("/o/50%_[x]*") == {"/o/50%_[x]*/q.pdf"}
        assert under("/a/nothing") == set()
        assert under("/") == {*inside, *beside, *odd, "/c/" + "f" * 16 + ".pdf"}


def test_the_first_reports_are_those_listed_first_but_the_excluded(tmp_path: Path) -> None:
    with Catalog(tmp_path / "catalog.sqlite") as catalog:
        for letter in "0123456789ab":
            _put(catalog, letter * 16, f"report {letter}")
        with catalog.transaction():
            catalog.put_file("/b/second-copy.pdf", "1" * 16, 1, 1)  # a duplicate, listed first
            catalog.exclude("2" * 16, forget_under="/nowhere")  # deleted: its file stays
            catalog.put_file("/b/again.pdf", "2" * 16, 1, 1)  # its bytes found again
            catalog.settle("2" * 16)
            catalog.exclude("3" * 16, forget_under="/c/")  # deleted with its file
            catalog.mark_missing("/c/" + "4" * 16 + ".pdf")  # gone from disk: shown missing
            catalog.settle("4" * 16)
            catalog.put_file("/a/first.pdf", "5" * 16, 1, 1)  # excluded, then present again
            catalog.db.execute("UPDATE files SET status = 'excluded' WHERE path = '/a/first.pdf'")
        listed = [e for e in catalog.list_reports() if e["status"] != "excluded"]
        assert "2" * 16 not in {e["report_id"] for e in listed}
        assert {e["report_id"]: e["status"] for e in listed}["4" * 16] == "missing"
        for limit in range(len(listed) + 2):
            assert catalog.first_reports(limit) == (listed[:limit], len(listed))


def test_two_connections_bringing_an_old_catalog_up_to_date_at_once_both_open_it(
    tmp_path: Path,
) -> None:
    # A catalog with only the first version's columns, as an older indexer left it.
    path = tmp_path / "catalog.sqlite"
    first = sqlite3.connect(path, isolation_level=None, timeout=30)
    first.execute("PRAGMA journal_mode=WAL")
    first.executescript(catalog_mod.SCHEMA + catalog_mod.FETCH_SCHEMA)
    # `first` adds the columns while another connection opens the catalog: that one finds
    # them missing, waits for the write lock, and must not add them a second time.
    first.execute("BEGIN IMMEDIATE")
    failures: list[BaseException] = []

    def open_catalog() -> None:
        try:
            Catalog(path).close()
        except BaseException as exc:
            failures.append(exc)

    other = threading.Thread(target=open_catalog)
    other.start()
    time.sleep(0.5)  # it has read the columns and waits for the lock
    for table, added in catalog_mod._ADDED.items():
        columns = {r[1] for r in first.execute(f"PRAGMA table_info({table})")}
        for name, definition in added.items():
            if name not in columns:
                first.execute(f"ALTER TABLE {table} ADD COLUMN {name} {definition}")
    first.execute("COMMIT")
    other.join(timeout=30)
    first.close()
    assert not other.is_alive() and failures == []
