"""No query can reach the index's internal fields or hold the service (issue 9, defects 3 and 4).

Every bad query is a QueryError in the library, a 400 on the three search pages and exit 2 in
the CLI, full-width forms included; wildcard, fuzzy and range terms expand to a bounded number
of words; and a search over its time budget is stopped with a 503 and `Retry-After`, after
which searching works as before.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from click.testing import CliRunner
from flask import Flask
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from indexer.catalog import Catalog
from indexer.cli import cli
from indexer.config import Settings
from indexer.engine import parse_query as validate_query
from indexer.engine.whoosh import WhooshEngine
from indexer.engine.whoosh.index import PageIndex
from indexer.errors import QueryError, SearchTimeout
from indexer.ingest import rebuild
from indexer.library import Library
from indexer.models import Document, Page, Report
from indexer.queryparse import MAX_EXPANDED_TERMS
from indexer.web import create_app
from tests.engines import search
from tests.generated import fill_catalog

if TYPE_CHECKING:  # imported by pytest as a plugin, which must come first
    from tests.web_fixtures import Collection

pytest_plugins = ["tests.web_fixtures"]

# Internal fields (stored or facet-only), full-width colons and stars, bare wildcards, ranges on
# words, empty and unknown field names: none may run.
BAD_QUERIES = [
    "page_label:x",
    "path:x",
    "text:x",
    "path：x",  # full-width colon
    "text：x",
    "ｔｅｘｔ:x",  # full-width field name
    "doc_id:",
    "doc_id:x",
    "publisher_facet:",
    "publisher_facet:RAND",
    "tags_facet:x",
    "seam:x",
    "body:forces",
    "airborne x.path:y",  # a field name inside a word is still a field name to the parser
    "field:",
    "airborne title:",
    "title: airborne",
    "*",
    "＊",  # full-width asterisk
    "﹡",  # small asterisk
    "a＊",
    "？",  # full-width question mark
    "؟",  # Arabic question mark: a wildcard to Whoosh
    "*:*",
    "title:*",
    "[a TO z]",
    "{a TO z}",
    "［a TO z］",  # full-width brackets
    "title:[a TO z]",
    "airborne OR [a TO z]",
]
GOOD_QUERIES = [
    "airborne forces",
    "title:airborne",
    "year:[2020 TO 2030] airborne",
    "year:[2020 TO] airborne",
    "airb*",
    "airborn~",
    "meeting at 10:30",
    "see http://example.org/page",
    '"page_label: x" airborne',  # inside quotes a colon is text
    "ａｉｒｂｏｒｎｅ",  # full-width letters are the ASCII word
]


# --- the library ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def library(collection: Collection) -> Library:
    """A library over the session's web collection (read-only)."""
    return Library(collection.settings)


@pytest.mark.parametrize("query", BAD_QUERIES)
def test_bad_query_is_a_query_error(library: Library, query: str) -> None:
    with pytest.raises(QueryError):
        validate_query(query)
    with pytest.raises(QueryError):
        library.search(query, facets=True)


@pytest.mark.parametrize("query", BAD_QUERIES)
def test_bad_query_inside_a_report_is_a_query_error(
    library: Library, ids: dict[str, str], query: str
) -> None:
    with pytest.raises(QueryError):
        library.search(query, report_id=ids["airborne"], per_report=0, versions="all")


@pytest.mark.parametrize("query", GOOD_QUERIES)
def test_documented_syntax_still_runs(library: Library, query: str) -> None:
    validate_query(query)
    library.search(query, facets=True)


def test_messages_say_what_to_do(library: Library) -> None:
    with pytest.raises(QueryError, match="Unknown field 'page_label'.*title, author"):
        library.search("page_label:x")
    with pytest.raises(QueryError, match="Unknown field 'path'"):
        library.search("path：x")
    with pytest.raises(QueryError, match="nothing after it"):
        library.search("airborne title:")
    with pytest.raises(QueryError, match="at least 2 letters"):
        library.search("a＊")
    with pytest.raises(QueryError, match=r"only on the year: year:\[2010 TO 2020\]"):
        library.search("[a TO z]")


