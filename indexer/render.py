"""Pages as pictures, with a passage highlighted: PDFium renders them and finds the characters.

PDFium (see `pdfium.py`) is not thread-safe, even across documents, so
every call runs in one worker process (spawned, killed when it runs over the extraction
timeout); the web's threads only wait for it. Rendered PNGs are cached on disk under the data
folder, the oldest deleted first when the cache grows over INDEXER_RENDER_CACHE_MB.

The passage is found in PDFium's own text of the page with the same folding as search (the
match form), ignoring spaces and line-end hyphens; where PDFium reads the page in another order
than pypdf did, the passage's words are found one by one instead. A page whose text came from
OCR has no such characters: its passage is placed on the words Tesseract found (`place` runs
on any text whose characters have boxes) and the boxes are handed to the renderer. Boxes are
in PDF points from the page's bottom left corner: (left, bottom, right, top), one per line of
the passage, on pages turned by /Rotate too.
"""

from __future__ import annotations

import hashlib
import io
import json
import multiprocessing
import threading
from collections.abc import Callable
from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path
from typing import Any

import pebble

from .errors import NotFound, RenderError
from .pdfium import Box, open_page
from .textforms import match_form

MIN_WIDTH, MAX_WIDTH = 200, 2000
Passage = tuple[str, str, str]  # the words before it, the passage, the words after it
CONTEXT = 40  # characters of context on each side used to find a passage
_HIGHLIGHT = (255, 214, 0, 96)  # translucent yellow over the page
_OUTLINE = (214, 150, 0, 255)


# --- in the worker process --------------------------------------------------------------------


def locate(path: str, number: int, passage: Passage) -> list[Box]:
    """The boxes, one per line, of `passage` on PDF page `number` (1-based) of `path`."""
    if not passage[1].strip():
        return []
    with open_page(path, number) as page:
        return place(page.characters(), page.char_box, passage)


def render(
    path: str, number: int, width: int, passage: Passage, boxes: list[Box] | None = None
) -> bytes:
    """PDF page `number` of `path` as a PNG `width` pixels wide, `passage` painted over (or
    `boxes`, when given: the passage's place is known from elsewhere, such as OCR)."""
    from PIL import Image, ImageDraw

    with open_page(path, number) as page:
        scale = width / page.frame.size[0]
        image = page.picture(scale).convert("RGBA")
        if boxes is None:
            boxes = place(page.characters(), page.char_box, passage) if passage[1].strip() else []
        if boxes:
            overlay = Image.new("RGBA", image.size, (0, 0, 0, 0))
            draw = ImageDraw.Draw(overlay)
            for box in boxes:
                left, top, right, bottom = page.frame.to_display(box)
                rect = (left * scale - 2, top * scale - 2, right * scale + 2, bottom * scale + 2)
                draw.rectangle(rect, fill=_HIGHLIGHT, outline=_OUTLINE)
            image = Image.alpha_composite(image, overlay)
    out = io.BytesIO()
    image.convert("RGB").save(out, format="PNG", optimize=True)
    return out.getvalue()


# --- anywhere: a passage placed on a page's characters ----------------------------------------


def place(text: str, box_of: Callable[[int], Box], passage: Passage) -> list[Box]:
    """Line boxes of the passage's characters in a page's `text` (PDFium's, or OCR's), the box
    of character i being `box_of(i)`. The words around it (`passage` is before, passage,
    after) tell apart the places that print the same words."""
    folded, where = _fold_chars(text)
    before, middle, after = (_fold_chars(part)[0] for part in passage)
    for left, right in ((before, after), (before, ""), ("", after), ("", "")):
        start = folded.find(left + middle + right)
        if start >= 0:
            chars = where[start + len(left) : start + len(left) + len(middle)]
            break
    else:  # another reading order: each word where it is, in order where possible
        chars, cursor = [], 0
        for word in match_form(passage[1]).text.split():
            found = folded.find(word, cursor)
            if found < 0:
                found = folded.find(word)
            if found >= 0 and len(word) > 1:
                chars += where[found : found + len(word)]
                cursor = found + len(word)
    return _lines([box_of(i) for i in sorted(set(chars))])


