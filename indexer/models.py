"""Plain data passed between the modules: what extraction yields and what search returns."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from .errors import QueryError

# Page quality flags (see normalize.classify_quality).
OK, EMPTY, GARBLED = "ok", "empty", "garbled"
# Which path gave a page its text: pypdf, PDFium where pypdf's was garbled or empty, or OCR
# (Tesseract) where both were.
PYPDF, PDFIUM, OCR = "pypdf", "pdfium", "ocr"
TEXT_SOURCES = (PYPDF, PDFIUM, OCR)

# File statuses in the catalog.
INDEXED, DUPLICATE, FAILED, NO_TEXT, MISSING = (
    "indexed",
    "duplicate",
    "failed",
    "no_text",
    "missing",
)
STATUSES = (INDEXED, DUPLICATE, FAILED, NO_TEXT, MISSING)
# A file a librarian deleted from the collection: ingest skips its path from then on.
EXCLUDED = "excluded"
GONE = (MISSING, EXCLUDED)  # file statuses whose bytes are not available to search
# How hits may be ordered (best matches, newest reports, newest additions), and which versions
# of a work are shown (the newest, with the others counted; or all).
SORTS = ("relevance", "date", "added")
VERSIONS = ("latest", "all")


@dataclass
class Page:
    """One PDF page: `number` is the 1-based PDF page, `label` the printed page number or None.

    `text` is the display form (as printed, margins cut); `raw` the extractor's text (None for
    pages extracted before it was kept); `margins` the running header and footer lines cut from
    the display; `body_end` where the running body ends in `text` (the footnotes follow);
    `spaced` the [start, end) spans of letter-spaced words in `text`. `text_source` says which
    extractor gave `raw` (one of TEXT_SOURCES); an OCR'd page keeps Tesseract's words in
    `words`, each [start, end, left, bottom, right, top]: its offsets in `raw` and its box in
    PDF points (page space, from the bottom left corner). `language` is the page's ISO 639-1
    code, `und` when it could not be told, None on pages extracted before it was detected.
    """

    number: int
    text: str
    label: str | None = None
    quality: str = OK
    raw: str | None = None
    margins: list[str] = field(default_factory=list)
    body_end: int | None = None
    spaced: list[list[int]] = field(default_factory=list)
    text_source: str = PYPDF
    words: list[list[float]] = field(default_factory=list)
    language: str | None = None


@dataclass
class Document:
    """What extraction yields for one PDF file."""

    pages: list[Page]
    title: str | None = None
    author: str | None = None
    subject: str | None = None
    publisher: str | None = None
    created: str | None = None  # ISO 8601 date (YYYY-MM-DD or a prefix of it)
    language: str | None = None  # ISO 639-1 code guessed from the text
    warnings: int = 0  # how many warnings pypdf logged for this file
    # The document info and XMP as read ({"info": {...}, "xmp": {...}}), kept so that the
    # metadata record can be derived again without the PDF.
    raw_meta: dict[str, Any] = field(default_factory=dict)
    # What the pages are derived from again when OCR replaces some (extract.compose): the
    # /PageLabels, and the title and publisher the metadata gave (None: it gave none).
    declared_labels: list[str] | None = None
    info_title: str | None = None
    info_publisher: str | None = None

    @property
    def year(self) -> int | None:
        """The year of `created`, if known."""
        return int(self.created[:4]) if self.created and self.created[:4].isdigit() else None


@dataclass
class Report:
    """A report as the index needs it: its id, main path and the metadata copied onto every page."""

    report_id: str
    path: str
    title: str
    author: str | None = None
    publisher: str | None = None
    year: int | None = None
    created: str | None = None
    language: str | None = None
    # The metadata record's values (see metadata.FIELDS); authors as CSL names.
    meta: dict[str, Any] = field(default_factory=dict)
    # Versions of one work share `work` (None: the only version); `rank` 0 is the newest.
    work: str | None = None
    rank: int = 0
    # When the report was added to the catalog (ISO 8601, UTC): sort=added orders by it.
    added: str | None = None


@dataclass
class Filters:
    """Narrowing of a search: values within one field are alternatives, fields all apply."""

    publisher: list[str] = field(default_factory=list)
    year: list[int] = field(default_factory=list)
    year_from: int | None = None
    year_to: int | None = None
    lang: list[str] = field(default_factory=list)
    report_type: list[str] = field(default_factory=list)
    tag: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        ranges = (self.year_from, self.year_to)
        listed = self.publisher or self.year or self.lang or self.report_type or self.tag
        return bool(listed) or ranges != (None, None)


@dataclass(frozen=True)
class SearchOptions:
    """How one search runs, whichever engine runs it.

    At most `per_report` pages come from one report (0: no cap); `offset` hits are skipped and
    `limit` shown. `report_id` and `filters` narrow the search; with `facets` the result carries
    counts per publisher, year, language, type and tag. `sort` is one of SORTS and `versions`
    one of VERSIONS. `timeout_ms` bounds the whole search (0: no limit).
    """

    limit: int = 10
    per_report: int = 3
    report_id: str | None = None
    offset: int = 0
    filters: Filters | None = None
    facets: bool = False
    sort: str = "relevance"
    versions: str = "latest"
    timeout_ms: int = 0

    def __post_init__(self) -> None:
        if self.limit < 0 or self.per_report < 0 or self.offset < 0:
            raise ValueError("limit, per_report and offset must be >= 0")
        if self.sort not in SORTS:
            raise QueryError(f"sort must be one of {', '.join(SORTS)}")
        if self.versions not in VERSIONS:
            raise QueryError(f"versions must be one of {', '.join(VERSIONS)}")

    @property
    def latest_only(self) -> bool:
        """Whether older versions of a work fold into the newest (never inside one report)."""
        return self.versions == "latest" and self.report_id is None


@dataclass
class Hit:
    """One matching page, ready to be cited."""

    report_id: str
    title: str
    path: str
    page: int
    page_label: str | None
    snippet: str
    highlights: list[list[int]]
    score: float
    publisher: str | None = None
    year: int | None = None
    lang: str | None = None
    authors: list[str] = field(default_factory=list)
    date: str | None = None
    report_number: str | None = None
    version: str | None = None
    # How many other versions of the same work also match (shown as "other versions (n)").
    other_versions: int = 0
    # A phrase that runs on past the page end: the PDF page and printed label it ends on.
    continues_on: int | None = None
    continues_on_label: str | None = None
    # Which extractor read the page (one of TEXT_SOURCES): "ocr" text may hold misreadings.
    text_source: str = PYPDF
    # Where the snippet starts in the page's display text (for links to the page view), and
    # when the report was added (for feed entries); neither is part of the JSON.
    snippet_start: int = 0
    added: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of a hit (the CLI contract)."""
        data = asdict(self)
        del data["snippet_start"], data["added"]
        return data

    @property
    def passage(self) -> tuple[int, int] | None:
        """The display-text offsets from the first highlight to the last, if any."""
        if not self.highlights:
            return None
        return self.snippet_start + self.highlights[0][0], self.snippet_start + max(
            e for _, e in self.highlights
        )


@dataclass
class SearchResult:
    """A page of hits plus how many pages matched in all."""

    query: str
    total: int
    total_is_estimate: bool
    hits: list[Hit] = field(default_factory=list)
    shown_total: int = 0  # hits left after the per-report cap: what paging walks through
    facets: dict[str, list[dict[str, Any]]] | None = None

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of a search result (the CLI contract, plus facets when asked for)."""
        data: dict[str, Any] = {
            "query": self.query,
            "total": self.total,
            "total_is_estimate": self.total_is_estimate,
            "hits": [h.to_dict() for h in self.hits],
        }
        if self.facets is not None:
            data["facets"] = self.facets
        return data