_QUERY_CHARS = st.sampled_from(
    list("ab :：*＊﹡?？؟~^\"'()[]{}（）［］-_./\\") + ["TO", "OR", "AND", "NOT", "year", "title"]
    + ["page_label", "path", "text", "doc_id", "publisher_facet", "10", "2020", "airborne"]
)  # fmt: skip


@given(st.lists(_QUERY_CHARS, max_size=12).map("".join))
@hsettings(max_examples=300, deadline=None)
def test_any_query_either_runs_or_is_a_query_error(library: Library, query: str) -> None:
    # Anything else (Whoosh's own exceptions) would be a 500 on the web and a traceback in the CLI.
    with contextlib.suppress(QueryError):
        library.search(query, facets=True)


# --- the web -------------------------------------------------------------------------------


@pytest.mark.parametrize("query", BAD_QUERIES)
def test_bad_query_is_400_on_every_search_page(app: Flask, ids: dict[str, str], query: str) -> None:
    client = app.test_client()
    api = client.get("/api/search", query_string={"q": query})
    assert api.status_code == 400, api.text[:300]
    assert api.json is not None and api.json["error"]["type"] == "query_error"
    page = client.get("/search", query_string={"q": query})
    assert page.status_code == 400 and page.mimetype == "text/html"
    inside = client.get(f"/reports/{ids['airborne']}", query_string={"q": query})
    assert inside.status_code == 400 and inside.mimetype == "text/html"
    scoped = client.get("/api/search", query_string={"q": query, "report": ids["airborne"]})
    assert scoped.status_code == 400


# --- the CLI -------------------------------------------------------------------------------


