"""Librarians on the web: login, session cookie, CSRF, editing the record (API and form),
uploads through the form, the record on the report page and in hits, and absolute URLs that
never come from the request's Host header."""

from __future__ import annotations

import hashlib
import html
import io
import re
import stat
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from itsdangerous import TimestampSigner
from werkzeug.test import TestResponse

from indexer.web import create_app
from indexer.web.sessions import COOKIE_NAME
from tests.pdfs import make_pdf

pytest_plugins = ["tests.web_fixtures"]

EVIL = "evil.example"
TOKEN = "test-token-0123456789"  # the token of the web fixtures' collection


def csrf_of(page: str) -> str:
    """The CSRF token a page carries (form field or meta tag)."""
    found = re.search(r'name="csrf_token" value="([^"]+)"', page) or re.search(
        r'<meta name="csrf-token" content="([^"]+)"', page
    )
    assert found, "the page carries no CSRF token"
    return found.group(1)


def login(client: FlaskClient, token: str = TOKEN, next_page: str = "/") -> TestResponse:
    form = client.get("/login").text
    data = {"token": token, "csrf_token": csrf_of(form), "next": next_page}
    return client.post("/login", data=data)


def logged_in(client: FlaskClient) -> str:
    """Log in; returns the session's CSRF token."""
    assert login(client).status_code == 303
    return csrf_of(client.get("/").text)


def set_cookie_header(response: TestResponse) -> str:
    (header,) = [h for h in response.headers.getlist("Set-Cookie") if h.startswith(COOKIE_NAME)]
    return header


def is_librarian(client: FlaskClient) -> bool:
    return "Log out</button>" in client.get("/").text


def patch(client: FlaskClient, report_id: str, body: Any, **headers: str) -> TestResponse:
    return client.patch(f"/api/reports/{report_id}", json=body, headers=headers)


# --- login and the session cookie -------------------------------------------------------------


def test_login_with_the_token_starts_a_session(writable_app: Flask) -> None:
    client = writable_app.test_client()
    assert not is_librarian(client)
    response = login(client, next_page="/search?q=walrus")
    assert response.status_code == 303 and response.location == "/search?q=walrus"
    assert is_librarian(client)
    page = client.get("/").text
    assert 'href="/upload"' in page and "Librarian login" not in page


def test_a_wrong_token_is_refused(writable_app: Flask) -> None:
    client = writable_app.test_client()
    response = login(client, token="guess")
    assert response.status_code == 401 and "not the token" in response.text
    assert not is_librarian(client)


def test_the_login_form_needs_its_csrf_token(writable_app: Flask) -> None:
    client = writable_app.test_client()
    client.get("/login")
    response = client.post("/login", data={"token": TOKEN})
    assert response.status_code == 403 and "CSRF" in response.text
    assert not is_librarian(client)


def test_login_goes_only_to_pages_of_this_site(writable_app: Flask) -> None:
    for target in ("//evil.example/x", "https://evil.example/", "/\\evil.example", "javascript:x"):
        response = login(writable_app.test_client(), next_page=target)
        assert response.status_code == 303 and response.location == "/", target


def test_logins_are_disabled_without_a_token(writable_app: Flask) -> None:
    settings = replace(writable_app.config["LIBRARY"].settings, token="")
    client = create_app(settings).test_client()
    page = client.get("/login")
    assert page.status_code == 403 and "Logins are disabled" in page.text
    response = client.post("/login", data={"token": ""})
    assert response.status_code == 403


def test_the_session_cookie_flags(writable_app: Flask) -> None:
    header = set_cookie_header(login(writable_app.test_client()))
    attributes = {a.split("=")[0].strip().lower() for a in header.split(";")}
    assert {"httponly", "expires"} <= attributes and "secure" not in attributes
    assert "SameSite=Strict" in header
    expires = re.search(r"Expires=([^;]+)", header)
    assert expires
    when = datetime.strptime(expires.group(1), "%a, %d %b %Y %H:%M:%S GMT").replace(tzinfo=UTC)
    assert abs(when - (datetime.now(UTC) + timedelta(hours=8))) < timedelta(minutes=1)


