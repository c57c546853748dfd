"""Adding reports by URL, from the library, the CLI and the API, against a real site on
loopback: the record keeps where and when, failures become failed jobs with a reason, and a
URL that reaches inside is refused at once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from indexer.config import Settings
from indexer.errors import UrlRefused
from indexer.library import Library
from indexer.web import create_app
from tests.pdfs import make_pdf
from tests.publisher import Publisher, publisher
from tests.test_jobs import wait_for

TOKEN = "fetch-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
LOOPBACK = "127.0.0.1/32"
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Publisher]:
    folder = tmp_path_factory.mktemp("site")
    with publisher() as site:
        for word in ("aardvark", "pangolin", "okapi", "quokka"):
            pdf = make_pdf(folder / f"{word}.pdf", [f"The {word} report", "second page"])
            site.add(f"/r/{word}.pdf", pdf.read_bytes())
        site.add("/page.html", b"<html>not a pdf</html>", "text/html")
        site.add("/big.pdf", b"%PDF-1.4\n" + b"0" * (2 * 1024 * 1024))
        yield site


@pytest.fixture
def fetching(tmp_path: Path) -> Iterator[Library]:
    """A library that may fetch from loopback (the test-only allowlist), 1 MB uploads."""
    settings = Settings(data=tmp_path / "data", workers=2, fetch_allow=LOOPBACK, max_upload_mb=1,
                        fetch_timeout=2.0, token=TOKEN)  # fmt: skip
    library = Library(settings)
    yield library
    library.close()


def test_a_url_job_fetches_ingests_and_records_the_source(fetching: Library, site) -> None:
    job = fetching.submit_url(f"{site.base}/redirect?to=/r/aardvark.pdf&n=2")
    assert job["url"].endswith("n=2") and job["status"] in ("queued", "running")
    done = wait_for(fetching, job["job_id"])
    assert (done["status"], done["error"]) == ("done", None)
    record = fetching.metadata(done["report_id"])
    assert record["metadata"]["source_url"] == f"{site.base}/r/aardvark.pdf"  # after redirects
    assert record["metadata"]["retrieved"] == datetime.now(UTC).date().isoformat()
    assert record["sources"]["source_url"] == record["sources"]["retrieved"] == "fetch"
    assert [h.report_id for h in fetching.search("aardvark").hits] == [done["report_id"]]
    stored = Path(fetching.reports()[0]["files"][0]["path"])
    assert stored.is_relative_to(fetching.settings.uploads_dir.resolve())
    assert stored.name == "aardvark.pdf"


@pytest.mark.parametrize(
    "path, reason",
    [
        ("/redirect?to=http://169.254.169.254/latest/meta-data/", "url_refused"),
        ("/slow", "timeout"),
        ("/big.pdf", "too_large"),
        ("/endless", "too_large"),
        ("/page.html", "not_pdf"),
        ("/missing.pdf", "http_error"),
        (f"/redirect?to=/r/okapi.pdf&n={6}", "too_many_redirects"),
    ],
)
def test_a_fetch_that_fails_is_a_failed_job_with_its_reason(
    fetching: Library, site, path: str, reason: str
) -> None:
    done = wait_for(fetching, fetching.submit_url(site.base + path)["job_id"])
    assert (done["status"], done["reason"]) == ("failed", reason), done
    assert done["error"]
    assert fetching.reports() == []
    assert not any(fetching.settings.uploads_dir.glob("*/*"))  # nothing left behind


@pytest.mark.parametrize(
    "url",
    ["http://2130706433/r/a.pdf", "http://0x7f.1/r/a.pdf", "http://[::ffff:127.0.0.1]/a.pdf",
     "http://localhost/r/a.pdf", "http://169.254.169.254/", "file:///etc/passwd"],
)  # fmt: skip
def test_the_api_refuses_urls_inside_at_once(tmp_path: Path, url: str) -> None:
    """No allowlist here, as in production: a 400 `url_refused`, and no job."""
    app = create_app(Settings(data=tmp_path / "data", token=TOKEN))
    response = app.test_client().post("/api/reports", json={"url": url}, headers=AUTH)
    assert response.status_code == 400, response.json
    assert response.json["error"]["type"] == "url_refused"
    assert app.config["LIBRARY"].reports() == []
    with pytest.raises(UrlRefused):
        app.config["LIBRARY"].submit_url(url)


def test_the_api_queues_a_url_and_the_job_says_where_it_came_from(fetching: Library, site) -> None:
    client = create_app(fetching.settings).test_client()
    response = client.post("/api/reports", json={"url": f"{site.base}/r/pangolin.pdf"},
                           headers=AUTH)  # fmt: skip
    assert response.status_code == 202 and response.headers["Location"].startswith("/api/jobs/")
    job_id = response.json["job_id"]
    done = wait_for(client.application.config["LIBRARY"], job_id)
    assert done["status"] == "done"
    answer = client.get(f"/api/jobs/{job_id}").json
    assert answer["url"] == f"{site.base}/r/pangolin.pdf" and answer["report_id"]
    assert client.post("/api/reports", json={"link": "x"}, headers=AUTH).status_code == 400
    assert client.post("/api/reports", json={"url": "x"}).status_code == 401


def indexer(data: Path, *args: str, allow: str = LOOPBACK) -> subprocess.CompletedProcess:
    env = {**os.environ, "INDEXER_FETCH_ALLOW": allow}
    return subprocess.run(
        [sys.executable, "-m", "indexer", "--data", str(data), *args],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=300,
    )  # fmt: skip


def test_cli_ingest_takes_urls_beside_paths(tmp_path: Path, site) -> None:
    local = make_pdf(tmp_path / "local.pdf", ["a wombat on paper"])
    done = indexer(tmp_path / "data", "ingest", "--json", str(local),
                   f"{site.base}/r/quokka.pdf", f"{site.base}/missing.pdf")  # fmt: skip
    assert done.returncode == 1, done.stderr  # one file failed
    files = {f["path"]: f for f in json.loads(done.stdout)["files"]}
    assert files[f"{site.base}/missing.pdf"]["reason"] == "http_error"
    assert [f["status"] for f in files.values()].count("indexed") == 2
    found = indexer(tmp_path / "data", "search", "quokka", "--json")
    assert json.loads(found.stdout)["hits"]


def test_cli_refuses_a_url_inside_before_fetching_anything(tmp_path: Path, site) -> None:
    before = len(site.requests)
    done = indexer(tmp_path / "data", "ingest", "--json", f"{site.base}/r/okapi.pdf",
                   "http://0xa9.254.0xa9fe/latest/meta-data/")  # fmt: skip
    assert done.returncode == 2
    assert json.loads(done.stdout)["error"]["type"] == "url_refused"
    assert "resolves to 169.254.169.254, a cloud metadata address" in done.stderr
    assert len(site.requests) == before  # not even the good URL was fetched
    refused = indexer(tmp_path / "data", "ingest", "http://0x7f.1/r/okapi.pdf", allow="")
    assert refused.returncode == 2
    assert "0x7f.1 resolves to 127.0.0.1, a loopback address" in refused.stderr


def test_settings_for_fetching_come_from_the_environment(tmp_path: Path) -> None:
    env = {"INDEXER_FETCH_TIMEOUT": "7.5", "INDEXER_FETCH_ALLOW": LOOPBACK}
    settings = Settings.from_env(env, data=tmp_path)
    assert (settings.fetch_timeout, settings.fetch_allow) == (7.5, LOOPBACK)
    assert replace(settings, fetch_allow="").fetch_allow == ""
    assert Settings.from_env({}, data=tmp_path).fetch_allow == ""  # off by default
