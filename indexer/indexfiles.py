"""The index's files on disk, below Whoosh: the one-writer lock of a data folder, builds swapped
in by a symlink, and a checksum file beside each segment.

Nothing here knows Whoosh's formats: segment files are recognised by their names only.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import sys
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import Busy

INDEX_NAME = "MAIN"
WRITE_LOCK = "write.lock"
# A rebuild fills DIR.build-XXXX beside the index DIR, then points DIR (a symlink) at it.
BUILD_MARK = ".build-"
# Beside each segment, the size and CRC-32 of its files, written at commit and checked at open.
# Whoosh deletes it with its segment (it matches Whoosh's segment file names).
SUMS_EXT = ".sums"


def _segment_files(directory: Path) -> dict[str, list[Path]]:
    """The files of each segment in `directory` (checksum files left out), by segment id."""
    found: dict[str, list[Path]] = {}
    prefix = f"{INDEX_NAME}_"
    for path in directory.iterdir():
        if path.name.startswith(prefix) and "." in path.name and path.suffix != SUMS_EXT:
            found.setdefault(path.name.split(".", 1)[0], []).append(path)
    return found


def _sums(files: Iterable[Path]) -> dict[str, list[int]]:
    sums = {}
    for path in sorted(files):
        crc = 0
        with path.open("rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                crc = zlib.crc32(chunk, crc)
        sums[path.name] = [path.stat().st_size, crc]
    return sums


def record_checksums(directory: Path) -> None:
    """Write the checksum file of every segment that has none (the ones just committed).

    Segment files never change once committed, so a sum written once stays true. A crash
    before this leaves a segment without sums: it is read unchecked, not called damaged.
    """
    for segment_id, files in _segment_files(directory).items():
        target = directory / f"{segment_id}{SUMS_EXT}"
        if files and not target.exists():
            temp = directory / f".{segment_id}{SUMS_EXT}.tmp"
            temp.write_text(json.dumps(_sums(files)))
            os.replace(temp, target)


def verify_checksums(directory: Path, segment_id: str) -> None:
    """Raise ValueError when a file of the segment differs from its recorded size or CRC-32."""
    target = directory / f"{segment_id}{SUMS_EXT}"
    if not target.exists():
        return
    recorded = json.loads(target.read_text())
    files = [directory / name for name in recorded]
    if _sums(files) != recorded:
        raise ValueError(f"segment {segment_id} does not match its checksums")


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


def point_at(directory: Path, staged: Path) -> None:
    """Make `directory` a symlink to `staged` and remove what it was."""
    link = directory.parent / f"{directory.name}.swap"
    link.unlink(missing_ok=True)
    os.symlink(staged.name, link)
    old: Path | None = None
    if directory.is_symlink():
        old = directory.parent / os.readlink(directory)
    elif directory.exists():
        # An index from before builds beside: moved aside first, the one moment with no index.
        old = directory.parent / f"{directory.name}{BUILD_MARK}old"
        shutil.rmtree(old, ignore_errors=True)
        directory.rename(old)
    os.replace(link, directory)
    if old is not None and old.resolve() != staged.resolve():
        # Readers that still have its files open keep reading them until they close.
        shutil.rmtree(old, ignore_errors=True)
