"""The XML faces: OAI-PMH for harvesters at /oai, and Atom search results at /search.atom.

Both are protocol answers, not pages: a refused OAI-PMH request is an OAI-PMH error inside a
200 response (the protocol's rule), built by the core like every record.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, Response, request

from ..oai import Repository
from .urls import base_url, external_url
from .views import library, pdf_url, report_url

bp = Blueprint("feeds", __name__)

REPOSITORY_NAME = "Report indexer"  # as the OpenSearch description names the site


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
        base_url=external_url("feeds.oai"),
        host=host,
        name=REPOSITORY_NAME,
        admin_email=settings.oai_admin_email or f"webmaster@{domain}",
        page_size=max(1, settings.oai_page_size),
        report_url=report_url,
        pdf_url=pdf_url,
    )