def test_the_cookie_is_secure_and_short_lived_as_configured(writable_app: Flask) -> None:
    settings = replace(
        writable_app.config["LIBRARY"].settings, base_url="https://reports.example.org",
        session_hours=0.5,
    )  # fmt: skip
    header = set_cookie_header(login(create_app(settings).test_client()))
    assert "; Secure" in header and "SameSite=Strict" in header
    expires = re.search(r"Expires=([^;]+)", header)
    assert expires
    when = datetime.strptime(expires.group(1), "%a, %d %b %Y %H:%M:%S GMT").replace(tzinfo=UTC)
    assert abs(when - (datetime.now(UTC) + timedelta(minutes=30))) < timedelta(minutes=1)


def _aged_cookie(app: Flask, client: FlaskClient, hours: float) -> str:
    """The client's session cookie signed again as if it had been issued `hours` ago."""
    cookie = client.get_cookie(COOKIE_NAME)
    assert cookie is not None
    serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
    data = serializer.loads(cookie.value)

    class Past(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time() - hours * 3600)

    serializer.signer = Past
    return serializer.dumps(data)


def test_a_session_expires_after_session_hours(writable_app: Flask) -> None:
    client = writable_app.test_client()
    logged_in(client)
    for hours, still_in in ((7.5, True), (8.5, False)):
        client.set_cookie(COOKIE_NAME, _aged_cookie(writable_app, client, hours))
        assert is_librarian(client) is still_in, hours


def test_logout_ends_the_session(writable_app: Flask) -> None:
    client = writable_app.test_client()
    csrf = logged_in(client)
    assert client.post("/logout", data={"csrf_token": csrf}).status_code == 303
    assert not is_librarian(client)


def test_a_new_token_ends_old_logins(writable_app: Flask) -> None:
    client = writable_app.test_client()
    logged_in(client)
    cookie = client.get_cookie(COOKIE_NAME)
    assert cookie is not None
    settings = replace(writable_app.config["LIBRARY"].settings, token="a-new-token-42")
    other = create_app(settings).test_client()
    other.set_cookie(COOKIE_NAME, cookie.value)
    assert not is_librarian(other)


# --- the secret key ---------------------------------------------------------------------------


def test_the_secret_key_is_generated_once_private_and_reused(writable_app: Flask) -> None:
    settings = writable_app.config["LIBRARY"].settings
    key_file = settings.data / "secret_key"
    assert key_file.is_file()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    again = create_app(settings)
    assert again.secret_key == writable_app.secret_key == key_file.read_text().strip()
    # A cookie from one process is good in another.
    client = writable_app.test_client()
    logged_in(client)
    cookie = client.get_cookie(COOKIE_NAME)
    assert cookie is not None
    other = again.test_client()
    other.set_cookie(COOKIE_NAME, cookie.value)
    assert is_librarian(other)


def test_a_configured_secret_key_needs_no_file(writable_app: Flask, tmp_path: Path) -> None:
    settings = replace(
        writable_app.config["LIBRARY"].settings, data=tmp_path / "fresh", secret_key="k" * 40
    )
    assert create_app(settings).secret_key == "k" * 40
    assert not (settings.data / "secret_key").exists()


# --- PATCH /api/reports/<id>: who may, and what it takes ----------------------------------------


def test_patch_needs_credentials(writable_app: Flask, ids: dict[str, str]) -> None:
    response = patch(writable_app.test_client(), ids["rand"], {"title": "X"})
    assert response.status_code == 401 and response.json
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_session_patch_needs_the_csrf_header(writable_app: Flask, ids: dict[str, str]) -> None:
    client = writable_app.test_client()
    csrf = logged_in(client)
    for headers in ({}, {"X-CSRF-Token": "forged"}, {"X-CSRF-Token": csrf[:-2] + "xx"}):
        response = patch(client, ids["rand"], {"title": "Forged"}, **headers)
        assert response.status_code == 403, headers
        assert response.json and "CSRF" in response.json["error"]["message"]
    report = client.get(f"/api/reports/{ids['rand']}").json
    assert report and report["metadata"]["title"] == "Rapid Reaction Forces in Europe"

    response = patch(client, ids["rand"], {"title": "Rapid Reaction, Revised"}, **{
        "X-CSRF-Token": csrf})  # fmt: skip
    assert response.status_code == 200, response.text
    assert response.json and response.json["metadata"]["title"] == "Rapid Reaction, Revised"
    assert response.json["sources"]["title"] == "edit"


