"""Pages as pictures: the passage found by PDFium and painted on, the PNG cache and its limits."""

from __future__ import annotations

import io
import shutil
from dataclasses import replace
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from PIL import Image, ImageChops, ImageStat

from indexer.config import Settings
from indexer.errors import QueryError
from indexer.library import Library
from indexer.web import create_app
from tests.pdfs import make_pdf

LINE = "The fleet returned to port after the storm. "
NEEDLE = "the walrus colony moved north"


@pytest.fixture(scope="module")
def lib(tmp_path_factory: pytest.TempPathFactory) -> Library:
    root = tmp_path_factory.mktemp("render")
    # The needle is printed twice on page 2: the context tells which one is meant.
    make_pdf(
        root / "in" / "walrus.pdf",
        [LINE * 6, f"{LINE * 3}In May {NEEDLE}. {LINE * 4}Later {NEEDLE} again. {LINE}"],
    )
    library = Library(Settings(data=root / "data", workers=2, extract_timeout=60))
    library.ingest([root / "in"])
    yield library
    library.renderer.close()


def report_id(lib: Library) -> str:
    return lib.reports()[0]["report_id"]


def pdfium_boxes(path: Path, page: int, text: str, occurrence: int) -> list[tuple]:
    """The char boxes of the n-th occurrence of `text`, found with PDFium's own search."""
    pdf = pdfium.PdfDocument(path)
    try:
        textpage = pdf[page - 1].get_textpage()
        searcher = textpage.search(text)
        for _ in range(occurrence):
            index, count = searcher.get_next()
        return [textpage.get_charbox(i) for i in range(index, index + count)]
    finally:
        pdf.close()


def test_the_passage_boxes_are_pdfiums_characters(lib: Library) -> None:
    rid = report_id(lib)
    text = lib.page(rid, 2)["text"]
    second = text.index(NEEDLE, text.index(NEEDLE) + 1)
    view = lib.page_view(rid, 2, (second, second + len(NEEDLE)))
    assert view["passage"] == NEEDLE
    chars = pdfium_boxes(lib.pdf_path(rid), 2, NEEDLE, occurrence=2)
    (box,) = view["boxes"]  # one line
    assert box[0] == pytest.approx(min(c[0] for c in chars), abs=0.5)
    assert box[2] == pytest.approx(max(c[2] for c in chars), abs=0.5)
    assert box[1] == pytest.approx(min(c[1] for c in chars), abs=0.5)
    assert box[3] == pytest.approx(max(c[3] for c in chars), abs=0.5)


def test_the_png_has_the_passage_painted_on(lib: Library) -> None:
    rid = report_id(lib)
    text = lib.page(rid, 2)["text"]
    start = text.index(NEEDLE)
    width = 600
    image = Image.open(io.BytesIO(lib.page_png(rid, 2, width, (start, start + len(NEEDLE)))))
    assert image.format == "PNG" and image.width == width
    plain = Image.open(io.BytesIO(lib.page_png(rid, 2, width)))
    (box,) = lib.page_view(rid, 2, (start, start + len(NEEDLE)))["boxes"]
    scale = width / 595.28  # A4 in points
    inside = (int(box[0] * scale), int((841.89 - box[3]) * scale),
              int(box[2] * scale), int((841.89 - box[1]) * scale))  # fmt: skip
    outside = (inside[0], inside[3] + 40, inside[2], inside[3] + 60)

    def blue(picture: Image.Image, area: tuple[int, int, int, int]) -> float:
        return float(ImageStat.Stat(picture.convert("RGB").crop(area)).mean[2])

    # Yellow takes blue away where the passage is, and nowhere else.
    assert blue(image, inside) < blue(plain, inside) - 40
    assert blue(image, outside) == blue(plain, outside)


def test_bad_widths_and_ranges_are_refused(lib: Library) -> None:
    rid = report_id(lib)
    with pytest.raises(QueryError, match="200 to 2000"):
        lib.page_png(rid, 1, 100)
    with pytest.raises(QueryError, match="hl must be"):
        lib.page_view(rid, 1, (10_000, 10_010))


def test_the_cache_serves_again_and_keeps_under_its_cap(lib: Library, tmp_path: Path) -> None:
    rid = report_id(lib)
    first = lib.page_png(rid, 1, 300)
    cached = list(lib.settings.render_dir.glob("*/*.png"))
    assert cached and lib.page_png(rid, 1, 300) == first
    tiny = Library(replace(lib.settings, render_cache_mb=0))
    try:
        assert tiny.page_png(rid, 1, 310).startswith(b"\x89PNG")
    finally:
        tiny.renderer.close()
    assert not list(lib.settings.render_dir.glob("*/*.png"))  # over the cap: all deleted


def test_web_page_view_and_png(lib: Library) -> None:
    app = create_app(lib.settings)
    client = app.test_client()
    rid = report_id(lib)
    hits = client.get("/search", query_string={"q": f'"{NEEDLE}"'}).text
    assert f"/reports/{rid}/pages/2?hl=" in hits
    start = lib.page(rid, 2)["text"].index(NEEDLE)
    hl = f"{start}-{start + len(NEEDLE)}"
    page = client.get(f"/reports/{rid}/pages/2", query_string={"hl": hl})
    assert page.status_code == 200
    assert "data-boxes=" in page.text and f"pages/2.png?w=1000&amp;hl={hl}" in page.text
    assert "Open PDF at this page" in page.text and "cite-box" in page.text
    png = client.get(f"/reports/{rid}/pages/2.png", query_string={"w": 400, "hl": hl})
    assert png.status_code == 200 and png.mimetype == "image/png"
    assert client.get(f"/reports/{rid}/pages/2.png", query_string={"w": 5000}).status_code == 400
    assert client.get(f"/reports/{rid}/pages/2", query_string={"hl": "9-3"}).status_code == 400
    assert client.get(f"/reports/{rid}/pages/9.png").status_code == 404
    app.config["LIBRARY"].renderer.close()


def test_a_passage_is_painted_on_a_rotated_page(corpus: Path, tmp_path: Path) -> None:
    """The Senate table's page is turned by /Rotate 90: its characters' boxes are in the
    unturned page, the picture shows it turned; "BAIN" is printed near the top left."""
    shutil.copy(corpus / "us-senate-expenditures-rotated.pdf", tmp_path / "senate.pdf")
    library = Library(Settings(data=tmp_path / "data", workers=1, ocr="off"))
    try:
        library.ingest([tmp_path / "senate.pdf"])
        (hit,) = library.search("BAIN").hits
        painted = library.page_png(hit.report_id, 1, 1000, hit.passage)
        plain = library.page_png(hit.report_id, 1, 1000)
    finally:
        library.close()
    changed = ImageChops.difference(
        Image.open(io.BytesIO(painted)).convert("RGB"), Image.open(io.BytesIO(plain)).convert("RGB")
    ).getbbox()
    # Where the word is in the 1000 x 773 picture, measured on it by eye.
    assert changed is not None
    left, top, right, bottom = changed
    assert left >= 245 and right <= 280 and top >= 165 and bottom <= 190
