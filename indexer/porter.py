"""The English stemmer the index has always used: Whoosh's Porter, kept verbatim, without Whoosh.

Why a copy and not a stemming library: this port of Porter's algorithm differs from every
maintained one, and the index's terms (and so which pages match) are its stems. Its regular
expressions are tried with `re.match`, so step 1b never restores an "e" or undoubles a
consonant ("planning" -> "plann", "designated" -> "designat"), and "y" after a consonant is
never a vowel ("physical" stays whole). Of the 25,115 non-Cyrillic words of ../shared/corpus
that reach the stemmer, Snowball's "porter" stems 386 differently (5,672 occurrences), NLTK's
closest mode 362, Snowball's "english" 814 (benchmarks/bench_stems.py); with Snowball's stems,
3 of the 101 golden queries change their answers. Changing stems changes what the index holds
(SCHEMA_VERSION, a rebuild, a new golden file): a decision of its own, not a refactoring.

From whoosh-reloaded 2.7.5, whoosh/lang/porter.py: Copyright 2007 Matt Chaput, all rights
reserved; BSD 2-clause licence (redistributions of source code must retain this notice; the
software is provided "as is", without warranty of any kind). Only the layout changed.
"""

from __future__ import annotations

import re

_STEP2 = {
    "ational": "ate",
    "tional": "tion",
    "enci": "ence",
    "anci": "ance",
    "izer": "ize",
    "bli": "ble",
    "alli": "al",
    "entli": "ent",
    "eli": "e",
    "ousli": "ous",
    "ization": "ize",
    "ation": "ate",
    "ator": "ate",
    "alism": "al",
    "iveness": "ive",
    "fulness": "ful",
    "ousness": "ous",
    "aliti": "al",
    "iviti": "ive",
    "biliti": "ble",
    "logi": "log",
}
_STEP3 = {
    "icate": "ic",
    "ative": "",
    "alize": "al",
    "iciti": "ic",
    "ical": "ic",
    "ful": "",
    "ness": "",
}

_CONS_SEQ = "[^aeiouy]+"
_VOWEL_SEQ = "[aeiou]+"
_MGR0 = re.compile(f"^({_CONS_SEQ})?{_VOWEL_SEQ}{_CONS_SEQ}")  # m > 0
_MEQ1 = re.compile(f"^({_CONS_SEQ})?{_VOWEL_SEQ}{_CONS_SEQ}({_VOWEL_SEQ})?$")  # m == 1
_MGR1 = re.compile(f"^({_CONS_SEQ})?{_VOWEL_SEQ}{_CONS_SEQ}{_VOWEL_SEQ}{_CONS_SEQ}")  # m > 1
_S_V = re.compile(f"^({_CONS_SEQ})?[aeiouy]")  # a vowel in the stem
_C_V = re.compile(f"^{_CONS_SEQ}[aeiouy][^aeiouwxy]$")

_ED_ING = re.compile("^(.*)(ed|ing)$")
_AT_BL_IZ = re.compile("(at|bl|iz)$")
_STEP1B = re.compile("([^aeiouylsz])\\1$")
_STEP2_RE = re.compile(f"^(.+?)({'|'.join(_STEP2)})$")
_STEP3_RE = re.compile(f"^(.+?)({'|'.join(_STEP3)})$")
_STEP4_1 = re.compile(
    "^(.+?)(al|ance|ence|er|ic|able|ible|ant|ement|ment|ent|ou|ism|ate|iti|ous|ive|ize)$"
)
_STEP4_2 = re.compile("^(.+?)(s|t)(ion)$")
_STEP5 = re.compile("^(.+?)e$")


def stem(w: str) -> str:
    """The Porter stem of a lower-case word, as Whoosh computes it ("fundamentally" ->
    "fundament"); words shorter than three characters are returned unchanged."""
    if len(w) < 3:
        return w
    first_is_y = w[0] == "y"
    if first_is_y:
        w = "Y" + w[1:]
    w = _step1(w)
    m = _STEP2_RE.match(w)
    if m and _MGR0.match(m.group(1)):
        w = m.group(1) + _STEP2[m.group(2)]
    m = _STEP3_RE.match(w)
    if m and _MGR0.match(m.group(1)):
        w = m.group(1) + _STEP3[m.group(2)]
    w = _step4(w)
    m = _STEP5.match(w)
    if m:
        s = m.group(1)
        if _MGR1.match(s) or (_MEQ1.match(s) and not _C_V.match(s)):
            w = s
    if w.endswith("ll") and _MGR1.match(w):
        w = w[:-1]
    if first_is_y:
        w = "y" + w[1:]
    return w


def _step1(w: str) -> str:
    # Step 1a
    if w.endswith("s"):
        if w.endswith("sses") or w.endswith("ies"):
            w = w[:-2]
        elif w[-2] != "s":
            w = w[:-1]
    # Step 1b: `match`, not `search`, as in Whoosh (see the module docstring).
    if w.endswith("eed"):
        if _MGR0.match(w[:-3]):
            w = w[:-1]
    else:
        m = _ED_ING.match(w)
        if m and _S_V.match(m.group(1)):
            w = m.group(1)
            if _AT_BL_IZ.match(w):
                w += "e"
            elif _STEP1B.match(w):
                w = w[:-1]
            elif _C_V.match(w):
                w += "e"
    # Step 1c
    if w.endswith("y") and _S_V.match(w[:-1]):
        w = w[:-1] + "i"
    return w


def _step4(w: str) -> str:
    m = _STEP4_1.match(w)
    if m:
        if _MGR1.match(m.group(1)):
            w = m.group(1)
        return w
    m = _STEP4_2.match(w)
    if m and _MGR1.match(m.group(1) + m.group(2)):
        w = m.group(1) + m.group(2)
    return w
