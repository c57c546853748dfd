"""Random passages of a collection's pages, as printed and with words changed, for testing and
timing quote lookup. Seeded: the same collection gives the same passages."""

from __future__ import annotations

import random
from dataclasses import dataclass

from indexer.library import Library

WORDS = 30


@dataclass(frozen=True)
class Passage:
    """A passage of `WORDS` words of one page, and a copy with some words changed."""

    report_id: str
    page: int
    text: str
    changed: str


def sample_passages(lib: Library, count: int, *, changes: int = 3, seed: int = 7) -> list[Passage]:
    """`count` passages from pages with text, each from a random page of a random report."""
    rng = random.Random(seed)
    pages = [
        (entry["report_id"], p["page"])
        for entry in lib.reports()
        if entry["status"] == "indexed"
        for p in lib.report(entry["report_id"])["page_list"]
        if p["quality"] == "ok"
    ]
    found: list[Passage] = []
    while len(found) < count:
        report_id, number = rng.choice(pages)
        words = lib.page(report_id, number)["text"].split()
        if len(words) < 2 * WORDS:
            continue
        start = rng.randrange(len(words) - WORDS)
        chosen = words[start : start + WORDS]
        changed = list(chosen)
        for i in rng.sample(range(1, WORDS - 1), changes):
            changed[i] = rng.choice(["zephyrine", "quoll", "marmalade", "xylograph"])
        found.append(Passage(report_id, number, " ".join(chosen), " ".join(changed)))
    return found
