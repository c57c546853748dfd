"""A user's query -> the Whoosh query over the page fields: read and checked once, engine
neutrally, by `queryparse` (a tree of `querytree`), then translated by `querywhoosh`.

The language is the README's: words (all required), "phrases", AND/OR/NOT, parentheses,
field:value on title/author/publisher/year/report/number, wildcards (nuc*), fuzzy terms
(nuclaer~) and year ranges.
"""

from __future__ import annotations

from whoosh import query as wq

from ...queryparse import USER_FIELDS, parse
from .index import PageIndex, make_schema
from .querywhoosh import to_whoosh

__all__ = ["USER_FIELDS", "parse_query", "validate_query"]

_SCHEMA = make_schema()


def validate_query(q: str) -> None:
    """Raise QueryError, with a message saying how to fix it, if `q` cannot be searched as
    written (no index needed)."""
    to_whoosh(parse(q, reserved=_SCHEMA.names()), _SCHEMA, metadata=True)


def parse_query(index: PageIndex, q: str, *, metadata: bool = True) -> wq.Query:
    """Validate `q` and turn it into a Whoosh query over the page fields.

    Without `metadata`, unfielded words match the page text only, not the report's title,
    author or publisher (inside one report those would match every page).
    """
    return to_whoosh(parse(q, reserved=index.schema.names()), index.schema, metadata=metadata)
