"""A user's query string -> a checked, engine-neutral query tree (querytree), read by luqum.

luqum reads Lucene's syntax, which the README's mostly is. Where the README (and the Whoosh
parser users have had so far) reads a text differently, the text is first put in the form luqum
reads that way (`_for_luqum`): `10:30`, `http://x/y`, `-word`, `'quoted words'`, `[2020 TO]`
and an AND that is not between spaces are text or syntax as before. Juxtaposition is AND, and
AND binds tighter than OR, which is luqum's grouping too (`a OR b c` is `(a OR b) AND c`).

The checks on the text itself (the quotes and parentheses balance, the field names, the forms
of `~`) run as it is read; every other rule (wildcards, terms, ranges, years) runs once on the
tree, for every engine.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import replace
from decimal import Decimal

from luqum import tree as lt
from luqum.exceptions import ParseError
from luqum.thread import parse as luqum_parse

from .errors import QueryError
from .querytree import And, Fuzzy, Leaf, Node, Not, Or, Phrase, Term, Wildcard, YearRange, leaves
from .textforms import fold_query
from .tokens import keyword_terms

MAX_QUERY_CHARS = 1000
MAX_QUERY_TERMS = 64
MIN_WILDCARD_PREFIX = 2
# Wildcard, fuzzy and range terms of one query may match at most this many words in all, in any
# engine. More is an error rather than a silent cut: a cut would drop words alphabetically, not
# by relevance, and a citation tool must not pretend a search was complete.
MAX_EXPANDED_TERMS = 1000
# What reads as a wildcard: * and its question marks (NFKC has already made the full-width and
# small forms ＊ ﹡ ？ ﹖ plain * and ?).
WILDCARDS = "*?\u055e\u061f\u1367"
# The fields a user may name (the README's list). Every other field is internal.
USER_FIELDS = ("title", "author", "publisher", "year", "report", "number")

# The pieces of a query, left to right; what is not one of the named pieces is one character.
_PIECES = re.compile(
    r"""
    (?P<phrase>"(?P<ptext>[^"]*)"(?:~(?P<slop>[1-9][0-9]*))?)
  | (?P<squote>(?:^|(?<=\W))'(?P<qtext>.*?)'(?=\s|\]|[)}]|$))
  | (?P<range>(?P<open>[{\[])(?P<start>[^\]}]+?(?=[Tt][Oo]))?[Tt][Oo]
               (?P<end>[^\]}]+?)?(?P<close>[}\]]))
  | (?P<field>(?P<name>\w+|\*):)
  | (?P<boost>\^[0-9]*(?:\.[0-9]+)?(?=$|[ \t\r\n)]))
  | (?P<tilde>~[0-9]?)
  | (?P<op>(?<!\w)(?:AND|OR|NOT|ANDNOT|REQUIRE|TO)(?!\w))
  | (?P<char>.)
    """,
    re.VERBOSE | re.DOTALL,
)
# Characters luqum gives a meaning the README does not (or that need no meaning in a word).
_LUQUM_SPECIAL = set("\\/+-'<>!&|[]{}:^~")
_QUOTED = re.compile(r'"[^"]*"')
_FIELD = re.compile(r"(\w+|\*):")


def parse(q: str, *, reserved: Collection[str] = ()) -> Node:
    """The tree of `q`, checked; QueryError (saying how to fix it) if it cannot be searched.

    `reserved` names the engine's own fields: `name:` is then refused even where it could be
    text (`name://`).
    """
    if len(q) > MAX_QUERY_CHARS:
        raise QueryError(f"The query is {len(q)} characters long; the limit is {MAX_QUERY_CHARS}.")
    # The index holds the match form of the pages, and the checks must see the characters the
    # parser sees: "：" is ":" and "＊" is "*" here.
    q = fold_query(q)
    _check_text(q, reserved)
    try:
        # PLY's lexer keeps its state in itself: luqum.thread gives each thread its own clone
        # (waitress serves searches from several threads).
        parsed = luqum_parse(_for_luqum(q))
    except ParseError as exc:
        raise QueryError(f"Cannot search {q!r}: the query cannot be read as written.") from exc
    node = _convert(parsed, None, q)
    check_tree(node, q)
    return node


def _check_text(q: str, reserved: Collection[str]) -> None:
    """What only the text shows: empty, unbalanced, a field name that is not one, a `~` that
    is not `~`, `~1` or `~2` at a word's end."""
    if not q.strip():
        raise QueryError("The query is empty: type some words to search for.")
    if q.count('"') % 2:
        raise QueryError('Unbalanced double quote: close the "phrase" or remove the quote.')
    # Quoted phrases are literal text; an empty pair of quotes stays so that `foo:"bar"` still
    # names a field.
    bare = _QUOTED.sub('""', q)
    depth = 0
    for char in bare:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth < 0:
            raise QueryError("Unbalanced parenthesis: a ')' has no matching '('.")
    if depth:
        raise QueryError("Unbalanced parenthesis: a '(' is never closed.")
    for match in _FIELD.finditer(bare):
        name, after = match.group(1), bare[match.end() : match.end() + 1]
        if name in USER_FIELDS:
            if not after or after.isspace() or after == ")":
                raise QueryError(
                    f"The field {name}: has nothing after it: write {name}:word or "
                    f'{name}:"a phrase".'
                )
        elif not _is_text_colon(name, after, reserved):
            raise QueryError(
                f"Unknown field {name!r}: use one of {', '.join(USER_FIELDS)}; to search for "
                f'the text "{name}:", put it in quotes.'
            )
    for word in re.split(r"[\s()]+", bare):
        term = word.split(":", 1)[-1] if _FIELD.match(word) else word
        # "word~" and "word~2" are fuzzy terms; `""~3` after a phrase is its slop, any number.
        fuzzy = "~" in term and not term.startswith('""')
        if fuzzy and term.split("~", 1)[1] not in ("", "1", "2"):
            raise QueryError(f"Fuzzy term {term!r}: write word~ or word~2 (1 or 2 edits).")


