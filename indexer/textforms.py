"""The printed and the searchable form of a page's text, and the map between them.

Three forms of each page exist. The **raw** text is what the extractor gave, kept in the
catalog. The **display** text is the page as printed, derived from the raw lines: ligature code
points split into letters, whitespace runs collapsed, control characters dropped, and a word
hyphenated at a line end joined when it is one word. Nothing else changes: "№", full-width
brackets, superscripts, accents and curly quotes stay as printed, because quotes are cut from it.
The **match** text folds what a searcher should not have to type (NFKC, case, ё/е, apostrophe
variants, letter-spaced words); it is what the index sees. `MatchText` maps every match offset
back to the display, so a hit found in the match text is highlighted in the printed text.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

# Ligature code points (ﬀ ﬁ ﬂ ﬃ ﬄ ﬅ ﬆ): fonts' glyph names, not letters anybody typed.
_LIGATURES = {chr(c): unicodedata.normalize("NFKC", chr(c)) for c in range(0xFB00, 0xFB07)}
# Zero-width joiners are part of the spelling of Persian, Indic and emoji sequences.
_KEEP_FORMAT = {"\u200c", "\u200d"}
_AS_SPACE = {"Cc", "Co", "Cs", "Cn"}
SOFT_HYPHEN = "\u00ad"
# Stands for a space inside a letter-spaced word while lines are joined (private use: cleaning
# has turned every private-use character of the page into a space by then).
_SPACED_MARK = "\ue000"
_LETTER = r"[^\W\d_]"
_LETTER_SPACED = re.compile(rf"(?<!\w){_LETTER}(?: {_LETTER}){{3,}}(?!\w)")
_LINE_END_HYPHEN = re.compile(rf"(\S*?)({_LETTER}+)([-\u2010{SOFT_HYPHEN}])$")
_HYPHENS = f"-\u2010{SOFT_HYPHEN}"
_LINE_START_WORD = re.compile(rf"{_LETTER}+")
_COMPOUND = re.compile(rf"({_LETTER}+)[-\u2010]({_LETTER}+)")
# Apostrophes users type in any of these ways inside a word ("м'ясо", "мʼясо", "don’t").
APOSTROPHES = frozenset("'\u2019\u02bc\u2018`\u00b4\u02b9\u2032")
# Han, kana and their punctuation and full-width forms: scripts that put no space between words.
_CJK_CHAR = re.compile("[\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")
_PLAIN = re.compile(r"[\x20-\x5f\x61-\x7e]+")  # ASCII without "`": folds one to one


class _CharTable(dict[int, str | None]):
    """What each character of a raw line becomes (`str.translate`'s table, filled as
    characters are met): itself, a ligature's letters, a space, or nothing."""

    def __missing__(self, code: int) -> str | None:
        ch = chr(code)
        if ch in _LIGATURES:
            value: str | None = _LIGATURES[ch]
        elif (ch.isascii() and ch.isprintable()) or ch == SOFT_HYPHEN:
            value = ch  # a soft hyphen is a hyphenation point: decided when lines are joined
        elif (cat := unicodedata.category(ch)) in _AS_SPACE or ch in "\ufffd\u200b":
            value = " "
        elif cat != "Cf" or ch in _KEEP_FORMAT:
            value = ch
        else:
            value = None
        if len(self) < _TABLE_SIZE:  # a file of every character fills no more than this
            self[code] = value
        return value


_TABLE_SIZE = 50_000
_CHARS = _CharTable()


def clean_line(line: str) -> str:
    """One raw line with controls dropped, letter-spaced runs marked, whitespace collapsed and
    ligatures split (the per-line part of the display form)."""
    text = line.translate(_CHARS)
    # "П Р И К А З Ы В А Ю": single letters and single spaces, before spaces are collapsed.
    text = _LETTER_SPACED.sub(lambda m: m.group().replace(" ", _SPACED_MARK), text)
    text = " ".join(text.split())
    # Only a soft hyphen ending the line means anything (a word broken there); others go.
    hyphen = SOFT_HYPHEN if text.endswith(SOFT_HYPHEN) else ""
    return " ".join(text.replace(SOFT_HYPHEN, "").split()) + hyphen


def compounds(lines: Iterable[str]) -> set[str]:
    """Hyphenated words printed whole inside a line ("well-known"), lower-cased: a line-end
    hyphen that splits the same pair of words is a real hyphen, not hyphenation."""
    found: set[str] = set()
    for line in lines:
        found.update(f"{a}-{b}".lower() for a, b in _COMPOUND.findall(line))
    return found


def join_lines(lines: Iterable[str], hyphenated: set[str] | frozenset[str] = frozenset()) -> str:
    """Cleaned lines joined into one run of text, mending words split at a line end.

    "reconnais-" + "sance" is one word: a lower-case letter before the hyphen and after the
    break, and "reconnais-sance" is not printed whole elsewhere (`hyphenated`). "Keating-" +
    "Bitonti" and "well-" + "known" (when "well-known" occurs) keep their hyphen, with no space.
    A hyphen ending a URL is kept too. A soft hyphen at a line end always joins. Chinese and
    Japanese, written without spaces, join with none: a line break there is no word break
    (and vertical text comes out a character a line).
    """
    text = ""
    for line in lines:
        if not line:
            continue
        if not text:
            text = line
            continue
        # Only the last word can end in a hyphen: look at it, not at the whole text so far.
        tail = text[text.rfind(" ") + 1 :] if text[-1] in _HYPHENS else ""
        end = _LINE_END_HYPHEN.search(tail) if tail else None
        if end is None:
            text += "" if _CJK_CHAR.match(text[-1]) and _CJK_CHAR.match(line) else " "
            text += line
        elif end.group(3) == SOFT_HYPHEN or _is_hyphenation(end, line, hyphenated):
            text = text[: len(text) - 1] + line
        else:
            text += line
    return " ".join(text.replace(SOFT_HYPHEN, "").split())


