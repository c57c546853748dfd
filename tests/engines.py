"""The engines the contract tests run on (tests/test_search.py, tests/test_facets.py): each
test gets a fresh index of every engine in ENGINES, opened by `open_engine` as the library
opens it, and may assert only what every engine must do.

Test modules load the fixtures with `pytest_plugins = ["tests.engines"]`.

OpenSearch joins ENGINES when INDEXER_TEST_OPENSEARCH names the nodes of a cluster
(comma-separated URLs, e.g. http://127.0.0.1:9201 from scripts/opensearch-cluster.sh). Each
engine gets an index of its own, named after its folder, deleted when the test module ends.
Under CI=true the OpenSearch tests run even without the variable, and fail: CI must not pass by
skipping them.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from indexer import engine as engine_mod
from indexer.config import Settings
from indexer.engine import SearchEngine, open_engine
from indexer.models import SearchOptions, SearchResult

OPENSEARCH_URLS = os.environ.get("INDEXER_TEST_OPENSEARCH", "")
IN_CI = os.environ.get("CI", "").lower() == "true"
ENGINES = ["whoosh", *(["opensearch"] if OPENSEARCH_URLS or IN_CI else [])]
_indices: list[Settings] = []  # the OpenSearch indices this module's engines made


def engine_settings(folder: Path, name: str) -> Settings:
    """The settings of an engine `name` over the data folder `folder`."""
    if name != "opensearch":
        return Settings(data=Path(folder), engine=name)
    if not OPENSEARCH_URLS:
        pytest.fail(
            "CI=true, but INDEXER_TEST_OPENSEARCH is not set: the OpenSearch tests must run in "
            "CI (scripts/opensearch-cluster.sh start, then INDEXER_TEST_OPENSEARCH=http://127.0."
            "0.1:9201)"
        )
    digest = hashlib.sha1(str(Path(folder).resolve()).encode()).hexdigest()[:16]
    return Settings(
        data=Path(folder),
        engine=name,
        opensearch_url=OPENSEARCH_URLS,
        opensearch_index=f"indexer-test-{digest}",
    )


def register(settings: Settings) -> Settings:
    """`settings`, whose OpenSearch indices are deleted when the test module ends."""
    if settings.engine == "opensearch" and settings not in _indices:
        _indices.append(settings)
    return settings


def new_engine(folder: Path, name: str) -> SearchEngine:
    """An engine `name` over a data folder `folder` (empty, or as a previous one left it)."""
    return open_engine(register(engine_settings(folder, name)))


def drop_indices(settings: Settings) -> None:
    """Delete the OpenSearch alias of `settings` and every index built for it."""
    from opensearchpy import OpenSearch

    client = OpenSearch(settings.opensearch_url.split(","))
    try:
        client.indices.delete(
            index=f"{settings.opensearch_index}--*", params={"expand_wildcards": "all"}
        )
    finally:
        client.close()


@pytest.fixture(scope="module", autouse=True)
def _drop_test_indices() -> Iterator[None]:
    """The OpenSearch indices made during a test module, deleted when it ends."""
    yield
    while _indices:
        drop_indices(_indices.pop())


def search(engine: SearchEngine, query: str, **options: object) -> SearchResult:
    """A user's query on `engine`, as the library runs it (options: SearchOptions' fields)."""
    return engine_mod.search(engine, query, SearchOptions(**options))  # type: ignore[arg-type]


@pytest.fixture(scope="module", params=ENGINES)
def engine_name(request: pytest.FixtureRequest) -> str:
    """Each engine in turn (a module's tests run once per engine)."""
    return str(request.param)


@pytest.fixture
def make_engine(engine_name: str) -> Iterator[Callable[[Path], SearchEngine]]:
    """A factory of engines of this run's kind over given folders, closed afterwards."""
    opened: list[SearchEngine] = []

    def make(folder: Path) -> SearchEngine:
        opened.append(new_engine(folder, engine_name))
        return opened[-1]

    yield make
    for engine in opened:
        engine.close()
