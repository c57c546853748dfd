"""One writer at a time per data folder: the flock() every ingest, rebuild, sync and backup
holds on DATA/write.lock, whatever the search engine."""

from __future__ import annotations

import fcntl
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import Busy

WRITE_LOCK = "write.lock"
# Which lock files this thread holds, so that a writer calling another writer's code (an ingest
# syncing the index) does not wait for itself. flock() locks of two descriptors conflict even
# within one process, so other threads of this process wait like other processes do.
_held = threading.local()


def _say_waiting(message: str) -> None:
    # The one message a waiting writer gives: it may wait for minutes, and must not look hung.
    print(message, file=sys.stderr, flush=True)


class WriteLock:
    """One writer at a time per data folder: an ingest, a rebuild or a sync holds an exclusive
    flock() on DATA/write.lock for its whole run, in the CLI and the server alike.

    The kernel drops the lock when its holder dies, so a killed writer never leaves it behind.
    Readers never take it.
    """

    def __init__(self, data: Path) -> None:
        self.path = Path(data) / WRITE_LOCK

    @contextmanager
    def hold(
        self, timeout: float | None = None, *, notice: Callable[[str], None] | None = _say_waiting
    ) -> Iterator[None]:
        """Hold the lock for the block, waiting up to `timeout` seconds (None or inf: as long as
        needed; 0: not at all) and telling `notice` once that we wait.

        Raises Busy when the timeout passes. Re-entering it in the thread that holds it is free.
        """
        held: set[str] = _held.__dict__.setdefault("paths", set())
        key = str(self.path.resolve())
        if key in held:
            yield
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            self._acquire(fd, timeout, notice)
            held.add(key)
            try:
                yield
            finally:
                held.discard(key)
                fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)

    def _acquire(
        self, fd: int, timeout: float | None, notice: Callable[[str], None] | None
    ) -> None:
        deadline = None if timeout is None else time.monotonic() + timeout
        told = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                pass
            if deadline is not None and time.monotonic() >= deadline:
                raise Busy(
                    f"another ingest, rebuild or server is writing to {self.path.parent};"
                    " nothing was changed; try again later (or give a longer --lock-timeout)"
                )
            if not told and notice is not None and timeout != 0:
                notice(f"waiting for another writer to finish with {self.path.parent} ...")
                told = True
            time.sleep(0.1)
