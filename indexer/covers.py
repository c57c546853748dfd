"""Publishers' cover layouts: what a known publisher's report prints and where.

One rule per publisher in `PUBLISHER_RULES` (CRS, GAO, CBO, RAND, Brookings, CSIS, the Federal
Register), plus Russian and Ukrainian orders, recognised by their layout. The publisher is
recognised from the imprint on the first or last page (`publishers.guess_publisher`). Each rule
returns the record fields it found (see metadata.FIELDS); the building blocks that read dates,
names and titles are in `metarules.py`.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from .metarules import (
    DATE_LINE,
    SERIES,
    Fields,
    byline,
    cover_authors,
    cover_title,
    first_group,
    join_words,
    parse_date,
    people,
    person,
    text_lines,
)
from .publishers import guess_publisher
from .textforms import display_text

CRS_TYPES = {"R": "CRS Report", "RL": "CRS Report", "RS": "CRS Report", "IF": "In Focus",
             "IN": "Insight", "LSB": "Legal Sidebar"}  # fmt: skip
_CRS_DATE = re.compile(r"(?:Updated )?[A-Z][a-z]+\.? \d{1,2}, \d{4}")
_CRS_NUMBER = r"\b((?:RL|RS|R|IF|IN|LSB)\d{4,5})\b"


def crs(pages: list[str]) -> Fields:
    """A CRS Report, In Focus, Insight or Legal Sidebar."""
    first, summary, last = pages[0], pages[1] if len(pages) > 1 else "", "\n".join(pages[-2:])
    edge = re.search(rf"{_CRS_NUMBER} · VERSION (\d+) · (?:UPDATED|NEW)", "\n".join(pages))
    number = edge.group(1) if edge else first_group(rf"^\s*{_CRS_NUMBER}\s*$", first, re.M)
    out: Fields = {"publisher": "Congressional Research Service"}
    if edge:
        out["version"] = edge.group(2)
    lines = text_lines(first)
    dated = next((i for i, line in enumerate(lines[:25]) if _CRS_DATE.fullmatch(line)), None)
    if dated is not None:
        out["date"] = parse_date(lines[dated])
    if number:
        prefix = re.match(r"[A-Z]+", number).group()  # type: ignore[union-attr]
        out |= {"report_number": number, "report_type": CRS_TYPES[prefix]}
        out["source_url"] = f"https://crsreports.congress.gov/product/pdf/{prefix}/{number}"
        out["title"] = _crs_title(prefix, lines, dated, pages[-1])
    authors = people(summary) if number and number[0] == "R" and number[:2] != "RS" else []
    out["authors"] = authors or people(_after(last, "Author Information")) or people(last)
    return {k: v for k, v in out.items() if v}


def _crs_title(prefix: str, lines: list[str], dated: int | None, last: str) -> str | None:
    if dated is None:
        return None
    if prefix == "IF":  # the running head over the footer repeats the title on one line
        head = first_group(r"(?m)^(.+?)\s*\n\s*https://crsreports\.congress\.gov \| IF", last)
        return " ".join(head.split()) if head else lines[dated + 1]
    if prefix in ("IN", "LSB"):  # "INSIGHTi" / "Legal Sidebar", the title, then the date
        start = max((i for i in range(dated) if re.search(r"INSIGHT|Legal Sidebar", lines[i])),
                    default=-1)  # fmt: skip
        return join_words(lines[start + 1 : dated]) or None
    return join_words(lines[:dated]) or None  # a report's cover: the title, then the date


def _after(text: str, heading: str) -> str:
    at = text.find(heading)
    return text[at + len(heading) :] if at >= 0 else ""


def gao(pages: list[str]) -> Fields:
    """A GAO report: its number (GAO-24-106123), the month on the cover, the heading."""
    first = pages[0]
    out: Fields = {"publisher": "U.S. Government Accountability Office", "report_type": "Report"}
    out["report_number"] = first_group(r"\b(GAO-\d\d-\d{3,6}[A-Z]{0,2})\b", first)
    lines = text_lines(first)
    for i, line in enumerate(lines):
        if re.fullmatch(r"[A-Z][a-z]+ \d{4}", line) and parse_date(line):
            out["date"] = parse_date(line)
            caps = [x for x in lines[i + 1 : i + 4] if x.isupper()]
            if caps:
                rest = lines[i + 1 + len(caps) : i + 4 + len(caps)]
                tail = [x for x in rest if not x.isupper() and not x.startswith("GAO-")]
                out["title"] = join_words(caps).title() + (
                    ": " + join_words(tail[:2]) if tail else ""
                )
            break
    return {k: v for k, v in out.items() if v}


RAND_TYPES = {"PE": "Perspective", "RB": "Research Brief", "TL": "Tool", "WR": "Working Paper",
              "CT": "Testimony"}  # fmt: skip


def rand(pages: list[str]) -> Fields:
    """A RAND report: its number (RR-A1234-1), ©-year, title page and authors."""
    text = "\n".join(pages)
    number = first_group(r"\b((?:RR|PE|RB|TL|WR|CT)-A?\d{2,5}(?:-\d{1,2})?)\b", text)
    if not number:  # only the short link www.rand.org/t/RRA1234-1 gives it
        link = first_group(r"rand\.org/t/((?:RR|PE|RB|TL|WR|CT)A?\d{2,5}(?:-\d{1,2})?)", text)
        number = re.sub(r"^(RR|PE|RB|TL|WR|CT)(A?\d)", r"\1-\2", link) if link else None
    out: Fields = {"publisher": "RAND Corporation", "report_number": number}
    out["report_type"] = RAND_TYPES.get(number[:2], "Research Report") if number else None
    year = first_group(r"©\s*((?:19|20)\d\d)", "\n".join(pages[:4]))
    out["date"] = year
    for page in pages[:2]:  # the title page follows the cover: title, subtitle, authors
        lines = [x for x in text_lines(page) if not x.isupper()]
        at = next((i for i, x in enumerate(lines[:8]) if byline(x)), None)
        if at:
            out["title"] = lines[0]
            out["subtitle"] = join_words(lines[1:at]) or None
            out["authors"] = [person(n) for n in byline(lines[at])]
            break
    return {k: v for k, v in out.items() if v}


def dated_cover(publisher: str, report_type: str | None = None) -> Callable[[list[str]], Fields]:
    """A rule for covers that print a date line ("April 2024", "MARCH 2026", "May 3, 2024"),
    then the title, then the authors."""

    def rule(pages: list[str]) -> Fields:
        out: Fields = {"publisher": publisher, "report_type": report_type}
        lines = text_lines(pages[0])[:40]
        for i, line in enumerate(lines):
            series = SERIES.fullmatch(line)
            if series and "report_number" not in out:
                out["report_type"], out["report_number"] = series.group(1), series.group(2)
            if DATE_LINE.fullmatch(line) and parse_date(line) and "date" not in out:
                out["date"] = parse_date(line)
                out["title"] = cover_title(lines, i + 1)
        out["authors"] = cover_authors(lines)
        return {k: v for k, v in out.items() if v}

    return rule


def federal_register(pages: list[str]) -> Fields:
    """A Federal Register issue: the date in its running head and the FR Doc. number."""
    head = re.search(r"Vol\. \d+, No\. \d+\s*/?\s*\n?\s*\w+day, ([A-Z][a-z]+ \d{1,2}, \d{4})",
                     pages[0])  # fmt: skip
    out: Fields = {"publisher": "Office of the Federal Register", "report_type": "Federal Register"}
    if head:
        out["date"] = parse_date(head.group(1))
    lines = text_lines(pages[0])
    agency = next((i for i, x in enumerate(lines) if x.startswith("AGENCY:")), None)
    if agency:  # the title sits between the docket/RIN lines and "AGENCY:"
        start = agency
        while start > 0 and not re.search(r"^RIN |\]$|CFR Part", lines[start - 1]):
            start -= 1
        out["title"] = join_words(lines[start:agency]) or None
    number = first_group(r"FR Doc\. (\d{4}\s*[–-]\s*\d+)", "\n".join(pages))
    if number:
        out["report_number"] = re.sub(r"\s*[–-]\s*", "-", number)
    return out


_ORDER = re.compile(r"^\s*(П\s?Р\s?И\s?К\s?А\s?З|Н\s?А\s?К\s?А\s?З)\s*$", re.M | re.I)
_ORDER_LINE = re.compile(r"(\d{1,2} [а-яіїєґ]+ \d{4}) ?(?:г|р)\..*?№\s*([\w/-]+)", re.I)


def official_order(pages: list[str]) -> Fields:
    """A Russian or Ukrainian order (приказ, наказ): its date, number, title and issuer."""
    first = pages[0]
    kind = _ORDER.search(first)
    if not kind:
        return {}
    lines = text_lines(first[kind.end() :])
    out: Fields = {"report_type": "Приказ" if "и" in kind.group(1).lower() else "Наказ"}
    issuer = text_lines(first[: kind.start()])
    shorts = re.findall(r"\(([^()]{2,40})\)", "\n".join(issuer))  # "(ФСТЭК России)"
    if shorts or issuer:
        out["publisher"] = shorts[-1] if shorts else join_words(issuer)
    for i, line in enumerate(lines[:5]):
        m = _ORDER_LINE.search(line)
        if m:
            out |= {"date": parse_date(m.group(1)), "report_number": m.group(2)}
            title: list[str] = []
            rest = lines[i + 1 :]
            if rest and re.match(r"Зареєстровано|Зарегистрировано", rest[0]):
                # The Ministry of Justice's registration stamp, up to its "за № …" line.
                end = next((j for j, t in enumerate(rest[:8]) if "№" in t), 0)
                rest = rest[end + 1 :]
            for t in rest:
                if re.match(r"(?:В|У) соответствии|Відповідно|На підставі|\d+\.", t):
                    break
                title.append(t)
            out["title"] = join_words(title[:6]) or None
            break
    return {k: v for k, v in out.items() if v}


_ORDER_TEXT = re.compile(
    r"(Приказ|Наказ) (.{2,80}?) от (\d{1,2} [а-яіїєґ]+ \d{4}) ?(?:г|р)\. № ?([\w/-]+)"
)


def _order_by_text(pages: list[str]) -> Fields:
    """ "Приказ ФСТЭК России от 11 февраля 2013 г. № 17" written out on one line."""
    m = _ORDER_TEXT.search(pages[0])
    if not m:
        return official_order(pages)
    return {"report_type": m.group(1), "publisher": m.group(2),
            "date": parse_date(m.group(3)), "report_number": m.group(4)}  # fmt: skip


PUBLISHER_RULES: dict[str, Callable[[list[str]], Fields]] = {
    "Congressional Research Service": crs,
    "U.S. Government Accountability Office": gao,
    "RAND Corporation": rand,
    "Congressional Budget Office": dated_cover("Congressional Budget Office", "Report"),
    "Brookings Institution": dated_cover("Brookings Institution"),
    "Center for Strategic and International Studies": dated_cover(
        "Center for Strategic and International Studies"
    ),
    "Office of the Federal Register": federal_register,
}


def publisher_fields(pages: list[str]) -> Fields:
    """What the rule of the report's publisher (recognised from its imprint) finds."""
    if not pages:
        return {}
    edges = [display_text(pages[0]), display_text(pages[-1])]
    publisher = guess_publisher(edges)
    if publisher in PUBLISHER_RULES:
        return PUBLISHER_RULES[publisher](pages)
    order = _order_by_text(pages)
    if order:
        return order
    return {"publisher": publisher} if publisher else {}
