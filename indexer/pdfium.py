"""PDFium (pypdfium2): the second extractor, page pictures and the characters' boxes.

pypdfium2 lives here and nowhere else. PDFium is not thread-safe, even across documents: call
these functions only in a process of their own (an extraction worker, the page renderer), never
from a web server's threads.

Boxes are in PDF points in the page's own (unrotated) space, from its bottom left corner:
(left, bottom, right, top). A picture shows the page as displayed, its /Rotate applied; a
`Frame` turns points of one into points of the other.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium

Box = tuple[float, float, float, float]
POINTS_PER_INCH = 72


def page_texts(path: Path | str, numbers: Iterable[int]) -> dict[int, str]:
    """The text PDFium reads on each of PDF pages `numbers` (1-based), with pypdf's line breaks
    ("\\n") and line-end hyphens ("-" before the break)."""
    pdf = pdfium.PdfDocument(str(path))
    try:
        texts = {}
        for number in numbers:
            page = pdf[number - 1]
            try:
                texts[number] = _plain(page.get_textpage().get_text_range())
            finally:
                page.close()
        return texts
    finally:
        pdf.close()


def _plain(text: str) -> str:
    # PDFium ends lines with CR LF and marks a hyphen it took for a soft one with U+FFFE.
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\ufffe", "-")


@dataclass(frozen=True)
class Frame:
    """Where a page's visible area lies in its own space, and how far it is turned for display."""

    left: float
    bottom: float
    right: float
    top: float
    rotation: int  # clockwise degrees: 0, 90, 180 or 270

    @property
    def size(self) -> tuple[float, float]:
        """Width and height of the page as displayed, in points."""
        width, height = self.right - self.left, self.top - self.bottom
        return (height, width) if self.rotation in (90, 270) else (width, height)

    def to_display(self, box: Box) -> Box:
        """A box in page space -> (left, top, right, bottom) in points of the displayed page,
        from its top left corner (as a picture's pixels run, before scaling)."""
        corners = [self._shown(x, y) for x in box[0::2] for y in box[1::2]]
        us, vs = [u for u, _ in corners], [v for _, v in corners]
        return min(us), min(vs), max(us), max(vs)

    def to_page(self, shown: Box) -> Box:
        """(left, top, right, bottom) in points of the displayed page -> a box in page space."""
        corners = [self._page(u, v) for u in shown[0::2] for v in shown[1::2]]
        xs, ys = [x for x, _ in corners], [y for _, y in corners]
        return min(xs), min(ys), max(xs), max(ys)

    def _shown(self, x: float, y: float) -> tuple[float, float]:
        turns = {
            0: (x - self.left, self.top - y),
            90: (y - self.bottom, x - self.left),
            180: (self.right - x, y - self.bottom),
            270: (self.top - y, self.right - x),
        }
        return turns[self.rotation]

    def _page(self, u: float, v: float) -> tuple[float, float]:
        turns = {
            0: (self.left + u, self.top - v),
            90: (self.left + v, self.bottom + u),
            180: (self.right - u, self.bottom + v),
            270: (self.right - v, self.top - u),
        }
        return turns[self.rotation]


class Page:
    """One open page: its frame, its picture, its characters and their boxes."""

    def __init__(self, page: Any) -> None:
        self._page = page
        self._textpage: Any = None
        left, bottom, right, top = page.get_bbox()  # the visible area, as rendered
        self.frame = Frame(left, bottom, right, top, page.get_rotation() % 360)

    def picture(self, scale: float, *, grayscale: bool = False) -> Any:
        """The page as displayed, as a PIL image `scale` pixels per point."""
        return self._page.render(scale=scale, grayscale=grayscale).to_pil()

    def characters(self) -> str:
        """PDFium's text of the page, one character per character box (see `char_box`)."""
        textpage = self._text()
        count = textpage.count_chars()
        text: str = textpage.get_text_range(0, count)
        if len(text) != count:  # not one character per PDFium char: read them one by one
            text = "".join(textpage.get_text_range(i, 1) or " " for i in range(count))
        return text

    def char_box(self, index: int) -> Box:
        """The box of character `index` of `characters()` (empty for generated spaces)."""
        left, bottom, right, top = self._text().get_charbox(index)
        return left, bottom, right, top

    def _text(self) -> Any:
        if self._textpage is None:
            self._textpage = self._page.get_textpage()
        return self._textpage


@contextmanager
def open_page(path: Path | str, number: int) -> Iterator[Page]:
    """PDF page `number` (1-based) of the file at `path`, open for the block."""
    pdf = pdfium.PdfDocument(str(path))
    try:
        yield Page(pdf[number - 1])
    finally:
        pdf.close()
