"""The real corpus, ingested once: every file accounted for, phrases land on the right page."""

from __future__ import annotations

from pathlib import Path

import pytest

from indexer.ingest import IngestSummary
from indexer.library import Library
from tests.conftest import corpus_manifest

# Files that have no usable text layer (OCR off): scans, and text whose fonts map to mojibake
# in pypdf and PDFium alike.
NO_TEXT = {
    "scan-huckleberry-finn-c02-22.pdf",
    "scan-linn-sequencer-brochure-two-column.pdf",
    "ru-fstec-order-2020-75-scanned.pdf",
    "ru-fstec-order-17-garbled-fonts.pdf",
}
# Files whose text pypdf garbles and PDFium reads (Type1 fonts without a Unicode map; a
# Japanese gazette whose header line alone PDFium reads).
READ_BY_PDFIUM = {"us-senate-expenditures-rotated.pdf": 1, "jp-kampo-gazette-encrypted.pdf": 1}

# (file, phrase, PDF page, printed label or None): phrases read off the pages by hand.
PHRASES = [
    ("crs-R47324v18-seabed-mining.pdf",
     "improved technologies dedicated to the exploration and mapping of the deep sea", 4, "1"),
    ("crs-R47324v18-seabed-mining.pdf",
     "two exploration licenses determined to be in full compliance with DSHMRA", 20, "17"),
    ("crs-IF12672v12-russia-nuclear-weapons.pdf",
     "combines nonmilitary means, nonnuclear capabilities, and nuclear weapons", 2, None),
    ("federal-register-2020-17221.pdf",
     "AOA sensor system test and an operational readiness flight", 5, "47702"),
    ("ru-fstec-order-17-text.pdf", "не составляющей государственную тайну", 1, None),
    ("cn-anhui-land-use-standard-p173.pdf", "停车区用地指标基准值", 1, None),
    ("geotopo-lecture-notes-roman-page-labels.pdf",
     "Das Zusammensetzen von Wegen ist nur bis auf Homotopie assoziativ", 50, "47"),
]  # fmt: skip


def test_every_corpus_file_is_accounted_for(
    corpus: Path, corpus_ingest: tuple[Library, IngestSummary]
) -> None:
    lib, summary = corpus_ingest
    by_name = {Path(f.path).name: f for f in summary.files}
    assert set(by_name) == set(corpus_manifest())
    for name, outcome in by_name.items():
        if name in NO_TEXT:
            assert outcome.status == "no_text", name
        elif outcome.status == "failed":
            pytest.fail(f"{name} failed: {outcome.error}")
        else:
            assert outcome.status == "indexed", name
    entries = lib.reports()
    assert sum(len(e["files"]) for e in entries) == len(by_name)
    pages = {e["files"][0]["path"].rsplit("/", 1)[1]: e["pages"] for e in entries}
    assert all(pages[name] == m["pages"] for name, m in corpus_manifest().items())


def test_the_rotated_senate_table_is_found_through_pdfium(corpus_lib: Library) -> None:
    (hit,) = corpus_lib.search("BAIN").hits
    assert Path(hit.path).name == "us-senate-expenditures-rotated.pdf"
    assert hit.text_source == "pdfium" and "BAIN, J MATTHEW" in hit.snippet


def test_pages_per_text_source(corpus_lib: Library) -> None:
    """Only the pages pypdf garbles come from PDFium (OCR is off here)."""
    by_source: dict[str, dict[str, int]] = {}
    for entry in corpus_lib.reports():
        name = Path(entry["files"][0]["path"]).name
        for page in corpus_lib.report(entry["report_id"])["page_list"]:
            counts = by_source.setdefault(page["text_source"], {})
            counts[name] = counts.get(name, 0) + 1
    assert set(by_source) == {"pypdf", "pdfium"}
    assert by_source["pdfium"] == READ_BY_PDFIUM


def test_encrypted_with_empty_password_is_read(corpus_lib: Library) -> None:
    hit = corpus_lib.search("Salamanca").hits[0]
    assert hit.path.endswith("es-eoi-salamanca-form-encrypted-xfa.pdf")


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ('"Frank Frederickson"', "junk-before-header-ghostscript-banner.pdf"),
        ("مدنين", "tn-isie-2014-medenine-results-broken-xref.pdf"),
    ],
)
def test_broken_files_are_recovered(corpus_lib: Library, query: str, name: str) -> None:
    status = {e["files"][0]["path"].rsplit("/", 1)[1]: e["status"] for e in corpus_lib.reports()}
    assert status[name] == "indexed"
    assert Path(corpus_lib.search(query).hits[0].path).name == name


@pytest.mark.parametrize(("name", "phrase", "page", "label"), PHRASES)
def test_phrase_lands_on_the_right_page(
    corpus_lib: Library, name: str, phrase: str, page: int, label: str | None
) -> None:
    result = corpus_lib.search(f'"{phrase}"')
    assert result.hits, phrase
    hit = result.hits[0]
    assert (Path(hit.path).name, hit.page, hit.page_label) == (name, page, label)
    assert " ".join(phrase.split()).lower() in hit.snippet.lower()
    marked = " ".join(hit.snippet[s:e] for s, e in hit.highlights).lower()
    assert phrase.split()[0].lower().strip(",") in marked


def test_crs_reports_get_printed_page_labels(corpus_lib: Library) -> None:
    defi = next(
        e["report_id"]
        for e in corpus_lib.reports()
        if e["files"][0]["path"].endswith("crs-R48883v4-decentralized-finance.pdf")
    )
    result = corpus_lib.search("blockchain", per_report=0, limit=100, report_id=defi)
    labelled = [h for h in result.hits if h.page_label and h.page_label.isdigit()]
    assert len(labelled) >= 3
    # Printed folios follow the PDF pages at a fixed offset (cover and contents come first).
    assert {h.page - int(h.page_label or 0) for h in labelled} == {3}


def test_titles_come_from_page_one_when_metadata_lacks_them(corpus_lib: Library) -> None:
    titles = {e["files"][0]["path"].rsplit("/", 1)[1]: e["title"] for e in corpus_lib.reports()}
    assert "Memorials" in titles["crs-R45741-memorials-commemorative-works.pdf"]
    assert "Artemis" in titles["crs-IF11643v21-artemis.pdf"]
