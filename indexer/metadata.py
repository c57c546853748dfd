"""A report's metadata record: each field from the best source that has it, and which one.

Sources, highest first: a librarian's edit, a sidecar file, a feed entry, what a fetch recorded,
the publisher's rule on the text, the "Cover Date:" in the PDF Keywords, XMP, the document info,
generic rules on the text, the file path; the PDF creation date is only the last resort for the
date. The record is derived again (from the stored page text and raw info/XMP, never the PDF)
whenever RULES_VERSION changes; edits are kept apart and laid over it.
"""

from __future__ import annotations

import csv
import datetime
import json
import logging
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from .covers import publisher_fields
from .errors import MetadataError
from .labels import heading_title, is_junk_author, is_junk_title
from .metarules import generic_fields, parse_date, pdf_date, split_authors

log = logging.getLogger(__name__)

# Bump when a rule changes: the next ingest derives every record again.
RULES_VERSION = 1

FIELDS = ("title", "subtitle", "authors", "publisher", "date", "report_number", "version",
          "report_type", "language", "source_url", "retrieved", "doi", "isbn", "abstract",
          "tags")  # fmt: skip
LISTS = ("authors", "tags")
SIDECAR_CSV = "metadata.csv"
_ISO_DATE = re.compile(r"(?:19|20|21)\d\d(?:-(?:0[1-9]|1[0-2])(?:-(?:0[1-9]|[12]\d|3[01]))?)?")
MAX_VALUE = 5000  # characters in one field's value
MIN_ABSTRACT = 200  # a shorter XMP description is a subject line, not an abstract


@dataclass
class Record:
    """The fields of a report with the source each came from."""

    values: dict[str, Any] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)

    def get(self, name: str) -> Any:
        """A field's value (None, or [] for a list field, when absent)."""
        return self.values.get(name, [] if name in LISTS else None)

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape: {"metadata": every field, authors as names; "sources": {...}}."""
        data = {name: self.get(name) for name in FIELDS}
        data["authors"] = [display_name(a) for a in self.get("authors")]
        return {"metadata": data, "sources": dict(self.sources)}

    @property
    def year(self) -> int | None:
        """The year of the date, if any."""
        date = self.get("date")
        return int(date[:4]) if date else None


def display_name(name: dict[str, str]) -> str:
    """ "Given Family" for a person, the name itself for an organisation."""
    if "literal" in name:
        return name["literal"]
    return " ".join(p for p in (name.get("given"), name.get("family"), name.get("suffix")) if p)


def derive(
    raw: dict[str, Any],
    pages: list[str],
    *,
    path: str | None = None,
    language: str | None = None,
    sidecar: dict[str, Any] | None = None,
    edits: dict[str, Any] | None = None,
    fetched: dict[str, Any] | None = None,
    scanned_cover: bool = False,
) -> Record:
    """The record of a report from its raw info/XMP (`raw`), the raw text of its pages, its
    main file's path, the detected language, a sidecar's values, the librarian's edits, and
    the fetch that brought it (`final_url`, `retrieved`, and the feed `entry` it came from).
    With `scanned_cover` (OCR read the first page) its first lines are no title: on a scan
    they are as often a stamp or a misreading; the publishers' layouts still apply."""
    info, xmp = raw.get("info") or {}, raw.get("xmp") or {}
    fetched = fetched or {}
    layers: list[tuple[str, dict[str, Any]]] = [
        ("edit", edits or {}),
        ("sidecar", sidecar or {}),
        ("feed", fetched.get("entry") or {}),
        (
            "fetch",
            {
                "source_url": fetched.get("final_url"),
                "retrieved": (fetched.get("retrieved") or "")[:10],
            },
        ),  # fmt: skip
        ("text", publisher_fields(pages)),
        ("info", {"date": parse_date(_cover_date(info.get("/Keywords")) or "")}),
        ("xmp", _xmp_fields(xmp, info)),
        ("info", _info_fields(info)),
        ("text", generic_fields(pages) | {"language": language}),
        ("text", {"title": heading_title(pages[0]) if pages and not scanned_cover else None}),
        ("path", {"title": Path(path).stem if path else None}),
        ("info", {"date": pdf_date(info.get("/CreationDate"))}),
        ("xmp", {"date": parse_iso(xmp.get("created"))}),
    ]
    record = Record()
    for source, values in layers:
        for name, value in values.items():
            if name in FIELDS and name not in record.values and value not in (None, "", []):
                record.values[name] = value
                record.sources[name] = source
    return record


def _cover_date(keywords: object) -> str | None:
    m = re.search(r"Cover Date:\s*(.+)", keywords) if isinstance(keywords, str) else None
    return m.group(1) if m else None


def _clean(value: object) -> str | None:
    text = " ".join(value.split()) if isinstance(value, str) else ""
    return text or None


def _authors_text(text: str | None) -> list[dict[str, str]]:
    return [] if not text or is_junk_author(text) else split_authors(text)


def _info_fields(info: dict[str, Any]) -> dict[str, Any]:
    title = _clean(info.get("/Title"))
    keywords = _clean(info.get("/Keywords"))
    tags = "" if not keywords or "Cover Date:" in keywords else keywords
    return {
        "title": title if title and not is_junk_title(title) else None,
        "authors": _authors_text(_clean(info.get("/Author"))),
        "tags": [t.strip() for t in re.split(r"[;,]", tags) if t.strip()],
    }


