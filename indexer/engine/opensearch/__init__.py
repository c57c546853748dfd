"""The OpenSearch engine (INDEXER_ENGINE=opensearch): the index of pages on a cluster, behind an
alias. Every module that imports opensearch-py is in this package."""

from __future__ import annotations

from .engine import OpenSearchEngine, build_beside

__all__ = ["OpenSearchEngine", "build_beside"]
