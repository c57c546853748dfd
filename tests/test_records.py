"""Metadata records kept current: derived again without the PDF, versions folded in search,
sorting by date, report type and tag facets; and the text rules' building blocks."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from indexer.library import Library
from indexer.metarules import parse_date, people
from indexer.models import Filters
from indexer.records import resemblance, sketch
from tests.pdfs import make_pdf

PROSE = (
    "Budget authority for the program rose in each of the last five years, while outlays lagged "
    "behind because contracts were awarded late in the fiscal year and paid over several years."
)


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("Updated April 15, 2026", "2026-04-15"),
        ("11 февраля 2013 г.", "2013-02-11"),
        ("12 березня 2021 р.", "2021-03-12"),
        ("March 2024", "2024-03"),
        ("on 03.02.2019 the", "2019-02-03"),
        ("Sept. 9, 2020", "2020-09-09"),
        ("no date here 2020", None),
        ("Smarch 40, 2020", None),
    ],
)
def test_parse_date(text: str, iso: str | None) -> None:
    assert parse_date(text) == iso


def test_people_printed_with_their_positions() -> None:
    text = (
        "Author Information\nJacob R. Straus\nSpecialist on the Congress\n"
        "Ben Leubsdorf\nSenior Research Librarian\n"
        "Corrie E. Clark, Specialist in Energy Policy\n"
        "Figures prepared by Amber Wilhelm, Visual Information Specialist.\n"
    )
    assert people(text) == [
        {"family": "Straus", "given": "Jacob R."},
        {"family": "Leubsdorf", "given": "Ben"},
        {"family": "Clark", "given": "Corrie E."},
    ]


def test_resemblance_tells_versions_from_strangers() -> None:
    words = PROSE.split() * 3
    a = sketch([" ".join(words + ["alpha"] * 5)])
    b = sketch([" ".join(words[:-4] + ["beta"] * 5)])
    c = sketch(["Completely different text about fisheries quotas and harbour dues " * 20])
    assert resemblance(a, b) > 0.6 > resemblance(a, c)


def _report(folder: Path, name: str, sidecar: dict, words: str = PROSE) -> Path:
    pdf = make_pdf(folder / name, [f"{name}\n{words}", f"Second page. {words}"])
    (folder / f"{name}.json").write_text(json.dumps(sidecar))
    return pdf


@pytest.fixture
def versions(tmp_path: Path, lib: Library) -> dict[str, str]:
    folder = tmp_path / "src"
    folder.mkdir()
    _report(
        folder,
        "v1.pdf",
        {
            "report_number": "X100",
            "publisher": "Acme",
            "version": "1",
            "date": "2024-01-05",
            "report_type": "Brief",
            "tags": ["ports"],
        },
    )
    _report(
        folder,
        "v2.pdf",
        {
            "report_number": "X100",
            "publisher": "Acme",
            "version": "2",
            "date": "2025-06-01",
            "report_type": "Brief",
        },
    )
    _report(folder, "other.pdf", {"title": "Other", "date": "2023", "report_type": "Memo",
                                  "tags": ["ports", "budget"]},
            words="Unrelated words on outlays and budget authority for harbours.")  # fmt: skip
    lib.ingest([folder])
    return {Path(r["files"][0]["path"]).name: r["report_id"] for r in lib.reports()}


def test_search_shows_the_newest_version_and_counts_the_others(
    lib: Library, versions: dict[str, str]
) -> None:
    hits = lib.search("contracts", per_report=1).hits
    assert [(h.report_id, h.version, h.other_versions) for h in hits] == [
        (versions["v2.pdf"], "2", 1)
    ]
    every = lib.search("contracts", per_report=1, versions="all").hits
    assert {h.report_id for h in every} == {versions["v1.pdf"], versions["v2.pdf"]}
    report = lib.report(versions["v1.pdf"])
    assert [(v["version"], v["current"]) for v in report["versions"]] == [("2", False), ("1", True)]


def test_sort_by_date_report_type_and_tag(lib: Library, versions: dict[str, str]) -> None:
    dated = lib.search("outlays", per_report=1, sort="date", versions="all").hits
    assert [h.date for h in dated] == ["2025-06-01", "2024-01-05", "2023"]
    result = lib.search("outlays", facets=True, versions="all")
    assert result.facets is not None
    assert {f["value"] for f in result.facets["report_type"]} == {"Brief", "Memo"}
    assert {f["value"]: f["count"] for f in result.facets["tag"]} == {"ports": 4, "budget": 2}
    tagged = lib.search("outlays", filters=Filters(tag=["budget"]), versions="all")
    assert {h.report_id for h in tagged.hits} == {versions["other.pdf"]}
    memo = lib.search("outlays", filters=Filters(report_type=["Memo"]), versions="all")
    assert {h.report_id for h in memo.hits} == {versions["other.pdf"]}


def test_stale_records_are_derived_again_without_the_pdf(
    tmp_path: Path, lib: Library, versions: dict[str, str]
) -> None:
    before = {rid: lib.metadata(rid) for rid in versions.values()}
    for pdf in (tmp_path / "src").glob("*.pdf"):
        pdf.unlink()  # re-deriving must not need the files
    with sqlite3.connect(lib.settings.catalog_path) as db:
        db.execute("UPDATE reports SET rules = 0, meta = NULL")
    empty = tmp_path / "empty"
    empty.mkdir()
    lib.ingest([empty])
    assert {rid: lib.metadata(rid) for rid in versions.values()} == before