def _is_text_colon(name: str, after: str, reserved: Collection[str]) -> bool:
    # A number before a colon (10:30) and a URL's scheme (http://) are text; the name of one
    # of the engine's own fields is refused even before a slash.
    return name.isdecimal() or (after == "/" and name not in reserved)


def _for_luqum(q: str) -> str:
    """`q` written so that luqum reads it as the README does: what is text there is escaped
    here, and open ranges get luqum's `*` ends."""
    out = []
    # Whoosh's parser ignored an empty group; luqum cannot read one.
    q = re.sub(r"\(\s*\)", lambda m: " " * len(m.group(0)), q)
    for m in _PIECES.finditer(q):
        if m.group("phrase") is not None:
            slop = f"~{m.group('slop')}" if m.group("slop") else ""
            out.append('"' + m.group("ptext").replace("\\", "\\\\") + '"' + slop)
        elif m.group("squote") is not None:
            # 'single quotes' make one word of what they hold, spaces included; a wildcard
            # in them was refused as one (the old check read the words between the spaces).
            for word in re.split(r"[\s()]+", m.group("squote")):
                check_pattern(word)
            out.append(_escape(m.group("qtext"), quoted=True) or "\\'\\'")
        elif m.group("range") is not None:
            start, end = (_bound(m.group(g)) for g in ("start", "end"))
            out.append(f"{m.group('open')}{start} TO {end}{m.group('close')}")
        elif m.group("field") is not None:
            name = m.group("name")
            out.append(f"{name}:" if name in USER_FIELDS else _escape(m.group("field")))
        elif m.group("op") is not None:
            out.append(_operator(q, m))
        elif m.group("boost") is not None or m.group("tilde") is not None:
            out.append(_modifier(q, m, "".join(out)))
        else:
            out.append(_escape(m.group("char")))
    return "".join(out)


