"""The Whoosh engine's one pass over the matches (engine/whoosh/search.py, budget.py) and the
column values and field lengths it keeps in memory (columns.py): the same scores, totals and
facet counts as Whoosh's own scoring and a walk over the matches with its column readers, on
a real index of several segments, some pages deleted."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from whoosh import query as wq
from whoosh.scoring import BM25F

from indexer.deadline import Deadline
from indexer.engine import parse_query
from indexer.engine.pagerecords import FACET_YEARS, FACETS, TAG_JOIN
from indexer.engine.whoosh import WhooshEngine
from indexer.engine.whoosh.budget import expand_patterns
from indexer.engine.whoosh.querywhoosh import to_whoosh
from indexer.models import Filters, Page, Report
from tests.engines import search

WORDS = ["alpha", "beta", "gamma", "delta", "harbour", "harbours", "policy", "budget"]


def _report(n: int) -> tuple[Report, list[Page]]:
    report = Report(f"{n:016x}", f"r{n}.pdf", f"Report {n}", publisher=f"P{n % 3}",
                    year=2018 + n % 4 if n % 5 else None, language="en",
                    meta={"report_type": ["Brief", "Memo"][n % 2],
                          "tags": [["ports"], ["ports", "budget"], []][n % 3]})  # fmt: skip
    pages = [
        Page(p, " ".join(WORDS[(n * p + k) % len(WORDS)] for k in range(3 + (n + p) % 9)))
        for p in range(1, 9)
    ]
    return report, pages


@pytest.fixture(scope="module")
def ix(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WhooshEngine]:
    """30 reports in three segments (commits without merging), two reports deleted."""
    index = WhooshEngine(tmp_path_factory.mktemp("onepass"))
    for batch in range(3):
        with index.writer(merge=False) as w:
            for n in range(batch * 10, batch * 10 + 10):
                w.add_report(*_report(n))
    with index.writer(merge=False) as w:
        w.delete_report(f"{4:016x}")
        w.delete_report(f"{17:016x}")
    yield index
    index.close()


def test_the_index_has_several_segments(ix: WhooshEngine) -> None:
    assert ix.read(lambda s: len(s.reader().leaf_readers())) >= 3


@pytest.mark.parametrize("query", ["harbour", "policy budget", '"alpha beta"', "harb*", "polcy~"])
def test_scores_are_whooshs_own_bm25f(ix: WhooshEngine, query: str) -> None:
    ours = {(h.report_id, h.page): h.score for h in search(ix, query, limit=500, per_report=0).hits}

    # Whoosh's BM25F, the field lengths read from the segment files
    with ix._ix.searcher(weighting=BM25F()) as own:
        q = expand_patterns(to_whoosh(parse_query(query), ix.schema), own.reader(), Deadline(0))
        theirs = {(hit["report"], hit["page"]): hit.score for hit in own.search(q, limit=500)}
    assert ours and ours == theirs


@pytest.mark.parametrize(
    "filters",
    [None, Filters(publisher=["P1"]), Filters(year=[2019], tag=["budget"]), Filters(lang=["en"])],
)
@pytest.mark.parametrize("report_id", [None, f"{7:016x}"])
def test_facet_counts_equal_a_walk_over_the_matches(
    ix: WhooshEngine, filters: Filters | None, report_id: str | None
) -> None:
    result = search(ix, "harbour OR policy", facets=True, filters=filters, report_id=report_id)
    got = {name: {f["value"]: f["count"] for f in values} for name, values in result.facets.items()}
    assert got == ix.read(lambda s: _walked_counts(s, ix, "harbour OR policy", report_id, filters))
    assert any(got.values())


@pytest.mark.parametrize("per_report", [0, 1, 3])
def test_totals_equal_whooshs_count_of_the_matches(ix: WhooshEngine, per_report: int) -> None:
    result = search(ix, "harbour", per_report=per_report, filters=Filters(publisher=["P0"]))

    def walked(searcher):
        q = wq.And([to_whoosh(parse_query("harbour"), ix.schema), wq.Term("publisher_facet", "P0")])
        return Counter(searcher.stored_fields(d)["report"] for d in searcher.docs_for_query(q))

    per = ix.read(walked)
    assert result.total == sum(per.values())
    assert result.shown_total == sum(min(n, per_report or n) for n in per.values())


def test_column_values_are_the_column_readers(ix: WhooshEngine) -> None:
    def compare(searcher) -> None:
        reader = searcher.reader()
        for name in ("report", "page", "year", "lang", "date", "tags_facet"):
            assert list(ix.columns.column(reader, name)) == list(
                reader.column_reader(name, translate=True)
            )
        for leaf, _ in reader.leaf_readers():
            for field in ("body", "exact", "title"):
                expected = [leaf.doc_field_length(d, field, 1) for d in range(leaf.doc_count_all())]
                assert list(ix.columns.lengths(leaf, field)) == expected

    ix.read(compare)


def test_a_commit_is_searched_at_once_and_merged_segments_are_forgotten(
    tmp_path: Path,
) -> None:
    index = WhooshEngine(tmp_path)
    for n in range(1, 4):
        with index.writer(merge=False) as w:
            w.add_report(*_report(n))
        found = {h.report_id for h in search(index, "harbour", per_report=0, limit=50).hits}
        assert found == {f"{k:016x}" for k in range(1, n + 1)}
    with index.writer() as w:
        w.delete_report(f"{2:016x}")
    index._ix.writer().commit(optimize=True)  # one segment: the three read before are gone
    assert search(index, "harbour", facets=True).total > 0
    live = index.read(
        lambda s: {leaf.segment().segment_id() for leaf, _ in s.reader().leaf_readers()}
    )
    assert len(live) == 1 and {segment for segment, _ in index.columns._values} == live
    index.close()


def _walked_counts(searcher, ix, query, report_id, filters):
    """Facet counts as the engine counted them before its one pass: a walk over the pages
    matching the query (in the report), values from Whoosh's column readers."""
    q = to_whoosh(parse_query(query), ix.schema)
    if report_id:
        q = wq.And([q, wq.Term("report", report_id)])
    reader = searcher.reader()
    columns = {name: reader.column_reader(col, translate=True) for name, col in FACETS.items()}
    counts: dict[str, Counter] = {name: Counter() for name in FACETS}
    for docnum in searcher.docs_for_query(q):
        values = {name: column[docnum] for name, column in columns.items()}
        values["year"] = values["year"] if values["year"] in FACET_YEARS else None
        values["tag"] = [t for t in (values["tag"] or "").split(TAG_JOIN) if t]
        for name, value in values.items():
            others = {k: v for k, v in values.items() if k != name}
            if value and all(_allowed(k, v, filters) for k, v in others.items()):
                for one in value if name == "tag" else [value]:
                    counts[name][one] += 1
    return {name: dict(counter) for name, counter in counts.items()}


def _allowed(name, value, filters):
    if filters is None:
        return True
    wanted = {"publisher": filters.publisher, "year": filters.year, "lang": filters.lang,
              "report_type": filters.report_type, "tag": filters.tag}[name]  # fmt: skip
    if not wanted:
        return True
    if name == "tag":
        return bool(set(value) & set(wanted))
    return value in wanted
