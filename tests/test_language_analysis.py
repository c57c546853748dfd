"""Language analysis: each page stemmed by its own language's rules, in both engines, and from
generated PDFs in each language through ingest, search and the page JSON."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from indexer.config import Settings
from indexer.engine import SearchEngine
from indexer.ingest import ingest
from indexer.library import Library
from indexer.models import Filters, Page, Report
from indexer.web import create_app
from tests.engines import new_engine, search
from tests.pdfs import CJK_FONT, make_pdf

pytest_plugins = ["tests.engines"]

# One page per language: (report id letter, language, text).
PAGES = [
    ("a", "en", "The ministries continued the negotiations on the ports."),
    ("b", "fr", "Les ministères ont repris les négociations sur les ports nationaux."),
    ("c", "de", "Die Ministerien haben die Verhandlungen über die Häfen fortgesetzt."),
    ("d", "es", "Los ministerios continuaron las negociaciones sobre los puertos del país."),
    ("e", "uk", "Десантників перекинули до Херсона під час переговорів."),
    ("f", "ru", "Десантников перебросили в Херсон во время переговоров."),
    # Ukrainian words with an apostrophe, typed three ways.
    ("g", "uk", "Мар'їнка пам’ятає бої. Памʼять про них живе."),
]


@pytest.fixture(scope="module")
def ix(tmp_path_factory: pytest.TempPathFactory, engine_name: str) -> Iterator[SearchEngine]:
    index = new_engine(Path(tmp_path_factory.mktemp("langs")), engine_name)
    with index.writer() as w:
        for letter, lang, text in PAGES:
            report = Report(letter * 16, f"{letter}.pdf", lang, language=lang, meta={})
            w.add_report(report, [Page(1, text, language=lang)])
    yield index
    index.close()


def found(ix: SearchEngine, query: str) -> list[str]:
    """The languages of the pages `query` finds."""
    result = search(ix, query, limit=20, per_report=0)
    return sorted(h.lang or "" for h in result.hits)


@pytest.mark.parametrize(
    ("query", "langs"),
    [
        ("négociation", ["fr"]),  # French Snowball: négociations
        ("ministère", ["fr"]),
        ("Verhandlung", ["de"]),  # German Snowball: Verhandlungen
        ("Hafen", ["de"]),  # Häfen
        ("negociación", ["es"]),  # Spanish Snowball: negociaciones
        ("ministerio", ["es"]),
        ("negotiation", ["en"]),  # Porter: negotiations
        # Ukrainian lemmas: "десантники" finds "десантників", which Russian rules miss; the
        # Russian page's "десантников" is found by its own rules.
        ("десантники", ["ru", "uk"]),
        # A query has no language: stemmed by Russian rules too, it finds the Russian cognate.
        ("переговори", ["ru", "uk"]),
        ("переговоры", ["ru"]),
        # One word with its apostrophe, whichever one was typed, and in the other script.
        ("пам'яті", ["uk"]),
        ("пам’ять", ["uk"]),
        ("Marinka", ["uk"]),
    ],
)
def test_each_page_is_stemmed_by_its_language(ix: SearchEngine, query: str, langs: list) -> None:
    assert found(ix, query) == langs


@pytest.mark.parametrize(
    ("query", "langs"),
    [
        ('"die Verhandlungen über"', ["de"]),
        ('"die Verhandlung über"', []),  # a phrase is the words as written
        ('"les négociations sur"', ["fr"]),
        ('"las negociaciones sobre"', ["es"]),
        ('"під час переговорів"', ["uk"]),
        ("exact:десантників", ["uk"]),
        ("exact:десантники", []),  # exact: no stemming
    ],
)
def test_phrases_and_exact_words_match_as_written(
    ix: SearchEngine, query: str, langs: list
) -> None:
    assert found(ix, query) == langs


def test_highlights_follow_the_page_language(ix: SearchEngine) -> None:
    result = search(ix, "десантники", limit=20, per_report=0)
    marked = {h.lang: [h.snippet[s:e] for s, e in h.highlights] for h in result.hits}
    assert marked == {"uk": ["Десантників"], "ru": ["Десантников"]}
    result = search(ix, "Verhandlung", filters=Filters(lang=["de"]))
    hit = result.hits[0]
    assert [hit.snippet[s:e] for s, e in hit.highlights] == ["Verhandlungen"]


# Generated PDFs, one report per language (two for the mixed one), read back through ingest.
DOCUMENTS = {
    "english.pdf": ["The committee reported that the programme is funded by the agencies."] * 2,
    "french.pdf": ["Le comité a publié une note sur les sanctions et la politique des pays."],
    "german.pdf": ["Die Kommission hat mit den Ländern über die Verhandlungen gesprochen."],
    "spanish.pdf": ["El informe de la comisión trata de las negociaciones entre los países."],
    "ukrainian.pdf": ["Міністерство оборони України повідомило про переговори щодо постачання."],
    "russian.pdf": ["Министерство обороны России сообщило о переговорах по поставкам техники."],
    "chinese.pdf": [
        "安徽省建设用地使用标准规定了停车区用地指标基准值和调整系数，季度报告已经发布。"
    ],
    # A Ukrainian report with an English summary page and a page of figures only.
    "mixed.pdf": [
        "Summary. The ministry reported on the negotiations about deliveries.",
        "Міністерство оборони повідомило про переговори щодо постачання техніки.",
        "Десантників перекинули до Херсона під час переговорів з партнерами.",
        "12 345 67 890 2024",
    ],
}


@pytest.fixture(scope="module")
def lib(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Library]:
    if not Path(CJK_FONT).is_file():
        message = f"{CJK_FONT} is missing: install the fonts-noto-cjk package"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    root = tmp_path_factory.mktemp("lang-pdfs")
    for name, pages in DOCUMENTS.items():
        title = name.removesuffix(".pdf")
        make_pdf(root / "reports" / name, pages, title=title, cjk=title == "chinese")
    settings = Settings(data=root / "data", workers=2, extract_timeout=60, ocr="off")
    summary = ingest(settings, [root / "reports"])
    assert summary.counts["indexed"] == len(DOCUMENTS)
    library = Library(settings)
    yield library
    library.close()


def report_id(lib: Library, title: str) -> str:
    (hit,) = lib.search(f'title:"{title}"', per_report=1).hits
    return hit.report_id


@pytest.mark.parametrize(
    ("title", "language"),
    [("english", "en"), ("french", "fr"), ("german", "de"), ("spanish", "es"),
     ("ukrainian", "uk"), ("russian", "ru"), ("chinese", "zh"), ("mixed", "uk")],
)  # fmt: skip
def test_a_report_has_its_most_common_page_language(
    lib: Library, title: str, language: str
) -> None:
    assert lib.report(report_id(lib, title))["language"] == language


def test_pages_have_their_own_language(lib: Library) -> None:
    mixed = report_id(lib, "mixed")
    assert [lib.page(mixed, n)["language"] for n in (1, 2, 3, 4)] == ["en", "uk", "uk", "und"]
    assert [p["language"] for p in lib.report(mixed)["page_list"]] == ["en", "uk", "uk", "und"]
    # The facet counts pages (a query is stemmed by every language's rules, so the Russian
    # report's "переговорах" is found too), and leaves `und` out.
    result = lib.search("переговори", facets=True, per_report=0)
    assert {f["value"]: f["count"] for f in result.facets["lang"]} == {"uk": 3, "ru": 1}
    result = lib.search("ministry OR 345", facets=True, per_report=0)
    assert sorted((h.report_id, h.page) for h in result.hits) == [(mixed, 1), (mixed, 4)]
    assert {f["value"]: f["count"] for f in result.facets["lang"]} == {"en": 1}
    english = lib.search("negotiation", filters=Filters(lang=["en"]), per_report=0)
    assert [(h.report_id, h.page) for h in english.hits] == [(mixed, 1)]


def test_chinese_is_found_and_cited(lib: Library) -> None:
    hits = lib.search("季度报告").hits
    assert [h.report_id for h in hits] == [report_id(lib, "chinese")]
    assert "季度报告" in hits[0].snippet


def test_the_web_marks_each_snippet_with_its_page_language(lib: Library) -> None:
    app = create_app(lib.settings)
    client = app.test_client()
    page = client.get("/search?q=季度报告").get_data(as_text=True)
    assert '<p class="snippet" lang="zh">' in page  # browsers pick Chinese glyph forms by it
    mixed = report_id(lib, "mixed")
    got = client.get(f"/api/reports/{mixed}/pages/4").get_json()
    assert got["language"] == "und"
    hits = client.get("/api/search?q=ministry&lang=en").get_json()["hits"]
    assert [(h["report_id"], h["page"]) for h in hits] == [(mixed, 1)]
