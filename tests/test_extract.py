"""Extraction of real and generated PDFs, one at a time and in worker processes."""

import logging
import multiprocessing
from functools import cache
from pathlib import Path

import pytest

from indexer.errors import ExtractionError
from indexer.extract import extract
from indexer.models import EMPTY, GARBLED, OK, PDFIUM, PYPDF, Document
from indexer.workers import extract_all
from tests.pdfs import (
    make_empty_file,
    make_image_only_pdf,
    make_not_a_pdf,
    make_pdf,
    make_pdf_with_broken_page,
    make_truncated_pdf,
)

CORPUS = Path(__file__).parent.parent.parent / "shared" / "corpus"

PAGES = [
    "Preface of the report, written before the rest of it.\nIt explains the approach.",
    "Chapter one covers inter-\nnational relations, as Keating-\nBitonti argued at length.",
    "The international order: ﬁnance and eﬃcient markets.\nРусский текст: защита информации.",
    "Closing remarks on the whole subject of this report.",
]


@cache
def corpus(name: str) -> Document:
    """A corpus file, extracted once for all the tests here."""
    return extract(CORPUS / name)


@pytest.fixture
def report(tmp_path):
    return make_pdf(
        tmp_path / "report.pdf",
        PAGES,
        title="International Relations Today",
        author="Jane Q. Doe",
        page_labels=["i", "ii", "1", "2"],
    )


def test_pages_come_out_in_order_with_text(report):
    doc = extract(report)
    assert [p.number for p in doc.pages] == [1, 2, 3, 4]
    assert doc.pages[0].text == (
        "Preface of the report, written before the rest of it. It explains the approach."
    )
    assert all(p.quality == OK for p in doc.pages)


def test_declared_page_labels(report):
    assert [p.label for p in extract(report).pages] == ["i", "ii", "1", "2"]


def test_dehyphenation_keeps_real_hyphens(report):
    text = extract(report).pages[1].text
    assert "covers international relations" in text
    assert "Keating-Bitonti argued" in text


def test_ligatures_and_cyrillic(report):
    text = extract(report).pages[2].text
    assert "finance and efficient markets" in text
    assert "Русский текст: защита информации." in text


def test_metadata(report):
    doc = extract(report)
    assert (doc.title, doc.author) == ("International Relations Today", "Jane Q. Doe")
    assert doc.created is not None and len(doc.created) == 10
    assert doc.year == int(doc.created[:4])


def test_footer_folios_become_labels(tmp_path):
    path = make_pdf(tmp_path / "f.pdf", PAGES, footer_folios=[None, "1", "2", "3"])
    assert [p.label for p in extract(path).pages] == [None, "1", "2", "3"]


def test_junk_title_falls_back_to_the_first_heading(tmp_path):
    pages = ["Seabed Mining and the Law\nUpdated April 15, 2026\nThe body text starts here."]
    path = make_pdf(tmp_path / "x.pdf", pages, title="Microsoft Word - draft7.docx", author="admin")
    doc = extract(path)
    assert doc.title == "Seabed Mining and the Law"
    assert doc.author is None


def test_without_any_title_the_file_name_is_used(tmp_path):
    pages = ["the text begins in the middle of a sentence and goes on.\nand on and on."]
    assert extract(make_pdf(tmp_path / "notes-2024.pdf", pages)).title == "notes-2024"


def test_encrypted_with_an_empty_password_opens(tmp_path):
    path = make_pdf(tmp_path / "e.pdf", PAGES, encrypt_empty_password=True)
    assert "Keating-Bitonti" in extract(path).pages[1].text


def test_a_page_pypdf_fails_on_is_read_by_pdfium_and_the_rest_by_pypdf(tmp_path, caplog):
    path = make_pdf_with_broken_page(tmp_path / "damaged.pdf", PAGES[:3], broken=2)
    doc = extract(path)
    assert [(p.quality, p.text_source) for p in doc.pages] == [
        (OK, PYPDF), (OK, PDFIUM), (OK, PYPDF)
    ]  # fmt: skip
    assert "Keating-Bitonti argued" in doc.pages[1].text and "Русский текст" in doc.pages[2].text
    assert "damaged.pdf: page 2: text extraction failed" in caplog.text


def test_image_only_page_is_empty(tmp_path):
    doc = extract(make_image_only_pdf(tmp_path / "scan.pdf"))
    assert [(p.text, p.quality) for p in doc.pages] == [("", EMPTY)]


def test_truncated_file_is_refused_with_a_reason(tmp_path):
    # Cut in half, the file has lost its page tree and trailer: nothing is left to recover.
    with pytest.raises(ExtractionError, match="^cannot be read: "):
        extract(make_truncated_pdf(tmp_path / "cut.pdf"))


