"""The Whoosh analyzers of the page fields: an adapter over the engine-neutral `tokens`.

Each stage is one step of `tokens` turned into Whoosh's token protocol: `CJKTokenizer` yields
`tokens.word_spans`, `SeamTokenizer` `tokens.seam_spans`, `FoldFilter` applies `tokens.fold`,
the stop filter drops `tokens.STOP_WORDS`, and `ScriptStemFilter` applies `tokens.stem`
(`LanguageStemFilter` with a language, for `body_en`, `body_uk`, …). So
`exact_analyzer`, `stemming_analyzer` and `seam_analyzer` yield exactly `tokens.exact_tokens`,
`tokens.stemmed_tokens` and `tokens.seam_tokens` (tests/test_tokens.py holds them to that), and
`translit_analyzer` (`TranslitFilter`: `translit.index_term`) `tokens.translit_tokens`.

The classes keep their names and have no state: an index's table of contents holds its schema
pickled, analyzers included, and an index written before this module became an adapter opens
and is written to with these same classes.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from whoosh.analysis import Analyzer, Filter, StopFilter, Token, Tokenizer

from ... import tokens
from ...tokens import SHINGLE, shingles
from ...translit import index_term

__all__ = [
    "SHINGLE",
    "exact_analyzer",
    "seam_analyzer",
    "shingles",
    "stemming_analyzer",
    "translit_analyzer",
]


class CJKTokenizer(Tokenizer):
    """The words of `tokens.word_spans` as Whoosh tokens, at consecutive positions.

    "GDP土地利用" yields "GDP", "土地", "地利", "利用"; a lone CJK character is its own token.
    With `tokenize=False` (Whoosh's patterns and ranges) the whole value is one token.
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
        # One Token object is reused for the whole stream, as Whoosh's own tokenizers do.
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

    def pieces(self, value: str) -> Iterable[tuple[str, int, int]]:
        """(text, start, end) of each token of `value`."""
        return tokens.word_spans(value)


class SeamTokenizer(CJKTokenizer):
    """The tokens of a seam value (`tokens.seam_spans`): the next page's prefixed by NEXT."""

    def pieces(self, value: str) -> Iterable[tuple[str, int, int]]:
        """The tokens of the value without its SEAM_BREAK, those after it marked."""
        return tokens.seam_spans(value)


class FoldFilter(Filter):
    """Folds each token with `tokens.fold` (case, ё/е)."""

    def __call__(self, stream: Iterator[Token]) -> Iterator[Token]:
        for t in stream:
            t.text = tokens.fold(t.text)
            yield t


class TranslitFilter(Filter):
    """Turns each folded token into its cross-script key (`translit.index_term`)."""

    def __call__(self, stream: Iterator[Token]) -> Iterator[Token]:
        for t in stream:
            t.text = index_term(t.text)
            yield t


class ScriptStemFilter(Filter):
    """Stems each token not marked stopped with `tokens.stem` (Porter, or Russian Snowball)."""

    def __call__(self, stream: Iterator[Token]) -> Iterator[Token]:
        for t in stream:
            if not t.stopped:
                t.text = tokens.stem(t.text)
            yield t


class LanguageStemFilter(Filter):
    """Stems each token not marked stopped with `tokens.stem` by one language's rules."""

    def __init__(self, language: str) -> None:
        self.language = language

    def __call__(self, stream: Iterator[Token]) -> Iterator[Token]:
        for t in stream:
            if not t.stopped:
                t.text = tokens.stem(t.text, self.language)
            yield t


def exact_analyzer() -> Analyzer:
    """Folded words, no stemming and no stop words: phrases such as "to be" match verbatim."""
    return CJKTokenizer() | FoldFilter()


def stemming_analyzer(language: str | None = None) -> Analyzer:
    """Stemming for recall ("weapon" finds "weapons", "России" finds "Россия"), by script or
    by the rules of `language`: `tokens.stemmed_tokens(value, language)`.

    Whoosh's StopFilter marks stop words instead of dropping them when a query asks it to
    (`removestops=False`); its renumbering is what `tokens.stemmed_tokens` reproduces.
    """
    stops = StopFilter(stoplist=tokens.STOP_WORDS, minsize=tokens.MIN_LENGTH)
    stemmer = LanguageStemFilter(language) if language else ScriptStemFilter()
    return CJKTokenizer() | FoldFilter() | stops | stemmer


def translit_analyzer() -> Analyzer:
    """The exact words as cross-script keys: `tokens.translit_tokens`."""
    return CJKTokenizer() | FoldFilter() | TranslitFilter()


def seam_analyzer() -> Analyzer:
    """The seam field's analysis: exact words, the next page's marked."""
    return SeamTokenizer() | FoldFilter()
