import re
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import indexer.engine.whoosh.search as search_module
from indexer.engine import parse_query as validate_query
from indexer.engine.whoosh import WhooshEngine
from indexer.errors import IndexUnavailable, QueryError
from indexer.models import Page, Report
from indexer.pagetext import derive_pages
from tests.engines import new_engine, search

pytest_plugins = ["tests.engines"]

FILLER = "The committee reviewed budgets, staffing and the schedule for the coming year. "

REPORTS = [
    (
        Report("arms", "arms.pdf", "Arms Control Today", "Jane Smith", "Brookings", 2019),
        [
            Page(1, FILLER * 5, label="i"),
            Page(2, FILLER * 3 + "Stockpiles of nuclear weapons grew. " + FILLER * 3, label="1"),
            Page(3, "A single nuclear weapon was tested; weapons programs stalled.", label="2"),
            Page(4, "Chemical weapons conventions and biological agents.", label="3"),
        ],
    ),
    (
        Report("arctic", "arctic.pdf", "Arctic Security", "Ivan Petrov", "RAND", 2021),
        [
            Page(1, "Shipping routes open as the arctic ice retreats. " + FILLER),
            Page(2, "Russia's доктрина: ядерное оружие остаётся основой сдерживания."),
            Page(3, "Україна: ядерна безпека та енергетика."),
        ],
    ),
    (
        Report("land", "land.pdf", "Rural Policy", "Li Wei", "CASS", 2020),
        [
            Page(1, "本报告讨论土地利用规划和农村发展。"),
            # A page of ordinary length that mentions the word once.
            Page(2, FILLER * 2 + "The arctic is mentioned once here, in passing. " + FILLER),
        ],
    ),
]


@pytest.fixture(scope="module")
def ix(tmp_path_factory, engine_name):
    index = new_engine(tmp_path_factory.mktemp("ix"), engine_name)
    with index.writer() as w:
        for report, pages in REPORTS:
            w.add_report(report, pages)
    return index


def pages(result):
    return [(h.report_id, h.page) for h in result.hits]


def highlighted(hit):
    return [hit.snippet[a:b] for a, b in hit.highlights]


def test_phrase_lands_on_its_page_with_the_phrase_highlighted(ix):
    result = search(ix, '"nuclear weapons"')
    assert pages(result) == [("arms", 2)]
    hit = result.hits[0]
    assert "nuclear weapons" in hit.snippet
    assert highlighted(hit) == ["nuclear weapons"]
    assert (hit.title, hit.path, hit.page_label) == ("Arms Control Today", "arms.pdf", "1")
    assert hit.score > 0


def test_stemming_finds_other_forms(ix):
    assert set(pages(search(ix, "weapon"))) == {("arms", 2), ("arms", 3), ("arms", 4)}
    assert "weapons" in highlighted(search(ix, "weapon", report_id="arms").hits[0])


def test_words_are_all_required_by_default(ix):
    assert pages(search(ix, "nuclear chemical")) == []
    assert set(pages(search(ix, "chemical OR stockpiles"))) == {("arms", 2), ("arms", 4)}
    assert pages(search(ix, "weapons AND biological")) == [("arms", 4)]
    assert set(pages(search(ix, "weapons NOT chemical"))) == {("arms", 2), ("arms", 3)}


def test_not_terms_are_not_highlighted(ix):
    hit = search(ix, "nuclear NOT chemical", report_id="arms").hits[0]
    assert "chemical" not in [w.lower() for w in highlighted(hit)]


@pytest.mark.parametrize(
    ("query", "reports"),
    [
        ("title:arctic", {"arctic"}),
        ('title:"arms control"', {"arms"}),
        ("author:petrov", {"arctic"}),
        ("publisher:brookings", {"arms"}),
        ("year:2020", {"land"}),
        ("year:[2019 TO 2020]", {"arms", "land"}),
        ("report:land", {"land"}),
    ],
)
def test_field_queries(ix, query, reports):
    assert {h.report_id for h in search(ix, query, per_report=0, limit=50).hits} == reports


def test_wildcard_and_fuzzy(ix):
    assert ("arms", 2) in pages(search(ix, "stockp*"))
    assert pages(search(ix, "stockpilos~")) == [("arms", 2)]
    assert highlighted(search(ix, "stockpilos~").hits[0]) == ["Stockpiles"]


