"""Following publishers: an RSS feed and a sitemap on a real site on loopback, run from the
library, the CLI and the API. New PDFs are fetched once, known ones (by URL or by bytes) are
skipped, and the feed entry fills the record with source `feed`."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from indexer.cli import cli
from indexer.config import Settings
from indexer.errors import QueryError, UrlRefused
from indexer.library import Library
from indexer.web import create_app
from tests.pdfs import make_pdf
from tests.publisher import Publisher, publisher, rss, sitemap

TOKEN = "follow-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
WORDS = ("aardvark", "bonobo", "caracal", "dugong", "echidna", "fossa")
# fpdf2 stamps the time of writing: a copy made a second later would have other bytes.
CREATED = datetime(2026, 3, 3, 10, tzinfo=UTC)


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Publisher]:
    with publisher() as site:
        for word in WORDS:
            pdf = make_pdf(
                tmp_path / f"{word}.pdf", [f"The {word} report", "page two"], created=CREATED
            )
            site.add(f"/r/{word}.pdf", pdf.read_bytes())
        site.add("/feed.xml", rss([
            {"title": "Aardvarks &amp; anteaters", "link": f"{site.base}/about/aardvark",
             "pdf": f"{site.base}/r/aardvark.pdf", "date": "Tue, 03 Mar 2026 10:00:00 GMT",
             "author": "jq@example.org (Jane Q. Public)"},
            {"title": "Bonobos", "pdf": f"{site.base}/redirect?to=/r/bonobo.pdf"},
            {"title": "An event, no report", "link": f"{site.base}/events/1"},
            {"title": "Gone", "pdf": f"{site.base}/r/gone.pdf"},
        ], title="Animal Policy Institute"), "application/rss+xml")  # fmt: skip
        listed = [f"{site.base}/r/caracal.pdf", f"{site.base}/r/dugong.pdf", f"{site.base}/about"]
        site.add("/sitemap.xml", sitemap(listed))
        yield site


@pytest.fixture
def lib(tmp_path: Path) -> Iterator[Library]:
    settings = Settings(data=tmp_path / "data", workers=2, fetch_allow="127.0.0.1/32", token=TOKEN)
    library = Library(settings)
    yield library
    library.close()


def by_word(lib: Library) -> dict[str, str]:
    return {w: h.report_id for w in WORDS for h in lib.search(w).hits}


def test_a_run_fetches_the_new_pdfs_with_the_feed_entry_as_their_record(lib, site) -> None:
    follow = lib.add_follow(f"{site.base}/feed.xml")
    assert follow["title"] == "Animal Policy Institute" and follow["last_run"] is None
    [run] = lib.run_follows()
    assert (run.found, run.fetched, run.known, run.failed, run.without_pdf) == (3, 2, 0, 1, 1)
    assert run.failures[0]["reason"] == "http_error" and "gone.pdf" in run.failures[0]["url"]
    ids = by_word(lib)
    aardvark = lib.metadata(ids["aardvark"])
    expected = {
        "title": "Aardvarks & anteaters", "date": "2026-03-03", "authors": ["Jane Q. Public"],
        "source_url": f"{site.base}/about/aardvark",
    }  # fmt: skip
    assert {k: aardvark["metadata"][k] for k in expected} == expected
    assert {aardvark["sources"][f] for f in ("title", "date", "authors", "source_url")} == {"feed"}
    bonobo = lib.metadata(ids["bonobo"])
    # No page of its own in the feed: the source is where the PDF was fetched from.
    assert bonobo["metadata"]["source_url"] == f"{site.base}/r/bonobo.pdf"
    assert bonobo["sources"]["source_url"] == "fetch"
    [row] = lib.follows()
    assert row["last_run"] and row["last_result"]["fetched"] == 2


def test_a_second_run_fetches_nothing_again(lib, site) -> None:
    lib.add_follow(f"{site.base}/feed.xml")
    lib.run_follows()
    fetched = [p for p in site.requests if p.startswith("/r/")]
    [run] = lib.run_follows()
    assert (run.fetched, run.known, run.failed) == (0, 2, 1)  # the missing one is tried again
    assert [p for p in site.requests if p.startswith("/r/")] == [*fetched, "/r/gone.pdf"]
    assert len(lib.reports()) == 2


def test_bytes_the_catalog_has_are_skipped_and_deleted_reports_stay_deleted(
    lib, site, tmp_path: Path
) -> None:
    same = tmp_path / "copy.pdf"
    same.write_bytes(site.files["/r/echidna.pdf"][1])
    lib.ingest([same])  # the same bytes, from a folder
    gone = by_word(lib)["echidna"]
    lib.delete_report(gone)
    site.add("/mirror.xml", rss([{"title": "Echidnas", "pdf": f"{site.base}/r/echidna.pdf"}]))
    lib.add_follow(f"{site.base}/mirror.xml")
    [run] = lib.run_follows()
    assert (run.fetched, run.known) == (0, 1)
    assert lib.search("echidna").hits == []
    assert not any(lib.settings.uploads_dir.glob("*/*.pdf"))  # the copy was not kept


def test_a_feed_entry_for_a_report_fetched_before_fills_its_record(lib, site) -> None:
    report_id = lib.ingest([], urls=[f"{site.base}/r/aardvark.pdf"]).files[0].report_id
    assert lib.metadata(report_id)["sources"]["source_url"] == "fetch"
    lib.add_follow(f"{site.base}/feed.xml")
    [run] = lib.run_follows()
    assert run.known == 1
    record = lib.metadata(report_id)
    assert record["metadata"]["title"] == "Aardvarks & anteaters"
    assert record["sources"]["title"] == "feed"


def test_a_sitemap_is_followed_too(lib, site) -> None:
    lib.add_follow(f"{site.base}/sitemap.xml")
    [run] = lib.run_follows()
    assert (run.found, run.fetched, run.without_pdf) == (2, 2, 1)
    assert set(by_word(lib)) == {"caracal", "dugong"}


def test_at_most_max_new_pdfs_per_run_the_rest_next_time(lib, site) -> None:
    site.add("/many.xml", rss([{"pdf": f"{site.base}/r/{w}.pdf"} for w in WORDS]))
    lib.add_follow(f"{site.base}/many.xml")
    [first] = lib.run_follows(max_new=4)
    [second] = lib.run_follows(max_new=4)
    assert (first.fetched, first.left, second.fetched, second.known) == (4, 2, 2, 4)


def test_wrong_feeds_are_said_when_added(lib, site) -> None:
    with pytest.raises(QueryError, match="not an RSS or Atom feed"):
        lib.add_follow(f"{site.base}/r/aardvark.pdf")
    with pytest.raises(UrlRefused):
        lib.add_follow("http://169.254.169.254/feed.xml")
    assert lib.follows() == []


def test_a_feed_that_went_away_is_a_run_error_not_a_crash(lib, site) -> None:
    site.add("/temp.xml", rss([{"pdf": f"{site.base}/r/fossa.pdf"}]))
    follow = lib.add_follow(f"{site.base}/temp.xml")
    del site.files["/temp.xml"]
    [run] = lib.run_follows(only=follow["follow_id"])
    assert run.error and "404" in run.error
    assert lib.follows()[0]["last_result"]["error"] == run.error


def test_cli_follow_add_list_run_remove(lib, site) -> None:
    data = ["--data", str(lib.settings.data)]
    env = {"INDEXER_FETCH_ALLOW": "127.0.0.1/32"}
    runner = CliRunner()
    added = runner.invoke(cli, [*data, "follow", "add", f"{site.base}/sitemap.xml", "--json"],
                          env=env)  # fmt: skip
    assert added.exit_code == 0, added.output
    follow_id = json.loads(added.stdout)["follow_id"]
    ran = runner.invoke(cli, [*data, "follow", "run", "--json"], env=env)
    assert ran.exit_code == 0, ran.output
    assert json.loads(ran.stdout)[0]["fetched"] == 2
    listed = runner.invoke(cli, [*data, "follow", "list"], env=env)
    assert "2 found, 2 fetched, 0 known, 0 failed" in listed.stdout
    failing = runner.invoke(cli, [*data, "follow", "add", f"{site.base}/feed.xml"], env=env)
    assert failing.exit_code == 0
    assert runner.invoke(cli, [*data, "follow", "run"], env=env).exit_code == 1  # gone.pdf
    assert runner.invoke(cli, [*data, "follow", "remove", follow_id]).exit_code == 0
    assert runner.invoke(cli, [*data, "follow", "remove", follow_id]).exit_code == 2
    refused = runner.invoke(cli, [*data, "follow", "add", "http://[::1]/f.xml"])
    assert refused.exit_code == 2 and "loopback" in refused.stderr


def test_api_follows_are_run_on_the_server_worker(lib, site) -> None:
    client = create_app(lib.settings).test_client()
    added = client.post("/api/follows", json={"url": f"{site.base}/sitemap.xml"}, headers=AUTH)
    assert added.status_code == 201
    assert client.post("/api/follows", json={"url": "x"}).status_code == 401
    refused = client.post("/api/follows", json={"url": "http://10.0.0.1/f"}, headers=AUTH)
    assert (refused.status_code, refused.json["error"]["type"]) == (400, "url_refused")
    unreachable = client.post("/api/follows", json={"url": f"{site.base}/none.xml"},
                              headers=AUTH)  # fmt: skip
    assert (unreachable.status_code, unreachable.json["error"]["type"]) == (502, "fetch_error")
    assert client.post("/api/follows/run", headers=AUTH).status_code == 202
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        state = client.get("/api/follows").json
        if not state["running"] and state["follows"][0]["last_run"]:
            break
        time.sleep(0.1)
    assert state["follows"][0]["last_result"]["fetched"] == 2
    assert client.get("/api/search?q=caracal").json["hits"]
    follow_id = added.json["follow_id"]
    assert client.delete(f"/api/follows/{follow_id}", headers=AUTH).status_code == 204
    assert client.delete(f"/api/follows/{follow_id}", headers=AUTH).status_code == 404