def _xmp_fields(xmp: dict[str, Any], info: dict[str, Any]) -> dict[str, Any]:
    titles = [t for t in map(_clean, xmp.get("title") or []) if t and not is_junk_title(t)]
    abstract = _clean(xmp.get("description"))
    creators = [c for c in map(_clean, xmp.get("creator") or []) if c and not is_junk_author(c)]
    return {
        "title": titles[0] if titles else None,
        "authors": [a for c in creators for a in _authors_text(c)],
        "publisher": _clean("; ".join(xmp.get("publisher") or [])),
        # Many producers copy /Subject ("CRS Report") into the description: not an abstract.
        "abstract": abstract if abstract and len(abstract) >= MIN_ABSTRACT else None,
        "date": next((d for d in map(parse_iso, xmp.get("date") or []) if d), None),
    }


def parse_iso(value: object) -> str | None:
    """An ISO date 'YYYY', 'YYYY-MM' or 'YYYY-MM-DD' (a longer timestamp is cut), else None."""
    m = _ISO_DATE.match(value.strip()) if isinstance(value, str) else None
    return m.group() if m else None


# --- values given by people: edits and sidecars ---------------------------------------------


def clean_value(name: str, value: Any) -> Any:
    """A value given for field `name` in the record's form; MetadataError names what is wrong.

    `authors`: a list of {"family","given"} / {"literal"} objects or "Family, Given; …";
    `tags`: a list of strings or "a, b"; `date`, `retrieved`: ISO YYYY[-MM[-DD]].
    """
    if name not in FIELDS:
        raise MetadataError(name, f"unknown field; the fields are {', '.join(FIELDS)}")
    if name == "authors":
        return _clean_authors(value)
    if name == "tags":
        items = value.split(",") if isinstance(value, str) else value
        if not isinstance(items, list) or not all(isinstance(t, str) for t in items):
            raise MetadataError(name, "give a list of strings or a comma-separated string")
        return list(dict.fromkeys(t.strip() for t in items if t.strip()))
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise MetadataError(name, "give a string")
    text = " ".join(str(value).split())
    if len(text) > MAX_VALUE:
        raise MetadataError(name, f"longer than {MAX_VALUE} characters")
    if name in ("date", "retrieved") and text and not _is_date(text):
        raise MetadataError(name, f"{text!r} is not a date: use YYYY, YYYY-MM or YYYY-MM-DD")
    return text


def _is_date(text: str) -> bool:
    if not _ISO_DATE.fullmatch(text):
        return False
    try:
        return len(text) < 10 or bool(datetime.date.fromisoformat(text))
    except ValueError:  # 2024-02-30
        return False


def _clean_authors(value: Any) -> list[dict[str, str]]:
    if isinstance(value, str):  # "Family, Given; Family, Given"; an organisation as its name
        return [name for p in value.split(";") for name in split_authors(p)]
    if not isinstance(value, list):
        raise MetadataError("authors", 'give a list of names or "Family, Given; Family, Given"')
    out = []
    for item in value:
        if isinstance(item, str) and item.strip():
            out += split_authors(item)
        elif isinstance(item, dict) and (
            ("literal" in item and isinstance(item["literal"], str))
            or ("family" in item and isinstance(item["family"], str))
        ):
            keep = ("literal",) if "literal" in item else ("family", "given", "suffix")
            out.append({k: " ".join(str(item[k]).split()) for k in keep if item.get(k)})
        else:
            raise MetadataError("authors", 'each author is {"family", "given"} or {"literal"}')
    return out


def read_sidecar(pdf: Path, sha256: str) -> dict[str, Any]:
    """The values a sidecar gives for `pdf`: NAME.pdf.json beside it, else its row in the
    folder's metadata.csv (matched by file name or sha256). A bad sidecar is logged, not fatal."""
    values: dict[str, Any] = {}
    beside = pdf.with_name(pdf.name + ".json")
    try:
        if beside.is_file():
            data = json.loads(beside.read_text(encoding="utf-8"))
            values = data if isinstance(data, dict) else {}
        elif (pdf.parent / SIDECAR_CSV).is_file():
            table = pdf.parent / SIDECAR_CSV
            rows = _csv_table(table, table.stat().st_mtime_ns)
            values = rows.get(pdf.name) or rows.get(sha256) or {}
    except (OSError, ValueError, csv.Error) as e:
        log.warning("%s: unreadable sidecar: %s", pdf, e)
        return {}
    out = {}
    for name, value in values.items():
        if name in FIELDS and value not in (None, "", []):
            try:
                out[name] = clean_value(name, value)
            except MetadataError as e:
                log.warning("%s: sidecar: %s", pdf, e)
    return out


@lru_cache(maxsize=8)
def _csv_table(table: Path, mtime_ns: int) -> dict[str, dict[str, Any]]:
    """The rows of a metadata.csv by file name and by sha256 (read once per version)."""
    rows: dict[str, dict[str, Any]] = {}
    with table.open(newline="", encoding="utf-8-sig") as f:
        for row in csv.DictReader(f):
            values = {k: v for k, v in row.items() if k and k not in ("file", "sha256")}
            for key in (row.get("file"), (row.get("sha256") or "").lower()):
                if key:
                    rows[key] = values
    return rows
