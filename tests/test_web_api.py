"""The JSON API, through Flask's test client: shapes, citations, uploads, deletes and errors."""

from __future__ import annotations

import io
import json
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import bibtexparser
import pytest
import rispy
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.datastructures import FileStorage
from werkzeug.test import TestResponse, encode_multipart

from indexer.web import create_app
from tests.pdfs import make_pdf

pytest_plugins = ["tests.web_fixtures"]

PHRASE_QUERY = '"airborne forces" Russia'


def get_json(client: FlaskClient, url: str, status: int = 200) -> Any:
    response = client.get(url)
    assert response.status_code == status, response.text[:500]
    assert response.mimetype == "application/json"
    return response.json


def error_of(response: TestResponse) -> str:
    assert response.mimetype == "application/json"
    body = response.json
    assert body is not None and set(body["error"]) == {"type", "message"}
    return body["error"]["type"]


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def upload(client: FlaskClient, data: bytes, name: str = "new.pdf", **headers: str) -> TestResponse:
    # Encoded here, in memory: the test client would spool a big body to a temporary file
    # that nobody closes when the app rejects the request unread.
    boundary, body = encode_multipart({"file": FileStorage(io.BytesIO(data), name)})
    content_type = f"multipart/form-data; boundary={boundary}"
    return client.post("/api/reports", data=body, headers=headers, content_type=content_type)


def wait_for_job(client: FlaskClient, job_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        job = get_json(client, f"/api/jobs/{job_id}")
        if job["status"] in ("done", "failed"):
            return job
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} did not finish: {job}")


def test_search_is_the_cli_json_plus_facets_and_paging(client: FlaskClient) -> None:
    data = get_json(client, f"/api/search?q={PHRASE_QUERY}")
    assert list(data) == [
        "query", "total", "total_is_estimate", "hits", "facets", "p", "per_page", "pages"
    ]  # fmt: skip
    assert (data["total"], data["p"], data["per_page"], data["pages"]) == (2, 1, 10, 1)
    first = data["hits"][0]
    assert (first["page"], first["page_label"], first["year"]) == (19, "17", 2024)
    assert first["publisher"] == "Congressional Research Service"
    assert data["facets"]["publisher"] == [
        {"value": "Congressional Research Service", "count": 1},
        {"value": "RAND Corporation", "count": 1},
    ]
    assert data["facets"]["lang"] == [{"value": "en", "count": 2}]


def test_facets_count_with_the_other_filters_applied(client: FlaskClient) -> None:
    data = get_json(client, f"/api/search?q={PHRASE_QUERY}&publisher=RAND+Corporation")
    assert [h["publisher"] for h in data["hits"]] == ["RAND Corporation"]
    assert len(data["facets"]["publisher"]) == 2  # its own filter does not narrow it
    assert data["facets"]["year"] == [{"value": 2019, "count": 1}]
    ranged = get_json(client, f"/api/search?q={PHRASE_QUERY}&year_from=2020&year_to=2030")
    assert [h["year"] for h in ranged["hits"]] == [2024]


def test_paging(client: FlaskClient) -> None:
    one = get_json(client, f"/api/search?q={PHRASE_QUERY}&per_page=1")
    two = get_json(client, f"/api/search?q={PHRASE_QUERY}&per_page=1&p=2")
    assert one["pages"] == two["pages"] == 2
    assert one["hits"][0]["report_id"] != two["hits"][0]["report_id"]
    assert get_json(client, f"/api/search?q={PHRASE_QUERY}&p=3&per_page=1")["hits"] == []


def test_every_snippet_is_part_of_its_page_text(client: FlaskClient) -> None:
    for query in (PHRASE_QUERY, "readiness", "войск"):
        for hit in get_json(client, f"/api/search?q={query}&per_report=0&per_page=50")["hits"]:
            page = get_json(client, f"/api/reports/{hit['report_id']}/pages/{hit['page']}")
            assert hit["snippet"] in page["text"]
            assert page["label"] == hit["page_label"] and page["quality"] == "ok"


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ('"unbalanced', "Unbalanced double quote"),
        ("q=", "empty"),
        ("nosuchfield:x", "Unknown field"),
    ],
)
def test_bad_queries_are_400_with_their_message(
    client: FlaskClient, query: str, message: str
) -> None:
    response = client.get("/api/search", query_string={"q": query.removeprefix("q=")})
    assert response.status_code == 400 and error_of(response) == "query_error"
    assert message in response.json["error"]["message"]  # type: ignore[index]


@pytest.mark.parametrize(
    "args", ["p=0", "per_page=101", "per_page=x", "year=20x4", "lang=english", "report=../x"]
)
def test_bad_arguments_are_400(client: FlaskClient, args: str) -> None:
    response = client.get(f"/api/search?q=walrus&{args}")
    assert response.status_code == 400 and error_of(response) == "bad_request"


