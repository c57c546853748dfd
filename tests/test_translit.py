"""Cross-script search (issue 14, part 4), on every engine: the names of tests/data/name_pairs.csv
find each other across Latin and Cyrillic, through real indexing and search, and its false
friends do not; highlights land on the word as the page prints it.

Each name is on a page of its own: the Cyrillic names in one report, the Latin ones in another,
so that a search in one script, restricted to the other script's report, shows what crossed.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from indexer.models import Page, Report
from indexer.tokens import fold, translit_tokens
from indexer.translit import has_letters, index_term, query_term, unmix
from tests.engines import new_engine, search

pytest_plugins = ["tests.engines"]

ROOT = Path(__file__).resolve().parent.parent
with (ROOT / "tests" / "data" / "name_pairs.csv").open(encoding="utf-8") as _file:
    PAIRS = [(r["latin"], r["cyrillic"], r["finds"] == "yes") for r in csv.DictReader(_file)]
FINDS = [(latin, cyrillic) for latin, cyrillic, finds in PAIRS if finds]
FALSE_FRIENDS = [(latin, cyrillic) for latin, cyrillic, finds in PAIRS if not finds]
# Two rows of the table that spell one name (Russian and Ukrainian forms): each finds both.
SAME_NAME = [("Zelensky", "Zelenskyy"), ("Luhansk", "Lugansk")]


def test_the_table_is_big_enough() -> None:
    assert len(FINDS) >= 25
    assert len(FALSE_FRIENDS) >= 10


@pytest.fixture(scope="module")
def names(tmp_path_factory, engine_name):
    index = new_engine(tmp_path_factory.mktemp("names"), engine_name)
    cyrillic = [Page(i, f"Сообщение номер {i}: {c}.") for i, (_, c, _) in enumerate(PAIRS, 1)]
    latin = [Page(i, f"Report number {i}: {lat}.") for i, (lat, _, _) in enumerate(PAIRS, 1)]
    with index.writer() as w:
        w.add_report(Report("cyr", "cyr.pdf", "Cyrillic", "", "", 2024), cyrillic)
        w.add_report(Report("lat", "lat.pdf", "Latin", "", "", 2024), latin)
    return index


def found(index, query: str, report: str) -> list[int]:
    return [h.page for h in search(index, query, report_id=report, per_report=0).hits]


def pages_of(name: str) -> list[int]:
    """The pages of the row of `name` (either script) and of any row that spells it too."""
    latin = next(pair[0] for pair in PAIRS if name in pair[:2])
    same = {latin, *(n for pair in SAME_NAME if latin in pair for n in pair)}
    return [i for i, pair in enumerate(PAIRS, 1) if pair[0] in same]


def highlighted(hit) -> list[str]:
    return [hit.snippet[a:b] for a, b in hit.highlights]


@pytest.mark.parametrize(("latin", "cyrillic"), FINDS)
def test_a_latin_name_finds_its_cyrillic_page_and_marks_it(names, latin, cyrillic):
    assert sorted(found(names, latin, "cyr")) == pages_of(latin)
    page = next(i for i, pair in enumerate(PAIRS, 1) if pair[0] == latin)
    hits = search(names, latin, report_id="cyr", per_report=0).hits
    assert highlighted(next(h for h in hits if h.page == page)) == [cyrillic]


@pytest.mark.parametrize(("latin", "cyrillic"), FINDS)
def test_a_cyrillic_name_finds_its_latin_page(names, latin, cyrillic):
    assert sorted(found(names, cyrillic, "lat")) == pages_of(cyrillic)


@pytest.mark.parametrize(("latin", "cyrillic"), FALSE_FRIENDS)
def test_false_friends_do_not_find_each_other(names, latin, cyrillic):
    page = next(i for i, pair in enumerate(PAIRS, 1) if pair[0] == latin)
    assert page not in found(names, latin, "cyr")
    assert page not in found(names, cyrillic, "lat")


def test_quotes_and_exact_keep_the_other_script_out(names):
    latin, _ = FINDS[0]
    assert found(names, f'"{latin}"', "cyr") == []
    assert found(names, f"exact:{latin}", "cyr") == []
    assert found(names, f"exact:{latin}", "lat") == [1]


def test_no_name_of_the_table_is_in_the_code() -> None:
    # The matches come from rules about sounds, not from a list of names.
    code = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "indexer").rglob("*.py"))
    for latin, cyrillic in FINDS:
        for name in (latin, cyrillic):
            assert not re.search(rf"(?<!\w){re.escape(name)}(?!\w)", code, re.I), name


# --- the keys, without an index ----------------------------------------------------------------


_CYRILLIC_WORDS = st.text(st.sampled_from("абвгґдеєжзиіїйклмнопрстуфхцчшщъыьэюя0123"), min_size=1)
_LATIN_WORDS = st.text(st.sampled_from("abcdefghijklmnopqrstuvwxyz0123"), min_size=1)


@given(st.one_of(_CYRILLIC_WORDS, _LATIN_WORDS))
def test_a_word_finds_itself_transliterated(word: str) -> None:
    # What a word of one script looks for is what its own key is, seen from the other script.
    other, own = query_term(word), index_term(word)
    assert other and own and other.removeprefix("ℓ") == own.removeprefix("ℓ")
    assert (other != own) == has_letters(word)


def test_a_word_typed_in_two_scripts_is_read_in_the_one_most_of_it_is_in() -> None:
    assert unmix(fold("BМD")) == "bmd"  # a Cyrillic М among Latin letters
    assert unmix(fold("ВMД")) == "вмд"  # a Latin M among Cyrillic ones
    assert unmix("bmd") == "bmd" and unmix("бмд") == "бмд"


def test_translit_tokens_keep_the_exact_positions() -> None:
    text = "Т-90 и T-90"
    assert [(t.pos, t.start, t.end) for t in translit_tokens(text)] == [
        (0, 0, 1), (1, 2, 4), (2, 5, 6), (3, 7, 8), (4, 9, 11),
    ]  # fmt: skip
