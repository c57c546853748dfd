"""Running headers and footers, and footnote blocks: the parts of a page around its flowing text.

A page's margins are the lines at its top or bottom that repeat on most pages of the report
(the report title, the publisher's name, the folio, a URL), plus lines a publisher is known to
print in its margins even once (`publishers.margin_patterns`). They are cut from the display
text, so that a quote never carries "Congressional Research Service 22" in its middle, but they
stay searchable.

pypdf often puts a footer at the top of the page's text; so each edge is read from the outside
in, and only an unbroken run of margin lines is taken, which keeps a report's title on its
cover even though the same words head every other page.

The footnote block at the bottom of a page is body text, but the words that run on to the next
page stop before it: `footnote_start` finds where it begins.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

EDGE_LINES = 4  # at most this many margin lines at each edge of a page
MAX_REPEATED = 3  # more repeated lines than this in a row at an edge are body, not a header
MIN_SHARE = 0.4  # share of a report's (distinct) pages an edge line must repeat on
MIN_PAGES = 2  # ... and at least this many pages

_DECORATION = " \t-\u2013\u2014|\u00b7\u2022*_"
_ROMAN = r"(?=[ivxlcdm]+$)m{0,3}(cm|cd|d?c{0,3})(xc|xl|l?x{0,3})(ix|iv|v?i{0,3})"
_FOLIO = re.compile(rf"\d{{1,5}}|{_ROMAN}")
# A line that continues a sentence starts with a word (a URL, "https://...", does not).
_FIRST_WORD = re.compile(r"([^\W\d_]+)(?:[\s,;!?)]|\.(?!\w)|$)")
_NOTE = re.compile(r"\s*(\d{1,3})\s+\S")
_CONTINUED_NOTE = re.compile(r"\s*\(\.\.\.\s*continued\)", re.IGNORECASE)


@dataclass
class PageParts:
    """A page's raw lines sorted into margins, running body and footnote block."""

    top: list[str]
    body: list[str]
    notes: list[str]
    bottom: list[str]

    @property
    def margins(self) -> list[str]:
        """The margin lines as printed, whitespace collapsed, top first."""
        return [" ".join(line.split()) for line in self.top + self.bottom]


def edge_key(line: str) -> str:
    """What two printings of the same running header share: case, spacing and the numbers
    (folios, dates of a version) do not count; a bare folio, arabic or roman, is "#".

    A line of numbers without letters (a table row) has no key: it is never a margin.
    """
    text = line.strip(_DECORATION).casefold()
    if _FOLIO.fullmatch(text):
        return "#"
    if not any(c.isalpha() for c in text):
        return ""
    return re.sub(r"\d+", "#", "".join(text.split()))


def split_pages(
    raw_pages: Sequence[str], patterns: Sequence[re.Pattern[str]] = ()
) -> list[PageParts]:
    """Sort each page's raw lines into top margin, body, footnote block and bottom margin.

    `patterns` are the publisher's known margin lines (matched against a whole line).
    """
    frequent = _frequent_edges(raw_pages)
    return [_split(raw.splitlines(), frequent, patterns) for raw in raw_pages]


def _split(
    lines: list[str], frequent: set[tuple[str, int, str]], patterns: Sequence[re.Pattern[str]]
) -> PageParts:
    filled = [i for i, line in enumerate(lines) if line.strip()]
    top = _edge(lines, filled[: EDGE_LINES + 1], "top", frequent, patterns)
    rest = filled[len(top) :]
    bottom = _edge(lines, rest[::-1][: EDGE_LINES + 1], "bottom", frequent, patterns)
    first = top[-1] + 1 if top else 0
    last = bottom[-1] if bottom else len(lines)
    body = lines[first:last]
    notes_at = footnote_start(body)
    return PageParts(
        top=[lines[i] for i in top],
        body=body[:notes_at],
        notes=body[notes_at:],
        bottom=[lines[i] for i in reversed(bottom)],
    )


