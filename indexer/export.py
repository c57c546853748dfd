"""Reports written out as CSV, BibTeX, RIS or CSL-JSON, piece by piece.

Each report goes through the same mapping its citation does (`cite.csl_item`, and `cite.cite`
for BibTeX and RIS), so an export and the cite box never disagree. The writers take an iterator
of entries and yield text a few entries at a time, so an export of any size streams.

CSV is for spreadsheets: a cell that starts with = + - @, a tab or a carriage return is
prefixed with ' (OWASP's advice against formula injection); `unescape_cell` undoes it.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from . import cite as cite_mod
from .metadata import FIELDS, LISTS
from .models import Hit, Report

FORMATS = ("csv", "bibtex", "ris", "csl-json")
MEDIA_TYPES = {
    "csv": "text/csv",
    "bibtex": "application/x-bibtex",
    "ris": "application/x-research-info-systems",
    "csl-json": "application/vnd.citationstyles.csl+json",
}
SUFFIXES = {"csv": "csv", "bibtex": "bib", "ris": "ris", "csl-json": "json"}
# One row per report (a catalog export) or per matching page (an export of a search).
CSV_COLUMNS = ("report_id", *FIELDS, "url", "page", "page_label", "snippet")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
CHUNK = 50  # entries per piece of text yielded
EXPORT_HITS = 1000  # the best matching pages an export of a search holds
UrlOf = Callable[[str], str | None]


@dataclass
class Entry:
    """A report to export, with the pages of it that matched when the export is a search."""

    report: Report
    hits: list[Hit] = field(default_factory=list)


def safe_cell(value: str) -> str:
    """`value`, prefixed with ' when a spreadsheet would read it as a formula."""
    return "'" + value if value.startswith(FORMULA_START) else value


def unescape_cell(value: str) -> str:
    """The value `safe_cell` was given."""
    return value[1:] if value.startswith("'") and value[1:].startswith(FORMULA_START) else value


def write(entries: Iterable[Entry], fmt: str, url_of: UrlOf | None = None) -> Iterator[str]:
    """The entries in `fmt` (one of FORMATS), a few at a time. `url_of(report_id)` is the URL
    cited for a report whose record has no source URL (None: no URL)."""
    url_of = url_of or (lambda report_id: None)
    writers: dict[str, Callable[[Iterable[Entry], UrlOf], Iterator[str]]] = {
        "csv": _csv, "bibtex": _bibtex, "ris": _ris, "csl-json": _csl_json,
    }  # fmt: skip
    return writers[fmt](entries, url_of)


def _chunks(entries: Iterable[Entry]) -> Iterator[list[Entry]]:
    chunk: list[Entry] = []
    for entry in entries:
        chunk.append(entry)
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def record_cells(report: Report, url: str | None) -> dict[str, str]:
    """A report's record as CSV cells: authors as "Family, Given; Family, Given" and tags
    comma-separated (as a metadata.csv sidecar takes them), absent values empty."""
    cells = {"report_id": report.report_id}
    for name in FIELDS:
        value = report.meta.get(name)
        if name == "authors":
            value = "; ".join(_author(a) for a in value or [])
        elif name in LISTS:
            value = ", ".join(value or [])
        cells[name] = "" if value is None else str(value)
    cells["title"] = cells["title"] or report.title
    cells["url"] = report.meta.get("source_url") or url or ""
    return cells


def _author(name: dict[str, str]) -> str:
    if "literal" in name:
        return name["literal"]
    return ", ".join(p for p in (name.get("family"), name.get("given")) if p)


def _csv(entries: Iterable[Entry], url_of: UrlOf) -> Iterator[str]:
    buffer = io.StringIO()
    out = csv.writer(buffer, lineterminator="\r\n")
    out.writerow(CSV_COLUMNS)
    for chunk in _chunks(entries):
        for entry in chunk:
            record = record_cells(entry.report, url_of(entry.report.report_id))
            pages = [
                {"page": str(h.page), "page_label": h.page_label or "", "snippet": h.snippet}
                for h in entry.hits
            ] or [{}]
            for page in pages:
                row = record | page
                out.writerow(safe_cell(row.get(column, "")) for column in CSV_COLUMNS)
        yield _drain(buffer)
    if buffer.tell():
        yield _drain(buffer)


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text


def _bibtex(entries: Iterable[Entry], url_of: UrlOf) -> Iterator[str]:
    for chunk in _chunks(entries):
        yield "".join(
            cite_mod.cite(e.report, "bibtex", url=url_of(e.report.report_id)) + "\n" for e in chunk
        )


def _ris(entries: Iterable[Entry], url_of: UrlOf) -> Iterator[str]:
    for chunk in _chunks(entries):
        yield "".join(
            cite_mod.cite(e.report, "ris", url=url_of(e.report.report_id)) + "\n" for e in chunk
        )


def _csl_json(entries: Iterable[Entry], url_of: UrlOf) -> Iterator[str]:
    yield "["
    first = True
    for chunk in _chunks(entries):
        items = []
        for e in chunk:
            item: dict[str, Any] = cite_mod.csl_item(e.report, url_of(e.report.report_id))
            items.append(("\n" if first else ",\n") + json.dumps(item, ensure_ascii=False))
            first = False
        yield "".join(items)
    yield "\n]\n"
