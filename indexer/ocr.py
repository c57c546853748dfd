"""OCR for the pages no extractor could read: PDFium renders them at 300 dpi, Tesseract reads them.

pytesseract lives here and nowhere else. It runs the `tesseract` program, which inherits the
extraction worker's memory cap (and OMP_THREAD_LIMIT=1, so that two workers share two cores);
its timeout stops the program before the worker's own runs out. Which pages are read, and in
which languages, is decided in the parent process from the report's other pages.

Tesseract's words are kept with the page: their offsets in the text made of them, and their
boxes in PDF points, so that the page view can mark a passage on a scan.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pytesseract

from .errors import TIMEOUT, ExtractionError
from .extract import compose
from .models import OCR, OK, Document
from .normalize import classify_quality
from .pdfium import POINTS_PER_INCH, Box, open_page

log = logging.getLogger(__name__)

DPI = 300
SETTINGS = ("auto", "off")  # INDEXER_OCR
# Tried when the report's other pages tell nothing (INDEXER_OCR_LANGS=auto).
DEFAULT_LANGUAGES = ("eng", "rus", "ukr")
# Language codes (language.py's guess of the other pages) -> Tesseract's traineddata.
TRAINEDDATA = {
    "en": "eng", "ru": "rus", "uk": "ukr", "zh": "chi_sim", "ar": "ara", "fr": "fra",
    "de": "deu", "es": "spa", "it": "ita", "pt": "por", "nl": "nld", "pl": "pol", "ja": "jpn",
}  # fmt: skip
# The Debian packages of Tesseract and the language data the collection's languages need.
PACKAGES = ("tesseract-ocr", *(f"tesseract-ocr-{lang}" for lang in
            ("rus", "ukr", "chi-sim", "ara", "fra", "deu")))  # fmt: skip
INSTALL = "apt-get install " + " ".join(PACKAGES)
# A page with fewer dark pixels than this (at 300 dpi: a few dots) is blank: nothing to read.
INK_PIXELS = 100
# Pages larger than A2 are rendered under 300 dpi, so that a poster or a map does not cost a
# worker its memory (an A2 page at 300 dpi: 35 million pixels).
MAX_PIXELS = 36_000_000


@dataclass
class OcrText:
    """What Tesseract read on one page: its text (words, lines and blocks in reading order)
    and each word as [start, end, left, bottom, right, top] (offsets in `text`, PDF points)."""

    number: int
    text: str = ""
    words: list[list[float]] = field(default_factory=list)
    seconds: float = 0.0


@cache
def installed_languages() -> frozenset[str]:
    """The languages Tesseract has traineddata for (empty when Tesseract is not installed)."""
    try:
        return frozenset(pytesseract.get_languages(config="")) - {"osd", "equ"}
    except (pytesseract.TesseractNotFoundError, pytesseract.TesseractError, OSError) as e:
        log.debug("Tesseract is not usable: %s", e)
        return frozenset()


def enabled(setting: str) -> bool:
    """Whether OCR runs under INDEXER_OCR=`setting`: `auto` when Tesseract is installed."""
    if setting not in SETTINGS:
        raise ValueError(f"INDEXER_OCR must be one of {', '.join(SETTINGS)}, not {setting!r}")
    return setting == "auto" and bool(installed_languages())


def unavailable_reason(setting: str) -> str:
    """Why OCR does not run under INDEXER_OCR=`setting`, and what to do about it."""
    if setting == "off":
        return "OCR is off (INDEXER_OCR=off): set INDEXER_OCR=auto to use Tesseract"
    return f"Tesseract is not installed: {INSTALL} (Debian, Ubuntu), then `indexer ocr`"


def status(setting: str) -> dict[str, Any]:
    """OCR as the collection's health shows it: `state` (`on`, `off` or `not_installed`), the
    installed `languages`, how to turn it on (`enable`, null when it is on) and the command
    that installs Tesseract (`install`)."""
    state = "off" if setting == "off" else "on" if enabled(setting) else "not_installed"
    return {
        "state": state,
        "languages": sorted(installed_languages()),
        "enable": None if state == "on" else unavailable_reason(setting),
        "install": INSTALL,
    }


def languages(setting: str, doc: Document) -> str:
    """The Tesseract languages ("rus+eng") for the pages of `doc` under INDEXER_OCR_LANGS:
    `auto` is the language of the report's readable pages (with English beside another
    language), else DEFAULT_LANGUAGES; only installed languages are asked for."""
    installed = installed_languages()
    if setting != "auto":
        wanted = [lang for lang in setting.replace(",", "+").split("+") if lang]
        missing = [lang for lang in wanted if lang not in installed]
        if missing:
            log.warning("no Tesseract data for %s (INDEXER_OCR_LANGS)", ", ".join(missing))
        chosen = [lang for lang in wanted if lang in installed]
    else:
        main = TRAINEDDATA.get(doc.language or "")
        chosen = [lang for lang in (main, "eng") if lang in installed] if main in installed else []
    chosen = chosen or [lang for lang in DEFAULT_LANGUAGES if lang in installed]
    return "+".join(dict.fromkeys(chosen or sorted(installed)))


def unread_pages(doc: Document) -> list[int]:
    """The PDF pages of a freshly extracted `doc` that OCR should read: those neither
    extractor read as text."""
    return [p.number for p in doc.pages if p.quality != OK]


def take(doc: Document, found: list[OcrText], stem: str) -> Document:
    """`doc` with the text OCR read on its pages (`text_source` "ocr", even where the page is
    blank or OCR read nothing: it has been looked at), derived again (see extract.compose)."""
    for read in found:
        page = doc.pages[read.number - 1]
        page.raw, page.words, page.text_source = read.text, read.words, OCR
        page.quality, page.language = classify_quality(read.text), None  # to be detected
    return compose(doc, stem)


def char_boxes(words: list[list[float]], length: int) -> list[Box]:
    """For each of the `length` characters of an OCR'd page's text, the box of the word it
    belongs to (an empty box between words)."""
    boxes: list[Box] = [(0.0, 0.0, 0.0, 0.0)] * length
    for start, end, left, bottom, right, top in words:
        boxes[int(start) : int(end)] = [(left, bottom, right, top)] * (int(end) - int(start))
    return boxes[:length]


def read_page(path: Path | str, number: int, langs: str, timeout: float) -> OcrText:
    """OCR of PDF page `number` of `path` in `langs`, rendering included, stopped after
    `timeout` seconds (ExtractionError, reason `timeout`). The page is rendered at 300 dpi
    (less past MAX_PIXELS); a blank page is not given to Tesseract."""
    started = time.monotonic()
    with open_page(path, number) as page:
        frame = page.frame
        width, height = frame.size
        scale = min(DPI / POINTS_PER_INCH, (MAX_PIXELS / max(width * height, 1.0)) ** 0.5)
        picture = page.picture(scale, grayscale=True)
    if sum(picture.convert("L").histogram()[:128]) < INK_PIXELS:
        return OcrText(number, seconds=time.monotonic() - started)
    left = max(1.0, timeout - (time.monotonic() - started))
    try:
        data = pytesseract.image_to_data(
            picture, lang=langs, output_type=pytesseract.Output.DICT, timeout=left
        )
    except RuntimeError as e:  # pytesseract's timeout; TesseractError is not one
        if isinstance(e, pytesseract.TesseractError):
            raise
        raise ExtractionError(f"OCR took over {timeout:g} s", TIMEOUT) from e
    text, words = _assemble(data)
    found = []
    for start, end, pixels in words:
        box = frame.to_page(
            (pixels[0] / scale, pixels[1] / scale, pixels[2] / scale, pixels[3] / scale)
        )
        found.append([start, end, *(round(v, 2) for v in box)])
    return OcrText(number, text, found, time.monotonic() - started)


def _assemble(data: dict[str, list[Any]]) -> tuple[str, list[tuple[int, int, Box]]]:
    """Tesseract's words joined into text: a space between words, a line break between lines
    and a blank line between blocks; with each word's offsets and pixel box (left, top,
    right, bottom)."""
    parts: list[str] = []
    words: list[tuple[int, int, Box]] = []
    length, where = 0, None
    for i, word in enumerate(data["text"]):
        word = " ".join(str(word).split())
        if data["level"][i] != 5 or not word:
            continue
        block, line = data["block_num"][i], (data["par_num"][i], data["line_num"][i])
        if where is not None:
            gap = " " if where == (block, line) else "\n" if where[0] == block else "\n\n"
            parts.append(gap)
            length += len(gap)
        where = (block, line)
        parts.append(word)
        left, top = float(data["left"][i]), float(data["top"][i])
        box = (left, top, left + data["width"][i], top + data["height"][i])
        words.append((length, length + len(word), box))
        length += len(word)
    return "".join(parts), words
