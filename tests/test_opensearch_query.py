"""The OpenSearch translation of a query tree (engine/opensearch/querydsl.py) plans the same
query as the Whoosh translation (querywhoosh): the same leaves (field, analysed text, slop,
edits, range) under the same AND/OR/NOT/AND-MAYBE groups, or the same refusal, for the golden
queries, every string of the query tests and 1,500 queries from the README's grammar.

No cluster is needed: this holds the analysis and the grouping; the parity test in
test_opensearch.py holds what the cluster then matches.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from whoosh import query as wq

from indexer.engine.opensearch.querydsl import Plan, glob_regexp, to_dsl, to_plan
from indexer.engine.whoosh.index import make_schema
from indexer.engine.whoosh.querywhoosh import to_whoosh
from indexer.errors import QueryError
from indexer.queryparse import parse
from tests.test_engine_golden import queries as golden_queries
from tests.test_querytree import QUERIES, written_strings

SCHEMA = make_schema()


def whoosh_shape(q: wq.Query) -> Any:
    """A Whoosh query as nested tuples of what decides its matches (boosts left out)."""
    if q is wq.NullQuery:
        return None
    if isinstance(q, wq.AndMaybe):
        return ("maybe", whoosh_shape(q.a), whoosh_shape(q.b))
    if isinstance(q, (wq.And, wq.Or)):
        return ("and" if isinstance(q, wq.And) else "or", *map(whoosh_shape, q.subqueries))
    if isinstance(q, wq.Not):
        return ("not", whoosh_shape(q.query))
    if isinstance(q, wq.NumericRange):
        return ("range", q.fieldname, (q.start, q.end, q.startexcl, q.endexcl))
    if isinstance(q, wq.Phrase):
        return ("phrase", q.fieldname, tuple(q.words), q.slop)
    if isinstance(q, wq.FuzzyTerm):
        return ("fuzzy", q.fieldname, q.text, q.maxdist)
    kinds = {wq.Prefix: "prefix", wq.Wildcard: "wildcard", wq.Term: "term"}
    text = q.text
    if q.fieldname == "year":
        if isinstance(text, bytes):
            text = SCHEMA["year"].from_bytes(text)
        elif text.strip().isdecimal():  # a phrase's text, matched as a number
            text = int(text)
    return (kinds[type(q)], q.fieldname, text)


def plan_shape(plan: Plan | None) -> Any:
    """A plan as the same nested tuples."""
    if plan is None:
        return None
    if plan.kind in ("and", "or", "not", "maybe"):
        return (plan.kind, *map(plan_shape, plan.parts))
    if plan.kind == "phrase":
        return ("phrase", plan.field, plan.value, plan.slop)
    if plan.kind == "fuzzy":
        return ("fuzzy", plan.field, plan.value, plan.edits)
    return (plan.kind, plan.field, plan.value)


def assert_same_plan(q: str) -> None:
    for metadata in (True, False):
        try:
            expected = whoosh_shape(to_whoosh(parse(q, reserved=SCHEMA.names()), SCHEMA,
                                              metadata=metadata))  # fmt: skip
        except QueryError:
            with pytest.raises(QueryError):
                to_plan(parse(q, reserved=SCHEMA.names()), metadata=metadata)
            continue
        plan = to_plan(parse(q, reserved=SCHEMA.names()), metadata=metadata)
        assert plan_shape(plan) == expected, (q, metadata)
        if plan is not None:
            to_dsl(plan)  # every plan can be written


@pytest.mark.parametrize("q", golden_queries())
def test_the_engine_queries_plan_as_whoosh(q: str) -> None:
    assert_same_plan(q)


@pytest.mark.parametrize("q", written_strings())
def test_the_query_tests_strings_plan_as_whoosh(q: str) -> None:
    assert_same_plan(q)


@given(QUERIES)
@hsettings(max_examples=1500, deadline=None)
def test_grammar_queries_plan_as_whoosh(q: str) -> None:
    assert_same_plan(q)


@pytest.mark.parametrize(
    ("glob", "regexp"),
    [
        ("nuc*ear", "nuc.*ear"),
        ("n?c", "n.c"),
        ("a[bc]d", "a[bc]d"),
        ("a[!b-d]e", "a[^b-d]e"),
        ("a[b", "a\\[b"),
        ("x.y+z*", "x\\.y\\+z.*"),
        ("土地*", "土地.*"),
    ],
)
def test_globs_become_lucene_regexps_matching_as_fnmatch(glob: str, regexp: str) -> None:
    assert glob_regexp(glob) == regexp


def test_a_sloppy_phrase_wants_each_word_near_the_one_before() -> None:
    plan = to_plan(parse('"a b c"~3'), metadata=False)
    assert plan is not None
    exact = to_dsl(plan)["bool"]["should"][0]
    assert exact == {
        "span_near": {
            "clauses": [
                {"span_term": {"exact": "a"}},
                {"span_near": {
                    "clauses": [{"span_term": {"exact": "b"}}, {"span_term": {"exact": "c"}}],
                    "slop": 2, "in_order": True,
                }},
            ],
            "slop": 2, "in_order": True,
        }
    }  # fmt: skip