def test_a_bearer_patch_needs_no_csrf(writable_app: Flask, ids: dict[str, str]) -> None:
    client = writable_app.test_client()
    body = {"authors": "Doe, Jane; Roe, Richard", "date": "2019-06-03", "report_number": "RR-1"}
    response = patch(client, ids["rand"], body, Authorization=f"Bearer {TOKEN}")
    assert response.status_code == 200, response.text
    record = response.json
    assert record and record["metadata"]["authors"] == ["Jane Doe", "Richard Roe"]
    assert record["metadata"]["date"] == "2019-06-03"
    assert {record["sources"][f] for f in body} == {"edit"}
    # null drops the edit: the report's own value comes back.
    back = patch(client, ids["rand"], {"date": None}, Authorization=f"Bearer {TOKEN}").json
    assert back and back["metadata"]["date"] != "2019-06-03" and back["sources"]["date"] != "edit"
    assert patch(client, ids["rand"], {}, Authorization="Bearer wrong").status_code == 401


@pytest.mark.parametrize(
    ("body", "named"),
    [({"colour": "red"}, "colour"), ({"date": "15 April 2026"}, "date"),
     ({"date": "2026-13-01"}, "date"), ({"authors": 42}, "authors"),
     ({"title": ["a", "b"]}, "title")],
)  # fmt: skip
def test_a_bad_patch_is_400_naming_the_field(
    writable_app: Flask, ids: dict[str, str], body: dict[str, Any], named: str
) -> None:
    response = patch(writable_app.test_client(), ids["rand"], body, Authorization=f"Bearer {TOKEN}")
    assert response.status_code == 400 and response.json
    assert named in response.json["error"]["message"]


def test_a_patch_body_must_be_an_object(writable_app: Flask, ids: dict[str, str]) -> None:
    client, auth = writable_app.test_client(), {"Authorization": f"Bearer {TOKEN}"}
    for body in (["title", "X"], "title", None):
        response = client.patch(f"/api/reports/{ids['rand']}", json=body, headers=auth)
        assert response.status_code == 400 and response.json, body
        assert "JSON object" in response.json["error"]["message"]
    response = client.patch(f"/api/reports/{ids['rand']}", data="title=X", headers=auth)
    assert response.status_code == 400
    unknown = patch(client, "0" * 16, {"title": "X"}, Authorization=f"Bearer {TOKEN}")
    assert unknown.status_code == 404


# --- the edit form ----------------------------------------------------------------------------


def test_the_edit_form_is_for_librarians_only(writable_app: Flask, ids: dict[str, str]) -> None:
    client = writable_app.test_client()
    page = client.get(f"/reports/{ids['airborne']}").text
    assert 'id="edit"' not in page and "csrf" not in page
    refused = client.post(f"/reports/{ids['airborne']}/edit", data={"title": "X"})
    assert refused.status_code == 401
    logged_in(client)
    page = client.get(f"/reports/{ids['airborne']}").text
    assert 'id="edit"' in page and 'name="csrf_token"' in page
    assert 'name="authors" value="Analyst, Jane Q.; Smith, John"' in page


def test_editing_the_record_through_the_form(writable_app: Flask, ids: dict[str, str]) -> None:
    client, url = writable_app.test_client(), f"/reports/{ids['airborne']}"
    csrf = logged_in(client)
    form = {"csrf_token": csrf, "title": "Airborne Forces of Russia",
            "authors": "Analyst, Jane Q.; Smith, John; Doe, Jane", "report_number": "R12345",
            "date": "2024-03-15", "version": ""}  # fmt: skip
    response = client.post(f"{url}/edit", data=form)
    assert response.status_code == 303 and response.location == url
    page = client.get(url).text
    assert (
        "<h1>Airborne Forces of Russia</h1>" in page
        and "Saved: title, authors, report number" in page
    )
    assert "Jane Q. Analyst; John Smith; Jane Doe" in page
    assert 'content="R12345"' in page  # citation_technical_report_number
    record = client.get(f"/api/reports/{ids['airborne']}").json
    assert record and record["sources"]["title"] == "edit" and record["sources"]["date"] != "edit"
    # Fields sent back unchanged are not pinned as edits.
    assert "date" not in [f for f, s in record["sources"].items() if s == "edit"]
    # Ticking "undo the edit" gives the report's own title back.
    reset = client.post(f"{url}/edit", data={"csrf_token": csrf, "reset-title": "1"})
    assert reset.status_code == 303
    assert (
        "<h1>Russian Airborne Forces: Structure, Doctrine and Readiness</h1>"
        in client.get(url).text
    )


