"""PDF file -> Document: page texts, printed page labels, quality flags and metadata.

pypdf lives here and nowhere else. A file that cannot be read at all raises ExtractionError
with the reason; trouble pypdf recovers from (broken xref tables, junk before the header) is
counted in Document.warnings and logged as one line per file, never printed.
"""

from __future__ import annotations

import json
import logging
import re
import unicodedata
import warnings
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from pypdf import PageObject, PasswordType, PdfReader
from pypdf.errors import LimitReachedError
from pypdf.generic import ArrayObject, DictionaryObject, EncodedStreamObject, StreamObject

from indexer import pdfium
from indexer.errors import (
    DAMAGED,
    ENCRYPTED,
    NOT_PDF,
    TOO_LARGE,
    ExtractionError,
)
from indexer.labels import assign_labels, heading_title, is_junk_author, is_junk_title
from indexer.language import language_of, report_language
from indexer.metarules import pdf_date
from indexer.models import EMPTY, GARBLED, OCR, OK, PDFIUM, PYPDF, Document, Page
from indexer.normalize import classify_quality
from indexer.pagetext import derive_pages
from indexer.publishers import guess_publisher
from indexer.textforms import display_text

log = logging.getLogger(__name__)

HEADER_WINDOW = 64 * 1024  # how far into a file we look for "%PDF" (some tools prepend junk)
MAX_CONTENT_MB = 512  # decoded content one PDF may hold (Settings.max_content_mb)
# A text-showing operator (Tj, TJ, ' or ") after its string or array operand.
_SHOWS_TEXT = re.compile(rb"[)>\]]\s*(?:Tj|TJ|'|\")")


def extract(
    path: Path,
    *,
    max_content_mb: int = MAX_CONTENT_MB,
    second_extractor: bool = True,
    extractor: str = PYPDF,
) -> Document:
    """Read one PDF into a Document; raise ExtractionError when it cannot be read at all.

    Also raised (reason `too_large`) when its decoded page content passes `max_content_mb`.
    `extractor` reads the pages' text first: `pypdf`, or `pdfium` (faster; the file is still
    opened by pypdf, for its metadata, labels and the content budget). A page it reads as
    garbled, or as empty although it draws text, is read again by the other, whose text is
    kept when the quality checks rate it higher (`text_source` says which); not with
    `second_extractor=False` (one extractor alone, for comparison).
    """
    if extractor not in (PYPDF, PDFIUM):
        raise ValueError(f"unknown INDEXER_EXTRACTOR {extractor!r}: use pypdf or pdfium")
    path = Path(path)
    with _captured_pypdf_warnings() as captured:
        reader = _open(path)
        read = _page_texts(reader, path, max_content_mb << 20, read_text=extractor == PYPDF)
        doc = Document(pages=[], declared_labels=_declared_labels(reader))
        _read_metadata(reader, doc)
        texts = [text for text, _ in read]
        first = extractor
        if extractor == PDFIUM:
            found = _pdfium_texts(path, list(range(1, len(read) + 1)))
            if found is None:  # PDFium refused the file: pypdf reads it all
                found, first = _pypdf_texts(reader, path, range(1, len(read) + 1)), PYPDF
            texts = [found.get(n, "") for n in range(1, len(read) + 1)]
        doc.pages = [
            Page(number, "", raw=text, quality=classify_quality(text), text_source=first)
            for number, text in enumerate(texts, 1)
        ]
        if second_extractor:
            draws = [d for _, d in read]
            if first == PYPDF:
                _read_again(doc, draws, lambda numbers: _pdfium_texts(path, numbers), PDFIUM)
            else:
                _read_again(doc, draws, lambda n: _pypdf_texts(reader, path, n), PYPDF)
    if captured:
        log.info("%s: %d pypdf warnings, first: %s", path.name, len(captured), captured[0])
    doc.warnings = len(captured)
    return compose(doc, path.stem)


