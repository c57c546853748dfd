"""Shared fixtures: settings on a temp folder, and the real corpus ingested once per session."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from indexer import ocr
from indexer.config import Settings
from indexer.ingest import IngestSummary
from indexer.library import Library

# The browser harness and the engine fixtures are imported by test modules and loaded as
# plugins: rewrite their asserts.
pytest.register_assert_rewrite("tests.browser", "tests.engines")

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"


def corpus_manifest() -> dict[str, dict]:
    """The corpus manifest by file name."""
    return {e["file"]: e for e in json.loads((CORPUS / "manifest.json").read_text())}


@pytest.fixture(scope="session")
def tesseract() -> None:
    """Tesseract with its language data, or a skip saying how to install it (in CI, where
    .ci/run installs it, a failure)."""
    if not ocr.installed_languages():
        message = f"Tesseract is not installed: {ocr.INSTALL}"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings whose data folder is a fresh temp dir (OCR off: tests/test_ocr*.py turn it on)."""
    return Settings(data=tmp_path / "data", workers=2, extract_timeout=60, ocr="off")


@pytest.fixture
def lib(settings: Settings) -> Iterator[Library]:
    """A library on an empty data folder."""
    library = Library(settings)
    yield library
    library.close()


@pytest.fixture(scope="session")
def corpus() -> Path:
    """The shared corpus of real PDFs (../shared/corpus beside the repository)."""
    if not (CORPUS / "manifest.json").is_file():
        pytest.skip(f"the real corpus is not at {CORPUS}")
    return CORPUS


@pytest.fixture(scope="session")
def corpus_ingest(
    corpus: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Library, IngestSummary]:
    """The whole corpus ingested once into a session-wide data folder, OCR off (the scans are
    OCR'd in tests/test_ocr_corpus.py)."""
    data = tmp_path_factory.mktemp("corpus") / "data"
    library = Library(Settings(data=data, workers=2, extract_timeout=120, ocr="off"))
    return library, library.ingest([corpus])


@pytest.fixture(scope="session")
def corpus_lib(corpus_ingest: tuple[Library, IngestSummary]) -> Library:
    """A library holding the whole real corpus."""
    return corpus_ingest[0]
