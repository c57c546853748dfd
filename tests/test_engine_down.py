"""An engine that cannot answer: a search is a 503 with Retry-After, never a 500, and the
service stays up (here: an OpenSearch cluster nobody listens for, so no cluster is needed)."""

from __future__ import annotations

import socket
from pathlib import Path

from indexer.config import Settings
from indexer.web import create_app


def closed_port() -> int:
    """A loopback port with nothing listening on it."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_a_cluster_that_cannot_be_reached_is_a_503_with_retry_after(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{closed_port()}"
    settings = Settings(data=tmp_path / "data", engine="opensearch", opensearch_url=url)
    client = create_app(settings).test_client()
    for _ in range(2):  # and again: nothing was left broken by the first
        api = client.get("/api/search?q=nuclear")
        assert api.status_code == 503
        assert api.headers["Retry-After"] == "10"
        assert api.get_json()["error"]["type"] == "index_unavailable"
    page = client.get("/search?q=nuclear")
    assert page.status_code == 503 and "nuclear" in page.get_data(as_text=True)
    assert client.get("/api/stats").status_code == 200  # the catalog still answers
