"""An engine-neutral query tree (querytree) -> the OpenSearch query over the page fields.

The same steps as Whoosh's translation (engine/whoosh/querywhoosh.py), so that both engines
match the same pages: unfielded words are required in the page text (stemmed `body`, `exact`,
`margin`) and only raise the score in the report's metadata; each leaf is analysed per field
with `tokens`, as the Whoosh parser's nodes analyse it (a word, a phrase, a pattern, a fuzzy
term); a word that analyses into several tokens is an AND of terms in `body` and a phrase
elsewhere; stop words vanish from the stemmed fields only; patterns and fuzzy terms stay off
`body` and `margin`; phrases spread to the margins and across page breaks (`seam`).

Leaves and groups are first built as small `Plan` nodes, normalized as Whoosh normalizes
(nothing left of a group: no query; one word left of a phrase: a term), then written as DSL.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

from ... import tokens
from ...errors import QueryError
from ...pagetext import NEXT
from ...queryparse import check_pattern
from ...querytree import And, Fuzzy, Leaf, Node, Not, Or, Phrase, Term, Wildcard, YearRange
from ...translit import BOOST as TRANSLIT_BOOST
from .mapping import term as indexed

TEXT_FIELDS = (*tokens.BODY_FIELDS, "exact", "margin")
META_FIELDS = ("title", "author", "publisher")
FIELD_BOOSTS = {"title": 3.0}
ANALYSED = (*TEXT_FIELDS, "seam", "translit", "title", "author", "publisher")
# Fields of stemmed words (each `body_…` by its language's rules); the other text fields hold
# them as is.
STEMMED = (*tokens.BODY_FIELDS, "title")
# Whoosh's `word~` counts an insertion, a deletion or a substitution as one edit, but not a
# swap of two letters (its Levenshtein automaton over one segment): nor does Lucene's, so.
TRANSPOSITIONS = False
# Question marks Whoosh's parser read as `?` in a pattern (its query then matched them as
# written): Armenian, Arabic and Ethiopic.
_QMARKS = "?\u055e\u061f\u1367"


@dataclass(frozen=True)
class Plan:
    """One node of a query: a leaf (`kind` term, phrase, prefix, wildcard, fuzzy or range on
    `field`) or a group (`kind` and, or, not, maybe over `parts`)."""

    kind: str
    field: str = ""
    value: Any = None  # a term's text or number, a phrase's words, a range's (start, end, ...)
    parts: tuple[Plan, ...] = ()
    boost: float = 1.0
    slop: int = 1
    edits: int = 0


def to_plan(tree: Node, *, metadata: bool = True) -> Plan | None:
    """The normalized plan of `tree` (None: it can match nothing), its patterns checked.

    Without `metadata`, unfielded words match the page text only, not the report's title,
    author or publisher (inside one report those would match every page).
    """
    required = _Translator(TEXT_FIELDS, phrases_on="exact", cross_script=True).query(tree)
    required = _spread(required) if required is not None else None
    if required is None:
        return None
    plan = required
    if metadata:
        # Normalized again, as Whoosh's AND-MAYBE normalizes: the spread phrases merge into
        # the alternatives around them.
        plan = required = _normalize(required) or required
        boost = _Translator(META_FIELDS, phrases_on=None).query(tree)
        if boost is not None:
            plan = Plan("maybe", parts=(required, boost))
    for leaf in plan_leaves(plan):
        if leaf.kind == "prefix":
            check_pattern(leaf.value + "*")
        elif leaf.kind == "wildcard":
            check_pattern(leaf.value)
    return plan


def plan_leaves(plan: Plan) -> Iterator[Plan]:
    """The leaves of `plan`, left to right."""
    if plan.parts:
        for part in plan.parts:
            yield from plan_leaves(part)
    else:
        yield plan


class _Translator:
    """Turns a tree into a plan with unfielded leaves searched in `fields` (a phrase only in
    `phrases_on`, when given), as querywhoosh's translator does, cross-script words too."""

    def __init__(
        self, fields: tuple[str, ...], phrases_on: str | None, cross_script: bool = False
    ) -> None:
        self.fields = fields
        self.phrases_on = phrases_on
        self.cross_script = cross_script

    def query(self, tree: Node) -> Plan | None:
        return _normalize(_unstemmed_patterns(self.node(tree)))

    def node(self, node: Node) -> Plan | None:
        if isinstance(node, (And, Or)):
            subs = tuple(p for p in (self.node(part) for part in node.parts) if p is not None)
            return Plan("and" if isinstance(node, And) else "or", parts=subs, boost=node.boost)
        if isinstance(node, Not):
            sub = self.node(node.part)
            return Plan("not", parts=(sub,), boost=node.boost) if sub is not None else None
        field = node.field
        if field is None and isinstance(node, Phrase) and self.phrases_on:
            field = self.phrases_on
        if field is not None:
            return leaf_plan(node, field, node.boost)
        alternatives = [leaf_plan(node, f, FIELD_BOOSTS.get(f, 1.0)) for f in self.fields]
        if self.cross_script and isinstance(node, Term):
            alternatives += self.cross_script_alternatives(node)
        subs = tuple(p for p in alternatives if p is not None)
        return Plan("or", parts=subs, boost=node.boost)

    def cross_script_alternatives(self, node: Term) -> list[Plan | None]:
        """As querywhoosh's: the word in one script, and its keys in the other (`translit`)."""
        found: list[Plan | None] = []
        one_script = tokens.unmixed(node.text)
        if one_script != node.text:
            alike = replace(node, text=one_script)
            found += [leaf_plan(alike, f, FIELD_BOOSTS.get(f, 1.0)) for f in self.fields]
        keys = tokens.cross_script_terms(node.text)
        if len(keys) == 1:
            found.append(Plan("term", "translit", keys[0], boost=TRANSLIT_BOOST))
        elif keys:
            found.append(Plan("phrase", "translit", tuple(keys), boost=TRANSLIT_BOOST))
        return found


