"""One place that turns any error into a response: JSON under /api/, an HTML page elsewhere.

The core's errors map to status codes here and nowhere else; an unexpected exception is
logged with its traceback and answered with a bare 500, so no traceback reaches a client.
"""

from __future__ import annotations

import logging

from flask import Flask, Response, current_app, jsonify, render_template, request
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from ..errors import (
    Busy,
    FetchError,
    IndexerError,
    IndexUnavailable,
    NotCitable,
    NotFound,
    QueryError,
    RenderError,
    SearchTimeout,
    TooLarge,
    UnsupportedFile,
)

log = logging.getLogger(__name__)

STATUS: dict[type[IndexerError], int] = {
    QueryError: 400,
    NotFound: 404,
    NotCitable: 409,
    TooLarge: 413,
    UnsupportedFile: 415,
    RenderError: 422,
    FetchError: 502,
    IndexUnavailable: 503,
    SearchTimeout: 503,
}
# Headers an HTTP error must keep (who may log in, which methods are allowed).
_KEPT_HEADERS = ("WWW-Authenticate", "Allow", "Retry-After")


def register(app: Flask) -> None:
    """Install the handler on `app`."""
    app.register_error_handler(Exception, handle)


def status_of(error: IndexerError) -> int:
    """The HTTP status of one of the core's errors."""
    return next((s for cls, s in STATUS.items() if isinstance(error, cls)), 500)


def handle(error: Exception) -> Response:
    """Map an exception to a status code and a body; never show a traceback."""
    headers: list[tuple[str, str]] = []
    if isinstance(error, HTTPException):
        status = error.code or 500
        kind = error.name.lower().replace(" ", "_")
        message = error.description or error.name
        headers = [(k, v) for k, v in error.get_headers() if k in _KEPT_HEADERS]
        if isinstance(error, RequestEntityTooLarge):
            # Refused before the body was read: say so the way the core's TooLarge does.
            limit = current_app.config["LIBRARY"].settings.max_upload_mb
            kind, message = "too_large", f"the upload is over the size limit of {limit} MB"
    elif isinstance(error, IndexerError):
        status, kind, message = status_of(error), error.kind, str(error)
        if isinstance(error, IndexUnavailable):  # rebuilt, or a cluster failing over
            headers = [("Retry-After", "10")]
        if isinstance(error, Busy):  # another writer is at work: worth trying again soon
            headers = [("Retry-After", "5")]
        if isinstance(error, SearchTimeout):  # stopped to keep the service free: retry
            headers = [("Retry-After", "1")]
    else:
        log.exception("unhandled error on %s %s", request.method, request.path)
        status, kind, message = 500, "internal_error", "internal error; see the server log"
    if wants_json():
        response = jsonify({"error": {"type": kind, "message": message}})
    else:
        response = Response(
            # The query stays in the search box, whatever went wrong.
            render_template(
                "error.html", status=status, message=message, query=request.args.get("q", "")
            ),
            mimetype="text/html",
        )
    response.status_code = status
    response.headers.extend(headers)
    return response


def wants_json() -> bool:
    """Whether this request is answered in JSON (the API) rather than HTML."""
    return request.path.startswith("/api/") or request.path == "/openapi.json"
