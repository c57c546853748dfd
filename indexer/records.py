"""Keep the catalog's metadata records and versions current.

`refresh` derives the record of every report whose rules are older than metadata.RULES_VERSION
(or that was just extracted, edited or given a new sidecar), from what the catalog stored.
`link_versions` groups reports into works: the same publisher and report number, or failing
that near-identical text, judged by the resemblance of bottom-k sketches of word 4-grams.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import defaultdict
from typing import Any

from .catalog import Catalog
from .crashpoints import crash_point
from .metadata import RULES_VERSION, derive
from .metarules import later_first

SKETCH_SIZE = 128  # hashes kept per report
SHINGLE = 4  # words per shingle
# Estimated resemblance above which two reports without distinct numbers are one work. In
# ../shared/corpus, IF10753 v6/v7 resemble each other at 0.875; every other pair of the 25
# reports with text, In Focus briefs sharing the CRS boilerplate included, stays under 0.03.
SAME_WORK = 0.6
# Near-duplicates share most of their smallest hashes, so they meet in small buckets; a
# bucket this full holds boilerplate (a disclaimer every CRS report prints) and is skipped,
# which keeps linking linear in the number of reports.
MAX_BUCKET = 50
_WORD = re.compile(r"\w+")


def refresh(catalog: Catalog, report_ids: list[str] | None = None) -> int:
    """Derive and store the records of `report_ids` (default: the stale ones); returns how
    many were derived. Each report is one transaction."""
    ids = catalog.stale_records(RULES_VERSION) if report_ids is None else report_ids
    for report_id in ids:
        given = catalog.record_inputs(report_id)
        record = derive(
            given["raw"], given["pages"], path=given["path"], language=given["language"],
            sidecar=given["sidecar"], edits=given["edits"], fetched=given["fetched"],
            scanned_cover=given["scanned_cover"],
        )  # fmt: skip
        crash_point("records.before_store")
        with catalog.transaction():
            catalog.store_record(report_id, record.values, record.sources, RULES_VERSION)
            if not given["has_sketch"]:  # edits and new rules leave the text as it was
                catalog.set_sketch(report_id, sketch(given["pages"]))
    return len(ids)


def sketch(pages: list[str]) -> list[int]:
    """The SKETCH_SIZE smallest 64-bit hashes of the text's word 4-grams (lower-cased)."""
    words = _WORD.findall("\n".join(pages).lower())
    hashes = {
        int.from_bytes(
            hashlib.blake2b(" ".join(words[i : i + SHINGLE]).encode(), digest_size=8).digest()
        )
        for i in range(max(0, len(words) - SHINGLE + 1))
    }
    return sorted(hashes)[:SKETCH_SIZE]


def resemblance(a: list[int], b: list[int]) -> float:
    """The Jaccard similarity of two texts estimated from their sketches (Broder's bottom-k)."""
    if not a or not b:
        return 0.0
    union = sorted(set(a) | set(b))[:SKETCH_SIZE]
    both = set(a) & set(b)
    return sum(1 for h in union if h in both) / len(union)


def link_versions(catalog: Catalog) -> None:
    """Group the citable reports into works and rank each work's versions, newest first."""
    rows = catalog.version_rows()
    meta = {r["report_id"]: json.loads(r["meta"] or "{}").get("values", {}) for r in rows}
    sketches = {r["report_id"]: json.loads(r["sketch"] or "[]") for r in rows}
    parent = {rid: rid for rid in meta}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def number(rid: str) -> tuple[str, str] | None:
        m = meta[rid]
        return (m.get("publisher") or "", m["report_number"]) if m.get("report_number") else None

    by_number: dict[tuple[str, str], list[str]] = defaultdict(list)
    for rid in sorted(meta):
        key = number(rid)
        if key:
            by_number[key].append(rid)
    for group in by_number.values():
        for other in group[1:]:
            parent[find(other)] = find(group[0])
    # Candidates for text likeness share one of their 16 smallest hashes.
    buckets: dict[int, list[str]] = defaultdict(list)
    for rid in sorted(meta):
        for h in sketches[rid][:16]:
            buckets[h].append(rid)
    for bucket in buckets.values():
        if len(bucket) > MAX_BUCKET:
            continue  # a hash that many reports share is boilerplate, not a sign of versions
        for i, a in enumerate(bucket):
            for b in bucket[i + 1 :]:
                numbered = number(a) and number(b)
                if (
                    not numbered
                    and find(a) != find(b)
                    and resemblance(sketches[a], sketches[b]) >= SAME_WORK
                ):
                    parent[find(b)] = find(a)
    works: dict[str, list[str]] = defaultdict(list)
    for rid in meta:
        works[find(rid)].append(rid)
    added = {r["report_id"]: r["added_at"] for r in rows}
    with catalog.transaction():
        for members in works.values():
            members.sort(key=lambda rid: _newest_first(meta[rid], added[rid], rid))
            work = min(members) if len(members) > 1 else None
            for rank, rid in enumerate(members):
                catalog.set_work(rid, work, rank)


def _newest_first(meta: dict[str, Any], added: str, report_id: str) -> tuple[Any, ...]:
    version = str(meta.get("version") or "")
    return (
        later_first(meta.get("date") or ""),
        -int(version) if version.isdigit() else 0,
        later_first(added),
        report_id,
    )
