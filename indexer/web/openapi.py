"""The OpenAPI 3.1 description of the JSON API, served at /openapi.json.

Written by hand, next to the views it describes; a test checks that every /api/ route is here.
"""

from __future__ import annotations

from typing import Any

from ..cite import FORMATS
from .params import DEFAULT_PER_PAGE, MAX_PER_PAGE, MAX_RESULTS_PAGE, SORTS, VERSIONS
from .record import FIELDS
from .sessions import COOKIE_NAME

_ID = {"name": "report_id", "in": "path", "required": True,
       "schema": {"type": "string", "pattern": "^[0-9a-f]{16}$"},
       "description": "First 16 hex digits of the SHA-256 of the report's bytes."}  # fmt: skip
_PDF_PAGE = {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1},
             "description": "A PDF page (1-based); the citation shows its label."}  # fmt: skip


def _query(name: str, schema: dict[str, Any], text: str, *, many: bool = False) -> dict[str, Any]:
    if many:
        schema = {"type": "array", "items": schema}
    return {"name": name, "in": "query", "schema": schema, "description": text,
            **({"style": "form", "explode": True} if many else {})}  # fmt: skip


def _json(description: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"description": description,
            "content": {"application/json": {"schema": schema or {"type": "object"}}}}  # fmt: skip


def _errors(*codes: int) -> dict[str, Any]:
    text = {400: "Bad query or argument", 401: "Missing or wrong token",
            403: "Writes disabled (no token configured), or a logged-in session's request "
                 "without its CSRF token", 404: "Unknown report, page or job",
            409: "The report has no text, so nothing to cite",
            413: "Upload over the size limit", 415: "Upload is not a PDF",
            503: "Search index unavailable"}  # fmt: skip
    return {str(c): {"$ref": "#/components/responses/Error", "description": text[c]} for c in codes}


_SEARCH_PARAMS = [
    _query("q", {"type": "string"}, "The query (see README: phrases, AND/OR/NOT, field:value)."),
    _query("p", {"type": "integer", "minimum": 1, "maximum": MAX_RESULTS_PAGE, "default": 1},
           "Results page."),
    _query("per_page", {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE,
                        "default": DEFAULT_PER_PAGE}, "Hits per results page."),
    _query("per_report", {"type": "integer", "minimum": 0, "default": 3},
           "Most pages of one report among the hits (0: no cap)."),
    _query("report", {"type": "string"}, "Search inside this report only."),
    _query("publisher", {"type": "string"}, "Publisher filter (repeatable, OR).", many=True),
    _query("year", {"type": "integer"}, "Year filter (repeatable, OR).", many=True),
    _query("year_from", {"type": "integer"}, "Earliest year."),
    _query("year_to", {"type": "integer"}, "Latest year."),
    _query("lang", {"type": "string"}, "Language code filter (repeatable, OR).", many=True),
    _query("report_type", {"type": "string"}, "Report type filter, e.g. In Focus (repeatable, OR).",
           many=True),
    _query("tag", {"type": "string"}, "Tag filter (repeatable, OR).", many=True),
    _query("sort", {"enum": list(SORTS), "default": SORTS[0]},
           "relevance, or date: newest first, undated last."),
    _query("versions", {"enum": list(VERSIONS), "default": VERSIONS[0]},
           "latest: one hit per work, from its newest version (`other_versions` counts the "
           "rest); all: every version."),
]  # fmt: skip

_HIT = {"type": "object", "properties": {
    "report_id": {"type": "string"}, "title": {"type": "string"}, "path": {"type": "string"},
    "page": {"type": "integer", "description": "PDF page (1-based)"},
    "page_label": {"type": ["string", "null"], "description": "Printed page number"},
    "snippet": {"type": "string"},
    "highlights": {"type": "array", "items": {"type": "array", "items": {"type": "integer"}}},
    "score": {"type": "number"}, "publisher": {"type": ["string", "null"]},
    "year": {"type": ["integer", "null"]}, "lang": {"type": ["string", "null"]},
    "authors": {"type": "array", "items": {"type": "string"}},
    "date": {"type": ["string", "null"], "description": "ISO YYYY, YYYY-MM or YYYY-MM-DD"},
    "report_number": {"type": ["string", "null"]}, "version": {"type": ["string", "null"]},
    "other_versions": {"type": "integer",
                       "description": "Other versions of the same work that also match"},
    "continues_on": {"type": ["integer", "null"],
                     "description": "PDF page a phrase found across the page break ends on"},
    "continues_on_label": {"type": ["string", "null"]}}}  # fmt: skip
