"""Citations: styles rendered by citeproc-py, BibTeX and RIS that parsers read back."""

from __future__ import annotations

import json

import bibtexparser
import pytest
import rispy
from bibtexparser import middlewares
from hypothesis import given, settings
from hypothesis import strategies as st

from indexer.cite import FORMATS, STYLES, cite, split_authors
from indexer.errors import QueryError
from indexer.models import Report

SEABED = Report(
    report_id="3b9240b84917d261",
    path="/x/seabed.pdf",
    title="Seabed Mining in Areas Beyond National Jurisdiction: Issues for Congress",
    author="Caitlin Keating-Bitonti",
    publisher="Congressional Research Service",
    year=2026,
    created="2026-04-17",
)
URL = "http://127.0.0.1:5000/reports/3b9240b84917d261"


def read_bibtex(text: str) -> dict[str, str]:
    library = bibtexparser.parse_string(
        text, append_middleware=[middlewares.LatexDecodingMiddleware()]
    )
    assert not library.failed_blocks
    (entry,) = library.entries
    return {k: f.value for k, f in entry.fields_dict.items()} | {"ENTRYTYPE": entry.entry_type}


@pytest.mark.parametrize(
    ("author", "expected"),
    [
        ("Amy F. Woolf", [{"family": "Woolf", "given": "Amy F."}]),
        ("Woolf, Amy F.", [{"family": "Woolf", "given": "Amy F."}]),
        (
            "Marc Labonte, Andrew P. Scott",
            [{"family": "Labonte", "given": "Marc"}, {"family": "Scott", "given": "Andrew P."}],
        ),
        ("Smith, J.; Jones, K.",
         [{"family": "Smith", "given": "J."}, {"family": "Jones", "given": "K."}]),
        ("Congressional Research Service", [{"literal": "Congressional Research Service"}]),
        ("", []),
        (None, []),
    ],
)  # fmt: skip
def test_split_authors(author: str | None, expected: list[dict[str, str]]) -> None:
    assert split_authors(author) == expected


def test_apa_names_the_printed_page() -> None:
    text = cite(SEABED, "apa", page=20, page_label="17", url=URL)
    reference, in_text = text.split("\n")
    assert reference.startswith("Keating-Bitonti, C. (2026).")
    assert "Seabed Mining in Areas Beyond National Jurisdiction" in reference
    assert "Congressional Research Service" in reference and URL in reference
    assert in_text == "(Keating-Bitonti, 2026, p. 17)"


def test_chicago_and_mla_fall_back_to_the_pdf_page() -> None:
    assert cite(SEABED, "chicago", page=3).endswith("(Keating-Bitonti 2026, 3)")
    assert "2026" in cite(SEABED, "mla", page=3) and "3)" in cite(SEABED, "mla", page=3)


def test_bibtex_reads_back_to_the_same_fields() -> None:
    entry = read_bibtex(cite(SEABED, "bibtex", page=20, page_label="17", url=URL))
    assert entry["ENTRYTYPE"] == "techreport"
    assert entry["title"] == SEABED.title
    assert entry["author"] == "Keating-Bitonti, Caitlin"
    assert entry["institution"] == "Congressional Research Service"
    assert (entry["year"], entry["pages"], entry["url"]) == ("2026", "17", URL)


def test_ris_reads_back_to_the_same_fields() -> None:
    (entry,) = rispy.loads(cite(SEABED, "ris", page=20, page_label="17", url=URL))
    assert entry["type_of_reference"] == "RPRT"
    assert entry["title"] == SEABED.title
    assert entry["authors"] == ["Keating-Bitonti, Caitlin"]
    assert entry["publisher"] == "Congressional Research Service"
    assert (entry["year"], entry["start_page"], entry["urls"]) == ("2026", "17", [URL])


def test_csl_json_carries_the_locator() -> None:
    (item,) = json.loads(cite(SEABED, "csl-json", page=4, page_label="1", url=URL))
    assert item["type"] == "report" and item["locator"] == "1" and item["label"] == "page"
    assert item["issued"] == {"date-parts": [[2026, 4, 17]]}


def test_organisation_stays_whole_in_bibtex() -> None:
    crs = Report("a" * 16, "/x.pdf", "Foreign Holdings of Federal Debt", None,
                 "Congressional Research Service", 2026)  # fmt: skip
    text = cite(crs, "bibtex")
    assert "author = {{Congressional Research Service}}" in text  # braces as markup, unescaped
    assert read_bibtex(text)["author"] == "Congressional Research Service"
    assert "Congressional Research Service" in cite(crs, "apa").split("\n")[0]


def test_unknown_format_is_a_query_error() -> None:
    with pytest.raises(QueryError, match="unknown citation format"):
        cite(SEABED, "harvard")


