"""The query a user typed, as a small tree that no search engine owns (issue 12).

`queryparse.parse` makes it from the query string and checks it; each engine translates it
(`querywhoosh` for Whoosh). Leaves keep the text as the user wrote it (after NFKC folding):
splitting it into words and stemming them is the engine's analysis, not the parser's.

A leaf's `field` is None for unfielded text (the page text, and the report's metadata for the
score), else one of the user's fields (query.USER_FIELDS). `boost` is the `^2` of `word^2`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class Term:
    """A word (or what the user typed as one word: `10:30`, `Hart-Scott-Rodino`)."""

    text: str
    field: str | None = None
    boost: float = 1.0


@dataclass(frozen=True)
class Phrase:
    """A "quoted phrase"; `slop` 1 is exact (words in order, next to each other)."""

    text: str
    slop: int = 1
    field: str | None = None
    boost: float = 1.0


@dataclass(frozen=True)
class Wildcard:
    """A word with `*` (any letters) or `?` (one letter) in it; `nuc*` is a prefix."""

    text: str
    field: str | None = None
    boost: float = 1.0

    @property
    def prefix(self) -> str:
        """The literal letters before the first `*` or `?`."""
        for i, char in enumerate(self.text):
            if char in "*?":
                return self.text[:i]
        return self.text


@dataclass(frozen=True)
class Fuzzy:
    """A word matched with up to `edits` (1 or 2) letters changed: `word~`, `word~2`."""

    text: str
    edits: int = 1
    field: str | None = None
    boost: float = 1.0


@dataclass(frozen=True)
class YearRange:
    """`year:[2010 TO 2020]`; None is an open end, `excl` a `{}` bound. Years only."""

    start: int | None
    end: int | None
    start_excl: bool = False
    end_excl: bool = False
    boost: float = 1.0
    field: str = "year"


@dataclass(frozen=True)
class And:
    """Every part must match (also what words side by side mean)."""

    parts: tuple[Node, ...]
    boost: float = 1.0


@dataclass(frozen=True)
class Or:
    """At least one part must match."""

    parts: tuple[Node, ...]
    boost: float = 1.0


@dataclass(frozen=True)
class Not:
    """The part must not match (`NOT x`, inside an And: `a NOT b`)."""

    part: Node
    boost: float = 1.0


Leaf = Term | Phrase | Wildcard | Fuzzy | YearRange
Node = Leaf | And | Or | Not


def leaves(node: Node) -> Iterator[Leaf]:
    """The leaves of `node`, in the order they were typed."""
    if isinstance(node, (And, Or)):
        for part in node.parts:
            yield from leaves(part)
    elif isinstance(node, Not):
        yield from leaves(node.part)
    else:
        yield node
