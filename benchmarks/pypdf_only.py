"""The ingest baseline: one process that only runs pypdf's `extract_text` over every page of
the PDFs under a folder (nothing stored, no other extractor, no worker processes).

Usage: python benchmarks/pypdf_only.py FOLDER. Prints how many pages it read.
"""

from __future__ import annotations

import sys
from pathlib import Path

from pypdf import PdfReader


def main() -> None:
    """Read every page of every PDF under the folder."""
    pages = 0
    for path in sorted(Path(sys.argv[1]).rglob("*.pdf")):
        try:
            for page in PdfReader(path).pages:
                page.extract_text()
                pages += 1
        except Exception as exc:  # a broken file is skipped, as the indexer reports and goes on
            print(f"{path}: {exc}", file=sys.stderr)
    print(pages)


if __name__ == "__main__":
    main()
