"""Recognise well-known report publishers from the text of a report's first and last pages.

PDF metadata almost never names the publisher, yet researchers filter and cite by it. This is
a short table of research services, think tanks and government publishers whose reports print a
recognisable imprint; anything else stays None until a librarian sets it.

The same table lists the lines a publisher prints in its page margins even once (a product
number with its version, its web address): `margins.py` cuts them from the flowing text.
"""

from __future__ import annotations

import re

# (publisher as cited, imprint patterns found on its reports' first or last page)
KNOWN: list[tuple[str, tuple[str, ...]]] = [
    ("Congressional Research Service", (r"Congressional Research Service", r"crsreports\.congress\.gov")),
    ("U.S. Government Accountability Office", (r"\bGAO-\d\d-\d+", r"United States Government Accountability Office")),
    ("Congressional Budget Office", (r"Congressional Budget Office", r"\bwww\.cbo\.gov")),
    ("Office of the Federal Register", (r"Federal Register\s*/\s*Vol\.",)),
    ("Internal Revenue Service", (r"Department of the Treasury\s+Internal Revenue Service",)),
    ("RAND Corporation", (r"RAND Corporation", r"\bwww\.rand\.org")),
    ("Brookings Institution", (r"Brookings Institution",)),
    ("Center for Strategic and International Studies", (r"Center for Strategic (?:and|&) International Studies",)),
    ("Council on Foreign Relations", (r"Council on Foreign Relations",)),
    ("Chatham House", (r"Royal Institute of International Affairs", r"chathamhouse\.org")),
    ("Carnegie Endowment for International Peace", (r"Carnegie Endowment for International Peace",)),
    ("Stockholm International Peace Research Institute", (r"Stockholm International Peace Research Institute",)),
    ("International Institute for Strategic Studies", (r"International Institute for Strategic Studies",)),
    ("ФСТЭК России", (r"ФСТЭК России",)),
]  # fmt: skip

# Margin lines (each matched against a whole line, spaces collapsed) by publisher.
MARGINS: dict[str, tuple[str, ...]] = {
    "Congressional Research Service": (
        r"(?:https?://)?crsreports\.congress\.gov/?(?: ?\|.*)?",
        r"(?:Congressional Research Service ?)?(?:R|RL|RS|IF|IN|LSB)\d{4,5} · VERSION \d+ · (?:UPDATED|NEW)(?: \d+)?",
        r"(?:R|RL|RS|IF|IN|LSB)\d{4,5}",
        r"Congressional Research Service(?: \d+)?",
    ),
}  # fmt: skip

# Imprints are matched in any case: covers print them in capitals too.
_COMPILED = [(name, [re.compile(p, re.IGNORECASE) for p in patterns]) for name, patterns in KNOWN]


def margin_patterns(publisher: str | None) -> list[re.Pattern[str]]:
    """The compiled margin lines of a known publisher (none for another)."""
    return [re.compile(p) for p in MARGINS.get(publisher or "", ())]


def guess_publisher(pages: list[str]) -> str | None:
    """The publisher whose imprint appears on the first or last page, if it is a known one."""
    if not pages:
        return None
    text = pages[0] + "\n" + (pages[-1] if len(pages) > 1 else "")
    for name, patterns in _COMPILED:
        if any(p.search(text) for p in patterns):
            return name
    return None
