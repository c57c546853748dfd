"""HTML pages: each parses the request, calls the Library and renders a template.

A bad query is shown inline on the page that ran it (status 400), with the search box still
filled in; every other error goes to the one handler in `errors.py`.
"""

from __future__ import annotations

import json
from typing import Any

from flask import (
    Blueprint,
    Response,
    current_app,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import BadRequest

from ..cite import page_ref
from ..errors import QueryError
from ..library import Library
from ..models import Filters
from . import params, record
from .urls import external_url

bp = Blueprint("web", __name__)

HOME_REPORTS = 200  # the home page lists this many reports; search finds the rest
PER_REPORT = 3  # pages of one report shown among the hits of a collection-wide search


def library() -> Library:
    """The app's Library."""
    return current_app.config["LIBRARY"]


@bp.get("/")
def home() -> str:
    """Search box, collection statistics and the reports it holds."""
    # Deleted reports stay in the catalog as `excluded` (so ingest skips them); not shown here.
    reports, more = library().first_reports(HOME_REPORTS)
    return render_template("home.html", stats=library().stats(), reports=reports, more=more)


@bp.get("/collection")
def collection() -> str:
    """Collection health (counts, failures, needs OCR, garbled pages, recent additions) and the
    report table, sorted, filtered and paged by query arguments; works without JavaScript."""
    query = params.table_query()
    table = library().report_table(query)
    pages = max(1, -(-table["total"] // params.TABLE_PAGE))
    return render_template(
        "collection.html", health=library().collection_stats(), table=table, tq=query,
        p=query.offset // params.TABLE_PAGE + 1, pages=pages, here=_collection_url,
    )  # fmt: skip


def _collection_url(**changes: object) -> str:
    """This /collection URL with `changes` to its arguments (None drops one); any change other
    than the page goes back to page 1."""
    args: dict[str, Any] = {k: v for k, v in request.args.items() if v}
    if "p" not in changes:
        args.pop("p", None)
    args |= {k: str(v) for k, v in changes.items() if v is not None}
    for k in [k for k, v in changes.items() if v is None]:
        args.pop(k, None)
    return url_for("web.collection", **args)


@bp.get("/search")
def search() -> ResponseReturnValue:
    """Hits across the collection, with facets to narrow them, an order, and paging."""
    query = request.args.get("q", "")
    if not query.strip():
        return redirect(url_for("web.home"))
    page: dict = {"query": query, "per_report": PER_REPORT}
    try:
        page |= {"paging": params.paging(), "filters": params.filters(), "order": params.order()}
    except BadRequest as error:  # shown on the results page, the query still in the box
        defaults = {"paging": params.Paging(1, params.DEFAULT_PER_PAGE), "filters": Filters(),
                    "order": params.Order()}  # fmt: skip
        return render_template("search.html", error=error.description, **page, **defaults), 400
    paging, order = page["paging"], page["order"]
    try:
        result = library().search(
            query, limit=paging.per_page, offset=paging.offset, per_report=PER_REPORT,
            filters=page["filters"], facets=True, sort=order.sort, versions=order.versions,
        )  # fmt: skip
    except QueryError as error:
        return render_template("search.html", error=str(error), **page), 400
    return render_template("search.html", result=result, **page), 200


@bp.get("/quote")
def quote() -> ResponseReturnValue:
    """Find a quote: the pages that print a pasted passage, exact matches first."""
    text = request.args.get("text", "")
    page: dict = {"text": text, "result": None, "error": None}
    if not text.strip():
        return render_template("quote.html", **page)
    try:
        page["result"] = library().quote(text)
    except QueryError as error:
        page["error"] = str(error)
        return render_template("quote.html", **page), 400
    return render_template("quote.html", **page)


@bp.get("/reports/<report_id:report_id>")
def report(report_id: str) -> tuple[str, int]:
    """A report's record, versions, pages, a search inside it and its citations (at ?page=N)."""
    return render_report(report_id)


def render_report(report_id: str, edit: dict | None = None) -> tuple[str, int]:
    """The report page; `edit` is a rejected edit to show in the form ({"values", "error"}),
    which makes the page's status 400."""
    lib = library()
    info = lib.report(report_id)
    cite_page = params.int_arg("page", None, 1, max(1, info["pages"]))
    cite_to = params.int_arg("to", None, 1, max(1, info["pages"])) if cite_page else None
    query, paging = request.args.get("q", ""), params.paging()
    found: dict = {"result": None, "error": None}
    if query.strip():
        try:
            found["result"] = lib.search(
                query, report_id=report_id, per_report=0, limit=paging.per_page,
                offset=paging.offset, versions="all",
            )  # fmt: skip
        except QueryError as exc:
            found["error"] = str(exc)
    citations = None
    if info["citable"]:  # a failed report or one without text has no citation at all
        citations = lib.citations(report_id, page=cite_page, to=cite_to, url=report_url(report_id))
    edit = edit or {}
    form = edit.get("values") or record.form_values(info["metadata"])
    page = render_template(
        "report.html", report=info, inside=query, paging=paging, cite_page=cite_page,
        cite_where=_where(info["page_list"], cite_page, cite_to), citations=citations,
        pdf_url=pdf_url(report_id), edit=edit, form=form, fields=record.FIELDS,
        hints=record.HINTS, **found,
    )  # fmt: skip
    return page, 400 if found["error"] or edit else 200


def _where(page_list: list[dict], page: int | None, to: int | None) -> str | None:
    """The cited pages as the cite box heading names them ('p. 17 (PDF p. 19)')."""
    if page is None:
        return None
    labels = {p["page"]: p["label"] for p in page_list}
    return page_ref(page, labels.get(page), to, labels.get(to) if to else None)


@bp.get(f"/reports/<report_id:report_id>/pages/<int(min=1, max={params.MAX_PDF_PAGE}):n>")
def page_view(report_id: str, n: int) -> str:
    """One page as a picture with the passage (`hl=START-END`) painted on, beside the report's
    record and the cite box; works without JavaScript."""
    lib, hl = library(), params.passage_arg()
    info = lib.report(report_id)
    view = lib.page_view(report_id, n, hl)
    labels = {p["page"]: p["label"] for p in info["page_list"]}
    to = params.int_arg("to", None, n, max(n, info["pages"]))
    citations = None
    if info["citable"]:
        citations = lib.citations(report_id, page=n, to=to, url=report_url(report_id))
    return render_template(
        "page.html", report=info, view=view, n=n, to=to, hl=hl, citations=citations,
        cite_where=_where(info["page_list"], n, to), label=labels.get(n),
        boxes=json.dumps(view["boxes"]),
    )  # fmt: skip


@bp.get(f"/reports/<report_id:report_id>/pages/<int(min=1, max={params.MAX_PDF_PAGE}):n>.png")
def page_png(report_id: str, n: int) -> Response:
    """The page rendered `w` pixels wide (200-2000), the passage `hl=START-END` painted on."""
    width = params.int_arg("w", 1000, 1, 100_000) or 1000
    png = library().page_png(report_id, n, width, params.passage_arg())
    response = Response(png, mimetype="image/png")
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response


@bp.get("/reports/<report_id:report_id>/pdf")
def report_pdf(report_id: str) -> Response:
    """The report's PDF, inline, so that `#page=N` opens the browser's viewer at that page."""
    path = library().pdf_path(report_id)
    return send_file(path, mimetype="application/pdf", download_name=path.name, conditional=True)


@bp.get("/opensearch.xml")
def opensearch() -> Response:
    """OpenSearch description, so that a browser can add the site as a search engine."""
    body = render_template("opensearch.xml")
    return Response(body, mimetype="application/opensearchdescription+xml")


def report_url(report_id: str) -> str:
    """The absolute URL of a report's page under the public base URL (the URL its citations
    carry when the record has no source URL)."""
    return external_url("web.report", report_id=report_id)


def pdf_url(report_id: str) -> str:
    """The absolute URL of a report's PDF under the public base URL."""
    return external_url("web.report_pdf", report_id=report_id)