_SPAN = {"type": "array", "items": {"type": "integer"}}
_QUOTES = {"type": "object", "properties": {
    "query": {"type": "string"}, "matches": {"type": "array", "items": {
        "type": "object", "properties": {
            "report_id": {"type": "string"}, "title": {"type": "string"},
            "page": {"type": "integer"}, "page_label": {"type": ["string", "null"]},
            "end_page": {"type": "integer"}, "end_page_label": {"type": ["string", "null"]},
            "text": {"type": "string", "description": "The passage as printed"},
            "exact": {"type": "boolean"},
            "score": {"type": "number", "minimum": 0, "maximum": 1},
            "differences": {"type": "array", "items": _SPAN}}}}}}  # fmt: skip
_FACET = {"type": "array", "items": {"type": "object", "properties": {
    "value": {}, "count": {"type": "integer"}}}}  # fmt: skip
_SEARCH = {"type": "object", "properties": {
    "query": {"type": "string"}, "total": {"type": "integer"},
    "total_is_estimate": {"type": "boolean"}, "hits": {"type": "array", "items": _HIT},
    "facets": {"type": "object", "properties": {
        k: _FACET for k in ("publisher", "year", "lang", "report_type", "tag")}},
    "p": {"type": "integer"}, "per_page": {"type": "integer"},
    "pages": {"type": "integer"}}}  # fmt: skip
_NAME = {
    "oneOf": [
        {
            "type": "object",
            "required": ["family"],
            "properties": {"family": {"type": "string"}, "given": {"type": "string"}},
        },
        {"type": "object", "required": ["literal"], "properties": {"literal": {"type": "string"}}},
        {"type": "string", "description": "Given Family, or Family, Given"},
    ]
}
_CHANGES = {
    "type": "object",
    "additionalProperties": False,
    "description": "Fields to change; null drops the librarian's edit of a field.",
    "properties": {name: {"type": ["string", "null"]} for name in FIELDS}
    | {
        "authors": {
            "oneOf": [
                {"type": "string", "description": "Family, Given; Family, Given"},
                {"type": "array", "items": _NAME},
                {"type": "null"},
            ]
        },
        "tags": {
            "oneOf": [
                {"type": "string", "description": "a, b"},
                {"type": "array", "items": {"type": "string"}},
                {"type": "null"},
            ]
        },
    },
}
_RECORD = {
    "type": "object",
    "properties": {
        "metadata": {
            "type": "object",
            "properties": {name: {"type": ["string", "null"]} for name in FIELDS}
            | {
                "authors": {"type": "array", "items": {"type": "string"}},
                "tags": {"type": "array", "items": {"type": "string"}},
            },
        },
        "sources": {
            "type": "object",
            "additionalProperties": {
                "enum": ["edit", "sidecar", "feed", "fetch", "xmp", "info", "text", "path"]
            },
        },
    },
}
_JOB = {"type": "object", "properties": {
    "job_id": {"type": "string"}, "filename": {"type": "string"},
    "status": {"enum": ["queued", "running", "done", "failed"]},
    "report_id": {"type": ["string", "null"]}, "error": {"type": ["string", "null"]}}}  # fmt: skip