def test_per_report_cap_and_total_before_the_cap(ix):
    result = search(ix, "committee")
    assert (result.total, result.total_is_estimate) == (4, False)
    assert sorted(pages(result)) == [("arctic", 1), ("arms", 1), ("arms", 2), ("land", 2)]
    capped = search(ix, "committee", per_report=1)
    assert capped.total == 4
    assert sorted(h.report_id for h in capped.hits) == ["arctic", "arms", "land"]
    limited = search(ix, "committee", limit=2)
    assert (limited.total, len(limited.hits)) == (4, 2)
    assert search(ix, "committee", limit=0).hits == []


def test_report_id_restricts_the_search(ix):
    assert {h.report_id for h in search(ix, "arctic", report_id="land").hits} == {"land"}
    assert search(ix, "arctic", report_id="nope").total == 0


def test_title_match_ranks_above_a_body_only_match(ix):
    result = search(ix, "arctic", per_report=0)
    # Only pages that have the word are hits (each must be a citation); the title ranks them.
    assert [(h.report_id, h.page) for h in result.hits] == [("arctic", 1), ("land", 2)]


def test_match_only_in_title_snippets_the_start_of_the_page(ix):
    hit = search(ix, "title:security shipping").hits[0]
    assert hit.snippet.startswith("Shipping routes")


def test_cyrillic_and_ukrainian(ix):
    result = search(ix, "ядерное оружие")
    assert pages(result) == [("arctic", 2)]
    assert highlighted(result.hits[0]) == ["ядерное", "оружие"]
    assert pages(search(ix, '"ядерна безпека"')) == [("arctic", 3)]
    assert pages(search(ix, "Україна")) == [("arctic", 3)]


def test_chinese_substring(ix):
    for query in ("土地", "土地利用", "农村发展"):
        result = search(ix, query)
        assert pages(result) == [("land", 1)], query
        assert highlighted(result.hits[0]) == [query]
    assert pages(search(ix, "利用土地")) == []


@pytest.fixture(scope="module")
def scripts(tmp_path_factory, engine_name):
    """The same names in Cyrillic (report "ru") and in Latin letters (report "en")."""
    index = new_engine(tmp_path_factory.mktemp("scripts"), engine_name)
    ru = [
        Page(1, "Россия продала Китаю 37 машин БМД-4М; Шойгу прилетел на Ил-76."),
        Page(2, "Президент Зеленський відвідав Харків."),
        Page(3, "Министр приказал расширить производство оружия."),
    ]
    en = [Page(1, "Russia sold 37 BMD-4M vehicles; Shoigu flew in on an Il-76. " + FILLER)]
    with index.writer() as w:
        w.add_report(Report("ru", "ru.pdf", "Доклад", "", "", 2024), ru)
        w.add_report(Report("en", "en.pdf", "Report", "", "", 2024), en)
    return index


@pytest.mark.parametrize("query", ["BMD-4M", "Shoigu", "Il-76", "bmd-4m", "Шойгу", "БМД-4М"])
def test_a_word_finds_itself_in_the_other_script_ranked_below_its_own(scripts, query):
    result = search(scripts, query, per_report=0)
    assert sorted(pages(result)) == [("en", 1), ("ru", 1)]
    native = "ru" if re.search("[а-я]", query.lower()) else "en"
    assert result.hits[0].report_id == native


@pytest.mark.parametrize(
    ("query", "marked"),
    [("BMD-4M", "БМД-4М"), ("Shoigu", "Шойгу"), ("Il-76", "Ил-76"), ("Kharkiv", "Харків"),
     ("Zelensky", "Зеленський"), ("Zelenskyy", "Зеленський")],
)  # fmt: skip
def test_the_other_script_is_highlighted_as_the_page_prints_it(scripts, query, marked):
    hit = search(scripts, query, report_id="ru").hits[0]
    assert marked in highlighted(hit)


def test_a_word_typed_in_two_scripts_is_found(scripts):
    # "BMD" with a Cyrillic "М", and "Shoigu" with a Cyrillic "о".
    for query in ("BМD-4M", "Shоigu"):
        assert sorted(pages(search(scripts, query, per_report=0))) == [("en", 1), ("ru", 1)]


def test_quotes_and_exact_keep_to_the_word_as_typed(scripts):
    for query in ('"BMD-4M"', "exact:BMD-4M", '"Shoigu"', "exact:Shoigu"):
        assert pages(search(scripts, query, per_report=0)) == [("en", 1)], query
    # exact: does not stem either: "оружие" is on the page, "оружия" is not.
    assert pages(search(scripts, "оружие")) == [("ru", 3)]
    assert pages(search(scripts, "exact:оружие")) == []
    assert pages(search(scripts, "exact:оружия")) == [("ru", 3)]


def test_bad_year_is_a_query_error(ix):
    with pytest.raises(QueryError, match="not a valid number"):
        search(ix, "nuclear year:soon")


