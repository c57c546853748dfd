"""Collection health: the library's figures on a small generated collection, and the same
figures through the CLI, /api/stats and the /collection page (sort, filter, paging)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient

from indexer.cli import cli
from indexer.config import Settings
from indexer.health import TableQuery
from indexer.library import Library
from indexer.web import create_app
from tests.pdfs import make_image_only_pdf, make_not_a_pdf, make_pdf

pytest_plugins = ["tests.web_fixtures"]

KEYS = {"by_status", "by_publisher", "by_year", "by_language", "by_report_type", "failed",
        "needs_ocr", "garbled_pages", "recent", "ocr"}  # fmt: skip


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Library:
    """Two text reports, a scan without text and a text file named .pdf, ingested (OCR off:
    the scan waits for it)."""
    root = tmp_path_factory.mktemp("health")
    d = root / "in"
    make_pdf(d / "alpha.pdf", ["Alpha report on walrus budgets.", "More on walrus."], title="Alpha")
    make_pdf(d / "beta.pdf", ["Beta report on the carpenter and readiness."], title="Beta")
    make_image_only_pdf(d / "scan.pdf")
    make_not_a_pdf(d / "notes.pdf")
    lib = Library(Settings(data=root / "data", workers=1, ocr="off"))
    lib.ingest([d])
    return lib


def test_stats_on_a_small_collection(small: Library) -> None:
    stats = small.collection_stats()
    assert set(stats) == KEYS
    assert {c["value"]: c["count"] for c in stats["by_status"]} == {
        "indexed": 2, "no_text": 1, "failed": 1}  # fmt: skip
    counts = [c["count"] for c in stats["by_status"]]
    assert counts == sorted(counts, reverse=True)
    (failed,) = stats["failed"]
    assert failed["reason"] == "not_pdf" and failed["path"].endswith("notes.pdf")
    assert failed["error"]
    (scan,) = stats["needs_ocr"]
    assert scan["path"].endswith("scan.pdf")
    assert stats["ocr"]["state"] == "off" and stats["ocr"]["waiting"] == 1
    assert "INDEXER_OCR=auto" in stats["ocr"]["enable"]
    assert len(stats["recent"]) == 4
    assert {r["status"] for r in stats["recent"]} == {"indexed", "no_text", "failed"}
    assert stats["garbled_pages"] == []


def test_table_sorts_filters_and_pages(small: Library) -> None:
    by_pages = small.report_table(TableQuery(sort="pages", direction="desc"))
    assert by_pages["total"] == 4
    assert by_pages["reports"][0]["title"] == "Alpha"
    indexed = small.report_table(TableQuery(status="indexed", sort="title"))
    assert [r["title"] for r in indexed["reports"]] == ["Alpha", "Beta"]
    second = small.report_table(TableQuery(sort="title", limit=2, offset=2))
    assert second["total"] == 4 and len(second["reports"]) == 2


def test_cli_stats_json_is_the_library_shape(small: Library) -> None:
    runner = CliRunner(env={"INDEXER_OCR": "off"})
    result = runner.invoke(cli, ["--data", str(small.settings.data), "stats", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == small.collection_stats()
    text = runner.invoke(cli, ["--data", str(small.settings.data), "stats"])
    assert text.exit_code == 0 and "not_pdf" in text.stdout and "scan.pdf" in text.stdout
    assert "1 report waits for OCR; OCR is off" in text.stdout


def test_api_stats(client: FlaskClient, ids: dict[str, str]) -> None:
    stats = client.get("/api/stats").get_json()
    assert set(stats) == KEYS
    assert [c["value"] for c in stats["by_year"]] == [2024, 2021, 2019]
    assert {c["value"] for c in stats["by_language"]} >= {"en", "ru"}
    assert {r["report_id"] for r in stats["recent"]} == set(ids.values())


def test_collection_page_links_counts_and_lists_reports(client: FlaskClient) -> None:
    page = client.get("/collection")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Collection health" in html and "/collection?status=indexed#reports" in html
    assert "/collection?year=2024#reports" in html
    assert html.count('<td class="title"') == 4


def test_collection_sorts_filters_and_rejects_bad_args(client: FlaskClient) -> None:
    html = client.get("/collection?sort=pages&dir=desc").get_data(as_text=True)
    titles = html.split('<td class="title"')[1:]
    assert "Airborne" in titles[0]
    assert 'aria-sort="descending"' in html
    one = client.get("/collection?year=2019").get_data(as_text=True)
    assert one.count('<td class="title"') == 1 and "Rapid Reaction" in one
    none = client.get("/collection?status=failed").get_data(as_text=True)
    assert '<td class="title"' not in none
    assert client.get("/collection?p=2").status_code == 200
    assert client.get("/collection?sort=colour").status_code == 400
    assert client.get("/collection?p=0").status_code == 400


def test_collection_pages_fifty_at_a_time(tmp_path: Path) -> None:
    d = tmp_path / "in"
    for n in range(51):
        make_pdf(d / f"r{n:02}.pdf", [f"Report number {n} on topic {n * 7}."], title=f"R{n:02}")
    settings = Settings(data=tmp_path / "data", workers=2)
    Library(settings).ingest([d])
    client = create_app(settings).test_client()
    first = client.get("/collection").get_data(as_text=True)
    assert first.count('<td class="title"') == 50 and "Page 1 of 2" in first
    second = client.get("/collection?p=2").get_data(as_text=True)
    assert second.count('<td class="title"') == 1 and "Page 2 of 2" in second


def test_garbled_pages_are_listed_by_report(tmp_path: Path) -> None:
    mojibake = "bRkT xWqZ pLmNv QrTsX vBkLz HnDfG tRwQp ZxCvB mNbVc " * 8
    pages = ["A first page on defence budgets and readiness.", mojibake]
    make_pdf(tmp_path / "in" / "g.pdf", pages, title="Mixed")
    lib = Library(Settings(data=tmp_path / "data", workers=1))
    lib.ingest([tmp_path / "in"])
    (entry,) = lib.collection_stats()["garbled_pages"]
    assert entry["title"] == "Mixed" and entry["pages"] == [2]


def test_home_status_counts_link_to_the_collection(client: FlaskClient) -> None:
    html = client.get("/").get_data(as_text=True)
    assert 'href="/collection"' in html
