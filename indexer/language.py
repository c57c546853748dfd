"""Guess a report's language from its text: by script first, then by common words for Latin.

Good enough for a facet ("en", "ru", "uk", "zh", …) on whole reports; not meant for snippets.
Returns ISO 639-1 codes, or None when there is too little text to tell.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable

SAMPLE_CHARS = 20_000
MIN_LETTERS = 40

# A few of the most frequent words of each language; they rarely occur in the others.
_STOPWORDS = {
    "en": "the and of to in is that for with are this be from by was which",
    "de": "der die und das ist nicht mit den von zu sich des ein eine auch",
    "fr": "le la les et des est une dans pour que qui du sur pas au",
    "es": "el la los las que del por con una para es se su como al",
    "it": "il di che non per una sono della gli con del le si è al",
    "pt": "de que não uma com para os no se da em do as ao é",
    "nl": "de het een van en dat niet zijn voor op met ook aan bij",
    "pl": "nie się że na jest do to jak po ale czy tak od przez",
}
_WORDS = {lang: set(words.split()) for lang, words in _STOPWORDS.items()}
_WORD = re.compile(r"[^\W\d_]+")
_UKRAINIAN = set("іїєґІЇЄҐ")
_PERSIAN = set("پچژگ")


def _script(ch: str) -> str | None:
    """The script of a letter, by its Unicode name (cheap and table-free)."""
    if not ch.isalpha():
        return None
    name = unicodedata.name(ch, "")
    for script in ("LATIN", "CYRILLIC", "ARABIC", "GREEK", "HEBREW", "HANGUL", "DEVANAGARI"):
        if name.startswith(script):
            return script
    if name.startswith(("HIRAGANA", "KATAKANA")):
        return "KANA"
    if name.startswith("CJK"):
        return "HAN"
    return "OTHER"


def detect_language(texts: Iterable[str]) -> str | None:
    """The main language of `texts` (page texts in order), or None if it cannot be told."""
    sample = ""
    for text in texts:
        sample += text + " "
        if len(sample) >= SAMPLE_CHARS:
            break
    scripts = Counter(s for s in map(_script, sample) if s)
    # Each CJK character carries about as much as a short word: weigh them up.
    weighted = scripts.copy()
    for script in ("HAN", "KANA", "HANGUL"):
        weighted[script] *= 3
    if sum(weighted.values()) < MIN_LETTERS:
        return None
    # Kana mixed with Han is Japanese.
    if scripts["KANA"] * 10 >= scripts["HAN"] > 0 or scripts["KANA"] > scripts["LATIN"]:
        return "ja"
    top = weighted.most_common(1)[0][0]
    if top == "HAN":
        return "zh"
    if top == "CYRILLIC":
        return "uk" if sum(ch in _UKRAINIAN for ch in sample) * 200 > scripts[top] else "ru"
    if top == "ARABIC":
        return "fa" if sum(ch in _PERSIAN for ch in sample) * 200 > scripts[top] else "ar"
    simple = {"GREEK": "el", "HEBREW": "he", "HANGUL": "ko", "DEVANAGARI": "hi"}
    if top in simple:
        return simple[top]
    if top == "LATIN":
        return _latin_language(sample)
    return None


def _latin_language(sample: str) -> str | None:
    words = Counter(w.lower() for w in _WORD.findall(sample))
    scores = {lang: sum(words[w] for w in stop) for lang, stop in _WORDS.items()}
    best = max(scores, key=lambda lang: scores[lang])
    return best if scores[best] >= 3 else None
