"""Batch search: reading the file of queries, a bad query among good ones, the CSV columns and
references, the CLI and the API giving the same bytes, the 1,000-query limit, and a real
server streaming a 1,000-query batch while an upload is ingested."""

from __future__ import annotations

import csv
import http.client
import io
import os
import shutil
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient
from werkzeug.datastructures import FileStorage
from werkzeug.test import TestResponse, encode_multipart

from indexer.batch import COLUMNS, MAX_QUERIES, read_queries
from indexer.cite import cite
from indexer.cli import cli
from indexer.errors import QueryError
from indexer.library import Library
from tests.pdfs import make_pdf
from tests.servers import indexer_server

pytest_plugins = ["tests.web_fixtures"]
BASE = "http://localhost"
QUERIES = ["airborne forces", '"unbalanced', "walrus", "narwhal", "=1+1", "nosuchfield:x"]


def rows_of(text: str) -> list[dict[str, str]]:
    reader = csv.DictReader(io.StringIO(text))
    assert tuple(reader.fieldnames or ()) == COLUMNS
    return list(reader)


def post_batch(client: FlaskClient, data: bytes, query: str = "", **headers: str) -> TestResponse:
    boundary, body = encode_multipart({"file": FileStorage(io.BytesIO(data), "queries.txt")})
    return client.post(
        f"/api/batch{query}",
        data=body,
        headers=headers,
        content_type=f"multipart/form-data; boundary={boundary}",
    )


def token_of(collection: Any) -> dict[str, str]:
    return {"Authorization": f"Bearer {collection.settings.token}"}


@pytest.mark.parametrize(
    ("text", "queries"),
    [
        ("a\n\n  b c \r\nd", ["a", "b c", "d"]),
        ("\ufeffquery,note\nx,1\n\"y, z\",2\n,3\n", ["x", "y, z"]),  # a BOM, an empty cell
        (" Query \nwalrus\n", ["walrus"]),  # the header, however spelled
    ],
)  # fmt: skip
def test_read_queries(text: str, queries: list[str]) -> None:
    assert read_queries(text.encode()) == queries


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "holds no query"),
        (b"query\n", "holds no query"),
        (b"\xff\xfe\x00w", "UTF-8"),
        ("\n".join(["walrus"] * (MAX_QUERIES + 1)).encode(), "at most 1,000 queries; this file"),
    ],
)
def test_files_refused(data: bytes, message: str) -> None:
    with pytest.raises(QueryError, match=message):
        read_queries(data)


def test_a_bad_query_among_good_ones(collection: Any, ids: dict[str, str]) -> None:
    lib = Library(collection.settings)
    text = "".join(lib.batch("\n".join(QUERIES).encode(), url_of=lambda r: f"{BASE}/r/{r}"))
    rows = rows_of(text)
    by_query: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        by_query.setdefault(row["query"], []).append(row)
    # Every query has rows, in the order given; the formula-like one is escaped.
    assert list(by_query) == [q if q != "=1+1" else "'=1+1" for q in QUERIES]
    (bad,) = by_query['"unbalanced']
    assert bad["error"].startswith("query_error: ") and bad["report_id"] == ""
    assert by_query["nosuchfield:x"][0]["error"].startswith("query_error: ")
    (none,) = by_query["narwhal"]
    assert none["report_id"] == none["error"] == ""  # no hits: the query alone
    walrus = by_query["walrus"]
    assert [r["report_id"] for r in walrus] == [ids["xss"]] and walrus[0]["error"] == ""
    key = next(r for r in by_query["airborne forces"] if r["page"] == "19")
    assert (key["report_id"], key["page_label"]) == (ids["airborne"], "17")
    assert "airborne forces of Russia" in key["snippet"]
    with lib._catalog() as catalog:
        report = catalog.report(ids["airborne"])
    apa = cite(report, "apa", page=19, page_label="17", url=f"{BASE}/r/{ids['airborne']}")
    assert key["reference"] == apa.replace("\n", " ")
    assert key["reference"].endswith("p. 17)")
    lib.close()


