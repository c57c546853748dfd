"""Every error the core raises, under one base class.

The rule (borrowed from pypdf): raise when the caller must act, log when we recovered.
Each class says what the user can do about it; the CLI and the web map them in one place.
"""


class IndexerError(Exception):
    """Base class of every error the indexer raises on purpose."""

    kind = "error"


class QueryError(IndexerError):
    """The search query cannot be run as written; the message says how to fix it."""

    kind = "query_error"


class NotFound(IndexerError):
    """A report, page or file asked for does not exist in the catalog."""

    kind = "not_found"


# Why a file failed, for programs: the `reason` beside `error` in the ingest, reports and jobs JSON.
MEMORY_LIMIT, TOO_LARGE, TIMEOUT = "memory_limit", "too_large", "timeout"
ENCRYPTED, NOT_PDF, DAMAGED = "encrypted", "not_pdf", "damaged"
# ...and why a fetch by URL failed (see fetch.py).
URL_REFUSED, HTTP_ERROR, UNREACHABLE = "url_refused", "http_error", "unreachable"
TOO_MANY_REDIRECTS = "too_many_redirects"
REASONS = (MEMORY_LIMIT, TOO_LARGE, TIMEOUT, ENCRYPTED, NOT_PDF, DAMAGED,
           URL_REFUSED, HTTP_ERROR, UNREACHABLE, TOO_MANY_REDIRECTS)  # fmt: skip


class ExtractionError(IndexerError):
    """A PDF could not be read (broken, encrypted with a password, not a PDF, timed out, over a
    memory or size limit).

    The file is recorded as `failed` with this message and `reason` (one of REASONS); fix or
    replace the file, or raise the limit it hit, and ingest again with `--retry-failed`.
    """

    kind = "extraction_error"

    def __init__(self, message: str, reason: str = DAMAGED) -> None:
        super().__init__(message)
        self.reason = reason


class OcrUnavailable(IndexerError):
    """OCR was asked for, but Tesseract is not installed or INDEXER_OCR is `off`; install it
    (Debian: apt-get install tesseract-ocr tesseract-ocr-rus …) or set INDEXER_OCR=auto."""

    kind = "ocr_unavailable"


class IndexUnavailable(IndexerError):
    """The search index is missing or unusable; run `indexer rebuild` (or ingest) to recreate it."""

    kind = "index_unavailable"


class UnsupportedFile(IndexerError):
    """An uploaded file is not a PDF (judged by its content, not its name); upload a PDF."""

    kind = "unsupported_file"


class TooLarge(IndexerError):
    """An upload is over the size limit (INDEXER_MAX_UPLOAD_MB); raise the limit or split it."""

    kind = "too_large"


class RenderError(IndexerError):
    """A page could not be rendered as a picture (a damaged file, or it took too long); the
    page's text and the PDF itself are still there."""

    kind = "render_error"


class MetadataError(QueryError):
    """A metadata edit names an unknown field or gives a value that field cannot hold; the
    message names the field and what it takes."""

    kind = "metadata_error"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


class NotCitable(IndexerError):
    """The report failed to extract or has no text, so there is nothing to cite; fix or replace
    the file and ingest it again."""

    kind = "not_citable"


class Busy(IndexUnavailable):
    """Another process or thread is writing to this data folder (an ingest, a rebuild, the
    server's sync), and waiting for it took longer than allowed; nothing was changed. Run the
    command again later, or give a longer `--lock-timeout`."""

    kind = "busy"


class CatalogDamaged(IndexerError):
    """The catalog (catalog.sqlite) fails sqlite's integrity check, so nothing is derived from
    it; restore it from a backup, or ingest the PDFs again into a new data folder."""

    kind = "catalog_damaged"


class SearchTimeout(IndexerError):
    """A search took longer than its time budget (INDEXER_SEARCH_TIMEOUT_MS) and was stopped;
    try again, or narrow the query (fewer wildcards or fuzzy terms, more words, a filter)."""

    kind = "timeout"


class FetchError(IndexerError):
    """A URL could not be fetched: the server answered with an error, could not be reached,
    took too long, sent too much, or sent something that is not a PDF; `reason` says which
    (one of REASONS). Check the URL in a browser; the job or follow run records the message."""

    kind = "fetch_error"

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


class UrlRefused(QueryError):
    """A URL points at an address this server must not fetch from (loopback, private,
    link-local, multicast, cloud metadata), or is not an http(s) URL; give a public URL."""

    kind = "url_refused"
    reason = URL_REFUSED


class OaiError(QueryError):
    """An OAI-PMH request that cannot be answered as asked. The protocol answers it inside a
    normal response, as an error with this `code` (badVerb, badArgument, badResumptionToken,
    cannotDisseminateFormat, idDoesNotExist, noRecordsMatch, noMetadataFormats,
    noSetHierarchy) and message; the harvester fixes its request."""

    kind = "oai_error"

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