def test_reports_and_one_report(client: FlaskClient, ids: dict[str, str]) -> None:
    listed = get_json(client, "/api/reports")
    assert {r["report_id"] for r in listed} == set(ids.values())
    report = get_json(client, f"/api/reports/{ids['airborne']}")
    assert report["authors"] == ["Jane Q. Analyst", "John Smith"]
    assert report["language"] == "en" and report["created"] == "2024-03-15"
    first = {"page": 1, "label": "i", "quality": "ok", "text_source": "pypdf", "language": "en"}
    assert report["page_list"][0] == first
    assert report["page_list"][18]["label"] == "17"
    assert report["pdf_url"] == f"http://localhost/reports/{ids['airborne']}/pdf"


@pytest.mark.parametrize(
    "path",
    [
        "/api/reports/0000000000000000",
        "/api/reports/not-a-report-id",
        "/api/reports/0000000000000000/cite",
        "/api/reports/{airborne}/pages/0",
        "/api/reports/{airborne}/pages/21",
        "/api/reports/{airborne}/pages/99999999999999999999999",
        "/api/reports/{airborne}/pages/-1",
        "/api/jobs/nope",
        "/api/jobs/..%2F..%2Fcatalog.sqlite",
        "/api/nothing-here",
    ],
)
def test_unknown_things_are_404_json(client: FlaskClient, ids: dict[str, str], path: str) -> None:
    response = client.get(path.format(**ids))
    assert response.status_code == 404 and error_of(response) == "not_found"


def test_page_text(client: FlaskClient, ids: dict[str, str]) -> None:
    page = get_json(client, f"/api/reports/{ids['airborne']}/pages/19")
    assert page["report_id"] == ids["airborne"] and page["page"] == 19 and page["label"] == "17"
    assert "The airborne forces of Russia (VDV)" in page["text"]


def test_citations_in_every_format_read_back(client: FlaskClient, ids: dict[str, str]) -> None:
    base = f"/api/reports/{ids['airborne']}/cite"
    every = get_json(client, f"{base}?page=19")
    assert list(every["citations"]) == ["apa", "chicago", "mla", "bibtex", "ris", "csl-json"]
    assert (
        "(Analyst & Smith, 2024, p. 17)"
        in get_json(client, f"{base}?format=apa&page=19")["citation"]
    )
    bib = bibtexparser.parse_string(get_json(client, f"{base}?format=bibtex&page=19")["citation"])
    entry = bib.entries[0]
    assert entry.entry_type == "techreport"
    assert entry["title"] == "Russian Airborne Forces: Structure, Doctrine and Readiness"
    assert entry["author"] == "Analyst, Jane Q. and Smith, John"
    assert (entry["year"], entry["pages"]) == ("2024", "17")
    assert entry["institution"] == "Congressional Research Service"
    assert entry["url"] == f"http://localhost/reports/{ids['airborne']}"
    ris = rispy.loads(get_json(client, f"{base}?format=ris&page=19")["citation"])[0]
    assert ris["type_of_reference"] == "RPRT" and ris["authors"] == [
        "Analyst, Jane Q.",
        "Smith, John",
    ]
    assert (ris["year"], ris["start_page"], ris["publisher"]) == (
        "2024", "17", "Congressional Research Service"
    )  # fmt: skip
    csl = json.loads(get_json(client, f"{base}?format=csl-json&page=19")["citation"])[0]
    assert csl["locator"] == "17" and csl["issued"] == {"date-parts": [[2024, 3, 15]]}


def test_citation_errors(client: FlaskClient, ids: dict[str, str]) -> None:
    base = f"/api/reports/{ids['airborne']}/cite"
    for args, kind in [("format=harvard", "query_error"), ("page=21", "query_error"),
                       ("page=x", "bad_request"), ("page=0", "bad_request")]:  # fmt: skip
        response = client.get(f"{base}?{args}")
        assert response.status_code == 400 and error_of(response) == kind, args


def test_writes_need_the_token(app: Flask, client: FlaskClient, ids: dict[str, str]) -> None:
    token = app.config["LIBRARY"].settings.token
    for headers in ({}, auth("wrong"), {"Authorization": f"Basic {token}"}):
        response = upload(client, b"%PDF-1.4\n", **headers)
        assert response.status_code == 401 and error_of(response) == "unauthorized"
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        deleted = client.delete(f"/api/reports/{ids['rand']}", headers=headers)
        assert deleted.status_code == 401
    assert get_json(client, f"/api/reports/{ids['rand']}")["status"] == "indexed"


