"""Bring a PDF in by URL: fetch it safely into the uploads folder and record where it came from.

Each download gets its own folder under DATA/uploads (as an upload does), so deleting the
report deletes the file. The fetch is recorded in the catalog whether it worked or not; the
metadata record then gives the final URL as `source_url` and the day as `retrieved`, and a
feed entry's title, date, authors and link with source `feed`.
"""

from __future__ import annotations

import re
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .catalog import Catalog
from .config import Settings
from .errors import FetchError, UrlRefused
from .fetch import Fetcher
from .ingest import hash_file

NAME = re.compile(r"[^\w.-]+")


def fetcher_for(settings: Settings) -> Fetcher:
    """The fetcher with this collection's limits: the upload size limit and fetch timeout."""
    return Fetcher(
        timeout=settings.fetch_timeout,
        max_bytes=settings.max_upload_mb * 1024 * 1024,
        allow=settings.fetch_allow,
    )


@dataclass
class Download:
    """One URL's download: the stored file, or why there is none."""

    url: str
    path: Path | None = None
    sha256: str | None = None
    known: bool = False  # the catalog already had these bytes (the file was not kept)
    error: str | None = None
    reason: str | None = None


def download(
    settings: Settings,
    url: str,
    *,
    fetcher: Fetcher | None = None,
    folder: str | None = None,
    entry: dict[str, Any] | None = None,
    follow_id: str | None = None,
    keep_known: bool = True,
) -> Download:
    """Fetch the PDF at `url` into DATA/uploads/FOLDER/ (default: a new id) and record the
    fetch. With `keep_known` False, bytes the catalog already has are not kept (`known`)."""
    fetcher = fetcher or fetcher_for(settings)
    target = settings.uploads_dir / (folder or uuid.uuid4().hex)
    target.mkdir(parents=True, exist_ok=True)
    partial = target / ".download"
    result = Download(url)
    try:
        with partial.open("wb") as out:
            fetched = fetcher.fetch(url, out, pdf=True)
    except (FetchError, UrlRefused) as e:
        shutil.rmtree(target, ignore_errors=True)
        result.error, result.reason = str(e), e.reason
        with Catalog(settings.catalog_path) as catalog:
            catalog.record_fetch(url, final_url=None, sha256=None, follow_id=follow_id,
                                 error=result.error, reason=result.reason)  # fmt: skip
        return result
    result.sha256 = hash_file(partial)
    with Catalog(settings.catalog_path) as catalog:
        result.known = catalog.has_bytes(result.sha256)
        catalog.record_fetch(url, final_url=fetched.final_url, sha256=result.sha256,
                             follow_id=follow_id, entry=entry)  # fmt: skip
    if result.known and not keep_known:
        shutil.rmtree(target, ignore_errors=True)
        return result
    result.path = target / safe_filename(fetched.filename or "download")
    partial.replace(result.path)
    return result


def safe_filename(name: str) -> str:
    """A file name that cannot leave its folder: letters, digits, dot, dash, underscore; it
    ends in .pdf."""
    stem = Path(name.replace("\\", "/")).name
    stem = NAME.sub("_", stem).strip("._") or "upload"
    if not stem.lower().endswith(".pdf"):
        stem += ".pdf"
    return stem[-120:]
