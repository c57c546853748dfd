"""The OpenAPI 3.1 description of the JSON API, served at /openapi.json.

Written by hand, next to the views it describes; a test checks that every /api/ route is here,
and tests/test_api_fuzz.py runs schemathesis against it: every answer must match its schema.
Fixed shapes say `additionalProperties: false` and list every key as required, so a key
added, dropped or retyped in a view fails that test until it is described here.
"""

from __future__ import annotations

from typing import Any

from ..batch import COLUMNS as BATCH_COLUMNS
from ..batch import MAX_QUERIES
from ..cite import FORMATS
from ..errors import REASONS
from ..export import CSV_COLUMNS, EXPORT_HITS, MEDIA_TYPES
from ..export import FORMATS as EXPORT_FORMATS
from ..metadata import FIELDS as RECORD_FIELDS
from ..models import EMPTY, EXCLUDED, GARBLED, OK, STATUSES, TEXT_SOURCES
from ..quotes import DEFAULT_LIMIT as DEFAULT_QUOTES
from ..quotes import MAX_CHARS as MAX_QUOTE_CHARS
from ..quotes import MAX_LIMIT as MAX_QUOTES
from .params import (
    BATCH_LIMIT,
    DEFAULT_PER_PAGE,
    MAX_BATCH_LIMIT,
    MAX_FILTER_CHARS,
    MAX_FILTER_VALUES,
    MAX_PDF_PAGE,
    MAX_PER_PAGE,
    MAX_RESULTS_PAGE,
    SORTS,
    VERSIONS,
)
from .record import FIELDS
from .sessions import COOKIE_NAME

STR, INT = {"type": "string"}, {"type": "integer"}
_STRS = {"type": "array", "items": STR}
_TEXT_SOURCE = {"enum": list(TEXT_SOURCES),
                "description": "Which extractor read the page: pypdf, PDFium or OCR"}  # fmt: skip
_PAGE_LANGUAGE = {"type": ["string", "null"],
                  "description": "ISO 639-1; und when unsure; null: not yet detected"}  # fmt: skip
_SPAN = {"type": "array", "items": INT, "minItems": 2, "maxItems": 2,
         "description": "[start, end] character offsets"}  # fmt: skip
_REPORT_ID = {"type": "string", "pattern": "^[0-9a-f]{16}$"}
_PAGE_NUMBER = {"type": "integer", "minimum": 1, "maximum": MAX_PDF_PAGE}
# Why a file failed, beside its human-readable `error` (null when nothing failed).
_REASON = {"enum": [*REASONS, None]}
_SOURCES = ["edit", "sidecar", "feed", "fetch", "xmp", "info", "text", "path"]


def _null(schema: dict[str, Any]) -> dict[str, Any]:
    """`schema` or null."""
    if set(schema) == {"type"} and isinstance(schema["type"], str):
        return {"type": [schema["type"], "null"]}
    return {"anyOf": [schema, {"type": "null"}]}


def _object(properties: dict[str, Any], *, optional: tuple[str, ...] = ()) -> dict[str, Any]:
    """A fixed shape: every property required except `optional`, and nothing else allowed."""
    required = [name for name in properties if name not in optional]
    return {"type": "object", "required": required, "properties": properties,
            "additionalProperties": False}  # fmt: skip


_ID = {"name": "report_id", "in": "path", "required": True, "schema": _REPORT_ID,
       "description": "First 16 hex digits of the SHA-256 of the report's bytes."}  # fmt: skip
_PDF_PAGE = {"name": "page", "in": "query", "schema": _PAGE_NUMBER,
             "description": "A PDF page (1-based); the citation shows its label."}  # fmt: skip


def _query(
    name: str, schema: dict[str, Any], text: str, *, many: bool = False, required: bool = False
) -> dict[str, Any]:
    if many:
        schema = {"type": "array", "items": schema, "maxItems": MAX_FILTER_VALUES}
    return {"name": name, "in": "query", "schema": schema, "description": text,
            **({"required": True} if required else {}),
            **({"style": "form", "explode": True} if many else {})}  # fmt: skip


