"""The language of each page, and of a report: its most common page language.

lingua-language-detector lives here and nowhere else. The detector knows only the languages the
indexer tells apart (LANGUAGES) and runs in low-accuracy mode (trigrams only): some 30 MB per
process with every model loaded, against some 250 MB in high-accuracy mode, which is meant for
single words and short phrases, not pages. It is built once per process, on the first page, and
loads a language's model the first time a page's letters could be that language: a worker that
reads only English loads the Latin-script models (0.08 s), not all of them (0.3 s).

Codes are ISO 639-1. A page is `und` (undetermined) when it has too few letters or the
detector is unsure: a table of figures or a page of names is better left out of a language
facet than put into the wrong one.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from .models import OK, Page

UND = "und"
# The languages the indexer tells apart: those with a stemmer of their own (tokens.py), the
# scripts it indexes as bigrams, and the others it names in the facet.
LANGUAGES = (
    "en", "ru", "uk", "zh", "ja", "ar", "fr", "de", "es",
    "it", "pt", "nl", "pl", "el", "he", "ko", "hi", "fa",
)  # fmt: skip
# Enough of a page for the detector: more text costs time and changes nothing (on the corpus
# and the generated one, 1,521 pages, 500 characters gave every page the language 2,000 did).
SAMPLE_CHARS = 1_000
MIN_LETTERS = 20
# Below this confidence the page is `und`: a line of codes and numbers scores about 0.3 for
# its likeliest language, a page of prose 1.0.
MIN_CONFIDENCE = 0.5


@lru_cache(maxsize=1)
def _detector() -> Any:
    from lingua import IsoCode639_1, LanguageDetectorBuilder

    codes = [getattr(IsoCode639_1, code.upper()) for code in LANGUAGES]
    builder = LanguageDetectorBuilder.from_iso_codes_639_1(*codes)
    return builder.with_low_accuracy_mode().build()


def page_language(text: str) -> str:
    """The language of a page's text (an ISO 639-1 code), or UND when it cannot be told."""
    sample = text[:SAMPLE_CHARS]
    if sum(ch.isalpha() for ch in sample) < MIN_LETTERS:
        return UND
    values = _detector().compute_language_confidence_values(sample)
    if not values or values[0].value < MIN_CONFIDENCE:
        return UND
    return str(values[0].language.iso_code_639_1.name.lower())


def language_of(page: Page) -> str:
    """A page's language: as detected when it was read, else detected now from its display
    text; UND for a page not read as text."""
    if page.language is not None:
        return page.language
    return page_language(page.text) if page.quality == OK else UND


def report_language(page_languages: Iterable[str | None]) -> str | None:
    """A report's language: the most common of its pages' (the first page's among equals),
    or None when no page has one."""
    counts = Counter(lang for lang in page_languages if lang and lang != UND)
    return counts.most_common(1)[0][0] if counts else None
