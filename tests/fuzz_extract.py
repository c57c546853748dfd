"""Coverage-guided fuzzing of extraction and normalization with atheris (libFuzzer).

    python tests/fuzz_extract.py SEEDS_DIR -runs=2000        # what `make test` runs
    python tests/fuzz_extract.py SEEDS_DIR -max_total_time=600  # `make fuzz`

Each input is either a PDF file's bytes (when it starts with "%PDF" or a seed) for `extract`,
or text for the page-text functions. A crash is any exception other than the project's own
ExtractionError, or running over the memory cap set here (RLIMIT_AS, like an extraction
worker's): libFuzzer then writes the input to crash-* and exits non-zero.
`write_seeds(folder)` fills a seed folder with small generated PDFs.
"""

from __future__ import annotations

import os
import resource
import sys
import tempfile
from pathlib import Path

import atheris

MEMORY_MB = int(os.environ.get("FUZZ_MEMORY_MB", "1024"))

with atheris.instrument_imports(include=["indexer", "pypdf"]):
    from indexer.errors import ExtractionError
    from indexer.extract import extract
    from indexer.normalize import classify_quality
    from indexer.textforms import display_text, match_form

_SCRATCH = Path(tempfile.mkdtemp(prefix="fuzz-extract-"))


def one_input(data: bytes) -> None:
    """Run one fuzz input through extraction (PDF bytes) or the text functions (otherwise)."""
    if data[:1] in (b"%", b"\n", b"\x00") or b"%PDF" in data[:1024]:
        path = _SCRATCH / "input.pdf"
        path.write_bytes(data)
        try:
            doc = extract(path)
        except ExtractionError:
            return
        for page in doc.pages:
            assert page.quality in ("ok", "empty", "garbled")
        return
    text = atheris.FuzzedDataProvider(data).ConsumeUnicodeNoSurrogates(len(data))
    classify_quality(text)
    shown = display_text(text)
    match_form(shown)


def write_seeds(folder: Path) -> list[Path]:
    """Small PDFs to start from: text pages, labels, Cyrillic, an image page, a broken page."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from tests.pdfs import make_image_only_pdf, make_pdf, make_pdf_with_broken_page

    folder.mkdir(parents=True, exist_ok=True)
    pages = ["A report page about inter-\nnational finance.", "Русский текст: защита.", "3"]
    return [
        make_pdf(folder / "text.pdf", pages, title="Seed", page_labels=["i", "1", "2"]),
        make_pdf(folder / "header.pdf", pages * 2, header="Running head"),
        make_image_only_pdf(folder / "image.pdf"),
        make_pdf_with_broken_page(folder / "broken.pdf", pages, broken=2),
    ]


def main() -> None:
    cap = MEMORY_MB * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--seeds":
        write_seeds(Path(sys.argv[2]))
    else:
        main()
