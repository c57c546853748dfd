"""Quotes as printed on the real corpus: margins out of snippets, phrases across page breaks,
characters as printed, and no fewer hits than before the text forms changed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from indexer.library import Library

# Pages that matched each query before margins and text forms were introduced (whoosh index of
# commit 43845dc on ../shared/corpus, per_report=0): a floor, since no page may be lost.
HITS_BEFORE = {
    "nuclear": 17, "weapons": 8, '"nuclear weapons"': 6, "Congress": 176, "mining": 47,
    "seabed": 39, "China": 21, "Russia": 6, "tax": 123, "appropriations": 113,
    '"United States"': 107, "energy": 48, "report": 178, "federal": 251, "policy": 87,
    "program": 112, "information": 180, "market": 67, "finance": 44, "law": 117,
    "Congressional Research Service": 313, "информации": 2, "公司": 22, '"Federal Register"': 34,
}  # fmt: skip
# A CRS running footer ("Congressional Research Service 22") or version line.
CRS_MARGIN = re.compile(r"Congressional Research Service\s+\d|· VERSION \d+ ·")


def report_id(lib: Library, name: str) -> str:
    return next(e["report_id"] for e in lib.reports() if e["files"][0]["path"].endswith(name))


def test_phrase_across_a_page_break_is_found_where_it_starts(corpus_lib: Library) -> None:
    result = corpus_lib.search('"a spokesperson for China"')
    assert result.total == 1
    hit = result.hits[0]
    assert Path(hit.path).name == "crs-R47324v18-seabed-mining.pdf"
    assert (hit.page, hit.page_label, hit.continues_on, hit.continues_on_label) == (
        24, "21", 25, "22"
    )  # fmt: skip
    assert hit.snippet.endswith("For example, a") or "For example, a " in hit.snippet
    assert [hit.snippet[s:e] for s, e in hit.highlights] == ["a"]


def test_the_footer_no_longer_splits_a_phrase(corpus_lib: Library) -> None:
    hit = corpus_lib.search('"China\'s Ministry of Foreign Affairs"').hits[0]
    assert hit.page == 25
    assert hit.snippet.startswith("spokesperson for China’s Ministry of Foreign Affairs")
    assert not CRS_MARGIN.search(hit.snippet)


@pytest.mark.parametrize("query", sorted(HITS_BEFORE))
def test_common_queries_lose_no_hits_and_snippets_are_printed_text(
    corpus_lib: Library, query: str
) -> None:
    result = corpus_lib.search(query, per_report=0, limit=50)
    assert result.total >= HITS_BEFORE[query]
    pages: dict[tuple[str, int], dict] = {}
    for hit in result.hits:
        page = pages.setdefault((hit.report_id, hit.page), corpus_lib.page(hit.report_id, hit.page))
        assert hit.snippet in page["text"]
        if "crs-" in hit.path:
            assert not CRS_MARGIN.search(hit.snippet), (hit.path, hit.page, hit.snippet)


def test_no_crs_snippet_carries_a_running_header_or_footer(corpus_lib: Library) -> None:
    crs = [e for e in corpus_lib.reports() if "/crs-" in e["files"][0]["path"]]
    assert len(crs) == 15
    for entry in crs:
        found = corpus_lib.search(
            "the OR of OR and", report_id=entry["report_id"], per_report=0, limit=200
        )
        assert found.hits
        header = corpus_lib.page(entry["report_id"], entry["pages"])["margins"]
        for hit in found.hits:
            assert not CRS_MARGIN.search(hit.snippet), (entry["title"], hit.page, hit.snippet)
            # The running header line (the title, on every page after the cover) is cut.
            running = [m for m in header if len(m) > 20 and m in hit.snippet and hit.page > 3]
            assert not running, (entry["title"], hit.page, hit.snippet)


def test_characters_are_shown_as_printed(corpus_lib: Library) -> None:
    hits = corpus_lib.search("营业收入", per_report=0, limit=50).hits
    assert any("营业收入（元）" in h.snippet for h in hits)
    order = report_id(corpus_lib, "ru-fstec-order-17-text.pdf")
    hit = corpus_lib.search('"No 17"', report_id=order).hits[0]
    assert "№ 17" in [hit.snippet[s:e] for s, e in hit.highlights]


def test_letter_spaced_heading_is_found_as_one_word(corpus_lib: Library) -> None:
    hit = corpus_lib.search("приказываю").hits[0]
    assert Path(hit.path).name == "ru-fstec-order-17-text.pdf"
    assert "П Р И К А З Ы В А Ю" in [hit.snippet[s:e] for s, e in hit.highlights]
