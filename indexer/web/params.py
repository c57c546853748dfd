"""Reading a request: whole numbers in range, search filters, order, paging, URL converters.

A bad value is a 400 whose message says what is allowed. Report ids and job ids are matched by
URL converters before any view runs, so no other text from a URL can reach the filesystem.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from flask import abort, request, url_for
from werkzeug.datastructures import MultiDict
from werkzeug.routing import BaseConverter

from ..health import DIRECTIONS, TABLE_SORTS, TableQuery
from ..models import SORTS, VERSIONS, Filters

DEFAULT_PER_PAGE, MAX_PER_PAGE = 10, 100
BATCH_LIMIT, MAX_BATCH_LIMIT = 10, 100  # hits per query of a batch search
# Deep paging costs a search of offset + limit hits; past this a narrower query serves better.
MAX_RESULTS_PAGE = 1000
MAX_PDF_PAGE = 100_000
TABLE_PAGE = 50  # reports per page of the /collection table
MAX_FILTER_VALUES = 50  # values of one filter field in one request
MAX_FILTER_CHARS = 300
FILTER_FIELDS = ("publisher", "year", "year_from", "year_to", "lang", "report_type", "tag")
_LANG = re.compile(r"[a-z]{2,3}")
_REPORT_ID = re.compile(r"[0-9a-f]{16}")


class ReportIdConverter(BaseConverter):
    """`<report_id:name>`: exactly 16 lower-case hex digits; anything else is a plain 404."""

    regex = "[0-9a-f]{16}"


class JobIdConverter(BaseConverter):
    """`<job_id:name>`: letters, digits, '-' and '_' only (no dots, no slashes)."""

    regex = "[A-Za-z0-9_-]{1,64}"


def int_arg(name: str, default: int | None, low: int, high: int) -> int | None:
    """The query argument `name` as a whole number from `low` to `high`, else a 400."""
    raw = request.args.get(name, "").strip()
    if not raw:
        return default
    if not raw.isascii() or not raw.isdigit() or not low <= int(raw) <= high:
        abort(400, f"{name} must be a whole number from {low} to {high}")
    return int(raw)


def _values(name: str) -> list[str]:
    values = [v.strip() for v in request.args.getlist(name) if v.strip()]
    if len(values) > MAX_FILTER_VALUES or any(len(v) > MAX_FILTER_CHARS for v in values):
        abort(400, f"too many or too long values for {name}")
    return list(dict.fromkeys(values))  # repeated values mean nothing more


def filters() -> Filters:
    """The publisher, year, year range, language, report type and tag filters of the request."""
    years = []
    for raw in _values("year"):
        if not raw.isascii() or not raw.isdigit() or len(raw) > 4:
            abort(400, "year must be a year such as 2024")
        years.append(int(raw))
    langs = [v.lower() for v in _values("lang")]
    if not all(_LANG.fullmatch(v) for v in langs):
        abort(400, "lang must be a language code such as en or ru")
    return Filters(
        publisher=_values("publisher"),
        year=years,
        year_from=int_arg("year_from", None, 0, 9999),
        year_to=int_arg("year_to", None, 0, 9999),
        lang=langs,
        report_type=_values("report_type"),
        tag=_values("tag"),
    )


def choice(name: str, allowed: tuple[str, ...]) -> str:
    """The query argument `name`, one of `allowed` (default: the first), else a 400."""
    value = request.args.get(name, "").strip() or allowed[0]
    if value not in allowed:
        abort(400, f"{name} must be {' or '.join(allowed)}")
    return value


@dataclass(frozen=True)
class Order:
    """How hits are ordered (`sort`) and whether every version of a work is shown."""

    sort: str = SORTS[0]
    versions: str = VERSIONS[0]


def order() -> Order:
    """`sort=relevance|date|added` and `versions=latest|all` from the request."""
    return Order(sort=choice("sort", SORTS), versions=choice("versions", VERSIONS))


def report_arg() -> str | None:
    """The optional `report` argument (search inside one report), checked to be a report id."""
    value = request.args.get("report", "").strip()
    if value and not _REPORT_ID.fullmatch(value):
        abort(400, "report must be a report id (16 hex digits)")
    return value or None


@dataclass(frozen=True)
class Paging:
    """Which page of results (`p`, from 1) and how many hits on it."""

    p: int
    per_page: int

    @property
    def offset(self) -> int:
        """Hits skipped before this page."""
        return (self.p - 1) * self.per_page

    def pages(self, shown_total: int) -> int:
        """How many results pages `shown_total` hits fill."""
        return max(1, math.ceil(shown_total / self.per_page))


def paging() -> Paging:
    """`p` and `per_page` from the request (defaults 1 and 10)."""
    return Paging(
        p=int_arg("p", 1, 1, MAX_RESULTS_PAGE) or 1,
        per_page=int_arg("per_page", DEFAULT_PER_PAGE, 1, MAX_PER_PAGE) or DEFAULT_PER_PAGE,
    )


def url_with(**changes: Any) -> str:
    """This page's URL with some query arguments replaced (a list: repeated; None: removed)."""
    args = MultiDict(request.args)
    for key, value in changes.items():
        args.poplist(key)
        values = value if isinstance(value, list | tuple) else [value]
        for v in values:
            if v is not None:
                args.add(key, v)
    built: dict[str, Any] = {**(request.view_args or {}), **args.to_dict(flat=False)}
    return url_for(request.endpoint or "web.home", **built)


def subscribe_url() -> str:
    """The Atom feed of this search, newest additions first (`sort=added`): the same query and
    filters, no paging."""
    args = MultiDict(request.args)
    for name in ("p", "per_page", "sort", "startIndex", "count"):
        args.poplist(name)
    args.add("sort", "added")
    built: dict[str, Any] = args.to_dict(flat=False)
    return url_for("syndication.search_atom", **built)


def passage_arg() -> tuple[int, int] | None:
    """`hl=START-END`: offsets into a page's display text, or None when absent."""
    raw = request.args.get("hl", "").strip()
    if not raw:
        return None
    start, sep, end = raw.partition("-")
    if not (sep and start.isdigit() and end.isdigit()) or int(start) >= int(end):
        abort(400, "hl must be START-END, two offsets into the page's text with START < END")
    return int(start), int(end)


def table_query() -> TableQuery:
    """The /collection table's arguments: sort (title, date, publisher, pages), dir (asc,
    desc), the filters status, publisher, year, lang and report_type, and the page `p`."""
    sort = request.args.get("sort", "title")
    direction = request.args.get("dir", "asc")
    if sort not in TABLE_SORTS or direction not in DIRECTIONS:
        abort(400, f"sort must be one of {', '.join(TABLE_SORTS)}; dir asc or desc")
    text = {}
    for name in ("status", "publisher", "lang", "report_type"):
        value = request.args.get(name, "").strip()
        if len(value) > MAX_FILTER_CHARS:
            abort(400, f"{name} is too long")
        text[name] = value or None
    p = int_arg("p", 1, 1, MAX_RESULTS_PAGE) or 1
    return TableQuery(
        sort=sort, direction=direction, status=text["status"], publisher=text["publisher"],
        year=int_arg("year", None, 0, 9999), language=text["lang"],
        report_type=text["report_type"], offset=(p - 1) * TABLE_PAGE, limit=TABLE_PAGE,
    )  # fmt: skip
