"""What a hit matched, and where its page shows it: the highlights of a snippet.

The terms come from the parsed query (wildcards and fuzzy terms expanded against the index);
the page's stored display text is folded into its match form again and analysed, and every
match found there is mapped back to the printed characters. A phrase that is not on the page
itself was matched across the break to the next page: it is shown from where it starts to the
end of the page's running body, and the hit says it continues.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from whoosh import query as wq
from whoosh.fields import Schema
from whoosh.reading import IndexReader

from ...pagetext import NEXT, seam_value, spans_within
from ...textforms import match_form
from .analysis import seam_analyzer

Span = tuple[int, int]


@dataclass
class Located:
    """Display spans of the matched words and phrases, and whether a phrase runs on."""

    spans: list[Span]
    phrase_spans: list[Span]
    continues: bool = False


@dataclass
class Marker:
    """What to highlight on a page: stems for `body`, words for `exact`, and exact phrases."""

    body_analyzer: Any
    exact_analyzer: Any
    stems: set[str] = field(default_factory=set)
    words: set[str] = field(default_factory=set)
    phrases: list[list[str]] = field(default_factory=list)

    @classmethod
    def from_query(cls, q: wq.Query, reader: IndexReader, schema: Schema) -> Marker:
        """Collect the terms a page matched on: wildcards and fuzzy terms are expanded against
        the index, and words under NOT are left out."""
        marker = cls(schema["body"].analyzer, schema["exact"].analyzer)
        marker._add(q, reader)
        return marker

    def _add(self, q: wq.Query, reader: Any) -> None:
        if isinstance(q, wq.Not):
            return
        if isinstance(q, wq.AndNot):
            self._add(q.a, reader)
            return
        if isinstance(q, wq.Phrase):
            if q.fieldname == "exact" and q.slop <= 1:
                self.phrases.append(list(q.words))
            elif q.fieldname == "exact":
                self.words.update(q.words)
            return
        if q.is_leaf():
            if q.field() in ("body", "exact"):
                terms = {t for _, t in q.existing_terms(reader, expand=True)}
                texts = {t.decode("utf-8") if isinstance(t, bytes) else t for t in terms}
                (self.stems if q.field() == "body" else self.words).update(texts)
            return
        for child in q.children():
            self._add(child, reader)

    def locate(self, stored: dict[str, Any]) -> Located:
        """Where a page's stored display text shows the matches, and whether a phrase found
        only across the break to the next page runs on there."""
        display = stored.get("text", "")
        match = match_form(display, stored.get("spaced") or [])
        spans, phrase_spans = self.spans(match.text)
        located = Located(
            [match.display_span(s, e) for s, e in spans],
            [match.display_span(s, e) for s, e in phrase_spans],
        )
        tokens = self._exact_tokens(match.text) if self.phrases else []
        for phrase in self.phrases:
            if _find_phrase(tokens, phrase):
                continue
            across = _across(stored, phrase)
            if across:
                located.phrase_spans += across
                located.continues = True
        return located

    def _exact_tokens(self, text: str) -> list[tuple[str, int, int]]:
        return [(t.text, t.startchar, t.endchar) for t in self.exact_analyzer(text, chars=True)]

    def spans(self, text: str) -> tuple[list[Span], list[Span]]:
        """(word spans, phrase spans) of the matches in match-form `text`, found by analysing
        all of it again."""
        spans: list[Span] = []
        if self.stems:
            for t in self.body_analyzer(text, chars=True, mode="index"):
                if t.text in self.stems:
                    spans.append((t.startchar, t.endchar))
        phrase_spans: list[Span] = []
        if self.words or self.phrases:
            tokens = self._exact_tokens(text)
            spans += [(s, e) for word, s, e in tokens if word in self.words]
            for phrase in self.phrases:
                phrase_spans += _find_phrase(tokens, phrase)
        return spans, phrase_spans


def _find_phrase(tokens: list[tuple[str, int, int]], phrase: list[str]) -> list[Span]:
    """Spans of the runs of consecutive tokens equal to `phrase` (positions are consecutive in
    `exact`, which drops no words, so this is what Whoosh's phrase query matched)."""
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
    # The analyzer reuses one Token object: keep what is needed of each.
    tokens = [
        (t.text, t.startchar) for t in seam_analyzer()(seam_value(tail.text, head), chars=True)
    ]
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
