"""Judge whether a page's raw extracted text is text at all.

A page is EMPTY when it carries (almost) no letters or digits, GARBLED when its characters are
not real text (fonts without a usable Unicode map produce mojibake). The text forms themselves
(display and match) are made in `textforms.py`.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from functools import lru_cache

from indexer.models import EMPTY, GARBLED, OK

# --- quality ---------------------------------------------------------------------------

# Fewer letters/digits than this and a page has nothing to search: a lone folio, "Figure 3".
# A short sentence ("The walrus returns.") is still text.
EMPTY_BELOW = 10

# Characters that separate letters only in mojibake, never inside real words.
_ODD_IN_WORD = set("<>?@[\\]^_{|}~")
_VOWELS = set("aeiouy")
# Scripts that legitimately mix within one text (Japanese uses Han, kana and Latin together).
_SCRIPT_FAMILY = {
    "HIRAGANA": "CJK",
    "KATAKANA": "CJK",
    "HANGUL": "CJK",
    "BOPOMOFO": "CJK",
    "IDEOGRAPHIC": "CJK",
    "HALFWIDTH": "CJK",
    "FULLWIDTH": "LATIN",
    "MATHEMATICAL": "LATIN",
}
_LEADERS = re.compile(r"(\S)\1{2,}")  # dotted leaders "....." in tables of contents
_WORD_3 = re.compile(r"[^\W\d_]{3,}")  # a word of three letters or more


def classify_quality(raw: str) -> str:
    """OK, EMPTY or GARBLED for one page; give it the RAW extracted text.

    The raw text still holds the control characters that broken fonts emit, one of the
    signals of mojibake; the others are vowel-less Latin "words", symbols and case flips
    inside words, and letters scattered over many unrelated scripts. Each distinct character
    is judged once (a page has a few hundred): the checks count characters, not positions.
    """
    counts = Counter(raw)
    for space in [c for c in counts if c.isspace()]:
        del counts[space]
    total = sum(counts.values())
    bad_share = _bad_share(counts, total)
    if sum(n for c, n in counts.items() if c.isalnum()) < EMPTY_BELOW:
        # Symbol-encoded fonts put whole texts in the private-use area: no letters, not empty.
        return GARBLED if total >= 2 * EMPTY_BELOW and bad_share >= 0.5 else EMPTY
    strong, weak = _garble_signals(raw, counts, bad_share)
    return GARBLED if strong or weak >= 2 else OK


def _bad_share(counts: Counter[str], total: int) -> float:
    """The share of characters (of `total`, counted in `counts`) that no real text contains.

    Private-use and replacement characters always count. Control and unassigned characters
    count when there are several different ones: broken fonts map glyph ids straight to
    such code points, while one odd control character (a math minus) is no sign of that.
    NULs count when they are many: two-byte text read a byte at a time ("\\x00安\\x00徽").
    """
    if not total:
        return 0.0
    odd = {c: n for c, n in counts.items() if unicodedata.category(c) in ("Cc", "Cn", "Cs")}
    if odd.get("\x00", 0) * 4 >= total:
        return (odd["\x00"] + counts["\ufffd"]) / total
    private = sum(n for c, n in counts.items() if unicodedata.category(c) == "Co" or c == "\ufffd")
    return (private + (sum(odd.values()) if len(odd) >= 3 else 0)) / total


def _garble_signals(raw: str, counts: Counter[str], bad_share: float) -> tuple[bool, int]:
    """Whether a strong sign of mojibake is present, and how many weak signs are."""
    letters = {c: n for c, n in counts.items() if c.isalpha()}
    n_letters = sum(letters.values())
    scripts: Counter[str] = Counter()
    for c, n in letters.items():
        scripts[_script(c)] += n
    top_two = sum(n for _, n in scripts.most_common(2)) / n_letters if letters else 1.0
    vowels, accented = _latin_profile(raw, n_letters)
    odd_words = _odd_word_share(raw)
    # Printable text is mostly letters and digits once dotted leaders are set aside.
    kept = Counter(_LEADERS.sub("", raw))
    printed = sum(n for c, n in kept.items() if not c.isspace())
    alnum_share = sum(n for c, n in kept.items() if c.isalnum()) / max(printed, 1)
    many = n_letters >= 50
    strong = (
        bad_share >= 0.10
        or (many and top_two < 0.75)
        or vowels < 0.22
        or accented >= 0.6
        or odd_words >= 0.5
        or alnum_share < 0.25
    )
    weak = sum(
        (
            bad_share >= 0.02,
            many and top_two < 0.9,
            vowels < 0.28,
            accented >= 0.4,
            odd_words >= 0.15,
            alnum_share < 0.4,
        )
    )
    return strong, weak


def _latin_profile(raw: str, n_letters: int) -> tuple[float, float]:
    """Vowel share and non-ASCII share of the letters of Latin words (1.0, 0.0: can't tell).

    Real Latin-script languages keep a third or more of their letters vowels, and even the
    most accented (Vietnamese) keep most letters plain ASCII. A substitution cipher of another
    alphabet breaks the first; Cyrillic read through a Western code page ("Ïðèêàç") the second.
    Judged only where Latin is the page's main script (units and abbreviations in a Chinese
    table are not words) and on words of three letters or more (nor are math variables).
    """
    latin = Counter(c for w in _WORD_3.findall(raw) if _script(w[0]) == "LATIN" for c in w)
    total = sum(latin.values())
    if total < 100 or total < n_letters / 2:
        return 1.0, 0.0
    vowels = sum(n for c, n in latin.items() if _base(c) in _VOWELS) / total
    return vowels, sum(n for c, n in latin.items() if not c.isascii()) / total


@lru_cache(maxsize=8192)
def _script(ch: str) -> str:
    """The script family of a letter, from the first word of its Unicode name."""
    name = unicodedata.name(ch, "UNKNOWN").split()[0]
    if name == "CJK":
        return "CJK"
    return _SCRIPT_FAMILY.get(name, name)


@lru_cache(maxsize=8192)
def _base(ch: str) -> str:
    """A letter without its accents, lower-cased ("É" -> "e")."""
    return unicodedata.normalize("NFKD", ch)[0].lower()


def _odd_word_share(raw: str) -> float:
    """The share of Latin words that look like mojibake rather than words.

    Needs 20 words to say anything; fewer give 0.
    """
    tokens = [t for t in re.split(r"[\s\x00-\x1f]+", raw) if any(c.isalpha() for c in t)]
    if len(tokens) < 20:
        return 0.0
    return sum(_is_odd_word(t) for t in tokens) / len(tokens)


_CASE_FLIP = re.compile(r"[a-z][A-Z][a-z]")  # "ijbdZahf"; rare in words ("McDonald", "DeFi")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
_DIGIT_INSIDE = re.compile(r"[A-Za-z]\d+[a-z]")  # "R2uORM" but not "FY2012" or "UF6"


@lru_cache(maxsize=65536)
def _is_odd_word(token: str) -> bool:
    """A token with symbols or case flips between its letters, or a long vowel-less word."""
    word = token.strip(".,;:!?\"'()[]{}«»“”‘’*")
    if "://" in word or word.startswith("www.") or _EMAIL.fullmatch(word):
        return False  # URLs and addresses are full of symbols, and fine
    if any(c in _ODD_IN_WORD for c in word[1:-1]):
        return True
    if _CASE_FLIP.search(word) or _DIGIT_INSIDE.search(word):
        return True
    letters = [c for c in word if c.isalpha()]
    return (
        len(letters) >= 5
        and any(c.islower() for c in letters)
        and all(_script(c) == "LATIN" for c in letters)
        and not any(_base(c) in _VOWELS for c in letters)
    )
