"""The connection to an OpenSearch cluster, and what its failures mean to the indexer.

A node that fails or does not answer is retried on another node by the client itself (no
sniffing: the nodes named in INDEXER_OPENSEARCH_URL are the ones used, which also works behind
a proxy). What still fails is IndexUnavailable (503 with Retry-After on the web): the cluster
is down or busy, which the user can only wait out. A query the cluster refuses is a QueryError.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from opensearchpy import OpenSearch
from opensearchpy.exceptions import (
    AuthenticationException,
    AuthorizationException,
    ConnectionError,
    ConnectionTimeout,
    NotFoundError,
    RequestError,
    TransportError,
)

from ...config import Settings
from ...errors import IndexUnavailable, QueryError

log = logging.getLogger(__name__)

# Seconds one request may take before it is retried on another node; searches pass their own
# budget instead. Bulk requests of BULK_BYTES take far less on a healthy cluster.
REQUEST_TIMEOUT_S = 60
MAX_RETRIES = 3
# Statuses of a node that is failing or still starting: the same request is sent to another.
RETRY_STATUSES = (502, 503, 504)


def nodes(settings: Settings) -> list[str]:
    """The node URLs of INDEXER_OPENSEARCH_URL."""
    return [url.strip() for url in settings.opensearch_url.split(",") if url.strip()]


def connect(settings: Settings) -> OpenSearch:
    """A client over the nodes of `settings`, with their credentials and CA if any."""
    options: dict[str, Any] = {
        "hosts": nodes(settings),
        "timeout": REQUEST_TIMEOUT_S,
        "max_retries": MAX_RETRIES,
        "retry_on_timeout": True,
        "retry_on_status": RETRY_STATUSES,
        "sniff_on_start": False,
        "sniff_on_connection_fail": False,
    }
    if settings.opensearch_user:
        options["http_auth"] = (settings.opensearch_user, settings.opensearch_password)
    if settings.opensearch_ca_file:
        options["ca_certs"] = settings.opensearch_ca_file
        options["verify_certs"] = True
    return OpenSearch(**options)


@contextmanager
def cluster_errors(what: str, *, query: bool = False) -> Iterator[None]:
    """Turn the client's errors while doing `what` into the indexer's.

    With `query`, a request the cluster refuses as malformed (400) is the user's QueryError;
    otherwise it is a bug of ours and passes through unchanged.
    """
    try:
        yield
    except ConnectionTimeout as exc:
        raise IndexUnavailable(
            f"OpenSearch did not answer in time while {what}; try again in a moment"
        ) from exc
    except ConnectionError as exc:
        raise IndexUnavailable(
            f"OpenSearch cannot be reached while {what} ({exc.error}); try again in a moment"
        ) from exc
    except (AuthenticationException, AuthorizationException) as exc:
        raise IndexUnavailable(
            f"OpenSearch refused the indexer's credentials while {what}: check "
            "INDEXER_OPENSEARCH_USER and INDEXER_OPENSEARCH_PASSWORD"
        ) from exc
    except NotFoundError as exc:
        raise IndexUnavailable(
            f"the OpenSearch index is missing while {what}; run `indexer rebuild`"
        ) from exc
    except RequestError as exc:
        if query:
            message = f"Cannot search: OpenSearch refused the query ({reason(exc)})."
            raise QueryError(message) from exc
        raise
    except TransportError as exc:
        if isinstance(exc.status_code, int) and (exc.status_code == 429 or exc.status_code >= 500):
            log.warning("OpenSearch failed while %s: %s", what, reason(exc))
            raise IndexUnavailable(
                f"OpenSearch failed while {what} ({reason(exc)}); try again in a moment"
            ) from exc
        raise


def reason(exc: TransportError) -> str:
    """The innermost reason OpenSearch gave for refusing a request."""
    info = exc.info if isinstance(exc.info, dict) else {}
    error = info.get("error")
    if isinstance(error, dict):
        causes = error.get("root_cause") or [error]
        first = causes[0] if isinstance(causes[0], dict) else error
        return str(first.get("reason") or first.get("type") or exc.error)
    return str(exc.error)