def leaf_plan(leaf: Leaf, field: str, boost: float) -> Plan | None:
    """What Whoosh's parser node for `leaf` made in `field` (None: nothing, e.g. a stop word)."""
    if isinstance(leaf, YearRange):
        ends = (leaf.start, leaf.end, leaf.start_excl, leaf.end_excl)
        return Plan("range", "year", ends, boost=boost)
    if field == "year" and isinstance(leaf, Phrase):
        # Whoosh's parser made a term of the phrase's text, a year if it is a number.
        text = leaf.text.strip()
        return Plan("term", "year", int(text) if text.isdecimal() else text, boost=boost)
    if field == "year":
        # A number field parses its own text: `year:2020~` and `year:20*` are years 2020 and 20
        # to Whoosh's parser, `year:20?0` is no number.
        text = leaf.text
        if isinstance(leaf, Wildcard) and text.endswith("*") and text.count("*") == 1:
            text = text[:-1] if not any(q in text for q in _QMARKS) else text
        return Plan("term", "year", _year(text), boost=boost)
    if isinstance(leaf, Term):
        words = analyse(field, leaf.text)
        if len(words) > 1:
            parts = tuple(Plan("term", field, w) for w in words)
            # Each field's multitoken_query in the Whoosh schema: AND in `body…` and `number`.
            if field in tokens.BODY_FIELDS or field == "number":
                return Plan("and", parts=parts, boost=boost)
            return Plan("phrase", field, tuple(words), boost=boost)
        return Plan("term", field, words[0], boost=boost) if words else None
    if isinstance(leaf, Phrase):
        words = analyse(field, leaf.text)  # one word in number: (queryparse.check_leaf)
        return Plan("phrase", field, tuple(words), boost=boost, slop=leaf.slop)
    if isinstance(leaf, Fuzzy):
        return Plan("fuzzy", field, one_token(field, leaf.text), boost=boost, edits=leaf.edits)
    return _pattern(field, leaf.text, boost)


def analyse(field: str, text: str) -> list[str]:
    """The query terms of `text` in `field`, as the Whoosh schema's analyzer makes them."""
    if field in STEMMED:
        return [t.text for t in tokens.stemmed_tokens(text, tokens.field_language(field))]
    if field == "report":
        return [text]
    if field == "number":
        return tokens.keyword_terms(text, lowercase=True)
    return [t.text for t in tokens.exact_tokens(text)]


