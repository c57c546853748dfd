"""The fixed mixed query set of the search levels, and its translation for each peer.

The words come from bench_engines.py's vocabulary (common policy words, Zipf-distributed rare
ones, "quokka" once in the list, some Russian). None means the peer has no equivalent and the
query is skipped there (the table's ratio is then taken over the queries both ran):

- fuzzy (`~`): neither SQLite FTS5 nor Recoll has an edit-distance operator;
- facets: FTS5 counts them with GROUP BY over the matches (publisher, year, language), as our
  engines do; Recoll has none, so a query with facets runs there without them;
- the year range: an UNINDEXED `year` column in FTS5's WHERE; Recoll's `date:` field.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Query:
    """One query: what it exercises, ours, with facets or not, and the peers' spellings."""

    kind: str
    ours: str
    facets: bool
    fts5: str | None
    recoll: str | None
    years: tuple[int, int] | None = None  # FTS5: WHERE year BETWEEN these


QUERIES = [
    Query("rare word", "quokka", False, "quokka", "quokka"),
    Query("common word", "policy", False, "policy", "policy"),
    Query("2-word AND", "policy security", False, "policy AND security", "policy security"),
    Query("3-word AND, facets", "defence budget cooperation", True,
          "defence AND budget AND cooperation", "defence budget cooperation"),
    Query("phrase", '"national security strategy"', False,
          '"national security strategy"', '"national security strategy"'),
    Query("field", "title:arctic", False, "title : arctic", "title:arctic"),
    Query("wildcard", "secur*", False, "secur*", "secur*"),
    Query("fuzzy", "cooperaton~", False, None, None),
    Query("common word, facets", "policy", True, "policy", "policy"),
    Query("Cyrillic word", "оборона", False, "оборона", "оборона"),
    Query("year range + word, facets", "year:[2015 TO 2020] energy", True, "energy",
          "date:2015-01-01/2020-12-31 energy", years=(2015, 2020)),
]  # fmt: skip
