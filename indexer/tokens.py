"""How match-form text becomes index terms, for any engine: the tokens of each kind of field.

Every engine indexes these streams, so every engine matches the same words: Whoosh through the
adapter in `analysis.py`, an engine with only core analysers by joining a stream's texts with
spaces for its `whitespace` analyser. A token is its text, its position and the [start, end)
of the characters it came from (offsets into the analysed value). That join loses nothing a
match needs: no text is empty or holds a space, and positions are consecutive from the first
token's (offsets serve our own highlighter, not the engine's). List-field terms may hold spaces:
they go to an engine's untokenized keyword fields.

- `exact_tokens`: words folded (case, ё/е), no stemming, no stop words: phrases and margins;
- `stemmed_tokens`: the same words less stop words, stemmed by the page's language (see
  `stem`): recall (`body_en`, `body_uk`, … one field per stemmed language, `body`, `title`);
- `translit_tokens`: the exact words as cross-script keys (`translit`): "сочи" as "Sochi";
- `seam_tokens`: as exact, the words after SEAM_BREAK marked with NEXT (see `pagetext`);
- `shingles`: word 3-grams of the exact words, the quote index's terms;
- `keyword_terms`: the terms of a list field (space- or comma-separated) such as tags.

Words are runs of letters and digits; numbers keep their separators. Runs of Han, kana and
Hangul become overlapping bigrams, as Lucene's CJK analyser makes them. Nothing here imports
an engine.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Any, NamedTuple

from .pagetext import NEXT, SEAM_BREAK
from .porter import stem as porter_stem
from .translit import MIN_KEY, has_letters, index_term, query_term, sound_key, unmix

# Han, kana and Hangul: scripts written without spaces between words, indexed as character
# bigrams so that any substring of two or more characters is found.
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\U00020000-\U0002ffff"
# Numbers keep their separators ("3.5", "1,000"); elsewhere a dot splits, because reports glue
# footnote numbers to words ("DSHMRA.100") and "U.S." should match "U.S" and "US." alike.
# An apostrophe between Cyrillic letters is part of the word, as in Ukrainian "пам'ять" and
# "з'їзд" (the match form writes every apostrophe between letters as "'"); between Latin
# letters it splits, so that "Russia's" is still found by "Russia".
_CYRILLIC_LETTERS = "[\u0400-\u0481\u048a-\u04ff]+"
_WORD = re.compile(rf"\d+(?:[.,]\d+)+|{_CYRILLIC_LETTERS}(?:'{_CYRILLIC_LETTERS})+|\w+")
_RUNS = re.compile(f"[{_CJK}]+|[^{_CJK}]+")
_CJK_RUN = re.compile(f"[{_CJK}]")
_CYRILLIC = re.compile("[\u0400-\u04ff]")

# Whoosh's English stop list and minimum length: words the stemmed fields drop. Kept as they
# were when the index was built with them; `exact` keeps every word, so phrases still match.
_STOP_LIST = (
    "a an and are as at be by can for from have if in is it may not of on or tbd that the "
    "this to us we when will with yet you your"
)
STOP_WORDS = frozenset(_STOP_LIST.split())
MIN_LENGTH = 2


class Token(NamedTuple):
    """One index term: its text, its position in the field and the [start, end) characters of
    the analysed value it came from."""

    text: str
    pos: int
    start: int
    end: int


def word_spans(value: str) -> Iterator[tuple[str, int, int]]:
    """(text, start, end) of each word of `value`, unfolded: "GDP土地利用" gives "GDP", "土地",
    "地利", "利用"; a lone CJK character is a word of its own."""
    if not _CJK_RUN.search(value):  # most pages: each word is one run (a third of the time)
        for word in _WORD.finditer(value):
            yield word.group(), word.start(), word.end()
        return
    for word in _WORD.finditer(value):
        base = word.start()
        for run in _RUNS.finditer(word.group()):
            text, start = run.group(), base + run.start()
            if not _CJK_RUN.match(text) or len(text) == 1:
                yield text, start, start + len(text)
                continue
            for i in range(len(text) - 1):
                yield text[i : i + 2], start + i, start + i + 2


def seam_spans(value: str) -> Iterator[tuple[str, int, int]]:
    """The word spans of a seam value ("tail SEAM_BREAK head") without its SEAM_BREAK, the
    texts of the words after it prefixed with NEXT; offsets count without SEAM_BREAK."""
    cut = value.find(SEAM_BREAK)
    for text, start, end in word_spans(value.replace(SEAM_BREAK, "")):
        yield (NEXT + text if 0 <= cut <= start else text), start, end


@lru_cache(maxsize=100_000)
def fold(text: str) -> str:
    """A word case-folded with ё spelled е: the token-level half of the match form, so that a
    query folds as the page text did ("STRASSE" finds "Straße")."""
    return text.casefold().replace("ё", "е")


def is_stop(folded: str) -> bool:
    """Whether the stemmed fields drop this folded word (a stop word, or a single character)."""
    return len(folded) < MIN_LENGTH or folded in STOP_WORDS


# The languages with stemming rules of their own. Each has its own stemmed page field
# (`body_en`, …), filled with the pages detected in that language; the pages of any other
# language, or of none (`und`), go to `body`, stemmed by script. A query has no language: its
# words are stemmed by each field's rules and the fields are ORed.
STEMMED_LANGUAGES = ("en", "ru", "uk", "fr", "de", "es")
BODY = "body"
BODY_FIELDS = (BODY, *(f"{BODY}_{lang}" for lang in STEMMED_LANGUAGES))


def body_field(language: str | None) -> str:
    """The stemmed field a page of `language` (ISO 639-1, `und` or None) is indexed in."""
    return f"{BODY}_{language}" if language in STEMMED_LANGUAGES else BODY


def field_language(field: str) -> str | None:
    """The language whose rules stem `field` (None: by script, as `body` and `title`)."""
    lang = field.removeprefix(f"{BODY}_")
    return lang if field != lang and lang in STEMMED_LANGUAGES else None


@lru_cache(maxsize=1)
def _russian() -> Any:
    # NLTK's Snowball Russian stemmer is the one Whoosh copied: the same stems, Ukrainian
    # letters and mixed-script words included (tests/test_tokens.py). Imported on the first
    # Cyrillic word: NLTK adds a quarter to the command line's start-up, for English queries too.
    from nltk.stem.snowball import RussianStemmer

    return RussianStemmer()


@lru_cache(maxsize=3)
def _snowball(lang: str) -> Any:
    from nltk.stem.snowball import SnowballStemmer

    return SnowballStemmer({"fr": "french", "de": "german", "es": "spanish"}[lang])


@lru_cache(maxsize=1)
def _ukrainian() -> Any:
    # pymorphy3 with its Ukrainian dictionary: lemmas, not stems (benchmarks/bench_ukrainian.py
    # measures it against Russian Snowball and a Ukrainian suffix stemmer). Some 20 MB, loaded
    # on the first Ukrainian word.
    import pymorphy3

    return pymorphy3.MorphAnalyzer(lang="uk")


@lru_cache(maxsize=200_000)
def stem(word: str, language: str | None = None) -> str:
    """The stem of a folded word by the rules of `language` (one of STEMMED_LANGUAGES), for
    words of that language's script; words of another script, and every word when `language`
    is None, are stemmed by script.

    By script: Snowball Russian for a word with a Cyrillic letter (Russian endings also cover
    much of Ukrainian: "безпека", "безпеки" -> "безпек"), Porter's English for the others
    (which leaves most words of other scripts as they are). Ukrainian words are lemmatised
    ("десантників" -> "десантник"); French, German and Spanish use their Snowball stemmers.
    """
    if _CYRILLIC.search(word):
        if language == "uk":
            return fold(str(_ukrainian().parse(word)[0].normal_form))
        return str(_russian().stem(word))
    if language in ("fr", "de", "es"):
        return str(_snowball(language).stem(word))
    return porter_stem(word)


def exact_tokens(value: str) -> list[Token]:
    """Every word, folded, at consecutive positions: what phrases are matched on."""
    return [Token(fold(t), i, s, e) for i, (t, s, e) in enumerate(word_spans(value))]


def stemmed_tokens(value: str, language: str | None = None) -> list[Token]:
    """The folded words less the stop words, stemmed by the rules of `language` (see `stem`):
    "weapon" finds "weapons".

    Positions count the words kept, from the position of the first one kept (the renumbering
    Whoosh's stop filter did, kept so that `title` holds the same positions).
    """
    out: list[Token] = []
    pos: int | None = None
    for i, (text, start, end) in enumerate(word_spans(value)):
        folded = fold(text)
        if is_stop(folded):
            continue
        pos = i if pos is None else pos + 1
        out.append(Token(stem(folded, language), pos, start, end))
    return out


def translit_tokens(value: str) -> list[Token]:
    """The exact words as `translit.index_term` keys, at the same positions: a Latin query's
    key meets the Cyrillic words' keys here, and the reverse."""
    return [Token(index_term(t.text), t.pos, t.start, t.end) for t in exact_tokens(value)]


def seam_tokens(value: str) -> list[Token]:
    """The tokens of a seam value: as `exact_tokens`, the next page's marked with NEXT."""
    return [Token(fold(t), i, s, e) for i, (t, s, e) in enumerate(seam_spans(value))]


def cross_script_terms(text: str) -> list[str]:
    """What a query word looks for in `translit` (`translit.query_term` of each of its exact
    words: one term, or a phrase of several), or nothing: a word with no Latin or Cyrillic
    letters, or one stop word or key under MIN_KEY letters."""
    words = [t.text for t in exact_tokens(text)]
    if not any(has_letters(w) for w in words):
        return []
    if len(words) == 1 and (is_stop(words[0]) or len(sound_key(words[0])) < MIN_KEY):
        return []
    return [query_term(w) for w in words]


def unmixed(text: str) -> str:
    """`text` with each word written in two scripts put in one (`translit.unmix`): a Latin
    "TOR" typed with a Cyrillic "О" is "tor"."""
    out, at = [], 0
    for word, start, end in word_spans(text):
        one = unmix(fold(word))
        if one != fold(word):
            out += [text[at:start], one]
            at = end
    return "".join(out) + text[at:] if out else text


SHINGLE = 3  # words in a shingle of the quote index


def shingles(match_text: str) -> list[str]:
    """The word 3-grams of a match-form text ("a|spokesperson|for"), for finding quotes: a
    pasted passage shares most of its shingles with its source even when a word changed."""
    words = [t.text for t in exact_tokens(match_text)]
    return ["|".join(words[i : i + SHINGLE]) for i in range(len(words) - SHINGLE + 1)]


_SPACE_SEPARATED = re.compile(r"[^ \t\r\n]+")
_COMMA_SEPARATED = re.compile(r"[^,]+")


def keyword_terms(value: str, *, commas: bool = False, lowercase: bool = False) -> list[str]:
    """The terms of a list field: the pieces between spaces (tabs, line breaks), or between
    commas stripped of surrounding space; lower-cased when asked (a report number)."""
    if commas:
        terms = [m.group().strip() for m in _COMMA_SEPARATED.finditer(value)]
    else:
        terms = [m.group() for m in _SPACE_SEPARATED.finditer(value)]
    return [t.lower() for t in terms] if lowercase else terms
