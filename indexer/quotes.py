"""Where does this quote come from? A pasted passage -> the pages that print it, best first.

The passage is put in the same forms as the pages (line-end hyphens mended, ligatures split,
then folded), cut into word 3-grams, and the pages sharing the most 3-grams with it are the
candidates (looked up by the engine: no page is scanned). Each candidate, and the candidate
joined to its next page for a passage that runs over a page break, is then aligned with the
passage word by word (difflib) around the spot rapidfuzz finds, so that a few inserted, dropped
or changed words, curly or straight quotes and other dashes still give the printed passage, how
close it is, and where it differs.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import asdict, dataclass, field
from difflib import SequenceMatcher
from typing import Any

from rapidfuzz import fuzz

from .engine import SearchEngine
from .errors import QueryError
from .models import OCR, PYPDF
from .textforms import MatchText, display_text, match_form
from .tokens import shingles

MIN_WORDS, MAX_WORDS, MAX_CHARS = 5, 400, 5000
DEFAULT_LIMIT, MAX_LIMIT = 5, 50
CANDIDATES = 12  # pages aligned per lookup
MAX_SHINGLES = 96  # 3-grams of a long passage asked for (spread over all of it)
MIN_SCORE = 0.6  # closeness below which a page is not the passage's source

# Characters that differ between a quote's source and how it is pasted, one for one (so that
# offsets stay put): curly and straight quotes, dashes and hyphens.
_ALIGN = str.maketrans("‘’‚‛“”„‟–—‐‑−", "'" * 4 + '"' * 4 + "-" * 5)
_TOKEN = re.compile(r"\w+|[^\w\s]")


@dataclass
class QuoteMatch:
    """Where a pasted passage is printed: its verbatim display text and how close it is."""

    report_id: str
    title: str
    page: int
    page_label: str | None
    end_page: int
    end_page_label: str | None
    text: str
    exact: bool
    score: float
    differences: list[list[int]] = field(default_factory=list)
    # Which extractor read the page ("ocr" when OCR read either page of a passage that runs on).
    text_source: str = PYPDF
    # Where the passage starts in the display text of `page` (for links; not in the JSON).
    start: int = 0

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of a match (the CLI contract)."""
        data = asdict(self)
        del data["start"]
        return data

    @property
    def passage(self) -> tuple[int, int]:
        """The display-text offsets of the passage's part on `page`."""
        return self.start, self.start + len(self.text)


@dataclass
class QuoteResult:
    """The passage as asked and its matches, exact ones first."""

    query: str
    matches: list[QuoteMatch]

    def to_dict(self) -> dict[str, Any]:
        """The `quote --json` shape."""
        return {"query": self.query, "matches": [m.to_dict() for m in self.matches]}


def check_quote(text: str) -> None:
    """Raise QueryError, saying what is wrong, for a passage too short or too long to look up."""
    words = len(text.split())
    if len(text) > MAX_CHARS:
        raise QueryError(f"The quote is {len(text)} characters long; the limit is {MAX_CHARS}.")
    if words < MIN_WORDS:
        raise QueryError(f"The quote has {words} words; paste at least {MIN_WORDS}.")
    if words > MAX_WORDS:
        raise QueryError(f"The quote has {words} words; the limit is {MAX_WORDS}.")


def find_quote(index: SearchEngine, text: str, *, limit: int = DEFAULT_LIMIT) -> QuoteResult:
    """The pages that print `text` (or nearly), best first; an empty list when none does."""
    check_quote(text)
    if not 1 <= limit <= MAX_LIMIT:
        raise QueryError(f"limit must be from 1 to {MAX_LIMIT}")
    folded = match_form(display_text(text)).text
    grams = list(dict.fromkeys(shingles(folded)))
    if len(grams) > MAX_SHINGLES:
        step = len(grams) / MAX_SHINGLES
        grams = [grams[int(i * step)] for i in range(MAX_SHINGLES)]
    if not grams:
        return QuoteResult(text, [])
    candidates = index.quote_candidates(grams, CANDIDATES)
    quote = _tokens(folded.translate(_ALIGN))
    found = [m for page, following in candidates if (m := _best(quote, page, following))]
    # Ties (the same words printed twice) keep the order of the 3-gram search.
    found.sort(key=lambda m: (not m.exact, -m.score))
    kept: list[QuoteMatch] = []
    for match in found:
        # A passage over a page break is also found, in part, on its second page.
        if not any(k.report_id == match.report_id and k.page <= match.page <= k.end_page
                   for k in kept):  # fmt: skip
            kept.append(match)
    return QuoteResult(text, kept[:limit])


