"""Printed page labels (declared, or folios from running headers/footers) and printed titles."""

from functools import cache
from pathlib import Path

from indexer.extract import extract
from indexer.labels import (
    assign_labels,
    detect_folios,
    heading_title,
    is_junk_author,
    is_junk_title,
)
from indexer.models import Document

CORPUS = Path(__file__).parent.parent.parent / "shared" / "corpus"
BODY = "Some body text of the report that goes on for a while.\nMore of it here.\n"


@cache
def corpus(name: str) -> Document:
    """A corpus file, extracted once for all the tests here."""
    return extract(CORPUS / name)


def page(header: str = "", footer: str = "", body: str = BODY) -> str:
    return f"{header}\n{body}{footer}\n"


def test_declared_labels_win_and_empty_ones_become_none():
    raw = [page(footer="7")] * 4
    assert assign_labels(["i", "ii", "", "1"], raw) == ["i", "ii", None, "1"]


def test_declared_labels_are_fitted_to_the_page_count():
    assert assign_labels(["1"], ["a", "b"]) == ["1", None]
    assert assign_labels(["1", "2", "3"], ["a"]) == ["1"]


def test_footer_folios_with_an_offset():
    raw = [page(), page(footer="Contents")] + [page(footer=str(n)) for n in range(1, 6)]
    assert assign_labels(None, raw) == [None, None, "1", "2", "3", "4", "5"]


def test_crs_style_running_header():
    raw = [page("Cover")] + [
        page(f"Seabed Mining: Issues for Congress\n \nCongressional Research Service   {n} ")
        for n in range(1, 5)
    ]
    assert detect_folios(raw) == [None, "1", "2", "3", "4"]


def test_roman_front_matter_then_arabic_body():
    raw = [page(footer=folio) for folio in ["i", "ii", "iii", "iv", "1", "2", "3", "4"]]
    assert detect_folios(raw) == ["i", "ii", "iii", "iv", "1", "2", "3", "4"]


def test_upper_case_roman_numerals_keep_their_case():
    raw = [page(footer=folio) for folio in ["I", "II", "III", "IV"]]
    assert detect_folios(raw) == ["I", "II", "III", "IV"]


def test_decorated_and_worded_folios():
    raw = [page(footer=f"- {n} -") for n in range(3, 6)] + [page(f"Page {n} of 9") for n in (6, 7)]
    assert detect_folios(raw) == ["3", "4", "5", "6", "7"]


def test_a_page_without_its_folio_inside_a_run_gets_the_implied_number():
    folios = ["1", "2", None, "4", "5"]
    raw = [page(footer=f or "Figure 3. A full-page map") for f in folios]
    assert detect_folios(raw) == ["1", "2", "3", "4", "5"]


def test_too_little_evidence_gives_no_labels():
    raw = [page(footer="3"), page(footer="4")] + [page()] * 8
    assert detect_folios(raw) == [None] * 10


def test_numbers_that_do_not_count_up_are_not_folios():
    raw = [page(footer=f"{n} Footnote text, see p. 12.") for n in (7, 3, 12, 9, 20, 14)]
    assert detect_folios(raw) == [None] * 6


def test_no_numbers_no_labels():
    assert detect_folios([page(), page(), page()]) == [None, None, None]
    assert detect_folios([]) == []


def test_two_page_document_with_both_folios():
    assert detect_folios([page(footer="1"), page(footer="2")]) == ["1", "2"]


def test_junk_titles_and_authors():
    for junk in ["Microsoft Word - x.docx", "untitled", "report.pdf", "R47324", "12345", "ab"]:
        assert is_junk_title(junk), junk
    assert not is_junk_title("Artemis")
    assert not is_junk_title("2007 Instruction 1040-NR")
    for junk in ["Administrator", "user", "PC3", "W:CAR:MP:FP"]:
        assert is_junk_author(junk), junk
    assert not is_junk_author("Marc Labonte, Andrew P. Scott")


def test_heading_skips_banners_urls_and_dates():
    raw = (
        " \nhttps://crsreports.congress.gov \nUpdated April 13, 2026\nArtemis: A Program\nThe body."
    )
    assert heading_title(raw) == "Artemis: A Program"
    assert heading_title("the middle of a sentence that\ngoes on and on") is None


def test_geotopo_declares_roman_then_arabic_labels():
    labels = [p.label for p in corpus("geotopo-lecture-notes-roman-page-labels.pdf").pages]
    assert labels[:5] == ["i", "ii", "iii", "1", "2"]
    assert labels[-1] == "114"
    assert len(labels) == 117


def test_crs_report_folios_start_on_the_fourth_pdf_page():
    doc = corpus("crs-R47324v18-seabed-mining.pdf")
    # Cover, summary and contents carry no printed number; PDF page 4 prints "1".
    assert "Congressional Research Service 1" in doc.pages[3].margins
    assert doc.pages[3].text.startswith("Introduction")
    assert [p.label for p in doc.pages[:5]] == [None, None, None, "1", "2"]
    assert [p.label for p in doc.pages] == [None] * 3 + [str(n) for n in range(1, 37)]


def test_crs_brief_without_folios_has_no_labels():
    doc = corpus("crs-IF11643v21-artemis.pdf")
    assert [p.label for p in doc.pages] == [None, None, None]
