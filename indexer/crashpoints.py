"""Test-only crash points: places where a test can make the process die as a power cut would.

`crash_point("catalog.before_commit")` does nothing unless the environment variable
INDEXER_CRASH_AT names that point when this module is imported: `NAME` kills the process the
first time the point is reached, `NAME:N` the N-th time (counted in this process). The kill is
SIGKILL to ourselves, so no `finally`, `atexit` or buffered write runs, exactly as when the
machine loses power or the OOM killer strikes. `tests/test_crash_points.py` kills ingests at
random points and checks that the next run converges and that catalog and index agree.

Never set INDEXER_CRASH_AT outside tests. When it is unset a crash point costs one dict lookup.
"""

from __future__ import annotations

import os
import signal

ENV = "INDEXER_CRASH_AT"

# Every crash point in the code, with where it sits (the test draws its kills from these).
POINTS: dict[str, str] = {
    "ingest.after_extract": "a report came back from extraction, before the catalog saw it",
    "ingest.after_record": "a report and its files committed, its sidecar and record not yet",
    "ingest.before_sync": "the ingest's work is in the catalog, its final index sync not begun",
    "catalog.before_commit": "inside a catalog transaction, just before COMMIT",
    "catalog.after_commit": "just after a catalog transaction's COMMIT",
    "records.before_store": "a metadata record derived, before its transaction",
    "index.before_commit": "index documents added and deleted, before Whoosh's commit",
    "index.after_commit": "Whoosh committed, segment checksums not yet recorded",
}


def _parse(value: str) -> dict[str, int]:
    """{point: the time it is reached at which to die} from INDEXER_CRASH_AT's value."""
    if not value:
        return {}
    name, sep, count = value.rpartition(":")
    if sep and count.isdigit():
        return {name: int(count)}
    return {value: 1}


_TARGET = _parse(os.environ.get(ENV, "").strip())
_reached: dict[str, int] = {}


def crash_point(name: str) -> None:
    """Kill this process with SIGKILL if INDEXER_CRASH_AT names this point and reach count."""
    nth = _TARGET.get(name)
    if nth is None:
        return
    _reached[name] = _reached.get(name, 0) + 1
    if _reached[name] == nth:
        os.kill(os.getpid(), signal.SIGKILL)
