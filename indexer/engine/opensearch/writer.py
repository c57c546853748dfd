"""Writing pages to OpenSearch: the bulk API in bounded batches, retried with back-off.

A batch is sent when it holds BULK_DOCS pages or BULK_BYTES of JSON, and the writer waits for
each answer before it sends the next: a cluster that is busy (429) or losing a node (5xx, a
connection refused) slows the ingest down instead of being flooded. What the cluster refused
for a passing reason is sent again, with a growing pause, up to ATTEMPTS times; what it
refused for good (a document it cannot index) is an error, since a page would be missing.
"""

from __future__ import annotations

import json
import logging
import random
import time
from collections.abc import Callable
from functools import partial
from typing import Any

from opensearchpy import OpenSearch
from opensearchpy.exceptions import ConnectionError, TransportError

from ...errors import IndexUnavailable
from ..pagerecords import ReportWriter
from .client import reason
from .mapping import document

log = logging.getLogger(__name__)

BULK_DOCS = 500
IDS_PER_REQUEST = 5000
BULK_BYTES = 5_000_000
# Sends of one batch before giving up: with the pauses below, about four minutes, which covers
# a node restarting and its shards' replicas taking over.
ATTEMPTS = 12
FIRST_PAUSE_S = 0.5
MAX_PAUSE_S = 30.0


def passing(status: Any) -> bool:
    """Whether a refusal with this HTTP status may pass if the request is sent again."""
    return isinstance(status, int) and (status == 429 or status >= 500)


def pause(attempt: int) -> None:
    """Sleep before sending again: doubling from FIRST_PAUSE_S, at most MAX_PAUSE_S, jittered
    so that writers that failed together do not come back together."""
    delay = min(MAX_PAUSE_S, FIRST_PAUSE_S * 2**attempt)
    time.sleep(delay * random.uniform(0.5, 1.0))


def retried(what: str, send: Callable[[], Any]) -> Any:
    """`send()`, sent again after a pause while the cluster fails for a passing reason."""
    last = TransportError("N/A", "no attempt")
    for attempt in range(ATTEMPTS):
        try:
            return send()
        except (ConnectionError, TransportError) as exc:
            if not isinstance(exc, ConnectionError) and not passing(exc.status_code):
                raise
            log.warning("OpenSearch failed while %s (%s); trying again", what, reason(exc))
            last = exc
        pause(attempt)
    raise IndexUnavailable(
        f"OpenSearch kept failing while {what} ({reason(last)}); try again later"
    ) from last


class BulkWriter(ReportWriter):
    """Adds and deletes reports inside one `OpenSearchEngine.writer()` block (see
    `EngineWriter`); what it queued is sent by `flush`, which the block's end calls."""

    def __init__(self, client: OpenSearch, index: str, present: Callable[[], set[str]]) -> None:
        super().__init__()
        self._client = client
        self._index = index
        self._lookup_present = present
        self._queued: list[tuple[str, str]] = []  # (id, the document as JSON, "": delete it)
        self._bytes = 0
        self.sent = 0

    def _find_present(self) -> set[str]:
        return self._lookup_present()

    def _add_page(self, record: dict[str, Any]) -> None:
        self._queue(record["doc_id"], document(record))

    def _delete_pages(self, report_id: str) -> int:
        return self.delete_matching({"term": {"report": report_id}})

    def delete_matching(self, query: dict[str, Any]) -> int:
        """Queue the deletion of every searchable page matching `query`; returns how many.

        By id, in the bulk batches: the distribution has no delete-by-query (it is in the
        reindex module). A page deleted and then added in one batch ends up added: a bulk
        request applies the actions on one id in order.
        """
        ids = page_ids(self._client, self._index, query)
        for doc_id in ids:
            self._queue(doc_id, None)
        return len(ids)

    def _queue(self, doc_id: str, doc: dict[str, Any] | None) -> None:
        # A document to index, or None: delete the page.
        source = json.dumps(doc, ensure_ascii=False) if doc is not None else ""
        self._queued.append((doc_id, source))
        self._bytes += len(source)
        if len(self._queued) >= BULK_DOCS or self._bytes >= BULK_BYTES:
            self.flush()

    def _send(self, body: str) -> Any:
        return self._client.bulk(body=body.encode("utf-8"))

    def discard(self) -> None:
        """Drop what is queued and not yet sent (the block failed)."""
        self._queued, self._bytes = [], 0

    def flush(self) -> None:
        """Send what is queued, in one bulk request, again for the pages refused for a passing
        reason; IndexUnavailable if some are still refused after ATTEMPTS sends."""
        pending, self._queued, self._bytes = self._queued, [], 0
        for attempt in range(ATTEMPTS):
            if not pending:
                return
            body = "".join(_action(self._index, doc_id, source) for doc_id, source in pending)
            answer = retried(f"sending {len(pending)} pages", partial(self._send, body))
            again, refused = [], []
            for (doc_id, source), item in zip(pending, answer["items"], strict=True):
                result = next(iter(item.values()))
                if result.get("status", 500) < 300 or (not source and result["status"] == 404):
                    self.sent += 1
                elif passing(result.get("status")):
                    again.append((doc_id, source))
                else:
                    refused.append(f"{doc_id}: {result.get('error')}")
            if refused:
                raise IndexUnavailable(
                    f"OpenSearch refused {len(refused)} pages ({refused[0]}); they are not "
                    "searchable: see its log"
                )
            if again:
                log.warning("OpenSearch refused %d pages for now; sending again", len(again))
                pause(attempt)
            pending = again
        if pending:
            raise IndexUnavailable(
                f"OpenSearch kept refusing {len(pending)} pages; try again later"
            )


def _action(index: str, doc_id: str, source: str) -> str:
    """The bulk lines that index `source` as page `doc_id` (delete it when `source` is "")."""
    if not source:
        return json.dumps({"delete": {"_index": index, "_id": doc_id}}) + "\n"
    return json.dumps({"index": {"_index": index, "_id": doc_id}}) + "\n" + source + "\n"


def page_ids(client: OpenSearch, index: str, query: dict[str, Any]) -> list[str]:
    """The ids of the searchable pages matching `query`, walked in (report, page) order."""
    ids: list[str] = []
    after = None
    while True:
        body: dict[str, Any] = {
            "query": query,
            "size": IDS_PER_REQUEST,
            "_source": False,
            "track_total_hits": False,
            "sort": [{"report": "asc"}, {"page": "asc"}],
        }
        if after is not None:
            body["search_after"] = after
        answer = retried("listing pages", partial(client.search, index=index, body=body))
        hits = answer["hits"]["hits"]
        ids += [hit["_id"] for hit in hits]
        if len(hits) < IDS_PER_REQUEST:
            return ids
        after = hits[-1]["sort"]