def _json(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _errors(*codes: int) -> dict[str, Any]:
    text = {400: "Bad query, argument or body", 401: "Missing or wrong token",
            403: "Writes disabled (no token configured), or a logged-in session's request "
                 "without its CSRF token", 404: "Unknown report, page, job or follow",
            409: "The report has no text, so nothing to cite",
            413: "Body over the upload size limit", 415: "Upload is not a PDF",
            422: "The page cannot be rendered",
            502: "The URL could not be fetched (the error's message says why)",
            503: "Search index unavailable or busy, or the search ran over its time budget "
                 "(with Retry-After)"}  # fmt: skip
    return {str(c): {"$ref": "#/components/responses/Error", "description": text[c]} for c in codes}


_FILTER = {"type": "string", "maxLength": MAX_FILTER_CHARS}
_YEAR = {"type": "integer", "minimum": 0, "maximum": 9999}
_SEARCH_PARAMS = [
    _query("q", {"type": "string", "pattern": r"\S"},
           "The query (see README: phrases, AND/OR/NOT, field:value).", required=True),
    _query("p", {"type": "integer", "minimum": 1, "maximum": MAX_RESULTS_PAGE, "default": 1},
           "Results page."),
    _query("per_page", {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE,
                        "default": DEFAULT_PER_PAGE}, "Hits per results page."),
    _query("per_report", {"type": "integer", "minimum": 0, "maximum": 1000, "default": 3},
           "Most pages of one report among the hits (0: no cap)."),
    _query("report", _REPORT_ID, "Search inside this report only."),
    _query("publisher", _FILTER, "Publisher filter (repeatable, OR).", many=True),
    _query("year", _YEAR, "Year filter (repeatable, OR).", many=True),
    _query("year_from", _YEAR, "Earliest year."),
    _query("year_to", _YEAR, "Latest year."),
    _query("lang", {"type": "string", "pattern": "^[A-Za-z]{2,3}$"},
           "Language code filter (repeatable, OR).", many=True),
    _query("report_type", _FILTER, "Report type filter, e.g. In Focus (repeatable, OR).",
           many=True),
    _query("tag", _FILTER, "Tag filter (repeatable, OR).", many=True),
    _query("sort", {"enum": list(SORTS), "default": SORTS[0]},
           "relevance; date: newest first, undated last; added: the reports added last "
           "first."),
    _query("versions", {"enum": list(VERSIONS), "default": VERSIONS[0]},
           "latest: one hit per work, from its newest version (`other_versions` counts the "
           "rest); all: every version."),
]  # fmt: skip

_HIT = _object({
    "report_id": _REPORT_ID, "title": STR, "path": STR,
    "page": {"type": "integer", "minimum": 1, "description": "PDF page (1-based)"},
    "page_label": {"type": ["string", "null"], "description": "Printed page number"},
    "snippet": STR, "highlights": {"type": "array", "items": _SPAN},
    "score": {"type": "number"}, "publisher": _null(STR), "year": _null(INT),
    "lang": _null(STR), "authors": _STRS,
    "date": {"type": ["string", "null"], "description": "ISO YYYY, YYYY-MM or YYYY-MM-DD"},
    "report_number": _null(STR), "version": _null(STR),
    "other_versions": {"type": "integer", "minimum": 0,
                       "description": "Other versions of the same work that also match"},
    "continues_on": {"type": ["integer", "null"],
                     "description": "PDF page a phrase found across the page break ends on"},
    "continues_on_label": _null(STR), "text_source": _TEXT_SOURCE})  # fmt: skip


def _facet(value: dict[str, Any]) -> dict[str, Any]:
    count = {"type": "integer", "minimum": 1}
    return {"type": "array", "items": _object({"value": value, "count": count})}


_SEARCH = _object({
    "query": STR, "total": {"type": "integer", "minimum": 0},
    "total_is_estimate": {"type": "boolean"}, "hits": {"type": "array", "items": _HIT},
    "facets": _object({"publisher": _facet(STR), "year": _facet(INT), "lang": _facet(STR),
                       "report_type": _facet(STR), "tag": _facet(STR)}),
    "p": {"type": "integer", "minimum": 1}, "per_page": {"type": "integer", "minimum": 1},
    "pages": {"type": "integer", "minimum": 1}})  # fmt: skip
_QUOTES = _object({
    "query": STR, "matches": {"type": "array", "items": _object({
        "report_id": _REPORT_ID, "title": STR,
        "page": {"type": "integer", "minimum": 1}, "page_label": _null(STR),
        "end_page": {"type": "integer", "minimum": 1}, "end_page_label": _null(STR),
        "text": {"type": "string", "description": "The passage as printed"},
        "exact": {"type": "boolean"},
        "score": {"type": "number", "minimum": 0, "maximum": 1},
        "differences": {"type": "array", "items": _SPAN},
        "text_source": _TEXT_SOURCE})}})  # fmt: skip
_QUOTE_TEXT = {"type": "string", "maxLength": MAX_QUOTE_CHARS,
               "description": "The passage: 5 to 400 words."}  # fmt: skip
_QUOTE_BODY = {"type": "object", "required": ["text"], "properties": {
    "text": _QUOTE_TEXT,
    "limit": {"type": "integer", "minimum": 1, "maximum": MAX_QUOTES,
              "default": DEFAULT_QUOTES}}}  # fmt: skip
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
# The record: every field (null or [] when no source has it) and where each present one came from.
_METADATA = _object(
    {name: _null(STR) for name in RECORD_FIELDS} | {"authors": _STRS, "tags": _STRS}
)
_RECORD_SOURCES = {"type": "object", "propertyNames": {"enum": list(RECORD_FIELDS)},
                   "additionalProperties": {"enum": _SOURCES}}  # fmt: skip
_RECORD = _object({"metadata": _METADATA, "sources": _RECORD_SOURCES})
_STATUS = {"enum": [*STATUSES, EXCLUDED]}
_REPORT_ENTRY_FIELDS = {
    "report_id": _REPORT_ID, "title": _null(STR), "status": _STATUS, "error": _null(STR),
    "reason": _REASON, "pages": {"type": "integer", "minimum": 0},
    "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
    "author": _null(STR), "publisher": _null(STR), "year": _null(INT), "language": _null(STR),
    "files": {"type": "array", "items": _object({"path": STR, "status": _STATUS})},
    "metadata": _METADATA, "sources": _RECORD_SOURCES}  # fmt: skip
_REPORT_ENTRY = _object(_REPORT_ENTRY_FIELDS)
_REPORT = _object(_REPORT_ENTRY_FIELDS | {
    "authors": _STRS, "subject": _null(STR), "created": _null(STR),
    "citable": {"type": "boolean", "description": "Whether /cite answers (else 409)"},
    "versions": {"type": "array", "minItems": 1, "items": _object({
        "report_id": _REPORT_ID, "date": _null(STR), "version": _null(STR),
        "title": _null(STR), "current": {"type": "boolean"}})},
    "page_list": {"type": "array", "items": _object({
        "page": {"type": "integer", "minimum": 1}, "label": _null(STR),
        "quality": {"enum": [OK, EMPTY, GARBLED]}, "text_source": _TEXT_SOURCE,
        "language": _PAGE_LANGUAGE})},
    "url": {"type": "string", "format": "uri"},
    "pdf_url": {"type": "string", "format": "uri"}})  # fmt: skip
_PAGE = _object({
    "report_id": _REPORT_ID, "page": {"type": "integer", "minimum": 1}, "label": _null(STR),
    "quality": {"enum": [OK, EMPTY, GARBLED]},
    "text": {"type": "string", "description": "As printed, running headers and footers cut"},
    "margins": _STRS,
    "text_raw": {"type": ["string", "null"],
                 "description": "As extracted; null if ingested before it was kept"},
    "text_source": _TEXT_SOURCE, "language": _PAGE_LANGUAGE})  # fmt: skip
_CITE_WHERE = {"report_id": _REPORT_ID, "page": _null(INT), "to": _null(INT)}
_CITE = {"oneOf": [
    _object(_CITE_WHERE | {"format": {"enum": list(FORMATS)}, "citation": STR}),
    _object(_CITE_WHERE | {"citations": _object({fmt: STR for fmt in FORMATS})}),
]}  # fmt: skip
_JOB = _object({
    "job_id": {"type": "string", "pattern": "^[A-Za-z0-9_-]{1,64}$"}, "filename": STR,
    "status": {"enum": ["queued", "running", "done", "failed"]},
    "url": _null({"type": "string", "description": "The URL of a job that fetches its PDF"}),
    "report_id": _null(_REPORT_ID), "error": _null(STR), "reason": _REASON,
    "created_at": STR, "updated_at": STR})  # fmt: skip
_COUNT = {"type": "integer", "minimum": 0}
_RUN = _object({
    "follow_id": STR, "url": STR, "found": _COUNT, "without_pdf": _COUNT, "known": _COUNT,
    "fetched": _COUNT, "failed": _COUNT, "left": _COUNT, "seconds": {"type": "number"},
    "error": _null(STR), "failures": {"type": "array", "items": _object({
        "url": STR, "error": _null(STR), "reason": _REASON})}})  # fmt: skip
_FOLLOW = _object({
    "follow_id": STR, "url": STR, "title": _null(STR), "added_at": STR,
    "last_run": _null(STR), "last_result": _null(_RUN)})  # fmt: skip
_URL_BODY = {"type": "object", "required": ["url"], "properties": {
    "url": {"type": "string", "description": "An http(s) URL on a public address"}}}  # fmt: skip
_ERROR = _object({"error": _object({"type": STR, "message": STR})})


def _upload_body() -> dict[str, Any]:
    return {"required": True, "content": {
        "multipart/form-data": {"schema": {
            "type": "object", "required": ["file"], "properties": {
                "file": {"type": "string", "format": "binary"}}}},
        "application/json": {"schema": _URL_BODY}}}  # fmt: skip


def _counts(value: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "array",
        "items": _object({"value": value, "count": {"type": "integer", "minimum": 1}}),
    }


_STATS = _object({
    "by_status": _counts(STR), "by_publisher": _counts(STR), "by_year": _counts(INT),
    "by_language": _counts(STR), "by_report_type": _counts(STR),
    "failed": {"type": "array", "items": _object({
        "report_id": _REPORT_ID, "path": _null(STR), "error": _null(STR), "reason": _REASON})},
    "needs_ocr": {"type": "array", "items": _object({
        "report_id": _REPORT_ID, "path": _null(STR), "title": _null(STR)})},
    "garbled_pages": {"type": "array", "items": _object({
        "report_id": _REPORT_ID, "title": _null(STR),
        "pages": {"type": "array", "items": _PAGE_NUMBER}})},
    "recent": {"type": "array", "maxItems": 20, "items": _object({
        "report_id": _REPORT_ID, "title": _null(STR), "added_at": STR, "status": STR})},
    "ocr": _object({
        "state": {"enum": ["on", "off", "not_installed"]}, "languages": _STRS,
        "waiting": {"type": "integer", "minimum": 0,
                    "description": "Reports waiting for OCR (those in needs_ocr)"},
        "enable": _null({"type": "string", "description": "How to turn OCR on"}),
        "install": {"type": "string", "description": "The command that installs Tesseract"}}),
})  # fmt: skip


_FILTERS = {"publisher", "year", "year_from", "year_to", "lang", "report_type", "tag"}
_EXPORT_PARAMS = [
    _query("format", {"enum": list(EXPORT_FORMATS), "default": EXPORT_FORMATS[0]},
           "csv (one row per report, or per matching page with `q`), bibtex, ris or "
           "csl-json."),
    _query("q", {"type": "string"},
           f"A search: export the reports of its best {EXPORT_HITS:,} matching pages "
           "(omitted or blank: the whole catalog)."),
    *[p for p in _SEARCH_PARAMS if p["name"] in _FILTERS],
    _query("sort", {"enum": list(SORTS), "default": SORTS[0]},
           "date: newest reports first; otherwise by relevance (with `q`) or by title."),
    *[p for p in _SEARCH_PARAMS if p["name"] == "versions"],
]  # fmt: skip
_TEXT = {"type": "string"}
_CSL_ITEMS = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["id", "type", "title"],
        "properties": {"id": _REPORT_ID, "type": {"const": "report"}, "title": STR},
    },
}
_EXPORTED = {
    "description": "The reports, streamed as a download (Content-Disposition: "
    f"attachment). CSV columns: {', '.join(CSV_COLUMNS)}.",
    "content": {
        MEDIA_TYPES["csv"]: {"schema": _TEXT},
        MEDIA_TYPES["bibtex"]: {"schema": _TEXT},
        MEDIA_TYPES["ris"]: {"schema": _TEXT},
        MEDIA_TYPES["csl-json"]: {"schema": _CSL_ITEMS},
    },
}
_BATCH_PARAMS = [
    _query(
        "limit",
        {"type": "integer", "minimum": 1, "maximum": MAX_BATCH_LIMIT, "default": BATCH_LIMIT},
        "Most hits per query.",
    ),
    _query(
        "per_report",
        {"type": "integer", "minimum": 0, "maximum": 1000, "default": 3},
        "Most pages of one report among a query's hits (0: no cap).",
    ),
]
_QUERIES_FILE = {"type": "string", "format": "binary",
                 "description": "UTF-8 text: one query a line, or a CSV with a `query` column; "
                                f"at most {MAX_QUERIES:,} queries."}  # fmt: skip
