"""The Library API the web is built on: facets, filters, paging, reports, pages, citations,
deletes and uploads; over a real catalog and index built from generated PDFs."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from indexer.config import Settings
from indexer.errors import NotFound, QueryError, TooLarge, UnsupportedFile
from indexer.library import Library
from indexer.models import Filters
from tests.pdfs import make_pdf

CRS = "Congressional Research Service"
EN = "The Arctic strategy for 2030 covers shipping lanes, icebreakers and the northern fleet."
RU = "Арктическая стратегия до 2030 года охватывает судоходство и северный флот России."


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    d = tmp_path / "reports"
    make_pdf(
        d / "crs.pdf",
        [f"{CRS}\n{EN}", f"{EN} Second page.", "Appendix without it."],
        title="Arctic Policy",
        author="Jane Q. Public",
        footer_folios=["i", "1", "2"],
        created=datetime(2024, 3, 1, tzinfo=UTC),
    )
    make_pdf(
        d / "rand.pdf",
        [f"RAND Corporation\n{EN}"],
        title="Arctic Futures",
        created=datetime(2025, 5, 2, tzinfo=UTC),
    )
    make_pdf(d / "ru.pdf", [RU], title="Арктика", created=datetime(2025, 6, 3, tzinfo=UTC))
    return d  # fmt: skip


@pytest.fixture
def full(lib: Library, folder: Path) -> Library:
    lib.ingest([folder])
    return lib


def facet(result, name: str) -> dict:  # type: ignore[no-untyped-def]
    return {f["value"]: f["count"] for f in result.facets[name]}


def test_facets_count_every_matching_page(full: Library) -> None:
    result = full.search("2030", facets=True)
    assert facet(result, "publisher") == {CRS: 2, "RAND Corporation": 1}
    assert facet(result, "year") == {2024: 2, 2025: 2}
    assert facet(result, "lang") == {"en": 3, "ru": 1}
    assert [f["value"] for f in result.facets["year"]] == [2025, 2024]  # newest first


def test_a_filter_narrows_hits_and_the_other_facets_only(full: Library) -> None:
    result = full.search("2030", facets=True, filters=Filters(publisher=["RAND Corporation"]))
    assert [h.title for h in result.hits] == ["Arctic Futures"]
    assert facet(result, "publisher") == {CRS: 2, "RAND Corporation": 1}
    assert facet(result, "year") == {2025: 1}
    assert full.search("2030", filters=Filters(lang=["ru"])).hits[0].title == "Арктика"
    assert full.search("2030", filters=Filters(year_from=2025)).total == 2
    assert full.search("2030", filters=Filters(year=[2024], lang=["en"])).total == 2


def test_paging_walks_the_capped_hits(full: Library) -> None:
    first = full.search("2030", limit=2, per_report=1)
    second = full.search("2030", limit=2, per_report=1, offset=2)
    assert first.total == 4 and first.shown_total == 3
    assert len(first.hits) == 2 and len(second.hits) == 1
    assert {h.report_id for h in first.hits + second.hits} == {
        h.report_id for h in full.search("2030", per_report=1).hits
    }


def test_hits_carry_publisher_year_language(full: Library) -> None:
    hit = full.search("icebreakers", filters=Filters(publisher=[CRS])).hits[0]
    assert (hit.publisher, hit.year, hit.lang) == (CRS, 2024, "en")


def test_report_and_page(full: Library) -> None:
    hit = full.search('"northern fleet"', filters=Filters(publisher=[CRS])).hits[0]
    report = full.report(hit.report_id)
    assert report["title"] == "Arctic Policy" and report["authors"] == ["Jane Q. Public"]
    assert report["language"] == "en" and report["publisher"] == CRS
    assert [p["page"] for p in report["page_list"]] == [1, 2, 3]
    page = full.page(hit.report_id, hit.page)
    assert hit.snippet in page["text"] and page["quality"] == "ok"
    with pytest.raises(NotFound):
        full.page(hit.report_id, 99)
    with pytest.raises(NotFound):
        full.report("../../etc/passwd")
    with pytest.raises(NotFound):
        full.report("0" * 16)


def test_cite_uses_the_printed_label(full: Library) -> None:
    report_id = full.search('"Arctic strategy"', filters=Filters(publisher=[CRS])).hits[0].report_id
    labels = {p["page"]: p["label"] for p in full.report(report_id)["page_list"]}
    assert labels[2] == "1"
    assert full.cite(report_id, "apa", page=2).endswith("(Public, 2024, p. 1)")
    assert set(full.citations(report_id, page=2)) == {
        "apa", "chicago", "mla", "bibtex", "ris", "csl-json"
    }  # fmt: skip
    with pytest.raises(QueryError):
        full.cite(report_id, "apa", page=9)
    with pytest.raises(QueryError):
        full.cite(report_id, "vancouver")


def test_deleted_folder_file_stays_out_after_reingest(full: Library, folder: Path) -> None:
    report_id = full.search("RAND").hits[0].report_id
    full.delete_report(report_id)
    assert full.search("RAND").total == 0
    with pytest.raises(NotFound):
        full.report(report_id)
    full.ingest([folder])
    assert full.search("RAND").total == 0
    (entry,) = [e for e in full.reports() if e["report_id"] == report_id]
    assert entry["status"] == "excluded" and entry["files"][0]["status"] == "excluded"
    assert (folder / "rand.pdf").is_file()  # the librarian's file is never deleted


def wait_for(lib: Library, job_id: str) -> dict:
    deadline = time.monotonic() + 60
    while (job := lib.job(job_id))["status"] in ("queued", "running"):
        assert time.monotonic() < deadline, job
        time.sleep(0.05)
    return job


def test_upload_is_ingested_in_the_background_then_deleted(lib: Library, tmp_path: Path) -> None:
    pdf = make_pdf(tmp_path / "up.pdf", ["Uploaded paper on the kelp forest economy."])
    job = lib.submit_upload("my report.pdf", pdf.read_bytes())
    assert job["status"] == "queued" and job["filename"] == "my report.pdf"
    done = wait_for(lib, job["job_id"])
    assert done["status"] == "done" and done["report_id"]
    hit = lib.search("kelp").hits[0]
    assert hit.report_id == done["report_id"]
    stored = Path(hit.path)
    assert stored.is_file() and lib.settings.uploads_dir.resolve() in stored.parents
    lib.delete_report(hit.report_id)
    assert not stored.exists() and lib.search("kelp").total == 0
    assert all(e["report_id"] != hit.report_id for e in lib.reports())


def test_upload_rejections(tmp_path: Path) -> None:
    lib = Library(Settings(data=tmp_path / "d", max_upload_mb=1))
    with pytest.raises(UnsupportedFile):
        lib.submit_upload("x.pdf", b"<html>not a pdf</html>")
    with pytest.raises(TooLarge):
        lib.submit_upload("x.pdf", b"%PDF-1.4\n" + b"0" * (1024 * 1024))
    assert not any(lib.settings.uploads_dir.glob("*/*"))


def test_failed_upload_job_says_why(lib: Library) -> None:
    job = lib.submit_upload("broken.pdf", b"%PDF-1.4\n garbage that is no pdf at all")
    done = wait_for(lib, job["job_id"])
    assert done["status"] == "failed" and done["error"]
    with pytest.raises(NotFound):
        lib.job("nope")


def test_deleted_bytes_stay_out_under_a_new_path_or_upload(full: Library, folder: Path) -> None:
    report_id = full.search("RAND").hits[0].report_id
    full.delete_report(report_id)
    (folder / "copy-of-rand.pdf").write_bytes((folder / "rand.pdf").read_bytes())
    summary = full.ingest([folder])
    assert summary.counts["excluded"] == 1 and full.search("RAND").total == 0
    job = wait_for(
        full, full.submit_upload("again.pdf", (folder / "rand.pdf").read_bytes())["job_id"]
    )
    assert job["status"] == "failed" and "deleted" in job["error"]


def test_malformed_report_id_and_language_case(full: Library) -> None:
    with pytest.raises(QueryError, match="not a report id"):
        full.search("2030", report_id="NOTANID")
    assert full.search("2030", filters=Filters(lang=["RU"])).total == 1
