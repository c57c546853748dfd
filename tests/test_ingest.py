"""Ingest on generated PDFs: statuses, incremental re-runs, vanished and changed files, rebuild."""

from __future__ import annotations

import os
import shutil
import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest
from whoosh import multiproc

from indexer.config import Settings
from indexer.errors import IndexUnavailable, NotFound
from indexer.ingest import hash_file, report_id_for
from indexer.library import Library
from tests.pdfs import make_empty_file, make_image_only_pdf, make_not_a_pdf, make_pdf

ALPHA = "The albatross report discusses maritime policy in the North Atlantic region at length."
BETA = "Beta findings: the zeppelin fleet was decommissioned after the budget review of 1937."


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A folder with good, duplicate, image-only and broken files."""
    d = tmp_path / "reports"
    (d / "sub").mkdir(parents=True)
    make_pdf(d / "alpha.pdf", [ALPHA, "Second page of alpha with more words about policy."])
    make_pdf(d / "sub" / "beta.pdf", [BETA])
    shutil.copy(d / "alpha.pdf", d / "sub" / "alpha-copy.pdf")
    make_image_only_pdf(d / "scan.pdf")
    make_not_a_pdf(d / "notes.pdf")
    make_empty_file(d / "empty.pdf")
    (d / "readme.txt").write_text("not a pdf and not named like one")
    return d


def statuses(lib: Library) -> dict[str, str]:
    """File name -> status, from the catalog."""
    return {Path(f["path"]).name: f["status"] for e in lib.reports() for f in e["files"]}


def test_ingest_gives_each_file_a_status(lib: Library, folder: Path) -> None:
    summary = lib.ingest([folder])
    assert statuses(lib) == {
        "alpha.pdf": "indexed",
        "alpha-copy.pdf": "duplicate",
        "beta.pdf": "indexed",
        "scan.pdf": "no_text",
        "notes.pdf": "failed",
        "empty.pdf": "failed",
    }
    assert summary.counts["indexed"] == 2 and summary.counts["failed"] == 2
    errors = {Path(f.path).name: f.error for f in summary.files}
    assert "empty" in errors["empty.pdf"]
    assert "PDF" in errors["notes.pdf"]


def test_report_id_is_the_hash_and_paths_are_absolute(lib: Library, folder: Path) -> None:
    lib.ingest([folder])
    alpha = folder / "alpha.pdf"
    (entry,) = [e for e in lib.reports() if e["report_id"] == report_id_for(hash_file(alpha))]
    assert entry["sha256"] == hash_file(alpha)
    assert [f["path"] for f in entry["files"]] == [
        str(alpha.resolve()),
        str((folder / "sub" / "alpha-copy.pdf").resolve()),
    ]
    hit = lib.search('"albatross report"').hits[0]
    assert hit.path == str(alpha.resolve()) and hit.page == 1


def test_rerun_with_nothing_changed_touches_nothing(lib: Library, folder: Path) -> None:
    lib.ingest([folder])
    before = lib.reports()
    summary = lib.ingest([folder])
    assert summary.counts["unchanged"] == 6
    assert sum(summary.counts.values()) == 6
    assert lib.reports() == before


def test_failed_files_are_retried_only_when_asked_or_changed(lib: Library, folder: Path) -> None:
    lib.ingest([folder])
    assert lib.ingest([folder]).counts["failed"] == 0
    assert lib.ingest([folder], retry_failed=True).counts["failed"] == 2
    make_pdf(folder / "notes.pdf", ["Notes repaired: the quokka census counted everyone."])
    summary = lib.ingest([folder])
    assert summary.counts == {**summary.counts, "indexed": 1, "failed": 0}
    assert lib.search("quokka").hits[0].path.endswith("notes.pdf")


def test_changed_file_is_a_new_report_and_old_text_leaves_search(
    lib: Library, folder: Path
) -> None:
    lib.ingest([folder])
    beta = folder / "sub" / "beta.pdf"
    old_id = report_id_for(hash_file(beta))
    make_pdf(beta, ["Gamma replaced beta: the narwhal migration study."])
    lib.ingest([folder])
    assert lib.search("zeppelin").total == 0
    hit = lib.search("narwhal").hits[0]
    assert hit.report_id != old_id and hit.path == str(beta.resolve())
    assert old_id not in {e["report_id"] for e in lib.reports()}


def test_vanished_files_go_missing_then_pruned(lib: Library, folder: Path) -> None:
    lib.ingest([folder])
    (folder / "sub" / "beta.pdf").unlink()
    summary = lib.ingest([folder])
    assert summary.counts["missing"] == 1
    assert statuses(lib)["beta.pdf"] == "missing"
    assert lib.search("zeppelin").total == 0
    assert lib.ingest([folder]).counts["missing"] == 0  # reported once, not every run
    lib.ingest([folder], prune=True)
    assert "beta.pdf" not in statuses(lib)


def test_duplicate_takes_over_when_main_file_goes(lib: Library, folder: Path) -> None:
    lib.ingest([folder])
    (folder / "alpha.pdf").unlink()
    lib.ingest([folder])
    assert statuses(lib)["alpha-copy.pdf"] == "indexed"
    assert lib.search("albatross").hits[0].path.endswith("alpha-copy.pdf")


def test_ingesting_another_folder_leaves_the_first_alone(
    lib: Library, folder: Path, tmp_path: Path
) -> None:
    lib.ingest([folder])
    other = tmp_path / "other"
    other.mkdir()
    make_pdf(other / "delta.pdf", ["Delta text about the pelican survey."])
    summary = lib.ingest([other])
    assert summary.counts["missing"] == 0
    assert lib.search("albatross").total > 0 and lib.search("pelican").total > 0


def test_missing_path_is_an_error_before_anything_changes(lib: Library, tmp_path: Path) -> None:
    with pytest.raises(NotFound, match="no such file"):
        lib.ingest([tmp_path / "nope"])


def test_touched_file_with_same_bytes_is_unchanged(lib: Library, folder: Path) -> None:
    lib.ingest([folder])
    os.utime(folder / "alpha.pdf", (1, 1))
    summary = lib.ingest([folder])
    assert summary.counts["unchanged"] == 6


def test_rebuild_needs_no_pdf(lib: Library, folder: Path) -> None:
    lib.ingest([folder])
    before = lib.search("policy").to_dict()
    shutil.rmtree(folder)
    assert lib.rebuild() == 2
    assert lib.search("policy").to_dict() == before


def test_damaged_index_is_rebuilt_from_the_catalog(lib: Library, folder: Path) -> None:
    lib.ingest([folder])
    index_dir = lib.settings.index_dir
    for f in index_dir.iterdir():
        if f.suffix == ".toc":
            f.write_bytes(b"garbage")
    fresh = Library(lib.settings)
    assert fresh.search("albatross").hits[0].path.endswith("alpha.pdf")


def test_reports_extracted_before_text_forms_are_extracted_again(
    lib: Library, folder: Path
) -> None:
    lib.ingest([folder])
    alpha = report_id_for(hash_file(folder / "alpha.pdf"))
    # What a catalog written before raw text was kept holds: one NFKC text per page, no raw.
    db = sqlite3.connect(lib.settings.catalog_path)
    with db:
        db.execute("UPDATE reports SET forms = 0 WHERE report_id = ?", (alpha,))
        db.execute("UPDATE pages SET raw = NULL, margins = NULL WHERE report_id = ?", (alpha,))
    db.close()
    assert lib.old_forms() == 1
    assert lib.rebuild() == 2  # never reads a PDF: the old text is still searchable
    assert lib.search("albatross").total == 1
    summary = lib.ingest([folder])
    again = {Path(f.path).name: f.status for f in summary.files if f.report_id == alpha}
    assert again == {"alpha.pdf": "indexed", "alpha-copy.pdf": "duplicate"}
    assert lib.old_forms() == 0
    assert lib.page(alpha, 1)["text_raw"].startswith("The albatross report")
    assert lib.ingest([folder]).counts["unchanged"] == 6


def _long_folder(tmp_path: Path) -> Path:
    """Reports with enough pages that a commit analyses them in two processes."""
    d = tmp_path / "long"
    d.mkdir()
    words = [
        "maritime",
        "policy",
        "budget",
        "review",
        "fleet",
        "harbour",
        "treaty",
        "convoy",
        "albatross",
    ]
    for r in range(6):
        pages = [
            " ".join(words[(r + p + i) % len(words)] for i in range(60)) + f" page{r}x{p}."
            for p in range(30)
        ]
        make_pdf(d / f"r{r}.pdf", pages, title=f"Long report {r}")
    return d


def _unscored(lib: Library, query: str) -> dict[str, object]:
    """A search's result without the hits' scores: BM25 divides by the average length of a
    field, which a segment merged from others (Whoosh's multiprocess writer, or any merge)
    sums from the pages' lengths as stored, rounded to a byte each."""
    result = lib.search(query, limit=50, per_report=50, facets=True).to_dict()
    return result | {"hits": [{k: v for k, v in h.items() if k != "score"} for h in result["hits"]]}


QUERIES = ("albatross", '"budget review fleet"', "page3x17", "convoy harbour", "treat*")


def test_commits_and_rebuilds_in_two_processes_index_what_one_does(
    tmp_path: Path, settings: Settings
) -> None:
    folder = _long_folder(tmp_path)
    one = Library(replace(settings, data=tmp_path / "one", workers=1))
    two = Library(replace(settings, data=tmp_path / "two", workers=2))
    for lib in (one, two):  # 180 pages: the final commit analyses them in `workers` processes
        assert lib.ingest([folder]).counts["indexed"] == 6
    expected = {q: _unscored(one, q) for q in QUERIES}
    assert expected["page3x17"]["total"] == 1
    for q in QUERIES:
        assert _unscored(two, q) == expected[q]
    heard: list[tuple[str, int, int]] = []
    assert two.rebuild(progress=lambda *a: heard.append(a)) == 6
    assert heard[-1] == ("rebuilding", 6, 6) and len(heard) == 6
    for q in QUERIES:
        assert _unscored(two, q) == expected[q]
    # Two writer processes, their postings merged into one segment.
    assert len(list(two.settings.index_dir.glob("*.seg"))) == 1
    one.close()
    two.close()


def test_a_rebuild_whose_writer_process_dies_keeps_the_old_index(
    tmp_path: Path, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    lib = Library(replace(settings, workers=2))
    lib.ingest([_long_folder(tmp_path)])
    before = lib.search("albatross", limit=50, per_report=50, facets=True).to_dict()

    def die(self: object, filename: str, doc_count: int) -> None:
        os._exit(3)  # in the forked writer process: its pages never reach a segment

    monkeypatch.setattr(multiproc.SubWriterTask, "_process_file", die)
    with pytest.raises(IndexUnavailable, match="holds 0 of 180 pages"):
        lib.rebuild()
    monkeypatch.undo()
    assert (
        Library(lib.settings).search("albatross", limit=50, per_report=50, facets=True).to_dict()
        == before
    )
    lib.close()


def test_an_ingest_whose_writer_process_dies_says_so_and_the_next_one_converges(
    tmp_path: Path, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    lib = Library(replace(settings, workers=2))
    folder = _long_folder(tmp_path)

    def die(self: object, filename: str, doc_count: int) -> None:
        os._exit(3)  # in the forked writer process: its pages never reach a segment

    monkeypatch.setattr(multiproc.SubWriterTask, "_process_file", die)
    with pytest.raises(IndexUnavailable, match="lacks pages of 6 reports"):
        lib.ingest([folder])
    monkeypatch.undo()
    again = lib.ingest([folder])  # nothing to extract: the reports are indexed again
    assert again.counts["unchanged"] == 6
    assert lib.search("albatross").total == 180
    lib.close()
