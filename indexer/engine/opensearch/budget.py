"""The cap on what one query's patterns may match, as Whoosh's (engine/whoosh/budget.py): the
wildcard, prefix and fuzzy terms of a query may match at most MAX_EXPANDED_TERMS words of the
index in all, else the query is refused rather than silently cut.

OpenSearch expands a pattern inside each shard and says nothing of how many words it took. So
each pattern is first rewritten by the `_validate/query` API, on every shard, as a boolean
query of the words it matches; the words are read from that explanation and counted once
across shards. Past Lucene's 1,024 clauses a shard refuses the rewrite, which is over the cap
too. The search itself then matches every word of each pattern (a constant-score rewrite,
which has no such limit).
"""

from __future__ import annotations

import re
from dataclasses import replace

from opensearchpy import OpenSearch

from ...deadline import Deadline
from ...errors import QueryError
from ...queryparse import MAX_EXPANDED_TERMS
from .client import cluster_errors
from .querydsl import Plan, plan_leaves, to_dsl

PATTERNS = ("prefix", "wildcard", "fuzzy")
_BOOSTED = re.compile(r"\((.*)\)\^[0-9.E-]+")


def check_expansions(client: OpenSearch, index: str, plan: Plan, deadline: Deadline) -> Plan:
    """`plan` with each pattern that matches one word only made a term query of that word;
    QueryError when its patterns match over MAX_EXPANDED_TERMS words in all.

    Whoosh scores a pattern of one word as that word (BM25) and one of several words with a
    constant score; so does this plan, OpenSearch's constant-score rewrite doing the latter.
    """
    room = MAX_EXPANDED_TERMS
    single: dict[Plan, str] = {}
    for leaf in plan_leaves(plan):
        if leaf.kind not in PATTERNS:
            continue
        deadline.check()
        words = expanded(client, index, leaf)
        if words is not None and len(words) == 1:
            single[leaf] = next(iter(words))
        room -= len(words) if words is not None else MAX_EXPANDED_TERMS + 1
        if room < 0:
            raise QueryError(
                f"{described(leaf)} matches too many words (the limit is "
                f"{MAX_EXPANDED_TERMS:,} for the whole query): narrow it, e.g. with more "
                "letters before the * or ?."
            )
    return _with_words(plan, single)


def _with_words(plan: Plan, single: dict[Plan, str]) -> Plan:
    if plan in single:
        return Plan("term", plan.field, single[plan], boost=plan.boost)
    if plan.parts:
        return replace(plan, parts=tuple(_with_words(p, single) for p in plan.parts))
    return plan


def expanded(client: OpenSearch, index: str, leaf: Plan) -> set[str] | None:
    """The words of the index a pattern matches (None: more than a shard may list)."""
    query = to_dsl(leaf)
    options = next(iter(query.values()))[leaf.field]
    options["rewrite"] = "scoring_boolean"
    with cluster_errors("expanding a pattern", query=True):
        answer = client.indices.validate_query(
            index=index,
            body={"query": query},
            params={"explain": "true", "rewrite": "true", "all_shards": "true"},
        )
    words: set[str] = set()
    for shard in answer.get("explanations", []):
        if not shard.get("valid", False):
            error = str(shard.get("error", ""))
            if "too_many" in error.lower() or "maxclausecount" in error.lower():
                return None
            raise QueryError(f"Cannot search: OpenSearch refused the pattern ({error}).")
        words |= _words(shard.get("explanation", ""), leaf.field)
    return words


def _words(explanation: str, field: str) -> set[str]:
    # A rewritten pattern reads `exact:nuclear (exact:nuclei)^0.8 …`; a shard with nothing to
    # rewrite shows the pattern as it was (`exact:nuc*`, `exact:nuclaer~1`, `exact:/n.c/`).
    found = set()
    for clause in explanation.split():
        boosted = _BOOSTED.fullmatch(clause)
        if boosted:
            clause = boosted.group(1)
        name, _, text = clause.partition(":")
        if name != field or not text:
            continue
        unrewritten = text.endswith("*") or re.search(r"~\d$", text) or text[0] == text[-1] == "/"
        if not unrewritten:
            found.add(text)
    return found


def described(leaf: Plan) -> str:
    """How the user wrote a pattern, for a message (as Whoosh's budget says it)."""
    if leaf.kind == "fuzzy":
        return f"The fuzzy term {leaf.value}~{leaf.edits}"
    if leaf.kind == "prefix":
        return f"The wildcard {leaf.value}*"
    return f"The pattern {leaf.field}:{leaf.value}"
