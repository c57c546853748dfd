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
            w.add_report(report, [Page(1, "alpha one"), Page(2, "alpha two")])
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
