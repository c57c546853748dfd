"""Facet counts: each field counted over the matching pages with the *other* fields' filters."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from indexer.engine import SearchEngine
from indexer.models import Filters, Page, Report
from tests.engines import new_engine, search

pytest_plugins = ["tests.engines"]

REPORTS = [
    Report("a" * 16, "a.pdf", "A", publisher="P1", year=2020, language="en",
           meta={"report_type": "Brief", "tags": ["ports", "budget"]}),
    Report("b" * 16, "b.pdf", "B", publisher="P2", year=2021, language="en",
           meta={"report_type": "Memo", "tags": ["ports"]}),
    Report("c" * 16, "c.pdf", "C", publisher="P1", year=2021, language="ru", meta={}),
    Report("d" * 16, "d.pdf", "D", publisher="P1", year=None, language="en", meta={}),
]  # fmt: skip


@pytest.fixture(scope="module")
def ix(tmp_path_factory: pytest.TempPathFactory, engine_name: str) -> Iterator[SearchEngine]:
    index = new_engine(Path(tmp_path_factory.mktemp("facets")), engine_name)
    with index.writer() as w:
        for report in REPORTS:
            lang = report.language
            w.add_report(
                report, [Page(1, "alpha one", language=lang), Page(2, "alpha two", language=lang)]
            )
        # One report in two languages, and a page of none: counted and filtered page by page.
        mixed = Report("e" * 16, "e.pdf", "E", publisher="P3", year=2022, language="uk", meta={})
        w.add_report(
            mixed,
            [
                Page(1, "omega", language="uk"),
                Page(2, "omega", language="en"),
                Page(3, "omega", language="uk"),
                Page(4, "omega 12", language="und"),
            ],
        )
    yield index
    index.close()


def counts(result, name):
    return {f["value"]: f["count"] for f in result.facets[name]}


def test_counts_without_filters(ix: SearchEngine) -> None:
    result = search(ix, "alpha", facets=True)
    assert counts(result, "publisher") == {"P1": 6, "P2": 2}
    assert counts(result, "year") == {2020: 2, 2021: 4}  # the undated report is left out
    assert counts(result, "lang") == {"en": 6, "ru": 2}
    assert counts(result, "report_type") == {"Brief": 2, "Memo": 2}
    assert counts(result, "tag") == {"ports": 4, "budget": 2}
    assert [f["value"] for f in result.facets["year"]] == [2021, 2020]  # newest first


def test_each_facet_ignores_its_own_filter_and_applies_the_others(ix: SearchEngine) -> None:
    result = search(ix, "alpha", facets=True, filters=Filters(publisher=["P1"], year=[2021]))
    assert {h.report_id for h in result.hits} == {"c" * 16}
    assert counts(result, "publisher") == {"P1": 2, "P2": 2}  # the year filter applies
    assert counts(result, "year") == {2020: 2, 2021: 2}  # the publisher filter applies
    assert counts(result, "lang") == {"ru": 2}  # both apply


def test_a_year_range_leaves_undated_reports_out(ix: SearchEngine) -> None:
    result = search(ix, "alpha", facets=True, filters=Filters(year_from=2021))
    assert counts(result, "publisher") == {"P1": 2, "P2": 2}
    assert "d" * 16 not in {h.report_id for h in result.hits}


def test_language_is_counted_and_filtered_per_page(ix: SearchEngine) -> None:
    result = search(ix, "omega", facets=True)
    assert result.total == 4
    assert counts(result, "lang") == {"uk": 2, "en": 1}  # `und` is left out of the facet
    only_en = search(ix, "omega", filters=Filters(lang=["en"]), limit=10, per_report=0)
    assert [h.page for h in only_en.hits] == [2]
    assert only_en.hits[0].lang == "en"
    only_uk = search(ix, "omega", filters=Filters(lang=["uk"]), limit=10, per_report=0)
    assert sorted(h.page for h in only_uk.hits) == [1, 3]
