"""Labels read off the printed pages: page numbers for citations, and a report's title.

Page labels: a PDF may declare them (/PageLabels); most reports do not, but print a folio in a
running header or footer ("Congressional Research Service   4"). We read those folios from the
first and last lines of each page's raw text and keep them only where they count up with the
PDF pages over a run of several pages: a single number in the margin proves nothing.

Titles: metadata titles are often file names or placeholders; then the first heading printed
on page 1 is the title, found past banners, dates and URLs.
"""

from __future__ import annotations

import re
import unicodedata
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
        """The pages from the first to the last that show the folio."""
        return range(self.pages[0], self.pages[-1] + 1)

    def label(self, page: int) -> str:
        """The folio the run implies for a 0-based page, printed like the others."""
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


# --- the title printed on the first page ---------------------------------------------------

_JUNK_TITLE = re.compile(
    r"(?i)^((microsoft )?(word|powerpoint|excel) - .*|untitled.*|no title|title|document\d*|"
    r"powerpoint presentation|slide \d+|.*\.(pdf|docx?|rtf|txt|odt|indd|tex|pptx?|xlsx?))$"
)
_JUNK_AUTHOR = {"admin", "administrator", "user", "owner", "author", "unknown", "default"}
# Lines that name the publisher or the kind of paper, not this paper (CRS prints them above
# the title of every report).
_BANNER = re.compile(
    r"(?i)^(congressional research service|crs (report|insight|legal sidebar|in focus)|"
    r"prepared for members and|committees of congress|legal sidebar|insighti?|in focus|"
    r"(report|working paper|policy brief|discussion paper|technical report)( no\.? ?\S+)?)$"
)
_URL = re.compile(r"(?i)(https?://|www\.|\S+@\S+\.\w|^\S+\.(gov|org|com|edu)\S*$)")
_DATE = re.compile(
    r"(?i)\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d|"
    r"\d{1,2}\.?\s+(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)|\d{4}\s*年\s*\d+\s*月"
)
# Words that stay lower case inside a title in English, German, French and Spanish.
_SMALL_WORDS_TEXT = """a an and as at but by for from in into nor of on or over per the to under
upon via vs with der die das und im von zu für mit auf dem den des ein eine de du la le les et en
pour sur à au aux del las el los y para por con"""
_SMALL_WORDS = frozenset(_SMALL_WORDS_TEXT.split())


def is_junk_title(title: str) -> bool:
    """Whether a metadata title is a file name, a placeholder or an id rather than a title."""
    one_token = " " not in title
    return (
        sum(c.isalpha() for c in title) < 3
        or bool(_JUNK_TITLE.match(title))
        or (one_token and any(c.isdigit() or c == "_" for c in title))
    )


def is_junk_author(author: str) -> bool:
    """Whether a metadata author is a login name or machine id rather than a person or body."""
    one_token = " " not in author
    return (
        sum(c.isalpha() for c in author) < 2
        or author.lower() in _JUNK_AUTHOR
        or (one_token and any(c.isdigit() or c in ":\\/_" for c in author))
    )


def heading_title(raw: str) -> str | None:
    """The title printed at the top of a page: its first heading-like line(s), or None.

    Banners, dates, URLs and ids are skipped; a line that starts a sentence running on into
    the next line is body text. A heading may go on over following title-case lines, up to
    a blank line.
    """
    lines = [line.strip() for line in raw.splitlines()]
    content = [i for i, line in enumerate(lines) if line][:12]  # a title sits near the top
    for i in content:
        line = lines[i]
        if _is_boilerplate(line) or not _may_start_title(line, lines[i + 1 : i + 2]):
            continue
        parts = [line]
        for nxt in lines[i + 1 : i + 4]:
            if not nxt or _is_boilerplate(nxt) or not _is_title_case(nxt) or parts[-1][-1] in ".;":
                break
            parts.append(nxt)
        return " ".join(unicodedata.normalize("NFKC", " ".join(parts)).split())[:300] or None
    return None


def _is_boilerplate(line: str) -> bool:
    """Banners, URLs, dates, page numbers and report ids: lines that are never the title."""
    words = line.split()
    return (
        bool(_BANNER.match(line) or _URL.search(line))
        or (len(words) <= 6 and bool(_DATE.search(line)))
        or sum(c.isalpha() for c in line) < 4
        or (len(words) == 1 and any(c.isdigit() for c in line))
    )


def _may_start_title(line: str, following: list[str]) -> bool:
    """A first title line: short or title case, and not a sentence running on."""
    text = [c for c in line if not c.isspace()]
    if len(line) > 150 or sum(c.isalpha() for c in text) < len(text) / 2:
        return False
    if line[-1] in ".,;" or line[0].islower() or (len(line.split()) < 2 and len(line) < 10):
        return False
    nxt = following[0].split() if following else []
    if nxt and nxt[0][0].islower() and nxt[0].lower() not in _SMALL_WORDS:
        return False  # "This section of the FEDERAL REGISTER / contains notices ..."
    return len(line) <= 60 or _is_title_case(line)


def _is_title_case(line: str) -> bool:
    """Every cased word capitalized except small words ("Issues for Congress")."""
    words = re.findall(r"[^\W\d_][\w'’&.-]*", line)
    cased = [w for w in words if w[0].isupper() or w[0].islower()]
    return bool(cased) and all(w[0].isupper() or w.lower() in _SMALL_WORDS for w in cased)
