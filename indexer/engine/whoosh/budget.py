"""One search's budget in Whoosh: the deadline (`indexer.deadline`) checked inside the one walk
over matching pages (`OnePass`), and wildcard, fuzzy and range terms looked up once under a cap
(MAX_EXPANDED_TERMS).
"""

from __future__ import annotations

from collections.abc import Container, Iterator

from whoosh import query as wq
from whoosh.collectors import Collector, ScoredCollector, WrappingCollector
from whoosh.reading import IndexReader

from ...deadline import Deadline
from ...errors import QueryError
from ...queryparse import MAX_EXPANDED_TERMS


class CheckedCollector(WrappingCollector):
    """A collector that checks the deadline before each matching page it collects."""

    def __init__(self, child: Collector, deadline: Deadline) -> None:
        super().__init__(child)
        self.deadline = deadline

    def matches(self) -> Iterator[int]:
        return self.deadline.walk(self.child.matches())

    def collect_matches(self) -> None:
        for sub_docnum in self.matches():
            self.child.collect(sub_docnum)


class OnePass(ScoredCollector):
    """Every page matching the query, in one walk, checking the deadline before each: the
    (docnum, score) of those that `allow` also has (None: all), in document order, and the
    docnums of all when `keep_all` (facets count them whatever the filters).

    Scores are the ones Whoosh's top-N collector gives (the same matcher, scored the same
    way); from this one list the search ranks its hits, counts the matches per report, folds
    versions and counts facets, where it used to walk the matches once for each.
    """

    def __init__(self, allow: Container[int] | None, deadline: Deadline, keep_all: bool) -> None:
        super().__init__()
        self.allow = allow
        self.deadline = deadline
        self.keep_all = keep_all
        self.scored: list[tuple[int, float]] = []
        self.matched: list[int] = []

    def _use_block_quality(self) -> bool:
        return False  # every match is needed: totals, per-report counts, facets

    def collect_matches(self) -> None:
        allow, matched, offset = self.allow, self.matched, self.offset
        for sub_docnum in self.deadline.walk(self.matches()):
            docnum = offset + sub_docnum
            if self.keep_all:
                matched.append(docnum)
            if allow is None or docnum in allow:
                self.collect(sub_docnum)

    def _collect(self, global_docnum: int, score: float) -> None:
        self.scored.append((global_docnum, score))

    def results(self) -> None:
        return None  # read `scored` and `matched`


class _Expanded(wq.MultiTerm):
    """A wildcard, fuzzy or range query with its words looked up once: collecting, counting,
    facets and highlights reuse the list instead of walking the vocabulary again each."""

    def __init__(self, original: wq.MultiTerm, btexts: list[bytes]) -> None:
        self.original = original
        self.fieldname = original.field()
        self.btexts = btexts
        self.boost = original.boost
        self.constantscore = original.constantscore

    def _btexts(self, ixreader: IndexReader) -> list[bytes]:
        return self.btexts

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, _Expanded)
            and self.original == other.original
            and self.btexts == other.btexts
        )

    def __hash__(self) -> int:
        return hash((_Expanded, self.original))

    def __repr__(self) -> str:
        return f"_Expanded({self.original!r}, {len(self.btexts)} terms)"

    def __str__(self) -> str:
        return str(self.original)


def expand_patterns(q: wq.Query, reader: IndexReader, deadline: Deadline) -> wq.Query:
    """`q` with every wildcard, fuzzy and word-range term replaced by the words it matches;
    QueryError when they are more than MAX_EXPANDED_TERMS in all."""
    room = MAX_EXPANDED_TERMS

    def expand(node: wq.Query) -> wq.Query:
        nonlocal room
        if not isinstance(node, wq.MultiTerm) or isinstance(node, _Expanded):
            return node
        btexts = []
        for btext in node._btexts(reader):
            deadline.check()
            room -= 1
            if room < 0:
                raise QueryError(
                    f"{_pattern(node)} matches too many words (the limit is "
                    f"{MAX_EXPANDED_TERMS:,} for the whole query): narrow it, e.g. with more "
                    "letters before the * or ?."
                )
            btexts.append(btext)
        return _Expanded(node, btexts)

    return q.accept(expand)


def _pattern(q: wq.MultiTerm) -> str:
    """How the user wrote a wildcard or fuzzy term, for a message."""
    if isinstance(q, wq.FuzzyTerm):
        return f"The fuzzy term {q.text}~{q.maxdist}"
    if isinstance(q, wq.Prefix):
        return f"The wildcard {q.text}*"
    return f"The pattern {q}"
