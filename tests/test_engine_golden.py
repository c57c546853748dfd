"""The same answers from every search engine: the queries of tests/data/engine_queries.txt over
../shared/corpus give exactly the (report, page) sets, totals, labels, snippets and highlights
recorded in tests/data/engine_golden.json.

The golden file was written by the Whoosh engine before the engine interface existed, so this
test holds a refactoring of the engine, and a new engine, to the same matches. When a change is
meant to alter matches (a new extractor, OCR, a new analysis rule), write the file again and
read its diff: `python -m tests.test_engine_golden --update`.
"""

from __future__ import annotations

import json
import sys
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any

from indexer.config import Settings
from indexer.library import Library

DATA = Path(__file__).resolve().parent / "data"
QUERIES = DATA / "engine_queries.txt"
GOLDEN = DATA / "engine_golden.json"
ALL_HITS = 2000  # more than the pages of the corpus: every matching page, in any order


def queries() -> list[str]:
    """The queries, in file order."""
    lines = QUERIES.read_text(encoding="utf-8").splitlines()
    return [q.strip() for q in lines if q.strip() and not q.startswith("#")]


def answers(lib: Library) -> dict[str, Any]:
    """Each query's total and matching pages, in an order no engine's scores decide."""
    out: dict[str, Any] = {}
    for query in queries():
        result = lib.search(query, limit=ALL_HITS, per_report=0, versions="all")
        hits = sorted(result.hits, key=lambda h: (h.report_id, h.page))
        out[query] = {
            "total": result.total,
            "hits": [[h.report_id, h.page, h.page_label, h.snippet, h.highlights] for h in hits],
        }
    return out


def test_every_engine_gives_the_recorded_answers(corpus_lib: Library) -> None:
    unhurried = Library(replace(corpus_lib.settings, search_timeout_ms=0))
    try:
        got = answers(unhurried)
    finally:
        unhurried.close()
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))
    assert list(got) == list(golden), "the query list and the golden file differ: --update"
    wrong = {q: {"got": got[q]["total"], "golden": golden[q]["total"]}
             for q in golden if got[q] != golden[q]}  # fmt: skip
    assert wrong == {}
    assert sum(1 for q in golden if golden[q]["hits"]) >= 90  # the queries do find things


def _update(corpus: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        lib = Library(Settings(data=Path(tmp) / "data", workers=2, search_timeout_ms=0, ocr="off"))
        lib.ingest([corpus])
        GOLDEN.write_text(
            json.dumps(answers(lib), ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
        )
        lib.close()
    print(f"wrote {GOLDEN}")


if __name__ == "__main__":
    if sys.argv[1:] != ["--update"]:
        sys.exit("usage: python -m tests.test_engine_golden --update")
    from tests.conftest import CORPUS

    _update(CORPUS)