def _tokens(text: str) -> list[re.Match[str]]:
    return list(_TOKEN.finditer(text))


def _best(
    quote: list[re.Match[str]], page: dict[str, Any], following: dict[str, Any] | None
) -> QuoteMatch | None:
    """The passage on this page, or running on to the next one, whichever is closer."""
    options = [_on(quote, page, None)]
    if following is not None and page.get("seam_tail"):
        options.append(_on(quote, page, following))
    scored = [m for m in options if m is not None and m.score >= MIN_SCORE]
    return max(scored, key=lambda m: (m.exact, m.score), default=None)


def _on(
    quote: list[re.Match[str]], page: dict[str, Any], following: dict[str, Any] | None
) -> QuoteMatch | None:
    """Align the passage with the page's display text (joined, when `following` is given, from
    the end of its running body to the next page's text)."""
    display, spaced, boundary = page["text"], page.get("spaced") or [], None
    if following is not None:
        boundary = page["seam_tail"][1]
        head = following["text"]
        display = f"{display[:boundary]} {head}"
        spaced = [s for s in spaced if s[1] <= boundary]
        spaced += [[s + boundary + 1, e + boundary + 1] for s, e in following.get("spaced") or []]
    matched = match_form(display, spaced)
    span = _align(quote, _tokens(matched.text.translate(_ALIGN)))
    if span is None:
        return None
    start, end, exact, score, diffs = span
    d_start, d_end = matched.display_span(start, end)
    if boundary is not None and (d_start >= boundary or d_end <= boundary):
        return None  # wholly on one page: the page itself answers for it
    last = following if following is not None else page
    sources = [p.get("text_source") or PYPDF for p in (page, last)]
    return QuoteMatch(
        report_id=page["report"],
        title=page.get("title", ""),
        page=page["page"],
        page_label=page.get("page_label"),
        end_page=last["page"],
        end_page_label=last.get("page_label"),
        text=display[d_start:d_end],
        exact=exact,
        score=score,
        differences=[_relative(matched, s, e, d_start) for s, e in diffs],
        text_source=OCR if OCR in sources else sources[0],
        start=d_start,
    )


def _relative(matched: MatchText, start: int, end: int, origin: int) -> list[int]:
    d_start, d_end = matched.display_span(start, end)
    return [d_start - origin, d_end - origin]


def _align(
    quote: list[re.Match[str]], page: list[re.Match[str]]
) -> tuple[int, int, bool, float, list[tuple[int, int]]] | None:
    """(start, end) of the passage in the page's text, whether it is exact, its closeness and
    the (start, end) of each difference; None when the page does not hold it."""
    words = [t.group() for t in quote]
    tokens = [t.group() for t in page]
    if not words or not tokens:
        return None
    located = fuzz.partial_ratio_alignment(" ".join(words), " ".join(tokens))
    if located is None or located.score < MIN_SCORE * 100:
        return None
    # Token indices around the spot found, with room for inserted words.
    offsets, pos = [], 0
    for token in tokens:
        offsets.append(pos)
        pos += len(token) + 1
    pad = len(words) // 3 + 3
    first = max(0, bisect_right(offsets, located.dest_start) - 1 - pad)
    last = min(len(tokens), bisect_right(offsets, located.dest_end) - 1 + pad + 1)
    window = tokens[first:last]
    blocks = [b for b in SequenceMatcher(None, words, window, autojunk=False).get_matching_blocks()
              if b.size]  # fmt: skip
    if not blocks:
        return None
    lo, hi = blocks[0].b, blocks[-1].b + blocks[-1].size
    passage = window[lo:hi]
    exact = passage == words
    score = 1.0 if exact else min(0.99, fuzz.ratio(" ".join(words), " ".join(passage)) / 100)
    diffs = []
    for tag, _, _, j1, j2 in SequenceMatcher(None, words, passage, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        if j1 < j2:
            diffs.append((page[first + lo + j1].start(), page[first + lo + j2 - 1].end()))
        else:  # words of the quote that the page does not print: a point between two words
            at = page[first + lo + j1].start() if lo + j1 < hi else page[first + hi - 1].end()
            diffs.append((at, at))
    return page[first + lo].start(), page[first + hi - 1].end(), exact, round(score, 3), diffs