def compose(doc: Document, stem: str) -> Document:
    """Derive from the pages' raw texts (and their quality, judged on the raw text when it was
    read: `classify_quality`) their display text, margins, labels and language (detected
    where it is not yet), and the report's language (its pages' most common), publisher and
    title where the metadata gave none (`stem`, the file name, as the last resort). Run again
    after OCR replaced the raw text of pages."""
    raw_pages = [page.raw or "" for page in doc.pages]
    labels = assign_labels(doc.declared_labels, raw_pages)
    # The imprint is often in a margin, which the display text leaves out: look at all of it.
    edges = [display_text(raw_pages[0]), display_text(raw_pages[-1])] if raw_pages else []
    doc.publisher = doc.info_publisher or guess_publisher(edges)
    derived = derive_pages(raw_pages, doc.publisher)
    for page, label, shown in zip(doc.pages, labels, derived, strict=True):
        page.text, page.label = shown.text, label
        page.margins, page.body_end, page.spaced = shown.margins, shown.body_end, shown.spaced
        page.language = language_of(page)
    doc.language = report_language(p.language for p in doc.pages)
    doc.title = doc.info_title
    # On a scan, the first lines OCR reads are as often a stamp as a title.
    first = doc.pages[0] if doc.pages else None
    if doc.title is None and first and first.quality == OK and first.text_source != OCR:
        doc.title = heading_title(raw_pages[0])
    doc.title = doc.title or stem
    return doc


def _read_again(
    doc: Document,
    draws_text: list[bool],
    reread: Callable[[list[int]], dict[int, str] | None],
    source: str,
) -> None:
    """Give the other extractor (`reread`, whose text is `source`) the pages read as garbled,
    or as empty though they draw text, and keep its text where the quality checks rate it
    higher."""
    redo = [
        page.number
        for page, draws in zip(doc.pages, draws_text, strict=True)
        if page.quality == GARBLED or (page.quality == EMPTY and draws)
    ]
    if not redo:
        return
    found = reread(redo)
    for number, text in (found or {}).items():
        page = doc.pages[number - 1]
        quality = classify_quality(text)
        if rank(quality) > rank(page.quality):
            page.raw, page.quality, page.text_source = text, quality, source


def _pdfium_texts(path: Path, numbers: list[int]) -> dict[int, str] | None:
    """PDFium's text of pages `numbers`, or None when it cannot read the file."""
    try:
        return pdfium.page_texts(path, numbers)
    except MemoryError:
        raise
    except Exception as e:  # PDFium may refuse a file pypdf repaired
        log.warning("%s: PDFium could not read pages %s: %s", path.name, numbers, e)
        return None


def _pypdf_texts(reader: PdfReader, path: Path, numbers: Iterable[int]) -> dict[int, str]:
    """pypdf's text of pages `numbers` ("" for a page it fails on)."""
    texts = {}
    for number in numbers:
        try:
            texts[number] = reader.pages[number - 1].extract_text()
        except MemoryError:
            raise
        except Exception as e:  # one bad content stream must not cost the whole file
            log.warning("%s: page %d: text extraction failed: %s", path.name, number, e)
            texts[number] = ""
    return texts


def rank(quality: str) -> int:
    """How good a page's text is, for choosing between extractors: ok > garbled > empty."""
    return {OK: 2, GARBLED: 1}.get(quality, 0)


def _open(path: Path) -> PdfReader:
    """A PdfReader on a decrypted file, or ExtractionError saying why there is none."""
    try:
        with path.open("rb") as f:
            head = f.read(HEADER_WINDOW)
    except OSError as e:
        raise ExtractionError(f"cannot be opened: {e.strerror or e}") from e
    if not head:
        raise ExtractionError("empty file", NOT_PDF)
    if b"%PDF" not in head:
        raise ExtractionError("not a PDF (no %PDF header)", NOT_PDF)
    try:
        reader = PdfReader(path, strict=False)
        if reader.is_encrypted and reader.decrypt("") == PasswordType.NOT_DECRYPTED:
            raise ExtractionError("encrypted: a password is required to open it", ENCRYPTED)
        if len(reader.pages) == 0:
            raise ExtractionError("cannot be read: no pages found")
    except (ExtractionError, MemoryError):
        raise
    except LimitReachedError as e:  # one of pypdf's own bomb limits (stream size, tree depth)
        raise ExtractionError(f"too large: {e}", TOO_LARGE) from e
    except Exception as e:  # pypdf raises many kinds on broken files; all mean "unreadable"
        raise ExtractionError(f"cannot be read: {e or type(e).__name__}") from e
    return reader