def test_results_reflect_later_commits(tmp_path, make_engine):
    index = make_engine(tmp_path)
    assert search(index, "zebra").total == 0
    with index.writer() as w:
        w.add_report(Report("z", "z.pdf", "Zoo"), [Page(1, "a zebra")])
    assert pages(search(index, "zebra")) == [("z", 1)]


def test_ties_do_not_depend_on_indexing_order(tmp_path, make_engine):
    reports = [(Report(f"r{i}", f"r{i}.pdf", "Same"), [Page(1, "same words"), Page(2, "same")])
               for i in range(6)]  # fmt: skip
    orders = []
    for name, batch in (("a", reports), ("b", reports[::-1])):
        index = make_engine(tmp_path / name)
        for report, pages_ in batch:
            with index.writer() as w:
                w.add_report(report, pages_)
        orders.append(pages(search(index, "same", limit=4, per_report=1)))
    assert orders[0] == orders[1] == [("r0", 2), ("r1", 2), ("r2", 2), ("r3", 2)]


@pytest.fixture(scope="module")
def big(tmp_path_factory, engine_name):
    index = new_engine(tmp_path_factory.mktemp("big"), engine_name)
    long_page = "lorem ipsum dolor sit amet " * 8000 + "the final zanzibar treaty clause."
    # Pages of different lengths, so that scores differ as in real reports.
    long_report = [
        Page(n, f"page {n} text. " + FILLER * 2 + "x " * (n % 97)) for n in range(1, 801)
    ]
    long_report[699] = Page(700, FILLER * 2 + "the quokka appears only here. " + FILLER)
    with index.writer() as w:
        w.add_report(Report("long", "long.pdf", "Long"), long_report)
        w.add_report(Report("wide", "wide.pdf", "Wide"), [Page(1, long_page)])
    return index


def test_hit_at_the_end_of_a_very_long_page(big):
    hit = search(big, "zanzibar").hits[0]
    assert (hit.report_id, hit.page) == ("wide", 1)
    assert "zanzibar" in highlighted(hit)
    assert hit.snippet.endswith("zanzibar treaty clause.")


def test_hit_on_page_700_of_800(big):
    hit = search(big, '"quokka appears"').hits[0]
    assert hit.page == 700
    assert highlighted(hit) == ["quokka appears"]


def test_one_report_does_not_crowd_out_the_others(big):
    result = search(big, "committee OR lorem", limit=3, per_report=2)
    assert result.total == 801
    assert sorted(h.report_id for h in result.hits) == ["long", "long", "wide"]
    assert len(search(big, "committee", limit=50, per_report=0).hits) == 50


def test_large_totals_are_estimates(big, monkeypatch):
    if not isinstance(big, WhooshEngine):
        pytest.skip("the exact-count limit is set per engine")
    exact = search(big, '"committee"', per_report=0).total
    assert exact > 100
    monkeypatch.setattr(search_module, "EXACT_COUNT_LIMIT", 100)
    # Whoosh counts while scoring unless it skips blocks...
    result = search(big, '"committee"', per_report=0)
    assert result.total_is_estimate
    # ...or unless it scored every match anyway, here to fill the per-report cap.
    capped = search(big, '"committee"')
    assert (capped.total, capped.total_is_estimate) == (exact, False)
    # An estimate is at least what was counted and at most the pages in the index.
    assert 100 <= result.total <= sum(big.page_counts().values())
    small = search(big, "quokka")
    assert (small.total, small.total_is_estimate) == (1, False)


def test_files_lost_after_opening_make_the_index_unavailable(tmp_path):
    index = WhooshEngine(tmp_path)  # Whoosh's files (see tests/test_index_safety.py)
    with index.writer() as w:
        w.add_report(Report("r", "r.pdf", "R"), [Page(1, "text")])
    for seg in tmp_path.glob("*.seg"):
        seg.unlink()
    with pytest.raises(IndexUnavailable, match="rebuild"):
        search(index, "text")
    assert index.needs_rebuild
    assert WhooshEngine(tmp_path).is_empty()


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("", "empty"),
        ("   \t", "empty"),
        ('"nuclear weapons', "quote"),
        ("(nuclear OR chemical", "parenthes"),
        ("nuclear)", "parenthes"),
        ("foo:bar", "Unknown field 'foo'"),
        ("body:weapons", "Unknown field 'body'"),
        ('nuclear foo:"bar baz"', "Unknown field 'foo'"),
        ("foo:(a b)", "Unknown field 'foo'"),
        ("x" * 1001, "limit is 1000"),
        (" ".join(["w"] * 65), "limit is 64"),
        ("*tion", "Wildcard"),
        ("a*", "Wildcard"),
        ("n?clear", "Wildcard"),
        ("title:*", "Wildcard"),
    ],
)
def test_invalid_queries(ix, query, message):
    with pytest.raises(QueryError, match=message):
        validate_query(query)
    with pytest.raises(QueryError, match=message):  # and the search refuses it the same way
        search(ix, query)


