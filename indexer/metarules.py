"""What a report's own pages say about it: printed dates, people and their positions, cover
titles and bylines, a DOI or ISBN.

These are the building blocks of the publisher rules in `covers.py`, and the generic rules
that apply to any report ("Updated <date>", "<Name>, Specialist in …"). Each rule returns a
dict of the record's fields (metadata.FIELDS) it found; people are CSL names
({"family", "given"}), organisations {"literal"}. Nothing here knows where else a value might
come from: `metadata.py` ranks the sources.
"""

from __future__ import annotations

import re
from typing import Any

Fields = dict[str, Any]

MONTHS = {
    m: i
    for i, names in enumerate(
        [
            ("january", "jan", "января", "январь", "січня", "січень"),
            ("february", "feb", "февраля", "февраль", "лютого", "лютий"),
            ("march", "mar", "марта", "март", "березня", "березень"),
            ("april", "apr", "апреля", "апрель", "квітня", "квітень"),
            ("may", "мая", "май", "травня", "травень"),
            ("june", "jun", "июня", "июнь", "червня", "червень"),
            ("july", "jul", "июля", "июль", "липня", "липень"),
            ("august", "aug", "августа", "август", "серпня", "серпень"),
            ("september", "sep", "sept", "сентября", "сентябрь", "вересня", "вересень"),
            ("october", "oct", "октября", "октябрь", "жовтня", "жовтень"),
            ("november", "nov", "ноября", "ноябрь", "листопада", "листопад"),
            ("december", "dec", "декабря", "декабрь", "грудня", "грудень"),
        ],
        1,
    )
    for m in names
}
_MONTH = r"(?P<month>[A-Za-zА-Яа-яЁёІіЇїЄєҐґ]{3,9})\.?"
_DATE_FORMS = [
    re.compile(rf"\b{_MONTH} (?P<day>\d{{1,2}}), (?P<year>(?:19|20)\d\d)\b"),  # April 15, 2026
    re.compile(rf"\b(?P<day>\d{{1,2}}) {_MONTH},? (?P<year>(?:19|20)\d\d)\b"),  # 11 февраля 2013
    re.compile(r"\b(?P<day>\d\d)\.(?P<num>\d\d)\.(?P<year>(?:19|20)\d\d)\b"),  # 11.02.2013
    re.compile(rf"\b{_MONTH} (?P<year>(?:19|20)\d\d)\b"),  # April 2024
]


def parse_date(text: str) -> str | None:
    """The first date in `text` as ISO 'YYYY-MM-DD' (or 'YYYY-MM' without a day), else None."""
    found: list[tuple[int, str]] = []
    for form in _DATE_FORMS:
        for m in form.finditer(text):
            parts = m.groupdict()
            month = int(parts["num"]) if parts.get("num") else MONTHS.get(parts["month"].lower())
            day = int(parts["day"]) if parts.get("day") else None
            if not month or not 1 <= month <= 12 or (day is not None and not 1 <= day <= 31):
                continue
            iso = f"{parts['year']}-{month:02d}" + (f"-{day:02d}" if day else "")
            found.append((m.start(), iso))
            break
    return min(found)[1] if found else None


# "D:20260417155954-04'00'": year, then month and day when present and in range.
_PDF_DATE = re.compile(r"(?:D:)?\s*((?:19|20)\d\d)(0[1-9]|1[0-2])?(0[1-9]|[12]\d|3[01])?")


def pdf_date(value: object) -> str | None:
    """A PDF date string as ISO 'YYYY-MM-DD', 'YYYY-MM' or 'YYYY'."""
    m = _PDF_DATE.match(value) if isinstance(value, str) else None
    return "-".join(part for part in m.groups() if part) if m else None


def later_first(text: str) -> str:
    """A sort key putting later ISO dates (and timestamps) first and the empty one last."""
    return "".join(chr(0x10FFFF - ord(c)) for c in text) if text else "\U0010ffff"


