"""Answers that stream a file as it is produced (exports, batch search results)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from flask import Response

from .urls import external_url

_SAMPLE_ID = "0" * 16


def streamed(pieces: Iterator[str], media_type: str, filename: str) -> Response:
    """A download of `pieces` (UTF-8 text) named `filename`, sent as each piece is made."""
    response = Response(pieces, content_type=f"{media_type}; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    # A proxy that buffers the whole answer would undo the streaming.
    response.headers["X-Accel-Buffering"] = "no"
    return response


def report_urls() -> Callable[[str], str]:
    """`views.report_url` for use after the request context is gone (while streaming): the
    URL of one report's page is built now, and the others by putting their id in its place."""
    sample = external_url("web.report", report_id=_SAMPLE_ID)
    prefix, suffix = sample.rsplit(_SAMPLE_ID, 1)
    return lambda report_id: f"{prefix}{report_id}{suffix}"
