"""Page labels: the page numbers printed on the pages, which citations must use.

A PDF may declare them (/PageLabels); most reports do not, but print a folio in a running
header or footer ("Congressional Research Service   4"). We read those folios from the first
and last lines of each page's raw text and keep them only where they count up with the PDF
pages over a run of several pages: a single number in the margin proves nothing.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

EDGE_LINES = 3  # non-blank lines at the top and at the bottom of a page that may hold a folio
MIN_RUN = 3  # pages that must show the folio sequence before we believe it
MAX_GAP = 3  # pages in a row without a readable folio that a run may bridge
MIN_DENSITY = 0.6  # share of the pages of a run that must show their folio

_ARABIC = re.compile(r"\d{1,5}")
_ROMAN = re.compile(r"(?=[ivxlcdm]+$)m{0,3}(cm|cd|d?c{0,3})(xc|xl|l?x{0,3})(ix|iv|v?i{0,3})")
_PAGE_WORD = re.compile(r"(?i)\b(?:page|p\.|seite|стр\.?|página)\s*(\d{1,5})\b")
_DECORATION = " \t-\u2013\u2014|\u00b7\u2022*_"
_ROMAN_VALUES = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100, "d": 500, "m": 1000}


def assign_labels(pdf_labels: list[str] | None, raw_pages: list[str]) -> list[str | None]:
    """One printed page label (or None) per page.

    `pdf_labels` are the labels the PDF declares in /PageLabels (None when it declares none);
    they win, with empty labels as None. Otherwise folios are detected in the running
    headers and footers of `raw_pages`; pages where no reliable folio is found get None.
    """
    if pdf_labels is not None:
        labels: list[str | None] = [label.strip() or None for label in pdf_labels]
        return (labels + [None] * len(raw_pages))[: len(raw_pages)]
    return detect_folios(raw_pages)


@dataclass
class _Run:
    """Pages whose printed folios follow the PDF page order with one offset."""

    kind: str  # "arabic", "roman" or "ROMAN" (upper case)
    offset: int  # folio value minus 1-based PDF page number
    pages: list[int]  # 0-based pages that show the folio

    @property
    def span(self) -> range:
        return range(self.pages[0], self.pages[-1] + 1)

    def label(self, page: int) -> str:
        value = page + 1 + self.offset
        if self.kind == "arabic":
            return str(value)
        roman = _to_roman(value)
        return roman.upper() if self.kind == "ROMAN" else roman


def detect_folios(raw_pages: list[str]) -> list[str | None]:
    """Printed page numbers read from the running headers/footers, or None where unsure.

    Every number (or roman numeral) at the start or end of an edge line is a candidate;
    a candidate on PDF page p with value v votes for the offset v - p. Offsets voted for by
    enough nearby pages form runs; runs are taken best first as long as they do not overlap
    (so roman front matter and the arabic body each get theirs). Pages inside a run that
    show no folio (a full-page figure, a chapter opening) get the number the run implies.
    """
    votes: dict[tuple[str, int], set[int]] = defaultdict(set)
    for page, raw in enumerate(raw_pages):
        for kind, value in _candidates(raw):
            votes[(kind, value - (page + 1))].add(page)

    min_run = max(2, min(MIN_RUN, len(raw_pages) - 1))
    runs = [
        run
        for (kind, offset), pages in votes.items()
        for run in _split_runs(kind, offset, sorted(pages))
        if len(run.pages) >= min_run and len(run.pages) / len(run.span) >= MIN_DENSITY
    ]
    labels: list[str | None] = [None] * len(raw_pages)
    taken: set[int] = set()
    for run in sorted(runs, key=lambda r: (-len(r.pages), len(r.span), r.pages[0])):
        if taken.isdisjoint(run.span):
            taken.update(run.span)
            for page in run.span:
                labels[page] = run.label(page)
    return labels


def _split_runs(kind: str, offset: int, pages: list[int]) -> list[_Run]:
    """Cut the pages voting for one offset where more than MAX_GAP pages in a row are silent."""
    runs = [_Run(kind, offset, [pages[0]])]
    for page in pages[1:]:
        if page - runs[-1].pages[-1] > MAX_GAP + 1:
            runs.append(_Run(kind, offset, [page]))
        else:
            runs[-1].pages.append(page)
    return runs


def _candidates(raw: str) -> set[tuple[str, int]]:
    """(kind, value) of every number that could be a folio in the page's edge lines."""
    lines = [line for line in raw.splitlines() if line.strip()]
    edge = lines if len(lines) <= 2 * EDGE_LINES else lines[:EDGE_LINES] + lines[-EDGE_LINES:]
    found: set[tuple[str, int]] = set()
    for line in edge:
        tokens = line.strip(_DECORATION).split()
        if not tokens:
            continue
        for token in {tokens[0], tokens[-1]}:
            parsed = _parse_folio(token.strip(_DECORATION + "()[]."))
            if parsed:
                found.add(parsed)
        found.update(("arabic", int(n)) for n in _PAGE_WORD.findall(line))
    return found


def _parse_folio(token: str) -> tuple[str, int] | None:
    """("arabic", 12), ("roman", 4) for "iv", ("ROMAN", 4) for "IV", or None."""
    if _ARABIC.fullmatch(token) and int(token) > 0:
        return ("arabic", int(token))
    if token and (token.islower() or token.isupper()) and _ROMAN.fullmatch(token.lower()):
        return ("roman" if token.islower() else "ROMAN", _from_roman(token.lower()))
    return None


def _from_roman(numeral: str) -> int:
    """The value of a valid lower-case roman numeral."""
    total = 0
    for ch, nxt in zip(numeral, numeral[1:] + " ", strict=True):
        value = _ROMAN_VALUES[ch]
        total += -value if nxt != " " and _ROMAN_VALUES[nxt] > value else value
    return total


def _to_roman(value: int) -> str:
    """A positive integer as a lower-case roman numeral."""
    parts = []
    for number, numeral in (
        (1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
        (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"),
    ):  # fmt: skip
        count, value = divmod(value, number)
        parts.append(numeral * count)
    return "".join(parts)
