"""Jinja filters and globals: highlighted snippets, page references, language names, where a
field of the record came from, and absolute URLs.

Everything here returns text for the autoescaping templates; the one filter that returns
markup (`highlight`) escapes every piece of the snippet itself.
"""

from __future__ import annotations

from flask import Flask
from markupsafe import Markup, escape

from ..cite import FORMATS
from ..cite import page_ref as cite_page_ref
from .params import FILTER_FIELDS, subscribe_url, url_with
from .record import safe_link
from .urls import external_url

CITE_LABELS = {
    "apa": "APA (7th ed.)",
    "chicago": "Chicago (author-date)",
    "mla": "MLA (9th ed.)",
    "bibtex": "BibTeX",
    "ris": "RIS",
    "csl-json": "CSL-JSON",
}

# Where a field of the record came from (metadata "sources"), as the report page says it.
SOURCES = {
    "edit": "edited by a librarian", "sidecar": "from a sidecar file",
    "feed": "from the publisher's feed", "fetch": "recorded when it was fetched",
    "xmp": "from the PDF's XMP metadata", "info": "from the PDF's document info",
    "text": "from the report's text", "path": "from the file name",
}  # fmt: skip

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")  # fmt: skip

# The languages the indexer tells apart; an unknown code is shown as it is.
LANGUAGES = {
    "ar": "Arabic", "de": "German", "el": "Greek", "en": "English", "es": "Spanish",
    "fa": "Persian", "fr": "French", "he": "Hebrew", "hi": "Hindi", "it": "Italian",
    "ja": "Japanese", "ko": "Korean", "nl": "Dutch", "pl": "Polish", "pt": "Portuguese",
    "ru": "Russian", "uk": "Ukrainian", "zh": "Chinese",
}  # fmt: skip


def register(app: Flask) -> None:
    """Install the filters and globals on `app`'s Jinja environment."""
    app.jinja_env.filters.update(
        highlight=highlight, page_ref=page_ref, language_name=language_name, number=number,
        source_name=source_name, long_date=long_date, safe_link=safe_link,
    )  # fmt: skip
    app.jinja_env.globals.update(
        url_with=url_with, cite_formats=[(f, CITE_LABELS.get(f, f)) for f in FORMATS],
        external_url=external_url, without_filters=without_filters, subscribe_url=subscribe_url,
    )  # fmt: skip


def highlight(snippet: str, highlights: list[list[int]]) -> Markup:
    """The snippet, escaped, with each [start, end) span wrapped in <mark>."""
    out, last = [], 0
    for start, end in sorted(highlights):
        if start < last or end > len(snippet) or start >= end:
            continue  # overlapping, empty or out-of-range spans would garble the text
        out += [escape(snippet[last:start]), Markup("<mark>"), escape(snippet[start:end])]
        out.append(Markup("</mark>"))
        last = end
    out.append(escape(snippet[last:]))
    return Markup("").join(out)


def page_ref(
    page: int, label: str | None, end: int | None = None, end_label: str | None = None
) -> str:
    """'p. 17 (PDF p. 19)', 'PDF p. 19', or 'pp. 21–22 (PDF pp. 24–25)' for a passage that
    runs on to the next page."""
    return cite_page_ref(page, label, end, end_label)


def language_name(code: str | None) -> str:
    """'English' for 'en'; the code itself when it is not a known one."""
    return LANGUAGES.get(code or "", code or "unknown")


def number(value: int) -> str:
    """12,345."""
    return f"{value:,}"


def source_name(source: str | None) -> str:
    """ "from the report's text" for "text": where a field's value came from, in words."""
    return SOURCES.get(source or "", source or "unknown")


def long_date(iso: str | None) -> str:
    """ "April 15, 2026" for 2026-04-15, "April 2026" for 2026-04, the year alone for 2026."""
    parts = [int(p) for p in (iso or "").split("-") if p.isdigit()]
    if len(parts) >= 2 and 1 <= parts[1] <= 12:
        month = MONTHS[parts[1] - 1]
        return f"{month} {parts[2]}, {parts[0]}" if len(parts) == 3 else f"{month} {parts[0]}"
    return iso or ""


def without_filters() -> str:
    """This page's URL with every filter (and the results page) removed."""
    return url_with(p=None, **dict.fromkeys(FILTER_FIELDS))
