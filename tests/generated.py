"""Large collections of generated page text, written straight into a catalog (no PDFs).

Load tests need thousands of pages; extracting that many PDFs would take minutes, so the pages
go into the catalog as ingest would have left them and the index is built with `rebuild`, which
never reads a PDF. The text is drawn from a fixed vocabulary with a seeded generator, so a
collection of the same size is the same collection every time.
"""

from __future__ import annotations

import hashlib
import random
from pathlib import Path

from indexer.catalog import Catalog
from indexer.config import Settings
from indexer.ingest import rebuild
from indexer.models import Document, Page

# Topic phrases that the load queries look for, each placed on some pages only.
PHRASES = [
    "nuclear weapons", "seabed mining", "United States", "tax brackets", "memorial fund",
    "memorials", "Russia", "China", "airborne forces", "critical minerals",
]  # fmt: skip
_VOCABULARY = """
the of and to in a is that for on with as by this are from at be or an was which it has
report congress policy federal program budget defense energy trade security agency law
analysis market foreign military development state government committee fiscal year
funding support research oversight authority regulation industry capacity supply chain
export import treaty alliance deterrence readiness procurement contract acquisition
infrastructure investment revenue deficit spending appropriations legislation hearing
testimony administration department office national international regional local
economic financial environmental technical strategic operational historical political
"""
_WORDS = _VOCABULARY.split()
PUBLISHERS = ["Congressional Research Service", "RAND Corporation", "Brookings Institution"]
LANGS = ["en", "en", "en", "ru"]


def page_text(rng: random.Random, words: int) -> str:
    """One page of prose-like text: sentences of vocabulary words, some topic phrases."""
    sentences: list[str] = []
    count = 0
    while count < words:
        sentence = [rng.choice(_WORDS) for _ in range(rng.randint(8, 20))]
        if rng.random() < 0.1:
            sentence.insert(rng.randrange(len(sentence)), rng.choice(PHRASES))
        sentences.append(" ".join(sentence).capitalize() + ".")
        count += len(sentence)
    return " ".join(sentences)


def fill_catalog(settings: Settings, pages: int, *, per_report: int = 20, seed: int = 1) -> int:
    """Write `pages` generated pages (in reports of `per_report`) into the catalog of
    `settings` and build the index from it; returns how many reports are searchable."""
    rng = random.Random(seed)
    with Catalog(settings.catalog_path) as catalog, catalog.transaction():
        for n in range(max(1, pages // per_report)):
            sha = hashlib.sha256(f"generated-{seed}-{n}".encode()).hexdigest()
            doc = Document(
                pages=[
                    Page(p, text, label=str(p), raw=text)
                    for p, text in (
                        (p, page_text(rng, rng.randint(250, 450))) for p in range(1, per_report + 1)
                    )
                ],
                title=f"Generated report {n}: {rng.choice(PHRASES)}",
                author=f"Analyst {n % 37}",
                publisher=PUBLISHERS[n % len(PUBLISHERS)],
                created=f"{2000 + n % 25}-0{1 + n % 9}-01",
                language=LANGS[n % len(LANGS)],
            )
            catalog.put_report(sha[:16], sha, doc, "indexed")
            catalog.put_file(str(Path(f"/generated/report-{n}.pdf")), sha[:16], 1, 1)
            catalog.settle(sha[:16])
    return rebuild(settings)
