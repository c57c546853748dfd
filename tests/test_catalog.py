"""The catalog's guarantees: a change made while the index syncs is not lost (dirty stamps)."""

from __future__ import annotations

from pathlib import Path

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