@pytest.mark.parametrize(
    "query",
    [
        "nuclear weapons",
        '"nuclear weapons" treaty',
        '"a (phrase: with* odd) chars"',
        "(arctic OR antarctic) AND NOT ice",
        "title:arctic author:smith publisher:rand year:2020 report:abc",
        "see http://example.org/page",
        "meeting at 10:30",
        "nuc*",
        "weopons~",
        "ядерное оружие",
        "土地利用",
        " ".join(["w"] * 64),
        'title:"arctic security" OR author:(smith OR jones)',
        "what is it?",
    ],
)
def test_valid_queries(ix, query):
    validate_query(query)
    search(ix, query)  # runs: no QueryError, no engine error


def test_title_words_do_not_make_every_page_a_hit(tmp_path: Path, make_engine) -> None:
    index = make_engine(tmp_path / "ix")
    report = Report("r1", "/r1.pdf", "Airborne Forces", None, None, 2024)
    pages = [Page(1, "Airborne units train in winter."), Page(2, "Logistics and supply.")]
    with index.writer() as w:
        w.add_report(report, pages)
    assert [h.page for h in search(index, "airborne").hits] == [1]
    assert search(index, "title:airborne").total == 2  # an explicit field matches every page
    inside = search(index, "airborne", report_id="r1", per_report=0)
    assert [h.page for h in inside.hits] == [1]


def test_query_is_nfkc_normalized_like_the_text(ix):
    assert search(ix, "ｓｈｉｐｐｉｎｇ").total == search(ix, "shipping").total > 0


@pytest.mark.parametrize("query", ["nuclear~5", "nuclear~-1", "nuclear~1.5", "nuclear~2/3"])
def test_fuzzy_edits_must_be_1_or_2(query):
    with pytest.raises(QueryError, match="1 or 2 edits"):
        validate_query(query)


@pytest.mark.parametrize("query", ["nuclear~", "nuclear~1", "nuclear~2", '"ice retreats"~3'])
def test_fuzzy_and_slop_that_are_fine(query):
    validate_query(query)


def test_russian_and_ukrainian_word_forms_match(ix):
    # The page says "ядерное оружие остаётся основой"; other forms of the words find it.
    assert pages(search(ix, "ядерного оружия")) == [("arctic", 2)]
    assert pages(search(ix, "основа")) == [("arctic", 2)]
    assert pages(search(ix, "безпеки")) == [("arctic", 3)]
    assert pages(search(ix, '"ядерного оружия"')) == []  # a phrase is exact


# --- property: snippets are cut from the page as printed -----------------------------------

_WORDS = ["Straße", "№", "17", "reconnais-\nsance", "ﬁnance", "Ёлка", "мʼясо", "don’t", "（元）",
          "营业收入", "П Р И К А З", "e\u0301te\u0301", "Header", "the", "a", "\n", "  ", ".",
          "well-known", "well-\nknown", "U.S.", "x²"]  # fmt: skip
_raw_pages = st.lists(
    st.lists(st.sampled_from(_WORDS), min_size=1, max_size=40).map(" ".join),
    min_size=1,
    max_size=4,
)


@settings(max_examples=40, deadline=None)
@given(_raw_pages, st.sampled_from(_WORDS + ['"the a"', '"Straße №"', "No 17", "fin*"]))
def test_every_snippet_is_a_substring_of_the_stored_display_text(engine_name, raw_pages, query):
    pages = [
        Page(n, d.text, raw=raw, margins=d.margins, body_end=d.body_end, spaced=d.spaced)
        for n, (raw, d) in enumerate(zip(raw_pages, derive_pages(raw_pages), strict=True), 1)
    ]
    with tempfile.TemporaryDirectory() as folder:
        ix = new_engine(Path(folder), engine_name)
        with ix.writer() as w:
            w.add_report(Report("r", "r.pdf", "T"), pages)
        try:
            result = search(ix, query, per_report=0, limit=10)
        except QueryError:
            return  # a word that is all punctuation is no query
        finally:
            ix.close()
    for hit in result.hits:
        text = pages[hit.page - 1].text
        assert hit.snippet in text
        for start, end in hit.highlights:
            assert 0 <= start < end <= len(hit.snippet)
