"""Benchmark of ingest as the collection grows: does the time per file stay flat?

Usage: python benchmarks/bench_scale.py [FILES] [BATCH] (defaults: 10000 1000).

Generates FILES one-page PDFs (cached in benchmarks/.cache/, as generating them takes a while),
ingests them through the Library in folders of BATCH files, one ingest run per folder, and prints
the time per file of each run: with no scan left in a catalog write, the last runs cost what the
first did. Then a re-ingest of the first folder with nothing changed, and the home page through
the Flask test client on the full collection. Prints figures.
"""

from __future__ import annotations

import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fpdf import FPDF  # noqa: E402

from indexer.config import Settings  # noqa: E402
from indexer.library import Library  # noqa: E402
from indexer.web import create_app  # noqa: E402
from tests.generated import PHRASES, page_text  # noqa: E402

CACHE = Path(__file__).resolve().parent / ".cache"


def generate(folder: Path, files: int, batch: int) -> list[Path]:
    """The batch folders of `files` one-page PDFs, each with its own text (so its own report),
    generated once: a `done` file marks a complete set."""
    batches = [folder / f"batch-{b:03d}" for b in range(-(-files // batch))]
    if (folder / "done").exists():
        return batches
    rng = random.Random(1)
    for n in range(files):
        pdf = FPDF()
        # A core font: nothing to embed, so each file is small and quick to write.
        pdf.set_font("Helvetica", size=10)
        pdf.set_title(f"Generated report {n}: {rng.choice(PHRASES)}")
        pdf.add_page()
        pdf.multi_cell(0, 5, f"Report {n}. " + page_text(rng, 120))
        path = batches[n // batch] / f"report-{n:05d}.pdf"
        path.parent.mkdir(parents=True, exist_ok=True)
        pdf.output(str(path))
    (folder / "done").touch()
    return batches


def main() -> None:
    """Generate, ingest batch by batch, print the figures."""
    files = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    batch = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000
    start = time.perf_counter()
    batches = generate(CACHE / f"scale-{files}-{batch}", files, batch)
    print(f"{files} PDFs in {len(batches)} folders ready in {time.perf_counter() - start:.1f} s")
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data=Path(tmp) / "data", ocr="off")
        lib = Library(settings)
        per_file = []
        for n, folder in enumerate(batches):
            count = len(list(folder.glob("*.pdf")))
            start = time.perf_counter()
            summary = lib.ingest([folder])
            took = time.perf_counter() - start
            per_file.append(took / count * 1000)
            print(
                f"batch {n + 1:2}: {count} files in {took:6.1f} s, {per_file[-1]:5.2f} ms/file"
                f" (catalog then {(n + 1) * batch} reports; {summary.counts['indexed']} indexed)"
            )
        print(
            f"first batch {per_file[0]:.2f} ms/file, last batch {per_file[-1]:.2f} ms/file,"
            f" last/first {per_file[-1] / per_file[0]:.2f}"
        )
        start = time.perf_counter()
        lib.ingest([batches[0]])
        print(
            f"re-ingest of the first folder, nothing changed: {time.perf_counter() - start:.2f} s"
        )
        lib.close()

        client = create_app(settings).test_client()
        times = []
        for _ in range(6):
            start = time.perf_counter()
            response = client.get("/")
            times.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, response.status_code
        print(
            f"home page on {files} reports: first {times[0]:.0f} ms,"
            f" then median {statistics.median(times[1:]):.0f} ms"
        )


if __name__ == "__main__":
    main()