def _page_texts(
    reader: PdfReader, path: Path, budget: int, *, read_text: bool = True
) -> list[tuple[str, bool]]:
    """The raw text of every page (without `read_text`: "", the content decoded and counted),
    and whether the page shows text at all (a text operator in its content or forms); a page
    that fails gives "" so the rest still counts.

    Raises ExtractionError when every page failed (nothing was read: that is no scan), or when
    the bytes decoded for the file's pages, plus the text they gave, pass `budget`: pypdf caps
    each stream, but a bomb of many streams under that cap would still take minutes and GBs.
    """
    texts: list[tuple[str, bool]] = []
    failures: list[Exception] = []
    spent = 0
    for number, page in enumerate(reader.pages, start=1):
        streams: list[StreamObject] = []
        text, draws = "", False
        try:
            for stream in _content_streams(page, streams):
                data = stream.get_data()
                spent += len(data)
                draws = draws or bool(_SHOWS_TEXT.search(data))
                if spent > budget:
                    break
            else:
                text = page.extract_text() if read_text else ""
                spent += len(text)
        except MemoryError:
            raise
        except Exception as e:  # one bad content stream must not cost the whole file
            log.warning("%s: page %d: text extraction failed: %s", path.name, number, e)
            failures.append(e)
        finally:
            _forget_decoded(streams)
        if spent > budget:
            raise ExtractionError(
                f"too large: more than {budget >> 20} MB of decoded page content by page "
                f"{number} (INDEXER_MAX_CONTENT_MB)",
                TOO_LARGE,
            )
        texts.append((text, draws))
    if texts and len(failures) == len(texts):
        limit = any(isinstance(e, (LimitReachedError, RecursionError)) for e in failures)
        raise ExtractionError(
            f"no page could be read; page 1: {failures[0] or type(failures[0]).__name__}",
            TOO_LARGE if limit else DAMAGED,
        )
    return texts


def _content_streams(page: PageObject, found: list[StreamObject]) -> Iterator[StreamObject]:
    """The streams text extraction decodes for a page: its contents, then the forms it draws
    (nested ones too), each once. Each is appended to `found` before it is yielded."""
    contents = _resolved(page.get("/Contents"))
    for part in contents if isinstance(contents, ArrayObject) else [contents]:
        if isinstance(stream := _resolved(part), StreamObject):
            found.append(stream)
            yield stream
    resources, seen = [page.get("/Resources")], set()
    while resources:
        xobjects = _resolved(_resolved(resources.pop(), DictionaryObject).get("/XObject"))
        for xobject in xobjects.values() if isinstance(xobjects, DictionaryObject) else []:
            form = _resolved(xobject)
            # Images are never decoded for text; forms are, with the forms they draw in turn.
            is_form = isinstance(form, StreamObject) and form.get("/Subtype") == "/Form"
            if is_form and id(form) not in seen:
                seen.add(id(form))
                found.append(form)
                resources.append(form.get("/Resources"))
                yield form


def _resolved(obj: Any, default: type | None = None) -> Any:
    """The object an indirect reference points to (or `default()` for None)."""
    obj = obj.get_object() if obj is not None else None
    return default() if obj is None and default is not None else obj


def _forget_decoded(streams: list[StreamObject]) -> None:
    """Drop pypdf's decoded copy of these streams: it keeps one for every stream it has read,
    so a file's memory would grow with its total content instead of its largest page."""
    for stream in streams:
        if isinstance(stream, EncodedStreamObject):
            stream.decoded_self = None


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
    """Fill the metadata's title and publisher (`info_title`, `info_publisher`), author,
    subject and creation date from the info dict and XMP."""
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
    doc.info_title = next((t for t in map(_clean, titles) if t and not is_junk_title(t)), None)
    doc.author = next((a for a in map(_clean, authors) if a and not is_junk_author(a)), None)
    doc.subject = _clean(info.get("/Subject"))
    doc.info_publisher = _clean("; ".join(_xmp(xmp, "dc_publisher") or []))
    doc.created = pdf_date(info.get("/CreationDate")) or _xmp_date(xmp)


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
