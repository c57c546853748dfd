"""pypdf against PDFium as first extractor (INDEXER_EXTRACTOR): time, and how their texts differ.

Usage: python benchmarks/bench_extractors.py [CORPUS_DIR] (default: ../shared/corpus).
Extracts every PDF twice in this process, once with each extractor first (the other re-reading
what the first garbles, as ingest does), and prints the CPU time of each and, page by page,
whether the two give the same words (the match form's words, which is what search sees):
identical, the same words in another order, or different words, with the words most often
found by only one of them.
"""

from __future__ import annotations

import contextlib
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from indexer.errors import ExtractionError  # noqa: E402
from indexer.extract import extract  # noqa: E402
from indexer.models import Document  # noqa: E402
from indexer.textforms import match_form  # noqa: E402
from indexer.tokens import exact_tokens  # noqa: E402

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"


def words(text: str) -> list[str]:
    """The words search sees in a page's display text."""
    return [t.text for t in exact_tokens(match_form(text).text)]


def read_all(files: list[Path], extractor: str) -> tuple[float, dict[str, Document]]:
    """CPU seconds to extract `files` with `extractor` first, and the documents read."""
    docs = {}
    start = time.process_time()
    for path in files:
        with contextlib.suppress(ExtractionError):  # the same files fail either way
            docs[path.name] = extract(path, extractor=extractor)
    return time.process_time() - start, docs


def main() -> None:
    corpus = Path(sys.argv[1]) if len(sys.argv) > 1 else CORPUS
    files = sorted(corpus.glob("*.pdf"))
    cpu_pypdf, by_pypdf = read_all(files, "pypdf")
    cpu_pdfium, by_pdfium = read_all(files, "pdfium")
    pages = sum(len(d.pages) for d in by_pypdf.values())
    print(f"{len(by_pypdf)} readable files, {pages} pages")
    print(f"pypdf first:  {cpu_pypdf:6.1f} s CPU ({pages / cpu_pypdf:.0f} pages/s)")
    print(f"pdfium first: {cpu_pdfium:6.1f} s CPU ({pages / cpu_pdfium:.0f} pages/s), "
          f"{cpu_pdfium / cpu_pypdf:.2f} x pypdf")  # fmt: skip
    kinds: Counter[str] = Counter()
    only: dict[str, Counter[str]] = {"pypdf": Counter(), "pdfium": Counter()}
    sources: Counter[tuple[str, str]] = Counter()
    for name, doc in by_pypdf.items():
        other = by_pdfium.get(name)
        if other is None:
            continue
        for a, b in zip(doc.pages, other.pages, strict=True):
            sources[(a.text_source, b.text_source)] += 1
            wa, wb = words(a.text), words(b.text)
            if wa == wb:
                kinds["identical words" if a.text == b.text else "same words, other spacing"] += 1
            elif Counter(wa) == Counter(wb):
                kinds["same words, another order"] += 1
            else:
                kinds["different words"] += 1
                only["pypdf"].update((Counter(wa) - Counter(wb)).elements())
                only["pdfium"].update((Counter(wb) - Counter(wa)).elements())
    print("\npages by how the two texts compare:")
    for kind, n in kinds.most_common():
        print(f"  {kind:28} {n:5}  {n / pages:6.1%}")
    print("\ntext_source of each page (pypdf first, pdfium first):")
    for (a, b), n in sources.most_common():
        print(f"  {a:7} {b:7} {n:5}")
    for name, counter in only.items():
        total = sum(counter.values())
        common = ", ".join(f"{w!r} {n}" for w, n in counter.most_common(12))
        print(f"\nwords only {name} gives: {total}; most often: {common}")


if __name__ == "__main__":
    main()
