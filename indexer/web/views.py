"""Views: each parses the request, calls one Library method and renders or jsonifies it."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, current_app, jsonify, render_template, request, send_file
from werkzeug.wrappers import Response

from ..library import Library

bp = Blueprint("web", __name__)


def library() -> Library:
    """The app's Library."""
    return current_app.config["LIBRARY"]


def _int_arg(name: str, default: int, low: int, high: int) -> int:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        abort(400, f"{name} must be a whole number from {low} to {high}")
    return int(raw)


def _search_args() -> dict:
    return {
        "limit": _int_arg("limit", 10, 1, 100),
        "per_report": _int_arg("per_report", 3, 0, 1000),
        "report_id": request.args.get("report") or None,
    }


@bp.get("/")
def home() -> str:
    """Search box, and results when a query was given."""
    query = request.args.get("q", "")
    result = library().search(query, **_search_args()) if query.strip() else None
    return render_template("search.html", query=query, result=result)


@bp.get("/api/search")
def api_search() -> Response:
    """The CLI's `search --json` over HTTP."""
    return jsonify(library().search(request.args.get("q", ""), **_search_args()).to_dict())


@bp.get("/reports/<report_id>/pdf")
def report_pdf(report_id: str) -> Response:
    """The report's PDF, inline, so `#page=N` opens it at the cited page."""
    path = library().pdf_path(report_id)
    return send_file(Path(path), mimetype="application/pdf", conditional=True)


@bp.get("/healthz")
def healthz() -> Response:
    """Liveness check."""
    return jsonify({"status": "ok"})
