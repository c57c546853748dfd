"""One place that turns any error into a response: JSON under /api/, an HTML page elsewhere."""

from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from ..errors import IndexerError, IndexUnavailable, NotFound, QueryError

log = logging.getLogger(__name__)

STATUS = {QueryError: 400, NotFound: 404, IndexUnavailable: 503}


def register(app: Flask) -> None:
    """Install the handler on `app`."""
    app.register_error_handler(Exception, handle)


def handle(error: Exception) -> tuple[Response | str, int]:
    """Map an exception to a status code and a body; never show a traceback."""
    if isinstance(error, HTTPException):
        status, kind, message = error.code or 500, error.name, error.description or error.name
    elif isinstance(error, IndexerError):
        status = next((s for cls, s in STATUS.items() if isinstance(error, cls)), 500)
        kind, message = error.kind, str(error)
    else:
        log.exception("unhandled error on %s", request.path)
        status, kind, message = 500, "internal_error", "internal error; see the server log"
    if request.path.startswith("/api/"):
        return jsonify({"error": {"type": kind, "message": message}}), status
    return render_template("error.html", status=status, message=message), status
