"""What every engine indexes for a page, made once from the catalog's pages: the values of the
page fields (see `PAGE_FIELDS` in the package), before any engine's analysis.

Each engine turns a record into its own document: Whoosh passes it to its analyzers, OpenSearch
feeds the tokens of `tokens` to its `whitespace` analyzer. Making the values here, once, is what
keeps two engines from indexing a page differently.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from ..language import UND, language_of
from ..metadata import display_name
from ..models import Page, Report
from ..pagetext import seam_head, seam_tail, seam_value, spans_within
from ..textforms import match_form
from ..tokens import body_field

# How a page's tags are joined in `tags_facet` (Whoosh's untokenized facet column).
TAG_JOIN = "\x1f"
# Facet -> the untokenized field that counts it, in every engine.
FACETS = {
    "publisher": "publisher_facet",
    "year": "year",
    "lang": "lang",
    "report_type": "report_type",
    "tag": "tags_facet",
}
# Years a facet counts: pages without a year have a stand-in outside this range.
FACET_YEARS = range(1000, 10000)


class ReportWriter:
    """What every engine's writer does alike inside one block of changes: a report is added
    once (its old pages deleted first), and only reports the index holds are deleted, looked
    up once per block. An engine supplies `_find_present`, `_add_page` and `_delete_pages`."""

    def __init__(self) -> None:
        self._present: set[str] | None = None
        self._added: set[str] = set()

    def add_report(self, report: Report, pages: Iterable[Page]) -> int:
        """Index `pages` of `report` (replacing any pages it had); returns how many were indexed.

        Pages without text or margins are skipped. Raises ValueError if the report was already
        added by this writer: an engine cannot delete pages it has not committed yet.
        """
        if report.report_id in self._added:
            raise ValueError(f"report {report.report_id!r} was already added in this writer")
        self.delete_report(report.report_id)
        self._added.add(report.report_id)
        count = 0
        for record in page_records(report, pages):
            self._add_page(record)
            count += 1
        return count

    def delete_report(self, report_id: str) -> int:
        """Delete every committed page of `report_id`; returns how many pages were deleted.

        Raises ValueError for a report added by this writer (commit first).
        """
        if report_id in self._added:
            raise ValueError(f"report {report_id!r} was added in this writer; commit first")
        if self._present is None:
            # Looked up once per writer: deleting only reports that exist skips a query per
            # new report.
            self._present = self._find_present()
        if report_id not in self._present:
            return 0
        self._present.discard(report_id)
        return self._delete_pages(report_id)

    def _find_present(self) -> set[str]:
        """The reports with committed pages in the index."""
        raise NotImplementedError

    def _add_page(self, record: dict[str, Any]) -> None:
        """Index one page record."""
        raise NotImplementedError

    def _delete_pages(self, report_id: str) -> int:
        """Delete a report's committed pages; returns how many."""
        raise NotImplementedError


def page_records(report: Report, pages: Iterable[Page]) -> Iterator[dict[str, Any]]:
    """The field values of each indexed page of `report` (Whoosh's field names).

    Pages without text or margins are skipped. The page's match form and margins are in one
    of the stemmed fields (`tokens.body_field` of its language), and `lang` is its language
    ("" when undetermined: left out of the facet). `seam`, `seam_tail`, `seam_head`,
    `next_page` and `next_label` are there only when the page's text runs on to the next PDF
    page.
    """
    pages = list(pages)
    record = _record_fields(report)
    for page, following in zip(pages, [*pages[1:], None], strict=True):
        if not page.text.strip() and not page.margins:
            continue  # a page with its running lines only is still found by them
        match = match_form(page.text, page.spaced).text
        margins = "\n".join(match_form(line).text for line in page.margins)
        seam: dict[str, Any] = {}
        if following is not None and following.number == page.number + 1:
            seam = _seam_fields(page, following)
        # Pages extracted before languages were detected are detected here, on the way.
        language = language_of(page)
        yield {
            "doc_id": f"{report.report_id}:{page.number}",
            "report": report.report_id,
            "page": page.number,
            "page_label": page.label,
            "quality": page.quality,
            "text_source": page.text_source,
            "path": report.path,
            "text": page.text,
            "spaced": page.spaced,
            # Stemmed by the page's language; no positions: the margins can join it.
            body_field(language): f"{match}\n{margins}",
            "exact": match,
            # The same words as cross-script keys (tokens.translit_tokens).
            "translit": match,
            "margin": margins,
            "title": report.title,
            "author": report.author,
            "publisher": report.publisher,
            "year": report.year,
            "publisher_facet": report.publisher or "",
            "lang": "" if language == UND else language,
            **record,
            **seam,
        }


def _record_fields(report: Report) -> dict[str, Any]:
    """The index fields of a page that come from its report's metadata record."""
    meta = report.meta
    tags = [t.replace(",", " ") for t in meta.get("tags", [])]
    return {
        "authors": [display_name(a) for a in meta.get("authors", [])],
        "date": meta.get("date") or "",
        "number": meta.get("report_number") or "",
        "version": meta.get("version"),
        "report_type": meta.get("report_type") or "",
        "tag": ",".join(tags),
        "tags_facet": TAG_JOIN.join(tags),
        "work": report.work or "",
        "rank": report.rank,
        "added": report.added or "",
    }


def _seam_fields(page: Page, following: Page) -> dict[str, Any]:
    """The seam of `page` into `following` (the next PDF page), or nothing when either side
    has no words."""
    start, end = seam_tail(page.text, page.body_end)
    head = seam_head(following.text)
    if start >= end or not head.strip():
        return {}
    tail = match_form(page.text[start:end], spans_within(page.spaced, start, end)).text
    head_match = match_form(head, spans_within(following.spaced, 0, len(head))).text
    return {
        "seam": seam_value(tail, head_match),
        "seam_tail": [start, end],
        "seam_head": head_match,
        "next_page": following.number,
        "next_label": following.label,
    }