# "^" is left out: it is written as LaTeX's \textasciicircum, which pylatexenc decodes to "ˆ".
text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\r\n^"),
    min_size=1,
    max_size=60,
).filter(lambda s: s.strip() == s and s.strip())


@settings(max_examples=60, deadline=None)
@given(title=text, publisher=text)
def test_bibtex_and_ris_round_trip_any_title(title: str, publisher: str) -> None:
    report = Report("b" * 16, "/y.pdf", title, None, publisher, 2020)
    assert read_bibtex(cite(report, "bibtex"))["title"] == title
    (entry,) = rispy.loads(cite(report, "ris"))
    assert entry["title"] == title and entry["publisher"] == publisher


@pytest.mark.parametrize(
    ("fmt", "page_mark"),
    [("apa", "p. 17)"), ("chicago", ", 17)"), ("mla", " 17)"), ("bibtex", "pages = {17}"),
     ("ris", "SP  - 17"), ("csl-json", '"locator": "17"')],
)  # fmt: skip
def test_every_format_names_the_report_and_its_printed_page(fmt: str, page_mark: str) -> None:
    assert set(FORMATS) == {"apa", "chicago", "mla", "bibtex", "ris", "csl-json"}
    text = cite(SEABED, fmt, page=20, page_label="17")
    assert "Seabed Mining in Areas Beyond National Jurisdiction" in text
    assert "Keating-Bitonti" in text
    assert page_mark in text
    assert "20" not in text.replace("2026", "")  # the PDF page is not what a citation names


RECORD = Report(
    report_id="b8b05bd2968e7b0d",
    path="/x/crs-IF12672v12.pdf",
    title="Russia’s Nuclear Weapons",
    author="Anya L. Fink",
    publisher="Congressional Research Service",
    year=2026,
    created="2026-04-22",
    meta={
        "title": "Russia’s Nuclear Weapons",
        "authors": [{"family": "Fink", "given": "Anya L."}],
        "publisher": "Congressional Research Service",
        "date": "2026-04-22",
        "report_number": "IF12672",
        "version": "12",
        "report_type": "In Focus",
        "source_url": "https://crsreports.congress.gov/product/pdf/IF/IF12672",
        "retrieved": "2026-05-01",
    },
)


def test_in_text_citations_name_the_printed_page_as_each_style_wants() -> None:
    in_text = {fmt: cite(RECORD, fmt, page=4, page_label="2").splitlines()[-1] for fmt in STYLES}
    assert in_text == {"apa": "(Fink, 2026, p. 2)", "chicago": "(Fink 2026, 2)", "mla": "(Fink 2)"}


def test_chicago_and_mla_name_people_in_full_apa_by_initials() -> None:
    assert cite(RECORD, "chicago").startswith("Fink, Anya L. 2026.")
    assert cite(RECORD, "mla").startswith("Fink, Anya L.")
    assert cite(RECORD, "apa").startswith("Fink, A. L. (2026).")


def test_the_record_goes_into_bibtex_ris_and_csl_json() -> None:
    bib = cite(RECORD, "bibtex", page=4, page_label="2")
    assert "month = apr," in bib  # the month macro, not {4}
    entry = read_bibtex(bib)
    assert entry["ENTRYTYPE"] == "techreport"
    assert (entry["number"], entry["type"], entry["institution"], entry["month"]) == (
        "IF12672", "In Focus", "Congressional Research Service", "apr",
    )  # fmt: skip
    assert entry["url"] == "https://crsreports.congress.gov/product/pdf/IF/IF12672"
    (ris,) = rispy.loads(cite(RECORD, "ris", page=4, page_label="2"))
    assert ris["type_of_reference"] == "RPRT"
    assert ris["issn"] == "IF12672"  # RIS keeps a report's number in SN
    assert ris["urls"] == ["https://crsreports.congress.gov/product/pdf/IF/IF12672"]
    (item,) = json.loads(cite(RECORD, "csl-json"))
    assert item["number"] == "IF12672" and item["genre"] == "In Focus"
    assert item["issued"] == {"date-parts": [[2026, 4, 22]]}
    assert item["accessed"] == {"date-parts": [[2026, 5, 1]]}
    assert item["URL"] == "https://crsreports.congress.gov/product/pdf/IF/IF12672"


def test_a_report_without_authors_is_cited_by_its_publisher() -> None:
    report = Report(
        report_id="9e72013ab6bbee77", path="/x/notes.pdf", title="Notes on Debt",
        publisher="Congressional Research Service", meta={"title": "Notes on Debt",
        "publisher": "Congressional Research Service", "date": "2026"},
    )  # fmt: skip
    assert cite(report, "apa").startswith("Congressional Research Service. (2026). Notes on Debt")
    assert cite(report, "mla").splitlines()[-1] == "(Congressional Research Service)"