_BATCH_BODY = {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["file"], "properties": {"file": _QUERIES_FILE}}}}}  # fmt: skip
_BATCH_ROWS = {"description": "CSV streamed as each query is run, one row per query and hit "
               f"(columns {', '.join(BATCH_COLUMNS)}); a query without hits has a row of its "
               "own, and one that cannot run a row with its `error`.",
               "content": {"text/csv": {"schema": _TEXT}}}  # fmt: skip


def spec(server: str) -> dict[str, Any]:
    """The OpenAPI document, with `server` (this site's root URL) as its server."""
    write: dict[str, Any] = {"security": [{"bearer": []}, {"session": [], "csrf": []}]}
    quoted = {"200": _json("Matches, exact first", _QUOTES), **_errors(400, 503)}
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
                    _query("text", _QUOTE_TEXT,
                           "The passage: 5 to 400 words.", required=True),
                    _query("limit", {"type": "integer", "minimum": 1, "maximum": MAX_QUOTES,
                                     "default": DEFAULT_QUOTES}, "Most matches.")],
                        "responses": quoted},
                "post": {"summary": "Where a pasted passage is printed (JSON body)",
                         "requestBody": {"required": True, "content": {
                             "application/json": {"schema": _QUOTE_BODY}}},
                         "responses": quoted | _errors(413)}},
            "/api/export": {"get": {
                "summary": "Export the catalog, or a search's reports, as CSV, BibTeX, RIS "
                           "or CSL-JSON",
                "parameters": _EXPORT_PARAMS,
                "responses": {"200": _EXPORTED, **_errors(400, 503)}}},
            "/api/batch": {"post": {
                "summary": "Run up to 1,000 queries from a file; their hits as CSV", **write,
                "parameters": _BATCH_PARAMS, "requestBody": _BATCH_BODY,
                "responses": {"200": _BATCH_ROWS, **_errors(400, 401, 403, 413, 503)}}},
            "/api/reports": {
                "get": {"summary": "List reports",
                        "responses": {"200": _json("Every report", {
                            "type": "array", "items": _REPORT_ENTRY})}},
                "post": {"summary": "Upload one PDF, or give its URL, for ingest", **write,
                         "requestBody": _upload_body(),
                         "responses": {"202": _json("Queued; poll the job", _JOB),
                                       **_errors(400, 401, 403, 413, 415)}}},
            "/api/follows": {
                "get": {"summary": "Followed feeds with their last runs",
                        "responses": {"200": _json("The follows; `running`: a run under way",
                                                   _object({"follows": {"type": "array",
                                                            "items": _FOLLOW},
                                                            "running": {"type": "boolean"}}))}},
                "post": {"summary": "Follow an RSS/Atom feed or a sitemap (read once now)",
                         **write, "requestBody": {"required": True, "content": {
                             "application/json": {"schema": _URL_BODY}}},
                         "responses": {"201": _json("The follow", _FOLLOW),
                                       **_errors(400, 401, 403, 413, 502)}}},
            "/api/follows/run": {"post": {
                "summary": "Run every followed feed in the background", **write,
                "responses": {"202": _json("Queued", _object({"status": {"enum": ["queued"]}})),
                              **_errors(401, 403)}}},
            "/api/follows/{follow_id}": {"delete": {
                "summary": "Stop following a feed (its reports stay)", **write,
                "parameters": [{"name": "follow_id", "in": "path", "required": True,
                                "schema": _JOB["properties"]["job_id"]}],
                "responses": {"204": {"description": "No longer followed"},
                              **_errors(401, 403, 404)}}},
            "/api/reports/{report_id}": {
                "get": {"summary": "A report's metadata and pages", "parameters": [_ID],
                        "responses": {"200": _json("The report", _REPORT), **_errors(404)}},
                "patch": {"summary": "Change a report's record", "parameters": [_ID], **write,
                          "requestBody": {"required": True, "content": {
                              "application/json": {"schema": _CHANGES}}},
                          "responses": {"200": _json("The record and each field's source",
                                                     _RECORD),
                                        **_errors(400, 401, 403, 404, 413)}},
                "delete": {"summary": "Remove a report", "parameters": [_ID], **write,
                           "responses": {"204": {"description": "Removed"},
                                         **_errors(401, 403, 404, 503)}}},
            "/api/reports/{report_id}/pages/{n}": {"get": {
                "summary": "Text as printed, margins, raw text, label and quality of one PDF page",
                "parameters": [_ID, {"name": "n", "in": "path", "required": True,
                                     "schema": _PAGE_NUMBER}],
                "responses": {"200": _json("The page", _PAGE), **_errors(404)}}},
            "/api/reports/{report_id}/cite": {"get": {
                "summary": "Citation of a report, optionally at a page",
                "parameters": [_ID, _PDF_PAGE, _query(
                    "to", _PAGE_NUMBER,
                    "PDF page a passage that runs on ends on (cited as a page range)."), _query(
                    "format", {"enum": list(FORMATS)}, "One format; omitted: every format.")],
                "responses": {"200": _json("`citation` (one format) or `citations` (all)",
                                           _CITE),
                              **_errors(400, 404, 409)}}},
            "/api/stats": {"get": {
                "summary": "Collection health: counts, failed files, needs OCR, garbled pages",
                "responses": {"200": _json("Counts by status, publisher, year, language and "
                                           "report type; problems; the 20 latest additions",
                                           _STATS)}}},
            "/api/jobs/{job_id}": {"get": {
                "summary": "Status of an upload",
                "parameters": [{"name": "job_id", "in": "path", "required": True,
                                "schema": _JOB["properties"]["job_id"]}],
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
            "responses": {"Error": _json("An error: `type` is machine-readable (query_error, "
                                         "not_found, timeout, ...), `message` says what to do",
                                         _ERROR)},
        },
    }  # fmt: skip
