"""The reference for tests/test_tokens.py: indexer/analysis.py as it was at schema version 9,
before the analysis moved to indexer/tokens.py (Whoosh's own Porter and Russian stemmers).

Kept verbatim, apart from this docstring and an absolute import, so that hypothesis can compare
the engine-neutral tokens with what the index was fed for any text; test_tokens also checks this
copy against tests/data/token_streams.json, written by the original module. Not for production.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from whoosh.analysis import Analyzer, Filter, StopFilter, Token, Tokenizer
from whoosh.lang.porter import stem as porter_stem
from whoosh.lang.snowball.russian import RussianStemmer

from indexer.pagetext import NEXT, SEAM_BREAK

# Han, kana and Hangul: scripts written without spaces between words, indexed as character
# bigrams (as Lucene's CJK analyzer does) so that any substring of two or more characters is found.
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\U00020000-\U0002ffff"
# Numbers keep their separators ("3.5", "1,000"); elsewhere a dot splits, because reports glue
# footnote numbers to words ("DSHMRA.100") and "U.S." should match "U.S" and "US." alike.
_WORD = re.compile(r"\d+(?:[.,]\d+)+|\w+")
_RUNS = re.compile(f"[{_CJK}]+|[^{_CJK}]+")
_CJK_RUN = re.compile(f"[{_CJK}]")
_CYRILLIC = re.compile("[\u0400-\u04ff]")
_RUSSIAN = RussianStemmer()


class CJKTokenizer(Tokenizer):
    """Whoosh's word tokenizer, except that runs of CJK characters become overlapping bigrams.

    "GDP土地利用" yields "GDP", "土地", "地利", "利用"; a lone CJK character is its own token.
    Positions are consecutive, so phrase queries work across scripts.
    """

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: Any,
    ) -> Iterator[Token]:
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        pieces = self.pieces(value) if tokenize else [(value, 0, len(value))]
        for pos, (text, start, end) in enumerate(pieces):
            t.text = text
            t.boost = 1.0
            t.stopped = False
            if keeporiginal:
                t.original = text
            if positions:
                t.pos = start_pos + pos
            if chars:
                t.startchar = start_char + start
                t.endchar = start_char + end
            yield t

    def pieces(self, value: str) -> Iterator[tuple[str, int, int]]:
        """(text, start, end) of each token of `value`."""
        return _pieces(value)


def _pieces(value: str) -> Iterator[tuple[str, int, int]]:
    """(text, start, end) of each token: words, split where the script changes to or from CJK."""
    for word in _WORD.finditer(value):
        base = word.start()
        for run in _RUNS.finditer(word.group()):
            text, start = run.group(), base + run.start()
            if not _CJK_RUN.match(text) or len(text) == 1:
                yield text, start, start + len(text)
                continue
            for i in range(len(text) - 1):
                yield text[i : i + 2], start + i, start + i + 2


class FoldFilter(Filter):
    """Case-folds each token and spells ё as е: the token-level half of the match form, so
    that a query folds the same way as the page text ("STRASSE" finds "Straße")."""

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        for t in tokens:
            t.text = _fold_token(t.text)
            yield t


@lru_cache(maxsize=100_000)
def _fold_token(text: str) -> str:
    return text.casefold().replace("ё", "е")


def exact_analyzer() -> Analyzer:
    """Folded words, no stemming and no stop words: phrases such as "to be" match verbatim."""
    return CJKTokenizer() | FoldFilter()


@lru_cache(maxsize=100_000)
def stem_word(word: str) -> str:
    """Porter's English stem of a Latin word, the Snowball Russian stem of a Cyrillic one.

    Russian endings also cover much of Ukrainian ("безпека", "безпеки" -> "безпек"); words of
    other scripts pass through unchanged.
    """
    if _CYRILLIC.search(word):
        return str(_RUSSIAN.stem(word))
    return str(porter_stem(word))


class ScriptStemFilter(Filter):
    """Stems each token by its script (see `stem_word`)."""

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        for t in tokens:
            if not t.stopped:
                t.text = stem_word(t.text)
            yield t


def stemming_analyzer() -> Analyzer:
    """Stemming for recall ("weapon" finds "weapons", "России" finds "Россия")."""
    return CJKTokenizer() | FoldFilter() | StopFilter() | ScriptStemFilter()


class SeamTokenizer(CJKTokenizer):
    """Tokens of a seam value ("tail SEAM_BREAK head", see `pagetext`): as CJKTokenizer's,
    with the tokens of the next page's head prefixed by NEXT."""

    def pieces(self, value: str) -> Iterator[tuple[str, int, int]]:
        """The tokens of the value without its SEAM_BREAK, those after it marked."""
        cut = value.find(SEAM_BREAK)
        for text, start, end in _pieces(value.replace(SEAM_BREAK, "")):
            yield (NEXT + text if 0 <= cut <= start else text), start, end


def seam_analyzer() -> Analyzer:
    """The seam field's analysis: exact words, the next page's marked."""
    return SeamTokenizer() | FoldFilter()


SHINGLE = 3  # words in a shingle of the quote index


def shingles(match_text: str) -> list[str]:
    """The word 3-grams of a match-form text ("a|spokesperson|for"), for finding quotes: a
    pasted passage shares most of its shingles with its source even when a word changed."""
    words = [t.text for t in exact_analyzer()(match_text)]
    return ["|".join(words[i : i + SHINGLE]) for i in range(len(words) - SHINGLE + 1)]
