"""PDF file -> Document: page texts, printed page labels, quality flags and metadata.

pypdf lives here and nowhere else. A file that cannot be read at all raises ExtractionError
with the reason; trouble pypdf recovers from (broken xref tables, junk before the header) is
counted in Document.warnings and logged as one line per file, never printed.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import re
import unicodedata
import warnings
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, wait
from contextlib import contextmanager
from datetime import datetime
from logging.handlers import QueueHandler, QueueListener
from pathlib import Path
from typing import Any

import pebble
from pypdf import PasswordType, PdfReader

from indexer.errors import ExtractionError
from indexer.labels import assign_labels, heading_title, is_junk_author, is_junk_title
from indexer.language import detect_language
from indexer.models import OK, Document, Page
from indexer.normalize import classify_quality
from indexer.pagetext import derive_pages
from indexer.publishers import guess_publisher
from indexer.textforms import display_text

log = logging.getLogger(__name__)

HEADER_WINDOW = 64 * 1024  # how far into a file we look for "%PDF" (some tools prepend junk)


def extract(path: Path) -> Document:
    """Read one PDF into a Document; raise ExtractionError when it cannot be read at all."""
    path = Path(path)
    with _captured_pypdf_warnings() as captured:
        reader = _open(path)
        raw_pages = _page_texts(reader, path)
        pdf_labels = _declared_labels(reader)
        doc = Document(pages=[])
        _read_metadata(reader, doc)
    if captured:
        log.info("%s: %d pypdf warnings, first: %s", path.name, len(captured), captured[0])

    labels = assign_labels(pdf_labels, raw_pages)
    # The imprint is often in a margin, which the display text leaves out: look at all of it.
    edges = [display_text(raw_pages[0]), display_text(raw_pages[-1])] if raw_pages else []
    doc.publisher = doc.publisher or guess_publisher(edges)
    derived = derive_pages(raw_pages, doc.publisher)
    for number, (raw, label, page) in enumerate(zip(raw_pages, labels, derived, strict=True), 1):
        doc.pages.append(
            Page(
                number, page.text, label=label, quality=classify_quality(raw), raw=raw,
                margins=page.margins, body_end=page.body_end, spaced=page.spaced,
            )
        )  # fmt: skip
    doc.language = detect_language(p.text for p in doc.pages if p.quality == OK)
    if doc.title is None and doc.pages and doc.pages[0].quality == OK:
        doc.title = heading_title(raw_pages[0])
    doc.title = doc.title or path.stem
    doc.warnings = len(captured)
    return doc


def _open(path: Path) -> PdfReader:
    """A PdfReader on a decrypted file, or ExtractionError saying why there is none."""
    try:
        with path.open("rb") as f:
            head = f.read(HEADER_WINDOW)
    except OSError as e:
        raise ExtractionError(f"cannot be opened: {e.strerror or e}") from e
    if not head:
        raise ExtractionError("empty file")
    if b"%PDF" not in head:
        raise ExtractionError("not a PDF (no %PDF header)")
    try:
        reader = PdfReader(path, strict=False)
        if reader.is_encrypted and reader.decrypt("") == PasswordType.NOT_DECRYPTED:
            raise ExtractionError("encrypted: a password is required to open it")
        if len(reader.pages) == 0:
            raise ExtractionError("cannot be read: no pages found")
    except ExtractionError:
        raise
    except Exception as e:  # pypdf raises many kinds on broken files; all mean "unreadable"
        raise ExtractionError(f"cannot be read: {e or type(e).__name__}") from e
    return reader


def _page_texts(reader: PdfReader, path: Path) -> list[str]:
    """The raw text of every page; a page that fails gives "" so the rest still counts."""
    texts = []
    for number, page in enumerate(reader.pages, start=1):
        try:
            texts.append(page.extract_text())
        except Exception as e:  # one bad content stream must not cost the whole file
            log.warning("%s: page %d: text extraction failed: %s", path.name, number, e)
            texts.append("")
    return texts


def _declared_labels(reader: PdfReader) -> list[str] | None:
    """The /PageLabels of the PDF, or None when it declares none.

    pypdf invents "1", "2", ... when there are none, which would hide printed folios.
    """
    try:
        return list(reader.page_labels) if "/PageLabels" in reader.root_object else None
    except Exception as e:
        log.debug("unreadable /PageLabels: %s", e)
        return None


def _read_metadata(reader: PdfReader, doc: Document) -> None:
    """Fill title, author, subject, publisher and creation date from the info dict and XMP."""
    info: dict[str, Any] = {}
    xmp: Any = None
    try:  # a broken info dict or XMP packet costs us metadata, not the file
        meta: Any = reader.metadata or {}
        info = {key: meta[key] for key in meta}  # indexing resolves indirect objects
    except Exception as e:
        log.debug("unreadable document info: %s", e)
    try:
        xmp = reader.xmp_metadata
    except Exception as e:
        log.debug("unreadable XMP metadata: %s", e)
    raw = {"info": {k: v for k, v in info.items() if isinstance(v, str)}, "xmp": _xmp_raw(xmp)}
    # Plain JSON values: pypdf's string subclasses do not cross to the parent process.
    doc.raw_meta = json.loads(json.dumps(raw, ensure_ascii=False))
    xmp_title = _xmp(xmp, "dc_title")
    titles = [info.get("/Title"), *(xmp_title.values() if isinstance(xmp_title, dict) else [])]
    authors = [info.get("/Author"), *(_xmp(xmp, "dc_creator") or [])]
    doc.title = next((t for t in map(_clean, titles) if t and not is_junk_title(t)), None)
    doc.author = next((a for a in map(_clean, authors) if a and not is_junk_author(a)), None)
    doc.subject = _clean(info.get("/Subject"))
    doc.publisher = _clean("; ".join(_xmp(xmp, "dc_publisher") or []))
    doc.created = _pdf_date(info.get("/CreationDate")) or _xmp_date(xmp)


def _xmp_raw(xmp: Any) -> dict[str, Any]:
    """The XMP properties the metadata record uses, as plain JSON values."""
    if xmp is None:
        return {}
    title, description = _xmp(xmp, "dc_title"), _xmp(xmp, "dc_description")
    created = _xmp(xmp, "xmp_create_date")
    return {
        "title": [str(t) for t in title.values()] if isinstance(title, dict) else [],
        "creator": [str(c) for c in _xmp(xmp, "dc_creator") or []],
        "publisher": [str(p) for p in _xmp(xmp, "dc_publisher") or []],
        "description": next(iter(description.values()), None)
        if isinstance(description, dict) else None,
        "date": [_iso(d) for d in _xmp(xmp, "dc_date") or [] if d],
        "created": _iso(created) if created else None,
    }  # fmt: skip


def _iso(value: object) -> str:
    return value.strftime("%Y-%m-%d") if isinstance(value, datetime) else str(value)


def _xmp(xmp: Any, attribute: str) -> Any:
    """One XMP property, or None when absent or unparsable."""
    try:
        return getattr(xmp, attribute, None)
    except Exception as e:
        log.debug("unreadable XMP %s: %s", attribute, e)
        return None


def _clean(value: object) -> str | None:
    """A metadata string in NFKC with whitespace collapsed, or None when there is none."""
    text = " ".join(unicodedata.normalize("NFKC", value).split()) if isinstance(value, str) else ""
    return text or None


# "D:20260417155954-04'00'": year, then month and day when present and in range.
_PDF_DATE = re.compile(r"(?:D:)?\s*((?:19|20)\d\d)(0[1-9]|1[0-2])?(0[1-9]|[12]\d|3[01])?")


def _pdf_date(value: object) -> str | None:
    """A PDF date string as ISO 'YYYY-MM-DD', 'YYYY-MM' or 'YYYY'."""
    m = _PDF_DATE.match(value) if isinstance(value, str) else None
    return "-".join(part for part in m.groups() if part) if m else None


def _xmp_date(xmp: Any) -> str | None:
    """The XMP creation date (xmp:CreateDate, else dc:date) as ISO 'YYYY-MM-DD'."""
    for value in (_xmp(xmp, "xmp_create_date"), *(_xmp(xmp, "dc_date") or [])):
        if isinstance(value, datetime) and 1900 <= value.year < 2100:
            return value.strftime("%Y-%m-%d")
    return None


@contextmanager
def _captured_pypdf_warnings() -> Iterator[list[str]]:
    """Collect what pypdf logs or warns while reading, instead of letting it reach the user."""
    captured: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            captured.append(record.getMessage())

    pypdf_log = logging.getLogger("pypdf")
    saved = pypdf_log.level, pypdf_log.propagate
    handler = Collect(logging.WARNING)
    pypdf_log.addHandler(handler)
    pypdf_log.setLevel(logging.WARNING)
    pypdf_log.propagate = False
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            yield captured
    finally:
        pypdf_log.removeHandler(handler)
        pypdf_log.setLevel(saved[0])
        pypdf_log.propagate = saved[1]
    captured.extend(str(w.message) for w in caught)


# --- many files in worker processes ---------------------------------------------------------


def extract_all(
    paths: Iterable[Path], *, workers: int = 2, timeout: float = 120.0
) -> Iterator[tuple[Path, Document | ExtractionError]]:
    """Extract many files in worker processes, yielding (path, Document or error) as each ends.

    Results come in completion order. A file that takes longer than `timeout` seconds, or whose
    worker dies, yields an ExtractionError; nothing is raised. At most 2 * workers + 2 files are
    in flight, so a huge folder costs no memory; the pool is stopped when the caller stops.
    Workers are spawned, so a script calling this needs the `if __name__ == "__main__":` guard.
    """
    # spawn, not fork: forking a process that runs threads (pebble's own, a web server's) can
    # deadlock, and Python 3.12+ warns about it.
    context = multiprocessing.get_context("spawn")
    logs: Any = context.Queue()
    listener = QueueListener(logs, _Forward())
    listener.start()
    workers = max(1, workers)
    pool = pebble.ProcessPool(workers, initializer=_init_worker, initargs=(logs,), context=context)
    pending: dict[Future[Document], Path] = {}
    todo = iter(paths)
    try:
        while True:
            for path in todo:
                pending[pool.schedule(extract, args=(path,), timeout=timeout)] = path
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
        return ExtractionError(f"timed out after {timeout:g} s")
    except pebble.ProcessExpired as e:
        return ExtractionError(f"extraction process crashed: {e}")
    except ExtractionError as e:
        return e
    except Exception as e:
        return ExtractionError(f"extraction failed: {type(e).__name__}: {e}")


def _init_worker(logs: Any) -> None:
    """In a worker: send this package's log records to the parent instead of stderr."""
    package = logging.getLogger("indexer")
    package.handlers[:] = [QueueHandler(logs)]
    package.setLevel(logging.DEBUG)
    package.propagate = False


class _Forward(logging.Handler):
    """In the parent: hand a worker's log record to the logger of the same name."""

    def emit(self, record: logging.LogRecord) -> None:
        logger = logging.getLogger(record.name)
        if logger.isEnabledFor(record.levelno):
            logger.handle(record)
