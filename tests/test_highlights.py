"""The engine-neutral highlights: a wildcard or fuzzy term marks, of a page's words, exactly
those the engine's expansion of it matched (held here against Whoosh's own expansion over the
index's vocabulary), and NOT and fielded terms mark nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from indexer.deadline import Deadline
from indexer.engine import parse_query
from indexer.engine.whoosh import WhooshEngine
from indexer.engine.whoosh.budget import expand_patterns
from indexer.engine.whoosh.querywhoosh import to_whoosh
from indexer.highlights import Marker
from indexer.models import Page, Report
from indexer.tokens import exact_tokens

TEXT = (
    "Weapons, weapon, weaponry and the WEOPONS typo; nuclear, nuclaer, nucleus, unclear. "
    "Policy, policies, police, polices. Ядерное оружие, ядерного, ядро. Ёлка и елка. "
    "Regulation regulate régulation 10:30 10:31 Il-76 Ил-76 BMD-4M."
)
PATTERNS = [
    "weap*",
    "we?pons",
    "wea*ns",
    "nuclaer~",
    "nuclear~2",
    "weopons~",
    "polic*",
    "pol*es",
    "ядер*",
    "ядерное~",
    "елк*",
    "regul*",
    "re?ulation",
]


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> WhooshEngine:
    ix = WhooshEngine(Path(tmp_path_factory.mktemp("ix")))
    with ix.writer() as w:
        w.add_report(Report("r1", "/r1.pdf", "Words", None, None, 2024), [Page(1, TEXT)])
    return ix


@pytest.mark.parametrize("pattern", PATTERNS)
def test_a_pattern_marks_what_the_engine_expanded_it_to(index: WhooshEngine, pattern: str) -> None:
    tree = parse_query(pattern)
    q = to_whoosh(tree, index.schema, metadata=False)
    expanded = index.read(
        lambda s: {
            t.decode() if isinstance(t, bytes) else t
            for f, t in expand_patterns(q, s.reader(), Deadline(0)).existing_terms(
                s.reader(), expand=True
            )
            if f == "exact"
        }
    )
    marker = Marker.from_tree(tree)
    page_words = {t.text for t in exact_tokens(TEXT.casefold())}
    marked = {w for w in page_words if marker._marks(w)}
    assert marked == expanded & page_words
    assert marked  # each pattern matches something on the page


def test_not_and_fielded_terms_mark_nothing() -> None:
    marker = Marker.from_tree(parse_query("policy NOT weapons title:nuclear"))
    spans, _ = marker.spans("policy weapons nuclear")
    assert set(spans) == {(0, 6)}


def test_a_word_of_several_tokens_is_marked_as_a_phrase() -> None:
    marker = Marker.from_tree(parse_query("BMD-4M"))
    _, phrase_spans = marker.spans("the bmd-4m and bmd and 4m")
    assert phrase_spans == [(4, 10)]
