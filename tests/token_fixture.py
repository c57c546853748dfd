"""Digests of the token streams the index is fed for every page of ../shared/corpus.

tests/data/token_streams.json was written by the Whoosh analyzers of schema version 9, before
the analysis moved to `indexer/tokens.py`: test_tokens holds the engine-neutral functions (and
the Whoosh adapter over them) to it. Each field value is analysed as `index.py` builds it; the
raw extractor text is analysed too, for its wilder characters. A stream is digested as its
token count and the start of the SHA-256 of its (text, position, start, end) tuples.

`python -m tests.token_fixture --update` writes the file again with today's Whoosh analyzers:
only for a change meant to alter what the index holds (and SCHEMA_VERSION with it).
"""

from __future__ import annotations

import hashlib
import json
import sys
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from indexer import tokens
from indexer.catalog import Catalog
from indexer.models import Page
from indexer.pagetext import SEAM_BREAK, seam_head, seam_tail, seam_value, spans_within
from indexer.textforms import match_form

FIXTURE = Path(__file__).resolve().parent / "data" / "token_streams.json"

Stream = list[tuple[str, int, int, int]]
# One analysis of each kind: a text -> its (text, position, start, end) tokens.
Kinds = dict[str, Callable[[str], Stream]]


def field_values(pages: list[Page]) -> Iterator[tuple[str, str, str]]:
    """(page key, field, value) of each analysed value of a report's pages, as index.py
    builds them, plus the raw text."""
    for page, following in zip(pages, [*pages[1:], None], strict=True):
        key = str(page.number)
        match = match_form(page.text, page.spaced).text
        margins = "\n".join(match_form(line).text for line in page.margins)
        yield key, "exact", match
        yield key, "margin", margins
        yield key, "body", f"{match}\n{margins}"
        if page.raw:
            yield key, "raw", page.raw
        if following is not None and following.number == page.number + 1:
            start, end = seam_tail(page.text, page.body_end)
            head = seam_head(following.text)
            if start < end and head.strip():
                tail = match_form(page.text[start:end], spans_within(page.spaced, start, end))
                head_match = match_form(head, spans_within(following.spaced, 0, len(head)))
                yield key, "seam", seam_value(tail.text, head_match.text)


# The analysis kind of each field ("raw" is run through every kind).
FIELD_KINDS = {
    "exact": ["exact", "shingles"],
    "margin": ["exact"],
    "body": ["stemmed"],
    "seam": ["seam", "shingles_seam"],
    "raw": ["exact", "stemmed", "seam"],
    "title": ["stemmed"],
    "author": ["exact"],
    "publisher": ["exact"],
}


def digest(stream: Iterable[Any]) -> str:
    """The token count and a hash of the stream."""
    items = [list(t) if isinstance(t, tuple) else t for t in stream]
    text = json.dumps(items, ensure_ascii=False, separators=(",", ":"))
    return f"{len(items)}:{hashlib.sha256(text.encode('utf-8')).hexdigest()[:16]}"


def digests(catalog: Catalog, kinds: Kinds, shingles: Callable[[str], list[str]]) -> dict[str, str]:
    """The digest of every analysed value of the catalog's reports, by report:page:field:kind."""
    out: dict[str, str] = {}
    for report_id in sorted(catalog.searchable_ids()):
        report = catalog.report(report_id)
        values = [("-", f, getattr(report, f) or "") for f in ("title", "author", "publisher")]
        for page_key, fieldname, value in [*values, *field_values(catalog.pages(report_id))]:
            for kind in FIELD_KINDS[fieldname]:
                if kind == "shingles":
                    stream: Any = shingles(value)
                elif kind == "shingles_seam":
                    stream = shingles(value.replace(SEAM_BREAK, ""))
                else:
                    stream = kinds[kind](value)
                out[f"{report_id}:{page_key}:{fieldname}:{kind}"] = digest(stream)
    return out


def corpus_words(catalog: Catalog) -> Counter[str]:
    """Occurrences of every folded word of the catalog's page texts (match form and raw),
    margins and titles."""
    texts: list[str] = []
    for report_id in catalog.searchable_ids():
        texts.append(match_form(catalog.report(report_id).title or "").text)
        for page in catalog.pages(report_id):
            texts += [match_form(page.text, page.spaced).text, page.raw or ""]
            texts += [match_form(line).text for line in page.margins]
    return Counter(tokens.fold(w) for text in texts for w, _, _ in tokens.word_spans(text))


def whoosh_kinds(analysis: Any = None) -> tuple[Kinds, Callable[[str], list[str]]]:
    """The analysis kinds as the Whoosh analyzers of `analysis` (a module with the analyzer
    factories of `indexer.engine.whoosh.analysis`, the default) compute them."""
    if analysis is None:
        from indexer.engine.whoosh import analysis

    def run(analyzer: Any) -> Callable[[str], Stream]:
        def analyse(text: str) -> Stream:
            return [
                (t.text, t.pos, t.startchar, t.endchar)
                for t in analyzer(text, positions=True, chars=True)
            ]

        return analyse

    kinds = {
        "exact": run(analysis.exact_analyzer()),
        "stemmed": run(analysis.stemming_analyzer()),
        "seam": run(analysis.seam_analyzer()),
    }
    return kinds, analysis.shingles


def _update(corpus: Path) -> None:
    from indexer.config import Settings
    from indexer.library import Library

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data=Path(tmp) / "data", workers=2, extract_timeout=120, ocr="off")
        lib = Library(settings)
        lib.ingest([corpus])
        lib.close()
        with Catalog(settings.catalog_path) as catalog:
            found = digests(catalog, *whoosh_kinds())
    FIXTURE.write_text(json.dumps(found, indent=0, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {len(found)} digests to {FIXTURE}")


if __name__ == "__main__":
    if sys.argv[1:] != ["--update"]:
        sys.exit("usage: python -m tests.token_fixture --update")
    from tests.conftest import CORPUS

    _update(CORPUS)
