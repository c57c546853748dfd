"""The OpenSearch index of pages: its mapping, field by field the Whoosh schema
(engine/whoosh/index.py `make_schema`), and how a page record becomes a document.

Text fields hold the engine-neutral tokens of `tokens`, joined by spaces, which the built-in
`whitespace` analyzer splits again: the same terms at the same positions as in Whoosh, on any
cluster, with no analysis plugin. What a hit shows is kept in `_source` under `stored` (Whoosh's
stored fields); the indexed fields are left out of `_source`, since the catalog, not the index,
is what a rebuild reads.
"""

from __future__ import annotations

import hashlib
from typing import Any

from ... import tokens
from ...pagetext import SEAM_BREAK
from ..pagerecords import TAG_JOIN

# Bump whenever the mapping or what is indexed changes: an index with another version is
# replaced by an empty one, which the library refills from the catalog.
# 2: the `translit` field (cross-script keys). 3: `text_source` stored (which extractor read the
# page: pypdf, pdfium or ocr). 4: one stemmed field per language (`body_en`, `body_uk`, …;
# `body` for the others) and `lang` the page's language.
SCHEMA_VERSION = 4

# Lucene's whitespace tokenizer cuts a token after 255 UTF-16 units (the built-in analyzer
# cannot be told otherwise). A longer word would become two terms and shift the positions of
# the words after it; it is indexed, and looked for, as its start plus a digest instead.
MAX_TOKEN_UNITS = 255
# Keyword values above this many characters are not indexed (Lucene's limit on one term is
# 32,766 bytes, 4 per character at most): a shingle of absurdly long words, say.
IGNORE_ABOVE = 8191
# Pages one report may show in a search (inner hits of the collapse on `report`).
MAX_PER_REPORT = 10_000
# Hits a search may page through with from/size; past it, search_after walks.
MAX_RESULT_WINDOW = 10_000

# The stored fields of a page (Whoosh's `stored=True` and STORED fields).
STORED = (
    *("doc_id", "report", "page", "page_label", "quality", "path", "text", "spaced"),
    *("seam_tail", "seam_head", "next_page", "next_label", "title", "author", "publisher"),
    *("year", "lang", "authors", "date", "number", "version", "added", "text_source"),
)


def index_body(shards: int, replicas: int) -> dict[str, Any]:
    """Settings and mappings of a new index of pages."""
    text = {"type": "text", "analyzer": "whitespace"}
    keyword = {"type": "keyword", "ignore_above": IGNORE_ABOVE}
    return {
        "settings": {
            "number_of_shards": shards,
            "number_of_replicas": replicas,
            "max_inner_result_window": MAX_PER_REPORT,
            "max_result_window": MAX_RESULT_WINDOW,
        },
        "mappings": {
            "dynamic": "strict",
            "_meta": {"schema_version": SCHEMA_VERSION},
            "_source": {"includes": ["stored"]},
            "properties": {
                "stored": {"type": "object", "enabled": False},
                "report": keyword,
                "page": {"type": "integer"},
                # Stemmed words by the page's language, no positions: phrases go to `exact`.
                **{name: {**text, "index_options": "freqs"} for name in tokens.BODY_FIELDS},
                "exact": {**text, "index_options": "positions"},
                "margin": {**text, "index_options": "positions"},
                "translit": {**text, "index_options": "positions"},
                "seam": {**text, "index_options": "positions"},
                "shingles": keyword,
                "title": {**text, "index_options": "positions"},
                "author": {**text, "index_options": "positions"},
                "publisher": {**text, "index_options": "positions"},
                "year": {"type": "integer"},
                "publisher_facet": keyword,
                "lang": keyword,
                "date": keyword,
                "number": keyword,
                "report_type": keyword,
                "tag": keyword,
                "tags_facet": keyword,
                "work": keyword,
                "rank": {"type": "integer"},
                "added": keyword,
                # `date` and `added` as keys that sort newest first, the empty one last.
                "date_sort": keyword,
                "added_sort": keyword,
            },
        },
    }


def term(text: str) -> str:
    """A token as the index holds it: itself, or for a word the whitespace tokenizer would cut
    (over MAX_TOKEN_UNITS), its start and a digest of the whole."""
    if len(text.encode("utf-16-le")) <= 2 * MAX_TOKEN_UNITS:
        return text
    digest = hashlib.blake2b(text.encode("utf-8"), digest_size=8).hexdigest()
    return f"{text[:64]}…{digest}"


def joined(stream: list[tokens.Token]) -> str:
    """A token stream as the text the whitespace analyzer splits into the same terms."""
    return " ".join(term(t.text) for t in stream)


def sort_key(iso: str) -> str:
    """A key that sorts later ISO dates first in descending order, as `later_first` does
    ascending: a date before any longer one it begins ("2024" before "2024-05"), "" last."""
    return iso + "\U0010ffff" if iso else ""


def page_shingles(record: dict[str, Any]) -> list[str]:
    """The word 3-grams of a page record's words and of its seam: what a pasted passage is
    looked up by."""
    seam = record.get("seam", "").replace(SEAM_BREAK, "")
    return tokens.shingles(record["exact"]) + tokens.shingles(seam)


def document(record: dict[str, Any]) -> dict[str, Any]:
    """The document of a page record (`pagerecords.page_records`)."""
    doc: dict[str, Any] = {
        "stored": {name: record.get(name) for name in STORED if record.get(name) is not None},
        "report": record["report"],
        "page": record["page"],
        "exact": joined(tokens.exact_tokens(record["exact"])),
        "margin": joined(tokens.exact_tokens(record["margin"])),
        "translit": joined(tokens.translit_tokens(record["translit"])),
        "shingles": list(dict.fromkeys(page_shingles(record))),
        "title": joined(tokens.stemmed_tokens(record["title"] or "")),
        "author": joined(tokens.exact_tokens(record["author"] or "")),
        "publisher": joined(tokens.exact_tokens(record["publisher"] or "")),
        "year": record["year"],
        "date": record["date"],
        "date_sort": sort_key(record["date"]),
        "number": tokens.keyword_terms(record["number"], lowercase=True),
        "tag": tokens.keyword_terms(record["tag"], commas=True),
        "tags_facet": [t for t in record["tags_facet"].split(TAG_JOIN) if t],
        "rank": record["rank"],
        "added": record["added"],
        "added_sort": sort_key(record["added"]),
    }
    for name in tokens.BODY_FIELDS:
        if name in record:
            doc[name] = joined(tokens.stemmed_tokens(record[name], tokens.field_language(name)))
    if record.get("seam"):
        doc["seam"] = joined(tokens.seam_tokens(record["seam"]))
    # Empty values are left out: they are never filtered on, and facets do not count them.
    for name in ("publisher_facet", "lang", "report_type", "work"):
        if record[name]:
            doc[name] = record[name]
    return doc
