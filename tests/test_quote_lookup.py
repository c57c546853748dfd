"""Quote lookup: a pasted passage, exact or a little off, finds the page that prints it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from indexer.cli import cli
from indexer.config import Settings
from indexer.errors import QueryError
from indexer.library import Library
from indexer.web import create_app
from tests.passages import sample_passages
from tests.pdfs import make_pdf

PRINTED = (
    "The panel’s ﬁnal report said that “the programme will be reviewed every year by the "
    "oversight board” and that funding for the coastal stations would continue until 2030."
)
FILLER = "Members asked about staffing, equipment and the schedule of the coming inspections."


@pytest.fixture(scope="module")
def lib(tmp_path_factory: pytest.TempPathFactory) -> Library:
    root = tmp_path_factory.mktemp("quote-lookup")
    make_pdf(root / "in" / "panel.pdf", [f"{FILLER}\n{PRINTED}\n{FILLER}"])
    make_pdf(
        root / "in" / "claims.pdf",
        [f"{FILLER} {FILLER}\nIn a statement issued that week, a",
         f"spokesperson for the foreign ministry rejected the claims. {FILLER}"],
        header="Maritime Claims",
    )  # fmt: skip
    make_pdf(root / "in" / "other.pdf", [f"{FILLER} Nothing about panels here. {FILLER}"])
    library = Library(Settings(data=root / "data", workers=2, extract_timeout=60))
    library.ingest([root / "in"])
    return library


def test_an_exact_passage_is_exact(lib: Library) -> None:
    (match, *_) = lib.quote(
        "that funding for the coastal stations would continue until 2030"
    ).matches
    assert (match.page, match.end_page, match.exact, match.score) == (1, 1, True, 1.0)
    assert match.text == "that funding for the coastal stations would continue until 2030"
    assert match.differences == []


def test_a_passage_pasted_with_changes_finds_its_page(lib: Library) -> None:
    # Line breaks moved, the ligature typed as letters, straight quotes, "programme" spelt
    # the American way and "the" before "oversight" dropped.
    pasted = (
        "The panel's final report said that\n\"the program will be reviewed every year by\n"
        'oversight board" and that funding'
    )
    (match, *_) = lib.quote(pasted).matches
    assert Path(lib.report(match.report_id)["files"][0]["path"]).name == "panel.pdf"
    assert not match.exact and 0.8 < match.score < 1.0
    assert match.text == (
        "The panel’s ﬁnal report said that “the programme will be reviewed every year by the "
        "oversight board” and that funding"
    ).replace("ﬁ", "fi")  # the display text splits ligatures
    assert [match.text[s:e] for s, e in match.differences] == ["programme", "the"]


def test_a_passage_across_a_page_break(lib: Library) -> None:
    (match, *_) = lib.quote(
        "In a statement issued that week, a spokesperson for the foreign ministry rejected"
    ).matches
    assert (match.page, match.end_page, match.exact) == (1, 2, True)
    assert match.text == (
        "In a statement issued that week, a spokesperson for the foreign ministry rejected"
    )
    assert "Maritime" not in match.text


def test_nothing_found_is_an_empty_list(lib: Library) -> None:
    assert lib.quote("quokkas juggle marmalade under violet zeppelins").matches == []


@pytest.mark.parametrize(
    ("text", "message"),
    [("only four words here", "at least 5"), ("word " * 401, "limit is 400"),
     ("x" * 5001, "limit is 5000")],
)  # fmt: skip
def test_passages_too_short_or_too_long_are_refused(lib: Library, text: str, message: str):
    with pytest.raises(QueryError, match=message):
        lib.quote(text)


def test_cli_and_api_give_the_same_json(lib: Library) -> None:
    passage = "the programme will be reviewed every year by the oversight board"
    data = ["--data", str(lib.settings.data)]
    result = CliRunner().invoke(cli, [*data, "quote", passage, "--json"])
    assert result.exit_code == 0
    from_cli = json.loads(result.stdout)
    client = create_app(lib.settings).test_client()
    assert client.get("/api/quote", query_string={"text": passage}).get_json() == from_cli
    assert client.post("/api/quote", json={"text": passage}).get_json() == from_cli
    assert set(from_cli["matches"][0]) == {
        "report_id", "title", "page", "page_label", "end_page", "end_page_label", "text",
        "exact", "score", "differences", "text_source",
    }  # fmt: skip
    bad = CliRunner().invoke(cli, [*data, "quote", "too", "short", "--json"])
    assert bad.exit_code == 2 and json.loads(bad.stdout)["error"]["type"] == "query_error"
    assert client.get("/api/quote", query_string={"text": "too short"}).status_code == 400
    none = CliRunner().invoke(cli, [*data, "quote", "quokkas juggle marmalade under violet"])
    assert none.exit_code == 0


def test_the_find_a_quote_page(lib: Library) -> None:
    client = create_app(lib.settings).test_client()
    page = client.get("/quote", query_string={"text": "the program will be reviewed every year"})
    assert page.status_code == 200
    assert "near match" in page.text and "<mark>programme</mark>" in page.text
    assert client.get("/quote", query_string={"text": "two words"}).status_code == 400


def test_random_corpus_passages_are_found_at_their_page(corpus_lib: Library) -> None:
    passages = sample_passages(corpus_lib, 100)
    unique = changed_first = 0
    for p in passages:
        matches = corpus_lib.quote(p.text).matches
        assert matches and matches[0].exact, p
        exact = [(m.report_id, m.page) for m in matches if m.exact]
        # Boilerplate (a disclaimer, a repeated page) is printed in more places than are listed.
        assert (p.report_id, p.page) in exact or len(exact) == len(matches), p
        if len(exact) > 1:
            continue  # the same words on several pages: any of them is right
        unique += 1
        near = corpus_lib.quote(p.changed).matches
        changed_first += bool(near) and (near[0].report_id, near[0].page) == (p.report_id, p.page)
    assert unique >= 80
    assert changed_first >= 0.9 * unique
