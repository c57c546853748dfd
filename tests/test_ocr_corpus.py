"""The corpus files without a text layer, ingested with OCR on: every one becomes searchable,
each page says which extractor read it, and the rotated Senate table is read by PDFium."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from indexer.config import Settings
from indexer.library import Library
from tests.test_corpus import NO_TEXT

SENATE = "us-senate-expenditures-rotated.pdf"
# The text source of each page, in PDF order.
SOURCES = {
    "scan-huckleberry-finn-c02-22.pdf": ["ocr"],
    "scan-linn-sequencer-brochure-two-column.pdf": ["ocr"],
    "ru-fstec-order-2020-75-scanned.pdf": ["ocr"] * 4,
    "ru-fstec-order-17-garbled-fonts.pdf": ["ocr", "ocr"],  # a scan, then mojibake fonts
    SENATE: ["pdfium"],
}
# (file, query, PDF page): words read off the pictures by hand.
FOUND = [
    ("scan-huckleberry-finn-c02-22.pdf", '"We scrouched down and laid still"', 1),
    ("scan-linn-sequencer-brochure-two-column.pdf", '"32 Track MIDI Sequence Recorder"', 1),
    ("ru-fstec-order-2020-75-scanned.pdf", '"объекта критической информационной"', 2),
    ("ru-fstec-order-17-garbled-fonts.pdf", '"Список изменяющих документов"', 2),
    (SENATE, "BAIN", 1),
]


@pytest.fixture(scope="module")
def lib(
    corpus: Path, tmp_path_factory: pytest.TempPathFactory, tesseract: None
) -> Iterator[Library]:
    """The corpus files without a text layer, and the Senate table, ingested with OCR on."""
    root = tmp_path_factory.mktemp("ocr-corpus")
    for name in SOURCES:
        shutil.copy(corpus / name, root / name)
    library = Library(Settings(data=root / "data", workers=2, extract_timeout=120))
    library.ingest([root])
    yield library
    library.close()


def test_every_file_without_text_is_indexed_with_ocr(lib: Library) -> None:
    assert set(SOURCES) >= NO_TEXT
    reports = {Path(e["files"][0]["path"]).name: e for e in lib.reports()}
    assert {name: e["status"] for name, e in reports.items()} == dict.fromkeys(SOURCES, "indexed")
    for name, sources in SOURCES.items():
        page_list = lib.report(reports[name]["report_id"])["page_list"]
        assert [p["text_source"] for p in page_list] == sources, name
    assert lib.collection_stats()["needs_ocr"] == []


@pytest.mark.parametrize(("name", "query", "page"), FOUND)
def test_the_scans_are_found(lib: Library, name: str, query: str, page: int) -> None:
    hit = lib.search(query).hits[0]
    assert (Path(hit.path).name, hit.page) == (name, page)
    assert hit.text_source == ("pdfium" if name == SENATE else "ocr")


def test_a_scanned_report_takes_no_title_from_ocr_noise(lib: Library) -> None:
    """The first lines OCR reads on a scan are a stamp here: the record's title does not come
    from them (the file name stands in)."""
    (hit,) = lib.search('"We scrouched down"').hits
    assert hit.title == "scan-huckleberry-finn-c02-22"
    order = lib.search('"объекта критической информационной"').hits[0]
    assert order.title == "ru-fstec-order-2020-75-scanned"
