"""Many PDFs extracted in parallel, each in a worker process that can be killed: a file that
hangs, needs more memory than INDEXER_WORKER_MEMORY_MB or kills its worker fails alone, with its
reason, and the run goes on. Workers send their log records to the parent.
"""

from __future__ import annotations

import copy
import gc
import logging
import multiprocessing
import os
import resource
import signal
from collections.abc import Generator, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass, field
from logging.handlers import QueueHandler, QueueListener
from pathlib import Path
from typing import Any, TypeVar

import pebble

from . import ocr as ocr_mod
from .errors import DAMAGED, MEMORY_LIMIT, TIMEOUT, ExtractionError
from .extract import MAX_CONTENT_MB, extract
from .models import PYPDF, Document
from .ocr import OcrText

log = logging.getLogger(__name__)
R = TypeVar("R")
# Of a page's time limit, the share Tesseract may take: it is stopped by its own timeout,
# before the worker is killed (which would leave the tesseract program running).
OCR_SHARE = 0.9


@dataclass
class _Reading:
    """A file whose pages are being OCR'd: its Document and what has come back so far."""

    doc: Document
    left: int
    found: list[OcrText] = field(default_factory=list)


def extract_all(
    paths: Iterable[Path],
    *,
    workers: int = 2,
    timeout: float = 120.0,
    memory_mb: int = 0,
    max_content_mb: int = MAX_CONTENT_MB,
    ocr_langs: str | None = None,
    extractor: str = PYPDF,
) -> Generator[tuple[Path, Document | ExtractionError], None, None]:
    """Extract many files in worker processes, yielding (path, Document or error) as each ends.

    Results come in completion order. A file that takes longer than `timeout` seconds, that
    needs more than `memory_mb` MB in its worker (0: no cap), or whose worker dies, yields
    an ExtractionError; nothing is raised. `extractor` reads first (see `extract`). With
    `ocr_langs` (INDEXER_OCR_LANGS; None: no OCR), the pages of a file that no extractor
    could read are then OCR'd, each page a task of its own under the same limits (a page
    that fails keeps its text, and is logged); the file is yielded when all its pages are
    back.
    At most 2 * workers + 2 tasks are in flight before a new file is started, so a huge
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
    pending: dict[Future[Any], tuple[Path, int]] = {}  # page 0: the file's extraction
    reading: dict[Path, _Reading] = {}
    todo = iter(paths)
    try:
        while True:
            while len(pending) < 2 * workers + 2:
                path = next(todo, None)
                if path is None:
                    break
                task_args = (path, max_content_mb, extractor)
                task = pool.schedule(_extract_task, args=task_args, timeout=timeout)
                pending[task] = (path, 0)
            if not pending:
                break
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                path, number = pending.pop(future)
                if number == 0:
                    result = _outcome(future, timeout)
                    unread = _unread(result) if ocr_langs is not None else []
                    if not unread:
                        yield path, result
                        continue
                    assert isinstance(result, Document) and ocr_langs is not None
                    langs = ocr_mod.languages(ocr_langs, result)
                    reading[path] = _Reading(result, len(unread))
                    for n in unread:
                        args = (path, n, langs, timeout * OCR_SHARE)
                        pending[pool.schedule(_ocr_task, args=args, timeout=timeout)] = (path, n)
                    continue
                entry = reading[path]
                entry.left -= 1
                page = _outcome(future, timeout)
                if isinstance(page, ExtractionError):
                    log.warning("%s: page %d: OCR failed: %s", path.name, number, page)
                else:
                    entry.found.append(page)
                if entry.left == 0:
                    del reading[path]
                    yield path, _read_by_ocr(path, entry)
    finally:
        pool.stop()  # kills workers still busy when the caller stopped early or was interrupted
        pool.join()
        listener.stop()
        logs.close()


def _unread(result: Document | ExtractionError) -> list[int]:
    """The pages of an extracted file that OCR should read (none of a failed one)."""
    return ocr_mod.unread_pages(result) if isinstance(result, Document) else []


def _read_by_ocr(path: Path, entry: _Reading) -> Document:
    """The Document with the text OCR read on its pages, derived again (in this process: on
    an error there, the Document as the extractors left it)."""
    seconds = sum(page.seconds for page in entry.found)
    log.info("%s: OCR read %d pages in %.1f s", path.name, len(entry.found), seconds)
    try:
        return ocr_mod.take(copy.deepcopy(entry.doc), entry.found, path.stem)
    except Exception as e:  # a bug in deriving the pages must not stop the whole ingest
        log.warning("%s: the text OCR read could not be used: %r", path.name, e)
        return entry.doc


def _outcome(future: Future[R], timeout: float) -> R | ExtractionError:
    """What a finished task returned, or the ExtractionError that stands for its failure."""
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


def _extract_task(path: Path, max_content_mb: int, extractor: str) -> Document:
    """extract() in a worker: running out of memory fails this file, not the worker."""
    try:
        return extract(path, max_content_mb=max_content_mb, extractor=extractor)
    except MemoryError:
        pass  # raise outside the handler, once the frames holding the memory are gone
    gc.collect()
    limit = resource.getrlimit(resource.RLIMIT_AS)[0]
    cap = f"{limit >> 20} MB" if limit != resource.RLIM_INFINITY else "the machine's memory"
    raise ExtractionError(
        f"needs more memory than the worker may use ({cap}, INDEXER_WORKER_MEMORY_MB)",
        MEMORY_LIMIT,
    )


def _ocr_task(path: Path, number: int, langs: str, timeout: float) -> OcrText:
    """OCR of one page in a worker (Tesseract inherits the worker's memory cap)."""
    return ocr_mod.read_page(path, number, langs, timeout)


def _init_worker(logs: Any, memory_mb: int) -> None:
    """In a worker: send this package's log records to the parent instead of stderr, and cap
    the worker's address space at `memory_mb` MB (0: no cap), so a decompression bomb raises
    MemoryError in this file's task instead of exhausting the machine. Tesseract, started by
    OCR tasks, inherits the cap, and uses one core (OMP_THREAD_LIMIT=1)."""
    os.environ["OMP_THREAD_LIMIT"] = "1"
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
