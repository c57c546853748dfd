"""The OpenSearch cluster the engine's tests run against is there and whole.

`scripts/opensearch-cluster.sh start` (or `make opensearch-start`) starts three nodes and
`.ci/run` exports their URLs as INDEXER_TEST_OPENSEARCH. Without it the OpenSearch tests skip,
which in CI would pass silently with nothing tested: there this module fails instead.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request

import pytest

HEALTH = "/_cluster/health?wait_for_status=green&wait_for_nodes=3&timeout=30s"


def cluster_urls() -> list[str]:
    """The nodes' URLs from INDEXER_TEST_OPENSEARCH; skip (in CI: fail) when it is not set."""
    urls = [url.rstrip("/") for url in os.environ.get("INDEXER_TEST_OPENSEARCH", "").split(",")]
    urls = [url for url in urls if url]
    if urls:
        return urls
    reason = (
        "INDEXER_TEST_OPENSEARCH is not set, so no OpenSearch cluster was started: "
        "run `make opensearch-start` and set it to the URLs the script prints"
    )
    if os.environ.get("CI") == "true":
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason)


def health_of(url: str) -> dict:
    """The cluster's health as one node sees it (a 408 still carries it: not green in time)."""
    try:
        with urllib.request.urlopen(url + HEALTH, timeout=60) as response:
            return json.load(response)
    except urllib.error.HTTPError as error:
        with error:
            return json.load(error)


def test_every_node_sees_a_green_cluster_of_three():
    for url in cluster_urls():
        health = health_of(url)
        assert (health["status"], health["number_of_nodes"]) == ("green", 3), (url, health)
