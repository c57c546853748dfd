"""A report's record as the report page shows it and as its edit form sends it back.

The form shows every field as text (authors "Family, Given; Family, Given", tags "a, b") and
sends back only what the librarian changed: a field left as shown keeps following the report's
own metadata instead of being pinned as an edit.
"""

from __future__ import annotations

from typing import Any

from ..metarules import split_authors

# The record's fields in the order the page and the edit form show them, with their labels.
FIELDS = {
    "title": "Title", "subtitle": "Subtitle", "authors": "Authors", "date": "Date",
    "report_number": "Report number", "version": "Version", "report_type": "Report type",
    "publisher": "Publisher", "language": "Language", "source_url": "Source URL",
    "retrieved": "Retrieved", "doi": "DOI", "isbn": "ISBN", "tags": "Tags",
    "abstract": "Abstract",
}  # fmt: skip
HINTS = {
    "authors": "Family, Given; Family, Given (an organisation as its name)",
    "date": "YYYY, YYYY-MM or YYYY-MM-DD", "retrieved": "YYYY-MM-DD",
    "language": "a code such as en or ru", "tags": "comma-separated",
}  # fmt: skip


def form_value(field: str, metadata: dict[str, Any]) -> str:
    """A field of the record as the edit form shows it ("" when absent)."""
    value = metadata.get(field)
    if field == "authors":
        return "; ".join(_author_text(name) for name in value or [])
    if field == "tags":
        return ", ".join(value or [])
    return "" if value is None else str(value)


def _author_text(name: str) -> str:
    # The record names people "Given Family"; the form takes them "Family, Given".
    parts = split_authors(name)
    if len(parts) != 1 or "literal" in parts[0]:
        return name
    return f"{parts[0]['family']}, {parts[0]['given']}"


def form_values(metadata: dict[str, Any]) -> dict[str, str]:
    """Every field of the record as the edit form shows it."""
    return {field: form_value(field, metadata) for field in FIELDS}


def changes_from_form(form: dict[str, str], metadata: dict[str, Any]) -> dict[str, Any]:
    """The fields the librarian changed, for `update_metadata`.

    A ticked `reset-FIELD` box or an emptied field gives None (the edit is dropped and the
    next source applies); a field sent back as it was shown is left out.
    """
    changes: dict[str, Any] = {}
    for field in FIELDS:
        if form.get(f"reset-{field}"):
            changes[field] = None
        elif field in form:
            value = form[field].strip()
            if value != form_value(field, metadata):
                changes[field] = value or None
    return changes


def safe_link(url: str | None) -> str | None:
    """`url` if it is an http(s) URL, so that a record cannot make a javascript: link."""
    if url and url.strip().lower().startswith(("http://", "https://")):
        return url.strip()
    return None