def one_token(field: str, text: str) -> str:
    """`text` as one token of `field` (a pattern's or a fuzzy term's letters): folded, and
    stemmed in a stemmed field unless it is a stop word or a single letter."""
    if field == "report":
        return text
    if field == "number":
        return text.lower()
    folded = tokens.fold(text)
    if field in STEMMED and not tokens.is_stop(folded):
        return tokens.stem(folded, tokens.field_language(field))
    return folded


def _pattern(field: str, text: str, boost: float) -> Plan | None:
    # As Whoosh's WildcardPlugin: a word with one `*`, at its end, is a prefix; a pattern whose
    # letters hold no `*` or `?` after analysis is a term (Whoosh's Wildcard.normalize).
    if len(text) > 1 and not any(q in text for q in _QMARKS) and text.find("*") == len(text) - 1:
        return Plan("prefix", field, one_token(field, text[:-1]), boost=boost)
    value = one_token(field, text)
    if "*" not in value and "?" not in value:
        return Plan("term", field, value, boost=boost)
    if "?" not in value and value.find("*") == len(value) - 1:
        return Plan("prefix", field, value[:-1], boost=boost)
    return Plan("wildcard", field, value, boost=boost)


def _year(text: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        raise QueryError(f"Cannot search: {text!r} is not a valid number") from None


_NO_PATTERNS = (*tokens.BODY_FIELDS, "margin")


def _unstemmed_patterns(plan: Plan | None) -> Plan | None:
    """Patterns and fuzzy terms only on `exact`, never on `body…` (stemmed) or `margin`."""
    if plan is None:
        return None
    if plan.kind in ("prefix", "wildcard", "fuzzy") and plan.field in _NO_PATTERNS:
        return None
    if plan.parts:
        return replace(plan, parts=tuple(p for p in map(_unstemmed_patterns, plan.parts) if p))
    return plan


def _normalize(plan: Plan | None) -> Plan | None:
    """Whoosh's normalize: empty groups and phrases vanish, one-part groups and one-word
    phrases collapse, nested groups of one kind merge, repeated parts go."""
    if plan is None:
        return None
    if plan.kind == "phrase":
        if not plan.value:
            return None
        if len(plan.value) == 1:  # and Whoosh's normalize drops the phrase's boost
            return Plan("term", plan.field, plan.value[0])
        return plan
    if plan.kind == "not":
        sub = _normalize(plan.parts[0])
        return replace(plan, parts=(sub,)) if sub is not None else None
    if plan.kind not in ("and", "or"):
        return plan
    parts: list[Plan] = []
    for sub in map(_normalize, plan.parts):
        if sub is None:
            continue
        if sub.kind == plan.kind:
            parts += [replace(s, boost=s.boost * sub.boost) for s in sub.parts]
        else:
            parts.append(sub)
    unique = tuple(dict.fromkeys(parts))
    if not unique:
        return None
    if len(unique) == 1:
        return replace(unique[0], boost=unique[0].boost * plan.boost)
    return replace(plan, parts=unique)


def _spread(plan: Plan) -> Plan:
    """A phrase on the page text is also looked for in the margins and, when it is exact (no
    slop), across the break to the next page: starting on this page, ending on the next."""
    if plan.parts:
        return replace(plan, parts=tuple(_spread(p) for p in plan.parts))
    if plan.kind != "phrase" or plan.field != "exact":
        return plan
    words = list(plan.value)
    alternatives = [plan, replace(plan, field="margin", boost=1.0)]
    if plan.slop == 1:
        alternatives += [
            Plan("phrase", "seam", tuple(words[:i] + [NEXT + w for w in words[i:]]))
            for i in range(1, len(words))
        ]
    return Plan("or", parts=tuple(alternatives), boost=plan.boost)


def to_dsl(plan: Plan) -> dict[str, Any]:
    """The OpenSearch query of a plan."""
    kind, field, value = plan.kind, plan.field, plan.value
    boost = {"boost": plan.boost} if plan.boost != 1.0 else {}
    if kind == "term" and field == "year" and not isinstance(value, int):
        return {"match_none": {}}  # a year that is no number, written as a phrase
    if kind == "term":
        text = indexed(value) if field in ANALYSED else value
        return {"term": {field: {"value": text, **boost}}}
    if kind == "phrase":
        words = [indexed(w) for w in value]  # phrases are on analysed fields only
        if plan.slop == 1:
            return {"match_phrase": {field: {"query": " ".join(words), **boost}}}
        return _span_chain(field, words, plan.slop, plan.boost)
    if kind == "prefix":
        return {"prefix": {field: {"value": value, "rewrite": "constant_score", **boost}}}
    if kind == "wildcard":
        regexp = {"value": glob_regexp(value), "flags": "NONE", "rewrite": "constant_score"}
        return {"regexp": {field: {**regexp, **boost}}}
    if kind == "fuzzy":
        fuzzy = {"value": value, "fuzziness": plan.edits, "prefix_length": 0}
        fuzzy |= {"transpositions": TRANSPOSITIONS, "rewrite": "constant_score"}
        return {"fuzzy": {field: {**fuzzy, **boost}}}
    if kind == "range":
        start, end, start_excl, end_excl = value
        bounds: dict[str, Any] = {}
        if start is not None:
            bounds["gt" if start_excl else "gte"] = start
        if end is not None:
            bounds["lt" if end_excl else "lte"] = end
        return {"range": {field: {**bounds, **boost}}}
    return _group(plan)


def _group(plan: Plan) -> dict[str, Any]:
    boost = {"boost": plan.boost} if plan.boost != 1.0 else {}
    if plan.kind == "maybe":
        required, extra = plan.parts
        return {"bool": {"must": [to_dsl(required)], "should": [to_dsl(extra)], **boost}}
    if plan.kind == "or":
        should = [to_dsl(p) for p in plan.parts]
        return {"bool": {"should": should, "minimum_should_match": 1, **boost}}
    if plan.kind == "not":
        return {"bool": {"must_not": [to_dsl(plan.parts[0])], **boost}}
    must = [to_dsl(p) for p in plan.parts if p.kind != "not"]
    must_not = [to_dsl(p.parts[0]) for p in plan.parts if p.kind == "not"]
    clauses = {"must": must} if must else {}
    if must_not:
        clauses["must_not"] = must_not
    return {"bool": {**clauses, **boost}}


def _span_chain(field: str, words: list[str], slop: int, boost: float) -> dict[str, Any]:
    # Whoosh's sloppy phrase wants each word at most `slop` positions after the one before
    # (ordered); Lucene's slop is the total gap. Nesting from the right makes each step its
    # own span_near, whose inner spans start at every place a valid rest begins.
    query: dict[str, Any] = {"span_term": {field: words[-1]}}
    for word in reversed(words[:-1]):
        clauses = [{"span_term": {field: word}}, query]
        query = {"span_near": {"clauses": clauses, "slop": slop - 1, "in_order": True}}
    if boost != 1.0:
        query[next(iter(query))]["boost"] = boost
    return query


def glob_regexp(glob: str) -> str:
    """A Lucene regular expression matching what Python's fnmatch matches for `glob` (how
    Whoosh's Wildcard matches): `*`, `?` and `[...]` classes; everything else is literal."""
    out, i, n = [], 0, len(glob)
    while i < n:
        char = glob[i]
        i += 1
        if char == "*":
            out.append(".*")
        elif char == "?":
            out.append(".")
        elif char == "[" and (end := _class_end(glob, i)) is not None:
            body = glob[i:end]
            negate = body.startswith("!")
            members = body[1:] if negate else body
            out.append("[" + ("^" if negate else "") + _class_members(members) + "]")
            i = end + 1
        else:
            out.append(_literal(char))
    return "".join(out)


def _class_end(glob: str, i: int) -> int | None:
    # As fnmatch: a `!` and then a `]` right after `[` belong to the class.
    j = i
    if j < len(glob) and glob[j] == "!":
        j += 1
    if j < len(glob) and glob[j] == "]":
        j += 1
    end = glob.find("]", j)
    return end if end >= 0 else None


def _class_members(members: str) -> str:
    out = []
    for k, char in enumerate(members):
        ranged = char == "-" and 0 < k < len(members) - 1
        out.append("-" if ranged else _literal(char))
    return "".join(out)


def _literal(char: str) -> str:
    return char if re.fullmatch(r"\w", char) else "\\" + char
