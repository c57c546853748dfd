"""Small PDFs with known text on known pages, generated with fpdf2 for the tests.

Text is set in DejaVu Sans, a Unicode TrueType font, so Cyrillic and ligature characters
survive the round trip (Debian/Ubuntu: package fonts-dejavu-core); with `cjk=True`, in Noto
Sans CJK (package fonts-noto-cjk).
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from datetime import datetime
from functools import cache
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import EncryptionMethod
from PIL import Image

FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
    "/Library/Fonts/DejaVuSans.ttf",
)
CJK_FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
_ROMAN = re.compile(r"(?=[ivxlcdm]+$)m{0,3}(cm|cd|d?c{0,3})(xc|xl|l?x{0,3})(ix|iv|v?i{0,3})")


@cache
def unicode_font() -> str:
    """The path of DejaVuSans.ttf on this machine (fails with a hint when it is missing)."""
    for candidate in FONT_CANDIDATES:
        if Path(candidate).is_file():
            return candidate
    if shutil.which("fc-match"):
        found = subprocess.run(
            ["fc-match", "-f", "%{file}", "DejaVu Sans"], capture_output=True, text=True
        ).stdout
        if found.endswith("DejaVuSans.ttf"):
            return found
    raise FileNotFoundError("DejaVuSans.ttf not found: install the fonts-dejavu-core package")


def make_pdf(
    path: Path,
    pages: list[str],
    *,
    title: str | None = None,
    author: str | None = None,
    page_labels: list[str] | None = None,
    footer_folios: list[str | None] | None = None,
    header: str | None = None,
    encrypt_empty_password: bool = False,
    created: datetime | None = None,
    cjk: bool = False,
) -> Path:
    """Write a PDF with one page per string of `pages` (newlines start new lines).

    `page_labels` (decimal or roman, e.g. ["i", "ii", "1", "2"]) become a /PageLabels tree;
    `header` is printed at the top of every page, as a running header;
    `footer_folios` are printed at the bottom centre of each page (None: no footer);
    `encrypt_empty_password` encrypts with AES-128 and an empty user password; `cjk` sets the
    text in Noto Sans CJK (CJK_FONT) for Chinese, Japanese or Korean.
    """
    pdf = _new_pdf()
    if cjk:
        pdf.add_font("NotoCJK", fname=CJK_FONT)
        pdf.set_font("NotoCJK", size=11)
    if created is not None:
        pdf.set_creation_date(created)
    if title is not None:
        pdf.set_title(title)
    if author is not None:
        pdf.set_author(author)
    ranges = _label_ranges(page_labels) if page_labels is not None else {}
    for index, text in enumerate(pages):
        pdf.add_page()
        if index in ranges:
            style, start = ranges[index]
            pdf.set_page_label(label_style=style, label_prefix="", label_start=start)
        if header is not None:
            pdf.cell(0, 10, header, align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.multi_cell(0, 7, text, align="L")
        folio = footer_folios[index] if footer_folios else None
        if folio is not None:
            pdf.set_y(-20)
            pdf.cell(0, 10, folio, align="C")
    if encrypt_empty_password:
        pdf.set_encryption(
            owner_password="owner", user_password="", encryption_method=EncryptionMethod.AES_128
        )
    return _write(pdf, path)


def make_pdf_with_broken_page(path: Path, pages: list[str], broken: int) -> Path:
    """Like make_pdf, but the content stream of page `broken` (1-based) cannot be parsed.

    That page's text operator gets an unclosed string "(BROKEN ...", as a damaged file has.
    """
    pdf = _new_pdf()
    pdf.set_compression(False)  # so the operator can be found and damaged in place
    for number, text in enumerate(pages, start=1):
        pdf.add_page()
        pdf.set_font("DejaVu", size=11)
        pdf.multi_cell(0, 7, text, align="L")
        if number == broken:
            pdf.set_font("helvetica", size=11)
            pdf.cell(0, 7, "BROKEN")
    data = bytes(pdf.output())
    # Same length, so every offset in the cross-reference table stays right.
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.replace(b"(BROKEN)", b"(BROKEN ", 1))
    return path


def make_image_only_pdf(path: Path) -> Path:
    """A one-page PDF holding a picture and no text at all, like a scan without OCR."""
    picture = Image.new("RGB", (200, 100), "white")
    for x in range(20, 180):
        for y in range(40, 60):
            picture.putpixel((x, y), (0, 0, 0))
    pdf = _new_pdf()
    pdf.add_page()
    pdf.image(picture, x=20, y=20, w=160)
    return _write(pdf, path)


A4_POINTS = (595.28, 841.89)
Box = tuple[float, float, float, float]


def make_scanned_pdf(
    path: Path, pages: list[str], *, dpi: int = 300, size_pt: float = 10.0
) -> tuple[Path, list[dict[str, Box]]]:
    """A PDF of A4 pages that are pictures of `pages` (each line drawn at `dpi` in DejaVu Sans,
    `size_pt` points high, then blurred and speckled as a scanner leaves it) and nothing else:
    a scan without a text layer.

    Also returns, per page, where each word was drawn: its box in PDF points (left, bottom,
    right, top, from the page's bottom left corner; the last place of a repeated word).
    """
    from PIL import ImageDraw, ImageFont

    scale = dpi / 72
    width, height = (round(side * scale) for side in A4_POINTS)
    font = ImageFont.truetype(unicode_font(), round(size_pt * scale))
    pdf = _new_pdf()
    places: list[dict[str, Box]] = []
    for text in pages:
        picture = Image.new("L", (width, height), 255)
        draw = ImageDraw.Draw(picture)
        drawn: dict[str, Box] = {}
        y = dpi  # one inch from the top and the left
        for line in text.splitlines():
            x = dpi
            for word in line.split():
                left, top, right, bottom = draw.textbbox((x, y), word, font=font)
                draw.text((x, y), word, font=font, fill=0)
                drawn[word] = (left / scale, A4_POINTS[1] - bottom / scale,
                               right / scale, A4_POINTS[1] - top / scale)  # fmt: skip
                x = right + draw.textlength(" ", font=font)
            y += round(size_pt * scale * 1.5)
        pdf.add_page()
        pdf.image(_scanned(picture), x=0, y=0, w=pdf.w, h=pdf.h)
        places.append(drawn)
    return _write(pdf, path), places


def _scanned(picture: Image.Image) -> Image.Image:
    """The picture as a scanner gives it back: soft edges, grey paper, dust (the same each time)."""
    import random

    from PIL import ImageFilter

    soft = picture.filter(ImageFilter.GaussianBlur(1.2)).point(lambda v: 40 + v * 190 // 255)
    dust = random.Random(14)
    for _ in range(soft.width * soft.height // 2000):
        soft.putpixel((dust.randrange(soft.width), dust.randrange(soft.height)), 0)
    return soft


def make_truncated_pdf(path: Path) -> Path:
    """A real multi-page PDF cut in half, as an interrupted download leaves it."""
    buffer = io.BytesIO()
    pdf = _new_pdf()
    for n in range(1, 5):
        pdf.add_page()
        pdf.multi_cell(0, 7, f"Page {n} of a file that was cut short.", align="L")
    pdf.output(buffer)
    data = buffer.getvalue()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data[: len(data) // 2])
    return path


def make_not_a_pdf(path: Path) -> Path:
    """A text file with a .pdf name."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("This is a plain text file, not a PDF.\n", encoding="utf-8")
    return path


def make_empty_file(path: Path) -> Path:
    """A file of zero bytes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"")
    return path


def _write(pdf: FPDF, path: Path) -> Path:
    """Save the document at path, creating its folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    pdf.output(str(path))
    return path


def _new_pdf() -> FPDF:
    """An A4 FPDF document set in DejaVu Sans, with page breaks only where we ask for them."""
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(False)
    pdf.add_font("DejaVu", fname=unicode_font())
    pdf.set_font("DejaVu", size=11)
    return pdf


def _label_ranges(labels: list[str]) -> dict[int, tuple[str, int]]:
    """{first page index: (fpdf2 label style, start number)} for each run of labels."""
    ranges: dict[int, tuple[str, int]] = {}
    previous: tuple[str, int] | None = None
    for index, label in enumerate(labels):
        if label.isdigit():
            current = ("D", int(label))
        elif _ROMAN.fullmatch(label.lower()) and (label.islower() or label.isupper()):
            current = ("r" if label.islower() else "R", _roman_value(label.lower()))
        else:
            raise ValueError(f"unsupported page label {label!r}: use decimal or roman numbers")
        if previous is None or previous[0] != current[0] or previous[1] + 1 != current[1]:
            ranges[index] = current
        previous = current
    return ranges


def _roman_value(numeral: str) -> int:
    """The value of a lower-case roman numeral."""
    values = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100, "d": 500, "m": 1000}
    total = 0
    for ch, nxt in zip(numeral, [*numeral[1:], ""], strict=True):
        total += -values[ch] if nxt and values[nxt] > values[ch] else values[ch]
    return total


