"""One search's time budget: a deadline checked between the stages of a search and inside its
walks over matching pages, so that no stage runs on long after the budget is spent. Engines
check it; it knows nothing of any engine.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from typing import TypeVar

from .errors import SearchTimeout

T = TypeVar("T")


class Deadline:
    """The end of one search's time budget, checked between its stages and inside its walks
    over matching pages, so that no stage runs on long after the budget is spent.

    It is checked in the thread that searches: Whoosh's TimeLimitCollector, for one, sets a
    SIGALRM handler (only possible in the main thread, not in waitress's), and covers
    collection only, not counting or facets.
    """

    def __init__(self, ms: int) -> None:
        self.ms = ms
        self.at = time.monotonic() + ms / 1000 if ms > 0 else float("inf")

    def check(self) -> None:
        """Raise SearchTimeout if the budget is spent."""
        if time.monotonic() > self.at:
            raise SearchTimeout(
                f"The search took longer than {self.ms} ms and was stopped: try again, or "
                "narrow it (more words, fewer wildcards or fuzzy terms, a filter)."
            )

    def walk(self, items: Iterable[T]) -> Iterator[T]:
        """`items` (matching pages, expanded words…), checking the budget before each one."""
        for item in items:
            self.check()
            yield item
