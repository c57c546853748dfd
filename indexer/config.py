"""One Settings object: every setting with its default, its environment variable and its help.

Precedence: explicit arguments (CLI flags, `create_app(settings)`), then `INDEXER_*`
environment variables, then the defaults.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any


def _setting(default: Any, help: str) -> Any:
    return field(default=default, metadata={"help": help})


@dataclass(frozen=True)
class Settings:
    """Settings of the indexer; each field's metadata carries its help (shown in the README)."""

    data: Path = _setting(
        Path("data"), "Folder holding the catalog (catalog.sqlite) and the index."
    )
    workers: int = _setting(
        min(os.cpu_count() or 1, 4),
        "Worker processes that extract text from PDFs (and analyse pages for the index).",
    )
    extract_timeout: float = _setting(
        120.0, "Seconds one PDF may take to extract before it is killed and marked failed."
    )
    commit_every: int = _setting(50, "Reports added to the index between commits during an ingest.")
    commit_pages: int = _setting(
        400, "... or pages, whichever comes first: the index follows the extraction closely."
    )
    token: str = _setting(
        "", "Bearer token for the web API's write endpoints; empty disables uploads and deletes."
    )
    max_upload_mb: int = _setting(100, "Largest PDF the web API accepts for upload, in MB.")
    base_url: str = _setting(
        "",
        "Public base URL of the web service, for every absolute URL it gives (citations,"
        " meta tags, opensearch.xml); empty: http://HOST:PORT of `indexer serve`.",
    )
    secret_key: str = _setting(
        "",
        "Key that signs librarians' session cookies; empty: one is generated once into"
        " DATA/secret_key.",
    )
    session_hours: float = _setting(8.0, "Hours a librarian's login lasts.")
    render_cache_mb: int = _setting(
        500, "Disk space for rendered page images (the least recently used go first), in MB."
    )
    worker_memory_mb: int = _setting(
        1024,
        "Memory (address space, in MB) each extraction worker may use; a PDF that needs more is"
        " marked failed (reason `memory_limit`) and the run goes on; 0: no limit.",
    )
    max_content_mb: int = _setting(
        512,
        "Decoded page content (content streams, forms, then the text they give), in MB, one PDF"
        " may hold before it is marked failed (reason `too_large`).",
    )
    extractor: str = _setting(
        "pypdf",
        "Which extractor reads page text first: `pypdf` (the default) or `pdfium` (PDFium, about"
        " twice as fast, for large collections). Either re-reads with the other the pages it"
        " reads as garbled, or as empty though they draw text.",
    )
    ocr: str = _setting(
        "auto",
        "OCR of the pages no extractor reads as text (scans, broken fonts): `auto` runs"
        " Tesseract when it is installed, `off` never does.",
    )
    ocr_langs: str = _setting(
        "auto",
        "Tesseract languages tried by OCR, e.g. `rus+eng`; `auto`: the language of the"
        " report's other pages (with English), else `eng+rus+ukr`; installed ones only.",
    )
    lock_timeout: float = _setting(
        float("inf"),
        "Seconds an ingest or rebuild waits for another one writing to the same data folder"
        " before it gives up (error `busy`, nothing changed); `inf`: as long as needed.",
    )
    search_timeout_ms: int = _setting(
        3000,
        "Milliseconds one search may take (wildcard expansion, counting, facets, snippets)"
        " before it is stopped with a 503 (CLI: exit 1), error `timeout`; 0: no limit.",
    )
    engine: str = _setting(
        "whoosh",
        "The search engine that holds the index of pages: `whoosh` (embedded, in DATA/index)"
        " or `opensearch` (a cluster, see the INDEXER_OPENSEARCH_* settings).",
    )
    opensearch_url: str = _setting(
        "http://127.0.0.1:9200",
        "Comma-separated URLs of OpenSearch nodes (https:// for TLS), with INDEXER_ENGINE"
        "=opensearch.",
    )
    opensearch_user: str = _setting(
        "", "User name for OpenSearch's basic authentication; empty: no authentication."
    )
    opensearch_password: str = _setting("", "Password of INDEXER_OPENSEARCH_USER.")
    opensearch_ca_file: str = _setting(
        "",
        "PEM file of the certificate authority that signed the OpenSearch nodes' certificates;"
        " empty: the system's CAs.",
    )
    opensearch_index: str = _setting(
        "indexer-pages",
        "Name of the OpenSearch alias searched; each build is a concrete index behind it, named"
        " after it. Give each data folder (catalog) its own.",
    )
    opensearch_shards: int = _setting(
        3, "Primary shards of a new OpenSearch index (one per data node is a good start)."
    )
    opensearch_replicas: int = _setting(
        1, "Replicas of each OpenSearch shard (1: a node may fail without losing pages)."
    )
    fetch_timeout: float = _setting(
        60.0,
        "Seconds one fetch by URL (redirects included) may take before it fails (reason"
        " `timeout`); its size limit is the upload limit.",
    )
    fetch_allow: str = _setting(
        "",
        "Test-only: comma-separated networks (e.g. 127.0.0.1/32) exempt from the fetcher's"
        " refusal of loopback, private and link-local addresses. Leave empty in production.",
    )

    oai_page_size: int = _setting(
        100,
        "Records (or headers) in one OAI-PMH list response at /oai before a resumptionToken"
        " asks for the next.",
    )
    oai_admin_email: str = _setting(
        "",
        "Contact address OAI-PMH Identify gives harvesters; empty: webmaster@ the host of"
        " INDEXER_BASE_URL.",
    )

    @property
    def catalog_path(self) -> Path:
        """The sqlite catalog, the source of truth."""
        return self.data / "catalog.sqlite"

    @property
    def index_dir(self) -> Path:
        """The Whoosh index, derived from the catalog."""
        return self.data / "index"

    @property
    def render_dir(self) -> Path:
        """Where rendered page images are cached (safe to delete)."""
        return self.data / "render-cache"

    @property
    def uploads_dir(self) -> Path:
        """Where PDFs uploaded through the web API are kept (never in the served collection)."""
        return self.data / "uploads"

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None, **overrides: Any) -> Settings:
        """Settings from `INDEXER_<NAME>` variables, then `overrides` (None values are ignored)."""
        env = dict(os.environ if env is None else env)
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = env.get(f"INDEXER_{f.name.upper()}")
            if raw is not None and raw != "":
                values[f.name] = _convert(f.default, raw)
        values.update({k: v for k, v in overrides.items() if v is not None})
        if "data" in values:
            values["data"] = Path(values["data"])
        return cls(**values)


def _convert(default: Any, raw: str) -> Any:
    """Convert an environment string to the type of the setting's default."""
    if isinstance(default, Path):
        return Path(raw)
    if isinstance(default, bool):
        return raw.lower() in ("1", "true", "yes", "on")
    if isinstance(default, int):
        return int(raw)
    if isinstance(default, float):
        return float(raw)
    return raw


def documented_settings() -> list[tuple[str, str, Any, str]]:
    """(field, environment variable, default, help) for each setting, for docs and tests."""
    return [
        (f.name, f"INDEXER_{f.name.upper()}", f.default, f.metadata["help"])
        for f in fields(Settings)
    ]
