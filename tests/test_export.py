"""Exports: BibTeX, RIS, CSV and CSL-JSON read back by their parsers and compared with the
records; exports of a search with filters; formula escaping; catalog paging; the CLI and the
API giving the same bytes."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import bibtexparser
import pytest
import rispy
from bibtexparser import middlewares
from click.testing import CliRunner
from flask.testing import FlaskClient

from indexer import reportlist
from indexer.cite import csl_item
from indexer.cli import cli
from indexer.config import Settings
from indexer.export import CSV_COLUMNS, FORMATS, safe_cell, unescape_cell
from indexer.library import Library
from indexer.metadata import FIELDS
from indexer.models import Filters, Report
from tests.pdfs import make_pdf

pytest_plugins = ["tests.web_fixtures"]
BASE = "http://localhost"
AIRBORNE_PAGE, AIRBORNE_LABEL = 19, "17"  # as tests/web_fixtures.py prints them


@pytest.fixture(scope="module")
def lib(collection: Any) -> Library:
    """The session collection, read-only."""
    return Library(collection.settings)


def reports_of(lib: Library) -> dict[str, Report]:
    return {r.report_id: r for r in reportlist.reports(lib.settings.catalog_path, latest=False)}


def cited_names(report: Report) -> list[str]:
    """The authors a citation names: the record's, else the publisher as an organisation."""
    return [
        n.get("literal") or f"{n['family']}, {n['given']}"
        for n in csl_item(report).get("author", [])
    ]


def text_of(lib: Library, fmt: str, **kw: object) -> str:
    return "".join(lib.export(fmt, url_of=lambda r: f"{BASE}/reports/{r}", **kw))  # type: ignore[arg-type]


def test_bibtex_reads_back_as_the_records(lib: Library) -> None:
    parsed = bibtexparser.parse_string(
        text_of(lib, "bibtex"), append_middleware=[middlewares.LatexDecodingMiddleware()]
    )
    assert not parsed.failed_blocks
    reports = reports_of(lib)
    assert len(parsed.entries) == len(reports) == 4
    for entry in parsed.entries:
        fields = {k: f.value for k, f in entry.fields_dict.items()}
        report = reports[fields["url"].rsplit("/", 1)[1]]
        assert entry.entry_type == "techreport"
        assert fields["title"] == report.meta.get("title", report.title)
        assert fields["year"] == report.meta["date"][:4]
        assert fields.get("institution") == report.publisher
        written = fields.get("author", "").replace("{", "").replace("}", "")
        assert written == " and ".join(cited_names(report))


def test_ris_reads_back_as_the_records(lib: Library) -> None:
    entries = rispy.loads(text_of(lib, "ris"))
    reports = reports_of(lib)
    assert len(entries) == 4
    for entry in entries:
        report = reports[entry["urls"][0].rsplit("/", 1)[1]]
        assert entry["type_of_reference"] == "RPRT"
        assert entry["title"] == report.meta.get("title", report.title)
        assert entry["year"] == report.meta["date"][:4]
        assert entry.get("publisher") == report.publisher
        assert entry.get("authors", []) == cited_names(report)


def test_csv_reads_back_as_the_records(lib: Library) -> None:
    rows = list(csv.DictReader(io.StringIO(text_of(lib, "csv"))))
    assert tuple(rows[0]) == CSV_COLUMNS
    reports = reports_of(lib)
    assert sorted(r["report_id"] for r in rows) == sorted(reports)
    for row in rows:
        cells = {k: unescape_cell(v) for k, v in row.items()}
        record = lib.metadata(cells["report_id"])["metadata"]
        meta = reports[cells["report_id"]].meta
        for name in FIELDS:
            if name == "authors":
                names = [
                    n.get("literal") or f"{n['family']}, {n['given']}" for n in meta.get(name, [])
                ]
                assert cells[name] == "; ".join(names)
            elif name == "tags":
                assert cells[name] == ", ".join(record[name])
            else:
                assert cells[name] == (record[name] or ""), name
        assert cells["url"] == f"{BASE}/reports/{cells['report_id']}"
        assert cells["page"] == cells["snippet"] == ""  # the catalog: one row per report
    # By title, as the catalog export promises.
    titles = [r["title"].lower() for r in rows]
    assert titles == sorted(titles)


def test_csl_json_is_the_citation_mapping(lib: Library) -> None:
    items = json.loads(text_of(lib, "csl-json"))
    reports = reports_of(lib)
    assert [csl_item(reports[i["id"]], f"{BASE}/reports/{i['id']}") for i in items] == items


def test_export_of_a_search_with_a_filter(lib: Library, ids: dict[str, str]) -> None:
    text = text_of(lib, "csv", query="airborne forces", filters=Filters(year=[2024]))
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {r["report_id"] for r in rows} == {ids["airborne"]}  # RAND (2019) is filtered out
    key = next(r for r in rows if r["page"] == str(AIRBORNE_PAGE))
    assert key["page_label"] == AIRBORNE_LABEL
    assert "airborne forces of Russia" in key["snippet"]
    assert key["title"] == "Russian Airborne Forces: Structure, Doctrine and Readiness"
    unfiltered = text_of(lib, "ris", query="airborne forces")
    assert len(rispy.loads(unfiltered)) == 2
    assert len(rispy.loads(text_of(lib, "ris", query="airborne forces", filters=Filters(
        publisher=["RAND Corporation"])))) == 1  # fmt: skip


