"""The web face: `create_app(settings)` builds a Flask app over the same `Library` the CLI uses."""

from __future__ import annotations

from typing import Any

from flask import Flask
from werkzeug.wrappers import Response

from ..config import Settings
from ..library import Library

# No inline script or style, nothing from another origin: a title or snippet that slipped
# past escaping still could not run anything.
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
# Room for the multipart envelope around a file of exactly the size limit.
MULTIPART_SLACK = 64 * 1024


def create_app(
    settings: Settings | None = None, *, shared: bool = False, **overrides: Any
) -> Flask:
    """Build the app for `settings` (default: from the environment, then `overrides`).

    `shared`: the app is one of several processes serving the data folder (`indexer serve
    --workers N`); only the one elected runs the background ingest (see `indexer.runner`).
    """
    settings = settings or Settings.from_env(**overrides)
    app = Flask(__name__)
    library = Library(settings, shared=shared)
    # Uploads left queued or running by a stopped server are ingested now, not forgotten.
    library.uploads.resume()
    app.config["LIBRARY"] = library
    app.config["MAX_CONTENT_LENGTH"] = settings.max_upload_mb * 1024 * 1024 + MULTIPART_SLACK
    app.json.sort_keys = False  # type: ignore[attr-defined]  # keep the CLI's key order
    app.json.ensure_ascii = False  # type: ignore[attr-defined]

    from . import (
        api,
        auth,
        errors,
        librarian,
        params,
        sessions,
        syndication,
        templating,
        urls,
        views,
    )

    urls.configure(app, settings)
    sessions.configure(app, settings)
    app.url_map.converters.update(
        report_id=params.ReportIdConverter,
        job_id=params.JobIdConverter,
        follow_id=params.JobIdConverter,
    )
    app.register_blueprint(views.bp)
    app.register_blueprint(librarian.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(syndication.bp)
    auth.register(app)
    errors.register(app)
    templating.register(app)
    app.after_request(_secure_headers)
    return app


def _secure_headers(response: Response) -> Response:
    # The PDF goes to the browser's own viewer, which a CSP meant for our pages could block.
    if response.mimetype != "application/pdf":
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    return response