@pytest.mark.parametrize(
    ("make", "reason"),
    [(make_not_a_pdf, "not a PDF (no %PDF header)"), (make_empty_file, "empty file")],
)
def test_files_that_are_not_pdfs(tmp_path, make, reason):
    with pytest.raises(ExtractionError, match=reason.replace("(", r"\(").replace(")", r"\)")):
        extract(make(tmp_path / "bad.pdf"))


def test_missing_file(tmp_path):
    with pytest.raises(ExtractionError, match="cannot be opened"):
        extract(tmp_path / "nowhere.pdf")


# --- the corpus ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "title"),
    [
        (
            "crs-R45741-memorials-commemorative-works.pdf",
            "Memorials and Commemorative Works Outside Washington, DC: Background, "
            "Federal Role, and Options for Congress",
        ),
        ("crs-RS22331v53-foreign-holdings-federal-debt.pdf", "Foreign Holdings of Federal Debt"),
        ("crs-IF11643v21-artemis.pdf", "Artemis: NASA’s Program to Return Humans to the Moon"),
    ],
)
def test_titleless_crs_reports_get_their_title_from_page_one(name, title):
    assert corpus(name).title == title


def test_crs_metadata():
    doc = corpus("crs-R47324v18-seabed-mining.pdf")
    assert doc.title == "Seabed Mining in Areas Beyond National Jurisdiction: Issues for Congress"
    assert (doc.author, doc.created, doc.subject) == (
        "Caitlin Keating-Bitonti",
        "2026-04-17",
        "CRS Report",
    )


def test_encrypted_corpus_files_open():
    spanish = corpus("es-eoi-salamanca-form-encrypted-xfa.pdf")
    assert "pasaporte" in spanish.pages[0].text and spanish.pages[0].quality == OK
    # The Japanese gazette opens, but its fonts map to nonsense in pypdf; PDFium reads it,
    # its vertical lines of one character each joined without spaces.
    (page,) = corpus("jp-kampo-gazette-encrypted.pdf").pages
    assert (page.quality, page.text_source) == (OK, PDFIUM) and "官報" in page.text
    assert "歩行者は、道路を横断してはならない" in page.text


def test_broken_xref_is_recovered():
    doc = corpus("tn-isie-2014-medenine-results-broken-xref.pdf")
    assert len(doc.pages) == 4
    assert "مدنين" in doc.pages[0].text
    assert all(p.quality == OK for p in doc.pages)


def test_junk_before_the_header_is_recovered_quietly(capfd, caplog):
    caplog.set_level(logging.INFO, logger="indexer.extract")
    doc = extract(CORPUS / "junk-before-header-ghostscript-banner.pdf")
    assert len(doc.pages) == 8 and "Frederickson" in doc.pages[0].text
    assert doc.warnings >= 1
    assert capfd.readouterr() == ("", "")
    summary = [r.getMessage() for r in caplog.records if r.name == "indexer.extract"]
    assert len(summary) == 1
    assert summary[0].startswith(f"{doc.title}.pdf: {doc.warnings} pypdf warnings, first: ")


def test_a_page_pypdf_garbles_is_read_by_pdfium_where_pdfium_does_better():
    """The Senate table's Type1 fonts have no Unicode map pypdf can use; PDFium reads them."""
    path = CORPUS / "us-senate-expenditures-rotated.pdf"
    (alone,) = extract(path, second_extractor=False).pages
    assert (alone.quality, alone.text_source) == (GARBLED, PYPDF) and "BAIN" not in alone.text
    (page,) = corpus(path.name).pages
    assert (page.quality, page.text_source) == (OK, PDFIUM)
    assert "BAIN, J MATTHEW DISTRICT DIRECTOR" in page.text


def test_where_pdfium_reads_mojibake_too_pypdf_text_stays():
    (scan, page) = corpus("ru-fstec-order-17-garbled-fonts.pdf").pages
    assert (page.quality, page.text_source) == (GARBLED, PYPDF)  # OCR's turn (test_ocr_corpus)
    assert (scan.quality, scan.text_source) == (EMPTY, PYPDF)  # a picture, no text


def test_mojibake_fonts_are_garbled_and_real_russian_is_ok():
    garbled = corpus("ru-fstec-order-17-garbled-fonts.pdf")
    assert [p.quality for p in garbled.pages] == [EMPTY, GARBLED]
    text = corpus("ru-fstec-order-17-text.pdf")
    assert [p.quality for p in text.pages] == [OK, OK]


