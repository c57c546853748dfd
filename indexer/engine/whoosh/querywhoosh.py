"""An engine-neutral query tree (querytree) -> the Whoosh query over the page fields.

The query is the one Whoosh's own parser made from the same text (query.parse_query): each
leaf is turned into a query by the node classes of Whoosh's parser, so the schema's analyzers
split, fold and stem the words exactly as they did; the groups, the multifield expansion, the
routing of phrases to `exact` and of patterns away from stemmed fields, the spreading of
phrases to the margins and across page breaks, and the metadata boost are the same steps.
"""

from __future__ import annotations

from dataclasses import replace

from whoosh import query as wq
from whoosh.fields import Schema
from whoosh.qparser import (
    FuzzyTermPlugin,
    MultifieldParser,
    PhrasePlugin,
    PrefixPlugin,
    WildcardPlugin,
    syntax,
)

from ... import tokens
from ...errors import QueryError
from ...pagetext import NEXT
from ...queryparse import check_pattern
from ...querytree import And, Fuzzy, Leaf, Node, Not, Or, Phrase, Term, Wildcard, YearRange
from ...translit import BOOST as TRANSLIT_BOOST

# Unfielded words must be on the page: in its text (stemmed for recall: `body_en`, `body_uk`,
# …, each by its language's rules, and `body`; `exact` for the rest) or its margins; the
# report's metadata fields only raise the score.
TEXT_FIELDS = (*tokens.BODY_FIELDS, "exact", "margin")
META_FIELDS = ("title", "author", "publisher")
FIELD_BOOSTS = {"title": 3.0}


def to_whoosh(tree: Node, schema: Schema, *, metadata: bool = True) -> wq.Query:
    """The Whoosh query for `tree` over the page fields of `schema`.

    Without `metadata`, unfielded words match the page text only, not the report's title,
    author or publisher (inside one report those would match every page).
    """
    required = _Translator(schema, TEXT_FIELDS, phrases_on="exact", cross_script=True).query(tree)
    required = required.accept(spread_phrase)
    if metadata:
        # Every hit must be a citation: the words must be on the page. A report whose title,
        # author or publisher also has them only ranks higher.
        boost = _Translator(schema, META_FIELDS, phrases_on=None).query(tree)
        required = wq.AndMaybe(required, boost).normalize()
    _check_patterns(required)
    return required


def _check_patterns(q: wq.Query) -> None:
    # The title's analyzer stems a pattern's letters too (иe* becomes и*): the rule on the
    # letters before a wildcard (checked on the tree) holds for what is looked up as well.
    for leaf in _leaves(q):
        if isinstance(leaf, (wq.Prefix, wq.Wildcard)):
            text = leaf.text if isinstance(leaf, wq.Wildcard) else leaf.text + "*"
            check_pattern(text)


