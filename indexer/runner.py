"""One background worker per data folder when several server processes share it.

`indexer serve --workers N` runs N processes (see `indexer.web.prefork`), each with its own
`UploadQueue`. Any of them may accept an upload, but only one may run the queue: two would
ingest one job twice, and would take turns on the write lock for nothing. The choice:

- **A runner elected by a lock, not a process of its own.** Every server process is a
  candidate: a thread that tries a non-blocking flock() on `DATA/runner.lock` every
  `ELECTION_S` seconds. The one that gets it runs the worker for the rest of its life and
  never lets go. When it dies (gunicorn restarts a worker that hung, ran out of memory or was
  killed), the kernel drops the lock and another candidate takes it within a second. A
  dedicated process started from gunicorn's master hooks would need the master to watch and
  restart it; the lock needs nothing from the server, and also keeps two pre-fork servers
  started by mistake on one data folder from both running jobs.
- **The queue is the catalog.** Jobs were already rows of the catalog (`jobs.py`), taken in a
  transaction; the runner polls for them every `POLL_S` seconds, as a process that accepts a
  job cannot wake a thread of another process. A job the dead runner had taken (`running`) is
  run again by the next one, as after a server restart, and an ingest of the same bytes is
  idempotent: one report, one job `done`.
- **Other requests are files.** A follow run or an index sync asked for in one process is a
  file under `DATA/requests/` that the runner takes (renames) when it starts the work and
  deletes when it is done; a follow run the dead runner had taken is taken again.

flock() locks belong to an open file, so the lock is taken per process, never per thread:
a single-process server (waitress, the tests) does not use this module at all and keeps its
worker thread in-process, as before.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from pathlib import Path

RUNNER_LOCK = "runner.lock"
REQUESTS = "requests"
ELECTION_S = 1.0  # how often a candidate tries to become the runner
POLL_S = 0.5  # how often the runner looks for jobs and requests of other processes


class RunnerLock:
    """The exclusive flock() on DATA/runner.lock that makes a process the runner."""

    def __init__(self, data: Path) -> None:
        self.path = Path(data) / RUNNER_LOCK
        self._fd: int | None = None

    def take(self) -> bool:
        """Try once, without waiting; True when this process holds the lock (from now on,
        until it exits). The holder's pid is written into the file, for whoever looks."""
        if self._fd is not None:
            return True
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self._fd = fd
        return True


class Request:
    """Work any process may ask the runner for: `DATA/requests/NAME` while asked, renamed to
    `NAME.taken` while the runner does it, deleted when done."""

    def __init__(self, data: Path, name: str) -> None:
        self.asked = Path(data) / REQUESTS / name
        self.taken = self.asked.with_name(name + ".taken")

    def ask(self) -> None:
        """Ask for the work (again, if it is under way: it is then done once more after)."""
        self.asked.parent.mkdir(parents=True, exist_ok=True)
        self.asked.touch()

    def take(self) -> bool:
        """The runner takes the request, if there is one; True when it must do the work."""
        try:
            os.replace(self.asked, self.taken)
        except FileNotFoundError:
            return False
        return True

    def done(self) -> None:
        """The work asked for before `take` is done."""
        with contextlib.suppress(FileNotFoundError):
            self.taken.unlink()

    def retake(self) -> None:
        """A new runner asks again for what a dead one had taken and not finished."""
        if self.taken.exists():
            self.ask()
            self.done()

    @property
    def pending(self) -> bool:
        """Whether the work was asked for and is not done yet."""
        return self.asked.exists() or self.taken.exists()