def _is_hyphenation(end: re.Match[str], line: str, hyphenated: set[str] | frozenset[str]) -> bool:
    start = _LINE_START_WORD.match(line)
    if start is None or not (end.group(2)[-1].islower() and line[0].islower()):
        return False
    if "/" in end.group(1) or "@" in end.group(1):
        return False  # a URL or address: its hyphens are part of it
    return f"{end.group(2)}-{start.group()}".lower() not in hyphenated


def finish_display(text: str) -> tuple[str, list[list[int]]]:
    """The display text with letter-spacing marks turned back into spaces, and the [start, end)
    spans of the letter-spaced words (what the match form joins)."""
    spans: list[list[int]] = []
    for m in re.finditer(rf"\S(?:{_SPACED_MARK}\S)+", text):
        spans.append([m.start(), m.end()])
    return text.replace(_SPACED_MARK, " "), spans


def display_text(raw: str, hyphenated: set[str] | frozenset[str] = frozenset()) -> str:
    """The display form of a whole raw text (no margins removed): for callers without pages."""
    lines = [clean_line(line) for line in raw.splitlines()]
    return finish_display(join_lines(lines, hyphenated))[0]


# --- the match form ------------------------------------------------------------------------


@lru_cache(maxsize=65536)
def _fold(cluster: str) -> str:
    """The match form of one character and its combining marks."""
    if unicodedata.category(cluster[0]) == "Cf" and cluster[0] not in _KEEP_FORMAT:
        return ""
    return unicodedata.normalize("NFKC", cluster).casefold().replace("ё", "е")


def fold_query(q: str) -> str:
    """A query in the match form's characters: NFKC, ё/Ё as е/Е, one apostrophe, no soft
    hyphens. Case is left alone (the analyzers fold it), so AND, OR and NOT still work."""
    q = unicodedata.normalize("NFKC", q).replace("ё", "е").replace("Ё", "Е")
    q = q.replace(SOFT_HYPHEN, "")
    return re.sub(rf"(?<={_LETTER})[{''.join(APOSTROPHES)}](?={_LETTER})", "'", q)


@dataclass
class MatchText:
    """The match form of a display text and the map back to it.

    The map is a list of segments, each (match start, display start, display end, linear): a
    linear segment maps character for character; another is one display character (with its
    combining marks) that folds to several match characters or to none.
    """

    text: str
    segments: list[tuple[int, int, int, bool]]
    _starts: list[int] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._starts = [s[0] for s in self.segments]

    def display_span(self, start: int, end: int) -> tuple[int, int]:
        """The display [start, end) printed where the match text has [start, end)."""
        if start >= end:
            return self._point(start), self._point(start)
        return self._point(start), self._end(end)

    def _segment(self, pos: int) -> tuple[int, int, int, bool]:
        return self.segments[max(bisect_right(self._starts, pos) - 1, 0)]

    def _point(self, pos: int) -> int:
        if not self.segments:
            return 0
        if pos >= len(self.text):
            return self.segments[-1][2]
        m0, d0, _, linear = self._segment(pos)
        return d0 + (pos - m0) if linear else d0

    def _end(self, end: int) -> int:
        m0, d0, d1, linear = self._segment(end - 1)
        return d0 + (end - m0) if linear else d1


class _Builder:
    """Appends folded pieces and the segments that map them back."""

    def __init__(self) -> None:
        self.pieces: list[str] = []
        self.segments: list[tuple[int, int, int, bool]] = []
        self.length = 0

    def add(self, folded: str, d0: int, d1: int) -> None:
        linear = len(folded) == d1 - d0
        last = self.segments[-1] if self.segments else None
        if linear and last and last[3] and last[2] == d0:
            self.segments[-1] = (last[0], last[1], d1, True)  # extends the previous run
        else:
            self.segments.append((self.length, d0, d1, linear))
        self.pieces.append(folded)
        self.length += len(folded)


def match_form(display: str, spaced: Sequence[Sequence[int]] = ()) -> MatchText:
    """The match form of a display text; `spaced` are the letter-spaced spans whose spaces go."""
    drop = {i for s, e in spaced for i in range(s, e) if display[i] == " "}
    built = _Builder()
    pos, n = 0, len(display)
    while pos < n:
        plain = None if drop else _PLAIN.match(display, pos)
        if plain:
            built.add(plain.group().lower(), pos, plain.end())
            pos = plain.end()
            continue
        end = pos + 1
        while end < n and unicodedata.category(display[end])[0] == "M":
            end += 1
        cluster = display[pos:end]
        if pos in drop:
            folded = ""
        elif cluster in APOSTROPHES and _between_letters(display, pos, end):
            folded = "'"
        else:
            folded = _fold(cluster)
        built.add(folded, pos, end)
        pos = end
    return MatchText("".join(built.pieces), built.segments)


def _between_letters(text: str, start: int, end: int) -> bool:
    return start > 0 and end < len(text) and text[start - 1].isalpha() and text[end].isalpha()
