"""`indexer check`: catalog ↔ index ↔ files, reported in JSON and repaired by --fix."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

from click.testing import CliRunner

from indexer.cli import cli
from indexer.library import Library
from tests.pdfs import make_pdf


def run(data: Path, *args: str) -> tuple[int, dict]:
    result = CliRunner().invoke(cli, ["--data", str(data), "check", "--json", *args])
    return result.exit_code, json.loads(result.stdout)


def collection(tmp_path: Path, lib: Library) -> dict[str, Path]:
    folder = tmp_path / "src"
    paths = {
        name: make_pdf(folder / f"{name}.pdf", [f"{name} first page text", f"{name} second page"])
        for name in ("alpha", "beta", "gamma")
    }
    lib.ingest([folder])
    return paths


def kinds(answer: dict) -> list[tuple[str, str | None]]:
    return sorted((p["kind"], p["path"] and Path(p["path"]).name) for p in answer["problems"])


def test_a_consistent_collection_is_ok(tmp_path: Path, lib: Library) -> None:
    collection(tmp_path, lib)
    code, answer = run(lib.settings.data)
    assert (code, answer) == (0, {"ok": True, "problems": []})


def test_files_gone_or_changed_are_found_and_fixed(tmp_path: Path, lib: Library) -> None:
    paths = collection(tmp_path, lib)
    lib.update_metadata(lib.reports()[0]["report_id"], {"title": "Kept through the fix"})
    paths["alpha"].unlink()
    make_pdf(paths["beta"], ["beta rewritten", "with other text"])
    os.utime(paths["beta"], ns=(1, 1))
    code, answer = run(lib.settings.data)
    assert code == 1 and not answer["ok"]
    assert kinds(answer) == [("file_changed", "beta.pdf"), ("file_gone", "alpha.pdf")]
    code, answer = run(lib.settings.data, "--fix")
    assert (code, answer["problems"]) == (0, [])
    assert [h.page for h in lib.search("rewritten").hits] == [1]
    assert lib.search("alpha first").hits == []
    titles = {r["title"] for r in lib.reports()}
    assert "Kept through the fix" in titles  # the edit survived


def test_index_out_of_step_with_the_catalog_is_found_and_fixed(
    tmp_path: Path, lib: Library
) -> None:
    collection(tmp_path, lib)
    gamma = next(r["report_id"] for r in lib.reports() if "gamma" in r["files"][0]["path"])
    with lib.index.writer() as w:  # the index loses a report behind the catalog's back
        w.delete_report(gamma)
    code, answer = run(lib.settings.data)
    assert code == 1
    assert [(p["kind"], p["report_id"]) for p in answer["problems"]] == [
        ("missing_from_index", gamma)
    ]
    assert run(lib.settings.data, "--fix")[0] == 0
    assert {h.report_id for h in lib.search("gamma").hits} == {gamma}


def test_a_damaged_catalog_is_reported_and_nothing_is_fixed(tmp_path: Path, lib: Library) -> None:
    collection(tmp_path, lib)
    catalog = lib.settings.catalog_path
    with sqlite3.connect(catalog) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        page_size = db.execute("PRAGMA page_size").fetchone()[0]
    data = bytearray(catalog.read_bytes())
    data[3 * page_size : 4 * page_size] = b"\xa5" * page_size  # a page of garbage
    catalog.write_bytes(bytes(data))
    before = sorted(p.name for p in lib.settings.index_dir.iterdir())
    code, answer = run(lib.settings.data, "--fix")
    assert code == 1
    assert [p["kind"] for p in answer["problems"]] == ["catalog_damaged"]
    assert sorted(p.name for p in lib.settings.index_dir.iterdir()) == before