def _fold_chars(text: str) -> tuple[str, list[int]]:
    """The match form of `text` without spaces or line-end hyphens, and for each of its
    characters the index of the character of `text` it comes from."""
    folded: list[str] = []
    where: list[int] = []
    for i, ch in enumerate(text):
        if ch.isspace() or (ch in "-\u2010\u00ad" and text[i + 1 : i + 2] in ("\r", "\n")):
            continue
        for c in match_form(ch).text:
            folded.append(c)
            where.append(i)
    return "".join(folded), where


def _lines(boxes: list[Box]) -> list[Box]:
    """Character boxes merged into one box per line (a line: overlapping vertical extents)."""
    merged: list[list[float]] = []
    for left, bottom, right, top in boxes:
        if right <= left or top <= bottom:
            continue  # PDFium's boxes of generated spaces and line breaks are empty
        line = merged[-1] if merged else None
        if line and bottom < line[3] and top > line[1] and left >= line[0] - 2:
            line[0], line[1] = min(line[0], left), min(line[1], bottom)
            line[2], line[3] = max(line[2], right), max(line[3], top)
        else:
            merged.append([left, bottom, right, top])
    return [(round(a, 2), round(b, 2), round(c, 2), round(d, 2)) for a, b, c, d in merged]


# --- in the web process -----------------------------------------------------------------------


class Renderer:
    """One PDFium worker process and the PNG cache (`cache_dir`, at most `cache_mb`)."""

    def __init__(self, cache_dir: Path, *, cache_mb: int, timeout: float) -> None:
        self.cache_dir = Path(cache_dir)
        self.cache_bytes = cache_mb * 1024 * 1024
        self.timeout = timeout
        self._pool: pebble.ProcessPool | None = None
        self._lock = threading.Lock()

    def _run(self, function: Any, *args: Any) -> Any:
        with self._lock:
            if self._pool is None:
                context = multiprocessing.get_context("spawn")
                self._pool = pebble.ProcessPool(max_workers=1, context=context)
            pool = self._pool
        future = pool.schedule(function, args=args, timeout=self.timeout)
        try:
            return future.result()
        except (FutureTimeout, TimeoutError) as exc:
            raise RenderError(f"rendering took over {self.timeout:g} s") from exc
        except pebble.ProcessExpired as exc:
            raise RenderError(f"the rendering process died: {exc}") from exc
        except FileNotFoundError as exc:
            raise NotFound("the report's file is no longer on disk") from exc
        except Exception as exc:  # PDFium's errors on a damaged file
            raise RenderError(f"this page cannot be rendered: {exc}") from exc

    def boxes(self, path: Path, number: int, passage: Passage) -> list[Box]:
        """Line boxes of `passage` on the page, in PDF points."""
        return [tuple(b) for b in self._run(locate, str(path), number, passage)]

    def png(
        self,
        path: Path,
        key: str,
        number: int,
        width: int,
        passage: Passage,
        boxes: list[Box] | None = None,
    ) -> bytes:
        """The page as a PNG (from the cache when it was rendered before), the passage painted
        where PDFium's text has it, or on `boxes` when they are given."""
        unique = [key, number, width, passage, *([boxes] if boxes is not None else [])]
        digest = hashlib.sha256(json.dumps(unique).encode()).hexdigest()
        cached = self.cache_dir / digest[:2] / f"{digest}.png"
        if cached.is_file():
            cached.touch()  # recently used: deleted last
            return cached.read_bytes()
        data: bytes = self._run(render, str(path), number, width, passage, boxes)
        cached.parent.mkdir(parents=True, exist_ok=True)
        partial = cached.with_suffix(".part")
        partial.write_bytes(data)
        partial.replace(cached)
        self._trim()
        return data

    def _trim(self) -> None:
        """Delete the least recently used PNGs until the cache is under its size cap."""
        files = [(p.stat().st_mtime, p.stat().st_size, p) for p in self.cache_dir.glob("*/*.png")]
        total = sum(size for _, size, _ in files)
        for _, size, path in sorted(files):
            if total <= self.cache_bytes:
                break
            path.unlink(missing_ok=True)
            total -= size

    def close(self) -> None:
        """Stop the worker process."""
        with self._lock:
            if self._pool is not None:
                self._pool.stop()
                self._pool.join()
                self._pool = None
