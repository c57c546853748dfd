"""Many PDFs extracted in parallel, each in a worker process that can be killed: a file that
hangs, needs more memory than INDEXER_WORKER_MEMORY_MB or kills its worker fails alone, with its
reason, and the run goes on. Workers send their log records to the parent.
"""

from __future__ import annotations

import gc
import logging
import multiprocessing
import resource
import signal
from collections.abc import Generator, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, wait
from logging.handlers import QueueHandler, QueueListener
from pathlib import Path
from typing import Any

import pebble

from .errors import DAMAGED, MEMORY_LIMIT, TIMEOUT, ExtractionError
from .extract import MAX_CONTENT_MB, extract
from .models import Document

log = logging.getLogger(__name__)


def extract_all(
    paths: Iterable[Path],
    *,
    workers: int = 2,
    timeout: float = 120.0,
    memory_mb: int = 0,
    max_content_mb: int = MAX_CONTENT_MB,
) -> Generator[tuple[Path, Document | ExtractionError], None, None]:
    """Extract many files in worker processes, yielding (path, Document or error) as each ends.

    Results come in completion order. A file that takes longer than `timeout` seconds, that
    needs more than `memory_mb` MB in its worker (0: no cap), or whose worker dies, yields an
    ExtractionError; nothing is raised. At most 2 * workers + 2 files are in flight, so a huge
    folder costs no memory; the pool is stopped when the caller stops.
    Workers are spawned, so a script calling this needs the `if __name__ == "__main__":` guard.
    """
    # spawn, not fork: forking a process that runs threads (pebble's own, a web server's) can
    # deadlock, and Python 3.12+ warns about it.
    context = multiprocessing.get_context("spawn")
    logs: Any = context.Queue()
    listener = QueueListener(logs, _Forward())
    listener.start()
    workers = max(1, workers)
    pool = pebble.ProcessPool(
        workers, initializer=_init_worker, initargs=(logs, memory_mb), context=context
    )
    pending: dict[Future[Document], Path] = {}
    todo = iter(paths)
    try:
        while True:
            for path in todo:
                task = pool.schedule(_extract_task, args=(path, max_content_mb), timeout=timeout)
                pending[task] = path
                if len(pending) >= 2 * workers + 2:
                    break
            if not pending:
                break
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                yield pending.pop(future), _outcome(future, timeout)
    finally:
        pool.stop()  # kills workers still busy when the caller stopped early or was interrupted
        pool.join()
        listener.stop()
        logs.close()


def _outcome(future: Future[Document], timeout: float) -> Document | ExtractionError:
    """The Document a finished task returned, or the ExtractionError that stands for its failure."""
    try:
        return future.result()
    except TimeoutError:
        return ExtractionError(f"timed out after {timeout:g} s", TIMEOUT)
    except pebble.ProcessExpired as e:
        # pypdf is pure Python, so a worker that dies was almost always killed for memory: an
        # allocation failed where Python could not raise MemoryError, or the kernel's OOM killer.
        crashed = e.exitcode in (-signal.SIGSEGV, -signal.SIGBUS)
        return ExtractionError(
            f"extraction process died: {e}", DAMAGED if crashed else MEMORY_LIMIT
        )
    except ExtractionError as e:
        return e
    except MemoryError:
        return ExtractionError("out of memory while extracting", MEMORY_LIMIT)
    except Exception as e:
        return ExtractionError(f"extraction failed: {type(e).__name__}: {e}")


def _extract_task(path: Path, max_content_mb: int) -> Document:
    """extract() in a worker: running out of memory fails this file, not the worker."""
    try:
        return extract(path, max_content_mb=max_content_mb)
    except MemoryError:
        pass  # raise outside the handler, once the frames holding the memory are gone
    gc.collect()
    limit = resource.getrlimit(resource.RLIMIT_AS)[0]
    cap = f"{limit >> 20} MB" if limit != resource.RLIM_INFINITY else "the machine's memory"
    raise ExtractionError(
        f"needs more memory than the worker may use ({cap}, INDEXER_WORKER_MEMORY_MB)",
        MEMORY_LIMIT,
    )


def _init_worker(logs: Any, memory_mb: int) -> None:
    """In a worker: send this package's log records to the parent instead of stderr, and cap
    the worker's address space at `memory_mb` MB (0: no cap), so a decompression bomb raises
    MemoryError in this file's task instead of exhausting the machine."""
    package = logging.getLogger("indexer")
    package.handlers[:] = [QueueHandler(logs)]
    package.setLevel(logging.DEBUG)
    package.propagate = False
    if memory_mb > 0:
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        limit = memory_mb << 20 if hard == resource.RLIM_INFINITY else min(memory_mb << 20, hard)
        try:
            resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
        except (ValueError, OSError) as e:
            log.warning("cannot cap extraction workers at %d MB: %s", memory_mb, e)


class _Forward(logging.Handler):
    """In the parent: hand a worker's log record to the logger of the same name."""

    def emit(self, record: logging.LogRecord) -> None:
        logger = logging.getLogger(record.name)
        if logger.isEnabledFor(record.levelno):
            logger.handle(record)