def test_a_bad_value_in_the_form_is_shown_inline(writable_app: Flask, ids: dict[str, str]) -> None:
    client, url = writable_app.test_client(), f"/reports/{ids['airborne']}"
    csrf = logged_in(client)
    response = client.post(f"{url}/edit", data={"csrf_token": csrf, "date": "next Tuesday",
                                                  "title": "Kept as typed"})  # fmt: skip
    assert response.status_code == 400
    assert "Not saved." in response.text and "date" in response.text
    assert 'value="next Tuesday"' in response.text and 'value="Kept as typed"' in response.text
    assert 'aria-invalid="true"' in response.text
    title = client.get(f"/api/reports/{ids['airborne']}").json
    assert title and title["metadata"]["title"] != "Kept as typed"


def test_the_edit_form_needs_its_csrf_token(writable_app: Flask, ids: dict[str, str]) -> None:
    client, url = writable_app.test_client(), f"/reports/{ids['airborne']}"
    logged_in(client)
    for data in ({"title": "X"}, {"title": "X", "csrf_token": "forged"}):
        response = client.post(f"{url}/edit", data=data)
        assert response.status_code == 403 and "CSRF" in response.text


# --- the upload form --------------------------------------------------------------------------


def test_the_upload_form(writable_app: Flask, tmp_path: Path) -> None:
    client = writable_app.test_client()
    assert client.get("/upload").location == "/login?next=/upload"
    csrf = logged_in(client)
    assert 'enctype="multipart/form-data"' in client.get("/upload").text
    pdf = make_pdf(tmp_path / "walrus.pdf", ["The walrus and the carpenter. " * 20],
                   title="Walrus Studies")  # fmt: skip
    data = {"csrf_token": csrf, "file": (io.BytesIO(pdf.read_bytes()), "walrus.pdf")}
    response = client.post("/upload", data=data, content_type="multipart/form-data")
    assert response.status_code == 303 and response.location.startswith("/jobs/")
    job_id = response.location.rsplit("/", 1)[1]
    deadline = time.monotonic() + 30
    while "Open the report" not in (page := client.get(response.location).text):
        assert time.monotonic() < deadline and "failed" not in page
        time.sleep(0.1)
    assert f'href="/api/jobs/{job_id}"' in page and "walrus.pdf" in page
    expected = hashlib.sha256(pdf.read_bytes()).hexdigest()[:16]
    assert f'href="/reports/{expected}"' in page


def test_the_upload_form_refuses_without_csrf_or_a_pdf(writable_app: Flask) -> None:
    client = writable_app.test_client()
    csrf = logged_in(client)
    forged = {"file": (io.BytesIO(b"%PDF-1.4\n"), "x.pdf")}
    assert client.post("/upload", data=forged).status_code == 403
    not_pdf = {"csrf_token": csrf, "file": (io.BytesIO(b"<html>"), "x.pdf")}
    response = client.post("/upload", data=not_pdf)
    assert response.status_code == 415 and "not a PDF" in response.text


# --- absolute URLs ----------------------------------------------------------------------------


def test_a_forged_host_header_never_reaches_a_page(
    client: FlaskClient, ids: dict[str, str]
) -> None:
    report = ids["airborne"]
    for url in (f"/api/reports/{report}/cite", f"/api/reports/{report}/cite?format=bibtex",
                f"/api/reports/{report}", f"/reports/{report}", "/opensearch.xml",
                "/openapi.json", f"/reports/{report}/pages/19"):  # fmt: skip
        response = client.get(url, headers={"Host": EVIL})
        assert response.status_code == 200, url
        assert EVIL not in response.text, url
    cited = client.get(f"/api/reports/{report}/cite", headers={"Host": EVIL}).json
    assert cited and f"http://localhost/reports/{report}" in cited["citations"]["csl-json"]


