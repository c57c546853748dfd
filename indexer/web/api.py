"""The JSON API under /api/: the CLI's JSON shapes over HTTP, plus uploads and deletes.

In URLs and JSON `page` is always a PDF page (1-based); a results page is `p`.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, jsonify, request, url_for

from .. import export as export_mod
from ..quotes import DEFAULT_LIMIT as DEFAULT_QUOTES
from ..quotes import MAX_LIMIT as MAX_QUOTES
from . import openapi, params
from .attachments import report_urls, streamed
from .auth import require_writer
from .urls import base_url
from .views import PER_REPORT, library, pdf_url, report_url

bp = Blueprint("api", __name__)


@bp.get("/api/search")
def search() -> Response:
    """`indexer search --json` plus facets and paging (`p`, `per_page`, `pages`); `sort` is
    relevance, date or added, `versions` latest (other versions counted on the hit) or all."""
    paging, order, report_id = params.paging(), params.order(), params.report_arg()
    result = library().search(
        request.args.get("q", ""),
        limit=paging.per_page,
        offset=paging.offset,
        per_report=params.int_arg("per_report", PER_REPORT, 0, 1000) or 0,
        report_id=report_id,
        filters=params.filters(),
        facets=True,
        sort=order.sort,
        # Inside one report there are no other versions to fold away.
        versions="all" if report_id else order.versions,
    )
    pages = paging.pages(result.shown_total)
    return jsonify(result.to_dict() | {"p": paging.p, "per_page": paging.per_page, "pages": pages})


@bp.route("/api/quote", methods=["GET", "POST"])
def quote() -> Response:
    """`indexer quote --json`: where a passage (`text`, in the query or a JSON body) is printed."""
    if request.method == "POST":
        body = request.get_json(silent=True)
        if not isinstance(body, dict) or not isinstance(body.get("text"), str):
            abort(400, 'send JSON {"text": "the passage"}')
        text, limit = body["text"], body.get("limit", DEFAULT_QUOTES)
        if not isinstance(limit, int) or isinstance(limit, bool):
            abort(400, "limit must be a whole number")
    else:
        text = request.args.get("text", "")
        limit = params.int_arg("limit", DEFAULT_QUOTES, 1, MAX_QUOTES) or DEFAULT_QUOTES
    return jsonify(library().quote(text, limit=limit).to_dict())


@bp.get("/api/export")
def export() -> Response:
    """`indexer export`: the catalog, or with `q` the reports of its matching pages (with
    the pages in CSV), in `format` csv, bibtex, ris or csl-json, streamed as a download."""
    fmt = params.choice("format", export_mod.FORMATS)
    order = params.order()
    pieces = library().export(
        fmt,
        query=request.args.get("q", "").strip() or None,
        filters=params.filters(),
        sort=order.sort,
        versions=order.versions,
        url_of=report_urls(),
    )
    return streamed(pieces, export_mod.MEDIA_TYPES[fmt], f"reports.{export_mod.SUFFIXES[fmt]}")


@bp.post("/api/batch")
@require_writer
def batch() -> Response:
    """`indexer batch`: the queries of the multipart `file` (one a line, or a CSV with a
    `query` column; at most 1,000), their hits streamed as CSV."""
    files = request.files.getlist("file")
    if len(files) == 1:
        data = files[0].read()
    elif not files and len(request.form.getlist("file")) == 1:  # sent as a plain form field
        data = request.form["file"].encode()
    else:
        abort(400, "send one file of queries as the multipart form field 'file'")
    pieces = library().batch(
        data,
        limit=params.int_arg("limit", params.BATCH_LIMIT, 1, params.MAX_BATCH_LIMIT)
        or params.BATCH_LIMIT,
        per_report=params.int_arg("per_report", PER_REPORT, 0, 1000) or 0,
        url_of=report_urls(),
    )
    return streamed(pieces, "text/csv", "batch.csv")


@bp.get("/api/reports")
def reports() -> Response:
    """`indexer reports --json`: every report with its status and files."""
    return jsonify(library().reports())


@bp.get("/api/stats")
def stats() -> Response:
    """`indexer stats --json`: counts by status, publisher, year, language and report type,
    failed files, reports needing OCR, garbled pages and recent additions."""
    return jsonify(library().collection_stats())


@bp.get("/api/reports/<report_id:report_id>")
def report(report_id: str) -> Response:
    """One report's metadata and pages (label and quality of each), with its URLs."""
    info = library().report(report_id)
    return jsonify(info | {"url": report_url(report_id), "pdf_url": pdf_url(report_id)})