def test_number_heavy_tables_and_other_scripts_are_ok():
    for name in [
        "cn-anhui-land-use-standard-p173.pdf",
        "fbi-nics-background-checks-2015-11-rotated.pdf",
    ]:
        assert [p.quality for p in corpus(name).pages] == [OK], name


# --- many files in worker processes -------------------------------------------------------


def test_extract_all_gives_one_result_per_file_even_for_bad_ones(tmp_path):
    good = [CORPUS / "crs-IF10753v6-energy-star.pdf", CORPUS / "ru-fstec-order-17-text.pdf"]
    bad = [make_not_a_pdf(tmp_path / "bad.pdf"), tmp_path / "missing.pdf"]
    results = dict(extract_all([good[0], *bad, good[1]], workers=2))
    assert set(results) == {*good, *bad}
    assert all(isinstance(results[p], Document) for p in good)
    assert str(results[bad[0]]) == "not a PDF (no %PDF header)"
    assert isinstance(results[bad[1]], ExtractionError)


def test_extract_all_workers_print_nothing_and_log_through_the_parent(capfd, caplog):
    caplog.set_level(logging.INFO, logger="indexer.extract")
    junk = CORPUS / "junk-before-header-ghostscript-banner.pdf"
    [(path, doc)] = list(extract_all([junk], workers=1))
    assert isinstance(doc, Document) and doc.warnings >= 1
    assert capfd.readouterr() == ("", "")
    assert any(r.getMessage().startswith(f"{junk.name}: ") for r in caplog.records)


def test_extract_all_times_out_a_slow_file_and_goes_on():
    slow = CORPUS / "geotopo-lecture-notes-roman-page-labels.pdf"
    results = list(extract_all([slow], workers=1, timeout=0.01))
    assert len(results) == 1
    assert isinstance(results[0][1], ExtractionError)
    assert "timed out" in str(results[0][1])
    assert not multiprocessing.active_children()


def test_extract_all_stops_its_workers_when_the_caller_stops():
    files = [CORPUS / "crs-IF10753v6-energy-star.pdf"] * 6
    results = extract_all(files, workers=2)
    assert isinstance(next(results)[1], Document)
    results.close()
    assert not multiprocessing.active_children()


# --- PDFium as the first extractor (INDEXER_EXTRACTOR=pdfium) -----------------------------


def test_pdfium_first_reads_pages_labels_and_margins_as_pypdf_does(tmp_path):
    pages = [
        f"Chapter {n}. The walrus survey counted {n * 100} animals on the ice."
        for n in (1, 2, 3, 4)
    ]
    path = make_pdf(
        tmp_path / "r.pdf", pages, title="Walrus survey", header="Arctic Research Brief",
        footer_folios=["iii", "iv", "1", "2"], page_labels=["iii", "iv", "1", "2"],
    )  # fmt: skip
    by_pypdf, by_pdfium = extract(path), extract(path, extractor="pdfium")
    assert [p.text_source for p in by_pdfium.pages] == [PDFIUM] * 4
    assert [p.text_source for p in by_pypdf.pages] == [PYPDF] * 4
    for a, b in zip(by_pypdf.pages, by_pdfium.pages, strict=True):
        assert (b.text, b.label, b.margins, b.quality) == (a.text, a.label, a.margins, a.quality)
    assert by_pdfium.title == by_pypdf.title == "Walrus survey"


def test_pdfium_first_leaves_a_file_it_refuses_to_pypdf(tmp_path):
    # PDFium looks for "%PDF" in the first 1,024 bytes, pypdf further: a long banner before it.
    made = make_pdf(tmp_path / "clean.pdf", ["A page about seals.", "Another about walruses."])
    path = tmp_path / "banner.pdf"
    path.write_bytes(b"%% print spooler banner line\n" * 100 + made.read_bytes())
    doc = extract(path, extractor="pdfium")
    assert [(p.text_source, p.text) for p in doc.pages] == [
        (PYPDF, "A page about seals."), (PYPDF, "Another about walruses."),
    ]  # fmt: skip


def test_an_unknown_extractor_is_refused(tmp_path):
    path = make_pdf(tmp_path / "r.pdf", ["text"])
    with pytest.raises(ValueError, match="INDEXER_EXTRACTOR"):
        extract(path, extractor="poppler")


def test_workers_extract_with_pdfium_first(tmp_path):
    paths = [make_pdf(tmp_path / f"{n}.pdf", [f"Report {n} on sea ice."]) for n in range(3)]
    got = dict(extract_all(paths, workers=2, extractor="pdfium"))
    assert {p.name: d.pages[0].text_source for p, d in got.items()} == {
        "0.pdf": PDFIUM, "1.pdf": PDFIUM, "2.pdf": PDFIUM,
    }  # fmt: skip