def test_the_base_url_builds_every_absolute_url(app: Flask, ids: dict[str, str]) -> None:
    base = "https://reports.example.org/library"
    client = create_app(replace(app.config["LIBRARY"].settings, base_url=base + "/")).test_client()
    report = ids["airborne"]
    page = client.get(f"/reports/{report}", headers={"Host": EVIL}).text
    assert f'name="citation_pdf_url" content="{base}/reports/{report}/pdf"' in page
    assert f'template="{base}/search?q={{searchTerms}}"' in client.get("/opensearch.xml").text
    spec = client.get("/openapi.json").json
    assert spec and spec["servers"] == [{"url": base}]
    cited = client.get(f"/api/reports/{report}/cite?format=bibtex").json
    assert cited and f"{base}/reports/{report}" in cited["citation"]


def test_a_bad_base_url_is_refused(app: Flask) -> None:
    with pytest.raises(ValueError, match="base_url"):
        create_app(replace(app.config["LIBRARY"].settings, base_url="reports.example.org"))


# --- search: order, versions, the new filters and facets, the record in hits ---------------------


def bearer_patch(client: FlaskClient, report_id: str, body: dict[str, Any]) -> dict[str, Any]:
    response = patch(client, report_id, body, Authorization=f"Bearer {TOKEN}")
    assert response.status_code == 200, response.text
    return response.json or {}


def search_box(page: str) -> str | None:
    found = re.search(r'<input type="search" name="q" value="([^"]*)"', page)
    return html.unescape(found.group(1)) if found else None


@pytest.mark.parametrize(
    ("args", "message"),
    [("sort=newest", "sort must be relevance or date"),
     ("versions=some", "versions must be latest or all"), ("year=2147483647", "year must be")],
)  # fmt: skip
def test_a_bad_search_argument_is_400_and_keeps_the_query(
    client: FlaskClient, args: str, message: str
) -> None:
    page = client.get(f"/search?q=walrus+airborne&{args}")
    assert page.status_code == 400 and message in page.text
    assert search_box(page.text) == "walrus airborne"
    api = client.get(f"/api/search?q=walrus&{args}")
    assert api.status_code == 400 and api.json and message in api.json["error"]["message"]


def test_any_error_page_keeps_the_query_in_the_box(client: FlaskClient) -> None:
    page = client.get("/search?q=walrus&p=0")
    assert page.status_code == 400 and search_box(page.text) == "walrus"


def test_sort_by_date_puts_the_newest_first(client: FlaskClient) -> None:
    for query in ("forces", '"airborne forces" Russia'):
        result = client.get(f"/api/search?q={query}&sort=date&per_report=1").json
        assert result and len(result["hits"]) >= 2
        dates = [h["date"] for h in result["hits"]]
        assert dates == sorted(dates, reverse=True), dates
    page = client.get("/search?q=forces&sort=date").text
    assert '<strong aria-current="true">Newest first</strong>' in page
    assert 'name="sort" value="date"' in page  # the filters form keeps the order


def test_hits_show_the_record_and_new_facets_filter(
    writable_app: Flask, ids: dict[str, str]
) -> None:
    client = writable_app.test_client()
    bearer_patch(client, ids["rand"], {
        "authors": "Doe, Jane; Roe, Richard", "report_number": "RR-A1234-1", "version": "2",
        "report_type": "Research Report", "tags": "Europe, NATO"})  # fmt: skip
    query = '"airborne forces" Russia'
    result = client.get(f"/api/search?q={query}").json
    assert result
    hit = next(h for h in result["hits"] if h["report_id"] == ids["rand"])
    assert hit["authors"] == ["Jane Doe", "Richard Roe"] and hit["report_number"] == "RR-A1234-1"
    assert {"value": "Research Report", "count": 1} in result["facets"]["report_type"]
    assert {"value": "NATO", "count": 1} in result["facets"]["tag"]

    page = client.get(f"/search?q={query}").text
    assert "Jane Doe; Richard Roe" in page and "RR-A1234-1" in page and "version 2" in page
    assert "<span>Report type</span>" in page and "<span>Tags</span>" in page
    assert 'name="report_type" value="Research Report"' in page

    for args in ("report_type=Research+Report", "tag=NATO", "tag=NATO&tag=Arctic"):
        narrowed = client.get(f"/api/search?q={query}&{args}").json
        assert narrowed and [h["report_id"] for h in narrowed["hits"]] == [ids["rand"]], args
        page = client.get(f"/search?q={query}&{args}").text
        assert search_box(page) == query and "Clear all filters" in page
    assert client.get(f"/api/search?q={query}&tag=Arctic").json["hits"] == []  # type: ignore[index]