def _operator(q: str, m: re.Match[str]) -> str:
    # The README's operators are AND, OR and NOT in capitals; AND and OR only between spaces,
    # NOT before a space. Anything else is a word, as it always was (`a AND` ends in a word).
    word, before, after = m.group("op"), q[m.start() - 1 : m.start()], q[m.end() : m.end() + 1]
    spaced_after = after.isspace() and after != ""
    if word in ("AND", "OR") and before.isspace() and before and spaced_after:
        return word
    # Whoosh's ANDNOT and REQUIRE (not in the README) match the pages AND NOT and AND match.
    if word in ("ANDNOT", "REQUIRE") and before.isspace() and before and spaced_after:
        return "AND NOT" if word == "ANDNOT" else "AND"
    if word == "NOT" and (not before or before.isspace() or before in "()") and spaced_after:
        return word
    return "\\" + word


def _modifier(q: str, m: re.Match[str], before: str) -> str:
    # `^2` and `~` modify the word (or phrase, or group) right before them; anywhere else
    # they are text. A fuzzy mark on a wildcard word is dropped: it is the wildcard.
    prev = q[m.start() - 1 : m.start()]
    if not prev or prev.isspace() or prev == "(":
        return _escape(m.group(0))
    if m.group("boost") is not None:
        return m.group(0) if m.group(0) != "^" else "\\^"
    if prev in ')"':
        return _escape(m.group(0))
    word = re.split(r"(?<!\\)[\s()]", before)[-1]
    return "" if _has_pattern(word) else m.group(0)


def _bound(text: str | None) -> str:
    # No text between the bracket and TO is an open end; spaces alone are an empty one.
    if text is None:
        return "*"
    text = text.strip()
    if len(text) > 1 and text[0] == text[-1] == "'":
        text = text[1:-1]
    # An empty end is a space for luqum, and not a year (_range).
    return _escape(text) if text else "\\ "


def _escape(text: str, quoted: bool = False) -> str:
    # Inside 'single quotes' spaces and wildcards are part of the one word too.
    special = _LUQUM_SPECIAL | set(" *?()" + WILDCARDS) if quoted else _LUQUM_SPECIAL
    return "".join("\\" + c if c in special else c for c in text)


def _has_pattern(raw: str) -> bool:
    """Whether luqum's word `raw` has a wildcard that was not escaped."""
    i = 0
    while i < len(raw):
        if raw[i] == "\\":
            i += 2
            continue
        if raw[i] in WILDCARDS:
            return True
        i += 1
    return False


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text, flags=re.DOTALL)


def _convert(node: lt.Item, field: str | None, q: str) -> Node:
    """luqum's tree -> ours, with `field` applied to the leaves below a `field:`."""
    if isinstance(node, lt.SearchField):
        return _convert(node.expr, node.name, q)
    if isinstance(node, (lt.Group, lt.FieldGroup)):
        return _convert(node.expr, field, q)
    if isinstance(node, (lt.AndOperation, lt.UnknownOperation)):
        return And(tuple(_convert(c, field, q) for c in node.children))
    if isinstance(node, lt.OrOperation):
        # Whoosh's parser lost the `^boost` of every alternative of an OR but the last (the
        # OR took the word before its boost): kept so, since `^` is no part of the README.
        *first, last = node.children
        parts = [_convert(c.expr if isinstance(c, lt.Boost) else c, field, q) for c in first]
        return Or((*parts, _convert(last, field, q)))
    if isinstance(node, lt.Not):
        if isinstance(node.a, lt.Not):
            # NOT NOT x was never searched (Whoosh's parser failed on it): it stays refused.
            raise QueryError(f"Cannot search {q!r}: the query cannot be read as written.")
        return Not(_convert(node.a, field, q))
    if isinstance(node, lt.Boost):
        return _boost(_convert(node.expr, field, q), float(node.force))
    if isinstance(node, lt.Proximity):
        return Phrase(_unescape(node.term.value[1:-1]), int(node.degree), field)
    if isinstance(node, lt.Phrase):
        return Phrase(_unescape(node.value[1:-1]), 1, field)
    if isinstance(node, lt.Fuzzy):
        # luqum's degree for a bare `~` is 0.5; the README's is 1 edit.
        edits = 1 if node.degree == Decimal("0.5") else int(node.degree)
        return Fuzzy(_unescape(node.term.value), edits, field)
    if isinstance(node, lt.Word):
        text = _unescape(node.value)
        return Wildcard(text, field) if _has_pattern(node.value) else Term(text, field)
    if isinstance(node, lt.Range):
        return _range(node, field, q)
    raise QueryError(f"Cannot search {q!r}: the query cannot be read as written.")


