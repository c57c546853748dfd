"""Fixtures for the web tests: a small collection of generated reports, ingested once.

Test modules load them with `pytest_plugins = ["tests.web_fixtures"]`. The session collection
is read-only; a test that uploads or deletes gets `writable_app`, a copy of its data folder.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfWriter

from indexer.config import Settings
from indexer.library import Library
from indexer.web import create_app
from tests.pdfs import make_pdf

TOKEN = "test-token-0123456789"

# Filler that reads like a report, so snippets and screenshots look like the real thing.
_PROSE = (
    "This section reviews force structure, readiness and the budget requests that support them. "
    "Analysts disagree about how quickly units can be regenerated after sustained combat losses, "
    "and the evidence from recent exercises is mixed. Congress may wish to consider oversight "
    "of training, equipment modernization and the costs of forward deployment."
)
AIRBORNE_PAGE = 19  # PDF page of the key passage; its printed label is "17"
AIRBORNE_LABEL = "17"
XSS_TITLE = "<script>alert('title')</script> Report"
XSS_AUTHOR = "<img src=x onerror=alert(1)>"


@dataclass(frozen=True)
class Collection:
    """The generated reports: their folder, data folder and report ids by short name."""

    source: Path
    settings: Settings
    ids: dict[str, str]


def _dated(path: Path, created: str) -> Path:
    """Set the PDF's creation date (D:YYYYMMDD...), which gives the report its year."""
    writer = PdfWriter(clone_from=path)
    writer.add_metadata({"/CreationDate": f"D:{created}000000Z"})
    with path.open("wb") as f:
        writer.write(f)
    return path


def make_collection(folder: Path) -> dict[str, Path]:
    """Write the test reports into `folder`; returns their paths by short name."""
    labels = ["i", "ii", *[str(n) for n in range(1, 19)]]
    airborne = [f"Page {n} of the study. {_PROSE}" for n in range(1, 21)]
    airborne[0] = "Congressional Research Service\nRussian Airborne Forces\n" + _PROSE
    airborne[AIRBORNE_PAGE - 1] = (
        f"{_PROSE}\nThe airborne forces of Russia (VDV) are a separate branch under direct "
        "command of the General Staff. Since 2014 Russia has expanded its airborne forces "
        "with new assault regiments and modernized armour.\n" + _PROSE
    )
    paths = {
        "airborne": make_pdf(
            folder / "crs-airborne.pdf",
            airborne,
            title="Russian Airborne Forces: Structure, Doctrine and Readiness",
            author="Jane Q. Analyst; John Smith",
            page_labels=labels,
        ),
        "rand": make_pdf(
            folder / "rand-reaction.pdf",
            [
                "RAND Corporation\nRapid Reaction Forces in Europe\n" + _PROSE,
                f"{_PROSE} Allied planners study how airborne forces from Russia could seize "
                "airfields early in a crisis, and what that means for reinforcement.",
                "Appendix. " + _PROSE,
            ],
            title="Rapid Reaction Forces in Europe",
            author="RAND Corporation",
        ),
        "xss": make_pdf(
            folder / "hostile.pdf",
            [f"The walrus said <script>alert('snippet')</script> and left. {_PROSE}"],
            title=XSS_TITLE,
            author=XSS_AUTHOR,
        ),
        "russian": make_pdf(
            folder / "vdv-obzor.pdf",
            [
                "Обзор воздушно-десантных войск России. Воздушно-десантные войска являются "
                "отдельным родом войск и резервом Верховного главнокомандования. В последние "
                "годы в их составе сформированы новые десантно-штурмовые полки."
            ],
            title="Обзор воздушно-десантных войск",
        ),
    }
    _dated(paths["airborne"], "20240315")
    _dated(paths["rand"], "20190601")
    _dated(paths["xss"], "20210101")
    _dated(paths["russian"], "20240901")
    return paths


@pytest.fixture(scope="session")
def collection(tmp_path_factory: pytest.TempPathFactory) -> Collection:
    """The generated reports, ingested once for the whole session."""
    root = tmp_path_factory.mktemp("web")
    paths = make_collection(root / "reports")
    settings = Settings(data=root / "data", workers=2, extract_timeout=60, token=TOKEN)
    summary = Library(settings).ingest([root / "reports"])
    by_path = {f.path: f.report_id for f in summary.files}
    ids = {name: by_path[str(path.resolve())] for name, path in paths.items()}
    assert all(ids.values()), summary.to_dict()
    return Collection(root / "reports", settings, ids)


@pytest.fixture(scope="session")
def app(collection: Collection) -> Flask:
    """The app over the session collection (read-only: do not upload or delete with it)."""
    return create_app(collection.settings)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client of the session app."""
    return app.test_client()


@pytest.fixture
def ids(collection: Collection) -> dict[str, str]:
    """Report ids by short name: airborne, rand, xss, russian."""
    return collection.ids


@pytest.fixture
def writable_app(collection: Collection, tmp_path: Path) -> Iterator[Flask]:
    """An app over a private copy of the collection's data folder, for uploads and deletes."""
    data = tmp_path / "data"
    shutil.copytree(collection.settings.data, data)
    yield create_app(replace(collection.settings, data=data))
