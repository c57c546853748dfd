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


class ExtractionError(IndexerError):
    """A PDF could not be read (broken, encrypted with a password, not a PDF, timed out).

    The file is recorded as `failed` with this message; fix or replace the file and ingest again.
    """

    kind = "extraction_error"


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