def test_catalog_filters_match_the_search_filters(lib: Library, ids: dict[str, str]) -> None:
    def exported(**kw: object) -> set[str]:
        return {i["id"] for i in json.loads(text_of(lib, "csl-json", filters=Filters(**kw)))}  # type: ignore[arg-type]

    assert exported(year=[2024]) == {ids["airborne"], ids["russian"]}
    assert exported(year_from=2020, year_to=2022) == {ids["xss"]}
    assert exported(lang=["RU"]) == {ids["russian"]}
    assert exported(publisher=["RAND Corporation"]) == {ids["rand"]}
    assert exported(tag=["none such"]) == set()


def test_catalog_pages_through_batches_in_both_orders(lib: Library) -> None:
    path = lib.settings.catalog_path
    for order in ("title", "date"):
        whole = [r.report_id for r in reportlist.reports(path, order=order, batch=200)]
        assert [r.report_id for r in reportlist.reports(path, order=order, batch=1)] == whole
        assert len(whole) == 4
    dates = [r.meta["date"] for r in reportlist.reports(path, order="date", batch=1)]
    assert dates == sorted(dates, reverse=True)


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_formula_cells_are_escaped(start: str) -> None:
    value = f'{start}HYPERLINK("http://evil")'
    assert safe_cell(value) == "'" + value
    assert unescape_cell(safe_cell(value)) == value
    assert safe_cell("plain") == unescape_cell("plain") == "plain"
    assert unescape_cell("'quoted") == "'quoted"  # a quote the value had stays


def test_formulas_in_records_and_snippets_are_escaped(tmp_path: Path) -> None:
    make_pdf(tmp_path / "in" / "evil.pdf", ["-1+2 walrus census, and nothing else on this page."],
             title="=HYPERLINK(\"http://evil\",\"click\")", author="@Mallory")  # fmt: skip
    lib = Library(Settings(data=tmp_path / "data", workers=1))
    lib.ingest([tmp_path / "in"])
    (row,) = list(csv.DictReader(io.StringIO("".join(lib.export("csv", query="walrus")))))
    assert row["title"] == '\'=HYPERLINK("http://evil","click")'
    assert row["authors"] == "'@Mallory"
    assert row["snippet"].startswith("'-1+2 walrus")
    assert unescape_cell(row["snippet"]).startswith("-1+2 walrus")
    lib.close()


def test_unknown_format_and_bad_query_fail_before_any_output(lib: Library) -> None:
    from indexer.errors import QueryError

    with pytest.raises(QueryError, match="unknown format"):
        lib.export("docx")
    with pytest.raises(QueryError):
        lib.export("csv", query='"unbalanced')


@pytest.mark.parametrize("fmt", FORMATS)
def test_cli_and_api_give_the_same_export(collection: Any, client: FlaskClient, fmt: str) -> None:
    args = ["--data", str(collection.settings.data), "export", "--format", fmt]
    filters = ["--query", "airborne", "--year", "2024", "--year", "2019"]
    runner = CliRunner(env={"INDEXER_BASE_URL": BASE})
    for cli_extra, api_extra in (([], ""), (filters, "&q=airborne&year=2024&year=2019")):
        result = runner.invoke(cli, [*args, *cli_extra])
        assert result.exit_code == 0, result.output
        response = client.get(f"/api/export?format={fmt}{api_extra}")
        assert response.status_code == 200
        assert response.is_streamed
        assert response.headers["Content-Disposition"].startswith("attachment; filename=")
        assert response.text == result.stdout_bytes.decode()  # .stdout drops the \r of \r\n
        assert result.stdout.strip()


def test_api_export_content_types_and_errors(client: FlaskClient) -> None:
    expected = {"csv": "text/csv", "bibtex": "application/x-bibtex",
                "ris": "application/x-research-info-systems",
                "csl-json": "application/vnd.citationstyles.csl+json"}  # fmt: skip
    for fmt, media in expected.items():
        response = client.get(f"/api/export?format={fmt}")
        assert response.mimetype == media and response.mimetype_params["charset"] == "utf-8"
        assert response.text
    assert client.get("/api/export").text.startswith("report_id,")  # CSV is the default
    for bad in ("format=docx", "q=%22unbalanced", "year=twenty"):
        response = client.get(f"/api/export?{bad}")
        assert response.status_code == 400 and response.json["error"]["type"]  # type: ignore[index]


def test_cli_export_errors_exit_2(collection: Any) -> None:
    result = CliRunner().invoke(
        cli, ["--data", str(collection.settings.data), "export", "--query", "(a OR b"]
    )
    assert result.exit_code == 2 and result.stderr.startswith("error: ")
    assert result.stdout == ""
