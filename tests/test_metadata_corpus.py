"""The metadata record of every corpus report that prints its metadata, against values read off
the pages by hand (tests/data/metadata/corpus_expected.json), one test per file and field."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from indexer.cite import FORMATS
from indexer.errors import NotCitable
from indexer.library import Library
from tests.test_corpus import NO_TEXT

EXPECTED: dict[str, dict[str, Any]] = {
    name: fields
    for name, fields in json.loads(
        (Path(__file__).parent / "data" / "metadata" / "corpus_expected.json").read_text("utf-8")
    ).items()
    if not name.startswith("_")
}
CASES = [(name, field) for name, fields in EXPECTED.items() for field in fields]
ENERGY_STAR = ("crs-IF10753v6-energy-star.pdf", "crs-IF10753v7-energy-star.pdf")
OTHER_IN_FOCUS = (
    "crs-IF12672v12-russia-nuclear-weapons.pdf",
    "crs-IF12106v21-iran-nuclear-weapons.pdf",
    "crs-IF11643v21-artemis.pdf",
)
# Typographic quotes are the same citation as straight ones; the text layer may carry either.
QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"'})


def comparable(value: Any) -> Any:
    """A field value with runs of white space collapsed and typographic quotes folded."""
    if isinstance(value, str):
        return re.sub(r"\s+", " ", value).strip().translate(QUOTES)
    if isinstance(value, list):
        return [comparable(v) for v in value]
    return value


@pytest.fixture(scope="module")
def ids(corpus_lib: Library) -> dict[str, str]:
    """Report id by corpus file name (every file a report holds)."""
    return {
        Path(f["path"]).name: entry["report_id"]
        for entry in corpus_lib.reports()
        for f in entry["files"]
    }


@pytest.fixture(scope="module")
def records(corpus_lib: Library, ids: dict[str, str]) -> dict[str, dict[str, Any]]:
    """`Library.report` of every expected file, read once."""
    return {name: corpus_lib.report(ids[name]) for name in EXPECTED}


@pytest.mark.parametrize(("name", "field"), CASES, ids=[f"{n}:{f}" for n, f in CASES])
def test_printed_metadata_is_recorded(
    records: dict[str, dict[str, Any]], name: str, field: str
) -> None:
    metadata = records[name]["metadata"]
    assert comparable(metadata[field]) == comparable(EXPECTED[name][field])
    assert records[name]["sources"].get(field), f"{field} has a value but no source"


def test_energy_star_versions_are_one_work(corpus_lib: Library, ids: dict[str, str]) -> None:
    v6, v7 = (ids[name] for name in ENERGY_STAR)
    for report_id in (v6, v7):
        versions = corpus_lib.report(report_id)["versions"]
        assert [v["report_id"] for v in versions] == [v7, v6], "newest (v7) first"
        assert [v["version"] for v in versions] == ["7", "6"]
        assert [v["date"] for v in versions] == ["2026-04-23", "2026-04-20"]


@pytest.mark.parametrize("name", OTHER_IN_FOCUS)
def test_in_focus_briefs_sharing_boilerplate_are_not_linked(
    corpus_lib: Library, ids: dict[str, str], name: str
) -> None:
    versions = [v["report_id"] for v in corpus_lib.report(ids[name])["versions"]]
    assert versions == [ids[name]]


def test_every_crs_report_is_its_own_work_but_energy_star(
    corpus_lib: Library, ids: dict[str, str]
) -> None:
    linked = {
        name: len(corpus_lib.report(ids[name])["versions"])
        for name in EXPECTED
        if name.startswith("crs-")
    }
    assert linked == {name: 2 if name in ENERGY_STAR else 1 for name in linked}


@pytest.mark.parametrize("name", sorted(NO_TEXT))
def test_reports_without_text_are_not_citable(
    corpus_lib: Library, ids: dict[str, str], name: str
) -> None:
    report_id = ids[name]
    assert corpus_lib.report(report_id)["status"] != "indexed"
    assert corpus_lib.report(report_id)["citable"] is False
    for fmt in FORMATS:
        with pytest.raises(NotCitable):
            corpus_lib.cite(report_id, fmt)
    with pytest.raises(NotCitable):
        corpus_lib.citations(report_id)


def test_citable_follows_status(corpus_lib: Library) -> None:
    for entry in corpus_lib.reports():
        report = corpus_lib.report(entry["report_id"])
        assert report["citable"] is (report["status"] == "indexed"), entry["files"][0]["path"]


def test_year_facet_holds_only_real_years(corpus_lib: Library) -> None:
    facets = corpus_lib.search("the", facets=True).facets
    assert facets is not None
    years = [f["value"] for f in facets["year"]]
    assert years, "the corpus has dated reports"
    assert all(v is not None and 1000 <= int(v) <= 9999 for v in years), years
    assert "2026" in {str(v) for v in years}
