"""ASCII slugs of names, Cyrillic transliterated: "Центр Разумкова" -> "tsentr-razumkova".

OAI-PMH setSpecs allow only unreserved URI characters, so a publisher's name must become a
slug; the transliteration follows the common passport-style romanization of Russian (щ -> shch,
ж -> zh, ь and ъ dropped), or Ukrainian's national one when the text is Ukrainian (г -> h,
и -> y, ї -> yi).
"""

from __future__ import annotations

import re
import unicodedata

_CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z",
    "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
    "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh",
    "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya",
    # Ukrainian and Belarusian letters
    "є": "ye", "і": "i", "ї": "yi", "ґ": "g", "ў": "u",
}  # fmt: skip
# Ukrainian letters read differently (the national romanization): a text with і, ї, є or ґ is
# taken as Ukrainian.
_UKRAINIAN = {"г": "h", "и": "y", "й": "i", "'": "", "’": "", "ʼ": ""}
_UKRAINIAN_ONLY = set("іїєґІЇЄҐ")


def _table(letters: dict[str, str]) -> dict[int, str]:
    return str.maketrans(letters | {k.upper(): v.capitalize() for k, v in letters.items()})


_RUSSIAN_TABLE, _UKRAINIAN_TABLE = _table(_CYRILLIC), _table(_CYRILLIC | _UKRAINIAN)
_NOT_SLUG = re.compile(r"[^a-z0-9]+")
MAX_LENGTH = 60  # characters of a slug before the suffix that keeps it unique


def transliterate(text: str) -> str:
    """`text` in ASCII: Cyrillic romanized, accents dropped, other scripts left out."""
    table = _UKRAINIAN_TABLE if _UKRAINIAN_ONLY & set(text) else _RUSSIAN_TABLE
    decomposed = unicodedata.normalize("NFKD", text.translate(table))
    return decomposed.encode("ascii", "ignore").decode("ascii")


def slugify(text: str, fallback: str = "x") -> str:
    """Lower-case ASCII words joined by '-' (at most MAX_LENGTH characters); `fallback` when
    nothing of `text` is left (a name in Chinese, say)."""
    slug = _NOT_SLUG.sub("-", transliterate(text).lower()).strip("-")
    return slug[:MAX_LENGTH].rstrip("-") or fallback


def unique_slug(text: str, taken: set[str], fallback: str = "x") -> str:
    """The slug of `text`, with '-2', '-3', ... added when it is already in `taken`."""
    base = slugify(text, fallback)
    slug, n = base, 1
    while slug in taken:
        n += 1
        slug = f"{base}-{n}"
    return slug
