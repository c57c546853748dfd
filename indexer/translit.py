"""Cross-script keys: a Cyrillic word and its English spelling meet on one "sound key".

`Т-90` and `T-90`, `Чернігів` and `Chernihiv`, `Юрий` and `Yuriy` are the same words in two
scripts, spelled in English by several schemes. A word of either script is written with
one Latin letter per sound, the letters the schemes disagree on are merged, and doubled
letters are made single, so that every common spelling gives the same key:

- Cyrillic is transliterated letter by letter (BGN/PCGN for Russian and Ukrainian, with х, ж,
  ч, ш and ц as the single letters h, ž, č, š and c); the soft and hard signs are dropped;
- in Latin the digraphs kh, zh, ch, sh, ts and ph become h, ž, č, š, c and f, ye is e, x is
  ks, w is v, q is k;
- then in both: y and j are i (Yuriy, Yuri, Iurii, Юрий), h is g (Ukrainian г is h, Russian
  г is g: Chernihiv and Chernigov, Чернігів and Чернигов), and a doubled letter is one
  (Tallinn, Таллин).

A token written in both scripts (a Latin "TOR" typed with a Cyrillic "О") is first folded to
the script most of its letters are in, through a table of letters that look alike.

The rules are about sounds, never about names: no list of words lives here.
"""

from __future__ import annotations

import re
from functools import lru_cache

# BGN/PCGN, Russian and Ukrainian together (и is i in Russian, y in Ukrainian: merged anyway).
_CYRILLIC_TO_LATIN = {
    "а": "a", "б": "b", "в": "v", "г": "h", "ґ": "g", "д": "d", "е": "e", "є": "e",
    "ё": "yo", "ж": "ž", "з": "z", "и": "i", "і": "i", "ї": "yi", "й": "y", "к": "k",
    "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u",
    "ф": "f", "х": "h", "ц": "c", "ч": "č", "ш": "š", "щ": "šč", "ъ": "", "ы": "y", "ь": "",
    "э": "e", "ю": "yu", "я": "ya", "ў": "w",
    # The Ukrainian apostrophe ("пам'ять", "Мар'їнка") is a hard sign: Pamyat, Marinka.
    "'": "",
}  # fmt: skip
# Latin spellings of one sound, longest first (a regex alternation takes the first that fits,
# left to right: "Iskhakov" is s-kh, not sh).
_DIGRAPHS = {"kh": "h", "zh": "ž", "ch": "č", "sh": "š", "ts": "c", "ph": "f", "ye": "e"}
_LETTERS = {"x": "ks", "w": "v", "q": "k"}
_LATIN = re.compile("|".join([*_DIGRAPHS, *_LETTERS]))
# Both sides, last: the spellings the schemes disagree on.
_MERGED = str.maketrans({"y": "i", "j": "i", "h": "g"})
_DOUBLED = re.compile(r"(.)\1+")

# Letters that look alike in the two scripts (lower case: tokens are folded first).
_HOMOGLYPHS = {
    "а": "a", "в": "b", "е": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p", "с": "c",
    "т": "t", "у": "y", "х": "x", "і": "i", "ј": "j", "ѕ": "s", "ԁ": "d",
}  # fmt: skip
_TO_LATIN_LOOKS = str.maketrans(_HOMOGLYPHS)
_TO_CYRILLIC_LOOKS = str.maketrans({v: k for k, v in _HOMOGLYPHS.items()})

_CYR = re.compile("[\u0400-\u04ff]")
_LAT = re.compile("[a-zA-Z\u00c0-\u024f]")

# Keys of words of Latin origin carry this mark in the index: a Latin query looks for the keys
# of Cyrillic words and a Cyrillic query for those of Latin ones, never its own script's (an
# English word does not find its English misspellings).
FROM_LATIN = "ℓ"
# A lone query word is looked for in the other script only when its key has this many
# letters: shorter keys ("put", Russian путь) are mostly chance meetings.
MIN_KEY = 3
# The weight of a match in the other script: below the native-script fields' 1.0, so that a
# page with the word as typed ranks above one with its transliteration.
BOOST = 0.5


def script(token: str) -> str:
    """ "cyrillic", "latin", "mixed" (letters of both), or "" (neither: digits, CJK, …)."""
    cyr, lat = len(_CYR.findall(token)), len(_LAT.findall(token))
    if cyr and lat:
        return "mixed"
    return "cyrillic" if cyr else "latin" if lat else ""


@lru_cache(maxsize=100_000)
def unmix(token: str) -> str:
    """A folded token written in both scripts, with its look-alike letters put in the script
    most of its letters are in (Latin on a tie); any other token as it is."""
    if script(token) != "mixed":
        return token
    cyr, lat = len(_CYR.findall(token)), len(_LAT.findall(token))
    return token.translate(_TO_CYRILLIC_LOOKS if cyr > lat else _TO_LATIN_LOOKS)


@lru_cache(maxsize=100_000)
def sound_key(token: str) -> str:
    """The key of a folded word of Cyrillic or Latin letters (digits kept): "чернігів" and
    "chernihiv" give "černigiv"."""
    word = unmix(token)
    if _CYR.search(word):
        word = "".join(_CYRILLIC_TO_LATIN.get(c, c) for c in word)
    else:
        word = _LATIN.sub(lambda m: _DIGRAPHS.get(m.group(), _LETTERS.get(m.group(), "")), word)
    return _DOUBLED.sub(r"\1", word.translate(_MERGED))


@lru_cache(maxsize=100_000)
def index_term(token: str) -> str:
    """What the `translit` field holds for a folded token: the key of a Cyrillic (or mostly
    Cyrillic) word, the key marked FROM_LATIN of a Latin one, any other token as it is."""
    kind = script(unmix(token))
    if kind == "cyrillic":
        return _key(token)
    if kind:
        return FROM_LATIN + _key(token)
    return token


def query_term(token: str) -> str:
    """What a folded query token looks for in `translit`: the word's key as the other script
    indexes it (a Latin word the key of Cyrillic ones, and the reverse); any other token as
    it is."""
    kind = script(unmix(token))
    if kind == "cyrillic":
        return FROM_LATIN + _key(token)
    if kind:
        return _key(token)
    return token


def _key(token: str) -> str:
    # A word of soft and hard signs alone has no sound: it keeps its letters, so that no term
    # is empty (an engine's whitespace analyzer would lose it, and the positions after it).
    return sound_key(token) or token


def has_letters(token: str) -> bool:
    """Whether a token has Latin or Cyrillic letters (what a key is made of)."""
    return bool(script(token))