# Positions CRS and other research services print under or after an author's name.
_POSITION = re.compile(
    r"(?:(?:Senior|Acting|Assistant|Associate|Principal|Chief|Lead) )*"
    r"(?:Specialist|Analyst|Legislative Attorney|Attorney|Research Librarian|Librarian"
    r"|Section Research Manager|Research Manager|Coordinator|Economist|Research Assistant"
    r"|Fellow|Senior Fellow|Professor|Researcher|Scholar)\b"
)
_NAME = re.compile(
    r"(?P<name>[A-Z][\w'’.-]+(?: (?:[A-Z][\w'’.-]*|de|van|von|da|del|la|bin)){1,4}"
    r"(?:,? (?:Jr\.|Sr\.|II|III|IV))?)"
)


def person(text: str) -> dict[str, str]:
    """A CSL name from "Given Family" (or "Family, Given"); one word is kept as a literal."""
    text = " ".join(text.split())
    if "," in text and not re.search(r",\s*(?:Jr|Sr)\.?$|,\s*I{2,3}$", text):
        family, given = (s.strip() for s in text.split(",", 1))
        return {"family": family, "given": given}
    suffix = re.search(r",?\s+(Jr\.|Sr\.|II|III|IV)$", text)
    core = text[: suffix.start()] if suffix else text
    words = core.split()
    if len(words) < 2:
        return {"literal": text}
    name = {"family": words[-1], "given": " ".join(words[:-1])}
    if suffix:
        name["suffix"] = suffix.group(1)
    return name


# Words that mark an author as an organisation, cited as written rather than "Family, G.".
_ORG_WORDS = re.compile(
    r"\b(service|office|institute|department|center|centre|council|agency|library|committee"
    r"|university|bureau|commission|administration|foundation|association|ministry|government"
    r"|group|board|corporation|inc|ltd|llc|team)\b",
    re.IGNORECASE,
)


def split_authors(author: str | None) -> list[dict[str, str]]:
    """CSL name objects from a metadata author string.

    Handles "Amy F. Woolf", "Woolf, Amy F.", "A. Smith, B. Jones", "Smith; Jones", "A and B",
    and organisations ("Congressional Research Service"), which are kept whole.
    """
    if not author or not author.strip():
        return []
    text = author.strip()
    if _ORG_WORDS.search(text) and not re.search(r"[;&]| and ", text):
        return [{"literal": text}]
    parts = [p.strip() for p in re.split(r";|&|\band\b", text) if p.strip()]
    if len(parts) == 1:
        pieces = [p.strip() for p in text.split(",") if p.strip()]
        # "Woolf, Amy F." is one inverted name; "Marc Labonte, Andrew P. Scott" are two names.
        if len(pieces) == 2 and " " not in pieces[0]:
            return [{"family": pieces[0], "given": pieces[1]}]
        parts = pieces
    return [_name(p) for p in parts]


def _name(text: str) -> dict[str, str]:
    return {"literal": text} if _ORG_WORDS.search(text) else person(text)


def text_lines(text: str) -> list[str]:
    return [" ".join(line.split()) for line in text.splitlines() if line.strip()]


def people(text: str) -> list[dict[str, str]]:
    """Authors printed as "Name, Position" on one line or as a name line over a position line."""
    lines, found = text_lines(text), []
    for i, line in enumerate(lines):
        one = re.fullmatch(rf"{_NAME.pattern}, (?:an? )?{_POSITION.pattern}.*", line)
        if one and not _POSITION.search(one.group("name")):
            found.append(one.group("name"))
            continue
        below = lines[i + 1] if i + 1 < len(lines) else ""
        if _NAME.fullmatch(line) and _POSITION.match(below) and not _POSITION.match(line):
            found.append(line)
    return [person(n) for n in dict.fromkeys(found)]


def first_group(pattern: str, text: str, flags: int = 0) -> str | None:
    m = re.search(pattern, text, flags)
    return m.group(1) if m else None


def join_words(lines: list[str]) -> str:
    return re.sub(r"\s+", " ", " ".join(lines)).strip()