def make_flate_bomb(path: Path, *, pages: int, inflated_mb: int, forms: int = 0) -> Path:
    """A PDF small on disk whose page content inflates to `inflated_mb` MB per stream.

    Each page's content stream is that big, or with `forms`, the page draws that many form
    XObjects of that size each (all on one page at once). The content is a comment, so it has
    no text and parses fast; every stream is a separate object with the same compressed bytes,
    so each is decoded on its own.
    """
    import zlib

    from pypdf import PdfWriter
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject, NumberObject, StreamObject

    compressed = zlib.compress(b"%" + b" " * ((inflated_mb << 20) - 2) + b"\n", 9)

    def big_stream(**entries: object) -> object:
        fields = {NameObject(k): v for k, v in entries.items()}
        fields[NameObject("/Filter")] = NameObject("/FlateDecode")
        return writer._add_object(
            StreamObject.initialize_from_dictionary({**fields, "__streamdata__": compressed})
        )

    writer = PdfWriter()
    for _ in range(pages):
        page = writer.add_blank_page(612, 792)
        if not forms:
            page[NameObject("/Contents")] = big_stream()
            continue
        names = [NameObject(f"/X{n}") for n in range(forms)]
        box = ArrayObject(NumberObject(n) for n in (0, 0, 10, 10))
        page[NameObject("/Resources")] = DictionaryObject({NameObject("/XObject"): DictionaryObject(
            {name: big_stream(**{"/Subtype": NameObject("/Form"), "/BBox": box}) for name in names}
        )})  # fmt: skip
        draw = " ".join(f"{name} Do" for name in names).encode()
        page[NameObject("/Contents")] = writer._add_object(
            StreamObject.initialize_from_dictionary({"__streamdata__": draw})
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as f:
        writer.write(f)
    return path


def make_password_pdf(path: Path, pages: list[str], password: str = "secret") -> Path:
    """A PDF that only opens with `password` (AES-128): no empty user password."""
    pdf = _new_pdf()
    for text in pages:
        pdf.add_page()
        pdf.multi_cell(0, 7, text, align="L")
    pdf.set_encryption(
        owner_password="owner", user_password=password, encryption_method=EncryptionMethod.AES_128
    )
    return _write(pdf, path)


def make_unreadable_pages_pdf(path: Path, pages: int = 3) -> Path:
    """A PDF that opens, but the content stream of every page is cut inside a string, so text
    extraction fails on each page (as in a damaged file)."""
    from pypdf import PdfWriter
    from pypdf.generic import DictionaryObject, NameObject, StreamObject

    writer = PdfWriter()
    font = writer._add_object(DictionaryObject({
        NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type1"),
        NameObject("/BaseFont"): NameObject("/Helvetica"),
    }))  # fmt: skip
    for number in range(1, pages + 1):
        page = writer.add_blank_page(612, 792)
        content = f"BT /F1 12 Tf 72 720 Td (Page {number} of a damaged file Tj ET\n".encode()
        page[NameObject("/Contents")] = writer._add_object(
            StreamObject.initialize_from_dictionary({"__streamdata__": content})
        )
        page[NameObject("/Resources")] = DictionaryObject(
            {NameObject("/Font"): DictionaryObject({NameObject("/F1"): font})}
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as f:
        writer.write(f)
    return path