def test_writes_are_disabled_without_a_configured_token(app: Flask, ids: dict[str, str]) -> None:
    settings = replace(app.config["LIBRARY"].settings, token="")
    client = create_app(settings).test_client()
    response = upload(client, b"%PDF-1.4\n", **auth(""))
    assert response.status_code == 403 and error_of(response) == "forbidden"
    assert client.delete(f"/api/reports/{ids['rand']}", headers=auth("")).status_code == 403


def test_upload_rejects_what_is_not_one_pdf(app: Flask, client: FlaskClient) -> None:
    token = auth(app.config["LIBRARY"].settings.token)
    not_pdf = upload(client, b"<html>hello</html>", "looks.pdf", **token)
    assert not_pdf.status_code == 415 and error_of(not_pdf) == "unsupported_file"
    none = client.post("/api/reports", data={}, headers=token, content_type="multipart/form-data")
    assert none.status_code == 400 and "'file'" in none.json["error"]["message"]  # type: ignore[index]


@pytest.mark.parametrize("size", [1024 * 1024 + 10, 3 * 1024 * 1024])
def test_upload_over_the_size_limit_is_413(app: Flask, size: int) -> None:
    settings = replace(app.config["LIBRARY"].settings, max_upload_mb=1)
    client = create_app(settings).test_client()
    response = upload(client, b"%PDF-1.4\n" + b"0" * size, **auth(settings.token))
    assert response.status_code == 413 and error_of(response) == "too_large"


def test_upload_is_ingested_in_the_background_then_deleted(
    writable_app: Flask, tmp_path: Path
) -> None:
    client, lib = writable_app.test_client(), writable_app.config["LIBRARY"]
    pdf = make_pdf(tmp_path / "up.pdf", ["The narwhal census counts tusks in Baffin Bay."],
                   title="Narwhal Census")  # fmt: skip
    response = upload(client, pdf.read_bytes(), "narwhal census.pdf", **auth(lib.settings.token))
    assert response.status_code == 202
    job = response.json
    assert job is not None and job["status"] in ("queued", "running", "done")
    assert response.headers["Location"] == f"/api/jobs/{job['job_id']}"
    done = wait_for_job(client, job["job_id"])
    assert done["status"] == "done", done
    report_id = done["report_id"]
    hits = get_json(client, "/api/search?q=narwhal")["hits"]
    assert [h["report_id"] for h in hits] == [report_id]
    stored = Path(get_json(client, f"/api/reports/{report_id}")["files"][0]["path"])
    assert stored.is_file() and stored.is_relative_to(lib.settings.data.resolve())

    deleted = client.delete(f"/api/reports/{report_id}", headers=auth(lib.settings.token))
    assert deleted.status_code == 204
    assert client.get(f"/api/reports/{report_id}").status_code == 404
    assert get_json(client, "/api/search?q=narwhal")["hits"] == []
    assert not stored.exists()


def test_deleting_an_ingested_file_excludes_it_from_the_next_ingest(
    writable_app: Flask, ids: dict[str, str]
) -> None:
    client, lib = writable_app.test_client(), writable_app.config["LIBRARY"]
    source = Path(get_json(client, f"/api/reports/{ids['rand']}")["files"][0]["path"])
    response = client.delete(f"/api/reports/{ids['rand']}", headers=auth(lib.settings.token))
    assert response.status_code == 204
    assert source.is_file()  # a file of the collection is never deleted, only excluded
    assert client.delete(
        f"/api/reports/{ids['rand']}", headers=auth(lib.settings.token)
    ).status_code == 404  # fmt: skip
    lib.ingest([source.parent])
    assert client.get(f"/api/reports/{ids['rand']}").status_code == 404
    assert ids["rand"] not in client.get("/").text
    assert get_json(client, "/api/search?q=airfields")["hits"] == []


def test_openapi_describes_every_api_route(app: Flask) -> None:
    spec = get_json(app.test_client(), "/openapi.json")
    assert spec["openapi"].startswith("3.1")
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/"):
            path = rule.rule.replace("<report_id:report_id>", "{report_id}")
            path = path.replace("<job_id:job_id>", "{job_id}")
            path = path.replace("<follow_id:follow_id>", "{follow_id}")
            path = path.split("<int(")[0] + "{n}" if "<int(" in path else path
            methods = {m.lower() for m in rule.methods or ()} - {"head", "options"}
            assert methods <= set(spec["paths"][path]), path


def test_health_and_wrong_methods(client: FlaskClient) -> None:
    assert get_json(client, "/healthz") == {"status": "ok"}
    response = client.put("/api/search")
    assert response.status_code == 405 and error_of(response) == "method_not_allowed"
    assert "GET" in response.headers["Allow"]