@pytest.mark.parametrize("query", BAD_QUERIES)
def test_bad_query_exits_2_in_the_cli(collection: Collection, query: str) -> None:
    args = ["--data", str(collection.settings.data), "search", query, "--json"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1
    assert json.loads(result.stdout)["error"]["type"] == "query_error"


# --- expansion cap -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def wide(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PageIndex]:
    """An index whose vocabulary has more words starting with "zq" than the cap allows."""
    index = WhooshEngine(tmp_path_factory.mktemp("wide"))
    words = [f"zq{n:05d}" for n in range(MAX_EXPANDED_TERMS + 200)]
    report = Report("wide", "/wide.pdf", "Many words", None, None, 2024)
    pages = [
        Page(n + 1, " ".join(words[n * 100 : n * 100 + 100])) for n in range(len(words) // 100)
    ]
    with index.writer() as w:
        w.add_report(report, pages)
    yield index
    index.close()


def test_a_wildcard_over_the_cap_says_to_narrow_it(wide: PageIndex) -> None:
    with pytest.raises(QueryError, match="too many words.*narrow it"):
        search(wide, "zq*")
    with pytest.raises(QueryError, match="too many words"):
        search(wide, "zq0*")  # all 1,200 words


def test_a_wildcard_at_the_cap_runs(wide: PageIndex) -> None:
    assert search(wide, "zq00*", per_report=0).total == MAX_EXPANDED_TERMS // 100


def test_a_wildcard_under_the_cap_finds_every_page_it_matches(wide: PageIndex) -> None:
    assert search(wide, "zq001*", per_report=0).total == 1  # zq00100..zq00199: page 2
    hit = search(wide, "zq0019*", per_report=0).hits[0]
    assert hit.page == 2 and len(hit.highlights) >= 1


def test_fuzzy_terms_count_against_the_cap(wide: PageIndex) -> None:
    assert search(wide, "zq00150~1").total >= 1
    with pytest.raises(QueryError, match="too many words"):
        search(wide, "zq00150~2 OR zq*")


def test_a_wildcard_over_the_cap_is_400_at_once_on_the_web(tmp_path: Path) -> None:
    settings = Settings(data=tmp_path / "data")
    words = [f"zq{n:05d}" for n in range(MAX_EXPANDED_TERMS + 200)]
    texts = [" ".join(words[n : n + 100]) for n in range(0, len(words), 100)]
    with Catalog(settings.catalog_path) as catalog, catalog.transaction():
        doc = Document(pages=[Page(p, t, raw=t) for p, t in enumerate(texts, 1)], title="Wide")
        catalog.put_report("a" * 16, "a" * 64, doc, "indexed")
        catalog.put_file("/wide.pdf", "a" * 16, 1, 1)
        catalog.settle("a" * 16)
    rebuild(settings)
    client = create_app(settings).test_client()
    for query in ("zq*", "zq00150~2 OR zq*"):
        api = client.get("/api/search", query_string={"q": query, "facets": "1"})
        assert api.status_code == 400, api.text[:300]
        assert api.json is not None and api.json["error"]["type"] == "query_error"
        assert "too many words" in api.json["error"]["message"]
    fine = client.get("/api/search", query_string={"q": "zq001*", "facets": "1"})
    assert fine.status_code == 200 and fine.json is not None and fine.json["total"] == 1


# --- the time budget -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def slow(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """A few thousand generated pages, with a budget no search over them can meet."""
    settings = Settings(data=tmp_path_factory.mktemp("slow") / "data", search_timeout_ms=1)
    fill_catalog(settings, 3000)
    return settings


BROAD = "report OR policy OR federal OR security"


def test_search_over_budget_is_a_timeout_then_search_works(slow: Settings) -> None:
    library = Library(slow)
    with pytest.raises(SearchTimeout, match="longer than 1 ms"):
        library.search(BROAD, facets=True)
    # The same index, its pool of searchers and the library answer normally afterwards.
    library.settings = replace(slow, search_timeout_ms=0)
    result = library.search(BROAD, facets=True)
    assert result.total > 1000 and result.hits and result.facets


@pytest.mark.parametrize(
    "options", [{}, {"facets": True}, {"sort": "date"}, {"per_report": 0}, {"offset": 30}]
)
def test_every_kind_of_search_keeps_the_budget(slow: Settings, options: dict) -> None:
    index = Library(slow).index
    with pytest.raises(SearchTimeout):
        search(index, BROAD, timeout_ms=1, **options)
    assert search(index, BROAD, timeout_ms=0, **options).hits


def test_timeout_is_503_with_retry_after_then_search_works(slow: Settings) -> None:
    app = create_app(slow)
    client = app.test_client()
    api = client.get("/api/search", query_string={"q": BROAD})
    assert api.status_code == 503
    assert api.headers["Retry-After"] == "1"
    assert api.json is not None and api.json["error"]["type"] == "timeout"
    page = client.get("/search", query_string={"q": BROAD})
    assert page.status_code == 503 and page.headers["Retry-After"] == "1"
    app.config["LIBRARY"].settings = replace(slow, search_timeout_ms=0)
    again = client.get("/api/search", query_string={"q": BROAD})
    assert again.status_code == 200 and again.json is not None and again.json["hits"]


def test_timeout_exits_1_in_the_cli(slow: Settings) -> None:
    args = ["--data", str(slow.data), "search", BROAD, "--json"]
    result = CliRunner().invoke(cli, args, env={"INDEXER_SEARCH_TIMEOUT_MS": "1"})
    assert result.exit_code == 1, result.output
    assert json.loads(result.stdout)["error"]["type"] == "timeout"
    result = CliRunner().invoke(cli, args, env={"INDEXER_SEARCH_TIMEOUT_MS": "0"})
    assert result.exit_code == 0 and json.loads(result.stdout)["hits"]


def test_search_timeout_setting_from_the_environment(tmp_path: Path) -> None:
    env = {"INDEXER_SEARCH_TIMEOUT_MS": "250"}
    assert Settings.from_env(env, data=tmp_path).search_timeout_ms == 250
    assert Settings.from_env({}, data=tmp_path).search_timeout_ms == 3000
