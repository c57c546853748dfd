"""Judge whether a page's raw extracted text is text at all.

A page is EMPTY when it carries (almost) no letters or digits, GARBLED when its characters are
not real text (fonts without a usable Unicode map produce mojibake). The text forms themselves
(display and match) are made in `textforms.py`.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

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


def classify_quality(raw: str) -> str:
    """OK, EMPTY or GARBLED for one page; give it the RAW extracted text.

    The raw text still holds the control characters that broken fonts emit, one of the
    signals of mojibake; the others are vowel-less Latin "words", symbols and case flips
    inside words, and letters scattered over many unrelated scripts.
    """
    chars = [c for c in raw if not c.isspace()]
    bad_share = _bad_share(chars)
    if sum(c.isalnum() for c in chars) < EMPTY_BELOW:
        # Symbol-encoded fonts put whole texts in the private-use area: no letters, not empty.
        return GARBLED if len(chars) >= 2 * EMPTY_BELOW and bad_share >= 0.5 else EMPTY
    strong, weak = _garble_signals(raw, chars, bad_share)
    return GARBLED if strong or weak >= 2 else OK


def _bad_share(chars: list[str]) -> float:
    """The share of characters that no real text contains.

    Private-use and replacement characters always count. Control and unassigned characters
    count when there are several different ones: broken fonts map glyph ids straight to
    such code points, while one odd control character (a math minus) is no sign of that.
    NULs count when they are many: two-byte text read a byte at a time ("\x00安\x00徽").
    """
    if not chars:
        return 0.0
    odd = Counter(c for c in chars if unicodedata.category(c) in ("Cc", "Cn", "Cs"))
    if odd["\x00"] * 4 >= len(chars):
        return (odd["\x00"] + sum(c == "\ufffd" for c in chars)) / len(chars)
    private = sum(unicodedata.category(c) == "Co" or c == "\ufffd" for c in chars)
    return (private + (sum(odd.values()) if len(odd) >= 3 else 0)) / len(chars)


def _garble_signals(raw: str, chars: list[str], bad_share: float) -> tuple[bool, int]:
    """Whether a strong sign of mojibake is present, and how many weak signs are."""
    letters = [c for c in chars if c.isalpha()]
    scripts = Counter(_script(c) for c in letters)
    top_two = sum(n for _, n in scripts.most_common(2)) / len(letters) if letters else 1.0
    vowels, accented = _latin_profile(raw, len(letters))
    odd_words = _odd_word_share(raw)
    # Printable text is mostly letters and digits once dotted leaders are set aside.
    kept = [c for c in _LEADERS.sub("", raw) if not c.isspace()]
    alnum_share = sum(c.isalnum() for c in kept) / max(len(kept), 1)
    many = len(letters) >= 50
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
    latin = [c for w in re.findall(r"[^\W\d_]{3,}", raw) if _script(w[0]) == "LATIN" for c in w]
    if len(latin) < 100 or len(latin) < n_letters / 2:
        return 1.0, 0.0
    vowels = sum(_base(c) in _VOWELS for c in latin) / len(latin)
    return vowels, sum(not c.isascii() for c in latin) / len(latin)


def _script(ch: str) -> str:
    """The script family of a letter, from the first word of its Unicode name."""
    name = unicodedata.name(ch, "UNKNOWN").split()[0]
    if name == "CJK":
        return "CJK"
    return _SCRIPT_FAMILY.get(name, name)


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
