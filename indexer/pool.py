"""A small pool of objects that one thread at a time may use: the index's searchers.

Engine readers keep file positions and decompression state, so a reader shared between threads
corrupts what each of them reads. The pool hands each caller an object of its own for the length
of a `with` block and takes it back afterwards; opening one per search would cost more than the
search itself. Objects that went stale (the index changed) or that failed are closed, and at
most `idle_max` are kept idle, so memory and open files stay bounded however many threads come
and go.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Generic, TypeVar

T = TypeVar("T")
log = logging.getLogger(__name__)


class Pool(Generic[T]):
    """Objects made by `open_`, handed out one caller at a time while `is_current` holds."""

    def __init__(
        self,
        open_: Callable[[], T],
        *,
        is_current: Callable[[T], bool],
        close: Callable[[T], None],
        idle_max: int = 8,
    ) -> None:
        self._open = open_
        self._is_current = is_current
        self._close = close
        self._idle_max = idle_max
        self._idle: list[T] = []
        self._lock = threading.Lock()

    @contextmanager
    def checkout(self, *, fresh: bool = False) -> Iterator[T]:
        """An object for this caller alone until the block ends.

        An idle object is reused if it is still current; otherwise a new one is opened. With
        `fresh`, every idle object is closed first and a new one is opened. An object whose
        block raised is closed, not handed out again.
        """
        item: T | None = None
        with self._lock:
            if fresh:
                stale, self._idle = self._idle, []
            else:
                stale = []
                item = self._idle.pop() if self._idle else None
        for old in stale:
            self._discard(old)
        if item is not None and not self._is_current(item):
            self._discard(item)
            item = None
        if item is None:
            item = self._open()
        ok = False
        try:
            yield item
            ok = True
        finally:
            self._give_back(item, ok)

    def _give_back(self, item: T, ok: bool) -> None:
        with self._lock:
            keep = ok and len(self._idle) < self._idle_max
            if keep:
                self._idle.append(item)
        if not keep:
            self._discard(item)

    def _discard(self, item: T) -> None:
        # An object that failed may fail again while closing; it is dropped either way.
        try:
            self._close(item)
        except Exception as exc:
            log.debug("closing a pooled object failed: %r", exc)

    def idle(self) -> int:
        """How many objects wait in the pool."""
        with self._lock:
            return len(self._idle)

    def close(self) -> None:
        """Close the idle objects (objects in use are kept until they are handed back)."""
        with self._lock:
            idle, self._idle = self._idle, []
        for item in idle:
            self._discard(item)
