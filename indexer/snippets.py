"""Cut one snippet out of a page around its matches: pure, text and offsets in and out.

The snippet is a verbatim substring of the page (nothing is added, not even "…"), so a reader can
find it in the PDF and a test can check it against the page text.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

Span = tuple[int, int]


class Snippet(NamedTuple):
    """`text` is `page_text[start:start + len(text)]`; highlights are relative to `start`."""

    text: str
    start: int
    highlights: list[list[int]]


def make_snippet(
    text: str,
    spans: Sequence[Span],
    phrase_spans: Sequence[Span] = (),
    *,
    min_len: int = 200,
    max_len: int = 300,
) -> Snippet:
    """Cut the `min_len`..`max_len` characters of `text` around its densest cluster of matches.

    `spans` are (start, end) offsets of matched words, `phrase_spans` of whole matched phrases;
    a window holding a phrase always beats one holding only words, so a phrase shorter than
    `max_len` is shown whole. Cuts fall on whitespace where the length bounds allow. Text no
    longer than `max_len` is returned whole; with no matches the snippet is the start of the page.
    Highlights are the (merged) matches lying wholly inside the snippet, sorted and disjoint.
    """
    if min_len > max_len or max_len <= 0:
        raise ValueError("need 0 < max_len and min_len <= max_len")
    matches = _merge(text, spans, phrase_spans)
    if len(text) <= max_len:
        start, end = 0, len(text)
    else:
        keep = _densest(matches, max_len) if matches else (0, 0)
        start, end = _window(text, keep, min_len, max_len)
    highlights = [[s - start, e - start] for s, e, _ in matches if start <= s and e <= end]
    return Snippet(text[start:end], start, highlights)


def _merge(
    text: str, spans: Sequence[Span], phrase_spans: Sequence[Span]
) -> list[tuple[int, int, bool]]:
    """Clip, sort and merge overlapping spans; a merged span is a phrase if any part of it was."""
    n = len(text)
    marked = [(max(s, 0), min(e, n), False) for s, e in spans]
    marked += [(max(s, 0), min(e, n), True) for s, e in phrase_spans]
    merged: list[tuple[int, int, bool]] = []
    for s, e, phrase in sorted(m for m in marked if m[0] < m[1]):
        if merged and s < merged[-1][1]:
            ps, pe, pphrase = merged[-1]
            merged[-1] = (ps, max(pe, e), pphrase or phrase)
        else:
            merged.append((s, e, phrase))
    return merged


def _densest(matches: list[tuple[int, int, bool]], max_len: int) -> Span:
    """The (start, end) of the best cluster of matches that fits in `max_len` characters."""
    # Merged spans are disjoint, so a window holds at most max_len of them: one phrase outweighs
    # any number of words.
    phrase_weight = max_len + 1
    best_score, best = -1, (matches[0][0], matches[0][0] + max_len)
    for i, (first, _, _) in enumerate(matches):
        limit = first + max_len
        score, last_end = 0, None
        for s, e, phrase in matches[i:]:
            if s >= limit:
                break
            if e <= limit:
                score += phrase_weight if phrase else 1
                last_end = e if last_end is None else max(last_end, e)
        if score > best_score:
            # A span too long to fit anchors the window at its start.
            best_score, best = score, (first, last_end if last_end is not None else limit)
    return best


def _window(text: str, keep: Span, min_len: int, max_len: int) -> Span:
    """A window of `max_len` centred on `keep`, then moved inwards to whitespace where possible."""
    n = len(text)
    keep_start, keep_end = keep
    pad = (max_len - (keep_end - keep_start)) // 2
    start = min(max(keep_start - pad, 0), n - max_len)
    end = start + max_len

    # Never cut past the kept cluster, and never below min_len.
    new_start = _next_word_start(text, start, limit=min(keep_start, end - min_len))
    if new_start != start:
        start, end = new_start, min(n, new_start + max_len)
    end = _prev_word_end(text, start, end, limit=max(keep_end, start + min_len))
    return start, end


def _next_word_start(text: str, start: int, limit: int) -> int:
    """`start` moved right to the beginning of a word, if that stays at or before `limit`."""
    pos = start
    if pos > 0 and not text[pos - 1].isspace():
        while pos < len(text) and not text[pos].isspace():
            pos += 1
    while pos < len(text) and text[pos].isspace():
        pos += 1
    return pos if pos <= limit else start


def _prev_word_end(text: str, start: int, end: int, limit: int) -> int:
    """`end` moved left to the end of a word, if that stays at or after `limit`."""
    pos = end
    if pos < len(text) and not text[pos].isspace():
        while pos > start and not text[pos - 1].isspace():
            pos -= 1
    while pos > start and text[pos - 1].isspace():
        pos -= 1
    return pos if pos >= limit else end
