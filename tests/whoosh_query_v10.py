"""The reference for tests/test_querytree.py: indexer/engine/whoosh/query.py as it was before
the engine-neutral parser (Whoosh's own query parser with plugins), kept unchanged but for
its imports.

A user's query -> a Whoosh query over the page fields, checked so that nothing typed can
reach the index's internal fields or make one search take the service down.

The language is Whoosh's: words (all required), "phrases", AND/OR/NOT, parentheses,
field:value on title/author/publisher/year/report/number, wildcards (nuc*) and fuzzy terms
(nuclaer~). The query is checked in the characters the parser sees (after NFKC), and the
parsed query is checked again leaf by leaf.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from whoosh import query as wq
from whoosh.fields import Schema
from whoosh.qparser import (
    FieldsPlugin,
    FuzzyTermPlugin,
    MultifieldParser,
    PhrasePlugin,
    Plugin,
    syntax,
)

from indexer.engine.whoosh.index import PageIndex, make_schema
from indexer.errors import QueryError
from indexer.pagetext import NEXT
from indexer.textforms import fold_query

log = logging.getLogger(__name__)

MAX_QUERY_CHARS = 1000
MAX_QUERY_TERMS = 64
MIN_WILDCARD_PREFIX = 2
# What Whoosh's parser reads as wildcards: * and its question marks (NFKC has already made the
# full-width and small forms ＊ ﹡ ？ ﹖ plain * and ?).
WILDCARDS = "*?\u055e\u061f\u1367"
# The fields a user may name (the README's list). Every other field is internal.
USER_FIELDS = ("title", "author", "publisher", "year", "report", "number")

# Unfielded words must be on the page: in its text (stemmed `body` for recall, `exact` for the
# rest) or its margins; the report's metadata fields only raise the score.
TEXT_FIELDS = ("body", "exact", "margin")
META_FIELDS = ("title", "author", "publisher")
FIELD_BOOSTS = {"title": 3.0}
# The fields a parsed query may touch: the user's, and those the parser itself sends words to.
QUERY_FIELDS = frozenset(USER_FIELDS + TEXT_FIELDS + META_FIELDS + ("seam",))
_SCHEMA = make_schema()


_QUOTED = re.compile(r'"[^"]*"')
# What Whoosh's FieldsPlugin reads as a field name: word characters (any script) before a colon.
_FIELD = re.compile(r"(\w+|\*):")
_OPERATORS = {"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE"}


def validate_query(q: str) -> None:
    """Raise QueryError, with a message saying how to fix it, if `q` cannot be searched as written.

    Whoosh's parser accepts anything (it guesses), so the mistakes users make are caught here:
    `q` is parsed as a search would parse it (no index needed) and the result is checked.
    """
    _build(_SCHEMA, q, metadata=True)


def _check_text(q: str) -> None:
    """The checks on the query's text, in the match form the parser sees (NFKC: a full-width
    colon, star or question mark is the ASCII one here)."""
    if not q.strip():
        raise QueryError("The query is empty: type some words to search for.")
    if q.count('"') % 2:
        raise QueryError('Unbalanced double quote: close the "phrase" or remove the quote.')
    # Quoted phrases are literal text: brackets, colons and stars inside them mean nothing.
    # An empty pair of quotes stays in their place, so that `foo:"bar"` still names a field.
    bare = _QUOTED.sub('""', q)
    _check_parentheses(bare)
    _check_fields(bare)
    words = [w for w in re.split(r"[\s()]+", bare) if w and w not in _OPERATORS and w != '""']
    terms = len(words) + sum(len(p.split()) for p in _QUOTED.findall(q))
    if terms > MAX_QUERY_TERMS:
        raise QueryError(f"The query has {terms} terms; the limit is {MAX_QUERY_TERMS}.")
    for word in words:
        term = word.split(":", 1)[-1] if _FIELD.match(word) else word
        _check_wildcard(term)
        _check_fuzzy(term)


def _check_fields(bare: str) -> None:
    """Only the README's fields may be named, each with a value. A number before a colon
    (10:30) and a URL's scheme (http://) are text, as they are to the parser."""
    for match in _FIELD.finditer(bare):
        name, after = match.group(1), bare[match.end() : match.end() + 1]
        if name in USER_FIELDS:
            if not after or after.isspace() or after == ")":
                raise QueryError(
                    f"The field {name}: has nothing after it: write {name}:word or "
                    f'{name}:"a phrase".'
                )
        elif not (name.isdecimal() or (after == "/" and name not in _SCHEMA)):
            raise QueryError(
                f"Unknown field {name!r}: use one of {', '.join(USER_FIELDS)}; to search for "
                f'the text "{name}:", put it in quotes.'
            )


def _check_fuzzy(term: str) -> None:
    # "word~" and "word~2" are fuzzy terms; `""~3` after a phrase is its slop, any number.
    if "~" in term and not term.startswith('""'):
        edits = term.split("~", 1)[1]
        if edits not in ("", "1", "2"):
            raise QueryError(f"Fuzzy term {term!r}: write word~ or word~2 (1 or 2 edits).")


def _check_parentheses(bare: str) -> None:
    depth = 0
    for char in bare:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth < 0:
            raise QueryError("Unbalanced parenthesis: a ')' has no matching '('.")
    if depth:
        raise QueryError("Unbalanced parenthesis: a '(' is never closed.")