# Lines on a cover that end its title: section labels, bylines.
_LABELS = re.compile(
    r"(?i)(?:authors?|by|abstract|summary|executive summary|at a glance|contents|table of contents"
    r"|introduction|highlights|key findings|overview|foreword|preface|(?:a )?report (?:of|from|by"
    r"|to)\b.*)"
)
AFFILIATION = re.compile(
    r"\b(?:Institution|University|Institute|Center|Centre|College|School|Council|Foundation"
    r"|Corporation|Bank|Office|Agency|Department|Program|Laboratory)\b"
)
SERIES = re.compile(
    r"(.*?\b(?:Working Paper|Discussion Paper|Policy Brief|Research Paper|Analysis Paper|Report))"
    r"\s*(?:No\.|Number|#)\s*([\w.-]+)"
)
DATE_LINE = re.compile(r"(?i)(?:[a-z]+\.? \d{1,2}, |\d{1,2} [a-z]+ |[a-z]+ )\d{4}")


def _is_person(lines: list[str], i: int) -> bool:
    """A line that names a person: with an initial, or over an affiliation or position."""
    line, below = lines[i], lines[i + 1] if i + 1 < len(lines) else ""
    if not _NAME.fullmatch(line) or AFFILIATION.search(line):
        return False
    return bool(
        re.search(r"\b[A-Z]\.", line) or AFFILIATION.search(below) or _POSITION.match(below)
    )


def cover_title(lines: list[str], start: int) -> str | None:
    """The title printed from line `start` of a cover: up to a label, a byline or a person."""
    title: list[str] = []
    for i in range(start, min(start + 4, len(lines))):
        if _LABELS.fullmatch(lines[i]) or _is_person(lines, i) or DATE_LINE.fullmatch(lines[i]):
            break
        title.append(lines[i])
    return join_words(title) or None


def cover_authors(lines: list[str]) -> list[dict[str, str]]:
    """Authors under an "Authors" label, else names printed over their affiliations."""
    for i, line in enumerate(lines):
        if re.fullmatch(r"(?i)authors?|by", line):
            names = []
            for below in lines[i + 1 : i + 12]:
                if not _NAME.fullmatch(below):
                    break
                names.append(below)
            if names:
                return [person(n) for n in names]
    return [person(lines[i]) for i in range(len(lines)) if _is_person(lines, i)]


def byline(line: str) -> list[str]:
    """The names of a byline ("A. Smith, B. Jones and C. Wu"), or [] for another line."""
    names = [n.strip() for n in re.split(r",\s*(?:and\s+)?|\s+and\s+", line) if n.strip()]
    several = len(names) > 1 or re.search(r"\b[A-Z]\.", line)
    if several and all(_NAME.fullmatch(n) and not AFFILIATION.search(n) for n in names):
        return names
    return []


# --- generic rules --------------------------------------------------------------------------

_DOI = re.compile(r"\b(10\.\d{4,9}/[^\s\"<>]+[^\s\"<>.,;)])")
_ISBN = re.compile(r"\bISBN(?:-1[03])?:?\s*((?:97[89][- ]?)?\d{1,5}[- ]?\d+[- ]?\d+[- ]?[\dX])\b")


def generic_fields(pages: list[str]) -> Fields:
    """Rules for any report: an "Updated <date>" line, authors with their positions, DOI, ISBN."""
    if not pages:
        return {}
    head = "\n".join(pages[:2])
    out: Fields = {}
    updated = first_group(r"(?:Updated|Revised|Published)[: ]+([^\n]{6,30})", head)
    out["date"] = parse_date(updated) if updated else None
    out["authors"] = people(head) or people("\n".join(pages[-2:]))
    out["doi"] = first_group(_DOI.pattern, head + "\n" + pages[-1])
    out["isbn"] = first_group(_ISBN.pattern, "\n".join(pages[:4]) + "\n" + pages[-1])
    return {k: v for k, v in out.items() if v}