class _Translator:
    """Turns a tree into a query with unfielded leaves searched in `fields` (a phrase only in
    `phrases_on`, when given), as Whoosh's MultifieldParser did; with `cross_script`, an
    unfielded word is also looked for in its one-script form and in the other script."""

    def __init__(
        self,
        schema: Schema,
        fields: tuple[str, ...],
        phrases_on: str | None,
        cross_script: bool = False,
    ) -> None:
        # The parser parses nothing here: it holds the schema and the query classes that
        # its nodes use to make their queries.
        self.parser = MultifieldParser(list(fields), schema, fieldboosts=FIELD_BOOSTS)
        self.fields = fields
        self.phrases_on = phrases_on
        self.cross_script = cross_script

    def query(self, tree: Node) -> wq.Query:
        """The whole query, normalized, with patterns kept off the stemmed fields."""
        q = self.node(tree) or wq.NullQuery
        # Not normalized before the check: normalizing would silently drop error queries.
        for leaf in _leaves(q):
            # Self-parsing fields (year) report bad values as error queries instead of raising.
            if getattr(leaf, "error", None):
                raise QueryError(f"Cannot search: {leaf.error}")
        return q.accept(unstemmed_patterns).normalize()

    def node(self, node: Node) -> wq.Query | None:
        if isinstance(node, And):
            subs = [q for q in (self.node(part) for part in node.parts) if q is not None]
            return wq.And(subs, boost=node.boost)
        if isinstance(node, Or):
            subs = []
            for q in (self.node(part) for part in node.parts):
                # Whoosh's parser merged an OR of alternatives (a word's fields, an OR in
                # parentheses) into the OR around it, its boost going to each alternative.
                if isinstance(q, wq.Or):
                    subs += [sub.with_boost(sub.boost * q.boost) for sub in q.subqueries]
                elif q is not None:
                    subs.append(q)
            return wq.Or(subs, boost=node.boost)
        if isinstance(node, Not):
            sub = self.node(node.part)
            return wq.Not(sub, boost=node.boost) if sub is not None else None
        field = node.field
        if field is None and isinstance(node, Phrase) and self.phrases_on:
            field = self.phrases_on
        if field is not None:
            return self.leaf(node, field, node.boost)
        # An unfielded leaf is looked for in each field, with that field's boost.
        alternatives = [self.leaf(node, f, FIELD_BOOSTS.get(f, 1.0)) for f in self.fields]
        if self.cross_script and isinstance(node, Term):
            alternatives += self.cross_script_alternatives(node)
        return wq.Or([q for q in alternatives if q is not None], boost=node.boost)

    def cross_script_alternatives(self, node: Term) -> list[wq.Query | None]:
        """The word in one script when it mixes two (in each field), and its keys in the
        other script (`translit`, ranked below the native-script fields)."""
        found: list[wq.Query | None] = []
        one_script = tokens.unmixed(node.text)
        if one_script != node.text:
            alike = replace(node, text=one_script)
            found += [self.leaf(alike, f, FIELD_BOOSTS.get(f, 1.0)) for f in self.fields]
        keys = tokens.cross_script_terms(node.text)
        if len(keys) == 1:
            found.append(wq.Term("translit", keys[0], boost=TRANSLIT_BOOST))
        elif keys:
            found.append(wq.Phrase("translit", keys, boost=TRANSLIT_BOOST))
        return found

    def leaf(self, leaf: Leaf, field: str, boost: float) -> wq.Query | None:
        """The query Whoosh's parser made for `leaf` in `field` (None: a stop word)."""
        made: syntax.SyntaxNode
        if isinstance(leaf, Term):
            made = syntax.WordNode(leaf.text)
        elif isinstance(leaf, Phrase):
            made = PhrasePlugin.PhraseNode(leaf.text, 0, slop=leaf.slop)
        elif isinstance(leaf, Wildcard):
            made = _pattern_node(leaf.text)
        elif isinstance(leaf, Fuzzy):
            word = syntax.WordNode(leaf.text)
            word.startchar = word.endchar = 0
            made = FuzzyTermPlugin.FuzzyTermNode(word, leaf.edits, 0)
        else:
            made = _range_node(leaf)
        made.set_fieldname(field)
        made.set_boost(boost)
        # Where the text was in the query string: Whoosh's parser records it; nothing here
        # reads it (highlights come from the page's own text).
        made.startchar = made.endchar = 0
        return made.query(self.parser)


def _pattern_node(text: str) -> syntax.TextNode:
    # As Whoosh's WildcardPlugin: a word with one `*`, at its end, is a prefix, whose letters
    # the field's analyzer folds (and stems); other patterns are matched as written.
    no_qmarks = not any(q in text for q in WildcardPlugin.qmarks)
    if len(text) > 1 and no_qmarks and text.find("*") == len(text) - 1:
        return PrefixPlugin.PrefixNode(text[:-1])
    return WildcardPlugin.WildcardNode(text)


def _range_node(leaf: YearRange) -> syntax.RangeNode:
    start = None if leaf.start is None else str(leaf.start)
    end = None if leaf.end is None else str(leaf.end)
    return syntax.RangeNode(start, end, leaf.start_excl, leaf.end_excl)


def spread_phrase(q: wq.Query) -> wq.Query:
    """A phrase on the page text is also looked for in the margins and, when it is exact
    (no slop), across the break to the next page: starting on this page, ending on the next."""
    if not isinstance(q, wq.Phrase) or q.fieldname != "exact":
        return q
    alternatives: list[wq.Query] = [q, wq.Phrase("margin", q.words, slop=q.slop)]
    if q.slop == 1:
        words = list(q.words)
        alternatives += [
            wq.Phrase("seam", words[:i] + [NEXT + w for w in words[i:]])
            for i in range(1, len(words))
        ]
    return wq.Or(alternatives, boost=q.boost)


def unstemmed_patterns(q: wq.Query) -> wq.Query:
    """Wildcard and fuzzy terms only on `exact`."""
    # The analyzer stems wildcard and fuzzy text too ("weapon*s" becomes "weapon*"), which would
    # widen the match; `exact` holds the same words unstemmed, so patterns are matched there.
    # Margins repeat on every page: a pattern there would only cost time.
    if isinstance(q, wq.MultiTerm) and q.field() in (*tokens.BODY_FIELDS, "margin"):
        return wq.NullQuery
    return q


def _leaves(q: wq.Query) -> list[wq.Query]:
    return [q] if q.is_leaf() else [leaf for child in q.children() for leaf in _leaves(child)]