def test_cli_and_api_give_the_same_rows(
    collection: Any, client: FlaskClient, tmp_path: Path
) -> None:
    queries = tmp_path / "queries.txt"
    queries.write_text("\n".join(QUERIES))
    result = CliRunner(env={"INDEXER_BASE_URL": BASE}).invoke(
        cli, ["--data", str(collection.settings.data), "batch", str(queries), "--limit", "5"]
    )
    assert result.exit_code == 0, result.output
    response = post_batch(client, queries.read_bytes(), "?limit=5", **token_of(collection))
    assert response.status_code == 200 and response.is_streamed
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == 'attachment; filename="batch.csv"'
    assert response.text == result.stdout_bytes.decode()
    assert len(rows_of(response.text)) > len(QUERIES)


def test_cli_reads_stdin_and_refuses_too_many(collection: Any) -> None:
    runner = CliRunner()
    data = ["--data", str(collection.settings.data), "batch", "-"]
    result = runner.invoke(cli, data, input="walrus\n")
    assert result.exit_code == 0 and rows_of(result.stdout)[0]["query"] == "walrus"
    result = runner.invoke(cli, data, input="walrus\n" * 1001)
    assert result.exit_code == 2 and "at most 1,000 queries" in result.stderr
    assert result.stdout == ""


def test_api_needs_a_writer_and_a_file(collection: Any, client: FlaskClient) -> None:
    response = post_batch(client, b"walrus\n")
    assert response.status_code == 401
    response = post_batch(client, b"walrus\n" * 1001, **token_of(collection))
    assert response.status_code == 400
    assert "at most 1,000 queries" in response.json["error"]["message"]  # type: ignore[index]
    response = client.post("/api/batch", headers=token_of(collection))
    assert response.status_code == 400
    response = post_batch(client, b"walrus\n", "?limit=0", **token_of(collection))
    assert response.status_code == 400


def test_a_server_streams_a_big_batch_while_an_upload_is_ingested(
    collection: Any, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    shutil.copytree(collection.settings.data, data)
    env = os.environ | {"INDEXER_TOKEN": collection.settings.token}
    words = ["airborne", "forces", "walrus", "Russia", '"airborne forces"', "readiness", "budget"]
    queries = "\n".join(f"{words[n % len(words)]} {'OR exercise' * (n % 3)}" for n in range(1000))
    pdf = make_pdf(tmp_path / "up.pdf", ["The narwhal census counts tusks in Baffin Bay."])
    with indexer_server(data, env) as base:
        connection = http.client.HTTPConnection(base.removeprefix("http://"), timeout=120)
        boundary, body = encode_multipart({"file": FileStorage(io.BytesIO(queries.encode()), "q")})
        started = time.monotonic()
        connection.request("POST", "/api/batch", body, {
            "Authorization": f"Bearer {collection.settings.token}",
            "Content-Type": f"multipart/form-data; boundary={boundary}"})  # fmt: skip
        response = connection.getresponse()
        assert response.status == 200
        first = response.readline()
        first_row_at = time.monotonic() - started
        assert first.decode().strip() == ",".join(COLUMNS)
        # While the batch runs, an upload is taken and ingested by the ingest thread.
        boundary, body = encode_multipart(
            {"file": FileStorage(io.BytesIO(pdf.read_bytes()), "u.pdf")}
        )
        request = urllib.request.Request(f"{base}/api/reports", body, {
            "Authorization": f"Bearer {collection.settings.token}",
            "Content-Type": f"multipart/form-data; boundary={boundary}"})  # fmt: skip
        with urllib.request.urlopen(request, timeout=30) as answer:
            job = answer.headers["Location"]
        deadline = time.monotonic() + 60
        while b'"done"' not in urllib.request.urlopen(base + job, timeout=30).read():
            assert time.monotonic() < deadline, "the upload was not ingested while the batch ran"
            time.sleep(0.1)
        rest = response.read().decode()
        total = time.monotonic() - started
        connection.close()
    rows = rows_of(first.decode() + rest)
    assert len({r["query"] for r in rows}) == len(set(queries.splitlines()))
    assert not [r for r in rows if r["error"]]
    assert first_row_at < total / 2, (first_row_at, total)