def _check_wildcard(term: str) -> None:
    # A wildcard with a short literal prefix expands to most of the vocabulary: slow, and useless.
    stars = [i for i, c in enumerate(term) if c in WILDCARDS]
    if stars and stars[0] < MIN_WILDCARD_PREFIX:
        raise QueryError(
            f"Wildcard {term!r} needs at least {MIN_WILDCARD_PREFIX} letters before * or ?, "
            "e.g. nuc*."
        )


class _PhrasesOnExact(Plugin):
    """Send unfielded "phrases" to the unstemmed `exact` page text only.

    Runs after explicit field names are applied (priority 100) and before the multifield
    expansion (110), so `title:"..."` still searches the title.
    """

    def filters(self, parser: Any) -> list[tuple[Any, int]]:
        return [(self._route, 105)]

    def _route(self, parser: Any, group: Any) -> Any:
        for node in group:
            if isinstance(node, syntax.GroupNode):
                self._route(parser, node)
            elif isinstance(node, PhrasePlugin.PhraseNode) and node.fieldname is None:
                node.set_fieldname("exact")
        return group


class _UserFields(FieldsPlugin):
    """Whoosh's field syntax, refusing the index's internal fields (page_label, path, text,
    doc_id, publisher_facet, ...): the check made where the parser itself reads field names."""

    def do_fieldnames(self, parser: Any, group: Any) -> Any:
        for node in group:
            name = getattr(node, "fieldname", None)
            internal = name in parser.schema and name not in USER_FIELDS
            if isinstance(node, syntax.FieldnameNode) and internal:
                raise QueryError(f"Unknown field {name!r}: use one of {', '.join(USER_FIELDS)}.")
        return super().do_fieldnames(parser, group)


def parse_query(index: PageIndex, q: str, *, metadata: bool = True) -> wq.Query:
    """Validate `q` and turn it into a Whoosh query over the page fields.

    Without `metadata`, unfielded words match the page text only, not the report's title,
    author or publisher (inside one report those would match every page).
    """
    return _build(index.schema, q, metadata=metadata)


def _build(schema: Schema, q: str, *, metadata: bool) -> wq.Query:
    if len(q) > MAX_QUERY_CHARS:
        raise QueryError(f"The query is {len(q)} characters long; the limit is {MAX_QUERY_CHARS}.")
    # The index holds the match form of the pages ("№" as "No", full-width as ASCII, ё as е),
    # and the checks must see the characters the parser sees: "：" is ":" and "＊" is "*" here.
    q = fold_query(q)
    _check_text(q)
    required = _parse(schema, q, TEXT_FIELDS, _PhrasesOnExact()).accept(_spread_phrase)
    if metadata:
        # Every hit must be a citation: the words must be on the page. A report whose title,
        # author or publisher also has them only ranks higher.
        boost = _parse(schema, q, META_FIELDS, None)
        required = wq.AndMaybe(required, boost).normalize()
    _check_parsed(required)
    return required


def _check_parsed(q: wq.Query) -> None:
    """Check what the parser made of the query: whatever the text checks missed, no leaf may
    touch an internal field, match every page, range over words, or start with a wildcard."""
    for leaf in leaves(q):
        field = leaf.field()
        if isinstance(leaf, wq.Every):
            raise QueryError("A bare * matches every page: type some words to search for.")
        if field is not None and field not in QUERY_FIELDS:
            raise QueryError(f"Unknown field {field!r}: use one of {', '.join(USER_FIELDS)}.")
        if isinstance(leaf, (wq.TermRange, wq.NumericRange)) and field != "year":
            raise QueryError("A range [a TO b] works only on the year: year:[2010 TO 2020].")
        if isinstance(leaf, (wq.Prefix, wq.Wildcard)):
            text = leaf.text if isinstance(leaf, wq.Wildcard) else leaf.text + "*"
            _check_wildcard(text)


def _parse(schema: Schema, q: str, fields: tuple[str, ...], plugin: Plugin | None) -> wq.Query:
    parser = MultifieldParser(list(fields), schema, fieldboosts=FIELD_BOOSTS)
    parser.remove_plugin_class(FieldsPlugin)
    parser.add_plugin(_UserFields())
    parser.add_plugin(FuzzyTermPlugin())
    if plugin:
        parser.add_plugin(plugin)
    # Not normalized yet: normalizing would silently drop the error queries checked for here.
    try:
        parsed = parser.parse(q, normalize=False)
    except QueryError:
        raise
    except Exception as exc:  # the parser guesses at anything; what it cannot read is refused
        log.warning("cannot parse %r: %r", q, exc)
        raise QueryError(f"Cannot search {q!r}: the query cannot be read as written.") from exc
    for node in leaves(parsed):
        # Self-parsing fields (year) report bad values as error queries instead of raising.
        if getattr(node, "error", None):
            raise QueryError(f"Cannot search {q!r}: {node.error}")
    return parsed.accept(_unstemmed_patterns).normalize()


def _spread_phrase(q: wq.Query) -> wq.Query:
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


def _unstemmed_patterns(q: wq.Query) -> wq.Query:
    # The analyzer stems wildcard and fuzzy text too ("weapon*s" becomes "weapon*"), which would
    # widen the match; `exact` holds the same words unstemmed, so patterns are matched there.
    # Margins repeat on every page: a pattern there would only cost time.
    if isinstance(q, wq.MultiTerm) and q.field() in ("body", "margin"):
        return wq.NullQuery
    return q


def leaves(q: wq.Query) -> list[wq.Query]:
    """The leaf queries of `q` (terms, phrases, patterns), in order."""
    return [q] if q.is_leaf() else [leaf for child in q.children() for leaf in leaves(child)]