def _edge(
    lines: list[str],
    order: list[int],
    edge: str,
    frequent: set[tuple[str, int, str]],
    patterns: Sequence[re.Pattern[str]],
) -> list[int]:
    """The margin lines at one edge: indices from `order` (the edge's lines, outermost first)
    while each is a publisher's margin line or repeats at this place on most pages.

    A run of repeated lines longer than MAX_REPEATED is body text printed on every page (a
    boilerplate paragraph), not a header: then only publisher's lines count.
    """
    texts = [" ".join(lines[i].split()) for i in order]
    known = [any(p.fullmatch(t) for p in patterns) for t in texts]
    repeated = [(edge, pos, edge_key(t)) in frequent for pos, t in enumerate(texts)]
    if all(repeated[: MAX_REPEATED + 1]) and len(repeated) > MAX_REPEATED:
        repeated = [False] * len(repeated)
    taken = []
    for i, is_known, is_repeated in zip(order[:EDGE_LINES], known, repeated, strict=False):
        if not (is_known or is_repeated):
            break
        taken.append(i)
    return taken


def _frequent_edges(raw_pages: Sequence[str]) -> set[tuple[str, int, str]]:
    """(edge, place, key) of the lines that sit at the same place from the top or bottom of
    most distinct pages.

    Pages with the same text count once: a file that repeats one page eight times has no
    running header, only eight copies of its text. A line that runs on into the same words on
    two pages (its sentence goes on in lower case) is a paragraph printed twice, not a header.
    """
    counts: Counter[tuple[str, int, str]] = Counter()
    runs_on: Counter[tuple[str, int, str, str]] = Counter()
    seen: set[str] = set()
    for raw in raw_pages:
        digest = hashlib.sha1(" ".join(raw.split()).encode()).hexdigest()
        if digest in seen or not raw.strip():
            continue
        seen.add(digest)
        filled = [" ".join(line.split()) for line in raw.splitlines() if line.strip()]
        for edge, texts in (("top", filled), ("bottom", filled[::-1])):
            zone = texts[: EDGE_LINES + 1]
            keys = [edge_key(t) for t in zone]
            counts.update((edge, pos, key) for pos, key in enumerate(keys) if key)
            for pos in range(len(zone) - 1):
                above, below = (pos, pos + 1) if edge == "top" else (pos + 1, pos)
                if _runs_on(zone[above], zone[below]):
                    runs_on[(edge, pos, keys[pos], keys[pos + 1][:16])] += 1
    needed = max(MIN_PAGES, math.ceil(MIN_SHARE * len(seen)))
    paragraph = {key[:3] for key, n in runs_on.items() if n >= 2}
    return {key for key, n in counts.items() if n >= needed and key not in paragraph}


def _runs_on(above: str, below: str) -> bool:
    """Whether `below` goes on with the sentence of `above` (in lower case, no full stop)."""
    word = _FIRST_WORD.match(below)
    return bool(word) and below[0].islower() and above[-1:].isalnum()


def footnote_start(lines: Sequence[str]) -> int:
    """The index of the first line of the footnote block at the end of `lines` (len(lines)
    when there is none).

    A block starts at a line opening with a note number n that is either set off by a blank
    line (the short rule above notes extracts as one) and called in the text above it ("...
    ABNJ.143"), or followed by lines opening with n+1 and n+2. A CRS "(...continued)" line,
    a note running on from the previous page, also starts one.
    """
    for i, line in enumerate(lines):
        if _CONTINUED_NOTE.match(line):
            return i
        m = _NOTE.match(line)
        if not m or int(m.group(1)) == 0:
            continue
        n = int(m.group(1))
        if _numbered_run(lines[i + 1 :], n + 1) >= 2:
            return i
        blank_before = i > 0 and not lines[i - 1].strip()
        if blank_before and re.search(rf"[^\s\d]{n}(?!\d)", "\n".join(lines[:i])):
            return i
    return len(lines)


def _numbered_run(lines: Sequence[str], expected: int) -> int:
    """How many of `lines` open with expected, expected + 1, ... in order (others between them
    are continuation lines); stops at a number out of sequence."""
    found = 0
    for line in lines:
        m = _NOTE.match(line)
        if m is None:
            continue
        if int(m.group(1)) != expected:
            break
        found += 1
        expected += 1
    return found