def _boost(node: Node, boost: float) -> Node:
    # As Whoosh's parser: the boost of words side by side (an And) goes to each of them.
    if isinstance(node, And):
        return And(tuple(_boost(part, boost) for part in node.parts))
    return replace(node, boost=boost)


def _range(node: lt.Range, field: str | None, q: str) -> YearRange:
    if field != "year":
        raise QueryError("A range [a TO b] works only on the year: year:[2010 TO 2020].")
    ends = []
    for name, end in (("start", node.low), ("end", node.high)):
        text = _unescape(end.value).strip()
        try:
            ends.append(None if end.value == "*" else int(text))
        except ValueError:
            # The messages Whoosh's parser gave (the tests look for "not a valid number").
            raise QueryError(
                f"Cannot search {q!r}: Range {name} {text!r} is not a valid number"
            ) from None
    return YearRange(ends[0], ends[1], not node.include_low, not node.include_high)


def check_tree(node: Node, q: str = "") -> None:
    """The rules every engine's query keeps, checked on the tree: few enough terms, no
    wildcard without MIN_WILDCARD_PREFIX letters before it, 1 or 2 edits, years as numbers."""
    found = list(leaves(node))
    terms = sum(len(leaf.text.split()) or 1 if hasattr(leaf, "text") else 1 for leaf in found)
    if terms > MAX_QUERY_TERMS:
        raise QueryError(f"The query has {terms} terms; the limit is {MAX_QUERY_TERMS}.")
    for leaf in found:
        check_leaf(leaf, q)


def check_pattern(text: str) -> None:
    """QueryError if `text` has a wildcard with under MIN_WILDCARD_PREFIX letters before it."""
    # A wildcard with a short literal prefix expands to most of the vocabulary: slow, and
    # useless.
    stars = [i for i, c in enumerate(text) if c in WILDCARDS]
    if stars and stars[0] < MIN_WILDCARD_PREFIX:
        raise QueryError(
            f"Wildcard {text!r} needs at least {MIN_WILDCARD_PREFIX} letters before * or ?, "
            "e.g. nuc*."
        )


def check_leaf(leaf: Leaf, q: str = "") -> None:
    """The rules of check_tree that hold for each leaf (QueryError)."""
    if leaf.field is not None and leaf.field not in USER_FIELDS:
        raise QueryError(f"Unknown field {leaf.field!r}: use one of {', '.join(USER_FIELDS)}.")
    if isinstance(leaf, (Wildcard, Fuzzy)):
        # Letters before a colon in an unfielded word (10:*30) do not count.
        colon = leaf.field is None and _FIELD.match(leaf.text)
        check_pattern(leaf.text.split(":", 1)[-1] if colon else leaf.text)
    if isinstance(leaf, Fuzzy) and leaf.edits not in (1, 2):
        raise QueryError(f"Fuzzy term {leaf.text!r}: write word~ or word~2 (1 or 2 edits).")
    if isinstance(leaf, Phrase) and leaf.field == "number" and len(keyword_terms(leaf.text)) > 1:
        raise QueryError(
            "A phrase cannot be searched in number: (report numbers have no word positions); "
            "write number:R47324."
        )
    if isinstance(leaf, Term) and leaf.field == "year" and not leaf.text.strip().isdecimal():
        raise QueryError(f"Cannot search {q!r}: {leaf.text!r} is not a valid number")