@bp.get(f"/api/reports/<report_id:report_id>/pages/<int(min=1, max={params.MAX_PDF_PAGE}):n>")
def page(report_id: str, n: int) -> Response:
    """Text, label and quality of PDF page `n`; every snippet of a hit is part of this text."""
    return jsonify(library().page(report_id, n))


@bp.get("/api/reports/<report_id:report_id>/cite")
def cite(report_id: str) -> Response:
    """The citation in `format` at PDF `page` (optional; up to PDF page `to` for a passage that
    runs on); without `format`, every format. The URL cited is the record's source URL, else
    the report's page under the public base URL; 409 for a report with nothing to cite."""
    page = params.int_arg("page", None, 1, params.MAX_PDF_PAGE)
    to = params.int_arg("to", None, 1, params.MAX_PDF_PAGE)
    fmt, url = request.args.get("format", "").strip(), report_url(report_id)
    answer: dict = {"report_id": report_id, "page": page, "to": to}
    if fmt:
        citation = library().cite(report_id, fmt, page=page, to=to, url=url)
        answer |= {"format": fmt, "citation": citation}
    else:
        answer["citations"] = library().citations(report_id, page=page, to=to, url=url)
    return jsonify(answer)


@bp.patch("/api/reports/<report_id:report_id>")
@require_writer
def update(report_id: str) -> Response:
    """Change a report's record: a JSON object of field -> value (`null` drops the librarian's
    edit, so the next source applies); answers the record and the source of each field."""
    changes = request.get_json(silent=True)
    if not isinstance(changes, dict):
        abort(400, 'send a JSON object of fields to change, e.g. {"title": "..."}')
    return jsonify(library().update_metadata(report_id, changes))


@bp.post("/api/reports")
@require_writer
def upload() -> tuple[Response, int, dict[str, str]]:
    """Queue one PDF for ingest: uploaded (multipart field `file`), or fetched from the URL of
    a JSON body {"url": ...} (refused at once, 400 `url_refused`, for an address inside). 202
    and a job to poll."""
    if request.is_json:
        body = request.get_json(silent=True)
        if not isinstance(body, dict) or not isinstance(body.get("url"), str):
            abort(400, 'send JSON {"url": "https://..."} or a multipart form field \'file\'')
        job = library().submit_url(body["url"])
    else:
        files = request.files.getlist("file")
        if len(files) != 1 or not files[0].filename:
            abort(400, "send exactly one PDF as the multipart form field 'file'")
        job = library().submit_upload(files[0].filename or "upload.pdf", files[0].read())
    return jsonify(job), 202, {"Location": url_for("api.job", job_id=job["job_id"])}


@bp.get("/api/follows")
def follows() -> Response:
    """`indexer follow list --json`, and whether a run is under way (`running`)."""
    lib = library()
    return jsonify({"follows": lib.follows(), "running": lib.uploads.follow_run_pending})


@bp.post("/api/follows")
@require_writer
def add_follow() -> tuple[Response, int]:
    """Follow the feed or sitemap at the URL of a JSON body {"url": ...}: 201 and the follow.
    It is read once now: 400 for a refused URL or a page that is no feed, 502 when it cannot
    be fetched."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("url"), str):
        abort(400, 'send JSON {"url": "https://.../feed.xml"}')
    return jsonify(library().add_follow(body["url"])), 201


@bp.post("/api/follows/run")
@require_writer
def run_follows() -> tuple[Response, int]:
    """Run every followed feed in the background: 202; see GET /api/follows for the results."""
    library().request_follow_run()
    return jsonify({"status": "queued"}), 202


@bp.delete("/api/follows/<follow_id:follow_id>")
@require_writer
def remove_follow(follow_id: str) -> tuple[str, int]:
    """Stop following a feed (its reports stay): 204."""
    library().remove_follow(follow_id)
    return "", 204


@bp.get("/api/jobs/<job_id:job_id>")
def job(job_id: str) -> Response:
    """An upload's status (queued, running, done, failed) and its report id when done."""
    return jsonify(library().job(job_id))


@bp.delete("/api/reports/<report_id:report_id>")
@require_writer
def delete(report_id: str) -> tuple[str, int]:
    """Remove a report from catalog and index (an uploaded file is deleted too): 204."""
    library().delete_report(report_id)
    return "", 204


@bp.get("/openapi.json")
def openapi_json() -> Response:
    """The OpenAPI 3.1 description of this API."""
    return jsonify(openapi.spec(base_url()))


@bp.get("/healthz")
def healthz() -> Response:
    """Liveness check for a load balancer or supervisor."""
    return jsonify({"status": "ok"})
