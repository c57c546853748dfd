"""From an engine's matching pages to the hits a reader sees, the same for every engine: the
per-report cap, the folding of a work's versions into the newest, and each hit's citation
snippet with its highlights.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from .highlights import Marker
from .models import PYPDF, Hit
from .snippets import make_snippet

# Counting every match costs a pass over the postings; beyond this many pages "total" is an
# estimate (and says so) rather than an exact count.
EXACT_COUNT_LIMIT = 10_000

K = TypeVar("K")


def cap(
    ranked: Iterable[tuple[K, float]], report_of: Callable[[K], str], limit: int, per_report: int
) -> list[tuple[K, float]]:
    """The first `limit` of `ranked` (page, score) pairs, keeping at most `per_report` pages of
    each report (0: no cap)."""
    picked: list[tuple[K, float]] = []
    per: dict[str, int] = {}
    for page, score in ranked:
        if len(picked) == limit:
            break
        report = report_of(page)
        if per_report and per.get(report, 0) >= per_report:
            continue
        per[report] = per.get(report, 0) + 1
        picked.append((page, score))
    return picked


def fold_versions(matched: dict[str, dict[str, int]]) -> tuple[dict[str, bool], dict[str, int]]:
    """For the works with matching pages (work -> {report: rank}, rank 0 the newest version):
    whether each report is shown (it is the newest matching version of its work), and how many
    other versions of its work match."""
    shown_of, others = {}, {}
    for members in matched.values():
        newest = min(members, key=lambda r: (members[r], r))
        for report in members:
            shown_of[report] = report == newest
            others[report] = len(members) - 1
    return shown_of, others


def make_hit(stored: dict[str, Any], score: float, marker: Marker) -> Hit:
    """The hit for a page's stored fields (as the engines store them, plus `others`: how many
    other versions of its work match), its snippet cut around what `marker` finds on it."""
    found = marker.locate(stored)
    snippet = make_snippet(stored.get("text", ""), found.spans, found.phrase_spans)
    return Hit(
        report_id=stored["report"],
        title=stored.get("title", ""),
        path=stored.get("path", ""),
        page=stored["page"],
        page_label=stored.get("page_label"),
        snippet=snippet.text,
        highlights=snippet.highlights,
        score=float(score),
        publisher=stored.get("publisher"),
        year=stored.get("year"),
        lang=stored.get("lang") or None,
        authors=stored.get("authors") or [],
        date=stored.get("date") or None,
        report_number=stored.get("number") or None,
        version=stored.get("version"),
        other_versions=stored.get("others", 0),
        continues_on=stored.get("next_page") if found.continues else None,
        continues_on_label=stored.get("next_label") if found.continues else None,
        text_source=stored.get("text_source") or PYPDF,
        snippet_start=snippet.start,
        added=stored.get("added") or None,
    )
