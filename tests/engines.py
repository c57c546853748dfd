"""The engines the contract tests run on (tests/test_search.py, tests/test_facets.py): each
test gets a fresh index of every engine in ENGINES, opened by `open_engine` as the library
opens it, and may assert only what every engine must do.

Test modules load the fixtures with `pytest_plugins = ["tests.engines"]`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from indexer import engine as engine_mod
from indexer.config import Settings
from indexer.engine import SearchEngine, open_engine
from indexer.models import SearchOptions, SearchResult

ENGINES = ["whoosh"]


def new_engine(folder: Path, name: str) -> SearchEngine:
    """An engine `name` over a data folder `folder` (empty, or as a previous one left it)."""
    return open_engine(Settings(data=Path(folder), engine=name))


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
