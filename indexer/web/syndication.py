"""The XML faces: OAI-PMH for harvesters at /oai, and Atom search results at /search.atom.

Both are protocol answers, not pages: a refused OAI-PMH request is an OAI-PMH error inside a
200 response (the protocol's rule), built by the core like every record.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, Response, abort, request, url_for

from ..atom import FeedPage
from ..atom import feed as atom_feed
from ..oai import Repository
from . import params
from .urls import absolute, base_url, external_url
from .views import PER_REPORT, library, pdf_url, report_url

bp = Blueprint("syndication", __name__)

REPOSITORY_NAME = "Report indexer"  # as the OpenSearch description names the site
DEFAULT_COUNT = 20  # entries of a feed page
# OpenSearch `language`: "*" (any), or a code such as en or en-US (the region is not told apart).
_LANGUAGE = re.compile(r"\*|([A-Za-z]{2,3})(-[A-Za-z0-9]{1,8})*")


@bp.route("/oai", methods=["GET", "POST"])
def oai() -> Response:
    """OAI-PMH 2.0 (verbs Identify, ListMetadataFormats, ListSets, ListIdentifiers,
    ListRecords, GetRecord), arguments in the query or, for POST, a form body."""
    pairs = list((request.form if request.method == "POST" else request.args).items(multi=True))
    body = library().oai(pairs, repository())
    return Response(body, mimetype="text/xml", content_type="text/xml; charset=utf-8")


def repository() -> Repository:
    """The OAI-PMH repository as this app serves it: identifiers under the host of the
    public base URL."""
    settings = library().settings
    host = urlsplit(base_url()).hostname or "localhost"
    # The schema wants a dotted domain in adminEmail; a bare host name (localhost) has none.
    domain = host if "." in host else f"{host}.localdomain"
    return Repository(
        base_url=external_url("syndication.oai"),
        host=host,
        name=REPOSITORY_NAME,
        admin_email=settings.oai_admin_email or f"webmaster@{domain}",
        page_size=max(1, settings.oai_page_size),
        report_url=report_url,
        pdf_url=pdf_url,
    )


@bp.get("/search.atom")
def search_atom() -> Response:
    """Search results as Atom (the OpenSearch results template): `q`, 1-based `startIndex`,
    `count`, `language`, the search's `sort` (relevance, date, added) and filters; one entry
    per page hit, its id the page's URL."""
    query = request.args.get("q", "")
    if not query.strip():
        abort(400, "q is required: the search terms")
    start = params.int_arg("startIndex", 1, 1, params.MAX_RESULTS_PAGE * params.MAX_PER_PAGE)
    count = params.int_arg("count", DEFAULT_COUNT, 1, params.MAX_PER_PAGE) or DEFAULT_COUNT
    start = start or 1
    language = request.args.get("language", "").strip() or None
    filters, order = params.filters(), params.order()
    if language:
        match = _LANGUAGE.fullmatch(language)
        if not match:
            abort(400, "language must be * or a language code such as en or en-US")
        if match.group(1):
            filters.lang = [*filters.lang, match.group(1).lower()]
    result = library().search(
        query, limit=count, offset=start - 1, per_report=PER_REPORT, filters=filters,
        sort=order.sort, versions=order.versions,
    )  # fmt: skip
    page = FeedPage(
        query=query, start_index=start, count=count, language=language,
        feed_id=_atom_url(startIndex=None, count=None), self_url=_atom_url(),
        html_url=absolute(url_for("web.search", **_args(startIndex=None, count=None,
                                                         language=None))),
        description_url=external_url("web.opensearch"),
        page_url=lambda r, n: external_url("web.page_view", report_id=r, n=n),
        pdf_url=pdf_url, paging=_paging(start, count, result.shown_total),
    )  # fmt: skip
    body = atom_feed(result, page)
    return Response(body, content_type="application/atom+xml; charset=utf-8")


def _paging(start: int, count: int, total: int) -> dict[str, str]:
    """rel -> URL of the first, previous, next and last feed pages."""
    last = max(1, total - (total - 1) % count) if total else 1
    links = {"first": _atom_url(startIndex="1")}
    if start > 1:
        links["previous"] = _atom_url(startIndex=str(max(1, start - count)))
    if start + count <= total:
        links["next"] = _atom_url(startIndex=str(start + count))
    links["last"] = _atom_url(startIndex=str(last))
    return links


def _args(**changes: str | None) -> dict[str, Any]:
    args: dict[str, Any] = dict(request.args.lists())
    for name, value in changes.items():
        args.pop(name, None)
        if value is not None:
            args[name] = [value]
    return args


def _atom_url(**changes: str | None) -> str:
    """This feed's absolute URL with some arguments changed (None: removed)."""
    return absolute(url_for("syndication.search_atom", **_args(**changes)))
