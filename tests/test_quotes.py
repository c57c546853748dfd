"""Quotes as printed, end to end on generated PDFs: ingest, then search through the library,
the CLI and the web API, and check every snippet against the page as printed."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient

from indexer.cli import cli
from indexer.config import Settings
from indexer.library import Library
from indexer.web import create_app
from tests.pdfs import make_pdf

FILLER = (
    "The committee heard testimony on appropriations for the coming fiscal year, and members "
    "asked how the agency would measure the results of its programs."
)
HEADER = "Maritime Claims: Issues for Congress"


@dataclass(frozen=True)
class Reports:
    lib: Library
    ids: dict[str, str]


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> Reports:
    root = tmp_path_factory.mktemp("quotes")
    folder = root / "in"
    paths = {
        "order": make_pdf(
            folder / "order.pdf",
            [
                "ФЕДЕРАЛЬНАЯ СЛУЖБА\nП Р И К А З Ы В А Ю\nутвердить требования (приказ № 17 "
                "от 11 февраля 2013 г.) и довести их до сведения."
            ],
        ),
        "brief": make_pdf(
            folder / "brief.pdf",
            [
                "Drones now carry out aerial reconnais-\nsance over the strait. It is a well-\n"
                "known fact that the fleet moved. A well-known analyst, Caitlin Keating-\n"
                "Bitonti, disagreed with the ﬁndings."
            ],
        ),
        "claims": make_pdf(
            folder / "claims.pdf",
            [
                f"{FILLER}\nIn a statement issued that week, a",
                f"spokesperson for the foreign ministry rejected the claims. {FILLER}",
                f"{FILLER} The ministry later repeated its position.",
            ],
            header=HEADER,
            footer_folios=[
                "Maritime Research Office 1",
                "Maritime Research Office 2",
                "Maritime Research Office 3",
            ],
        ),  # fmt: skip
    }
    lib = Library(Settings(data=root / "data", workers=2, extract_timeout=60))
    summary = lib.ingest([folder])
    by_path = {f.path: f.report_id for f in summary.files}
    ids = {name: by_path[str(path.resolve())] for name, path in paths.items()}
    assert all(ids.values()), summary.to_dict()
    return Reports(lib, ids)


def only_hit(lib: Library, query: str) -> dict:
    result = lib.search(query)
    assert result.total == 1, (query, result.to_dict())
    hit = result.hits[0].to_dict()
    page = lib.page(hit["report_id"], hit["page"])
    assert hit["snippet"] in page["text"]  # cut from the page as printed
    return hit


def marked(hit: dict) -> list[str]:
    return [hit["snippet"][s:e] for s, e in hit["highlights"]]


def test_numero_sign_is_shown_as_printed_and_found_as_typed(reports):
    for query in ("No 17", '"No 17"', "№ 17"):
        hit = only_hit(reports.lib, query)
        assert "приказ № 17 от" in hit["snippet"]
        assert "No 17" not in hit["snippet"]
    assert "№ 17" in marked(only_hit(reports.lib, '"No 17"'))


def test_letter_spaced_heading_is_found_without_the_spaces(reports):
    hit = only_hit(reports.lib, "приказываю")
    assert marked(hit) == ["П Р И К А З Ы В А Ю"]


def test_word_hyphenated_once_at_a_line_end_is_found_whole(reports):
    hit = only_hit(reports.lib, '"aerial reconnaissance"')
    assert "aerial reconnaissance over" in hit["snippet"]


def test_real_hyphens_stay_where_the_compound_is_printed_whole(reports):
    hit = only_hit(reports.lib, '"well-known fact"')
    assert "It is a well-known fact" in hit["snippet"]
    assert reports.lib.search("wellknown").total == 0
    assert "Caitlin Keating-Bitonti" in only_hit(reports.lib, "Bitonti")["snippet"]
    assert "findings" in only_hit(reports.lib, "findings")["snippet"]  # the ligature split


def test_running_header_and_footer_are_margins_not_text(reports):
    lib, report = reports.lib, reports.ids["claims"]
    for number in (1, 2, 3):
        page = lib.page(report, number)
        assert page["margins"] == [HEADER, f"Maritime Research Office {number}"]
        assert HEADER not in page["text"] and "Research Office" not in page["text"]
        assert HEADER in page["text_raw"]
    # Still found: the margins are indexed.
    result = lib.search('"Maritime Research Office"', per_report=0)
    assert {h.page for h in result.hits} == {1, 2, 3}


def test_phrase_across_the_page_break_is_a_hit_where_it_starts(reports):
    hit = only_hit(reports.lib, '"a spokesperson for the foreign ministry"')
    assert hit["report_id"] == reports.ids["claims"]
    # The folios in the footer are the printed page labels.
    assert (hit["page"], hit["page_label"]) == (1, "1")
    assert (hit["continues_on"], hit["continues_on_label"]) == (2, "2")
    assert hit["snippet"].endswith("In a statement issued that week, a")
    assert marked(hit) == ["a"]
    assert "Maritime" not in hit["snippet"]


def test_a_phrase_wholly_on_the_next_page_is_not_a_hit_on_this_one(reports):
    hit = only_hit(reports.lib, '"spokesperson for the foreign ministry"')
    assert (hit["page"], hit["continues_on"]) == (2, None)
    assert marked(hit) == ["spokesperson for the foreign ministry"]
    assert reports.lib.search('"week, a"').hits[0].continues_on is None


def test_cli_json_and_text_show_the_page_range(reports):
    runner = CliRunner()
    data = ["--data", str(reports.lib.settings.data)]
    out = runner.invoke(cli, [*data, "search", '"a spokesperson for the"', "--json"]).stdout
    (hit,) = json.loads(out)["hits"]
    assert (hit["page"], hit["continues_on"]) == (1, 2)
    text = runner.invoke(cli, [*data, "search", '"a spokesperson for the"']).stdout
    assert "pp. 1–2 (PDF pp. 1–2)" in text


@pytest.fixture(scope="module")
def client(reports: Reports) -> FlaskClient:
    return create_app(reports.lib.settings).test_client()


def test_api_page_has_margins_and_raw_text(reports, client):
    page = client.get(f"/api/reports/{reports.ids['claims']}/pages/2").get_json()
    assert page["margins"] == [HEADER, "Maritime Research Office 2"]
    assert page["text"].startswith("spokesperson for the foreign ministry")
    assert page["text_raw"].startswith(HEADER)


def test_api_search_and_citation_of_a_passage_that_runs_on(reports, client):
    answer = client.get("/api/search", query_string={"q": '"a spokesperson for the"'})
    (hit,) = answer.get_json()["hits"]
    assert (hit["page"], hit["continues_on"], hit["continues_on_label"]) == (1, 2, "2")
    cited = client.get(
        f"/api/reports/{hit['report_id']}/cite", query_string={"page": 1, "to": 2, "format": "ris"}
    ).get_json()["citation"]
    assert "SP  - 1\nEP  - 2\n" in cited
    page = client.get("/search", query_string={"q": '"a spokesperson for the"'}).text
    assert "pp. 1–2 (PDF pp. 1–2)" in page
    bad = client.get(f"/api/reports/{hit['report_id']}/cite", query_string={"page": 2, "to": 1})
    assert bad.status_code == 400
