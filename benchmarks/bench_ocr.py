"""Benchmark of the second extractor and OCR: OCR pages/s and character error rate on generated
scans, then the corpus pages each extractor read and what each path costs.

Usage: python benchmarks/bench_ocr.py [CORPUS_DIR] (default ../shared/corpus). Prints figures.
Needs Tesseract (`indexer stats` says how to install it) for the OCR figures.
"""

from __future__ import annotations

import os
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

from rapidfuzz.distance import Levenshtein

from indexer import ocr, pdfium
from indexer.config import Settings
from indexer.extract import extract
from indexer.library import Library
from indexer.workers import extract_all

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.pdfs import make_scanned_pdf  # noqa: E402
from tests.test_ocr import ENGLISH, RUSSIAN  # noqa: E402

PAGES = 6  # generated pages OCR'd for the speed figures


def main() -> None:
    """Run the benchmark and print the figures."""
    corpus = Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/corpus")
    if not ocr.installed_languages():
        print(f"Tesseract is not installed ({ocr.INSTALL}): no OCR figures")
    else:
        with tempfile.TemporaryDirectory() as tmp:
            generated_scans(Path(tmp))
    with tempfile.TemporaryDirectory() as tmp:
        corpus_paths(corpus, Path(tmp))


def generated_scans(tmp: Path) -> None:
    """OCR speed on dense generated pages (one worker, then two) and the error rate."""
    os.environ["OMP_THREAD_LIMIT"] = "1"  # as in the extraction workers
    dense = "\n".join([*ENGLISH.splitlines(), *RUSSIAN.splitlines()] * 5)
    path, _ = make_scanned_pdf(tmp / "dense.pdf", [dense] * PAGES)
    start = time.perf_counter()
    for number in range(1, PAGES + 1):
        ocr.read_page(path, number, "eng+rus", 120)
    one = time.perf_counter() - start
    print(f"OCR, one process: {PAGES} dense pages (40 lines) in {one:.1f} s,"
          f" {PAGES / one:.2f} pages/s")  # fmt: skip
    start = time.perf_counter()
    [(_, doc)] = list(extract_all([path], workers=2, timeout=120, ocr_langs="eng+rus"))
    two = time.perf_counter() - start
    assert not isinstance(doc, Exception) and all(p.text_source == "ocr" for p in doc.pages)
    print(
        f"OCR, 2 workers: {PAGES} pages in {two:.1f} s, {PAGES / two:.2f} pages/s"
        " (the file's extraction and worker start included)"
    )
    for name, text in (("English", ENGLISH), ("Russian", RUSSIAN)):
        scan, _ = make_scanned_pdf(tmp / f"{name}.pdf", [text])
        for langs in ("eng+rus+ukr", "eng" if name == "English" else "rus+eng"):
            read = ocr.read_page(scan, 1, langs, 120)
            truth = " ".join(text.split())
            rate = Levenshtein.distance(truth, " ".join(read.text.split())) / len(truth)
            print(f"CER, generated {name} scan, {langs}: {rate:.2%} ({len(truth)} characters)")


def corpus_paths(corpus: Path, tmp: Path) -> None:
    """Pages per text_source on the corpus, and the time of each path."""
    pypdf_seconds = pdfium_seconds = 0.0
    asked = []
    for path in sorted(corpus.glob("*.pdf")):
        start = time.perf_counter()
        try:
            doc = extract(path, second_extractor=False)
        except Exception:  # the files that fail are left out of the figure
            continue
        pypdf_seconds += time.perf_counter() - start
        # What extract() gives PDFium: the pages pypdf reads as garbled or empty (of the
        # empty ones, only those that show text, so this is an upper bound).
        unread = [p.number for p in doc.pages if p.quality != "ok"]
        if unread:
            start = time.perf_counter()
            pdfium.page_texts(path, unread)
            pdfium_seconds += time.perf_counter() - start
            asked.append(f"{path.name} {len(unread)}")
    print(f"corpus, one process: pypdf {pypdf_seconds:.1f} s; PDFium on the pages pypdf does not"
          f" read as text {pdfium_seconds:.2f} s ({', '.join(asked)} pages)")  # fmt: skip
    for mode in ("off", "auto"):
        if mode == "auto" and not ocr.installed_languages():
            break
        settings = Settings(data=tmp / mode, workers=2, ocr=mode)
        library = Library(settings)
        start = time.perf_counter()
        summary = library.ingest([corpus])
        seconds = time.perf_counter() - start
        library.close()
        db = sqlite3.connect(settings.catalog_path)
        sources = dict(db.execute("SELECT text_source, count(*) FROM pages GROUP BY 1"))
        ok = dict(db.execute("SELECT text_source, count(*) FROM pages WHERE quality = 'ok'"
                             " GROUP BY 1"))  # fmt: skip
        db.close()
        shown = ", ".join(f"{s} {n} ({ok.get(s, 0)} text)" for s, n in sorted(sources.items()))
        print(f"corpus ingest, OCR {mode}, 2 workers: {seconds:.1f} s; pages per text_source:"
              f" {shown}; files: {summary.counts['indexed']} indexed,"
              f" {summary.counts['no_text']} no_text")  # fmt: skip


if __name__ == "__main__":
    main()