def test_other_versions_fold_under_the_newest(writable_app: Flask, ids: dict[str, str]) -> None:
    client = writable_app.test_client()
    same = {"publisher": "Congressional Research Service", "report_number": "R40000"}
    bearer_patch(client, ids["rand"], same | {"date": "2019-06-01", "version": "1"})
    bearer_patch(client, ids["airborne"], same | {"date": "2024-03-15", "version": "2"})
    query = '"airborne forces" Russia'
    latest = client.get(f"/api/search?q={query}").json
    assert latest and [(h["report_id"], h["other_versions"]) for h in latest["hits"]] == [
        (ids["airborne"], 1)
    ]
    every = client.get(f"/api/search?q={query}&versions=all").json
    assert every and {h["report_id"] for h in every["hits"]} == {ids["airborne"], ids["rand"]}

    page = client.get(f"/search?q={query}").text
    link = re.search(r'<a href="([^"]+)">other versions \(1\)</a>', page)
    assert link and "versions=all" in link.group(1)
    assert (
        len(re.findall(r'class="hit"', client.get(link.group(1).replace("&amp;", "&")).text)) == 2
    )

    report = client.get(f"/reports/{ids['rand']}").text
    assert "Versions of this report" in report
    assert f'href="/reports/{ids["airborne"]}"><time datetime="2024-03-15">' in report
    assert '<strong><time datetime="2019-06-01">June 1, 2019</time> · version 1</strong>' in report


def _undated(path: Path) -> Path:
    from pypdf import PdfWriter

    writer = PdfWriter(clone_from=path)
    writer.metadata = {"/Title": "A note without a date"}  # no /CreationDate
    with path.open("wb") as f:
        writer.write(f)
    return path


def test_reports_without_a_year_stay_out_of_the_year_facet(
    writable_app: Flask, tmp_path: Path
) -> None:
    folder = tmp_path / "more"
    _undated(make_pdf(folder / "note.pdf", ["The walrus note says nothing of dates. " * 10]))
    writable_app.config["LIBRARY"].ingest([folder])
    client = writable_app.test_client()
    result = client.get("/api/search?q=walrus").json
    assert result and len({h["report_id"] for h in result["hits"]}) == 2
    assert [f["value"] for f in result["facets"]["year"]] == [2021]
    page = client.get("/search?q=walrus").text
    assert "2147483647" not in page and 'name="year" value="2021"' in page
    # Every facet link and box keeps the query.
    assert page.count('<input type="hidden" name="q" value="walrus">') == 1


# --- reports with nothing to cite ---------------------------------------------------------------


def test_a_failed_report_offers_no_citation(writable_app: Flask, tmp_path: Path) -> None:
    folder = tmp_path / "broken"
    folder.mkdir()
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4\nthis is not a PDF body\n%%EOF\n")
    summary = writable_app.config["LIBRARY"].ingest([folder])
    (report_id,) = [f.report_id for f in summary.files]
    client = writable_app.test_client()
    info = client.get(f"/api/reports/{report_id}").json
    assert info and info["citable"] is False
    page = client.get(f"/reports/{report_id}")
    assert page.status_code == 200
    assert "citation_" not in page.text and 'class="cite-box"' not in page.text
    assert "nothing to cite" in page.text
    cite = client.get(f"/api/reports/{report_id}/cite")
    assert cite.status_code == 409 and cite.json and cite.json["error"]["type"] == "not_citable"


def test_processes_starting_at_once_agree_on_the_key(tmp_path: Path) -> None:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from indexer.web.sessions import stored_secret_key

    with ProcessPoolExecutor(4, mp_context=multiprocessing.get_context("spawn")) as pool:
        keys = set(pool.map(stored_secret_key, [tmp_path / "data"] * 8))
    assert len(keys) == 1 and [p.name for p in (tmp_path / "data").iterdir()] == ["secret_key"]
