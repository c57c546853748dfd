"""Concurrent searches on a collection of a few thousand pages: no errors, and every result is
the one a single thread gets, both through one shared `Library` and through the HTTP server."""

from __future__ import annotations

import json
import os
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from indexer.config import Settings
from indexer.library import Library
from tests.generated import fill_catalog
from tests.servers import indexer_server

PAGES = 2000
# These tests compare results under contention, not the time budget (tests/test_query_safety.py
# does that): 8-16 threads on 2 busy CI cores can push a search past the default 3 s budget.
BUDGET_MS = 120_000
QUERIES = [
    '"nuclear weapons"', '"seabed mining"', '"United States"', "memorial*", "Russia OR China",
    "tax brackets", "critical minerals", "airborne~", "defense NOT budget", "treat*",
]  # fmt: skip


@pytest.fixture(scope="session")
def big_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """A catalog of PAGES generated pages with the index built by `rebuild`."""
    data = tmp_path_factory.mktemp("big") / "data"
    settings = Settings(data=data, search_timeout_ms=BUDGET_MS)
    assert fill_catalog(settings, PAGES) == PAGES // 20
    return settings


def run(lib: Library, query: str) -> dict[str, Any]:
    return lib.search(query, limit=10, facets=True).to_dict()


@pytest.fixture(scope="session")
def expected(big_settings: Settings) -> dict[str, dict[str, Any]]:
    """Each query's result, searched by one thread alone."""
    lib = Library(big_settings)
    results = {q: run(lib, q) for q in QUERIES}
    assert all(r["hits"] and r["facets"]["publisher"] for r in results.values()), results
    return results


def in_threads(threads: int, work: Any) -> list[BaseException]:
    """Run work(n) in `threads` threads started together; returns what they raised."""
    errors: list[BaseException] = []
    start = threading.Barrier(threads)

    def body(n: int) -> None:
        try:
            start.wait(timeout=30)
            work(n)
        except BaseException as exc:  # collected for the caller's assertion
            errors.append(exc)

    pool = [threading.Thread(target=body, args=(n,)) for n in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join(timeout=300)
    assert not any(t.is_alive() for t in pool), "a search thread hung"
    return errors


def test_threads_sharing_one_library_get_the_single_threaded_results(big_settings, expected):
    lib = Library(big_settings)
    wrong: list[str] = []

    def searches(n: int) -> None:
        for i in range(50):
            query = QUERIES[(n + i) % len(QUERIES)]
            if run(lib, query) != expected[query]:
                wrong.append(query)

    assert in_threads(8, searches) == []
    assert wrong == []
    assert not lib.index.needs_rebuild


@pytest.fixture
def server(big_settings: Settings) -> Iterator[str]:
    """`indexer serve` (waitress) over the big collection; yields its base URL."""
    env = {**os.environ, "INDEXER_SEARCH_TIMEOUT_MS": str(BUDGET_MS)}
    with indexer_server(big_settings.data, env=env) as base:
        yield base


def test_concurrent_http_clients_get_the_single_threaded_results(server, expected):
    answers: list[tuple[str, int, dict[str, Any]]] = []

    def client(n: int) -> None:
        for i in range(10):
            query = QUERIES[(n + i) % len(QUERIES)]
            url = f"{server}/api/search?" + urllib.parse.urlencode({"q": query})
            try:
                with urllib.request.urlopen(url, timeout=120) as response:
                    answers.append((query, response.status, json.loads(response.read())))
            except urllib.error.HTTPError as e:
                answers.append((query, e.code, json.loads(e.read())))

    assert in_threads(16, client) == []
    assert len(answers) == 160
    assert [(q, s, a) for q, s, a in answers if s != 200] == []
    keys = ("total", "hits", "facets")
    wrong = [q for q, _, a in answers if {k: a[k] for k in keys} != {
        k: expected[q][k] for k in keys}]  # fmt: skip
    assert wrong == []
