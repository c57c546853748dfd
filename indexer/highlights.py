"""What a hit matched, and where its page shows it: the highlights of a snippet, for every engine.

The words to mark come from the query tree, analysed by `tokens` as the engines analyse it: a
word's stems (by the rules of the page's stemmed field) and its folded form (as `exact` does),
phrases as runs of folded words, and wildcard and fuzzy terms as patterns. The page's stored
display text is folded into its match form again and analysed, and every match found there is
mapped back to the printed characters. A pattern is tried on the page's own words, which are in
the index's vocabulary, so it marks what the engine's expansion of it matched on that page. A
word found in the other script (`translit`) is marked as the page prints it: `Sochi` marks
"Сочи".

A phrase that is not on the page itself was matched across the break to the next page: it is
shown from where it starts to the end of the page's running body, and the hit says it continues.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .pagetext import NEXT, seam_value, spans_within
from .querytree import And, Fuzzy, Node, Not, Or, Phrase, Term, Wildcard
from .textforms import match_form
from .tokens import (
    body_field,
    cross_script_terms,
    exact_tokens,
    field_language,
    fold,
    is_stop,
    seam_tokens,
    stem,
    stemmed_tokens,
    translit_tokens,
    unmixed,
    word_spans,
)

Span = tuple[int, int]
WordTest = Callable[[str], bool]


@dataclass
class Located:
    """Display spans of the matched words and phrases, and whether a phrase runs on."""

    spans: list[Span]
    phrase_spans: list[Span]
    continues: bool = False


@dataclass
class Marker:
    """What to highlight on a page: the words to stem (by each page's language), folded
    words, word patterns, exact phrases, and cross-script keys (one, or a run of several)."""

    stemmed: list[str] = field(default_factory=list)
    words: set[str] = field(default_factory=set)
    patterns: list[WordTest] = field(default_factory=list)
    phrases: list[list[str]] = field(default_factory=list)
    keys: list[list[str]] = field(default_factory=list)

    @classmethod
    def from_tree(cls, tree: Node) -> Marker:
        """The words the page text matched on for `tree`: its unfielded leaves (fielded ones
        match the report's metadata, not the page), less those under NOT."""
        marker = cls()
        marker._add(tree)
        return marker

    def _add(self, node: Node) -> None:
        if isinstance(node, Not):
            return
        if isinstance(node, (And, Or)):
            for part in node.parts:
                self._add(part)
            return
        if node.field == "exact" and isinstance(node, (Term, Phrase)):
            self._add_words([t.text for t in exact_tokens(node.text)])
            return
        if node.field is not None:
            return
        if isinstance(node, Term):
            for text in dict.fromkeys([node.text, unmixed(node.text)]):
                self.stemmed.append(text)
                self._add_words([t.text for t in exact_tokens(text)])
            if keys := cross_script_terms(node.text):
                self.keys.append(keys)
        elif isinstance(node, Phrase):
            words = [t.text for t in exact_tokens(node.text)]
            if node.slop > 1:
                self.words.update(words)
            else:
                self._add_words(words)
        elif isinstance(node, Wildcard):
            self.patterns.append(_wildcard_test(fold(node.text)))
        elif isinstance(node, Fuzzy):
            words = [t.text for t in exact_tokens(node.text)]
            if len(words) == 1:
                self.patterns.append(_fuzzy_test(words[0], node.edits))
            else:
                self._add_words(words)

    def _add_words(self, words: list[str]) -> None:
        # A text that analyses into several words is matched as a phrase of them (`exact`).
        if len(words) == 1:
            self.words.add(words[0])
        elif words:
            self.phrases.append(words)

    def locate(self, stored: dict[str, Any]) -> Located:
        """Where a page's stored display text shows the matches, and whether a phrase found
        only across the break to the next page runs on there."""
        display = stored.get("text", "")
        match = match_form(display, stored.get("spaced") or [])
        spans, phrase_spans = self.spans(match.text, stored.get("lang") or None)
        located = Located(
            [match.display_span(s, e) for s, e in spans],
            [match.display_span(s, e) for s, e in phrase_spans],
        )
        tokens = _exact(match.text) if self.phrases else []
        for phrase in self.phrases:
            if _find_phrase(tokens, phrase):
                continue
            across = _across(stored, phrase)
            if across:
                located.phrase_spans += across
                located.continues = True
        return located

    def spans(self, text: str, language: str | None = None) -> tuple[list[Span], list[Span]]:
        """(word spans, phrase spans) of the matches in match-form `text`, a page in
        `language`, found by analysing all of it again."""
        spans: list[Span] = []
        # The page's words, split once for the stemmed and the exact matches (as
        # `stemmed_tokens` and `exact_tokens` split them).
        words = list(word_spans(text))
        if self.stemmed:
            # Stemmed by the rules of the field the page is in, as the engine stemmed the query.
            rules = field_language(body_field(language))
            stems = {t.text for word in self.stemmed for t in stemmed_tokens(word, rules)}
            for word, start, end in words:
                folded = fold(word)
                if not is_stop(folded) and stem(folded, rules) in stems:
                    spans.append((start, end))
        phrase_spans: list[Span] = []
        if self.words or self.patterns or self.phrases:
            tokens = [(fold(word), start, end) for word, start, end in words]
            spans += [(s, e) for word, s, e in tokens if self._marks(word)]
            for phrase in self.phrases:
                phrase_spans += _find_phrase(tokens, phrase)
        if self.keys:
            keyed = [(t.text, t.start, t.end) for t in translit_tokens(text)]
            for keys in self.keys:
                found = _find_phrase(keyed, keys)
                (spans if len(keys) == 1 else phrase_spans).extend(found)
        return spans, phrase_spans

    def _marks(self, word: str) -> bool:
        return word in self.words or any(test(word) for test in self.patterns)


def _exact(text: str) -> list[tuple[str, int, int]]:
    return [(t.text, t.start, t.end) for t in exact_tokens(text)]


def _wildcard_test(pattern: str) -> WordTest:
    """Whether a folded word matches a folded pattern: `*` any letters, `?` one (as fnmatch,
    which is how Whoosh and Lucene read a wildcard's text)."""
    if pattern.endswith("*") and "*" not in pattern[:-1] and "?" not in pattern:
        prefix = pattern[:-1]
        return lambda word: word.startswith(prefix)
    regex = re.compile(fnmatch.translate(pattern))
    return lambda word: regex.match(word) is not None


def _fuzzy_test(term: str, edits: int) -> WordTest:
    """Whether a folded word is within `edits` insertions, deletions or substitutions of
    `term` (Levenshtein, with no transpositions, as the engines' fuzzy terms)."""
    return lambda word: abs(len(word) - len(term)) <= edits and _distance(term, word) <= edits


def _distance(a: str, b: str) -> int:
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        prev, row[0] = row[0], i
        for j, cb in enumerate(b, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (ca != cb))
    return row[-1]


def _find_phrase(tokens: list[tuple[str, int, int]], phrase: list[str]) -> list[Span]:
    """Spans of the runs of consecutive tokens equal to `phrase` (positions are consecutive in
    `exact`, which drops no words, so this is what the engine's phrase query matched)."""
    found = []
    k = len(phrase)
    for i, (word, start, _) in enumerate(tokens):
        if word == phrase[0] and [t[0] for t in tokens[i : i + k]] == phrase:
            found.append((start, tokens[i + k - 1][2]))
    return found


def _across(stored: dict[str, Any], phrase: list[str]) -> list[Span]:
    """The display span, from its first word to the end of the running body, of `phrase`
    starting near the end of this page and ending at the start of the next (the seam)."""
    tail_at, head = stored.get("seam_tail"), stored.get("seam_head")
    if not tail_at or not head or len(phrase) < 2:
        return []
    start, end = tail_at
    spaced = spans_within(stored.get("spaced") or [], start, end)
    tail = match_form(stored["text"][start:end], spaced)
    tokens = [(t.text, t.start) for t in seam_tokens(seam_value(tail.text, head))]
    words = [w for w, _ in tokens]
    first_next = next((i for i, w in enumerate(words) if w.startswith(NEXT)), len(words))
    for k in range(len(phrase) - 1, 0, -1):
        on_this, on_next = phrase[:k], [NEXT + w for w in phrase[k:]]
        if words[first_next - k : first_next] == on_this and (
            words[first_next : first_next + len(on_next)] == on_next
        ):
            begin = tokens[first_next - k][1]
            return [(start + tail.display_span(begin, begin + 1)[0], end)]
    return []
