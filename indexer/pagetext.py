"""A report's raw page texts -> the display text of each page, its margins, and its seams.

This is where the rules of `margins.py` and `textforms.py` meet: margins are cut from each
page, the body and footnote block are turned into display text (with line-end hyphens mended
using the whole report's vocabulary), and the offset where the running body ends is kept.

A **seam** joins the last words of a page's running body (before its footnotes) to the first
words of the next page (after its margins), so that a phrase broken by a page turn is found.
In the seam's tokens, those of the next page carry the prefix `NEXT`: a phrase query that must
start on this page and end on the next asks for the plain words first and the prefixed ones
after, which no phrase lying wholly on one page can match.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from .margins import split_pages
from .publishers import margin_patterns
from .textforms import clean_line, compounds, finish_display, join_lines

SEAM_WORDS = 30  # words taken from each side of a page break
SEAM_CHARS = 240  # ... and at most this many characters (scripts written without spaces)
SEAM_BREAK = "\ue001"  # marks, inside a seam's value, where the next page begins
NEXT = "^"  # prefix of the next page's tokens in the seam field (never part of a word)
_CJK_EDGE = re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")


@dataclass
class DerivedPage:
    """The display form of one page, what was cut from it, and where its running body ends."""

    text: str
    margins: list[str]
    body_end: int
    spaced: list[list[int]]


def derive_pages(raw_pages: Sequence[str], publisher: str | None = None) -> list[DerivedPage]:
    """Display text, margins, body end and letter-spaced spans of each raw page of a report."""
    parts = split_pages(raw_pages, margin_patterns(publisher))
    body = [[clean_line(line) for line in p.body] for p in parts]
    notes = [[clean_line(line) for line in p.notes] for p in parts]
    hyphenated = compounds(line for lines in body + notes for line in lines)
    derived = []
    for page, body_lines, note_lines in zip(parts, body, notes, strict=True):
        running = join_lines(body_lines, hyphenated)
        footnotes = join_lines(note_lines, hyphenated)
        text, spaced = finish_display(" ".join(t for t in (running, footnotes) if t))
        derived.append(DerivedPage(text, page.margins, len(running), spaced))
    return derived


def spans_within(spans: Sequence[Sequence[int]], start: int, end: int) -> list[list[int]]:
    """The [start, end) spans (letter-spaced words) that lie inside [start, end), shifted to
    start there: the spans of a piece of a display text."""
    return [[s - start, e - start] for s, e in spans if start <= s and e <= end]


def seam_tail(display: str, body_end: int | None) -> tuple[int, int]:
    """The [start, end) of the last words of a page's running body in its display text."""
    end = len(display) if body_end is None else min(body_end, len(display))
    while end > 0 and display[end - 1].isspace():
        end -= 1
    start = max(0, end - SEAM_CHARS)
    words = list(re.finditer(r"\S+", display[start:end]))
    if len(words) > SEAM_WORDS:
        start += words[-SEAM_WORDS].start()
    elif start > 0 and words:
        start += words[1].start() if len(words) > 1 else words[0].start()
    return start, end


def seam_head(display: str) -> str:
    """The first words of a page's display text (after its margins), at most SEAM_CHARS long."""
    head = display[:SEAM_CHARS]
    words = list(re.finditer(r"\S+", head))
    if len(words) > SEAM_WORDS:
        return head[: words[SEAM_WORDS - 1].end()]
    if len(display) > SEAM_CHARS and len(words) > 1 and not _CJK_EDGE.match(display[SEAM_CHARS]):
        return head[: words[-2].end()]  # the last word may be cut in two
    return head


def seam_value(tail: str, head: str) -> str:
    """The seam field's value: tail, SEAM_BREAK, head. Two pages of a script written without
    spaces are joined without one, so a word broken by the page turn is whole again."""
    joiner = "" if tail and head and _CJK_EDGE.match(tail[-1]) and _CJK_EDGE.match(head[0]) else " "
    return f"{tail}{SEAM_BREAK}{joiner}{head}"