def spec(server: str) -> dict[str, Any]:
    """The OpenAPI document, with `server` (this site's root URL) as its server."""
    write: dict[str, Any] = {"security": [{"bearer": []}, {"session": [], "csrf": []}]}
    return {
        "openapi": "3.1.0",
        "info": {"title": "Report indexer", "version": "1",
                 "description": "Full-text search over PDF reports; every hit is a page-exact "
                                "citation. `page` is always a PDF page; a results page is `p`."},
        "servers": [{"url": server}],
        "paths": {
            "/api/search": {"get": {"summary": "Search pages", "parameters": _SEARCH_PARAMS,
                                    "responses": {"200": _json("Hits and facets", _SEARCH),
                                                  **_errors(400, 503)}}},
            "/api/quote": {
                "get": {"summary": "Where a pasted passage is printed", "parameters": [
                    _query("text", {"type": "string"}, "The passage: 5 to 400 words."),
                    _query("limit", {"type": "integer", "minimum": 1, "maximum": 50,
                                     "default": 5}, "Most matches.")],
                        "responses": {"200": _json("Matches, exact first", _QUOTES),
                                      **_errors(400, 503)}},
                "post": {"summary": "Where a pasted passage is printed (JSON body)",
                         "requestBody": {"required": True, "content": {"application/json": {
                             "schema": {"type": "object", "required": ["text"], "properties": {
                                 "text": {"type": "string"}, "limit": {"type": "integer"}}}}}},
                         "responses": {"200": _json("Matches, exact first", _QUOTES),
                                       **_errors(400, 503)}}},
            "/api/reports": {
                "get": {"summary": "List reports",
                        "responses": {"200": _json("Every report", {"type": "array"})}},
                "post": {"summary": "Upload one PDF for ingest", **write,
                         "requestBody": {"required": True, "content": {"multipart/form-data": {
                             "schema": {"type": "object", "required": ["file"], "properties": {
                                 "file": {"type": "string", "format": "binary"}}}}}},
                         "responses": {"202": _json("Queued; poll the job", _JOB),
                                       **_errors(400, 401, 403, 413, 415)}}},
            "/api/reports/{report_id}": {
                "get": {"summary": "A report's metadata and pages", "parameters": [_ID],
                        "responses": {"200": _json("The report"), **_errors(404)}},
                "patch": {"summary": "Change a report's record", "parameters": [_ID], **write,
                          "requestBody": {"required": True, "content": {
                              "application/json": {"schema": _CHANGES}}},
                          "responses": {"200": _json("The record and each field's source",
                                                     _RECORD),
                                        **_errors(400, 401, 403, 404)}},
                "delete": {"summary": "Remove a report", "parameters": [_ID], **write,
                           "responses": {"204": {"description": "Removed"},
                                         **_errors(401, 403, 404)}}},
            "/api/reports/{report_id}/pages/{n}": {"get": {
                "summary": "Text as printed, margins, raw text, label and quality of one PDF page",
                "parameters": [_ID, {"name": "n", "in": "path", "required": True,
                                     "schema": {"type": "integer", "minimum": 1}}],
                "responses": {"200": _json("The page"), **_errors(404)}}},
            "/api/reports/{report_id}/cite": {"get": {
                "summary": "Citation of a report, optionally at a page",
                "parameters": [_ID, _PDF_PAGE, _query(
                    "to", {"type": "integer", "minimum": 1},
                    "PDF page a passage that runs on ends on (cited as a page range)."), _query(
                    "format", {"enum": list(FORMATS)}, "One format; omitted: every format.")],
                "responses": {"200": _json("`citation` (one format) or `citations` (all)"),
                              **_errors(400, 404, 409)}}},
            "/api/jobs/{job_id}": {"get": {
                "summary": "Status of an upload",
                "parameters": [{"name": "job_id", "in": "path", "required": True,
                                "schema": {"type": "string"}}],
                "responses": {"200": _json("The job", _JOB), **_errors(404)}}},
        },
        "components": {
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer",
                           "description": "The server's INDEXER_TOKEN."},
                "session": {"type": "apiKey", "in": "cookie", "name": COOKIE_NAME,
                            "description": "A librarian's login at /login (form field token)."},
                "csrf": {"type": "apiKey", "in": "header", "name": "X-CSRF-Token",
                         "description": "The session's CSRF token, from the csrf-token meta "
                                        "tag of any page seen while logged in."}},
            "responses": {"Error": _json("An error", {"type": "object", "properties": {
                "error": {"type": "object", "properties": {
                    "type": {"type": "string"}, "message": {"type": "string"}}}}})},
        },
    }  # fmt: skip
