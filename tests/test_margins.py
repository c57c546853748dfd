"""Running headers and footers, publishers' margin lines, and footnote blocks, on raw text."""

from indexer.margins import edge_key, footnote_start, split_pages
from indexer.publishers import margin_patterns

TITLE = "Seabed Mining: Issues for Congress"


def report(bodies: list[str], cover: str = "") -> list[str]:
    """Raw pages as pypdf gives CRS reports: title and folio line at the top of each page."""
    pages = [cover] if cover else []
    pages += [f"{TITLE}\nCongressional Research Service {n}\n{b}" for n, b in enumerate(bodies, 1)]
    return pages


BODIES = [f"Body text of page {n} goes on\nabout the seabed and more." for n in range(1, 6)]


def test_repeated_header_and_folio_lines_are_margins():
    parts = split_pages(report(BODIES))
    for n, page in enumerate(parts, 1):
        assert page.margins == [TITLE, f"Congressional Research Service {n}"]
        assert page.body == [f"Body text of page {n} goes on", "about the seabed and more."]


def test_the_title_on_the_cover_stays_text():
    cover = f"Updated April 15, 2026\n{TITLE}\nA summary of the issues."
    parts = split_pages(report(BODIES, cover=cover))
    assert parts[0].margins == []
    assert TITLE in parts[0].body


def test_a_publishers_margin_lines_count_on_one_page_too():
    pages = ["Text of a one-page brief.\nhttps://crsreports.congress.gov\nIF10753"]
    assert split_pages(pages)[0].margins == []
    parts = split_pages(pages, margin_patterns("Congressional Research Service"))
    assert parts[0].margins == ["https://crsreports.congress.gov", "IF10753"]
    assert parts[0].body == ["Text of a one-page brief."]


def test_identical_pages_have_no_margins():
    page = "Header line\nThe same text on every page.\nFooter line"
    assert all(p.margins == [] for p in split_pages([page] * 6))


def test_a_paragraph_printed_on_several_pages_is_not_a_header():
    filler = "The committee heard testimony on the budget, and members\nasked how it would work."
    pages = [f"Running head\n{filler}\nNews of {w}." for w in ("May", "June", "July", "Lent")]
    for page in split_pages(pages):
        assert page.margins == ["Running head"]
        assert page.body[0].startswith("The committee heard")


def test_table_rows_of_numbers_are_never_margins():
    pages = [f"12 450 33 19\nMiddle {n} of a table.\n7 8 9 10" for n in range(1, 6)]
    assert all(p.margins == [] for p in split_pages(pages))
    assert edge_key("- 12 -") == edge_key("xiv") == "#"


def test_footnote_block_after_a_blank_line_with_its_call_in_the_text():
    lines = ["in pursuit of its interests.143 For example, a", " ", "143 See Kraska, p. 503."]
    assert footnote_start(lines) == 2


def test_footnote_block_of_numbered_lines():
    lines = ["the text ends here", "12 First note,", "continued.", "13 Second.", "14 Third."]
    assert footnote_start(lines) == 1


def test_continued_note_from_the_previous_page_starts_the_block():
    assert footnote_start(["last words", "(...continued)", "rest of a note"]) == 1


def test_numbered_body_lines_are_not_footnotes():
    lines = ["Three steps follow.", "1 Open the file", "and read it.", "Done, in 2 steps."]
    assert footnote_start(lines) == len(lines)
